"""One `dbt build` of the hand-written fixture (raw_rows.sql) per test process, shared by
the modules that start from it: a build takes most of a minute. Read it as it is, or take
a copy (`copy_of`) to corrupt or to build on; never write the shared file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dbt_fixture.build_raw import build
from tests.dbt_fixture.dbt_env import dbt_env

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


@dataclass(frozen=True)
class FixtureBuild:
    db: Path  # the build file after a whole `dbt build` (models and tests), no window
    stdout: str  # dbt's output: which tests ran and passed


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> FixtureBuild:
    tmp = tmp_path_factory.mktemp("dbt_fixture_build")
    db = tmp / "build.duckdb"
    build(db)
    result = subprocess.run(
        [str(DBT), "build", "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=DBT_PROJECT,
        env=dbt_env(db),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return FixtureBuild(db=db, stdout=result.stdout)


def copy_of(built: FixtureBuild, folder: Path) -> Path:
    """A copy of the shared build file in `folder` (its build.duckdb), to change freely."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "build.duckdb"
    shutil.copy(built.db, db)
    wal = built.db.with_name(built.db.name + ".wal")
    if wal.exists():
        shutil.copy(wal, db.with_name(db.name + ".wal"))
    return db
