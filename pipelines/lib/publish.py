"""Write-audit-publish: write the marts into a new file, then atomically replace par.duckdb.

Analysts hold read-only connections to the published file while the pipeline runs. DuckDB
allows one writer or many readers per file, so the pipeline never opens the published file
for writing: it builds a new file next to it and `os.replace`s it over the old one. A reader
sees the old file or the new one, never a half-written state.

The new file starts as a byte copy of the published one when there is one (in the storage
format below), and only what differs is written into it: a table whose rows the build
still has, all of them and no others, is kept as it is; a table with a key (columns no two
of its rows share) gets only the rows whose key was added, removed or whose values changed
(a nightly run changes a few thousand of fct_dossier's millions of rows); any other table
is copied whole, as every table is into a new file. Compressing and writing the large
tables whole was most of what publishing cost. What the new file holds is exactly what a
copy of every table would hold: only the physical order of the rows may differ, which SQL
never promises.

Finding the rows that differ still compared every row of a keyed table (~1.3 s of a
province's 3 million dossiers, most of a night's publishing). A mart with a build stamp (a
column saying which build last recomputed the row, `pipelines.lib.build_sequence`) that
vouches for its rows - its rows are a projection of the stamped table's, so a row changes
only when it is recomputed - is written from the rows stamped after the build the
published file was made from, when that file was made by the same code from a build of
this build file; rows gone from the build since then show in the row counts, and every
row is then compared as before. The stamp column itself is never published.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.lib import build_sequence
from pipelines.lib.build_inputs import ledger_digest

# Storage format that DuckDB 1.x clients (bundled in many BI tools and SQL IDEs) can read;
# DuckDB 2.0's default format cannot be opened by them.
PUBLISHED_STORAGE_VERSION = "v1.0.0"
# The version number the main header of a file in that format carries (bytes 12-20, after
# an 8-byte checksum and b"DUCK"): only such a published file is copied and updated, since
# DuckDB keeps an existing file's format when it writes to it.
PUBLISHED_HEADER_VERSION = 64

PUBLISHED_SCHEMA = "marts"

# A table whose changed keys exceed this share of its rows is copied whole instead: a
# rewrite is then about as cheap, and it leaves no deleted rows behind in the file.
UPDATE_AT_MOST = 0.25

# DuckDB's memory limit while publishing (its default is 80% of the machine's memory). The
# row-by-row comparison holds one side of a table in a hash table: ~1.6 GB for a province's
# year of dossiers, which fits; a larger table spills to disk instead of taking the memory
# the rest of the run needs. The same as dbt's default (PAR_DBT_MEMORY_LIMIT).
MEMORY_LIMIT = "2GB"

# How each table got into the new file (Publication.written).
COPIED = "copied whole"
KEPT = "kept"


@dataclass(frozen=True)
class BuildStamp:
    """A mart's column saying which build last recomputed each row: never published; with
    `vouches`, its rows change only when they are recomputed (so only the rows stamped after
    the published file's build can differ from the published ones)."""

    column: str
    vouches: bool


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]  # table -> rows
    published_at: dt.datetime
    # table -> how it was written: COPIED, KEPT, or "updated: N keys" (rows replaced)
    written: dict[str, str] = field(default_factory=dict)


def publish(
    build_db: Path,
    published_db: Path,
    run_id: str | None = None,
    code_fingerprint: str | None = None,
    marts_dir: Path | None = None,
    keys: Mapping[str, Sequence[str]] | None = None,
    stamps: Mapping[str, BuildStamp] | None = None,
) -> Publication:
    """Make the published file hold every table of the build file's marts schema, and swap
    it in. The `publication` table says which run published it, when, and what it was built
    from (the code's fingerprint and the ledger's digest: `pipelines.lib.build_inputs`), so
    that a later run can tell that nothing has changed since.

    `keys` names, for a table, columns no two of its rows share (the marts' blocking
    columns_are_well_formed tests hold them unique before anything is published): such a
    table of an existing published file is kept or updated row by row, others are copied
    whole (see the module's documentation).

    With `marts_dir` (the Spark engine: its `marts` database, a folder of Parquet tables),
    the tables are read from there instead, each folder one table, with the types Spark
    wrote (the models cast so that they are the DuckDB build's); the ledger is still the
    build file's.

    `stamps` names, for a mart, its build stamp (see the module's documentation): left out of
    the published table, and, when it vouches for the mart's rows, read to write only the
    rows recomputed since the published file's build. The `publication` table records the
    build (number and token) the file was made from."""
    staging = published_db.with_name(published_db.name + ".tmp")
    staging.unlink(missing_ok=True)
    published_at = dt.datetime.now().replace(microsecond=0)
    tables: dict[str, int] = {}
    written: dict[str, str] = {}
    conn = duckdb.connect()  # in memory: the build file is attached read-only beside the new one
    try:
        conn.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        if _updatable(published_db):
            shutil.copyfile(published_db, staging)
        conn.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
        conn.execute(f"ATTACH '{staging}' AS pub (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        sources = _mart_sources(conn, marts_dir)
        if "indicator_values" not in sources:
            raise RuntimeError(
                f"{marts_dir or build_db}: schema {PUBLISHED_SCHEMA} has no indicator_values; "
                "run dbt before publishing"
            )
        # the build the tables come from (none for Spark's Parquet tables), and the one the
        # published file was made from when its rows can be trusted to be that build's
        build = build_sequence.latest(conn, "build") if marts_dir is None else None
        since = _published_build(conn, code_fingerprint) if build is not None else None
        previous = _published_tables(conn)
        for name in sorted(previous - sources.keys()):
            conn.execute(f'DROP TABLE pub.main."{name}"')  # no longer a mart (or publication)
        for name, stamped in sources.items():
            key = tuple((keys or {}).get(name) or ())
            stamp = (stamps or {}).get(name)
            source, recomputed = _unstamped(conn, stamped, stamp, since)
            written[name] = _write_table(
                conn, name, source, key if name in previous else (), recomputed
            )
            tables[name] = conn.execute(f'SELECT count(*) FROM pub.main."{name}"').fetchone()[0]
        conn.execute(
            "CREATE TABLE pub.main.publication AS "
            "SELECT ?::TIMESTAMP AS published_at, ?::VARCHAR AS run_id, "
            "?::VARCHAR AS code_fingerprint, ?::VARCHAR AS ledger_digest, "
            "?::BIGINT AS build_sequence, ?::VARCHAR AS build_token",
            [
                published_at,
                run_id,
                code_fingerprint,
                _ledger_digest(conn),
                build.sequence if build else None,
                build.token if build else None,
            ],
        )
        conn.execute("DETACH pub")
        conn.execute("DETACH build")
    except BaseException:
        conn.close()
        staging.unlink(missing_ok=True)  # a half-built file must not linger or be published
        raise
    conn.close()
    os.replace(staging, published_db)
    return Publication(path=published_db, tables=tables, published_at=published_at, written=written)


def _updatable(published_db: Path) -> bool:
    """Whether the published file is one to start the new file from: there, and in the
    published storage format (a file in another format is replaced by a new one)."""
    try:
        with published_db.open("rb") as file:
            header = file.read(20)
    except OSError:
        return False
    return (
        len(header) == 20
        and header[8:12] == b"DUCK"
        and int.from_bytes(header[12:20], "little") == PUBLISHED_HEADER_VERSION
    )


def _published_tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the new file before anything is written: those of the published file
    it was copied from (none for a new file)."""
    return {
        name
        for (name,) in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = 'pub' AND table_schema = 'main'"
        ).fetchall()
    }


def _columns(conn: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in conn.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _published_build(
    conn: duckdb.DuckDBPyConnection, code_fingerprint: str | None
) -> build_sequence.Build | None:
    """The build of this build file the published file was made from, by the same code;
    None when it was not (or says nothing of it: made before builds were numbered)."""
    try:
        row = conn.execute(
            "SELECT code_fingerprint, build_sequence, build_token FROM pub.main.publication"
        ).fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):
        return None
    if not row or code_fingerprint is None or row[0] != code_fingerprint or row[1] is None:
        return None
    published = build_sequence.Build(int(row[1]), str(row[2]))
    return published if build_sequence.is_one_of(conn, published, "build") else None


def _unstamped(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    stamp: BuildStamp | None,
    since: build_sequence.Build | None,
) -> tuple[str, str | None]:
    """The FROM item of a mart's rows without its build stamp, and, when the stamp vouches
    for them and the published file's build is known, that of the rows recomputed since
    (a null stamp: by a build no publication knows)."""
    if stamp is None or stamp.column not in {c for c, _type in _columns(conn, source)}:
        return source, None
    column = f'"{stamp.column}"'
    unstamped = f"(SELECT * EXCLUDE ({column}) FROM {source})"
    if not stamp.vouches or since is None:
        return unstamped, None
    return unstamped, (
        f"(SELECT * EXCLUDE ({column}) FROM {source} "
        f"WHERE {column} IS NULL OR {column} > {since.sequence:d})"
    )


def _write_table(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    source: str,
    key: tuple[str, ...],
    recomputed: str | None = None,
) -> str:
    """Make pub.main.<name> hold the rows of `source`; say how (COPIED, KEPT, updated).

    With `recomputed` (the rows recomputed since the published file's build: no other row
    can differ), the published rows of its keys are replaced by its rows; if the row counts
    then differ (keys gone from the build), every row is compared as below.

    With a key and the published table's columns unchanged, the keys whose rows differ are
    found first: a full outer join of the published rows and the build's on the key
    (null-safe), a key listed when a side has no row or any column differs (`IS DISTINCT
    FROM`, so a null equals a null). Their published rows are deleted and the build's rows
    inserted. The build's keys are unique, so every key left out has exactly one published
    row equal to its build row - unless the published table repeats a key, which the row
    counts then tell: it is copied whole instead."""
    target = f'pub.main."{name}"'
    columns = _columns(conn, source)
    if not key or _columns(conn, target) != columns:
        return _copy_whole(conn, target, source)
    if recomputed is not None:
        written = _write_recomputed(conn, target, source, key, recomputed)
        if written is not None:
            return written
    names = [column for column, _type in columns]
    on = " AND ".join(f'published."{c}" IS NOT DISTINCT FROM built."{c}"' for c in key)
    differs = " OR ".join(
        f'published."{c}" IS DISTINCT FROM built."{c}"' for c in names if c not in key
    )
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE changed_keys AS "
        "SELECT DISTINCT "
        + ", ".join(
            f'CASE WHEN built.in_build THEN built."{c}" ELSE published."{c}" END AS "{c}"'
            for c in key
        )
        + f" FROM (SELECT true AS in_published, * FROM {target}) AS published"
        f" FULL OUTER JOIN (SELECT true AS in_build, * FROM {source}) AS built ON {on}"
        " WHERE published.in_published IS NULL OR built.in_build IS NULL"
        + (f" OR {differs}" if differs else "")
    )
    changed, rows = _counts(conn, "changed_keys", source)
    if changed > UPDATE_AT_MOST * max(rows, 1):
        return _copy_whole(conn, target, source)
    if changed:
        _delete_keys(conn, target, "changed_keys", key)
        same = _same_key("built", "changed_keys", key)
        conn.execute(
            f"INSERT INTO {target} BY NAME SELECT built.* FROM {source} AS built "
            f"WHERE EXISTS (SELECT 1 FROM changed_keys WHERE {same})"
        )
    if conn.execute(f"SELECT count(*) FROM {target}").fetchone()[0] != rows:
        return _copy_whole(conn, target, source)
    return f"updated: {changed} keys" if changed else KEPT


def _write_recomputed(
    conn: duckdb.DuckDBPyConnection,
    target: str,
    source: str,
    key: tuple[str, ...],
    recomputed: str,
) -> str | None:
    """Replace the published rows of the recomputed keys by the build's; None when the
    table then has another number of rows than the build's (a key gone from the build since
    the published file's build), for every row to be compared."""
    conn.execute(f"CREATE OR REPLACE TEMP TABLE recomputed_rows AS SELECT * FROM {recomputed}")
    changed, rows = _counts(conn, "recomputed_rows", source)
    if changed > UPDATE_AT_MOST * max(rows, 1):
        return _copy_whole(conn, target, source)
    if changed:
        _delete_keys(conn, target, "recomputed_rows", key)
        conn.execute(f"INSERT INTO {target} BY NAME SELECT * FROM recomputed_rows")
    conn.execute("DROP TABLE recomputed_rows")
    if conn.execute(f"SELECT count(*) FROM {target}").fetchone()[0] != rows:
        return None
    if not changed:
        return f"{KEPT}: nothing recomputed since the published build"
    return f"updated: {changed} keys recomputed since the published build"


def _counts(conn: duckdb.DuckDBPyConnection, changed: str, source: str) -> tuple[int, int]:
    """How many rows table `changed` has, and how many `source` has."""
    (changed_rows,) = conn.execute(f"SELECT count(*) FROM {changed}").fetchone()
    (rows,) = conn.execute(f"SELECT count(*) FROM {source}").fetchone()
    return changed_rows, rows


def _same_key(left: str, right: str, key: tuple[str, ...]) -> str:
    """Two rows' keys equal, a null equal to a null."""
    return " AND ".join(f'{left}."{c}" IS NOT DISTINCT FROM {right}."{c}"' for c in key)


def _delete_keys(
    conn: duckdb.DuckDBPyConnection, target: str, keys: str, key: tuple[str, ...]
) -> None:
    """Delete the rows of `target` whose key is one of table `keys`' rows."""
    conn.execute(
        f"DELETE FROM {target} WHERE EXISTS "
        f"(SELECT 1 FROM {keys} WHERE {_same_key(target, keys, key)})"
    )


def _copy_whole(conn: duckdb.DuckDBPyConnection, target: str, source: str) -> str:
    conn.execute(f"DROP TABLE IF EXISTS {target}")
    conn.execute(f"CREATE TABLE {target} AS SELECT * FROM {source}")
    return COPIED


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
