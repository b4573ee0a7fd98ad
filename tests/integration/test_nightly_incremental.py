"""A sequence of nightly runs gives exactly what one full build of the same files gives.

The large staging models are incremental: a nightly run recomputes only the dossiers and
documents its day touched (PAR_WINDOW_START/PAR_WINDOW_END from the run's partition). If
that window logic missed a dossier whose change-log row arrived on a later day, or kept a
row a corrected re-delivery withdrew, the published tables would differ from a full build's.

Both warehouses are built by real Dagster runs of the `par_full_build` job (real ingest,
real dbt, real publish) on the `mini-2021` scenario; the report assets are left out of the
runs because they only read the published file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.partitions import range_tags
from pipelines.defs.resources import DBT_PROJECT
from pipelines.lib import build_sequence
from pipelines.lib.landing import discover
from pipelines.run import execute_build
from pipelines.simulator import write_scenario
from tests.integration.conftest import dbt_nodes_run, settings_for

# The last four days of the scenario arrive one night at a time: dossier change-log rows
# (of dossiers received on earlier days too), documents, and on the last night only the
# units' procedure catalogue snapshots.
NIGHTS = [dt.date(2021, 2, d) for d in (25, 26, 27, 28)]
# Compared table by table: every indicator, and the facts and checks behind them.
TABLES = ["indicator_values", "fct_dossier", "fct_document", "reconciliation", "dim_procedure"]


def deliver(source: Path, landing: Path, keep) -> int:
    """Copy units.csv and every delivered file whose export date passes `keep`."""
    landing.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "units.csv", landing / "units.csv")
    files, _misplaced = discover(source)
    copied = 0
    for file in files:
        if keep(file.export_date):
            target = landing / file.path.relative_to(source)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file.path, target)
                copied += 1
    return copied


def published(warehouse: Path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(warehouse / "par.duckdb"), read_only=True)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        conn.close()


def build_number(settings) -> int:
    """The number of the last build begun in the build file (pipelines/lib/build_sequence)."""
    with duckdb.connect(str(settings.build_db), read_only=True) as conn:
        return build_sequence.latest(conn).sequence


def checked_since(settings) -> set[int]:
    """The build numbers after which the last dbt build's tests given a stamp checked rows
    (read from their compiled SQL in run_results.json); empty when they checked every row."""
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text("utf-8"))
    found = set()
    for result in results["results"]:
        if result["unique_id"].startswith("test.par_warehouse.columns_are_well_formed_stg_"):
            code = result.get("compiled_code") or ""
            found |= {int(n) for n in re.findall(r'"recomputed_in_build" > (\d+)', code)}
    return found


def marts_rebuilt(result) -> dict[str, bool]:
    """Each mart's materialization in a run: rebuilt by dbt, or reported as left as the last
    good build made it (metadata `rebuilt` false)."""
    found = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.path[0] == "marts":
            left = materialization.metadata.get("rebuilt")
            found[materialization.asset_key.path[-1]] = left is None or bool(left.value)
    return found


def how_published(result) -> dict[str, str]:
    """How the run's publish wrote each table (its metadata `tables`: table, rows, written)."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.path == ["published", "par_duckdb"]:
            lines = materialization.metadata["tables"].value.splitlines()[2:]
            cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
            return {row[0]: row[2] for row in cells}
    raise AssertionError("nothing was published")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("mini") / "landing"
    write_scenario("mini-2021", source, workers=1)
    return source


def test_nightly_runs_equal_one_full_build(scenario, tmp_path, dagster_instance):
    files, _ = discover(scenario)
    first = min(f.export_date for f in files)
    last = max(f.export_date for f in files)
    # the scenario must end with the nights, or the comparison would miss later files
    assert last == NIGHTS[-1]
    delivered = {(f.export_date, f.feed) for f in files}
    assert {(night, "dossiers") for night in NIGHTS[:-1]} <= delivered
    assert (NIGHTS[-1], "procedures") in delivered

    full_landing, full_warehouse = tmp_path / "full" / "landing", tmp_path / "full" / "wh"
    deliver(scenario, full_landing, lambda day: True)
    full_settings = settings_for(full_landing, full_warehouse)
    assert execute_build(
        dagster_instance, full_settings, range_tags(first, last), reports=False
    ).success
    full = published(full_warehouse)

    landing, warehouse = tmp_path / "nightly" / "landing", tmp_path / "nightly" / "wh"
    settings = settings_for(landing, warehouse)
    deliver(scenario, landing, lambda day: day < NIGHTS[0])
    until = NIGHTS[0] - dt.timedelta(1)
    assert execute_build(
        dagster_instance, settings, range_tags(first, until), reports=False
    ).success
    before_nights = published(warehouse)
    # the first build checked every row (no good build before it)
    assert checked_since(settings) == set()
    rebuilt, ran, checks, written = {}, {}, {}, {}
    for night in NIGHTS:
        assert deliver(scenario, landing, lambda day, night=night: day == night) > 0
        last_good = build_number(settings)
        result = execute_build(dagster_instance, settings, range_tags(night, night), reports=False)
        assert result.success, night
        # the well-formed tests of the stamped staging tables checked only the rows
        # recomputed since the previous night's build, the last good one
        assert checked_since(settings) == {last_good}, night
        assert build_number(settings) == last_good + 1, night
        rebuilt[night] = marts_rebuilt(result)
        written[night] = how_published(result)
        checks[night] = {e.check_name: e for e in result.get_asset_check_evaluations()}
        ran[night] = dbt_nodes_run(settings)
    nightly = published(warehouse)

    # Each night dbt ran only what its files reach (pipelines/lib/dbt_reach.py): the unit
    # registry never changed, so dim_unit was left as the first build made it; the
    # procedure catalogue changed on the nights that brought catalogue snapshots, so
    # dim_procedure was rebuilt on those and left on the others (there are both); the
    # dossier facts were rebuilt every night.
    catalogue_nights = {night for night in NIGHTS if (night, "procedures") in delivered}
    assert catalogue_nights and catalogue_nights != set(NIGHTS)
    for night in NIGHTS:
        assert rebuilt[night]["dim_unit"] is False, night
        assert rebuilt[night]["dim_procedure"] is (night in catalogue_nights), night
        assert rebuilt[night]["fct_dossier"] is True, night
    # ... and no test of a node dbt built was left out, such as fct_dossier's, whose
    # relationship reads dim_procedure: every test that did not run reads only nodes left
    manifest = json.loads((DBT_PROJECT.manifest_path).read_text(encoding="utf-8"))
    for night in NIGHTS:
        tests = [u for u, n in manifest["nodes"].items() if n["resource_type"] == "test"]
        not_run = [u for u in tests if u not in ran[night]]
        assert not_run, night  # some were left (dim_unit's)
        for unique_id in not_run:
            parents = set(manifest["nodes"][unique_id]["depends_on"]["nodes"])
            assert not parents & ran[night], (night, unique_id)
        assert "columns_are_well_formed_fct_dossier" in {u.split(".")[2] for u in ran[night]}
        # dim_unit's blocking test, not run, is reported as passed in the last good build
        # (publishing would otherwise go on with a warning that it gave no result); a
        # warning test left (the catalogue's, on a night without snapshots) gets no result,
        # as it may have warned then
        left_check = checks[night]["columns_are_well_formed_dim_unit"]
        assert left_check.passed and left_check.metadata["run"].value is False
        warn_test = "columns_are_well_formed_stg_ward_exports__procedures_warn"
        assert (warn_test in checks[night]) is (night in catalogue_nights), night
        ran_check = checks[night]["columns_are_well_formed_fct_dossier"]
        assert "run" not in ran_check.metadata

    # Publishing wrote fct_dossier and fct_document from the rows recomputed since the build
    # the published file was made from (their build stamp), not by comparing every row: on
    # the nights with the feed's files, the rows they touched (fewer than a quarter of the
    # table, or it would have been copied whole); on a night without (the catalogue night
    # moved no dossier to another procedure version: its snapshots are of the last day),
    # none.
    for table, feed in (("fct_dossier", "dossiers"), ("fct_document", "documents")):
        for night in NIGHTS:
            if (night, feed) in delivered:
                assert written[night][table].startswith("updated: "), (table, night)
                assert written[night][table].endswith(" recomputed since the published build")
            else:
                assert written[night][table] == (
                    "kept: nothing recomputed since the published build"
                ), (table, night)
        # the stamp is the build's, never published
        with duckdb.connect(str(warehouse / "par.duckdb"), read_only=True) as conn:
            columns = {row[0] for row in conn.execute(f"DESCRIBE {table}").fetchall()}
        assert "recomputed_in_build" not in columns and "source_row" in columns

    # the nights changed the figures (so the comparison below is not trivially true) ...
    assert before_nights["indicator_values"] != full["indicator_values"]
    # ... and landed exactly where one full build of all the files lands
    for table in TABLES:
        assert nightly[table] == full[table], table
