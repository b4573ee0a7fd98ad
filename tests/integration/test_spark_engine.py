"""The Spark engine gives the DuckDB engine's figures, row for row (issue 14).

The `mini-2021` scenario is built twice by real Dagster runs of the `par_full_build` job
(real ingest, real dbt, real publish; the report assets are left out, they only read the
published file): once with the default engine (dbt-duckdb), once with PAR_ENGINE=spark
(the raw tables exported as Parquet, the same dbt models and tests built by dbt-spark in a
local Spark session, the marts published from Spark's Parquet tables into par.duckdb).
Every published table must then have the same columns, types and rows, and the two runs
the same assets and checks with the same outcomes.

One Spark build only (a JVM and ~240 dbt nodes: the slowest module of the suite); it
skips, saying why, where Java or the `spark` extra is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.partitions import range_tags
from pipelines.lib.landing import discover
from pipelines.lib.spark_engine import spark_marts_dir
from pipelines.run import execute_build
from pipelines.simulator import write_scenario
from tests.integration.conftest import settings_for

SPARK_MISSING = (
    "java is not on PATH: the Spark engine needs Java 17"
    if shutil.which("java") is None
    else "the spark extra is not installed (`uv sync --extra spark`, or "
    "`make setup PAR_ENGINE=spark`)"
    if importlib.util.find_spec("pyspark") is None
    or importlib.util.find_spec("dbt.adapters.spark") is None
    else None
)
pytestmark = pytest.mark.skipif(SPARK_MISSING is not None, reason=SPARK_MISSING or "")

# Says which run published the file and when: differs by construction.
NOT_COMPARED = {"publication"}
# When each run's ingest loaded the files: the two runs ingest at different times.
RUN_TIMES = {"ingest_summary": {"last_loaded_at"}}


def published_tables(path: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Every table of a published file: its (column, type) list and its rows, sorted.

    No type is normalised: both files are DuckDB files, and the Spark engine's models cast
    where Spark's types differ from DuckDB's (row_number is an int on Spark, a bigint on
    DuckDB; text is Spark's string, read back as VARCHAR; timestamps are TIMESTAMP_NTZ on
    Spark, DuckDB's TIMESTAMP). Rows are sorted on their text form, as a set compared
    with its multiplicity: the engines return rows in no fixed order. The run-time columns
    (RUN_TIMES) are blanked."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        tables = {}
        for (name,) in conn.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name"
        ).fetchall():
            if name in NOT_COMPARED:
                continue
            columns = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
            blank = [
                i for i, (column, _) in enumerate(columns) if column in RUN_TIMES.get(name, ())
            ]
            rows = [tuple(None if i in blank else v for i, v in enumerate(row)) for row in rows]
            tables[name] = (columns, sorted(rows, key=repr))
        return tables
    finally:
        conn.close()


def outcome(result: dg.ExecuteInProcessResult) -> tuple[set, dict]:
    """The assets a run materialized, and each check's outcome."""
    assets = {event.asset_key for event in result.get_asset_materialization_events()}
    checks = {
        (evaluation.asset_key, evaluation.check_name): evaluation.passed
        for evaluation in (
            event.event_specific_data
            for event in result.all_events
            if event.event_type_value == "ASSET_CHECK_EVALUATION"
        )
    }
    return assets, checks


@pytest.fixture(scope="module")
def builds(tmp_path_factory, dagster_instance):
    root = tmp_path_factory.mktemp("spark_engine")
    landing = root / "landing"
    write_scenario("mini-2021", landing, workers=1)
    files, _ = discover(landing)
    tags = range_tags(min(f.export_date for f in files), max(f.export_date for f in files))

    duckdb_settings = settings_for(landing, root / "duckdb")
    duckdb_run = execute_build(dagster_instance, duckdb_settings, tags, reports=False)

    spark_settings = settings_for(landing, root / "spark").replace(engine="spark")
    started = time.perf_counter()
    spark_run = execute_build(dagster_instance, spark_settings, tags, reports=False)
    # the figure docs/scale-out.md quotes (pytest's --durations shows the module's too)
    print(f"Spark engine, mini-2021, whole job: {time.perf_counter() - started:.1f} s")
    return duckdb_settings, duckdb_run, spark_settings, spark_run


def test_both_engines_build_and_publish(builds):
    duckdb_settings, duckdb_run, spark_settings, spark_run = builds
    assert duckdb_run.success
    assert spark_run.success
    assert duckdb_settings.published_db.exists() and spark_settings.published_db.exists()


def test_spark_publishes_every_mart_as_parquet_and_into_par_duckdb(builds):
    _, _, spark_settings, _ = builds
    marts = spark_marts_dir(spark_settings.spark_dir)
    parquet = {folder.name for folder in marts.iterdir() if any(folder.glob("*.parquet"))}
    published = set(published_tables(spark_settings.published_db))
    assert "indicator_values" in parquet
    assert parquet == published
    # the build file holds the raw layer only: no DuckDB model was built
    conn = duckdb.connect(str(spark_settings.build_db), read_only=True)
    try:
        schemas = {
            row[0] for row in conn.execute("SELECT schema_name FROM duckdb_tables()").fetchall()
        }
    finally:
        conn.close()
    assert schemas == {"raw"}


def test_every_published_table_is_equal_row_for_row(builds):
    duckdb_settings, _, spark_settings, _ = builds
    expected = published_tables(duckdb_settings.published_db)
    actual = published_tables(spark_settings.published_db)
    assert {"indicator_values", "reconciliation", "indicator_values_rebased"} <= set(expected)
    assert sorted(actual) == sorted(expected)
    for table, (columns, rows) in expected.items():
        assert actual[table][0] == columns, f"{table}: columns and types"
        assert len(actual[table][1]) == len(rows), f"{table}: row count"
        assert actual[table][1] == rows, f"{table}: rows"
    # not trivially equal: the sample's figures are there
    assert len(expected["indicator_values"][1]) > 1000


def test_the_job_has_the_same_shape_and_the_same_check_outcomes(builds):
    _, duckdb_run, _, spark_run = builds
    duckdb_assets, duckdb_checks = outcome(duckdb_run)
    spark_assets, spark_checks = outcome(spark_run)
    assert spark_assets == duckdb_assets
    # every dbt test (generic and invariant) ran on Spark too, with the same verdict
    assert spark_checks == duckdb_checks
    assert len(spark_checks) > 100
