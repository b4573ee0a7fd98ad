"""Run the real pipeline (real Dagster run, real dbt, real DuckDB) on a landing folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.settings import Settings
from tests.integration.small_landing import write_small_landing


@dataclass
class PipelineRun:
    landing: Path
    warehouse: Path
    result: dg.ExecuteInProcessResult

    @property
    def settings(self) -> Settings:
        return settings_for(self.landing, self.warehouse)

    @property
    def published(self) -> Path:
        return self.warehouse / "par.duckdb"

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        conn = duckdb.connect(str(self.published), read_only=True)
        try:
            return conn.execute(sql, params or []).fetchall()
        finally:
            conn.close()

    def build_query(self, sql: str, params: list | None = None) -> list[tuple]:
        conn = duckdb.connect(str(self.warehouse / "build.duckdb"), read_only=True)
        try:
            return conn.execute(sql, params or []).fetchall()
        finally:
            conn.close()


def run_full_build(
    instance: dg.DagsterInstance, settings: Settings, raise_on_error: bool = True
) -> dg.ExecuteInProcessResult:
    from pipelines.run import execute_full_build

    return execute_full_build(instance, settings, raise_on_error=raise_on_error)


@pytest.fixture(scope="session")
def dagster_instance(tmp_path_factory) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance of the test process, its run history stored as `par run` stores
    it (pipelines/dagster_history.py)."""
    from pipelines.dagster_history import event_log_storage_config

    home = tmp_path_factory.mktemp("dagster_home")
    overrides = {"event_log_storage": event_log_storage_config(home)}
    with dg.instance_for_test(temp_dir=str(home), overrides=overrides) as instance:
        yield instance


def settings_for(landing: Path, warehouse: Path) -> Settings:
    """The pipeline's settings pointed at a test's own folders (the environment untouched)."""
    return Settings.for_folders(landing, warehouse)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory, dagster_instance) -> PipelineRun:
    """The small landing built once per test process (a full build, reports included):
    modules take a copy (`small_run`), never this one."""
    root = tmp_path_factory.mktemp("small_build")
    landing = write_small_landing(root / "landing")
    warehouse = root / "warehouse"
    # dbt's log file kept (debug): test_small_pipeline reads how dbt parsed
    settings = settings_for(landing, warehouse).replace(dbt_log_level="debug")
    result = run_full_build(dagster_instance, settings)
    return PipelineRun(landing=landing, warehouse=warehouse, result=result)


def dbt_nodes_run(settings: Settings) -> set[str]:
    """The dbt nodes the last dbt build on these settings ran (its run_results.json)."""
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text("utf-8"))
    return {result["unique_id"] for result in results["results"]}


def good_build_record(settings: Settings) -> dict[str, str] | None:
    """The build file's record of its last good dbt build of this code
    (pipelines/lib/dbt_reach.py); None when there is none."""
    from pipelines.lib import dbt_reach
    from pipelines.run_plan import build_fingerprint

    conn = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        return dbt_reach.recorded(conn, build_fingerprint(settings))
    finally:
        conn.close()


def copy_of_run(run: PipelineRun, root: Path) -> PipelineRun:
    """The run's landing and warehouse copied under `root`, file times kept (so a re-run
    finds nothing new), with the same run result: a module changes its copy freely."""
    landing, warehouse = root / "landing", root / "warehouse"
    shutil.copytree(run.landing, landing, symlinks=True)
    shutil.copytree(run.warehouse, warehouse, symlinks=True)
    return PipelineRun(landing=landing, warehouse=warehouse, result=run.result)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, small_build) -> Iterator[PipelineRun]:
    yield copy_of_run(small_build, tmp_path_factory.mktemp("small"))
