"""Which dbt build recomputed a row: each dbt build of a warehouse takes the next number of a
sequence kept in its build file (`dbt_state.builds`), handed to dbt as PAR_BUILD_SEQUENCE.
The incremental models behind the largest marts stamp every row they recompute with it
(macro `build_sequence`; the mart's `build_stamp`, dbt_project/README). With the same
code, a row whose stamp is at most the number of the build a published file was made from
holds what that file holds: publishing writes only the rows stamped later
(`pipelines.lib.publish`), where comparing every row cost most of a night's publishing.

A number is taken before dbt starts and never handed out again, whether the build then
succeeds, fails or is stopped: whatever any build writes carries a number above every
earlier build's. Each number comes with a random token, and a published file names both:
a file published from another build file (one deleted and built anew, or restored from a
copy, whose numbers may repeat) matches none of this file's builds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import duckdb

from pipelines.lib.dbt_reach import RECORD_SCHEMA

BUILDS_TABLE = f"{RECORD_SCHEMA}.builds"


@dataclass(frozen=True)
class Build:
    sequence: int
    token: str


def begin(conn: duckdb.DuckDBPyConnection) -> Build:
    """Take the next build number in the build file `conn` is connected to (and record it)."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {RECORD_SCHEMA}")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {BUILDS_TABLE} (sequence BIGINT NOT NULL, "
        "token VARCHAR NOT NULL, begun_at TIMESTAMP NOT NULL)"
    )
    (last,) = conn.execute(f"SELECT coalesce(max(sequence), 0) FROM {BUILDS_TABLE}").fetchone()
    build = Build(int(last) + 1, uuid.uuid4().hex)
    conn.execute(
        f"INSERT INTO {BUILDS_TABLE} VALUES (?, ?, localtimestamp)", [build.sequence, build.token]
    )
    return build


def latest(conn: duckdb.DuckDBPyConnection, catalog: str | None = None) -> Build | None:
    """The last build begun in the build file (attached as `catalog`, or the one `conn` is
    connected to); None when none was."""
    table = f"{catalog}.{BUILDS_TABLE}" if catalog else BUILDS_TABLE
    try:
        row = conn.execute(
            f"SELECT sequence, token FROM {table} ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    return Build(int(row[0]), str(row[1])) if row else None


def is_one_of(conn: duckdb.DuckDBPyConnection, build: Build, catalog: str | None = None) -> bool:
    """Whether `build` (number and token) is one begun in this build file."""
    table = f"{catalog}.{BUILDS_TABLE}" if catalog else BUILDS_TABLE
    try:
        row = conn.execute(
            f"SELECT 1 FROM {table} WHERE sequence = ? AND token = ?",
            [build.sequence, build.token],
        ).fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None
