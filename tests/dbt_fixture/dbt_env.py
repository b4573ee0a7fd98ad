"""dbt's environment for a fixture build file: the project's one way to hand dbt its
settings (pipelines.settings.dbt_environment), pointed at the test's file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import Settings, dbt_environment
from tests.dbt_process import DBT as DBT_PROCESS

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


def dbt_env(db: Path, window: str = "", checked_build: int | None = None) -> dict[str, str]:
    """This process's environment plus dbt's, for the build file `db` and a one-day window
    (empty: no window, dbt recomputes everything), and the last good build's number, if
    given (the tests given a build stamp check only the rows stamped after it)."""
    settings = Settings.for_folders(db.parent / "landing", db.parent)
    return {
        **os.environ,
        **dbt_environment(settings, (window, window), build_db=db, checked_build=checked_build),
    }


def run_dbt(
    args: list[str], db: Path, tmp: Path, window: str = "", checked_build: int | None = None
) -> subprocess.CompletedProcess:
    """dbt `args` on the build file `db` (and a one-day window; the last good build's
    number), its target and logs in `tmp`; the finished command, whatever its exit code.
    Run by the test process's dbt process (tests/dbt_process.py): dbt imported once."""
    return DBT_PROCESS.run(
        [*args, "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=DBT_PROJECT,
        env=dbt_env(db, window, checked_build),
        outputs=tmp / "dbt-output",
    )
