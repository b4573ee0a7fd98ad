"""Write-audit-publish: copy the marts into a fresh file, then atomically replace par.duckdb.

Analysts hold read-only connections to the published file while the pipeline runs. DuckDB
allows one writer or many readers per file, so the pipeline never opens the published file
for writing: it builds a new file next to it and `os.replace`s it over the old one. A reader
sees the old file or the new one, never a half-written state.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.build_inputs import ledger_digest

# Storage format that DuckDB 1.x clients (bundled in many BI tools and SQL IDEs) can read;
# DuckDB 2.0's default format cannot be opened by them.
PUBLISHED_STORAGE_VERSION = "v1.0.0"

PUBLISHED_SCHEMA = "marts"


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]  # table -> rows
    published_at: dt.datetime


def publish(
    build_db: Path,
    published_db: Path,
    run_id: str | None = None,
    code_fingerprint: str | None = None,
    marts_dir: Path | None = None,
) -> Publication:
    """Copy every table of the build file's marts schema into a new file and swap it in.
    The `publication` table says which run published it, when, and what it was built from
    (the code's fingerprint and the ledger's digest: `pipelines.lib.build_inputs`), so that
    a later run can tell that nothing has changed since.

    With `marts_dir` (the Spark engine: its `marts` database, a folder of Parquet tables),
    the tables are read from there instead, each folder one table, with the types Spark
    wrote (the models cast so that they are the DuckDB build's); the ledger is still the
    build file's."""
    staging = published_db.with_name(published_db.name + ".tmp")
    staging.unlink(missing_ok=True)
    published_at = dt.datetime.now().replace(microsecond=0)
    tables: dict[str, int] = {}
    conn = duckdb.connect()  # in memory: the build file is attached read-only beside the new one
    try:
        conn.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
        conn.execute(f"ATTACH '{staging}' AS pub (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        sources = _mart_sources(conn, marts_dir)
        if "indicator_values" not in sources:
            raise RuntimeError(
                f"{marts_dir or build_db}: schema {PUBLISHED_SCHEMA} has no indicator_values; "
                "run dbt before publishing"
            )
        for name, source in sources.items():
            conn.execute(f'CREATE TABLE pub.main."{name}" AS SELECT * FROM {source}')
            tables[name] = conn.execute(f'SELECT count(*) FROM pub.main."{name}"').fetchone()[0]
        conn.execute(
            "CREATE TABLE pub.main.publication AS "
            "SELECT ?::TIMESTAMP AS published_at, ?::VARCHAR AS run_id, "
            "?::VARCHAR AS code_fingerprint, ?::VARCHAR AS ledger_digest",
            [published_at, run_id, code_fingerprint, _ledger_digest(conn)],
        )
        conn.execute("DETACH pub")
        conn.execute("DETACH build")
    except BaseException:
        conn.close()
        staging.unlink(missing_ok=True)  # a half-built file must not linger or be published
        raise
    conn.close()
    os.replace(staging, published_db)
    return Publication(path=published_db, tables=tables, published_at=published_at)


def _mart_sources(conn: duckdb.DuckDBPyConnection, marts_dir: Path | None) -> dict[str, str]:
    """Every mart by name, with the FROM item that reads it: the build file's marts schema,
    or, for Spark's, each table folder's Parquet files (Spark writes part-*.parquet files,
    an empty one for an empty table, beside its _SUCCESS and checksum files)."""
    if marts_dir is not None:
        folders = sorted(p for p in marts_dir.iterdir() if p.is_dir()) if marts_dir.is_dir() else []
        return {
            folder.name: f"read_parquet('{folder}/*.parquet')"
            for folder in folders
            if any(folder.glob("*.parquet"))
        }
    names = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = 'build' AND table_schema = ? "
        "ORDER BY table_name",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    return {name: f'build.{PUBLISHED_SCHEMA}."{name}"' for (name,) in names}


def _ledger_digest(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The build file's ledger digest; None for a build file without a ledger (tests that
    publish hand-made marts)."""
    try:
        return ledger_digest(conn, "build.raw.ingest_ledger")
    except duckdb.CatalogException:
        return None
