"""The contract's invariants are real gates: corrupt a built indicator_values (or
late_dossier_reasons) and the blocking (severity error) dbt tests fail, naming the
invariant each corruption breaks."""

from __future__ import annotations

import json

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


def test_broken_columns_fail_their_model_s_one_well_formed_test(fixture_build, tmp_path):
    """A model's not-null, coded-value and unique-key checks are one test per model and
    severity (columns_are_well_formed): corrupt a mart, a seed, a staging model and a raw
    table, and each test fails listing exactly the broken rows, each with the rules it
    breaks (every row of a repeated key, every row whose reference is not found); a rule
    with a `where` ignores the rows outside it, and a warn test stays a warning."""
    names = {
        "fct_dossier": "columns_are_well_formed_fct_dossier",
        "fct_dossier_warn": "columns_are_well_formed_fct_dossier_warn",
        "dim_calendar": "columns_are_well_formed_dim_calendar",
        "seed": "columns_are_well_formed_indicator_catalog_seed",
        "targets": "columns_are_well_formed_indicator_targets",
        "staging": "columns_are_well_formed_stg_ward_exports__dossiers",
        "raw": "columns_are_well_formed_source_ward_exports_dossiers",
    }
    for name in names.values():  # they pass on the fixture as built
        assert f" PASS {name} " in fixture_build.stdout, name

    db = copy_of(fixture_build, tmp_path)
    conn = duckdb.connect(str(db))
    conn.execute(
        # two rules broken on one row of a mart (fct_dossier is a view of int_dossier_facts)
        "UPDATE intermediate.int_dossier_facts SET procedure_code = NULL, timeliness = 'soon' "
        "WHERE unit_code = '941' AND dossier_code = 'HS003';"
        # the warn test's rule with `where: is_counted`: HS005 is counted, HS004 (refused)
        # is not, so only HS005 is a finding
        "UPDATE intermediate.int_dossier_facts SET procedure_version_key = NULL "
        "WHERE unit_code = '941' AND dossier_code IN ('HS004', 'HS005');"
        # a reference not found (relationships): HS006 given a procedure version dim_procedure
        # does not have; the null keys of HS004 and HS005 just above are not findings of it
        "UPDATE intermediate.int_dossier_facts SET procedure_version_key = 'no-such-version' "
        "WHERE unit_code = '941' AND dossier_code = 'HS006';"
        # a seed's reference: a target for an indicator the catalogue seed does not have
        "UPDATE seeds.indicator_targets SET indicator_code = 'NO_SUCH_CODE' "
        "WHERE indicator_code = (SELECT min(indicator_code) FROM seeds.indicator_targets);"
        # a unique key with a `where`: Tuesday 2 March 2021 given Monday 1 March's working
        # day number. Only working days must have distinct numbers (a day off carries the
        # number of the working day before it: Saturday 27 and Sunday 28 February share
        # Friday 26's), so exactly the Monday and the Tuesday are listed
        "UPDATE marts.dim_calendar SET working_day_number = ("
        "SELECT working_day_number FROM marts.dim_calendar WHERE date_day = '2021-03-01') "
        "WHERE date_day = '2021-03-02';"
        # a seed: a kind outside its list, a name missing
        "UPDATE seeds.indicator_catalog_seed SET kind = 'ratio' WHERE indicator_code = 'DOC_SENT';"
        "UPDATE seeds.indicator_catalog_seed SET name_vi = NULL "
        "WHERE indicator_code = 'DOC_ELECTRONIC';"
        # ... and PROC_CHANGED given PROC_TOTAL's display_order: both rows hold it
        "UPDATE seeds.indicator_catalog_seed SET display_order = ("
        "SELECT display_order FROM seeds.indicator_catalog_seed "
        "WHERE indicator_code = 'PROC_TOTAL') WHERE indicator_code = 'PROC_CHANGED';"
        # a staging model: a status code the contract does not have (an integer column,
        # compared with the list's quoted values)
        "UPDATE staging.stg_ward_exports__dossiers SET status = 11 "
        "WHERE unit_code = '31510' AND dossier_code = 'HS002';"
        # ... and a second current row for 941's HS001 (its current row is row 1 of
        # 941/dossiers/2021-01-10.jsonl, status 9 finished): the copy says row 2
        "INSERT INTO staging.stg_ward_exports__dossiers "
        "SELECT * REPLACE (2 AS source_row) FROM staging.stg_ward_exports__dossiers "
        "WHERE unit_code = '941' AND dossier_code = 'HS001';"
        # a raw table (a dbt source): a channel missing
        "UPDATE raw.dossiers SET channel = NULL "
        "WHERE unit_code = '31510' AND dossier_code = 'HS001';"
    )
    conn.close()

    tested = run_dbt(["test", "--select", *names.values(), "--store-failures"], db, tmp_path)
    assert tested.returncode != 0  # the error-severity ones block
    results = {
        r["unique_id"].split(".")[2]: r
        for r in json.loads((tmp_path / "target" / "run_results.json").read_text("utf-8"))[
            "results"
        ]
    }
    assert {name: results[name]["status"] for name in names.values()} == {
        names["fct_dossier"]: "fail",
        names["fct_dossier_warn"]: "warn",
        names["dim_calendar"]: "fail",
        names["seed"]: "fail",
        names["targets"]: "fail",
        names["staging"]: "fail",
        names["raw"]: "fail",
    }

    def failing(name: str, *key: str) -> dict[tuple, str]:
        conn = duckdb.connect(str(db), read_only=True)
        try:
            rows = conn.execute(
                f"SELECT {', '.join(key)}, failed_check FROM {results[name]['relation_name']}"
            ).fetchall()
        finally:
            conn.close()
        return {tuple(row[:-1]): row[-1] for row in rows}

    assert failing(names["fct_dossier"], "unit_code", "dossier_code") == {
        ("941", "HS003"): "procedure_code is null; timeliness is not one of early, on_time, late",
        ("941", "HS006"): (
            "procedure_version_key is not found in dim_procedure.procedure_version_key"
        ),
    }
    assert failing(names["fct_dossier_warn"], "unit_code", "dossier_code") == {
        ("941", "HS005"): "procedure_version_key is null"
    }
    assert failing(names["dim_calendar"], "cast(date_day AS VARCHAR)") == {
        ("2021-03-01",): "working_day_number is not unique",
        ("2021-03-02",): "working_day_number is not unique",
    }
    assert failing(names["seed"], "indicator_code") == {
        ("DOC_SENT",): "kind is not one of count, rate",
        ("DOC_ELECTRONIC",): "name_vi is null",
        ("PROC_TOTAL",): "display_order is not unique",
        ("PROC_CHANGED",): "display_order is not unique",
    }
    assert failing(names["targets"], "indicator_code") == {
        ("NO_SUCH_CODE",): "indicator_code is not found in indicator_catalog_seed.indicator_code"
    }
    assert failing(names["staging"], "source_file", "source_row", "status") == {
        ("31510/dossiers/2021-01-08.csv", 2, 11): (
            "status is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
        ),
        ("941/dossiers/2021-01-10.jsonl", 1, 9): "(unit_code, dossier_code) is not unique",
        ("941/dossiers/2021-01-10.jsonl", 2, 9): "(unit_code, dossier_code) is not unique",
    }
    assert failing(names["raw"], "source_file", "source_row") == {
        ("31510/dossiers/2021-01-07.csv", 2): "channel is null"
    }
