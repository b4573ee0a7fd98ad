"""The Excel workbook, read back with openpyxl: layout, formats, widths, and every figure
against indicator_values of the tiny published file (tests/unit/test_reports_data.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from pipelines.reports.data import build_report, load_snapshot
from pipelines.reports.excel import (
    COVER_SHEET,
    INDICATOR_COLUMNS,
    LATE_COLUMNS,
    LATE_SHEET,
    WARNING_COLUMNS,
    WARNINGS_SHEET,
    write_workbook,
)
from pipelines.reports.periods import parse_period
from pipelines.reports.vn_format import (
    EXCEL_COUNT_FORMAT,
    EXCEL_RATE_FORMAT,
    fmt_number,
    local_time,
)
from tests.unit.test_reports_data import (  # noqa: F401
    CITY,
    NETWORK_FAILURE,
    WARD_A,
    WARD_B,
    tiny_published,
    write_tiny_published,
)

SCOPE_LABELS = {"Toàn địa bàn": "area", "Riêng đơn vị": "self"}
GROUP_SHEETS = [
    "Thủ tục hành chính",
    "Hồ sơ thủ tục hành chính",
    "Văn bản đi",
    "Cán bộ, công chức và chữ ký số",
]


@pytest.fixture
def workbook(tiny_published, tmp_path):  # noqa: F811
    snapshot = load_snapshot(tiny_published)
    path = tmp_path / "par_900_2022.xlsx"
    rows = write_workbook(build_report(snapshot, CITY, parse_period("2022")), path)
    return path, rows, tiny_published


def data_rows(sheet) -> list[tuple]:
    return [
        row
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if any(c is not None for c in row)
    ]


def sheet_figures(book) -> dict[tuple, tuple]:
    """(code, unit, scope) -> (numerator, denominator, value, target, met) of every row."""
    figures = {}
    for name in [n for n in GROUP_SHEETS if n in book.sheetnames]:
        for row in data_rows(book[name]):
            code, _name, unit, _unit_name, scope, num, den, value, _measure, target, met = row
            key = (code, unit, SCOPE_LABELS[scope])
            assert key not in figures, key
            figures[key] = (num, den, value, target, met)
    return figures


def published_figures(path, period_type: str, start: str) -> dict[tuple, tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        rows = conn.execute(
            "SELECT indicator_code, unit_code, scope, numerator, denominator, value, target,"
            " meets_target FROM indicator_values WHERE period_type = ? AND period_start = ?",
            [period_type, start],
        ).fetchall()
    finally:
        conn.close()
    return {tuple(r[:3]): r[3:] for r in rows}


def as_cells(numerator, denominator, value, target, meets):
    """How a published row reads back from the workbook."""
    met = None if meets is None else ("Đạt" if meets else "Không đạt")
    return (
        numerator,
        denominator,
        None if value is None else float(value),
        None if target is None else float(target),
        met,
    )


def test_sheets_and_headers(workbook):
    path, _, _ = workbook
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [COVER_SHEET, *GROUP_SHEETS, LATE_SHEET, WARNINGS_SHEET]
    for name in GROUP_SHEETS:
        sheet = book[name]
        assert [c.value for c in sheet[2]] == [header for _, header in INDICATOR_COLUMNS]
        assert sheet.freeze_panes == "A3"  # title and header rows stay in view
        assert sheet.auto_filter.ref.startswith("A2:K")
    assert [c.value for c in book[WARNINGS_SHEET][2]] == [h for _, h in WARNING_COLUMNS]
    assert book[WARNINGS_SHEET].freeze_panes == "A3"
    assert book["Hồ sơ thủ tục hành chính"]["A1"].value == (
        "Hồ sơ thủ tục hành chính — Thành phố Thử Nghiệm — Năm 2022"
    )


def test_every_figure_equals_indicator_values(workbook):
    path, rows, published = workbook
    book = openpyxl.load_workbook(path)
    figures = sheet_figures(book)
    expected = published_figures(published, "year", "2022-01-01")
    # The city with both scopes; the wards (nothing under them) with their own figures.
    shown = {k: as_cells(*v) for k, v in expected.items() if k[2] == "self" or k[1] == CITY}
    assert figures == shown
    assert len(figures) == 6 * 4
    # figures + 2 late dossiers + warnings: 3 reconciliation, 1 due date moved, 3 set-aside
    # rows, 3 daily feeds never delivered (test_report_warnings.py works them out)
    assert rows == 24 + 2 + 10


def test_figures_worked_by_hand(workbook):
    path, _, _ = workbook
    figures = sheet_figures(openpyxl.load_workbook(path))
    # City's own on-time rate: January 1/2, February 1/1 -> 2/3 = 66.67.
    assert figures[("DOSSIER_ONTIME_RATE", CITY, "self")] == (2, 3, 66.67, None, None)
    # Online (full) for the area: city 1/2 + 0/1, ward A 1/1 -> 2/4 = 50 against 15: met.
    assert figures[("DOSSIER_ONLINE_RATE_FULL", CITY, "area")] == (2, 4, 50.0, 15.0, "Đạt")
    # Ward B received nothing online-full: 0/0 has no value and so no verdict.
    assert figures[("DOSSIER_ONLINE_RATE_FULL", WARD_B, "self")] == (0, 0, None, 15.0, None)
    # Stock: the catalogue at the year's last month; area 3 + 2 + 1.
    assert figures[("PROC_TOTAL", CITY, "area")] == (6, None, 6.0, None, None)
    # Staff lists at the end of February: mailboxes 11/12 + 5/6 + 4/4; certificates of the
    # leaders 4/4 + 1/2 + 2/2.
    assert figures[("STAFF_EMAIL_RATE", CITY, "area")] == (20, 22, 90.91, None, None)
    assert figures[("STAFF_LEADER_SIGNING_RATE", WARD_A, "self")] == (1, 2, 50.0, None, None)
    assert figures[("STAFF_LEADER_SIGNING_RATE", CITY, "area")] == (7, 8, 87.5, None, None)


def test_number_formats_and_units_indented(workbook):
    path, _, _ = workbook
    sheet = openpyxl.load_workbook(path)["Hồ sơ thủ tục hành chính"]
    first = 3
    assert sheet.cell(first, 1).value == "DOSSIER_ONTIME_RATE"
    assert sheet.cell(first, 8).number_format == EXCEL_RATE_FORMAT
    assert sheet.cell(first, 6).number_format == EXCEL_COUNT_FORMAT
    assert sheet.cell(first, 9).value == "%"
    # Units under the city are indented one level.
    assert sheet.cell(first, 4).alignment.indent == 0
    assert sheet.cell(first + 2, 4).alignment.indent == 1
    counts = openpyxl.load_workbook(path)["Văn bản đi"]
    assert counts.cell(first, 8).number_format == EXCEL_COUNT_FORMAT
    assert counts.cell(first, 9).value == "văn bản"


def _shown(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = 2 if "0.00" in cell.number_format else 0
        return fmt_number(Decimal(str(value)), decimals)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


def test_columns_are_wide_enough_for_their_contents(workbook):
    path, _, _ = workbook
    book = openpyxl.load_workbook(path)
    for name in [*GROUP_SHEETS, LATE_SHEET, WARNINGS_SHEET]:
        sheet = book[name]
        widths = {}
        for dim in sheet.column_dimensions.values():
            for index in range(dim.min, dim.max + 1):
                widths[index] = dim.width
        # the late sheet's closing sentences run on over the empty cells to their right
        last = _filter_last_row(sheet) if name == LATE_SHEET else None
        for row in sheet.iter_rows(min_row=3, max_row=last):
            for cell in row:
                text = _shown(cell)
                if text and cell.alignment.wrap_text:  # free text wraps: its words must fit
                    longest = max(len(word) for word in text.split())
                    assert widths.get(cell.column, 8.43) >= longest, (name, cell.coordinate)
                elif text:
                    assert widths.get(cell.column, 8.43) >= len(text), (name, cell.coordinate)
        for cell in sheet[2]:  # headers wrap: their longest word must fit
            longest = max(len(word) for word in cell.value.split())
            assert widths[cell.column] >= longest, (name, cell.value)


def _filter_last_row(sheet) -> int:
    return int(sheet.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def test_every_sheet_prints_on_a4_landscape_one_page_wide(workbook):
    path, _, _ = workbook
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # fitToWidth 1 is the default: left out of the file
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        if sheet.title != COVER_SHEET:  # title and header on every page
            assert sheet.print_title_rows == "$1:$2", sheet.title
        assert "&P" in sheet.oddFooter.right.text


def test_late_sheet_lists_the_late_dossiers_and_their_reasons(workbook):
    path, _, _ = workbook
    sheet = openpyxl.load_workbook(path)[LATE_SHEET]
    assert sheet["A1"].value == "Hồ sơ trễ hạn và lý do — Thành phố Thử Nghiệm — Năm 2022"
    assert [c.value for c in sheet[2]] == [header for _, header in LATE_COLUMNS]
    assert sheet.freeze_panes == "A3"
    assert _filter_last_row(sheet) == 4  # header and the two dossiers
    rows = [r for r in sheet.iter_rows(min_row=3, max_row=4, values_only=True)]
    assert rows == [
        (CITY, "Thành phố Thử Nghiệm", "000.00.10.H60-220104-0007", "1.004227",
         "Đăng ký khai sinh", dt.datetime(2022, 1, 4), dt.datetime(2022, 1, 6),
         dt.datetime(2022, 1, 10), 4, 2, NETWORK_FAILURE),
        (WARD_A, "Phường An Hòa", "P1-220207-003", "2.000908",
         "Chứng thực bản sao từ bản chính", dt.datetime(2022, 2, 7), dt.datetime(2022, 2, 8),
         dt.datetime(2022, 2, 9), 1, 1, "Không nêu lý do"),
    ]  # fmt: skip
    assert sheet["B4"].alignment.indent == 1  # the ward under the city
    assert sheet["F3"].number_format == "dd/mm/yyyy"
    assert sheet["I3"].number_format == EXCEL_COUNT_FORMAT
    assert sheet["K4"].font.i  # no reason given: a label, not delivered text
    # under the list, why, for each scope of the city
    assert sheet["A5"].value is None
    assert [sheet["A6"].value, sheet["A7"].value] == [
        "Toàn địa bàn — 2 hồ sơ trễ hạn: lỗi đường truyền mạng (1), không nêu lý do (1)",
        "Riêng đơn vị — 1 hồ sơ trễ hạn: lỗi đường truyền mạng (1)",
    ]


def test_late_sheet_of_a_period_without_late_dossiers(tiny_published, tmp_path):  # noqa: F811
    snapshot = load_snapshot(tiny_published)
    path = tmp_path / "ward_b.xlsx"
    rows = write_workbook(build_report(snapshot, WARD_B, parse_period("2022")), path)
    sheet = openpyxl.load_workbook(path)[LATE_SHEET]
    assert sheet["A3"].value == "Không có hồ sơ trễ hạn trong kỳ."
    # ward B's figures and warnings: a rate mismatch, a due date moved, a bad file, no
    # dossier file ever
    assert rows == 6 + 4


def test_older_files_without_late_tables_or_staff(tmp_path):
    published = write_tiny_published(tmp_path / "par.duckdb", staff=False, late_tables=False)
    path = tmp_path / "old.xlsx"
    write_workbook(build_report(load_snapshot(published), CITY, parse_period("2022")), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [COVER_SHEET, *GROUP_SHEETS[:3], WARNINGS_SHEET]
    cover = [r[0] for r in book[COVER_SHEET].iter_rows(values_only=True)]
    assert not any(str(label).startswith("Hồ sơ trễ hạn") for label in cover)


def test_cover_says_period_time_and_files(workbook):
    path, _, published = workbook
    sheet = openpyxl.load_workbook(path)[COVER_SHEET]
    facts = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, max_row=11, values_only=True)}
    assert facts["Đơn vị"] == "Thành phố Thử Nghiệm (900) và 2 đơn vị trực thuộc"
    assert facts["Kỳ báo cáo"] == "Năm 2022 (01/01/2022 – 31/12/2022)"
    # the server's 02:00 on the readers' clock (test_report_cover.py pins the server to UTC)
    assert facts["Số liệu tính lúc (giờ Việt Nam)"] == local_time(dt.datetime(2022, 3, 1, 2, 0))
    assert facts["Lần chạy Dagster"] == "run-1"
    assert facts["Tệp dữ liệu"] == published.name
    late = {row[0]: row[1] for row in sheet.iter_rows(min_row=12, max_row=13, values_only=True)}
    assert late == {
        "Hồ sơ trễ hạn (toàn địa bàn)": (
            "2 hồ sơ trễ hạn: lỗi đường truyền mạng (1), không nêu lý do (1)"
        ),
        "Hồ sơ trễ hạn (riêng đơn vị)": "1 hồ sơ trễ hạn: lỗi đường truyền mạng (1)",
    }
    rows = list(sheet.iter_rows(min_row=1, values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Mã đơn vị")
    ingest = [r for r in rows[header + 1 :] if r[0]]
    assert ingest[0][:8] == ("900", "Thành phố Thử Nghiệm", "Sổ hồ sơ một cửa", 7, 0, 12, 12, 0)
    assert ingest[1][:8] == ("90001", "Phường An Hòa", "Sổ hồ sơ một cửa", 2, 0, 1200, 1198, 2)
    assert ingest[2][:5] == ("90002", "Phường Bình Minh", "Sổ văn bản đi", 1, 1)
    assert ingest[3][:8] == ("Tổng cộng", None, None, 10, 1, 1212, 1210, 2)


def test_warnings_sheet_lists_disagreements_and_set_aside_rows(workbook):
    path, _, _ = workbook
    sheet = openpyxl.load_workbook(path)[WARNINGS_SHEET]
    columns = [key for key, _ in WARNING_COLUMNS]
    rows = [dict(zip(columns, r, strict=True)) for r in data_rows(sheet)]
    assert [(r["unit_code"], r["kind"], r["source_row"]) for r in rows] == [
        (WARD_A, "Số liệu báo cáo không khớp", 4),  # unknown period, exported in February
        (WARD_A, "Số liệu báo cáo không khớp", 3),  # DOC_SENT Q1: reported 5, computed 1
        (WARD_B, "Số liệu báo cáo không khớp", 2),  # rate 90 for 1/1
        (WARD_B, "Hạn trả bị dời không có yêu cầu bổ sung", 3),
        (WARD_A, "Dòng dữ liệu bị để riêng", 4),
        (WARD_A, "Dòng dữ liệu bị để riêng", 5),
        (WARD_B, "Tệp không đọc được", None),
        (CITY, "Đơn vị ngừng gửi dữ liệu", None),  # no documents file
        (WARD_A, "Đơn vị ngừng gửi dữ liệu", None),  # no documents file
        (WARD_B, "Đơn vị ngừng gửi dữ liệu", None),  # no dossiers file
    ]
    assert rows[1]["indicator_name"] == "Số văn bản đi gửi cơ quan nhà nước"
    differ = rows[1]
    assert (differ["reported_numerator"], differ["computed_numerator"]) == (5, 1)
    assert differ["detail"].startswith("Số liệu báo cáo khác")
    mismatch = rows[2]
    assert (mismatch["reported_rate"], mismatch["computed_value"]) == (90.0, 100.0)
    assert mismatch["detail"].endswith("(tính lại: 100,00%)")
    assert rows[4]["detail"] == "Trạng thái: Không rõ"
    assert rows[4]["export_date"] == dt.datetime(2022, 2, 20)


def test_a_month_workbook(tiny_published, tmp_path):  # noqa: F811
    snapshot = load_snapshot(tiny_published)
    path = tmp_path / "par_900_2022-01.xlsx"
    write_workbook(build_report(snapshot, CITY, parse_period("2022-01")), path)
    book = openpyxl.load_workbook(path)
    expected = published_figures(tiny_published, "month", "2022-01-01")
    figures = sheet_figures(book)
    assert figures == {
        k: as_cells(*v) for k, v in expected.items() if k[2] == "self" or k[1] == CITY
    }
    assert figures[("DOSSIER_ONTIME_RATE", CITY, "self")][:3] == (1, 2, 50.0)
    warnings = data_rows(book[WARNINGS_SHEET])
    # the rate mismatch, the due date moved (received 10/01), the bad file; then the feeds
    # not delivered by January's reference days, unit by unit
    assert [r[0] for r in warnings] == [WARD_B, WARD_B, WARD_B, CITY, WARD_A, WARD_B]


def test_no_warnings_says_so(tmp_path):
    # a file without reconciliation, set-aside rows, due-date flags or deliveries to judge
    snapshot = load_snapshot(write_tiny_published(tmp_path / "par.duckdb", optional_tables=False))
    path = tmp_path / "ward_a_2022-01.xlsx"
    write_workbook(build_report(snapshot, WARD_A, parse_period("2022-01")), path)
    sheet = openpyxl.load_workbook(path)[WARNINGS_SHEET]
    assert sheet["A3"].value == "Không có cảnh báo nào trong kỳ."
    assert not list(path.parent.glob(".*.tmp"))  # written whole, then moved into place
