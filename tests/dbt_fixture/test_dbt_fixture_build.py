"""Build the dbt project on the hand-written fixture and check figures worked out by hand.

Slow-ish (one `dbt build`, about half a minute): it is the end-to-end check of the
indicator semantics; the invariants themselves are dbt tests that run inside the build.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DBT_PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"

# tests/ is not a package: load the fixture builder from its file
_spec = importlib.util.spec_from_file_location("par_dbt_fixture_build_raw", HERE / "build_raw.py")
_build_raw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_build_raw)
build = _build_raw.build


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    tmp = tmp_path_factory.mktemp("dbt_fixture")
    db = tmp / "build.duckdb"
    build(db)
    env = {**os.environ, "PAR_BUILD_DB": str(db)}
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def figure(con, unit, scope, period_type, period_start, code):
    rows = con.execute(
        """
        select numerator, denominator, value, target, meets_target, unit_name
        from marts.indicator_values
        where unit_code = ? and scope = ? and period_type = ? and period_start = ?
          and indicator_code = ?
        """,
        [unit, scope, period_type, period_start, code],
    ).fetchall()
    assert len(rows) == 1, (unit, scope, period_type, period_start, code, rows)
    return rows[0]


def test_city_dossiers_first_quarter(warehouse):
    q1 = ("941", "self", "quarter", "2021-01-01")
    assert figure(warehouse, *q1, "DOSSIER_RECEIVED")[:3] == (5, None, Decimal("5.00"))
    assert figure(warehouse, *q1, "DOSSIER_FINISHED")[0] == 4
    assert figure(warehouse, *q1, "DOSSIER_ONTIME")[0] == 2
    assert figure(warehouse, *q1, "DOSSIER_LATE")[0] == 2
    assert figure(warehouse, *q1, "DOSSIER_ONTIME_RATE")[:3] == (2, 4, Decimal("50.00"))
    apology = figure(warehouse, *q1, "DOSSIER_APOLOGY_RATE")
    assert apology[:5] == (1, 2, Decimal("50.00"), Decimal("100.00"), False)
    online_full = figure(warehouse, *q1, "DOSSIER_ONLINE_RATE_FULL")
    assert online_full[:5] == (1, 2, Decimal("50.00"), Decimal("15.00"), True)
    assert figure(warehouse, *q1, "DOSSIER_PAID_ONLINE_RATE")[:3] == (2, 3, Decimal("66.67"))


def test_dossier_crossing_month_boundary(warehouse):
    # HS002: received 29 January, finished late on 3 February
    assert figure(warehouse, "941", "self", "month", "2021-01-01", "DOSSIER_RECEIVED")[0] == 2
    assert figure(warehouse, "941", "self", "month", "2021-01-01", "DOSSIER_LATE")[0] == 0
    assert figure(warehouse, "941", "self", "month", "2021-02-01", "DOSSIER_LATE")[0] == 2


def test_procedure_stocks_follow_snapshots_and_effective_dates(warehouse):
    month = ("941", "self", "month")
    assert figure(warehouse, *month, "2021-01-01", "PROC_TOTAL")[0] == 4
    assert figure(warehouse, *month, "2021-02-01", "PROC_TOTAL")[0] == 3  # abolition effective
    assert figure(warehouse, *month, "2021-03-01", "PROC_TOTAL")[0] == 4  # new snapshot
    published = figure(warehouse, *month, "2021-02-01", "PROC_PUBLISHED_RATE")
    assert published[:3] == (2, 3, Decimal("66.67"))
    assert figure(warehouse, *month, "2021-03-01", "PROC_ONLINE_FULL")[0] == 2
    assert figure(warehouse, *month, "2020-12-01", "PROC_TOTAL")[0] == 0  # before any snapshot


def test_procedure_changes_by_decision_date(warehouse):
    assert figure(warehouse, "941", "self", "year", "2020-01-01", "PROC_CHANGED")[0] == 2
    assert figure(warehouse, "941", "self", "year", "2021-01-01", "PROC_CHANGED")[0] == 3
    assert figure(warehouse, "941", "self", "year", "2021-01-01", "PROC_ABOLISHED")[0] == 1


def test_area_documents(warehouse):
    q1 = ("941", "area", "quarter", "2021-01-01")
    assert figure(warehouse, *q1, "DOC_SENT")[0] == 4
    assert figure(warehouse, *q1, "DOC_ELECTRONIC")[0] == 2
    assert figure(warehouse, *q1, "DOC_ELECTRONIC_RATE")[:3] == (2, 4, Decimal("50.00"))
    assert figure(warehouse, *q1, "DOC_SIGNED_RATE")[:3] == (3, 4, Decimal("75.00"))


def test_unit_history(warehouse):
    june = figure(warehouse, "31513", "self", "month", "2021-06-01", "PROC_TOTAL")
    july = figure(warehouse, "31513", "self", "month", "2021-07-01", "PROC_TOTAL")
    assert (june[5], july[5]) == ("Phường 2", "Phường Hai")
    # Phường 3 ceased on 2021-06-30: no rows after, a zero stock at the end of 2021
    assert figure(warehouse, "31516", "self", "quarter", "2021-04-01", "PROC_TOTAL")[0] == 1
    assert figure(warehouse, "31516", "self", "year", "2021-01-01", "PROC_TOTAL")[0] == 0
    later = warehouse.execute(
        "select count(*) from marts.indicator_values"
        " where unit_code = '31516' and period_start >= '2021-07-01'"
    ).fetchone()
    assert later == (0,)
    assert figure(warehouse, "941", "area", "year", "2021-01-01", "PROC_TOTAL")[0] == 7


def test_dense_grid(warehouse):
    (rows,) = warehouse.execute("select count(*) from marts.indicator_values").fetchone()
    # 2020-2021: 24 months + 8 quarters + 2 years = 34 periods for the 3 lasting units;
    # Phường 3 (until 2021-06-30): 18 months + 6 quarters + 2 years; 2 scopes x 20 codes
    assert rows == (3 * 34 + 26) * 2 * 20


def test_dossier_current_state(warehouse):
    rows = dict(
        warehouse.execute(
            "select dossier_code, status || ' ' || coalesce(timeliness, '-')"
            " from marts.fct_dossier where unit_code = '941'"
        ).fetchall()
    )
    assert rows["HS001"] == "9 on_time"  # finished at 20:00 on its due date
    assert rows["HS002"] == "10 late"  # older row delivered later does not win
    assert rows["HS003"] == "9 on_time"  # no due_at: due the day received
    assert rows["HS006"] == "10 early"
    assert rows["HS007"] == "9 late"  # same updated_at: later export wins


def test_reconciliation_statuses(warehouse):
    statuses = dict(
        warehouse.execute(
            "select source_file || '#' || source_row, status from marts.reconciliation"
        ).fetchall()
    )
    assert statuses == {
        "941/reports/2021-04-05.csv#2": "agrees",
        "941/reports/2021-04-05.csv#3": "agrees",
        "941/reports/2021-04-05.csv#4": "counts_differ",
        "941/reports/2021-04-05.csv#5": "rate_mismatch",
        "941/reports/2021-04-05.csv#6": "unknown_indicator",
        "941/reports/2021-04-05.csv#7": "unknown_period",
        "941/reports/2021-04-05.csv#8": "unknown_period",
        "31510/reports/2021-02-01.jsonl#1": "agrees",
    }


def test_indicator_values_contract_types(warehouse):
    columns = warehouse.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'indicator_values'"
        " order by ordinal_position"
    ).fetchall()
    assert columns == [
        ("unit_code", "VARCHAR"),
        ("unit_name", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("period_type", "VARCHAR"),
        ("period_start", "DATE"),
        ("period_end", "DATE"),
        ("indicator_code", "VARCHAR"),
        ("numerator", "BIGINT"),
        ("denominator", "BIGINT"),
        ("value", "DECIMAL(9,2)"),
        ("target", "DECIMAL(9,2)"),
        ("meets_target", "BOOLEAN"),
    ]
