"""One `dbt build` of the hand-written fixture (raw_rows.sql) per test process, shared by
the modules that start from it: a build takes most of a minute. Read it as it is, or take
a copy (`copy_of`) to corrupt or to build on; never write the shared file."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dbt_fixture.build_raw import build
from tests.dbt_fixture.dbt_env import run_dbt


@dataclass(frozen=True)
class FixtureBuild:
    db: Path  # the build file after a whole `dbt build` (models and tests), no window
    stdout: str  # dbt's output: which tests ran and passed


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> FixtureBuild:
    tmp = tmp_path_factory.mktemp("dbt_fixture_build")
    db = tmp / "build.duckdb"
    build(db)
    result = run_dbt(["build"], db, tmp)
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
