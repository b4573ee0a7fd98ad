"""The one place that reads the environment: every `PAR_*` setting, its default and its
meaning, in one immutable `Settings` built once per process.

Everything else receives a `Settings` (plain functions as an argument, Dagster assets through
the `warehouse` resource) and never reads `os.environ` for a `PAR_*` variable. Relative
folders are taken from the repository root, so commands work from any folder. The README's
settings table is `settings_table()`; a test keeps the two equal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


@dataclass(frozen=True)
class Variable:
    """One environment variable: the Settings field it fills, its default and meaning."""

    name: str
    field: str
    default: str
    meaning: str


# The environment the pipeline reads, in the order the README lists it. `default` is what
# an unset (or empty) variable means; "CPUs" and the DAGSTER_HOME default are worked out.
VARIABLES: tuple[Variable, ...] = (
    Variable(
        "PAR_LANDING_DIR",
        "landing_dir",
        "warehouse/landing",
        "the folder the units deliver files into (docs/input-format.md)",
    ),
    Variable(
        "PAR_WAREHOUSE_DIR",
        "warehouse_dir",
        "warehouse",
        "build file `build.duckdb`, published file `par.duckdb`, the pseudonymisation key "
        "`secrets/pseudonym.key`, Dagster's home `dagster_home/`, `reports/`, `docs/`, "
        "dbt's `dbt_target/`, `bench/`",
    ),
    Variable(
        "PAR_FIRST_DAY",
        "first_day",
        "2020-01-01",
        "its month is the first monthly partition; files dated earlier are ingested with it",
    ),
    Variable(
        "PAR_FRESHNESS_DAYS",
        "freshness_days",
        "7",
        "a unit whose dossiers or documents are this many days behind the newest delivery is "
        "warned about",
    ),
    Variable(
        "PAR_LATE_FILES_SENSOR_SECONDS",
        "late_files_sensor_seconds",
        "300",
        "how often the late-files sensor looks at the landing folder",
    ),
    Variable(
        "PAR_INGEST_WORKERS",
        "ingest_workers",
        "CPUs",
        "processes parsing landing files in parallel (1: parse in the asset's process)",
    ),
    Variable(
        "PAR_DBT_MEMORY_LIMIT",
        "dbt_memory_limit",
        "2GB",
        "DuckDB's memory limit inside dbt; larger sorts and joins spill to disk instead",
    ),
    Variable(
        "PAR_DBT_LOG_LEVEL",
        "dbt_log_level",
        "none",
        "dbt's own log file `dbt_target/dbt.log`: `none`, or the lowest level it keeps "
        "(`error`, `warn`, `info`, `debug`: every SQL statement dbt runs). What Dagster shows "
        "of dbt's run does not depend on it",
    ),
    Variable(
        "PAR_ENGINE",
        "engine",
        "duckdb",
        "the engine dbt builds the models with: `duckdb`, or `spark` (dbt-spark in a local "
        "Spark session, Java 17 and `make`'s spark extra; raw tables exchanged as Parquet "
        "under `PAR_WAREHOUSE_DIR/spark/`; docs/scale-out.md)",
    ),
    Variable(
        "DAGSTER_HOME",
        "dagster_home",
        "PAR_WAREHOUSE_DIR/dagster_home",
        "Dagster's run history and logs (`par run` and `make ui` write the project's "
        "`dagster.yaml` there, with the run history's storage: `pipelines/dagster_history.py`)",
    ),
)


def _folder(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


# The engines dbt can build with (dbt targets of dbt_project/profiles.yml by engine).
ENGINES = ("duckdb", "spark")
DBT_TARGETS = {"duckdb": "dev", "spark": "spark"}


# The levels of dbt's log file (dbt's --log-level-file). dbt turns every event of a run into
# a JSON line before it looks at the file's level, so any file costs about as much as a
# debug one (~10 MB, ~0.7 s of CPU a mid-bench nightly): without one (`none`) dbt skips that.
DBT_LOG_LEVELS = ("none", "error", "warn", "info", "debug")


def _dbt_log_level(value: str) -> str:
    level = value.strip().lower()
    if level not in DBT_LOG_LEVELS:
        raise ValueError(
            f"PAR_DBT_LOG_LEVEL={value!r}: expected one of {', '.join(DBT_LOG_LEVELS)}"
        )
    return level


def _engine(value: str) -> str:
    engine = value.strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"PAR_ENGINE={value!r}: expected one of {', '.join(ENGINES)}")
    return engine


def _positive_int(variable: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{variable}={value!r}: expected a whole number") from None
    if number < 1:
        raise ValueError(f"{variable}={value!r}: expected a number of at least 1")
    return number


@dataclass(frozen=True)
class Settings:
    """Every setting of one process. Derived paths are properties, so they cannot drift."""

    landing_dir: Path
    warehouse_dir: Path
    first_day: dt.date
    freshness_days: int
    late_files_sensor_seconds: int
    ingest_workers: int
    dbt_memory_limit: str
    dbt_log_level: str
    engine: str
    dagster_home: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from an environment (default: this process's); unset or empty
        variables take their defaults. A malformed value fails here, naming the variable."""
        env = os.environ if environ is None else environ

        def get(variable: str, default: str) -> str:
            return env.get(variable) or default

        warehouse = _folder(get("PAR_WAREHOUSE_DIR", "warehouse"))
        first_day_text = get("PAR_FIRST_DAY", "2020-01-01")
        try:
            first_day = dt.date.fromisoformat(first_day_text)
        except ValueError:
            raise ValueError(
                f"PAR_FIRST_DAY={first_day_text!r}: expected a date like 2020-01-01"
            ) from None
        return cls(
            landing_dir=_folder(get("PAR_LANDING_DIR", "warehouse/landing")),
            warehouse_dir=warehouse,
            first_day=first_day,
            freshness_days=_positive_int("PAR_FRESHNESS_DAYS", get("PAR_FRESHNESS_DAYS", "7")),
            late_files_sensor_seconds=_positive_int(
                "PAR_LATE_FILES_SENSOR_SECONDS", get("PAR_LATE_FILES_SENSOR_SECONDS", "300")
            ),
            ingest_workers=_positive_int(
                "PAR_INGEST_WORKERS", get("PAR_INGEST_WORKERS", str(os.cpu_count() or 1))
            ),
            dbt_memory_limit=get("PAR_DBT_MEMORY_LIMIT", "2GB"),
            dbt_log_level=_dbt_log_level(get("PAR_DBT_LOG_LEVEL", "none")),
            engine=_engine(get("PAR_ENGINE", "duckdb")),
            dagster_home=_folder(get("DAGSTER_HOME", str(warehouse / "dagster_home"))),
        )

    @classmethod
    def for_folders(cls, landing_dir: Path, warehouse_dir: Path, **changes) -> Settings:
        """The defaults, pointed at other folders (Dagster's home inside the warehouse):
        what tests and the benchmark use instead of changing the environment."""
        base = cls.from_env({})
        return dataclasses.replace(
            base,
            landing_dir=Path(landing_dir),
            warehouse_dir=Path(warehouse_dir),
            dagster_home=Path(warehouse_dir) / "dagster_home",
            **changes,
        )

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    def to_env(self) -> dict[str, str]:
        """The environment a child process needs to build these same settings."""
        return {variable.name: _text(getattr(self, variable.field)) for variable in VARIABLES}

    # --- derived paths ---------------------------------------------------------------------

    @property
    def build_db(self) -> Path:
        """The pipeline's own file: raw tables and every dbt model. Analysts never read it."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def published_db(self) -> Path:
        """The file analysts read; replaced whole, atomically, after the blocking checks pass."""
        return self.warehouse_dir / "par.duckdb"

    @property
    def secret_key(self) -> Path:
        """HMAC key for ID numbers; generated on first run, owner-only, never in git."""
        return self.warehouse_dir / "secrets" / "pseudonym.key"

    @property
    def units_csv(self) -> Path:
        return self.landing_dir / "units.csv"

    @property
    def reports_dir(self) -> Path:
        return self.warehouse_dir / "reports"

    @property
    def docs_dir(self) -> Path:
        return self.warehouse_dir / "docs"

    @property
    def dbt_target_dir(self) -> Path:
        """One dbt target folder per warehouse, reused run after run: dbt's partial-parse
        state there matches this build file's profile, and nothing piles up."""
        return self.warehouse_dir / "dbt_target"

    @property
    def bench_dir(self) -> Path:
        return self.warehouse_dir / "bench"

    @property
    def dbt_target(self) -> str:
        """The dbt target (dbt_project/profiles.yml) of this engine."""
        return DBT_TARGETS[self.engine]

    @property
    def spark_dir(self) -> Path:
        """The Spark engine's home: `raw/` (the raw tables exported as Parquet),
        `warehouse/` (its tables, Parquet) and `metastore/` (its catalogue, Derby)."""
        return self.warehouse_dir / "spark"


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@functools.cache
def load_settings() -> Settings:
    """This process's settings, read from its environment once."""
    return Settings.from_env()


# The variables of dbt_environment the project reads only when dbt executes (the window
# and the build numbers change every run; read while parsing, they would make dbt parse
# again): dbt's standby compares every other one with those it parsed with.
# The last good build's number (pipelines/lib/dbt_reach.py), which only narrows what a
# test given a build stamp rechecks: dbt_reach does not count reading it as volatile.
CHECKED_BUILD_VARIABLE = "PAR_CHECKED_BUILD"
DBT_EXECUTE_TIME_VARIABLES = (
    "PAR_WINDOW_START",
    "PAR_WINDOW_END",
    "PAR_BUILD_SEQUENCE",
    CHECKED_BUILD_VARIABLE,
)


def dbt_environment(
    settings: Settings,
    window: tuple[str, str] = ("", ""),
    *,
    build_db: Path | None = None,
    build_sequence: int | None = None,
    checked_build: int | None = None,
) -> dict[str, str]:
    """What dbt reads from its environment (profiles.yml and the partition-window macros):
    the build file, DuckDB's memory limit inside dbt, the Spark engine's folder (used by
    the `spark` target only), the run's export-date window
    (ISO dates; empty means open on that side, so no window recomputes everything), the
    build's number (`pipelines.lib.build_sequence`; empty: rows are stamped with null, as
    recomputed by a build no publication knows), the number of the last good build of the
    same code (`pipelines.lib.dbt_reach`; the tests given a stamp check only the rows
    recomputed since; empty: every row), and the level of its log file.
    `build_db` overrides the file dbt opens (the data dictionary documents a schema copy)."""
    start, end = window
    return {
        "PAR_BUILD_DB": str(build_db or settings.build_db),
        "PAR_DBT_MEMORY_LIMIT": settings.dbt_memory_limit,
        "PAR_SPARK_DIR": str(settings.spark_dir),
        "PAR_WINDOW_START": start,
        "PAR_WINDOW_END": end,
        "PAR_BUILD_SEQUENCE": "" if build_sequence is None else str(build_sequence),
        CHECKED_BUILD_VARIABLE: "" if checked_build is None else str(checked_build),
        "DBT_LOG_LEVEL_FILE": settings.dbt_log_level,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def settings_table() -> str:
    """The README's settings table (markdown), from VARIABLES."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        lines.append(f"| `{variable.name}` | `{variable.default}` | {variable.meaning} |")
    return "\n".join(lines)
