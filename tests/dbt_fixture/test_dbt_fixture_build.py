"""Build the dbt project on the hand-written fixture and check figures worked out by hand.

Slow-ish (one `dbt build`, about half a minute): it is the end-to-end check of the
indicator semantics; the invariants themselves are dbt tests that run inside the build.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.dbt_fixture.conftest import FixtureBuild


@pytest.fixture(scope="module")
def warehouse(fixture_build: FixtureBuild) -> duckdb.DuckDBPyConnection:
    db = fixture_build.db  # the fixture after one whole `dbt build` (conftest.py)
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
    # Phường 3 ceased on 2021-06-30: no rows after. Its 2021 is cut to its days, so its
    # stocks are read on its last day, 2021-06-30: its one snapshot (2021-01-04: 2.000001,
    # status 1, not abolished) -> 1 active procedure for Q2, June and the year alike.
    for period_type, start in (("quarter", "2021-04-01"), ("month", "2021-06-01")):
        assert figure(warehouse, "31516", "self", period_type, start, "PROC_TOTAL")[0] == 1
    assert figure(warehouse, "31516", "self", "year", "2021-01-01", "PROC_TOTAL")[0] == 1
    later = warehouse.execute(
        "select count(*) from marts.indicator_values"
        " where unit_code = '31516' and period_start >= '2021-07-01'"
    ).fetchone()
    assert later == (0,)
    # The city's area is read on the city's last day, 31 December, when 31516 no longer
    # exists: its year stock is not in the city's (which equals the city's Q4 and December).
    assert figure(warehouse, "941", "area", "year", "2021-01-01", "PROC_TOTAL")[0] == 7


def test_dense_grid(warehouse):
    (rows,) = warehouse.execute("select count(*) from marts.indicator_values").fetchone()
    # 2020-2021: 24 months + 8 quarters + 2 years = 34 periods for the 3 lasting units;
    # Phường 3 (until 2021-06-30): 18 months + 6 quarters + 2 years; 2 scopes x 22 codes
    # (the staff lists, all in 2021, add no period)
    assert rows == (3 * 34 + 26) * 2 * 22


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
        # contract: the unit is (unit_code, unit_valid_from) - a code can be reused
        ("unit_valid_from", "DATE"),
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


def test_due_date_flags(warehouse):
    # Expected due date = the procedure's processing_days-th working day after the day
    # received (that day not counted). Days off: weekends, 1 Jan 2021, Tết 10-16 Feb 2021.
    # Flagged: counted, date(due_at) later than that, supplement_count 0.
    #   941 HS001: Tue 5 Jan + 3 (6, 7, 8 Jan) = Fri 8 Jan; due_at Sun 10 Jan: 0 working
    #     days moved; finished 10 Jan: on time as logged, late by the rule.
    #   941 HS005: Mon 15 Feb (Tết) + 15 = 17-19 Feb (3), 22-26 (8), 1-5 Mar (13), 8, 9
    #     Mar (15) = 9 Mar; due_at Mon 15 Mar: 10, 11, 12, 15 Mar = 4; still open.
    #   941 HS006: Sun 20 Dec 2020, before the first snapshot, so version 1 (3 days):
    #     21, 22, 23 Dec = 23 Dec; due_at 30 Dec: 24, 25, 28, 29, 30 = 5; finished 28 Dec:
    #     early as logged, late by the rule.
    #   31510 HS001: Wed 6 Jan + 1 = 7 Jan; due_at 8 Jan = 1; finished 7 Jan: early as
    #     logged, on time by the rule.
    #   31513 HS002 (the Tết dossier): Tue 9 Feb + 1 = Wed 17 Feb; due_at Fri 19 Feb: 18,
    #     19 = 2; finished 18 Feb: early as logged, late by the rule. Named Phường 2, the
    #     ward's name on the day received.
    #   31516 HS001: Mon 1 Feb + 1 = 2 Feb; due_at Fri 5 Feb: 3, 4, 5 = 3; finished 2 Feb.
    # Not flagged: 941 HS002 (due_at 2 Feb before its expected 5 Feb; and a supplement),
    # HS003 (no due_at), HS004 (refused), HS007 (received 10 Feb + 15 = 9 Mar, due_at
    # 19 Feb is earlier); 31510 HS002 (withdrawn); 31513 HS001 (Mon 5 Jul + 1 = 6 Jul,
    # exactly its due_at); 31513 HS003 (moved to 24 Feb, but after a supplement request).
    rows = warehouse.execute(
        """
        select unit_code, unit_name, dossier_code, processing_days,
            cast(expected_due_date as varchar), cast(recorded_due_date as varchar),
            days_moved, timeliness_as_logged, timeliness_by_rule
        from marts.due_date_flags order by unit_code, dossier_code
        """
    ).fetchall()
    assert rows == [
        ("31510", "Phường 1", "HS001", 1, "2021-01-07", "2021-01-08", 1, "early", "on_time"),
        ("31513", "Phường 2", "HS002", 1, "2021-02-17", "2021-02-19", 2, "early", "late"),
        ("31516", "Phường 3", "HS001", 1, "2021-02-02", "2021-02-05", 3, "early", "on_time"),
        (
            "941",
            "Thành phố Sóc Trăng",
            "HS001",
            3,
            "2021-01-08",
            "2021-01-10",
            0,
            "on_time",
            "late",
        ),
        ("941", "Thành phố Sóc Trăng", "HS005", 15, "2021-03-09", "2021-03-15", 4, None, None),
        ("941", "Thành phố Sóc Trăng", "HS006", 3, "2020-12-23", "2020-12-30", 5, "early", "late"),
    ]


def test_due_date_flag_summary(warehouse):
    # (checked, moved, with supplement, flagged, flagged finished, late by rule, on time
    # as logged but late by rule) per unit and year received; see test_due_date_flags.
    # 941 2021 checks HS001, HS002, HS005, HS007 (HS003 has no due_at, HS004 is refused);
    # 31513 2021 checks HS001, HS002, HS003 of which HS003 moved after a supplement.
    rows = warehouse.execute(
        """
        select unit_code, received_year, dossiers_checked, due_dates_moved,
            moved_with_supplement, flagged_dossiers, flagged_finished,
            flagged_late_by_rule, flagged_on_time_as_logged_late_by_rule
        from marts.due_date_flag_summary where received_year = 2021 or unit_code = '941'
        order by unit_code, received_year
        """
    ).fetchall()
    assert rows == [
        ("31510", 2021, 1, 1, 0, 1, 1, 0, 0),
        ("31513", 2021, 3, 2, 1, 1, 1, 1, 1),
        ("31516", 2021, 1, 1, 0, 1, 1, 0, 0),
        ("941", 2020, 1, 1, 0, 1, 1, 1, 1),
        ("941", 2021, 4, 2, 0, 2, 1, 1, 1),
    ]


def test_fct_dossier_expected_due_dates(warehouse):
    rows = dict(
        warehouse.execute(
            "select dossier_code, cast(expected_due_date as varchar) || ' '"
            " || coalesce(cast(due_date_moved as varchar), '-')"
            " from marts.fct_dossier where unit_code = '941'"
        ).fetchall()
    )
    assert rows["HS002"] == "2021-02-05 false"  # Fri 29 Jan + 5: 1-5 Feb
    assert rows["HS003"] == "2021-03-15 -"  # Wed 10 Mar + 3: 11, 12, 15 Mar; no due_at
    assert rows["HS007"] == "2021-03-09 false"  # received during Tết


def test_calendar_runs_a_year_past_the_data(warehouse):
    first, last, data_days, numbers = warehouse.execute(
        "select min(date_day), max(date_day), count(*) filter (where is_in_data_years),"
        " count(distinct working_day_number) filter (where is_working_day)"
        " from marts.dim_calendar"
    ).fetchone()
    assert (str(first), str(last), data_days) == ("2020-01-01", "2022-12-31", 731)
    (working,) = warehouse.execute(
        "select count(*) from marts.dim_calendar where is_working_day"
    ).fetchone()
    assert numbers == working


# Staff lists (raw_rows.sql). Only serving officials (status 1) count; a blank yes/no is no.
#   941 list of 2021-01-04 (the _fix file's CB03 row, with a mailbox, wins over the
#     original's): CB01 leader, mailbox, certificate; CB02 leader, mailbox; CB03 mailbox;
#     CB04 nothing; CB05 left (not counted) -> mailbox 3 / 4 serving, certificate
#     1 / 2 leaders.
#   941 list of 2021-02-15: CB04 left; CB06 (leader, neither tool) and CB07 (mailbox)
#     came -> CB01, CB02, CB03, CB06, CB07 serve: mailbox 4 / 5, certificate 1 / 3.
#   941 list of 2021-11-01: as February, CB06 has a certificate -> 4 / 5 and 2 / 3.
#   31510 list of 2021-01-15: leader with both; mailbox; mailbox blank -> 2 / 3, 1 / 1.
#   31516 list of 2021-03-01: leader with a mailbox only; mailbox -> 2 / 2, 0 / 1; the ward
#     ends on 2021-06-30, so its periods are read on their last day of the ward: its Q2,
#     June and 2021 year all on 30 June, the list of 2021-03-01.
#   31513: no list -> 0 / 0, value null, every period (as PROC_PUBLISHED_RATE before a
#     unit's first catalogue snapshot).
EMAIL, SIGNING = "STAFF_EMAIL_RATE", "STAFF_LEADER_SIGNING_RATE"


def rate(con, unit, scope, period_type, period_start, code):
    return figure(con, unit, scope, period_type, period_start, code)[:3]


def test_staff_rates_read_the_list_in_force_on_the_period_end(warehouse):
    city = ("941", "self")
    # January ends on the 31st: the list of 4 January is in force.
    assert rate(warehouse, *city, "month", "2021-01-01", EMAIL) == (3, 4, Decimal("75.00"))
    assert rate(warehouse, *city, "month", "2021-01-01", SIGNING) == (1, 2, Decimal("50.00"))
    # February (28th) and the first quarter (31 March): the list of 15 February.
    for period_type in ("month", "quarter"):
        start = "2021-02-01" if period_type == "month" else "2021-01-01"
        assert rate(warehouse, *city, period_type, start, EMAIL) == (4, 5, Decimal("80.00"))
        assert rate(warehouse, *city, period_type, start, SIGNING) == (1, 3, Decimal("33.33"))
    # The year (31 December): the latest list up to then, of 1 November; the same as Q4.
    for period_type, start in (("year", "2021-01-01"), ("quarter", "2021-10-01")):
        assert rate(warehouse, *city, period_type, start, EMAIL) == (4, 5, Decimal("80.00"))
        assert rate(warehouse, *city, period_type, start, SIGNING) == (2, 3, Decimal("66.67"))
    # Before the city's first list: 0 / 0, no value.
    assert rate(warehouse, *city, "year", "2020-01-01", EMAIL) == (0, 0, None)
    assert rate(warehouse, *city, "month", "2020-12-01", SIGNING) == (0, 0, None)


def test_staff_rates_of_the_wards(warehouse):
    assert rate(warehouse, "31510", "self", "year", "2021-01-01", EMAIL) == (2, 3, Decimal("66.67"))
    assert rate(warehouse, "31510", "self", "year", "2021-01-01", SIGNING) == (
        1,
        1,
        Decimal("100.00"),
    )
    # Phường 3: its list from March to its end. It ended on 2021-06-30, so its Q2 and its
    # 2021 year are both read on that day (its last day in each): the latest list on or
    # before it is the one of 2021-03-01 (raw_rows.sql): P3-01, Chủ tịch, a leader, serving
    # (status 1), mailbox yes, certificate no; P3-02, not a leader, serving, mailbox yes.
    # Mailbox: 2 of 2 serving -> 2 / 2, 100.00; certificate: 0 of 1 serving leader -> 0 / 1,
    # 0.00. (Read on 31 December, as before, the ward had no list: 0 / 0.)
    for period_type, start in (("quarter", "2021-04-01"), ("year", "2021-01-01")):
        ward = ("31516", "self", period_type, start)
        assert rate(warehouse, *ward, EMAIL) == (2, 2, Decimal("100.00"))
        assert rate(warehouse, *ward, SIGNING) == (0, 1, Decimal("0.00"))
    assert rate(warehouse, "31516", "self", "month", "2021-02-01", EMAIL) == (0, 0, None)
    # Phường 2 / Phường Hai delivered no list.
    assert rate(warehouse, "31513", "area", "year", "2021-01-01", SIGNING) == (0, 0, None)


def test_staff_rates_of_the_city_area(warehouse):
    area = ("941", "area")
    # January: city 3/4 and 1/2 + 31510 2/3 and 1/1 (31516's list comes in March).
    assert rate(warehouse, *area, "month", "2021-01-01", EMAIL) == (5, 7, Decimal("71.43"))
    assert rate(warehouse, *area, "month", "2021-01-01", SIGNING) == (2, 3, Decimal("66.67"))
    # Q1: city 4/5 and 1/3 + 31510 2/3 and 1/1 + 31516 2/2 and 0/1.
    assert rate(warehouse, *area, "quarter", "2021-01-01", EMAIL) == (8, 10, Decimal("80.00"))
    assert rate(warehouse, *area, "quarter", "2021-01-01", SIGNING) == (2, 5, Decimal("40.00"))
    # The year, read on 31 December: city 4/5 and 2/3 + 31510 2/3 and 1/1 (31516 no longer
    # exists that day: its own year row reads 30 June and is not under the city then;
    # 31513 has none).
    assert rate(warehouse, *area, "year", "2021-01-01", EMAIL) == (6, 8, Decimal("75.00"))
    assert rate(warehouse, *area, "year", "2021-01-01", SIGNING) == (3, 4, Decimal("75.00"))


def test_staff_indicators_in_the_catalogue(warehouse):
    rows = warehouse.execute(
        "select indicator_code, kind, measure, direction, source, display_order, headline_scope"
        " from marts.indicator_catalog where source = 'staff' order by display_order"
    ).fetchall()
    assert rows == [
        (EMAIL, "rate", "stock", "higher", "staff", 21, "area"),
        (SIGNING, "rate", "stock", "higher", "staff", 22, "area"),
    ]


# Late dossiers (raw_rows.sql), as DOSSIER_LATE counts them:
#   941 HS002: due Tue 2 Feb 2021, finished Wed 3 Feb: 1 day, 1 working day; reason given.
#   941 HS007: due Fri 19 Feb, finished Sat 20 Feb: 1 day, 0 working days; the reason left
#     blank in the winning row: null.
#   31513 HS001: due Tue 6 Jul, finished Thu 8 Jul: 2 days, 2 working days (7, 8 Jul); the
#     reason delivered decomposed with spaces around, published NFC and trimmed; the ward
#     is Phường Hai on that day.
NETWORK = "Lỗi đường truyền mạng"
WAITING = "Chờ ý kiến của cơ quan phối hợp"


def test_late_dossiers(warehouse):
    rows = warehouse.execute(
        """
        select unit_code, unit_name, dossier_code, procedure_code, procedure_name,
            cast(received_date as varchar), cast(due_date as varchar),
            cast(finished_date as varchar), days_late, working_days_late, late_reason
        from marts.late_dossiers order by unit_code, dossier_code
        """
    ).fetchall()
    assert rows == [
        (
            "31513",
            "Phường Hai",
            "HS001",
            "2.000001",
            "Chứng thực bản sao từ bản chính",
            "2021-07-05",
            "2021-07-06",
            "2021-07-08",
            2,
            2,
            WAITING,
        ),
        (
            "941",
            "Thành phố Sóc Trăng",
            "HS002",
            "1.000002",
            "Đăng ký khai sinh có yếu tố nước ngoài",
            "2021-01-29",
            "2021-02-02",
            "2021-02-03",
            1,
            1,
            NETWORK,
        ),
        (
            "941",
            "Thành phố Sóc Trăng",
            "HS007",
            "1.000003",
            "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            "2021-02-10",
            "2021-02-19",
            "2021-02-20",
            1,
            0,
            None,
        ),
    ]
    columns = {
        name
        for (name,) in warehouse.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'late_dossiers'"
        ).fetchall()
    }
    assert not columns & {"applicant_id_hash", "applicant_id_kind"}


def test_late_dossier_reasons(warehouse):
    rows = warehouse.execute(
        """
        select unit_code, scope, period_type, cast(period_start as varchar), late_reason,
            dossiers
        from marts.late_dossier_reasons
        where unit_code = '941' or scope = 'self'
        order by unit_code, scope, period_type, period_start, late_reason nulls last
        """
    ).fetchall()
    assert rows == [
        # the ward: its own desk (its area is the same)
        ("31513", "self", "month", "2021-07-01", WAITING, 1),
        ("31513", "self", "quarter", "2021-07-01", WAITING, 1),
        ("31513", "self", "year", "2021-01-01", WAITING, 1),
        # the city's area: its own two in February and the ward's in July
        ("941", "area", "month", "2021-02-01", NETWORK, 1),
        ("941", "area", "month", "2021-02-01", None, 1),
        ("941", "area", "month", "2021-07-01", WAITING, 1),
        ("941", "area", "quarter", "2021-01-01", NETWORK, 1),
        ("941", "area", "quarter", "2021-01-01", None, 1),
        ("941", "area", "quarter", "2021-07-01", WAITING, 1),
        ("941", "area", "year", "2021-01-01", WAITING, 1),
        ("941", "area", "year", "2021-01-01", NETWORK, 1),
        ("941", "area", "year", "2021-01-01", None, 1),
        ("941", "self", "month", "2021-02-01", NETWORK, 1),
        ("941", "self", "month", "2021-02-01", None, 1),
        ("941", "self", "quarter", "2021-01-01", NETWORK, 1),
        ("941", "self", "quarter", "2021-01-01", None, 1),
        ("941", "self", "year", "2021-01-01", NETWORK, 1),
        ("941", "self", "year", "2021-01-01", None, 1),
    ]
    # next to DOSSIER_LATE: the city's area had 3 late dossiers in 2021
    assert figure(warehouse, "941", "area", "year", "2021-01-01", "DOSSIER_LATE")[0] == 3


def test_the_fixture_build_runs_every_dbt_unit_test(fixture_build):
    """The pipeline's build leaves dbt's unit tests out (pipelines/defs/dbt.py, BUILD_ARGS):
    they check the models' SQL, not the data, so this build is where they run. Every unit
    test of the project must have run here, and passed."""
    import json
    import re

    from pipelines.settings import DBT_MANIFEST

    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    expected = {name for name in manifest.get("unit_tests", {})}
    assert len(expected) >= 10
    summary = re.search(r"Finished running .*?(\d+) unit tests", fixture_build.stdout)
    assert summary and int(summary.group(1)) == len(expected), fixture_build.stdout[-2000:]
