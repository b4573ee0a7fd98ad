"""Reports across the July 2025 reorganisation, on a tiny published file written by hand
(`reorg_published`), like tests/unit/test_reports_data.py's but with a reused code, a
rebased and an incomplete unit (issue 17, reports).

The world, January 2024 to December 2025 (24 months):

    until 2025-06-30                          from 2025-07-01
    92  Thành phố Cần Thơ (province)           92  Thành phố Cần Thơ (province)
      941 Thành phố Sóc Trăng (city)             31510 Phường Phú Lợi   (reuses old Phường 2's code)
        31495 Phường 1                           31684 Phường Mỹ Xuyên
        31510 Phường 2
        31501 Phường 3
        31504 Phường 4

Successions on 2025-07-01: Phường 1 and Phường 2 pass `whole` into Phường Phú Lợi;
Phường 4 `whole` into Phường Mỹ Xuyên; Phường 3 (a divided commune) and the city 941 pass
only `part` of their territory into Phường Mỹ Xuyên.

Every unit finishes the same number of dossiers each month it exists (FINISHED below), all
on time except one a month at old Phường 2 (reason "Lỗi đường truyền mạng") and one a month
at Phường Phú Lợi ("Chờ ý kiến phối hợp"). So every figure below is a count of months
times a monthly number, and can be checked by hand.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines.reports.charts import render_html
from pipelines.reports.data import (
    BasisNote,
    UnitNotInPeriod,
    basis_lines,
    basis_text,
    build_report,
    compact_names,
    load_snapshot,
    not_in_period_text,
)
from pipelines.reports.excel import HISTORY_SHEET, write_workbook
from pipelines.reports.generate import default_targets, write_reports
from pipelines.reports.headline import late_reason_lines
from pipelines.reports.periods import Period, parse_period
from pipelines.reports.terminal import run
from tests.unit.test_reports_data import rate

PROVINCE, CITY = "92", "941"
P1, P2, P3, P4 = "31495", "31510", "31501", "31504"
PHU_LOI, MY_XUYEN = "31510", "31684"  # Phú Lợi reuses old Phường 2's code
REFORM = dt.date(2025, 7, 1)
LAST_OLD_DAY = dt.date(2025, 6, 30)
MONTHS = [dt.date(2024 + (m // 12), m % 12 + 1, 1) for m in range(24)]
OLD_MONTHS = [m for m in MONTHS if m < REFORM]  # 18 months
NEW_MONTHS = [m for m in MONTHS if m >= REFORM]  # 6 months

# A unit: (code, unit_valid_from (None: since always), name, level, parent code,
# unit_valid_to, dossiers finished a month, of them late)
OLD_P2 = (P2, None, "Phường 2", "ward", CITY, LAST_OLD_DAY, 2, 1)
NEW_P2 = (PHU_LOI, REFORM, "Phường Phú Lợi", "ward", PROVINCE, None, 20, 1)
UNITS = [
    (PROVINCE, None, "Thành phố Cần Thơ", "province", None, None, 10, 0),
    (CITY, None, "Thành phố Sóc Trăng", "city", PROVINCE, LAST_OLD_DAY, 5, 0),
    (P1, None, "Phường 1", "ward", CITY, LAST_OLD_DAY, 1, 0),
    OLD_P2,
    (P3, None, "Phường 3", "ward", CITY, LAST_OLD_DAY, 3, 0),
    (P4, None, "Phường 4", "ward", CITY, LAST_OLD_DAY, 4, 0),
    NEW_P2,
    (MY_XUYEN, REFORM, "Phường Mỹ Xuyên", "ward", PROVINCE, None, 30, 0),
]
LATE_REASON = {OLD_P2: "Lỗi đường truyền mạng", NEW_P2: "Chờ ý kiến phối hợp"}
SUCCESSIONS = [
    # predecessor (code, unit_valid_from, name, level), successor (code, from, name), transfer
    ((P1, None, "Phường 1", "ward"), NEW_P2, "whole"),
    ((P2, None, "Phường 2", "ward"), NEW_P2, "whole"),
    ((P4, None, "Phường 4", "ward"), UNITS[-1], "whole"),
    ((P3, None, "Phường 3", "ward"), UNITS[-1], "part"),
    ((CITY, None, "Thành phố Sóc Trăng", "city"), UNITS[-1], "part"),
]
CATALOG = [
    ("DOSSIER_FINISHED", "Số hồ sơ đã giải quyết", "Dossiers finished", "count", "flow",
     "higher", "dossiers"),
    ("DOSSIER_ONTIME_RATE", "Tỷ lệ hồ sơ giải quyết đúng hạn", "On-time rate", "rate", "flow",
     "higher", "dossiers"),
]  # fmt: skip


def _periods() -> list[tuple[str, dt.date, dt.date, list[dt.date]]]:
    """(type, start, end, its months) for every month, quarter and year of the data."""
    out = []
    for m in MONTHS:
        end = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        out.append(("month", m, end, [m]))
    for year in (2024, 2025):
        for q in range(4):
            start = dt.date(year, 3 * q + 1, 1)
            months = [m for m in MONTHS if m.year == year and (m.month - 1) // 3 == q]
            out.append(("quarter", start, Period(start, "quarter").end, months))
        out.append(("year", dt.date(year, 1, 1), dt.date(year, 12, 31),
                    [m for m in MONTHS if m.year == year]))  # fmt: skip
    return out


def _exists(unit, month: dt.date) -> bool:
    valid_from, valid_to = unit[1], unit[5]
    return (valid_from is None or valid_from <= month) and (valid_to is None or month <= valid_to)


def _under(unit, month: dt.date) -> list:
    """The unit and every unit under it in that month (the hierarchy of the day)."""
    found = [unit]
    for child in UNITS:
        if child[4] == unit[0] and _exists(child, month) and _exists(unit, month):
            found += _under(child, month)
    return found


def _figures(members_by_month: dict[dt.date, list]) -> tuple[int, int]:
    """(finished, on time) summed over the months and their units."""
    finished = sum(u[6] for units in members_by_month.values() for u in units)
    late = sum(u[7] for units in members_by_month.values() for u in units)
    return finished, finished - late


def _row(unit_fields, scope, period, finished, ontime):
    code, valid_from, name = unit_fields
    period_type, start, end, _ = period
    return [
        (code, valid_from, name, scope, period_type, start, end, "DOSSIER_FINISHED", finished,
         None, Decimal(finished), None, None),
        (code, valid_from, name, scope, period_type, start, end, "DOSSIER_ONTIME_RATE", ontime,
         finished, rate(ontime, finished), None, None),
    ]  # fmt: skip


def indicator_rows() -> list[tuple]:
    """indicator_values: each unit, both scopes, every period it existed in (its months
    only); self = its own monthly figures, area = itself and the units under it that month."""
    rows = []
    for period in _periods():
        months = period[3]
        for unit in UNITS:
            mine = [m for m in months if _exists(unit, m)]
            if not mine:
                continue
            for scope in ("self", "area"):
                members = {m: [unit] if scope == "self" else _under(unit, m) for m in mine}
                rows += _row(unit[:3], scope, period, *_figures(members))
    return rows


# Today's units (existing on 2025-12-31) with the units counted on their territory on a
# day before the reform: the unit itself, the units passed `whole` into it (or into a unit
# now under it) and everything under those on that day. For the province that is
# everything (the city and its wards were under it); for Phú Lợi Phường 1 and 2; for Mỹ
# Xuyên Phường 4 only - Phường 3 and the city passed only part, they are left out.
REBASED = {
    # today's unit: (units counted before the reform, basis before it, predecessor_codes)
    UNITS[0]: (UNITS[:6], "rebased", [P1, P2, P4]),
    NEW_P2: ([UNITS[2], OLD_P2], "rebased", [P1, P2]),
    UNITS[-1]: ([UNITS[5]], "incomplete", [P4]),
}


def rebased_rows() -> list[tuple]:
    rows = []
    for today, (before, basis, codes) in REBASED.items():
        for period in _periods():
            months = period[3]
            members = {
                m: ([u for u in before if _exists(u, m)] if m < REFORM else _under(today, m))
                for m in months
            }
            own = period[1] >= REFORM
            for row in _row(today[:3], "area", period, *_figures(members)):
                rows.append((*row, "own" if own else basis, [] if own else codes))
    return rows


def late_rows() -> tuple[list[tuple], list[tuple]]:
    """(late_dossiers, late_dossier_reasons): one late dossier a month at old Phường 2 and
    at Phú Lợi, finished on the 15th; reasons by unit (code and first day), scope, period."""
    dossiers, counts = [], {}
    for unit, reason in LATE_REASON.items():
        for number, month in enumerate(m for m in MONTHS if _exists(unit, m)):
            finished = month.replace(day=15)
            dossiers.append((unit[0], unit[2], f"{unit[0]}-{month:%y%m}-{number:03d}", "1.004227",
                             "Đăng ký khai sinh", month.replace(day=10), month.replace(day=12),
                             finished, 3, 3, reason, "f.csv", 2))  # fmt: skip
            owners = [(unit, "self")] + [(u, "area") for u in UNITS if unit in _under(u, month)]
            for period_type, start, end, months in _periods():
                if month in months:
                    for owner, scope in owners:
                        key = (owner[0], owner[1], owner[2], scope, period_type, start, end,
                               reason)  # fmt: skip
                        counts[key] = counts.get(key, 0) + 1
    return dossiers, [(*key, n) for key, n in counts.items()]


def write_reorg_published(path: Path) -> Path:
    conn = duckdb.connect(str(path))
    try:
        conn.execute(
            """
            CREATE TABLE indicator_values (unit_code VARCHAR, unit_valid_from DATE,
              unit_name VARCHAR, scope VARCHAR, period_type VARCHAR, period_start DATE,
              period_end DATE, indicator_code VARCHAR, numerator BIGINT, denominator BIGINT,
              value DECIMAL(9,2), target DECIMAL(9,2), meets_target BOOLEAN);
            CREATE TABLE indicator_values_rebased AS
              SELECT *, ''::VARCHAR AS basis, []::VARCHAR[] AS predecessor_codes
              FROM indicator_values WHERE false;
            CREATE TABLE indicator_catalog (indicator_code VARCHAR, name_vi VARCHAR,
              name_en VARCHAR, formula VARCHAR, kind VARCHAR, measure VARCHAR,
              direction VARCHAR, source VARCHAR, headline_scope VARCHAR, display_order INTEGER);
            CREATE TABLE dim_unit (unit_version_key VARCHAR, unit_code VARCHAR,
              unit_valid_from DATE, unit_valid_to DATE, unit_key VARCHAR, unit_name VARCHAR,
              unit_level VARCHAR, parent_code VARCHAR, valid_from DATE, valid_to DATE,
              is_current BOOLEAN, csv_encoding VARCHAR);
            CREATE TABLE dim_unit_succession (effective_date DATE, predecessor_code VARCHAR,
              predecessor_valid_from DATE, predecessor_name VARCHAR, predecessor_level VARCHAR,
              successor_code VARCHAR, successor_valid_from DATE, successor_name VARCHAR,
              successor_level VARCHAR, transfer VARCHAR);
            CREATE TABLE late_dossiers (unit_code VARCHAR, unit_name VARCHAR,
              dossier_code VARCHAR, procedure_code VARCHAR, procedure_name VARCHAR,
              received_date DATE, due_date DATE, finished_date DATE, days_late BIGINT,
              working_days_late BIGINT, late_reason VARCHAR, source_file VARCHAR,
              source_row BIGINT);
            CREATE TABLE late_dossier_reasons (unit_code VARCHAR, unit_valid_from DATE,
              unit_name VARCHAR, scope VARCHAR, period_type VARCHAR, period_start DATE,
              period_end DATE, late_reason VARCHAR, dossiers BIGINT);
            CREATE TABLE publication (published_at TIMESTAMP, run_id VARCHAR);
            INSERT INTO publication VALUES ('2026-01-01 02:00:00', 'run-reorg');
            """
        )
        conn.executemany(
            "INSERT INTO indicator_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            indicator_rows(),
        )
        conn.executemany(
            "INSERT INTO indicator_values_rebased VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rebased_rows(),
        )
        conn.executemany(
            "INSERT INTO indicator_catalog VALUES (?, ?, ?, 'f', ?, ?, ?, ?, 'self', ?)",
            [(*c, n) for n, c in enumerate(CATALOG)],
        )
        conn.executemany(
            "INSERT INTO dim_unit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'utf-8')",
            [
                (f"{code}@{valid_from or 'always'}", code, valid_from, valid_to,
                 f"{code}@{valid_from or 'always'}", name, level, parent, valid_from, valid_to,
                 valid_to is None)
                for code, valid_from, name, level, parent, valid_to, *_ in UNITS
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO dim_unit_succession VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (REFORM, *before, after[0], after[1], after[2], after[3], transfer)
                for before, after, transfer in SUCCESSIONS
            ],
        )
        dossiers, reasons = late_rows()
        conn.executemany(
            "INSERT INTO late_dossiers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", dossiers
        )
        conn.executemany(
            "INSERT INTO late_dossier_reasons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", reasons
        )
    finally:
        conn.close()
    return path


@pytest.fixture
def reorg_published(tmp_path) -> Path:
    return write_reorg_published(tmp_path / "par.duckdb")


@pytest.fixture
def snapshot(reorg_published):
    return load_snapshot(reorg_published)


Y2024, Y2025 = parse_period("2024"), parse_period("2025")


def figures(report, unit_key: str, scope: str = "self") -> dict[str, tuple]:
    rows = report.rows.filter((pl.col("unit_key") == unit_key) & (pl.col("scope") == scope))
    return {r[0]: r[1:] for r in rows.select("indicator_code", "numerator", "denominator").rows()}


# --- a reused code: the unit of the period, never both added together -------------------


def test_a_reused_code_is_the_unit_existing_in_the_period(snapshot):
    # 2024: only old Phường 2 has the code: 2 finished a month, 1 of them late -> 24, 12/24
    old = build_report(snapshot, P2, Y2024)
    assert (old.root.name, old.root.key) == ("Phường 2", "31510@always")
    assert figures(old, old.root.key) == {
        "DOSSIER_FINISHED": (24, None),
        "DOSSIER_ONTIME_RATE": (12, 24),
    }
    assert old.same_code == [] and old.code_note() is None
    # 2025-Q1: still old Phường 2 alone (3 months: 6 finished)
    q1 = build_report(snapshot, P2, parse_period("2025-Q1"))
    assert q1.root.name == "Phường 2"
    assert figures(q1, q1.root.key)["DOSSIER_FINISHED"] == (6, None)


def test_in_a_year_with_two_units_of_the_code_the_later_one_unless_named(snapshot):
    # 2025 has both: old Phường 2 (January-June) and Phường Phú Lợi (July-December). By
    # default the one existing on 31/12/2025: Phú Lợi, 20 a month for 6 months = 120, and
    # 19 of 20 on time a month = 114/120 - not 120 + 12 = 132 (the two added together).
    new = build_report(snapshot, PHU_LOI, Y2025)
    assert (new.root.name, new.root.key) == ("Phường Phú Lợi", "31510@2025-07-01")
    assert figures(new, new.root.key) == {
        "DOSSIER_FINISHED": (120, None),
        "DOSSIER_ONTIME_RATE": (114, 120),
    }
    assert new.rows.height == 2  # one row per indicator: a ward has one scope
    assert [u.name for u in new.same_code] == ["Phường 2"]
    assert new.code_note() == (
        "Mã 31510 trong năm 2025 là 2 đơn vị: Phường 2 (có đến 30/06/2025) và Phường Phú Lợi "
        "(có từ 01/07/2025). Số liệu báo cáo này là của Phường Phú Lợi, không cộng với đơn vị "
        "kia; xem đơn vị kia: --unit 31510@2025-06-30."
    )
    # named by a day it existed: old Phường 2's own January-June, 2 x 6 = 12, 6/12 on time
    old = build_report(snapshot, "31510@2024-01-01", Y2025)
    assert old.root.name == "Phường 2"
    assert figures(old, old.root.key) == {
        "DOSSIER_FINISHED": (12, None),
        "DOSSIER_ONTIME_RATE": (6, 12),
    }
    assert [u.name for u in old.same_code] == ["Phường Phú Lợi"]
    assert old.code_note().endswith("xem đơn vị kia: --unit 31510@2025-07-01.")
    # each unit's late dossiers: those finished on its own days (late_dossiers names the
    # code only), one a month
    assert new.late_dossiers.height == 6
    assert new.late_dossiers.get_column("finished_date").min() == dt.date(2025, 7, 15)
    assert new.late_reason_counts("self") == [("Chờ ý kiến phối hợp", 6)]
    assert old.late_dossiers.get_column("finished_date").max() == dt.date(2025, 6, 15)
    assert old.late_reason_counts("self") == [("Lỗi đường truyền mạng", 6)]


def test_both_units_of_the_code_in_one_report_stay_apart(snapshot):
    # The province's 2025 report holds old Phường 2 (under the city) and Phú Lợi (under the
    # province): two units with the code 31510, each with its own figures.
    report = build_report(snapshot, PROVINCE, Y2025)
    assert [(u.name, u.depth) for u in report.units] == [
        ("Thành phố Cần Thơ", 0),
        ("Phường Mỹ Xuyên", 1),
        ("Phường Phú Lợi", 1),
        ("Thành phố Sóc Trăng", 1),
        ("Phường 1", 2),
        ("Phường 2", 2),
        ("Phường 3", 2),
        ("Phường 4", 2),
    ]
    assert figures(report, "31510@2025-07-01")["DOSSIER_FINISHED"] == (120, None)
    assert figures(report, "31510@always")["DOSSIER_FINISHED"] == (12, None)
    # the province's area: January-June 10+5+1+2+3+4 = 25 a month, July-December
    # 10+20+30 = 60 a month: 6 x 25 + 6 x 60 = 510
    assert figures(report, "92@always", "area")["DOSSIER_FINISHED"] == (510, None)
    # its late dossiers: 6 of old Phường 2, 6 of Phú Lợi, each under its own unit
    assert report.late_dossiers.group_by("unit_key").len().sort("unit_key").rows() == [
        ("31510@2025-07-01", 6),
        ("31510@always", 6),
    ]


def test_a_unit_asked_for_a_period_it_did_not_exist_in(snapshot):
    # Mỹ Xuyên was formed on 1 July 2025: it has no 2024; its territory's 2024 is in the
    # history of its own reports
    with pytest.raises(UnitNotInPeriod) as missing:
        build_report(snapshot, MY_XUYEN, Y2024)
    assert not_in_period_text(snapshot, missing.value) == (
        "Phường Mỹ Xuyên (31684) không tồn tại trong năm 2024: đơn vị có từ 01/07/2025. "
        "Số liệu theo địa bàn hiện nay của các kỳ trước khi thành lập: phần “Lịch sử theo "
        "địa bàn hiện nay” trong báo cáo của đơn vị (ví dụ --unit 31684 --period 2025)."
    )
    # old Phường 2, named, after it ended
    with pytest.raises(UnitNotInPeriod) as missing:
        build_report(snapshot, "31510@2025-06-30", parse_period("2025-Q3"))
    assert not_in_period_text(snapshot, missing.value) == (
        "Phường 2 (31510) không tồn tại trong quý 3/2025: đơn vị có đến 30/06/2025."
    )
    # Phú Lợi, named, in 2024 (old Phường 2 had the code then)
    with pytest.raises(UnitNotInPeriod) as missing:
        build_report(snapshot, "31510@2025-07-01", Y2024)
    assert not_in_period_text(snapshot, missing.value).startswith(
        "Phường Phú Lợi (31510) không tồn tại trong năm 2024: đơn vị có từ 01/07/2025. "
    )


# --- history on today's territory ------------------------------------------------------


def history(report) -> dict[tuple[str, str], tuple]:
    return {
        (Period(r["period_start"], r["period_type"]).label, r["indicator_code"]): (
            r["numerator"],
            r["denominator"],
        )
        for r in report.history.iter_rows(named=True)
    }


def test_a_merged_ward_has_its_history_back_to_the_start_of_the_data(snapshot):
    report = build_report(snapshot, PHU_LOI, Y2025)
    assert [p.label for p in report.history_periods()] == ["2024", "2025"]
    assert history(report) == {
        # 2024: Phường 1 (1 a month, on time) + Phường 2 (2 a month, 1 late): 12 + 24 = 36,
        # on time 12 + 12 = 24
        ("2024", "DOSSIER_FINISHED"): (36, None),
        ("2024", "DOSSIER_ONTIME_RATE"): (24, 36),
        # 2025: January-June as 2024 (6 x 3 = 18, 12 on time), then Phú Lợi's own 120 (114)
        ("2025", "DOSSIER_FINISHED"): (138, None),
        ("2025", "DOSSIER_ONTIME_RATE"): (126, 138),
    }
    assert [basis_text(n) for n in report.history_notes] == [
        "gộp từ Phường 1, 2",
        "gộp từ Phường 1, 2",
    ]
    # by quarter: 2025-Q3 and Q4 are its own (nothing said), the six before are merged
    quarter = build_report(snapshot, PHU_LOI, parse_period("2025-Q4"))
    notes = [(n.period.label, basis_text(n)) for n in quarter.history_notes]
    assert notes[0] == ("2024-Q1", "gộp từ Phường 1, 2")
    assert notes[-3:] == [("2025-Q2", "gộp từ Phường 1, 2"), ("2025-Q3", ""), ("2025-Q4", "")]
    # said once for the six quarters before the reform, nothing for its own two
    assert basis_lines(quarter.history_notes) == [("2024-Q1 – 2025-Q2", "gộp từ Phường 1, 2")]
    # 2024-Q4: 3 months x (1 + 2) = 9
    assert history(quarter)[("2024-Q4", "DOSSIER_FINISHED")] == (9, None)
    # old Phường 2 is not one of today's units: no history
    assert not build_report(snapshot, "31510@2024-01-01", Y2025).has_history


def test_an_incomplete_ward_names_who_is_left_out(snapshot):
    report = build_report(snapshot, MY_XUYEN, Y2025)
    # 2024: Phường 4 only, 4 a month = 48; 2025: 6 x 4 + 6 x 30 = 204
    assert history(report)[("2024", "DOSSIER_FINISHED")] == (48, None)
    assert history(report)[("2025", "DOSSIER_FINISHED")] == (204, None)
    # Phường 3 and the city passed only part of their territory: their figures cannot be
    # split, they are left out, with their level
    expected = (
        "chưa đầy đủ: phần của Phường 3 (cấp xã), Thành phố Sóc Trăng (cấp huyện) không tách "
        "được; gộp từ Phường 4"
    )
    assert [basis_text(n) for n in report.history_notes] == [expected, expected]
    assert basis_text(report.history_notes[0], "en") == (
        "incomplete: the part of Phường 3 (commune level), Thành phố Sóc Trăng (district "
        "level) cannot be split off; merged from Phường 4"
    )


def test_the_province_history_compacts_the_names(snapshot):
    report = build_report(snapshot, PROVINCE, Y2025)
    # everything was under the province before the reform: 25 a month in 2024 = 300; the
    # predecessors reached through successions are Phường 1, 2 and 4
    assert history(report)[("2024", "DOSSIER_FINISHED")] == (300, None)
    assert basis_text(report.history_notes[0]) == "gộp từ Phường 1, 2, 4"


def test_basis_words():
    assert compact_names(["Phường 4", "Phường 2", "Phường 10", "Phường 1"]) == (
        "Phường 1, 2, 4, 10"
    )
    assert compact_names(["Xã Đại Tâm", "Thị trấn Mỹ Xuyên", "Phường 10"]) == (
        "Phường 10, Thị trấn Mỹ Xuyên, Xã Đại Tâm"
    )
    # decomposed input (NFD) comes out composed
    assert compact_names(["Phu\u031bo\u031b\u0300ng 1", "Phường 2"]) == "Phường 1, 2"
    period = parse_period("2024")
    assert basis_text(BasisNote(period, "own")) == ""
    merged = BasisNote(period, "rebased", ("Phường 1", "Phường 2", "Phường 3", "Phường 4"))
    assert basis_text(merged) == "gộp từ Phường 1, 2, 3, 4"
    note = BasisNote(period, "incomplete", (), (("Thành phố Sóc Trăng", "city"),))
    assert basis_text(note) == (
        "chưa đầy đủ: phần của Thành phố Sóc Trăng (cấp huyện) không tách được"
    )


# --- the three outputs -----------------------------------------------------------------


def report_text(published, *args, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(published, *args, stdout=out, stderr=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_par_report_of_a_reused_code(reorg_published):
    code, out, err = report_text(reorg_published, PHU_LOI, "2025", width=100)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Phường Phú Lợi (31510) — Năm 2025 (01/01/2025 – 31/12/2025)"
    assert "Mã 31510 trong năm 2025 là 2 đơn vị" in " ".join(lines[2:6])
    assert next(li for li in lines if li.startswith("Số hồ sơ đã giải quyết")).split()[-1] == (
        "120"
    )
    # the history: a column per year, then the basis of each period not its own
    at = lines.index("[Lịch sử theo địa bàn hiện nay (toàn địa bàn)]")
    table = lines[at:]
    header = next(li for li in table if li.startswith("Chỉ tiêu"))
    assert header.split()[-2:] == ["2024", "2025"]
    row = next(li for li in table if li.startswith("Số hồ sơ đã giải quyết"))
    assert row.split()[-2:] == ["36", "138"]
    row = next(li for li in table if li.startswith("Tỷ lệ hồ sơ giải quyết đúng hạn"))
    assert row.split()[-4:] == ["66,67", "%", "91,30", "%"]  # 24/36, 126/138
    # both years merged from the same wards: said once for the two
    assert "    2024 – 2025: gộp từ Phường 1, 2" in table
    # old Phường 2 by a day it existed; without a date, for 2024, it is the only one
    code, out, _ = report_text(reorg_published, "31510@2024-01-01", "2025", width=100)
    assert code == 0 and out.startswith("Phường 2 (31510) — Năm 2025")
    assert "Lịch sử" not in out
    code, out, _ = report_text(reorg_published, P2, "2024", width=100)
    assert code == 0 and out.startswith("Phường 2 (31510) — Năm 2024")
    assert "là 2 đơn vị" not in out


def test_par_report_says_when_a_unit_did_not_exist(reorg_published):
    code, out, err = report_text(reorg_published, MY_XUYEN, "2024")
    assert (code, out) == (2, "")
    assert err.startswith("Phường Mỹ Xuyên (31684) không tồn tại trong năm 2024")
    # an unknown code lists the units of the period, both units of 31510 told apart
    code, _, err = report_text(reorg_published, "999", "2025")
    assert code == 2
    assert "  31510             Phường Phú Lợi (có từ 01/07/2025)" in err.splitlines()
    assert "  31510@2025-06-30  Phường 2 (có đến 30/06/2025)" in err.splitlines()


def test_workbook_and_page_of_a_merged_ward(snapshot, tmp_path):
    report = build_report(snapshot, MY_XUYEN, Y2025)
    path = tmp_path / "par_31684_2025.xlsx"
    # 2 indicators + 2 x 2 history figures (no late dossiers: none at Mỹ Xuyên)
    assert write_workbook(report, path) == 2 + 4
    book = openpyxl.load_workbook(path)
    sheet = book[HISTORY_SHEET]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert [(r[0], r[3], r[5], r[7]) for r in rows] == [
        ("Năm 2024", "DOSSIER_FINISHED", 48, 48),
        ("Năm 2024", "DOSSIER_ONTIME_RATE", 48, 100),
        ("Năm 2025", "DOSSIER_FINISHED", 204, 204),
        ("Năm 2025", "DOSSIER_ONTIME_RATE", 204, 100),
    ]
    assert rows[0][-1].startswith("chưa đầy đủ: phần của Phường 3 (cấp xã), Thành phố Sóc")
    cover = [c for r in book["Thông tin"].iter_rows(values_only=True) for c in r if c]
    assert (
        "2024 – 2025: chưa đầy đủ: phần của Phường 3 (cấp xã), Thành phố Sóc Trăng (cấp "
        "huyện) không tách được; gộp từ Phường 4"
    ) in cover
    page, _ = render_html(report)
    assert "Lịch sử theo địa bàn hiện nay (toàn địa bàn)" in page
    assert "gộp từ Phường 4" in page and "Thành phố Sóc Trăng (cấp huyện)" in page


def test_the_workbook_of_a_reused_code_says_which_unit(snapshot, tmp_path):
    report = build_report(snapshot, PHU_LOI, Y2025)
    path = tmp_path / "p.xlsx"
    write_workbook(report, path)
    cover = [c for r in openpyxl.load_workbook(path)["Thông tin"].iter_rows(values_only=True)
             for c in r if c]  # fmt: skip
    assert any("Mã 31510 trong năm 2025 là 2 đơn vị" in str(c) for c in cover)
    page, _ = render_html(report)
    assert "Mã 31510 trong năm 2025 là 2 đơn vị" in page


def test_files_of_the_two_units_of_a_code_do_not_overwrite_each_other(snapshot, tmp_path):
    assert [(u, p.label) for u, p in default_targets(snapshot)] == [
        (PROVINCE, "2024"),
        (PROVINCE, "2025"),
    ]
    progress = write_reports(
        snapshot, tmp_path, targets=[(PHU_LOI, Y2025), ("31510@2024-01-01", Y2025)],
        kinds=("excel",),
    )  # fmt: skip
    assert [f.path.relative_to(tmp_path).as_posix() for f in progress.files] == [
        "31510/2025/par_31510_2025.xlsx",
        "31510@2025-06-30/2025/par_31510@2025-06-30_2025.xlsx",
    ]


def test_headline_late_reasons_of_one_unit_of_a_reused_code(reorg_published):
    conn = duckdb.connect(str(reorg_published), read_only=True)
    try:
        # old Phường 2's own 2025: 6 late, all for the network (not Phú Lợi's 6 as well)
        assert late_reason_lines(conn, 2025, [(P2, None, "Phường 2")]) == [
            "Phường 2, 2025: 6 hồ sơ trễ hạn: lỗi đường truyền mạng (6)"
        ]
        assert late_reason_lines(conn, 2025, [(PHU_LOI, REFORM, "Phường Phú Lợi")]) == [
            "Phường Phú Lợi, 2025: 6 hồ sơ trễ hạn: chờ ý kiến phối hợp (6)"
        ]
    finally:
        conn.close()
