"""Which dbt nodes a build runs: those that read, directly or through other nodes, something
that changed since the last good build of the same code. The others are left as they are.

A nightly run brings a day of dossier and document change-log rows. A third of the
project's nodes (the unit registry's and successions' models, the procedure catalogue's,
the reports', the staff's, the holidays', the seeds and their tests) read none of them:
rebuilt, they would hold the same rows, and their tests would pass again on the same
tables. Each costs dbt's own work around a query however small it is.

What counts as changed, compared with the record the last good build left:
- a source table (raw.<name>): its fingerprint. A feed's table is written only together
  with its ledger rows (`pipelines.lib.loader`), so its fingerprint is that of its ledger
  rows (how many, and their files, outcomes, bytes and load times); the ledger and the
  set-aside rows go by the whole ledger's; any other table (the public holidays) by its
  content, its rows hashed;
- a node whose SQL, or a macro it calls, reads the clock, the environment (the run's
  window) or the invocation: every time;
- the code (models, seeds, macros, the pipeline) and the settings that change what a build
  makes: their fingerprint (`run_plan.build_fingerprint`). Another, or no record, and
  every node runs.

The record (`dbt_state.good_build` in the build file) is deleted before dbt starts and
written again only after a build dbt ended without error (every blocking test passed). A
build that failed or was stopped leaves none, so the next build runs every node: a model
whose test failed is built and tested again until it passes. `par run --full` deletes it
too: asked to rebuild, a build runs every node.

The record also holds the good build's number (`pipelines.lib.build_sequence`): the next
build of the same code hands it to dbt (PAR_CHECKED_BUILD), and a test given a model's
build stamp checks only the rows stamped after it (or not stamped). Every other row was in
the table, as it is, when that build or an earlier good one ran the test; good builds
follow each other with no other build between (any other deletes the record). The number
changes no node's verdict on tables that did not change, so reading it is not volatile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.settings import CHECKED_BUILD_VARIABLE

RECORD_SCHEMA = "dbt_state"
RECORD_TABLE = f"{RECORD_SCHEMA}.good_build"

# The ledger's own tables: they change with every file a run records.
LEDGER_SOURCES = frozenset({"ingest_ledger", "set_aside"})

# What makes a node's result depend on more than its inputs' rows: the clock, the
# environment (PAR_WINDOW_START/END), the invocation.
_VOLATILE = re.compile(
    r"\b(current_date|current_timestamp|current_time|now\s*\(|today\s*\(|get_current_time"
    r"|run_started_at|invocation_id|env_var|var\s*\()",
    re.IGNORECASE,
)
# The one environment variable that is not: the last good build's number, which only
# narrows what a test rechecks to the rows recomputed since (see above).
_NOT_VOLATILE = re.compile(r"""env_var\(\s*['"]""" + re.escape(CHECKED_BUILD_VARIABLE) + """['"]""")
_RUN = frozenset({"model", "seed", "snapshot", "test"})


@dataclass(frozen=True)
class Reach:
    """What a build runs and what it leaves, and why."""

    code: str  # the code fingerprint the build runs with (and records when good)
    fingerprints: dict[str, str]  # source table -> fingerprint now
    changed: frozenset[str]  # source tables that differ from the record
    left: frozenset[str] = field(default_factory=frozenset)  # node unique ids not run
    why: str = ""
    # the last good build's number, when its record is of this code and has one
    checked_build: int | None = None

    def exclude_args(self, manifest: Mapping[str, Any]) -> list[str]:
        """dbt arguments leaving out the nodes not run, each by its name, as one value
        (dagster-dbt reads one value after --exclude; dbt splits it on spaces). The tests
        left are named too, and dbt told to exclude nothing else: by default ("eager") it
        would also leave out every test with a parent excluded, a test of a model it
        builds that refers to a model left (a relationship to dim_procedure) among them."""
        nodes = manifest.get("nodes", {})
        names = sorted(nodes[unique_id]["name"] for unique_id in self.left)
        if not names:
            return []
        return ["--exclude", " ".join(names), "--indirect-selection", "empty"]


def _source_tables(manifest: Mapping[str, Any]) -> dict[str, str]:
    """source unique id -> its table's name (raw.<name>)."""
    return {
        unique_id: source.get("identifier") or source["name"]
        for unique_id, source in manifest.get("sources", {}).items()
    }


def _macro_is_volatile(manifest: Mapping[str, Any]) -> dict[str, bool]:
    """macro unique id -> whether it, or a macro it calls, is volatile."""
    macros = manifest.get("macros", {})
    known: dict[str, bool] = {}

    def volatile(unique_id: str, seen: frozenset[str]) -> bool:
        if unique_id in known:
            return known[unique_id]
        macro = macros.get(unique_id)
        if macro is None or unique_id in seen:
            return False
        if macro.get("package_name") != _project(manifest):
            known[unique_id] = False  # dbt's and the adapter's own macros: materializations
            return False
        calls = macro.get("depends_on", {}).get("macros", [])
        result = _reads_volatile(macro.get("macro_sql") or "") or any(
            volatile(call, seen | {unique_id}) for call in calls
        )
        known[unique_id] = result
        return result

    return {unique_id: volatile(unique_id, frozenset()) for unique_id in macros}


def _reads_volatile(sql: str) -> bool:
    return bool(_VOLATILE.search(_NOT_VOLATILE.sub("", sql)))


def _project(manifest: Mapping[str, Any]) -> str:
    return str(manifest.get("metadata", {}).get("project_name") or "")


def volatile_nodes(manifest: Mapping[str, Any]) -> set[str]:
    """The nodes whose SQL, or a project macro they call, reads the clock, the environment
    or the invocation: run every time."""
    macros = _macro_is_volatile(manifest)
    found = set()
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") not in _RUN:
            continue
        calls = node.get("depends_on", {}).get("macros", [])
        if _reads_volatile(node.get("raw_code") or "") or any(macros.get(c) for c in calls):
            found.add(unique_id)
    return found


def nodes_left(manifest: Mapping[str, Any], changed_tables: Iterable[str]) -> set[str]:
    """The models, seeds and tests that nothing changed reaches: not volatile, and no source
    table in `changed_tables`, volatile node or reached node among their parents."""
    tables = _source_tables(manifest)
    changed = set(changed_tables)
    nodes = manifest.get("nodes", {})
    children: dict[str, list[str]] = {}
    for unique_id, node in nodes.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            children.setdefault(parent, []).append(unique_id)
    reached: set[str] = set()
    stack = [unique_id for unique_id, table in tables.items() if table in changed]
    stack += list(volatile_nodes(manifest))
    reached.update(unique_id for unique_id in stack if unique_id in nodes)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in reached:
                reached.add(child)
                stack.append(child)
    return {
        unique_id
        for unique_id, node in nodes.items()
        if node.get("resource_type") in _RUN and unique_id not in reached
    }


def fingerprints(conn: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, str]:
    """Each raw table's fingerprint now (see the module's documentation); a table that does
    not exist has none."""
    present = {
        name
        for (name,) in conn.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE schema_name = 'raw' AND database_name = current_database()"
        ).fetchall()
    }
    found: dict[str, str] = {}
    by_feed: dict[str, str] = {}
    if "ingest_ledger" in present:
        # count and an order-free sum of hashes: a row added, removed or rewritten moves it
        rows = conn.execute(
            "SELECT coalesce(feed, ''), count(*), "
            "sum(hash(source_file, status, sha256, size_bytes, rows_loaded, rows_set_aside, "
            "loaded_at)::HUGEINT) FROM raw.ingest_ledger GROUP BY ALL"
        ).fetchall()
        by_feed = {feed: f"ledger:{count}:{total}" for feed, count, total in rows}
        whole = f"ledger:{sum(r[1] for r in rows)}:{sum(int(r[2] or 0) for r in rows)}"
    for table in tables:
        if table not in present:
            continue
        if table in LEDGER_SOURCES and by_feed:
            found[table] = whole
        elif table in by_feed:
            found[table] = by_feed[table]
        else:
            count, total = conn.execute(
                f'SELECT count(*), sum(hash(t)::HUGEINT) FROM raw."{table}" AS t'
            ).fetchone()
            found[table] = f"rows:{count}:{total}"
    return found


def recorded(conn: duckdb.DuckDBPyConnection, code: str) -> dict[str, str] | None:
    """The source fingerprints the last good build of this code recorded; None when there
    is no record, or it is another code's."""
    found = _record(conn, code)
    return None if found is None else found[0]


def _record(conn: duckdb.DuckDBPyConnection, code: str) -> tuple[dict[str, str], int | None] | None:
    """(fingerprints, build number) of the last good build of this code; the number is None
    in a record written before builds were numbered, or of a build without one."""
    try:
        cursor = conn.execute(f"SELECT * FROM {RECORD_TABLE}")
    except duckdb.CatalogException:
        return None
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows or any(row["code"] != code for row in rows):
        return None
    numbers = {row.get("build_sequence") for row in rows}
    number = numbers.pop() if len(numbers) == 1 else None
    return {row["source"]: row["fingerprint"] for row in rows}, number


def forget(conn: duckdb.DuckDBPyConnection) -> None:
    """Delete the record: a build is about to change the tables."""
    conn.execute(f"DROP TABLE IF EXISTS {RECORD_TABLE}")


def forget_in(build_db: Path) -> None:
    """Delete the record in a build file, if there is one (`par run --full`: the next build
    runs every node)."""
    if not build_db.exists():
        return
    conn = duckdb.connect(str(build_db))
    try:
        forget(conn)
    finally:
        conn.close()


def record(
    conn: duckdb.DuckDBPyConnection,
    code: str,
    found: Mapping[str, str],
    build: int | None = None,
) -> None:
    """Record the fingerprints a good build was made from, and its number (with a row for
    the code even when there are no source tables):
    `record(conn, reach.code, reach.fingerprints, build.sequence)`."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {RECORD_SCHEMA}")
    conn.execute(
        f"CREATE OR REPLACE TABLE {RECORD_TABLE} (code VARCHAR NOT NULL, "
        "source VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, build_sequence BIGINT)"
    )
    rows = [(code, source, fingerprint, build) for source, fingerprint in sorted(found.items())]
    conn.executemany(
        f"INSERT INTO {RECORD_TABLE} VALUES (?, ?, ?, ?)", rows or [(code, "", "", build)]
    )


def reach(conn: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], code: str) -> Reach:
    """What a build of this code on this build file runs, from the record of the last good
    one; the record is deleted (`forget`) so that only a good end writes one again."""
    now = fingerprints(conn, set(_source_tables(manifest).values()))
    found = _record(conn, code)
    forget(conn)
    if found is None:
        return Reach(
            code, now, frozenset(now), why="no good build of this code recorded: every node"
        )
    before, checked_build = found
    tables = (set(now) | set(before)) - {""}  # "": the record's row for the code alone
    changed = frozenset(t for t in tables if now.get(t) != before.get(t))
    left = frozenset(nodes_left(manifest, changed))
    why = (
        f"changed since the last good build: {', '.join(sorted(changed)) or 'no source'}; "
        f"{len(left)} nodes reached by none of it left as they are"
    )
    return Reach(code, now, changed, left, why, checked_build)
