"""Resources: the warehouse (the run's Settings: its folders and files, and connections to
the build file), dbt's CLI, and the one-writer pool every user of the build file is in.

The pool orders the runs Dagster's queue launches (UI, schedule, sensor); the build lock
(`pipelines.lib.build_lock`) also keeps out runs executed in their own process (`par run`,
the benchmark, tests). The warehouse resource takes the lock when a run starts using it and
frees it when the run ends, so every run of this code location holds it throughout."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
import sys
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version
from pydantic import PrivateAttr

from pipelines.lib import build_lock, dbt_standby_client
from pipelines.lib.loader import connect_build
from pipelines.settings import DBT_PROJECT_DIR, Settings

_log = logging.getLogger(__name__)

# Every asset that writes (or copies) the build file runs in this pool; DuckDB allows one
# writer per file. `dagster.yaml` gives it one slot.
BUILD_FILE_POOL = "par_build_file"


class WarehouseResource(dg.ConfigurableResource):
    """The Settings of the run, as Dagster config (shown in the UI's resource view). Built
    with `from_settings`; code reads `.settings`, never these fields one by one."""

    landing_dir: str
    warehouse_dir: str
    first_day: str
    freshness_days: int
    late_files_sensor_seconds: int
    ingest_workers: int
    dbt_memory_limit: str
    dbt_log_level: str
    engine: str
    dagster_home: str

    # this resource took the build lock for its run (and gives it back at the run's end)
    _holds_build_lock: bool = PrivateAttr(default=False)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """In a run: hold the warehouse's build lock until the run ends (re-entrant: an
        in-process run's `execute_build` already holds it). Another process's run holding it
        fails this run at once with a message naming that run. Outside a run (a sensor
        tick) nothing is locked."""
        if context.run is None:
            return
        build_lock.acquire(Path(self.warehouse_dir), context.run.run_id)
        self._holds_build_lock = True

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._holds_build_lock:
            self._holds_build_lock = False
            build_lock.release(Path(self.warehouse_dir))

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(
            landing_dir=str(settings.landing_dir),
            warehouse_dir=str(settings.warehouse_dir),
            first_day=settings.first_day.isoformat(),
            freshness_days=settings.freshness_days,
            late_files_sensor_seconds=settings.late_files_sensor_seconds,
            ingest_workers=settings.ingest_workers,
            dbt_memory_limit=settings.dbt_memory_limit,
            dbt_log_level=settings.dbt_log_level,
            engine=settings.engine,
            dagster_home=str(settings.dagster_home),
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            landing_dir=Path(self.landing_dir),
            warehouse_dir=Path(self.warehouse_dir),
            first_day=dt.date.fromisoformat(self.first_day),
            freshness_days=self.freshness_days,
            late_files_sensor_seconds=self.late_files_sensor_seconds,
            ingest_workers=self.ingest_workers,
            dbt_memory_limit=self.dbt_memory_limit,
            dbt_log_level=self.dbt_log_level,
            engine=self.engine,
            dagster_home=Path(self.dagster_home),
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A writable connection to the build file (raw schema ensured). Callers close it."""
        return connect_build(self.settings.build_db)


# The manifest is prepared at build/test time (`make manifest`), never at import.
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class ParDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without the two things it does in Dagster's own process
    before every dbt command, which cost ~4.5 s of each run here and that this project does
    not use: asking the dbt executable its version (`dbt --version` in a subprocess; the dbt
    beside this Python is the installed dbt-core, whose version the package metadata gives),
    and importing dbt-core to open an adapter in this process (only used to fetch row counts
    or column metadata, which no asset asks for)."""

    @property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None


def dbt_executable(python: Path = Path(sys.executable)) -> Path:
    """What dagster-dbt runs as dbt: `par-dbt` (pyproject's scripts), installed beside this
    Python (whether or not the venv's bin is on PATH). It hands the dbt step's build to the
    run's dbt standby when the step names one, and is the dbt installed beside it otherwise
    (pipelines/lib/dbt_standby_client.py). An environment installed before `par-dbt` existed
    (the code updated, `make` not run since) has only dbt: that one then, with a warning,
    rather than dagster-dbt's refusal of a dbt it cannot find; builds are not served."""
    client = python.with_name(dbt_standby_client.SCRIPT)
    if client.exists():
        return client
    _log.warning("%s is not installed (run `make setup`): dbt runs without its standby", client)
    return python.with_name("dbt")


def dbt_cli_resource() -> DbtCliResource:
    return ParDbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(dbt_executable()),
    )


def resources_for(settings: Settings) -> dict[str, object]:
    """Every resource the code location needs, for these settings."""
    return {"warehouse": WarehouseResource.from_settings(settings), "dbt": dbt_cli_resource()}
