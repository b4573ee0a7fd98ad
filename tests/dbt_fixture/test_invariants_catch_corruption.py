"""The contract's invariants are real gates: corrupt a built indicator_values and the
blocking (severity error) dbt tests fail, naming the invariant each corruption breaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from tests.dbt_fixture.build_raw import build
from tests.dbt_fixture.dbt_env import dbt_env

HERE = Path(__file__).resolve().parent
DBT_PROJECT = HERE.parents[1] / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


def _dbt(args: list[str], db: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DBT), *args, "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=DBT_PROJECT,
        env=dbt_env(db),
        capture_output=True,
        text=True,
        check=False,
    )


def test_corrupted_indicators_fail_the_blocking_invariants(tmp_path):
    db = tmp_path / "build.duckdb"
    build(db)
    built = _dbt(["build"], db, tmp_path)
    assert built.returncode == 0, built.stdout[-3000:]

    city_self = "unit_code = '941' AND scope = 'self'"
    conn = duckdb.connect(str(db))
    conn.execute(
        # 1. A rate whose value no longer equals its rounded ratio.
        f"UPDATE marts.indicator_values SET value = value + 1 WHERE {city_self} "
        "AND period_type = 'year' AND indicator_code = 'DOSSIER_ONTIME_RATE';"
        # 2. One more late dossier in January, in that month's row only: on time + late no
        # longer equals finished, the city's area no longer sums its units' own rows, and
        # the year no longer sums its months.
        f"UPDATE marts.indicator_values SET numerator = numerator + 1 WHERE {city_self} "
        "AND period_type = 'month' AND period_start = DATE '2021-01-01' "
        "AND indicator_code = 'DOSSIER_LATE';"
        # 3. A year-end catalogue count that differs from the last month's.
        f"UPDATE marts.indicator_values SET numerator = numerator + 1 WHERE {city_self} "
        "AND period_type = 'year' AND indicator_code = 'PROC_TOTAL';"
    )
    conn.close()

    tested = _dbt(["test", "--select", "indicator_values"], db, tmp_path)
    assert tested.returncode != 0
    failed = [line for line in tested.stdout.splitlines() if " FAIL " in line]
    for invariant in (
        "rate_value_is_rounded_ratio",
        "codes_sum_to_code_indicator_values_DOSSIER_ONTIME__DOSSIER_LATE__DOSSIER_FINISHED",
        "area_equals_sum_of_self",
        "flows_add_up_over_periods",
        "stocks_equal_last_subperiod",
    ):
        assert any(invariant in line for line in failed), (invariant, failed)
