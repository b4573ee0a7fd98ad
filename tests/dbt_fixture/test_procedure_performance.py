"""procedure_performance on the hand-written fixture: rows worked out by hand from
raw_rows.sql, the sums over procedures against indicator_values, the analysts' README
query, and the blocking reconciliation test failing on a corrupted table.

The fixture's counted dossiers, as raw_rows.sql has them (current row of each; due =
date(due_at), else the day received; on time when finished on or before it; level: the
procedure's online level on the day received, from the catalogue snapshot in force then):

| unit  | dossier | procedure | channel | received | finished | due   | level when received |
|-------|---------|-----------|---------|----------|----------|-------|---------------------|
| 941   | HS001   | 1.000001  | online  | 21-01-05 | 21-01-10 | 01-10 | partial ('3')       |
| 941   | HS002   | 1.000002  | desk    | 21-01-29 | 21-02-03 | 02-02 | full ('4'), late    |
| 941   | HS003   | 1.000001  | online  | 21-03-10 | 21-03-10 | 03-10 | full ('TT', 03-01)  |
| 941   | HS005   | 1.000003  | desk    | 21-02-15 | open     |       | none ('2')          |
| 941   | HS006   | 1.000001  | desk    | 20-12-20 | 20-12-28 | 12-30 | partial (earliest)  |
| 941   | HS007   | 1.000003  | desk    | 21-02-10 | 21-02-20 | 02-19 | none, late          |
| 31510 | HS001   | 2.000001  | online  | 21-01-06 | 21-01-07 | 01-08 | partial ('3')       |
| 31513 | HS001   | 2.000001  | desk    | 21-07-05 | 21-07-08 | 07-06 | partial ('MP'), late|
| 31513 | HS002   | 2.000001  | desk    | 21-02-09 | 21-02-18 | 02-19 | partial             |
| 31513 | HS003   | 2.000001  | desk    | 21-02-09 | open     |       | partial             |
| 31516 | HS001   | 2.000001  | online  | 21-02-01 | 21-02-02 | 02-05 | full ('4')          |

HS003 has no due_at (due the day received); HS006 was received before the city's first
catalogue snapshot (4 January 2021), so the procedure's earliest version applies.
Not counted: 941 HS004 (status 3, refused at intake), 31510 HS002 (status 7, withdrawn).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt_fixture.conftest import FixtureBuild
from tests.dbt_fixture.dbt_env import run_dbt

RECONCILIATION_TEST = "procedures_add_up_to_dossier_indicators"

# every unit of the fixture starts on 2020-01-01 (raw_rows.sql): one unit per code
CITY_VALID_FROM = date(2020, 1, 1)

# The README's example for analysts ("Which procedures are most often late?"), as it is
# pasted there; run here on the fixture's marts schema (the published file has the same
# tables in its main schema).
README_MOST_OFTEN_LATE = """
SELECT procedure_code, procedure_name, dossiers_finished, dossiers_late, on_time_rate
FROM procedure_performance
WHERE unit_code = '941' AND period_type = 'year' AND period_start = DATE '2021-01-01'
  AND dossiers_late > 0
ORDER BY dossiers_late DESC, on_time_rate, procedure_code
LIMIT 10
"""
README_MOST_OFTEN_LATE_ANYWHERE = """
SELECT procedure_code, min(procedure_name) AS procedure_name,
       sum(dossiers_finished) AS finished, sum(dossiers_late) AS late,
       round(100.0 * sum(dossiers_late) / sum(dossiers_finished), 2) AS pct_late
FROM procedure_performance
WHERE period_type = 'year' AND period_start = DATE '2021-01-01'
GROUP BY procedure_code
HAVING sum(dossiers_late) > 0
ORDER BY late DESC, pct_late DESC, procedure_code
LIMIT 10
"""

COUNTS = (
    "dossiers_received, dossiers_received_online, dossiers_received_partial, "
    "dossiers_received_online_partial, dossiers_received_full, dossiers_received_online_full, "
    "dossiers_finished, dossiers_on_time, dossiers_late"
)


@pytest.fixture(scope="module")
def built(fixture_build: FixtureBuild) -> Iterator[Path]:
    """The fixture's build file after a whole `dbt build` (models and tests; conftest.py),
    shared: read only."""
    stdout = fixture_build.stdout
    # the reconciliation ran inside the build, blocking, and passed
    assert any(f"PASS {RECONCILIATION_TEST} " in line for line in stdout.splitlines()), stdout[
        -3000:
    ]
    yield fixture_build.db


@pytest.fixture
def con(built: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(str(built), read_only=True)
    conn.execute("SET search_path = 'marts'")
    yield conn
    conn.close()


def row(con, unit, period_type, period_start, procedure) -> dict:
    rows = con.execute(
        f"""
        select unit_valid_from, unit_name, scope, period_end, procedure_name, online_level,
               processing_days,
               {COUNTS}, on_time_rate
        from procedure_performance
        where unit_code = ? and period_type = ? and period_start = ? and procedure_code = ?
        """,
        [unit, period_type, period_start, procedure],
    ).fetchall()
    assert len(rows) == 1, (unit, period_type, period_start, procedure, rows)
    names = [d[0] for d in con.description]
    return dict(zip(names, rows[0], strict=True))


def counts(r: dict) -> tuple:
    """received, online, partial, online partial, full, online full, finished, on time,
    late."""
    return tuple(r[c.strip()] for c in COUNTS.split(","))


def test_city_first_quarter_by_procedure(con):
    # 1.000001: HS001 (received 5 Jan online at level partial, finished on its due date)
    # and HS003 (received 10 Mar online at level full - the snapshot of 1 Mar - and
    # finished that day, due that day as it has no due_at): 2 received, both online, one
    # at each level; 2 finished, both on time. Labelled by the catalogue on 31 March: full.
    r = row(con, "941", "quarter", "2021-01-01", "1.000001")
    assert counts(r) == (2, 2, 1, 1, 1, 1, 2, 2, 0)
    assert r["on_time_rate"] == Decimal("100.00")
    assert (r["procedure_name"], r["online_level"], r["processing_days"]) == (
        "Đăng ký thành lập hộ kinh doanh",
        "full",
        3,
    )
    assert (r["unit_name"], r["scope"], str(r["period_end"])) == (
        "Thành phố Sóc Trăng",
        "self",
        "2021-03-31",
    )
    # 1.000002: HS002 received at the desk (level full), finished late; HS004 was refused
    # at intake and is not counted
    r = row(con, "941", "quarter", "2021-01-01", "1.000002")
    assert counts(r) == (1, 0, 0, 0, 1, 0, 1, 0, 1)
    assert r["on_time_rate"] == Decimal("0.00")
    # 1.000003 (level none): HS005 (open) and HS007 (late) received at the desk
    r = row(con, "941", "quarter", "2021-01-01", "1.000003")
    assert counts(r) == (2, 0, 0, 0, 0, 0, 1, 0, 1)
    assert (r["online_level"], r["processing_days"]) == ("none", 15)


def test_received_and_finished_count_in_their_own_months(con):
    # HS002: received 29 January, finished late 3 February
    january = row(con, "941", "month", "2021-01-01", "1.000002")
    assert counts(january) == (1, 0, 0, 0, 1, 0, 0, 0, 0)
    assert january["on_time_rate"] is None  # nothing finished: no rate
    february = row(con, "941", "month", "2021-02-01", "1.000002")
    assert counts(february) == (0, 0, 0, 0, 0, 0, 1, 0, 1)


def test_a_period_before_the_first_snapshot_takes_the_earliest_version(con):
    # HS006, December 2020, before the city's first catalogue snapshot (4 January 2021):
    # the procedure's earliest version (level '3', partial) gives both its level when
    # received and the row's label
    r = row(con, "941", "year", "2020-01-01", "1.000001")
    assert counts(r) == (1, 0, 1, 0, 0, 0, 1, 1, 0)
    assert r["online_level"] == "partial"


def test_wards(con):
    # 31510: HS001 online, early; HS002 withdrawn, not counted
    r = row(con, "31510", "year", "2021-01-01", "2.000001")
    assert counts(r) == (1, 1, 1, 1, 0, 0, 1, 1, 0)
    # 31513, renamed on 1 July: February under its old name (HS002 finished early, HS003
    # open), July under the new one (HS001 late); the year has all three, 1 of 2 late
    february = row(con, "31513", "month", "2021-02-01", "2.000001")
    assert counts(february) == (2, 0, 2, 0, 0, 0, 1, 1, 0)
    assert february["unit_name"] == "Phường 2"
    july = row(con, "31513", "month", "2021-07-01", "2.000001")
    assert counts(july) == (1, 0, 1, 0, 0, 0, 1, 0, 1)
    assert july["unit_name"] == "Phường Hai"
    # a rename is the same unit (no gap, no succession row): one unit_valid_from
    assert february["unit_valid_from"] == july["unit_valid_from"] == CITY_VALID_FROM
    year = row(con, "31513", "year", "2021-01-01", "2.000001")
    assert counts(year) == (3, 0, 3, 0, 0, 0, 2, 1, 1)
    assert year["on_time_rate"] == Decimal("50.00")
    # 31516 (dissolved after 30 June): HS001 online at level full ('4')
    r = row(con, "31516", "year", "2021-01-01", "2.000001")
    assert counts(r) == (1, 1, 0, 0, 1, 1, 1, 1, 0)


def test_sparse_rows(con):
    # 11 counted dossiers give 25 rows: 941 has 1.000001 in Dec 2020 (month, Q4, 2020),
    # Jan and Mar 2021 (2 months, Q1, 2021); 1.000002 in Jan and Feb (2 months, Q1, 2021);
    # 1.000003 in Feb (month, Q1, 2021) = 3 + 4 + 4 + 3 = 14; 31510 Jan (3); 31513 Feb and
    # July (2 months, Q1, Q3, 2021: 5); 31516 Feb (3)
    assert con.execute("select count(*) from procedure_performance").fetchone() == (25,)


def test_sums_over_procedures_equal_indicator_values(con):
    # the blocking dbt test checks this in the build; here once more, independently
    by_procedure = con.execute(
        """
        select unit_code, unit_valid_from, period_type, period_start,
               sum(dossiers_received), sum(dossiers_finished), sum(dossiers_on_time),
               sum(dossiers_late), sum(dossiers_received_online_partial),
               sum(dossiers_received_partial), sum(dossiers_received_online_full),
               sum(dossiers_received_full)
        from procedure_performance
        group by all
        """
    ).fetchall()
    by_indicator = con.execute(
        """
        select unit_code, unit_valid_from, period_type, period_start,
               sum(numerator) filter (where indicator_code = 'DOSSIER_RECEIVED'),
               sum(numerator) filter (where indicator_code = 'DOSSIER_FINISHED'),
               sum(numerator) filter (where indicator_code = 'DOSSIER_ONTIME'),
               sum(numerator) filter (where indicator_code = 'DOSSIER_LATE'),
               sum(numerator) filter (where indicator_code = 'DOSSIER_ONLINE_RATE_PARTIAL'),
               sum(denominator) filter (where indicator_code = 'DOSSIER_ONLINE_RATE_PARTIAL'),
               sum(numerator) filter (where indicator_code = 'DOSSIER_ONLINE_RATE_FULL'),
               sum(denominator) filter (where indicator_code = 'DOSSIER_ONLINE_RATE_FULL')
        from indicator_values
        where scope = 'self'
        group by all
        """
    ).fetchall()
    # per unit (unit_code, unit_valid_from) and period
    nonzero = {r[:4]: r[4:] for r in by_indicator if any(r[4:])}
    assert {r[:4]: r[4:] for r in by_procedure} == nonzero
    # the fixture's city, Q1 2021 (tests/dbt_fixture/README.md): 5 received, 4 finished,
    # 2 on time, 2 late; online partial 1 / 1 (HS001), online full 1 / 2 (HS003, HS002)
    city = ("941", CITY_VALID_FROM, "quarter", date(2021, 1, 1))
    assert nonzero[city] == (5, 4, 2, 2, 1, 1, 1, 2)


def test_readme_queries(con):
    # the city's own desk in 2021: two procedures with a late dossier each, never on time
    assert con.execute(README_MOST_OFTEN_LATE).fetchall() == [
        ("1.000002", "Đăng ký khai sinh có yếu tố nước ngoài", 1, 1, Decimal("0.00")),
        ("1.000003", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 1, 1, Decimal("0.00")),
    ]
    # every desk in 2021: 2.000001 is the wards' procedure - 4 finished (31510, 31516, and
    # two in 31513), 1 late
    rows = con.execute(README_MOST_OFTEN_LATE_ANYWHERE).fetchall()
    assert [(code, finished, late, float(pct)) for code, _, finished, late, pct in rows] == [
        ("1.000002", 1, 1, 100.0),
        ("1.000003", 1, 1, 100.0),
        ("2.000001", 4, 1, 25.0),
    ]


def test_the_reconciliation_blocks_a_table_that_does_not_add_up(built, tmp_path):
    # a copy of the built file, so the other tests keep the good one
    db = tmp_path / "build.duckdb"
    shutil.copy(built, db)
    if built.with_suffix(".duckdb.wal").exists():
        shutil.copy(built.with_suffix(".duckdb.wal"), db.with_suffix(".duckdb.wal"))
    conn = duckdb.connect(str(db))
    conn.execute(
        # 1. a late dossier too many: the city's 2021 late sum is 3 against DOSSIER_LATE 2
        "UPDATE marts.procedure_performance SET dossiers_late = dossiers_late + 1 "
        "WHERE unit_code = '941' AND period_type = 'year' AND period_start = DATE '2021-01-01' "
        "AND procedure_code = '1.000003';"
        # 2. the only row of Phường Hai's July gone: DOSSIER_RECEIVED 1 against nothing
        "DELETE FROM marts.procedure_performance WHERE unit_code = '31513' "
        "AND period_type = 'month' AND period_start = DATE '2021-07-01';"
        # 3. a row for a period indicator_values does not have (2019)
        "INSERT INTO marts.procedure_performance SELECT * REPLACE (DATE '2019-01-01' AS "
        "period_start, DATE '2019-12-31' AS period_end) FROM marts.procedure_performance "
        "WHERE unit_code = '941' AND period_type = 'year' AND procedure_code = '1.000002';"
        # 4. an online partial dossier lost: 31510's Q1 DOSSIER_ONLINE_RATE_PARTIAL is 1 / 1
        "UPDATE marts.procedure_performance SET dossiers_received_online_partial = 0 "
        "WHERE unit_code = '31510' AND period_type = 'quarter';"
    )
    conn.close()
    tested = run_dbt(["test", "--select", RECONCILIATION_TEST], db, tmp_path)
    assert tested.returncode != 0, tested.stdout[-3000:]
    failed = [line for line in tested.stdout.splitlines() if " FAIL " in line]
    # one failing row per unit code and period: the four corruptions
    assert any(f"FAIL 4 {RECONCILIATION_TEST}" in line for line in failed), failed
