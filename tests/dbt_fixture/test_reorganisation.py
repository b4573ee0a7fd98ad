"""The July 2025 reorganisation on a hand-written fixture (raw_rows_reorg.sql): units as
(unit_code, unit_valid_from), periods cut to a unit's days, handed-over dossiers counted
once (indicator_values and procedure_performance), and indicator_values_rebased - with
figures worked out by hand from the rows.

The fixture (see the map at the top of raw_rows_reorg.sql), all changes on 2025-07-01:
  94 (province) whole -> 92; city 941 (C) and city 916 end without a successor;
  W1 31510 + W2 31513 whole -> N1 31510 (reuses W1's code: a new unit 31510@2025-07-01);
  W3 31516 part -> N2 31507 and part -> N3 31684; W4 31519 whole -> N2;
  31117 moves from 916 to 92 (no succession row: the same unit 31117@2024-01-01).
Dossiers finished (each finished the day after it was received unless said):
  2024-Q4: W1 A01, A02; W2 B01; W3 C01; W4 D01; C E01; 94 F01; 92 G01; 31117 K01
  2025:    W1 A04 (Feb); C E02 (Mar); 31117 K03 (Mar, under 916); 92 G02 (Sep);
           31117 K02 (Aug, under 92); N1 A05 (Aug)
  handed over: A03 received by W1 2025-06-20 (W1's log), finished 2025-07-03 in N1's log
               (same code 31510: one current row for both logs);
               B02 received by W2 2025-06-25, finished 2025-07-02 in N1's log (31510, a
               code W1 had on 2025-06-25 - but W1's log never had B02);
               C02 received by W3 2025-06-28, finished 2025-07-04 in N2's log (31507).
Catalogues: W1 2 active procedures from 2024-01-02; N1 (code 31510) 3 from 2025-07-01;
W4 1 from 2024-01-02.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dbt_fixture.build_raw import HERE, build
from tests.dbt_fixture.dbt_env import run_dbt

ROWS = HERE / "raw_rows_reorg.sql"

OLD = date(2024, 1, 1)  # unit_valid_from of every unit that existed before the reform
NEW = date(2025, 7, 1)  # unit_valid_from of the units it formed
W1, N1 = ("31510", OLD), ("31510", NEW)
W2, W3, W4 = ("31513", OLD), ("31516", OLD), ("31519", OLD)
N2, N3 = ("31507", NEW), ("31684", NEW)
CITY, P94, P92, MOVED = ("941", OLD), ("94", OLD), ("92", OLD), ("31117", OLD)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("dbt_reorg")
    db = tmp / "build.duckdb"
    build(db, rows_sql=ROWS, holiday_years=range(2024, 2027))
    # every model and test, procedure_performance's blocking reconciliation with
    # indicator_values per unit (unit_code, unit_valid_from) included
    result = run_dbt(["build"], db, tmp)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert any(
        "PASS procedures_add_up_to_dossier_indicators " in line
        for line in result.stdout.splitlines()
    ), result.stdout[-3000:]
    return db, tmp


@pytest.fixture(scope="module")
def warehouse(built) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(built[0]), read_only=True)
    yield con
    con.close()


def value(con, unit, scope, period_type, period_start, code, column="numerator"):
    rows = con.execute(
        f"""
        select {column} from marts.indicator_values
        where unit_code = ? and unit_valid_from = ? and scope = ? and period_type = ?
          and period_start = ? and indicator_code = ?
        """,
        [*unit, scope, period_type, period_start, code],
    ).fetchall()
    assert len(rows) == 1, (unit, scope, period_type, period_start, code, rows)
    return rows[0][0]


def rebased(con, unit, period_type, period_start, code):
    rows = con.execute(
        """
        select numerator, basis, predecessor_codes from marts.indicator_values_rebased
        where unit_code = ? and unit_valid_from = ? and period_type = ? and period_start = ?
          and indicator_code = ?
        """,
        [*unit, period_type, period_start, code],
    ).fetchall()
    assert len(rows) == 1, (unit, period_type, period_start, code, rows)
    return rows[0]


def periods(con, unit, period_type):
    rows = con.execute(
        """
        select distinct period_start from marts.indicator_values
        where unit_code = ? and unit_valid_from = ? and period_type = ?
        order by 1
        """,
        [*unit, period_type],
    ).fetchall()
    return [str(row[0]) for row in rows]


def test_units_are_code_and_first_day(warehouse):
    # 31510: W1's row ends 2025-06-30 and N1's starts 2025-07-01 without a gap, but
    # unit_successions names 31510 as a successor on 2025-07-01: two units. 31117's two
    # rows follow each other without a succession row: one unit (moved under 92).
    units = warehouse.execute(
        "select unit_code, unit_valid_from, unit_valid_to, count(*) from marts.dim_unit "
        "where unit_code in ('31510', '31117') group by all order by 1, 2"
    ).fetchall()
    assert units == [
        ("31117", OLD, None, 2),
        ("31510", OLD, date(2025, 6, 30), 1),
        ("31510", NEW, None, 1),
    ]
    graph = warehouse.execute(
        "select predecessor_code, predecessor_valid_from, successor_code, successor_valid_from,"
        " transfer from marts.dim_unit_succession where successor_code = '31510' order by 1"
    ).fetchall()
    assert graph == [("31510", OLD, "31510", NEW, "whole"), ("31513", OLD, "31510", NEW, "whole")]


def test_a_reused_code_is_two_units_with_their_own_periods(warehouse):
    # W1 has 2025's year, Q1-Q2 and January-June; N1 the year, Q3-Q4 and July-December.
    assert periods(warehouse, W1, "quarter")[-2:] == ["2025-01-01", "2025-04-01"]
    assert periods(warehouse, W1, "year") == ["2024-01-01", "2025-01-01"]
    assert periods(warehouse, N1, "quarter") == ["2025-07-01", "2025-10-01"]
    assert periods(warehouse, N1, "year") == ["2025-01-01"]
    assert len(periods(warehouse, N1, "month")) == 6
    # W1 2025: A04 (Feb) finished; N1 2025: A03, B02 (handed over) and A05 finished
    assert value(warehouse, W1, "self", "year", "2025-01-01", "DOSSIER_FINISHED") == 1
    assert value(warehouse, N1, "self", "year", "2025-01-01", "DOSSIER_FINISHED") == 3
    # Stocks are read on the unit's last day in the period. W1 ended 2025-06-30, so its
    # 2025 year, Q2 and June are all read on 2025-06-30: the latest snapshot of code 31510
    # up to then is W1's of 2024-01-02 (2.000001 and 2.000002, status 1, neither
    # abolished; N1's snapshot of 2025-07-01 comes a day later) -> 2 active procedures in
    # each. N1 (from 2025-07-01) reads its year and Q3 on 2025-12-31 and 2025-09-30: its
    # snapshot of 2025-07-01 -> 3.
    for period_type, start in (("year", "2025-01-01"), ("quarter", "2025-04-01")):
        assert value(warehouse, W1, "self", period_type, start, "PROC_TOTAL") == 2
    assert value(warehouse, W1, "self", "month", "2025-06-01", "PROC_TOTAL") == 2
    assert value(warehouse, N1, "self", "year", "2025-01-01", "PROC_TOTAL") == 3
    assert value(warehouse, N1, "self", "quarter", "2025-07-01", "PROC_TOTAL") == 3
    # C (941) ended the same day as W1 and W4, all under it on 2025-06-30: its 2025 area
    # reads that day too, W1's 2 + W4's 1 = 3, as its Q2 area. 92's 2025 area is read on
    # 2025-12-31 and counts only the units under it then (W1 and C are gone): N1's 3.
    for period_type, start in (("year", "2025-01-01"), ("quarter", "2025-04-01")):
        assert value(warehouse, CITY, "area", period_type, start, "PROC_TOTAL") == 3
    assert value(warehouse, P92, "area", "year", "2025-01-01", "PROC_TOTAL") == 3


def test_old_city_covers_january_to_june_only(warehouse):
    # C (941) ends 2025-06-30: a 2025 year row, Q1 and Q2, no Q3 or Q4.
    assert periods(warehouse, CITY, "quarter")[-2:] == ["2025-01-01", "2025-04-01"]
    assert "2025-07-01" not in periods(warehouse, CITY, "quarter")
    assert "2025-01-01" in periods(warehouse, CITY, "year")
    assert periods(warehouse, CITY, "month")[-1] == "2025-06-01"
    # its own desk: E02 (March); its area: E02 + W1's A04 = 2 finished
    assert value(warehouse, CITY, "self", "year", "2025-01-01", "DOSSIER_FINISHED") == 1
    assert value(warehouse, CITY, "area", "year", "2025-01-01", "DOSSIER_FINISHED") == 2
    # received in its area in 2025: E02, A04, and the three handed over later (A03 by W1,
    # B02 by W2, C02 by W3) = 5
    assert value(warehouse, CITY, "area", "year", "2025-01-01", "DOSSIER_RECEIVED") == 5
    # 2024-Q4 area: C's E01 + W1's A01, A02 + W2's B01 + W3's C01 + W4's D01 = 6
    assert value(warehouse, CITY, "area", "quarter", "2024-10-01", "DOSSIER_FINISHED") == 6


def test_handed_over_dossiers_count_once(warehouse):
    # A03: received by W1 (June), finished by N1 (July) - same code, one current row.
    assert value(warehouse, W1, "self", "month", "2025-06-01", "DOSSIER_RECEIVED") == 1
    # B02: received by W2, not by W1 although N1's log shows it under 31510 on a day of W1
    assert value(warehouse, W2, "self", "month", "2025-06-01", "DOSSIER_RECEIVED") == 1
    assert value(warehouse, W1, "self", "year", "2025-01-01", "DOSSIER_RECEIVED") == 2  # A04, A03
    # C02: received by W3, finished by N2, never received by N2
    assert value(warehouse, W3, "self", "year", "2025-01-01", "DOSSIER_RECEIVED") == 1
    assert value(warehouse, W3, "self", "year", "2025-01-01", "DOSSIER_FINISHED") == 0
    assert value(warehouse, N2, "self", "year", "2025-01-01", "DOSSIER_RECEIVED") == 0
    assert value(warehouse, N2, "self", "year", "2025-01-01", "DOSSIER_FINISHED") == 1
    # N1 received only its own A05; it finished A03, B02 and A05
    assert value(warehouse, N1, "self", "quarter", "2025-07-01", "DOSSIER_RECEIVED") == 1
    assert value(warehouse, N1, "self", "quarter", "2025-07-01", "DOSSIER_FINISHED") == 3
    # over every unit's own desk, 2025: 9 dossiers (E02 A04 A03 B02 C02 A05 G02 K02 K03),
    # each received once and finished once
    totals = warehouse.execute(
        "select indicator_code, sum(numerator) from marts.indicator_values "
        "where scope = 'self' and period_type = 'year' and period_start = '2025-01-01' "
        "and indicator_code in ('DOSSIER_RECEIVED', 'DOSSIER_FINISHED') group by 1 order by 1"
    ).fetchall()
    assert totals == [("DOSSIER_FINISHED", 9), ("DOSSIER_RECEIVED", 9)]


def test_rebased_new_ward_from_whole_predecessors(warehouse):
    # N1 in 2024-Q4 = W1 (A01, A02) + W2 (B01) = 3, the sum of their indicator_values rows
    assert rebased(warehouse, N1, "quarter", "2024-10-01", "DOSSIER_FINISHED") == (
        3,
        "rebased",
        ["31510", "31513"],
    )
    w1_w2 = value(warehouse, W1, "area", "quarter", "2024-10-01", "DOSSIER_FINISHED") + value(
        warehouse, W2, "area", "quarter", "2024-10-01", "DOSSIER_FINISHED"
    )
    assert w1_w2 == 3
    # stock on 2024-12-31: W1's 2 procedures + W2's none
    assert rebased(warehouse, N1, "quarter", "2024-10-01", "PROC_TOTAL")[0] == 2
    # 2025: W1 (A04) + W2 (none) until June, N1 (A03, B02, A05) after = 4; received: W1's
    # A04 and A03, W2's B02, N1's A05 = 4 (the handed-over ones once)
    assert rebased(warehouse, N1, "year", "2025-01-01", "DOSSIER_FINISHED")[:2] == (4, "rebased")
    assert rebased(warehouse, N1, "year", "2025-01-01", "DOSSIER_RECEIVED")[0] == 4
    # from its first day on it is its own
    assert rebased(warehouse, N1, "quarter", "2025-07-01", "DOSSIER_FINISHED") == (3, "own", [])


def test_rebased_split_ward_is_incomplete(warehouse):
    # N2 = W4 (whole: D01) + part of W3 (left out: C01 cannot be split) -> 1, incomplete
    assert rebased(warehouse, N2, "quarter", "2024-10-01", "DOSSIER_FINISHED") == (
        1,
        "incomplete",
        ["31519"],
    )
    assert rebased(warehouse, N2, "quarter", "2024-10-01", "PROC_TOTAL")[0] == 1  # W4's
    # N3 = part of W3 only: nothing counted, incomplete, no predecessor counted
    assert rebased(warehouse, N3, "quarter", "2024-10-01", "DOSSIER_FINISHED") == (
        0,
        "incomplete",
        [],
    )


def test_rebased_merged_province(warehouse):
    # 92 absorbed 94 whole: its 2024 territory is everything under 92 (92's G01, 31117's
    # K01: area 2) and under 94 (C's area 6 + 94's F01: area 7) = 9. W3 is inside through
    # 94, so 92 is complete although W3 was split.
    area_92 = value(warehouse, P92, "area", "year", "2024-01-01", "DOSSIER_FINISHED")
    area_94 = value(warehouse, P94, "area", "year", "2024-01-01", "DOSSIER_FINISHED")
    assert (area_92, area_94) == (2, 7)
    assert rebased(warehouse, P92, "year", "2024-01-01", "DOSSIER_FINISHED") == (
        9,
        "rebased",
        ["31510", "31513", "31519", "94"],
    )
    # stock on 2024-12-31: W1's 2 + W4's 1 procedures
    assert rebased(warehouse, P92, "year", "2024-01-01", "PROC_TOTAL")[0] == 3
    # 2025-Q3 is its own: G02 + N1's 3 + N2's C02 + 31117's K02 = 6
    assert rebased(warehouse, P92, "quarter", "2025-07-01", "DOSSIER_FINISHED") == (6, "own", [])


def test_rebased_covers_todays_units_every_period(warehouse):
    # today's units: 92, 31117 (moved), N1, N2, N3; 2 years x (12 + 4 + 1) periods; the
    # catalogue's 22 codes; scope area only
    units = warehouse.execute(
        "select distinct unit_code, unit_valid_from from marts.indicator_values_rebased order by 1"
    ).fetchall()
    assert units == [("31117", OLD), ("31507", NEW), ("31510", NEW), ("31684", NEW), ("92", OLD)]
    count, scopes = warehouse.execute(
        "select count(*), list(distinct scope) from marts.indicator_values_rebased"
    ).fetchone()
    assert (count, scopes) == (5 * 34 * 22, ["area"])
    # 31117 was never reorganised (only moved): every row is its own area row
    bases = warehouse.execute(
        "select distinct basis from marts.indicator_values_rebased where unit_code = '31117'"
    ).fetchall()
    assert bases == [("own",)]


def test_corrupted_rebased_rows_fail_the_blocking_tests(built, tmp_path):
    db = tmp_path / "corrupt.duckdb"
    shutil.copy(built[0], db)
    table = "marts.indicator_values_rebased"
    key = "unit_code = ? and unit_valid_from = ? and period_type = ? and period_start = ?"
    key += " and indicator_code = ?"
    with duckdb.connect(str(db)) as con:
        # an own row that no longer equals its indicator_values row (N1, 2025-Q3)
        con.execute(
            f"update {table} set numerator = numerator + 5 where {key}",
            [*N1, "quarter", "2025-07-01", "DOC_SENT"],
        )
        # a rebased flow counted twice (92, 2024-Q4): conservation no longer holds
        con.execute(
            f"update {table} set numerator = numerator + 1 where {key}",
            [*P92, "quarter", "2024-10-01", "DOC_ELECTRONIC"],
        )
        # a target that is not the one in force
        con.execute(
            f"update {table} set target = 99 where {key}",
            [*N2, "year", "2024-01-01", "DOSSIER_ONLINE_RATE_FULL"],
        )
    result = run_dbt(["test", "--select", "indicator_values_rebased"], db, tmp_path)
    assert result.returncode != 0
    failed = {
        line.split("Failure in test ", 1)[1].split(" ", 1)[0]
        for line in result.stdout.splitlines()
        if "Failure in test " in line
    }
    assert any(name == "rebased_own_rows_equal_indicator_values_rows" for name in failed)
    assert any(name == "rebased_flows_conserved_over_whole_histories" for name in failed)
    assert any(name == "rebased_targets_as_in_indicator_values" for name in failed)


def test_area_follows_the_hierarchy_of_each_day(warehouse):
    # 31117 is under 916 until 2025-06-30 and under 92 from 2025-07-01 (one unit). K03
    # (finished 2025-03-11) counts in 916's area for 2025-Q1 and for 2025 (the year row of
    # a city that ended on 2025-06-30 covers its days, when 31117 was under it); K02
    # (2025-08-06) counts in 92's area directly. 92's 2025 area: G02, K02, K03 (through 916)
    # and N1's 3 and N2's 1 = 7 - the year is the sum of its quarters (Q1: K03; Q3: G02,
    # K02, A03, B02, A05, C02 = 6).
    assert value(warehouse, ("916", OLD), "area", "quarter", "2025-01-01", "DOSSIER_FINISHED") == 1
    assert value(warehouse, ("916", OLD), "area", "year", "2025-01-01", "DOSSIER_FINISHED") == 1
    assert value(warehouse, MOVED, "self", "year", "2025-01-01", "DOSSIER_FINISHED") == 2
    assert value(warehouse, P92, "area", "quarter", "2025-01-01", "DOSSIER_FINISHED") == 1
    assert value(warehouse, P92, "area", "quarter", "2025-07-01", "DOSSIER_FINISHED") == 6
    assert value(warehouse, P92, "area", "year", "2025-01-01", "DOSSIER_FINISHED") == 7


def test_procedure_performance_counts_handed_over_dossiers_once(warehouse):
    # 2025 by procedure at the desks the three handed-over dossiers passed through:
    # A03 (2.000002) received by W1 on 2025-06-20 and finished on 2025-07-03 under the
    # same code 31510, by then N1's: received in W1's row, finished in N1's - two rows for
    # code 31510 told apart by unit_valid_from. B02 (2.000001) received by W2, finished by
    # N1; N1's copy under 31510 is not received by W1 (W1's log never had it) nor by N1.
    # C02 (2.000001) received by W3, finished by N2, not received by N2. W1 also has A04
    # (2.000001, received and finished in February), N1 its own A05 (2.000003).
    rows = warehouse.execute(
        """
        select unit_code, unit_valid_from, procedure_code, procedure_name,
               dossiers_received, dossiers_finished, dossiers_on_time
        from marts.procedure_performance
        where period_type = 'year' and period_start = '2025-01-01'
          and unit_code in ('31510', '31513', '31516', '31507')
        order by 1, 2, 3
        """
    ).fetchall()
    assert rows == [
        ("31507", NEW, "2.000001", None, 0, 1, 1),  # C02 finished; N2 has no catalogue
        ("31510", OLD, "2.000001", "Chứng thực bản sao", 1, 1, 1),  # A04
        ("31510", OLD, "2.000002", "Đăng ký khai sinh", 1, 0, 0),  # A03 received
        ("31510", NEW, "2.000001", "Chứng thực bản sao", 0, 1, 1),  # B02 finished
        ("31510", NEW, "2.000002", "Đăng ký khai sinh", 0, 1, 1),  # A03 finished
        ("31510", NEW, "2.000003", "Đăng ký kết hôn", 1, 1, 1),  # A05
        ("31513", OLD, "2.000001", None, 1, 0, 0),  # B02 received
        ("31516", OLD, "2.000001", None, 1, 0, 0),  # C02 received
    ]
    # W1's 2025 year row is named after W1 (its last registry row), N1's after N1
    names = warehouse.execute(
        "select distinct unit_valid_from, unit_name from marts.procedure_performance "
        "where unit_code = '31510' and period_type = 'year' and period_start = '2025-01-01' "
        "order by 1"
    ).fetchall()
    assert names == [(OLD, "Phường 2"), (NEW, "Phường Phú Lợi")]
    # over every desk, 2025: the 9 dossiers (E02 A04 A03 B02 C02 A05 G02 K02 K03) are each
    # received once and finished once, as in indicator_values
    totals = warehouse.execute(
        "select sum(dossiers_received), sum(dossiers_finished) from marts.procedure_performance "
        "where period_type = 'year' and period_start = '2025-01-01'"
    ).fetchone()
    assert totals == (9, 9)


# 31117 with a catalogue: one active procedure from 2024-01-02 (the fixture gives it none).
MOVED_CATALOGUE = """
insert into raw.procedures
    (unit_code, export_date, source_file, source_row,
     procedure_code, procedure_name, domain, authority_level, service_level, processing_days,
     has_fee, decision_no, decision_date, change_type, effective_date, is_published, status)
values
    ('31117', '2024-01-02', '31117/procedures/2024-01-02.csv', 2,
     '2.000001', 'Chứng thực bản sao', 'Chứng thực', 3, '4', 1,
     false, '12/QĐ-UBND', '2024-01-02', 1, '2024-01-02', true, 1);
"""


def test_a_stock_under_a_parent_that_ended_is_read_on_the_parents_last_day(tmp_path):
    # 916 ends 2025-06-30 and 31117 (the same unit) moves from it to 92 on 2025-07-01. With
    # one procedure for 31117, every stock is read on its unit's last day in the period:
    #   31117 self: 1 in every 2025 period (Q2 and June on 06-30, the year on 12-31).
    #   916 area, read on 916's last day 06-30, when 31117 was under it: June 1, Q2 1, and
    #     the year 1 (916's month holding that day) - a year equals its last quarter and
    #     month, though 31117's own year row (read 12-31) is under 92.
    #   92 area: June 1 (31117 under 916, under 92), the year on 12-31: N1's 3 + 31117's 1.
    rows = tmp_path / "rows.sql"
    rows.write_text(ROWS.read_text("utf-8") + MOVED_CATALOGUE, "utf-8")
    db = tmp_path / "build.duckdb"
    build(db, rows_sql=rows, holiday_years=range(2024, 2027))
    result = run_dbt(["build"], db, tmp_path)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        for period_type, start in (("year", "2025-01-01"), ("quarter", "2025-04-01")):
            assert value(con, MOVED, "self", period_type, start, "PROC_TOTAL") == 1
            assert value(con, ("916", OLD), "area", period_type, start, "PROC_TOTAL") == 1
        assert value(con, ("916", OLD), "area", "month", "2025-06-01", "PROC_TOTAL") == 1
        assert value(con, ("916", OLD), "self", "year", "2025-01-01", "PROC_TOTAL") == 0
        assert value(con, P92, "area", "month", "2025-06-01", "PROC_TOTAL") == 1
        assert value(con, P92, "area", "year", "2025-01-01", "PROC_TOTAL") == 4
    finally:
        con.close()
