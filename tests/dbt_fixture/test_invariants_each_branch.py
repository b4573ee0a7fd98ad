"""Each branch of each blocking invariant on indicator_values is a real gate: one built
fixture warehouse, one corruption per branch (each on its own row), one `dbt test` run
that stores its failing rows, and for every corruption the invariant that must catch it
lists exactly the corrupted row among its failures.

The corruptions (the fixture's city is 941; see tests/dbt_fixture/README.md):
  rate: numerator > denominator   941 self, month 2021-02, DOSSIER_ONTIME_RATE
  rate: value with denominator 0  941 self, month 2021-04, DOSSIER_DIGITIZED_RATE
  rate: count with a denominator  941 self, month 2021-05, PROC_TOTAL
  rate: unknown code              a copy of 941 self 2021-06 DOC_SENT coded NOT_A_CODE
  density: a deleted month        941 self, month 2021-07, DOC_SENT removed
  uniqueness: a duplicated row    941 self, month 2021-08, DOC_SENT twice (the key's rule
                                  of columns_are_well_formed)
  area: a corrupted area row      941 area, month 2021-09, DOC_SENT + 7
  stock: a unit's last sub-period 31516 self, month 2021-06, PROC_TOTAL + 5 (the ward
                                  ended 2021-06-30: June is its last month, Q2 its last
                                  quarter, and its year must equal them)
"""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.dbt_fixture.conftest import copy_of
from tests.dbt_fixture.dbt_env import run_dbt

CITY = "941"
ENDED_WARD = "31516"  # ended 2021-06-30
ROW = "unit_code = ? AND scope = ? AND period_type = 'month' AND period_start = ? "
ROW += "AND indicator_code = ?"


# (name, SQL statements with parameters, the test that must catch it, the row it must list)
def _corruptions() -> list[tuple[str, list[tuple[str, list]], str, tuple]]:
    def key(scope: str, month: str, code: str) -> list:
        return [CITY, scope, month, code]

    table = "marts.indicator_values"
    return [
        (
            "numerator above denominator",
            [
                (
                    f"UPDATE {table} SET numerator = denominator + 1 WHERE {ROW}",
                    key("self", "2021-02-01", "DOSSIER_ONTIME_RATE"),
                )
            ],
            "rate_value_is_rounded_ratio",
            ("self", "2021-02-01", "DOSSIER_ONTIME_RATE"),
        ),
        (
            "a value with a zero denominator",
            [
                (
                    f"UPDATE {table} SET numerator = 0, denominator = 0, value = 5 WHERE {ROW}",
                    key("self", "2021-04-01", "DOSSIER_DIGITIZED_RATE"),
                )
            ],
            "rate_value_is_rounded_ratio",
            ("self", "2021-04-01", "DOSSIER_DIGITIZED_RATE"),
        ),
        (
            "a count with a denominator",
            [
                (
                    f"UPDATE {table} SET denominator = numerator + 1 WHERE {ROW}",
                    key("self", "2021-05-01", "PROC_TOTAL"),
                )
            ],
            "rate_value_is_rounded_ratio",
            ("self", "2021-05-01", "PROC_TOTAL"),
        ),
        (
            "an unknown code",
            [
                (
                    f"INSERT INTO {table} SELECT * REPLACE ('NOT_A_CODE' AS indicator_code) "
                    f"FROM {table} WHERE {ROW}",
                    key("self", "2021-06-01", "DOC_SENT"),
                )
            ],
            "rate_value_is_rounded_ratio",
            ("self", "2021-06-01", "NOT_A_CODE"),
        ),
        (
            "a deleted month",
            [(f"DELETE FROM {table} WHERE {ROW}", key("self", "2021-07-01", "DOC_SENT"))],
            "has_every_indicator",
            ("self", "2021-07-01", "DOC_SENT"),
        ),
        (
            "a duplicated row",
            [
                (
                    f"INSERT INTO {table} SELECT * FROM {table} WHERE {ROW}",
                    key("self", "2021-08-01", "DOC_SENT"),
                )
            ],
            # the key's uniqueness is a rule of the model's columns_are_well_formed test
            "columns_are_well_formed",
            ("self", "2021-08-01", "DOC_SENT"),
        ),
        (
            "a corrupted area row",
            [
                (
                    f"UPDATE {table} SET numerator = numerator + 7, value = value + 7 WHERE {ROW}",
                    key("area", "2021-09-01", "DOC_SENT"),
                )
            ],
            "area_equals_sum_of_self",
            ("area", "2021-09-01", "DOC_SENT"),
        ),
        (
            "a stock off its unit's last month",
            [
                (
                    f"UPDATE {table} SET numerator = numerator + 5, value = value + 5 WHERE {ROW}",
                    [ENDED_WARD, "self", "2021-06-01", "PROC_TOTAL"],
                )
            ],
            "stocks_equal_last_subperiod",
            # the ward's 2021 year row is listed: it no longer equals its last month
            (ENDED_WARD, "self", "2021-01-01", "PROC_TOTAL"),
        ),
    ]


@pytest.fixture(scope="module")
def failures(fixture_build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Failing rows of every test on indicator_values, after all the corruptions."""
    tmp = tmp_path_factory.mktemp("branches")
    db = copy_of(fixture_build, tmp)  # the fixture after a whole `dbt build`
    conn = duckdb.connect(str(db))
    try:
        for _name, statements, _test, _row in _corruptions():
            for sql, params in statements:
                conn.execute(sql, params)
    finally:
        conn.close()
    tested = run_dbt(["test", "--select", "indicator_values", "--store-failures"], db, tmp)
    assert tested.returncode != 0  # the build is blocked
    results = json.loads((tmp / "target" / "run_results.json").read_text("utf-8"))
    found: dict[str, list[dict]] = {}
    conn = duckdb.connect(str(db), read_only=True)
    try:
        for result in results["results"]:
            if result["status"] != "fail":
                continue
            cursor = conn.execute(f"SELECT * FROM {result['relation_name']}")
            columns = [d[0] for d in cursor.description]
            found[result["unique_id"]] = [
                dict(zip(columns, r, strict=True)) for r in cursor.fetchall()
            ]
    finally:
        conn.close()
    return found


def _failing_rows(failures: dict[str, list[dict]], test: str) -> list[dict]:
    rows = [row for unique_id, rows in failures.items() if f".{test}_" in unique_id for row in rows]
    assert rows, f"{test} did not fail; failed: {sorted(failures)}"
    return rows


@pytest.mark.parametrize(
    ("name", "test", "row"),
    [(name, test, row) for name, _statements, test, row in _corruptions()],
    ids=[name for name, *_ in _corruptions()],
)
def test_each_corruption_is_caught_by_its_invariant(failures, name, test, row):
    rows = _failing_rows(failures, test)
    unit, scope, month, code = row if len(row) == 4 else (CITY, *row)
    # (a test that judges one scope, like area_equals_sum_of_self, lists rows without it)
    listed = {
        (r["unit_code"], r.get("scope") or scope, str(r["period_start"]), r["indicator_code"])
        for r in rows
    }
    assert (unit, scope, month, code) in listed, (name, rows[:5])


def test_a_duplicated_row_is_listed_with_the_key_it_repeats(failures):
    # The INSERT copied one row, so its key (941 self, month 2021-08, DOC_SENT) is held by
    # two rows: both are listed, whole, each saying which rule it breaks. The one other row
    # of indicator_values that breaks a columns_are_well_formed rule is the unknown code's
    # (941 self, month 2021-06, NOT_A_CODE): its code is not in indicator_catalog (the
    # test's relationships rule). The other corruptions keep every column filled, scope
    # coded, every other key unique and every code known.
    rows = _failing_rows(failures, "columns_are_well_formed")
    found = sorted(
        (
            row["unit_code"],
            row["scope"],
            row["period_type"],
            str(row["period_start"]),
            row["indicator_code"],
            row["failed_check"],
        )
        for row in rows
    )
    duplicated = (
        "(unit_code, unit_valid_from, scope, period_type, period_start, indicator_code) "
        "is not unique"
    )
    unknown = "indicator_code is not found in indicator_catalog.indicator_code"
    assert found == [
        (CITY, "self", "month", "2021-06-01", "NOT_A_CODE", unknown),
        (CITY, "self", "month", "2021-08-01", "DOC_SENT", duplicated),
        (CITY, "self", "month", "2021-08-01", "DOC_SENT", duplicated),
    ]


def test_a_stock_is_compared_with_the_units_last_existing_subperiod(failures):
    # 31516 ended 2021-06-30: it has no Q3, Q4 or July-December rows, so its 2021 year is
    # compared with Q2 and June (the calendar's Q4 and December do not exist for it). Its
    # catalogue reads 1 active procedure on 2021-06-30 (test_dbt_fixture_build), so the
    # year and Q2 read 1 and the corrupted June 1 + 5 = 6.
    rows = [
        r
        for r in _failing_rows(failures, "stocks_equal_last_subperiod")
        if r["unit_code"] == ENDED_WARD and r["indicator_code"] == "PROC_TOTAL"
    ]
    found = {
        (
            r["period_type"],
            str(r["period_start"]),
            r["child_period_type"],
            str(r["child_period_start"]),
            r["parent_numerator"],
            r["child_numerator"],
        )
        for r in rows
    }
    assert found == {
        ("year", "2021-01-01", "month", "2021-06-01", 1, 6),
        ("quarter", "2021-04-01", "month", "2021-06-01", 1, 6),
    }, rows
