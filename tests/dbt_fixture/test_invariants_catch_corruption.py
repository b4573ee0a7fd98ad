"""The contract's invariants are real gates: corrupt a built indicator_values (or
late_dossier_reasons) and the blocking (severity error) dbt tests fail, naming the
invariant each corruption breaks."""

from __future__ import annotations

import duckdb

from tests.dbt_fixture.conftest import copy_of
from tests.dbt_fixture.dbt_env import run_dbt


def test_corrupted_indicators_fail_the_blocking_invariants(fixture_build, tmp_path):
    db = copy_of(fixture_build, tmp_path)  # the fixture after a whole `dbt build`

    # Late dossiers by reason no longer add up to DOSSIER_LATE (the blocking test
    # late_reasons_add_up_to_dossier_late), each way it can go wrong: a count changed
    # (the city's area in 2021: 2 without a reason instead of 1), the only row of a late
    # month gone (Phường Hai, July 2021: DOSSIER_LATE 1, no reason row), and a row for a
    # period indicator_values does not have (2019).
    conn = duckdb.connect(str(db))
    conn.execute(
        "UPDATE marts.late_dossier_reasons SET dossiers = dossiers + 1 WHERE unit_code = '941' "
        "AND scope = 'area' AND period_type = 'year' AND late_reason IS NULL;"
        "DELETE FROM marts.late_dossier_reasons WHERE unit_code = '31513' AND scope = 'self' "
        "AND period_type = 'month';"
        "INSERT INTO marts.late_dossier_reasons SELECT * REPLACE (DATE '2019-01-01' AS "
        "period_start, DATE '2019-12-31' AS period_end) FROM marts.late_dossier_reasons "
        "WHERE unit_code = '941' AND scope = 'self' AND period_type = 'year' "
        "AND late_reason IS NULL;"
    )
    conn.close()
    reasons = run_dbt(["test", "--select", "late_dossier_reasons"], db, tmp_path)
    assert reasons.returncode != 0
    failed = [line for line in reasons.stdout.splitlines() if " FAIL " in line]
    assert any("FAIL 3 late_reasons_add_up_to_dossier_late" in line for line in failed), failed

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

    tested = run_dbt(["test", "--select", "indicator_values"], db, tmp_path)
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
