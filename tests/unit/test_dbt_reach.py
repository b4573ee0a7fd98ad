"""Which dbt nodes a build runs (pipelines/lib/dbt_reach.py): those reached by a source table
changed since the last good build, or by a node that reads the clock or the environment;
the record of that build is in the build file, deleted before dbt starts.

The manifests here are hand-made, shaped as dbt writes them (nodes with depends_on nodes and
macros, sources with their table names); the fingerprints are read from real DuckDB files.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipelines.lib import dbt_reach
from pipelines.lib.loader import connect_build
from pipelines.settings import DBT_MANIFEST

PROJECT = "par_warehouse"


def _node(kind: str, name: str, parents=(), macros=(), sql="select 1") -> tuple[str, dict]:
    unique_id = f"{kind}.{PROJECT}.{name}"
    return unique_id, {
        "resource_type": kind,
        "name": name,
        "raw_code": sql,
        "depends_on": {"nodes": list(parents), "macros": list(macros)},
    }


def _manifest() -> dict:
    """Two feeds (raw.dossiers, raw.units) and a holidays table:

    stg_dossiers <- dossiers; stg_units <- units; int_both <- stg_dossiers, stg_units;
    windowed <- stg_units, its SQL reading env_var (volatile); dated <- stg_units, calling
    the macro `outer`, which calls `inner`, which reads current_date (volatile through two
    macros); a seed; tests on stg_units alone, on the seed, and a relationship test from
    stg_units to stg_dossiers."""
    sources = {
        f"source.{PROJECT}.ward_exports.{name}": {"name": name, "identifier": name}
        for name in ("dossiers", "units", "public_holidays")
    }
    src = {name: f"source.{PROJECT}.ward_exports.{name}" for name in ("dossiers", "units")}
    nodes = dict(
        [
            _node("model", "stg_dossiers", [src["dossiers"]]),
            _node("model", "stg_units", [src["units"]]),
            _node(
                "model",
                "int_both",
                ["model.par_warehouse.stg_dossiers", "model.par_warehouse.stg_units"],
            ),
            _node(
                "model",
                "windowed",
                ["model.par_warehouse.stg_units"],
                sql='select * from x where d >= \'{{ env_var("PAR_WINDOW_START", "") }}\'',
            ),
            _node("model", "dated", ["model.par_warehouse.stg_units"], [f"macro.{PROJECT}.outer"]),
            _node("seed", "holiday_overrides"),
            _node("test", "well_formed_stg_units", ["model.par_warehouse.stg_units"]),
            _node(
                "test", "well_formed_holiday_overrides", ["seed.par_warehouse.holiday_overrides"]
            ),
            _node(
                "test",
                "units_found_in_dossiers",
                ["model.par_warehouse.stg_units", "model.par_warehouse.stg_dossiers"],
            ),
        ]
    )
    macros = {
        f"macro.{PROJECT}.outer": {
            "package_name": PROJECT,
            "macro_sql": "{% macro outer() %}{{ inner() }}{% endmacro %}",
            "depends_on": {"macros": [f"macro.{PROJECT}.inner"]},
        },
        f"macro.{PROJECT}.inner": {
            "package_name": PROJECT,
            "macro_sql": "{% macro inner() %}current_date{% endmacro %}",
            "depends_on": {"macros": []},
        },
        # dbt's own macros are not looked into (materializations read the environment)
        "macro.dbt.run_hooks": {
            "package_name": "dbt",
            "macro_sql": "{{ env_var('X') }}",
            "depends_on": {"macros": []},
        },
    }
    return {
        "metadata": {"project_name": PROJECT},
        "nodes": nodes,
        "sources": sources,
        "macros": macros,
    }


def _short(unique_ids) -> set[str]:
    return {unique_id.rsplit(".", 1)[-1] for unique_id in unique_ids}


def test_only_what_a_changed_table_reaches_runs():
    manifest = _manifest()
    # dossiers changed: stg_dossiers, int_both (one parent changed) and the relationship
    # test (one parent changed) run; windowed and dated always run (volatile); stg_units,
    # its own test, the seed and its test are left.
    left = dbt_reach.nodes_left(manifest, {"dossiers"})
    assert _short(left) == {
        "stg_units",
        "well_formed_stg_units",
        "holiday_overrides",
        "well_formed_holiday_overrides",
    }
    # units changed: everything downstream of stg_units runs; the dossier model is left
    left = dbt_reach.nodes_left(manifest, {"units"})
    assert _short(left) == {"stg_dossiers", "holiday_overrides", "well_formed_holiday_overrides"}
    # nothing changed: only the volatile nodes run
    assert _short(dbt_reach.nodes_left(manifest, set())) == {
        "stg_dossiers",
        "stg_units",
        "int_both",
        "holiday_overrides",
        "well_formed_stg_units",
        "well_formed_holiday_overrides",
        "units_found_in_dossiers",
    }


def test_a_node_reading_the_clock_or_environment_through_macros_is_volatile():
    assert _short(dbt_reach.volatile_nodes(_manifest())) == {"windowed", "dated"}


def test_excluded_nodes_are_one_dbt_value_naming_each():
    manifest = _manifest()
    reach = dbt_reach.Reach(
        "code", {}, frozenset(), frozenset(dbt_reach.nodes_left(manifest, {"dossiers", "units"}))
    )
    assert reach.exclude_args(manifest) == [
        "--exclude",
        "holiday_overrides well_formed_holiday_overrides",
        "--indirect-selection",
        "empty",
    ]
    assert dbt_reach.Reach("code", {}, frozenset()).exclude_args(manifest) == []


def test_the_project_manifest_leaves_the_registry_models_on_a_dossier_night():
    """On the real project: a night that brings dossier and document rows (and so ledger and
    set-aside rows) leaves the models of the unit registry, the procedure catalogue and the
    seeds, and runs the dossier facts and every indicator mart."""
    path = Path(__file__).parents[2] / "dbt_project" / "target" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    left = _short(
        dbt_reach.nodes_left(manifest, {"dossiers", "documents", "ingest_ledger", "set_aside"})
    )
    assert {"dim_unit", "dim_procedure", "stg_ward_exports__units", "indicator_targets"} <= left
    assert not {"int_dossier_facts", "fct_dossier", "indicator_values", "fct_document"} & left
    # with the units changed too, the unit models run
    left_units = _short(
        dbt_reach.nodes_left(
            manifest, {"dossiers", "documents", "ingest_ledger", "set_aside", "units"}
        )
    )
    assert "dim_unit" not in left_units and "dim_procedure" in left_units


def _ledger_row(conn, source_file: str, feed: str, sha: str) -> None:
    conn.execute(
        "INSERT INTO raw.ingest_ledger (source_file, feed, sha256, status, size_bytes, "
        "rows_loaded, rows_set_aside, loaded_at) VALUES (?, ?, ?, 'loaded', 10, 1, 0, ?)",
        [source_file, feed, sha, dt.datetime(2021, 3, 1, 1, 0)],
    )


@pytest.fixture
def build_file(tmp_path) -> duckdb.DuckDBPyConnection:
    conn = connect_build(tmp_path / "build.duckdb")
    _ledger_row(conn, "u1/dossiers/2021-03-01.csv", "dossiers", "a" * 64)
    _ledger_row(conn, "units.csv", "units", "b" * 64)
    conn.execute("INSERT INTO raw.public_holidays VALUES ('2021-01-01', 'Tết Dương lịch')")
    yield conn
    conn.close()


TABLES = ("dossiers", "units", "public_holidays", "ingest_ledger", "set_aside", "staff")


def test_a_feed_moves_with_its_ledger_rows_and_another_table_with_its_rows(build_file):
    conn = build_file
    before = dbt_reach.fingerprints(conn, TABLES)
    assert set(before) == set(TABLES)  # staff: no ledger rows, fingerprinted by its (no) rows
    assert dbt_reach.fingerprints(conn, TABLES) == before  # nothing changed, nothing moves

    _ledger_row(conn, "u1/dossiers/2021-03-02.csv", "dossiers", "c" * 64)
    after = dbt_reach.fingerprints(conn, TABLES)
    changed = {t for t in TABLES if after[t] != before[t]}
    assert changed == {"dossiers", "ingest_ledger", "set_aside"}

    # a file re-delivered with other bytes: same count of rows, another row
    conn.execute("UPDATE raw.ingest_ledger SET sha256 = 'd' WHERE source_file = 'units.csv'")
    again = dbt_reach.fingerprints(conn, TABLES)
    assert {t for t in TABLES if again[t] != after[t]} == {"units", "ingest_ledger", "set_aside"}

    # a holiday renamed: only that table
    conn.execute("UPDATE raw.public_holidays SET holiday_name = 'x'")
    last = dbt_reach.fingerprints(conn, TABLES)
    assert {t for t in TABLES if last[t] != again[t]} == {"public_holidays"}


def test_a_record_is_read_back_only_for_the_same_code_and_forgotten_before_a_build(build_file):
    conn = build_file
    manifest = _manifest()
    # no record yet: every node runs
    first = dbt_reach.reach(conn, manifest, "code-1")
    assert first.left == frozenset() and "every node" in first.why
    assert first.code == "code-1"
    dbt_reach.record(conn, first.code, first.fingerprints)
    # the same code, the dossiers' ledger moved: the unit side is left
    _ledger_row(conn, "u1/dossiers/2021-03-02.csv", "dossiers", "c" * 64)
    second = dbt_reach.reach(conn, manifest, "code-1")
    assert "dossiers" in second.changed and "units" not in second.changed
    assert _short(second.left) == {
        "stg_units",
        "well_formed_stg_units",
        "holiday_overrides",
        "well_formed_holiday_overrides",
    }
    # reach forgot the record: a build that then fails leaves none, the next runs everything
    assert dbt_reach.recorded(conn, "code-1") is None
    assert dbt_reach.reach(conn, manifest, "code-1").left == frozenset()
    # a record of other code counts for nothing
    dbt_reach.record(conn, "code-1", dbt_reach.fingerprints(conn, TABLES))
    assert dbt_reach.reach(conn, manifest, "code-2").left == frozenset()


def test_the_record_hands_the_next_build_the_good_builds_number(build_file):
    conn = build_file
    manifest = _manifest()
    first = dbt_reach.reach(conn, manifest, "code-1")
    assert first.checked_build is None  # no record
    dbt_reach.record(conn, first.code, first.fingerprints, 7)
    assert dbt_reach.reach(conn, manifest, "code-1").checked_build == 7
    # a good build without a number (none was taken): nothing to narrow the tests by
    dbt_reach.record(conn, first.code, first.fingerprints)
    assert dbt_reach.reach(conn, manifest, "code-1").checked_build is None
    # another code's record: neither its nodes nor its number count
    dbt_reach.record(conn, "code-1", first.fingerprints, 8)
    assert dbt_reach.reach(conn, manifest, "code-2").checked_build is None
    # a record written before builds were numbered (no such column): read, with no number
    conn.execute(
        f"CREATE OR REPLACE TABLE {dbt_reach.RECORD_TABLE} "
        "(code VARCHAR NOT NULL, source VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL)"
    )
    conn.execute(f"INSERT INTO {dbt_reach.RECORD_TABLE} VALUES ('code-1', '', '')")
    older = dbt_reach.reach(conn, manifest, "code-1")
    assert older.checked_build is None and "changed since the last good build" in older.why


def test_the_last_good_builds_number_alone_does_not_make_a_node_volatile():
    # it narrows what a test rechecks to rows recomputed since, which changes no verdict on
    # tables that did not change: the tests of the registry models are still left on a
    # dossier night, though columns_are_well_formed reads it
    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    volatile = {manifest["nodes"][u]["name"] for u in dbt_reach.volatile_nodes(manifest)}
    assert "columns_are_well_formed_dim_unit" not in volatile
    assert "stg_ward_exports__dossiers" in volatile  # its window, its build's number
    # any other variable read beside it still is
    assert dbt_reach._reads_volatile("{{ env_var('PAR_CHECKED_BUILD', '') }}") is False
    assert dbt_reach._reads_volatile(
        "{{ env_var('PAR_CHECKED_BUILD', '') }} {{ env_var('PAR_WINDOW_END', '') }}"
    )
