"""The data dictionary: `dbt docs generate --static`, published as warehouse/docs/index.html.

dbt reads the catalogue (tables, columns, types) from a database. It never opens the build
file: the build file's schema alone (tables and views, no rows) is copied into a small file
of the same name in a work folder, in well under a second, and dbt documents that copy, so
no writer is ever kept waiting on the build file.

dbt re-parses the whole project (seconds) unless the connection settings, which include the
database path, are those of its last parse. The work folder is therefore one per user (in
the cache folder), kept between runs and locked while in use, so every warehouse on the
machine parses incrementally. `--no-compile` skips compiling every model and test, which the
docs do not need (they show each model's SQL as written).

The site opens on the project's overview (`dbt_project/models/overview.md`) and names each
published model by its relation in `par.duckdb` (`par.main.indicator_values`), not in the
build file.

The page depends on nothing but the manifest and that schema (no rows reach it): when both
are those the page in place was made from (a digest kept beside it), a nightly run keeps the
page instead of running dbt again (~3 s).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib.publish import PUBLISHED_SCHEMA
from pipelines.reports.paths import cache_dir
from pipelines.settings import DBT_MANIFEST, DBT_PROJECT_DIR, Settings, dbt_environment

# The schema of the published file that holds the marts (publish copies them into `main`).
PUBLISHED_FILE_SCHEMA = "main"


def as_published(manifest: dict[str, Any], database: str) -> dict[str, Any]:
    """The manifest with every published model (the marts, which publish copies into
    `par.duckdb`) named by its relation there, `<database>.main.<table>` (the site shows
    database.schema.alias), instead of the build file's `build.marts.<table>`. Models that
    are not published keep their build-file names."""
    nodes = {}
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") == "model" and node.get("schema") == PUBLISHED_SCHEMA:
            table = node.get("alias") or node["name"]
            node = {
                **node,
                "database": database,
                "schema": PUBLISHED_FILE_SCHEMA,
                "relation_name": f'"{database}"."{PUBLISHED_FILE_SCHEMA}"."{table}"',
            }
        nodes[unique_id] = node
    return {**manifest, "nodes": nodes}


@dataclass(frozen=True)
class DocsSite:
    index: Path
    tables: int  # tables and views documented in the catalogue
    seconds: float
    reused: bool = False  # the page in place was made from the same manifest and schema


# Beside the page: the digest of the manifest and schema it was made from.
INPUTS_FILE = ".index.inputs"


def schema_digest(manifest_text: str, database: Path) -> str:
    """A digest of what the page is made from: the manifest as dbt reads it and every
    schema, table, view and column (with its type) of the schema copy."""
    conn = duckdb.connect(str(database), read_only=True)
    try:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name, data_type "
            "FROM information_schema.columns ORDER BY ALL"
        ).fetchall()
        views = conn.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
    finally:
        conn.close()
    digest = hashlib.sha256(manifest_text.encode("utf-8"))
    digest.update(repr((columns, views)).encode("utf-8"))
    return digest.hexdigest()


def copy_schema(build_db: Path, copy: Path) -> int:
    """Copy the build file's schemas, tables and views, without rows, into copy (named like
    the build file: dbt's manifest names the database after the file). Returns the number
    of tables and views copied."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    for stale in (copy, copy.with_name(copy.name + ".wal")):
        stale.unlink(missing_ok=True)
    conn = duckdb.connect()
    try:
        # Attached under its own name, so views that name their database still bind.
        conn.execute(f"ATTACH '{build_db}' AS \"{build_db.stem}\" (READ_ONLY)")
        conn.execute(f"ATTACH '{copy}' AS docs_copy")
        conn.execute(f'COPY FROM DATABASE "{build_db.stem}" TO docs_copy (SCHEMA)')
        count = conn.execute(
            "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = 'docs_copy')"
            " + (SELECT count(*) FROM duckdb_views() WHERE database_name = 'docs_copy'"
            " AND NOT internal)"
        ).fetchone()[0]
        conn.execute("DETACH docs_copy")
        conn.execute(f'DETACH "{build_db.stem}"')
    finally:
        conn.close()
    return count


def generate_docs(settings: Settings, out_dir: Path, work_dir: Path | None = None) -> DocsSite:
    """Run `dbt docs generate --static` against a schema copy of the settings' build file and
    publish the single-file site as out_dir/index.html (replaced atomically)."""
    started = time.perf_counter()
    if not DBT_MANIFEST.exists():
        raise FileNotFoundError(f"{DBT_MANIFEST} is missing: run `make manifest` first")
    work_dir = work_dir or cache_dir() / "dbt-docs"
    work_dir.mkdir(parents=True, exist_ok=True)
    with open(work_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one generation at a time per work folder
        tables, reused = _generate(settings, out_dir, work_dir)
    return DocsSite(
        index=out_dir / "index.html",
        tables=tables,
        seconds=time.perf_counter() - started,
        reused=reused,
    )


def _generate(settings: Settings, out_dir: Path, work_dir: Path) -> tuple[int, bool]:
    copy = work_dir / settings.build_db.name
    tables = copy_schema(settings.build_db, copy)
    target = work_dir / "target"
    target.mkdir(parents=True, exist_ok=True)
    # With --no-compile dbt reads the manifest from its target folder for the static page:
    # the project's, with the published tables named as analysts see them.
    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    published = json.dumps(as_published(manifest, settings.published_db.stem))
    index, stamp = out_dir / "index.html", out_dir / INPUTS_FILE
    inputs = schema_digest(published, copy)
    if index.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == inputs:
        return tables, True
    (target / "manifest.json").write_text(published, encoding="utf-8")
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt),
        "docs",
        "generate",
        "--static",
        "--no-compile",
        "--quiet",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(work_dir / "logs"),
    ]
    env = {**os.environ, **dbt_environment(settings, build_db=copy)}
    done = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    site = target / "static_index.html"
    if done.returncode != 0 or not site.exists():
        raise RuntimeError(f"dbt docs generate failed:\n{done.stdout}\n{done.stderr}".strip())
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / ".index.html.tmp"
    shutil.copyfile(site, partial)
    os.replace(partial, index)
    stamp.write_text(inputs, encoding="utf-8")
    return tables, False
