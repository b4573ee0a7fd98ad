"""Reading the published file for reports, and a tiny hand-written published file that the
other report tests share (`tiny_published`).

The tiny file: city 900 with wards 90001 and 90002, January and February 2022, six
indicators (two of them staff coverage). Each unit's own monthly figures are in SELF below;
area rows are the sums over the city and its wards, quarters and years the sums of their
months (stocks: the last month), rates recomputed half-up, exactly as the warehouse does.
The late dossiers (LATE) are those the on-time rates imply - the city's one in January, ward
A's one in February - with the tables `late_dossiers` and `late_dossier_reasons` built from
them the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.reports.data import (
    Snapshot,
    UnknownPeriod,
    UnknownUnit,
    build_report,
    late_sentence,
    load_snapshot,
)
from pipelines.reports.periods import Period, parse_period

CITY, WARD_A, WARD_B = "900", "90001", "90002"
NAMES = {CITY: "Thành phố Thử Nghiệm", WARD_A: "Phường An Hòa", WARD_B: "Phường Bình Minh"}
CATALOG = [
    # code, name_vi, name_en, kind, measure, direction, source
    ("PROC_TOTAL", "Số thủ tục hành chính đang có hiệu lực", "Active procedures", "count",
     "stock", "lower", "procedures"),
    ("DOSSIER_ONTIME_RATE", "Tỷ lệ hồ sơ giải quyết đúng hạn", "On-time rate", "rate", "flow",
     "higher", "dossiers"),
    ("DOSSIER_ONLINE_RATE_FULL", "Tỷ lệ hồ sơ trực tuyến toàn trình", "Online rate, full",
     "rate", "flow", "higher", "dossiers"),
    ("DOC_SENT", "Số văn bản đi gửi cơ quan nhà nước", "Documents sent", "count", "flow",
     "higher", "documents"),
    ("STAFF_EMAIL_RATE", "Tỷ lệ cán bộ, công chức được cấp và sử dụng hộp thư công vụ",
     "Share of serving staff with an official mailbox", "rate", "stock", "higher", "staff"),
    ("STAFF_LEADER_SIGNING_RATE", "Tỷ lệ lãnh đạo được cấp chữ ký số",
     "Share of serving leaders with a digital-signing certificate", "rate", "stock", "higher",
     "staff"),
]  # fmt: skip
STAFF_CODES = ("STAFF_EMAIL_RATE", "STAFF_LEADER_SIGNING_RATE")
TARGETS = {"DOSSIER_ONLINE_RATE_FULL": Decimal("15.00")}
# (unit, code) -> [(numerator, denominator) in January, in February]
SELF = {
    (CITY, "PROC_TOTAL"): [(3, None), (3, None)],
    (WARD_A, "PROC_TOTAL"): [(2, None), (2, None)],
    (WARD_B, "PROC_TOTAL"): [(1, None), (1, None)],
    (CITY, "DOSSIER_ONTIME_RATE"): [(1, 2), (1, 1)],
    (WARD_A, "DOSSIER_ONTIME_RATE"): [(1, 1), (0, 1)],
    (WARD_B, "DOSSIER_ONTIME_RATE"): [(1, 1), (0, 0)],
    (CITY, "DOSSIER_ONLINE_RATE_FULL"): [(1, 2), (0, 1)],
    (WARD_A, "DOSSIER_ONLINE_RATE_FULL"): [(1, 1), (0, 0)],
    (WARD_B, "DOSSIER_ONLINE_RATE_FULL"): [(0, 0), (0, 0)],
    (CITY, "DOC_SENT"): [(2, None), (0, None)],
    (WARD_A, "DOC_SENT"): [(1, None), (0, None)],
    (WARD_B, "DOC_SENT"): [(0, None), (0, None)],
    # staff lists as they stood at each month end: (with a mailbox, serving)
    (CITY, "STAFF_EMAIL_RATE"): [(10, 12), (11, 12)],
    (WARD_A, "STAFF_EMAIL_RATE"): [(5, 5), (5, 6)],
    (WARD_B, "STAFF_EMAIL_RATE"): [(4, 4), (4, 4)],
    # (leaders with a signing certificate, serving leaders)
    (CITY, "STAFF_LEADER_SIGNING_RATE"): [(3, 4), (4, 4)],
    (WARD_A, "STAFF_LEADER_SIGNING_RATE"): [(2, 2), (1, 2)],
    (WARD_B, "STAFF_LEADER_SIGNING_RATE"): [(2, 2), (2, 2)],
}
NETWORK_FAILURE = "Lỗi đường truyền mạng"
# unit, dossier, procedure, its name, received, due, finished, days late, working days, reason
LATE = [
    (CITY, "000.00.10.H60-220104-0007", "1.004227", "Đăng ký khai sinh",
     dt.date(2022, 1, 4), dt.date(2022, 1, 6), dt.date(2022, 1, 10), 4, 2, NETWORK_FAILURE),
    (WARD_A, "P1-220207-003", "2.000908", "Chứng thực bản sao từ bản chính",
     dt.date(2022, 2, 7), dt.date(2022, 2, 8), dt.date(2022, 2, 9), 1, 1, None),
]  # fmt: skip
PERIODS = [
    ("month", dt.date(2022, 1, 1), dt.date(2022, 1, 31), [0]),
    ("month", dt.date(2022, 2, 1), dt.date(2022, 2, 28), [1]),
    ("quarter", dt.date(2022, 1, 1), dt.date(2022, 3, 31), [0, 1]),
    ("year", dt.date(2022, 1, 1), dt.date(2022, 12, 31), [0, 1]),
]
PUBLISHED_AT = dt.datetime(2022, 3, 1, 2, 0, 0)


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100 * numerator) / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)


def indicator_rows() -> list[tuple]:
    kinds = {c[0]: (c[3], c[4]) for c in CATALOG}
    rows = []
    for period_type, start, end, months in PERIODS:
        for unit in NAMES:
            for scope in ("self", "area"):
                members = [unit] if scope == "self" or unit != CITY else list(NAMES)
                for code, (kind, measure) in kinds.items():
                    picked = [months[-1]] if measure == "stock" else months
                    numerator = sum(SELF[(m, code)][i][0] for m in members for i in picked)
                    denominator = (
                        sum(SELF[(m, code)][i][1] for m in members for i in picked)
                        if kind == "rate"
                        else None
                    )
                    value = rate(numerator, denominator) if kind == "rate" else Decimal(numerator)
                    target = TARGETS.get(code)
                    meets = None if target is None or value is None else value >= target
                    rows.append(
                        (unit, NAMES[unit], scope, period_type, start, end, code, numerator,
                         denominator, value, target, meets)
                    )  # fmt: skip
    return rows


def late_reason_rows() -> list[tuple]:
    """late_dossier_reasons as the warehouse builds it from LATE: sparse, by finishing month,
    rolled up to quarters and the year, per scope (a unit's area: itself and the units under
    it, as indicator_values)."""
    counts: dict[tuple, int] = {}
    for unit, *_, finished, _days, _working, reason in LATE:
        owners = [(unit, "self")] + [(u, "area") for u in dict.fromkeys((unit, CITY))]
        for period_type, start, end, _ in PERIODS:
            if start <= finished <= end:
                for owner, scope in owners:
                    key = (owner, scope, period_type, start, end, reason)
                    counts[key] = counts.get(key, 0) + 1
    return [(u, NAMES[u], *rest, n) for (u, *rest), n in counts.items()]


def write_tiny_published(
    path: Path, *, optional_tables: bool = True, staff: bool = True, late_tables: bool = True
) -> Path:
    """The tiny published file. `optional_tables=False`: an older file without ingest
    summary, reconciliation or set-aside rows; `staff=False`: no staff lists were delivered
    (the catalogue still has the codes, no unit has a figure); `late_tables=False`: a file
    published before late dossiers were."""
    conn = duckdb.connect(str(path))
    try:
        conn.execute(
            """
            CREATE TABLE indicator_values (unit_code VARCHAR, unit_name VARCHAR, scope VARCHAR,
              period_type VARCHAR, period_start DATE, period_end DATE, indicator_code VARCHAR,
              numerator BIGINT, denominator BIGINT, value DECIMAL(9,2), target DECIMAL(9,2),
              meets_target BOOLEAN);
            CREATE TABLE indicator_catalog (indicator_code VARCHAR, name_vi VARCHAR,
              name_en VARCHAR, formula VARCHAR, kind VARCHAR, measure VARCHAR,
              direction VARCHAR, source VARCHAR);
            CREATE TABLE dim_unit (unit_version_key VARCHAR, unit_code VARCHAR,
              unit_name VARCHAR, unit_level VARCHAR, parent_code VARCHAR, valid_from DATE,
              valid_to DATE, is_current BOOLEAN, csv_encoding VARCHAR);
            CREATE TABLE publication (published_at TIMESTAMP, run_id VARCHAR);
            """
        )
        conn.executemany(
            "INSERT INTO indicator_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [r for r in indicator_rows() if staff or r[6] not in STAFF_CODES],
        )
        conn.executemany(
            "INSERT INTO indicator_catalog VALUES (?, ?, ?, 'formula of ' || ?, ?, ?, ?, ?)",
            [(c[0], c[1], c[2], c[0], *c[3:]) for c in CATALOG],
        )
        conn.executemany(
            "INSERT INTO dim_unit VALUES (? || '@2010-01-01', ?, ?, ?, ?, DATE '2010-01-01',"
            " NULL, true, 'utf-8')",
            [
                (
                    code,
                    code,
                    name,
                    "city" if code == CITY else "ward",
                    None if code == CITY else CITY,
                )
                for code, name in NAMES.items()
            ],
        )
        conn.execute("INSERT INTO publication VALUES (?, 'run-1')", [PUBLISHED_AT])
        if optional_tables:
            _write_optional_tables(conn)
        if late_tables:
            _write_late_tables(conn)
    finally:
        conn.close()
    return path


def _write_optional_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        """
        CREATE TABLE ingest_summary (unit_code VARCHAR, feed VARCHAR, files BIGINT,
          rejected_files DECIMAL(38,0), rows_in DECIMAL(38,0), rows_loaded DECIMAL(38,0),
          rows_set_aside DECIMAL(38,0), set_aside_rows_listed DECIMAL(38,0),
          first_export_date DATE, last_export_date DATE, last_loaded_at TIMESTAMP);
        INSERT INTO ingest_summary VALUES
          ('900', 'dossiers', 7, 0, 12, 12, 0, 0, '2022-01-04', '2022-02-20', NULL),
          ('90001', 'dossiers', 2, 0, 1200, 1198, 2, 2, '2022-01-11', '2022-02-20', NULL),
          ('90002', 'documents', 1, 1, 0, 0, 0, 0, '2022-01-15', '2022-01-15', NULL);
        CREATE TABLE reconciliation (unit_code VARCHAR, source_file VARCHAR,
          source_row INTEGER, export_date DATE, period VARCHAR, period_type VARCHAR,
          period_start DATE, period_end DATE, indicator_code VARCHAR, scope VARCHAR,
          kind VARCHAR, reported_numerator DECIMAL(18,2), reported_denominator DECIMAL(18,2),
          reported_rate DECIMAL(9,2), recomputed_rate DECIMAL(9,2), computed_numerator BIGINT,
          computed_denominator BIGINT, computed_rate DECIMAL(9,2), rate_is_consistent BOOLEAN,
          counts_agree BOOLEAN, status VARCHAR);
        INSERT INTO reconciliation VALUES
          ('90002', '90002/reports/2022-02-03.csv', 2, '2022-02-03', '2022-01', 'month',
           '2022-01-01', '2022-01-31', 'DOSSIER_ONTIME_RATE', 'self', 'rate', 1, 1, 90.00,
           100.00, 1, 1, 100.00, false, true, 'rate_mismatch'),
          ('90001', '90001/reports/2022-04-05.csv', 3, '2022-04-05', '2022-Q1', 'quarter',
           '2022-01-01', '2022-03-31', 'DOC_SENT', 'self', 'count', 5, NULL, NULL, NULL, 1,
           NULL, NULL, NULL, false, 'counts_differ'),
          ('90001', '90001/reports/2022-02-05.csv', 4, '2022-02-05', 'Q5/2022', NULL, NULL,
           NULL, 'DOC_SENT', 'self', 'count', 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, 'unknown_period'),
          ('900', '900/reports/2022-02-03.csv', 2, '2022-02-03', '2022-01', 'month',
           '2022-01-01', '2022-01-31', 'DOC_SENT', 'self', 'count', 2, NULL, NULL, NULL, 2,
           NULL, NULL, NULL, true, 'agrees');
        CREATE TABLE set_aside (unit_code VARCHAR, feed VARCHAR, export_date DATE,
          source_file VARCHAR, source_row INTEGER, reason VARCHAR, record VARCHAR);
        INSERT INTO set_aside VALUES
          ('90001', 'dossiers', '2022-02-20', '90001/dossiers/2022-02-20.csv', 5,
           'expected 17 fields, found 9', '{}'),
          ('90001', 'dossiers', '2022-02-20', '90001/dossiers/2022-02-20.csv', 4,
           'Trạng thái: Không rõ', '{}'),
          ('90002', 'documents', '2022-01-15', '90002/documents/2022-01-15.csv', NULL,
           'cannot decode as cp1258', NULL);
        CREATE TABLE due_date_flags (unit_code VARCHAR, unit_name VARCHAR,
          dossier_code VARCHAR, procedure_code VARCHAR, received_at TIMESTAMP,
          processing_days INTEGER, expected_due_date DATE, recorded_due_date DATE,
          days_moved INTEGER, finished_at TIMESTAMP, timeliness_as_logged VARCHAR,
          timeliness_by_rule VARCHAR, source_file VARCHAR, source_row BIGINT);
        -- ward B's one January dossier, on time as logged (SELF: 1/1): received Monday
        -- 10/01, 2 working days -> due Wednesday 12/01 by the rule, but the desk recorded
        -- Friday 14/01 without a supplement request and finished that day: late by the rule.
        INSERT INTO due_date_flags VALUES
          ('90002', 'Phường Bình Minh', 'P2-220110-001', '1.004227', '2022-01-10 09:00:00',
           2, '2022-01-12', '2022-01-14', 2, '2022-01-14 10:00:00', 'on_time', 'late',
           '90002/dossiers/2022-01-14.csv', 3);
        """
    )


def _write_late_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        """
        CREATE TABLE late_dossiers (unit_code VARCHAR, unit_name VARCHAR, dossier_code VARCHAR,
          procedure_code VARCHAR, procedure_name VARCHAR, received_date DATE, due_date DATE,
          finished_date DATE, days_late BIGINT, working_days_late BIGINT, late_reason VARCHAR,
          source_file VARCHAR, source_row BIGINT);
        CREATE TABLE late_dossier_reasons (unit_code VARCHAR, unit_name VARCHAR, scope VARCHAR,
          period_type VARCHAR, period_start DATE, period_end DATE, late_reason VARCHAR,
          dossiers BIGINT);
        """
    )
    conn.executemany(
        "INSERT INTO late_dossiers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'f.csv', 2)",
        [(unit, NAMES[unit], *rest) for unit, *rest in LATE],
    )
    conn.executemany(
        "INSERT INTO late_dossier_reasons VALUES (?, ?, ?, ?, ?, ?, ?, ?)", late_reason_rows()
    )


@pytest.fixture
def tiny_published(tmp_path) -> Path:
    return write_tiny_published(tmp_path / "par.duckdb")


@pytest.fixture
def snapshot(tiny_published) -> Snapshot:
    return load_snapshot(tiny_published)


YEAR = Period(dt.date(2022, 1, 1), "year")
JANUARY = Period(dt.date(2022, 1, 1), "month")


def test_snapshot_reads_and_lets_go_of_the_file(tiny_published):
    snapshot = load_snapshot(tiny_published)
    assert snapshot.values.height == len(indicator_rows()) == 6 * 3 * 2 * 4
    assert snapshot.published_at == PUBLISHED_AT and snapshot.run_id == "run-1"
    # The connection is closed: a writer can open the file at once.
    writer = duckdb.connect(str(tiny_published))
    writer.execute("CREATE TABLE after_the_report AS SELECT 1 AS x")
    writer.close()


def test_periods_and_top_units(snapshot):
    assert [p.label for p in snapshot.periods()] == ["2022-01", "2022-Q1", "2022", "2022-02"]
    # units are named by key (code@first day; `always`: a file without unit_valid_from)
    city, ward_a, ward_b = (f"{code}@always" for code in (CITY, WARD_A, WARD_B))
    assert snapshot.top_units(YEAR) == [city]
    assert snapshot.parents(YEAR) == {city: None, ward_a: city, ward_b: city}


def test_report_units_and_row_order(snapshot):
    report = build_report(snapshot, CITY, YEAR)
    assert [(u.code, u.depth, u.has_children) for u in report.units] == [
        (CITY, 0, True),
        (WARD_A, 1, False),  # An Hòa before Bình Minh
        (WARD_B, 1, False),
    ]
    # Groups in sheet order, catalogue order within; the city's area, its own desk, wards.
    keys = report.rows.select("indicator_code", "unit_code", "scope").rows()
    assert keys[:4] == [
        ("PROC_TOTAL", CITY, "area"),
        ("PROC_TOTAL", CITY, "self"),
        ("PROC_TOTAL", WARD_A, "self"),
        ("PROC_TOTAL", WARD_B, "self"),
    ]
    assert [k[0] for k in keys[::4]] == [c[0] for c in CATALOG]
    assert report.rows.height == 6 * 4
    assert report.groups() == ["procedures", "dossiers", "documents", "staff"]
    # City's on-time rate for the year: January 1/2 and February 1/1 -> 2/3.
    city = report.rows.filter(
        (pl.col("indicator_code") == "DOSSIER_ONTIME_RATE") & (pl.col("unit_code") == CITY)
    )
    assert city.select("scope", "numerator", "denominator", "value").rows() == [
        # area: city 2/3 + ward A 1/2 + ward B 1/1 -> 4/6
        ("area", 4, 6, Decimal("66.67")),
        ("self", 2, 3, Decimal("66.67")),
    ]


def test_trend_holds_the_months_to_the_period_end(snapshot):
    report = build_report(snapshot, CITY, JANUARY)
    assert report.trend.get_column("period_start").unique().to_list() == [dt.date(2022, 1, 1)]
    report = build_report(snapshot, CITY, YEAR)
    assert sorted(report.trend.get_column("period_start").unique().to_list()) == [
        dt.date(2022, 1, 1),
        dt.date(2022, 2, 1),
    ]
    # Only the scopes the report shows: the city's two, each ward's own.
    assert report.trend.height == 2 * 6 * 4


def test_warnings_and_set_aside_rows_belong_to_the_period(snapshot):
    year = build_report(snapshot, CITY, YEAR)
    # Not the agreeing row; the unknown period is placed by its export date (February).
    # Unit by unit, then by file.
    assert year.warnings.get_column("status").to_list() == [
        "unknown_period",  # 90001/reports/2022-02-05.csv
        "counts_differ",  # 90001/reports/2022-04-05.csv
        "rate_mismatch",  # 90002
    ]
    assert year.set_aside.select("source_file", "source_row").rows() == [
        ("90001/dossiers/2022-02-20.csv", 4),
        ("90001/dossiers/2022-02-20.csv", 5),
        ("90002/documents/2022-01-15.csv", None),
    ]
    january = build_report(snapshot, CITY, JANUARY)
    assert january.warnings.get_column("status").to_list() == ["rate_mismatch"]
    assert january.set_aside.get_column("source_row").to_list() == [None]
    ward = build_report(snapshot, WARD_B, YEAR)
    assert [u.code for u in ward.units] == [WARD_B]
    assert ward.warnings.get_column("unit_code").to_list() == [WARD_B]


def test_unknown_unit_or_period(snapshot):
    with pytest.raises(UnknownUnit):
        build_report(snapshot, "999", YEAR)
    with pytest.raises(UnknownPeriod):
        build_report(snapshot, CITY, parse_period("2021"))


def test_a_file_without_the_optional_tables_still_reports(tmp_path):
    snapshot = load_snapshot(write_tiny_published(tmp_path / "par.duckdb", optional_tables=False))
    report = build_report(snapshot, CITY, YEAR)
    assert report.rows.height == 24
    assert report.warnings.is_empty() and report.set_aside.is_empty()


def test_staff_coverage_is_a_stock_read_at_the_period_end(snapshot):
    report = build_report(snapshot, CITY, YEAR)
    staff = report.rows.filter(pl.col("source") == "staff")
    assert staff.select("indicator_code", "unit_code", "scope", "numerator", "denominator",
                        "value").rows() == [
        # mailboxes at the end of February: city 11/12, ward A 5/6, ward B 4/4
        ("STAFF_EMAIL_RATE", CITY, "area", 20, 22, Decimal("90.91")),
        ("STAFF_EMAIL_RATE", CITY, "self", 11, 12, Decimal("91.67")),
        ("STAFF_EMAIL_RATE", WARD_A, "self", 5, 6, Decimal("83.33")),
        ("STAFF_EMAIL_RATE", WARD_B, "self", 4, 4, Decimal("100.00")),
        # leaders' certificates: city 4/4, ward A 1/2, ward B 2/2
        ("STAFF_LEADER_SIGNING_RATE", CITY, "area", 7, 8, Decimal("87.50")),
        ("STAFF_LEADER_SIGNING_RATE", CITY, "self", 4, 4, Decimal("100.00")),
        ("STAFF_LEADER_SIGNING_RATE", WARD_A, "self", 1, 2, Decimal("50.00")),
        ("STAFF_LEADER_SIGNING_RATE", WARD_B, "self", 2, 2, Decimal("100.00")),
    ]  # fmt: skip


def test_a_file_without_staff_lists_has_no_staff_group(tmp_path):
    snapshot = load_snapshot(write_tiny_published(tmp_path / "par.duckdb", staff=False))
    report = build_report(snapshot, CITY, YEAR)
    assert report.groups() == ["procedures", "dossiers", "documents"]
    assert report.rows.height == 16


def test_late_dossiers_and_their_reasons_in_the_period(snapshot):
    year = build_report(snapshot, CITY, YEAR)
    assert year.has_late_reasons
    # the city's, then ward A's: unit by unit
    assert year.late_dossiers.select("unit_code", "dossier_code", "days_late",
                                     "working_days_late", "late_reason").rows() == [
        (CITY, "000.00.10.H60-220104-0007", 4, 2, NETWORK_FAILURE),
        (WARD_A, "P1-220207-003", 1, 1, None),
    ]  # fmt: skip
    # a tie: the reason given before the one without
    assert year.late_reason_counts("area") == [(NETWORK_FAILURE, 1), (None, 1)]
    assert year.late_reason_counts("self") == [(NETWORK_FAILURE, 1)]
    january = build_report(snapshot, CITY, JANUARY)
    assert january.late_dossiers.get_column("unit_code").to_list() == [CITY]
    assert january.late_reason_counts("area") == [(NETWORK_FAILURE, 1)]
    ward_a = build_report(snapshot, WARD_A, parse_period("2022-Q1"))
    assert ward_a.late_reason_counts("self") == [(None, 1)]
    ward_b = build_report(snapshot, WARD_B, YEAR)
    assert ward_b.late_dossiers.is_empty() and ward_b.late_reason_counts("self") == []
    assert late_sentence(ward_b.late_reason_counts("self")) == "Không có hồ sơ trễ hạn"


def test_late_sentence():
    counts = [("Chờ ý kiến phối hợp", 3), (None, 2), ("HĐND chưa họp", 1)]
    assert late_sentence(counts) == (
        "6 hồ sơ trễ hạn: chờ ý kiến phối hợp (3), không nêu lý do (2), HĐND chưa họp (1)"
    )
    assert late_sentence([(NETWORK_FAILURE, 1_200)], "en") == (
        "1,200 late dossiers: lỗi đường truyền mạng (1,200)"
    )
    assert late_sentence([(None, 1)], "en") == "1 late dossier: no reason given (1)"
    assert late_sentence([], "en") == "No late dossiers"


def test_reasons_are_ordered_by_count(snapshot):
    extra = pl.DataFrame(
        {
            "unit_code": [CITY] * 3,
            "scope": ["area"] * 3,
            "period_type": ["year"] * 3,
            "period_start": [YEAR.start] * 3,
            "late_reason": ["Phải xác minh thực địa", None, "Chờ ý kiến phối hợp"],
            "dossiers": [1, 3, 3],
        }
    )
    richer = dataclasses.replace(snapshot, late_reasons=extra)
    report = build_report(richer, CITY, YEAR)
    assert report.late_reason_counts("area") == [
        ("Chờ ý kiến phối hợp", 3),
        (None, 3),
        ("Phải xác minh thực địa", 1),
    ]
    assert report.late_reason_counts("self") == []


def test_files_without_the_late_tables(tmp_path):
    old = load_snapshot(write_tiny_published(tmp_path / "old.duckdb", late_tables=False))
    report = build_report(old, CITY, YEAR)
    assert not report.has_late_reasons and report.late_dossiers.width == 0
    assert report.late_reason_counts("area") == []
    # a file with the list of late dossiers but not their counts: counted from the list
    path = write_tiny_published(tmp_path / "list_only.duckdb")
    conn = duckdb.connect(str(path))
    conn.execute("DROP TABLE late_dossier_reasons")
    conn.close()
    report = build_report(load_snapshot(path), CITY, YEAR)
    assert report.late_reason_counts("area") == [(NETWORK_FAILURE, 1), (None, 1)]
    assert report.late_reason_counts("self") == [(NETWORK_FAILURE, 1)]


def test_copy_schema_copies_tables_and_views_without_rows(tmp_path):
    from pipelines.reports.dbt_docs import copy_schema

    build = tmp_path / "build.duckdb"
    conn = duckdb.connect(str(build))
    conn.execute(
        "CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS x;"
        "CREATE SCHEMA staging; CREATE VIEW staging.v AS SELECT x FROM build.marts.t"
    )
    conn.close()
    copy = tmp_path / "work" / "build.duckdb"
    assert copy_schema(build, copy) == 2
    conn = duckdb.connect(str(copy), read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM marts.t").fetchone() == (0,)
        assert conn.execute("SELECT * FROM staging.v").fetchall() == []
    finally:
        conn.close()
