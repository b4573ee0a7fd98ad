"""The Excel workbook of one report: a cover, a sheet per indicator group, the late
dossiers with their reasons, and the warnings.

Vietnamese headers and catalogue names; numbers stay numbers, formatted `#,##0` and
`#,##0.00` and tagged Vietnamese (see vn_format); header rows frozen with a filter; every
column as wide as its longest entry (long free text wraps instead). Printed on A4 landscape,
one page wide, the title and header rows repeated on every page, the unit and period in the
page header and the page number in the footer (tests/unit/test_report_print.py prints it
with LibreOffice). Times are Vietnam time; no server path is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipelines.reports.data import (
    BASIS_TEXT,
    COUNT_NOUNS,
    FEEDS,
    GROUPS,
    NO_REASON,
    SCOPES,
    Report,
    basis_lines,
    basis_text,
    late_sentence,
    warning_summary,
)
from pipelines.reports.vn_format import (
    EXCEL_COUNT_FORMAT,
    EXCEL_DATE_FORMAT,
    EXCEL_DATETIME_FORMAT,
    EXCEL_RATE_FORMAT,
    fmt_date,
    fmt_datetime,
    fmt_met,
    fmt_number,
    local_time,
)

COVER_SHEET = "Thông tin"
TIME_NOTE = "giờ Việt Nam"
WARNINGS_SHEET = "Cảnh báo"
LATE_SHEET = "Hồ sơ trễ hạn"
HISTORY_SHEET = "Lịch sử địa bàn"
# Sheet names of the indicator groups (Excel allows 31 characters).
GROUP_SHEETS = {group: names["vi"][:31] for group, names in GROUPS.items()}

TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2

# (key, header) of an indicator sheet, left to right.
INDICATOR_COLUMNS = (
    ("indicator_code", "Mã chỉ tiêu"),
    ("name_vi", "Chỉ tiêu"),
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Đơn vị"),
    ("scope", "Phạm vi"),
    ("numerator", "Tử số"),
    ("denominator", "Mẫu số"),
    ("value", "Giá trị"),
    ("measure", "Đơn vị tính"),
    ("target", "Mục tiêu"),
    ("meets_target", "Đạt mục tiêu"),
)
WARNING_COLUMNS = (
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Đơn vị"),
    ("kind", "Loại cảnh báo"),
    ("feed", "Nguồn dữ liệu"),
    ("source_file", "Tệp"),
    ("source_row", "Dòng"),
    ("export_date", "Ngày xuất dữ liệu"),
    ("period", "Kỳ báo cáo"),
    ("indicator_code", "Mã chỉ tiêu"),
    ("indicator_name", "Chỉ tiêu"),
    ("scope", "Phạm vi"),
    ("reported_numerator", "Đơn vị báo cáo: tử số"),
    ("reported_denominator", "Đơn vị báo cáo: mẫu số"),
    ("reported_rate", "Đơn vị báo cáo: tỷ lệ (%)"),
    ("computed_numerator", "Kho dữ liệu: tử số"),
    ("computed_denominator", "Kho dữ liệu: mẫu số"),
    ("computed_value", "Kho dữ liệu: giá trị"),
    ("detail", "Chi tiết"),
)
LATE_COLUMNS = (
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Đơn vị"),
    ("dossier_code", "Mã hồ sơ"),
    ("procedure_code", "Mã TTHC"),
    ("procedure_name", "Tên thủ tục hành chính"),
    ("received_date", "Ngày tiếp nhận"),
    ("due_date", "Ngày hẹn trả"),
    ("finished_date", "Ngày có kết quả"),
    ("days_late", "Số ngày trễ"),
    ("working_days_late", "Số ngày làm việc trễ"),
    ("late_reason", "Lý do trễ hạn"),
)
# The history on today's territory (indicator_values_rebased), period by period.
HISTORY_COLUMNS = (
    ("period", "Kỳ"),
    ("period_start", "Từ ngày"),
    ("period_end", "Đến ngày"),
    ("indicator_code", "Mã chỉ tiêu"),
    ("name_vi", "Chỉ tiêu"),
    ("numerator", "Tử số"),
    ("denominator", "Mẫu số"),
    ("value", "Giá trị"),
    ("measure", "Đơn vị tính"),
    ("target", "Mục tiêu"),
    ("meets_target", "Đạt mục tiêu"),
    ("basis", "Cơ sở số liệu"),
)
# Free text that wraps in a column this wide rather than widening it.
WRAP_WIDTH = 50
INGEST_COLUMNS = (
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Đơn vị"),
    ("feed", "Nguồn dữ liệu"),
    ("files", "Số tệp"),
    ("rejected_files", "Tệp không đọc được"),
    ("rows_in", "Số dòng nhận"),
    ("rows_loaded", "Số dòng đã nạp"),
    ("rows_set_aside", "Số dòng để riêng"),
    ("first_export_date", "Ngày xuất đầu tiên"),
    ("last_export_date", "Ngày xuất gần nhất"),
)
RECONCILIATION_DETAIL = {
    "rate_mismatch": "Tỷ lệ báo cáo không khớp với tử số và mẫu số của chính báo cáo",
    "counts_differ": "Số liệu báo cáo khác số liệu tính từ sổ sách của đơn vị",
    "unknown_indicator": "Mã chỉ tiêu không có trong danh mục",
    "unknown_period": "Kỳ báo cáo không đọc được, hoặc kho dữ liệu không có số liệu kỳ đó",
}
COVER_WARNING_ITEMS = 10  # lines per kind of warning on the cover
MAX_SET_ASIDE_ROWS = 50_000  # listed per workbook; the rest are counted in a closing row
MAX_WIDTH = 100
MIN_WIDTH = 6


class _Sheet:
    """A worksheet that remembers the longest text of every column, to size them at the end."""

    def __init__(self, worksheet: Worksheet):
        self.ws = worksheet
        self.widths: dict[int, int] = {}
        self.headers: dict[tuple[int, int], str] = {}
        self.wrapping: dict[tuple[int, int], str] = {}  # free text that wraps

    def write(self, row: int, col: int, value: Any, fmt=None, shown: str | None = None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt)
        elif isinstance(value, dt.datetime):
            self.ws.write_datetime(row, col, value, fmt)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
        elif isinstance(value, Decimal):
            self.ws.write_number(row, col, float(value), fmt)
        elif isinstance(value, bool):
            self.ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.ws.write_number(row, col, value, fmt)
        else:
            self.ws.write_string(row, col, str(value), fmt)
        text = shown if shown is not None else ("" if value is None else str(value))
        self.widths[col] = max(self.widths.get(col, 0), len(text))

    def wrapped(self, row: int, col: int, text: str, fmt) -> None:
        """Free text that wraps at WRAP_WIDTH characters (a long procedure name, a reason):
        the column takes the longest word or line it needs, never more."""
        self.ws.write_string(row, col, text, fmt)
        self.wrapping[(row, col)] = text
        longest_word = max((len(word) for word in text.split()), default=0)
        self.widths[col] = max(self.widths.get(col, 0), min(len(text), WRAP_WIDTH), longest_word)

    def header(self, row: int, col: int, text: str, fmt) -> None:
        """A header wraps: it needs its longest word, not its whole length, to fit."""
        self.ws.write_string(row, col, text, fmt)
        self.headers[(row, col)] = text
        longest_word = max(len(word) for word in text.split())
        self.widths[col] = max(self.widths.get(col, 0), longest_word, min(len(text), 14))

    def size_columns(self, indent: dict[int, int] | None = None) -> None:
        sized: dict[int, int] = {}
        for col, length in self.widths.items():
            extra = (indent or {}).get(col, 0)
            sized[col] = min(max(length + extra + 2, MIN_WIDTH), MAX_WIDTH)
            self.ws.set_column(col, col, sized[col])
        header_rows: dict[int, int] = {}
        for (row, col), text in self.headers.items():
            lines = _wrapped_lines(text, sized[col] - 2)
            header_rows[row] = max(header_rows.get(row, 1), lines)
        for row, lines in header_rows.items():
            self.ws.set_row(row, 13 * lines + 3)
        # Rows of wrapped text as tall as their lines: LibreOffice does not grow them when
        # it opens the file, and the lines would print over the next row.
        text_rows: dict[int, int] = {}
        for (row, col), text in self.wrapping.items():
            lines = _wrapped_lines(text, sized[col] - 2)
            text_rows[row] = max(text_rows.get(row, 1), lines)
        for row, lines in text_rows.items():
            if lines > 1:
                self.ws.set_row(row, 13 * lines + 2)


def _wrapped_lines(text: str, width: int) -> int:
    lines, current = 1, 0
    for word in text.split():
        if current and current + 1 + len(word) > width:
            lines, current = lines + 1, len(word)
        else:
            current += (1 if current else 0) + len(word)
    return lines


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        self.book = book
        self.base = base
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = book.add_format({**base, "bold": True, "font_size": 11})
        self.header = book.add_format(
            {**base, "bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True}
        )
        self.text = book.add_format(base)
        self.label = book.add_format({**base, "bold": True})
        self.count = book.add_format({**base, "num_format": EXCEL_COUNT_FORMAT})
        self.rate = book.add_format({**base, "num_format": EXCEL_RATE_FORMAT})
        self.date = book.add_format({**base, "num_format": EXCEL_DATE_FORMAT, "align": "left"})
        self.datetime = book.add_format(
            {**base, "num_format": EXCEL_DATETIME_FORMAT, "align": "left"}
        )
        self.met = book.add_format({**base, "font_color": "#1E7B34", "bold": True})
        self.not_met = book.add_format({**base, "font_color": "#C0392B", "bold": True})
        self.total = book.add_format({**base, "bold": True, "num_format": EXCEL_COUNT_FORMAT})
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.no_reason = book.add_format(
            {**base, "text_wrap": True, "italic": True, "font_color": "#777777"}
        )
        self._indents: dict[int, Any] = {}

    def indented(self, depth: int):
        if depth not in self._indents:
            self._indents[depth] = self.book.add_format({**self.base, "indent": depth})
        return self._indents[depth]


def _number(sheet: _Sheet, row: int, col: int, value, decimals: int, fmt) -> None:
    sheet.write(row, col, value, fmt, fmt_number(value, decimals))


def page_header(report: Report) -> str:
    """`Thành phố Sóc Trăng (941) — Năm 2021`: what every printed page is about."""
    return f"{report.root.name} ({report.root.code}) — {report.period.title()}"


def _print_setup(ws: Worksheet, report: Report, repeat_header: bool = True) -> None:
    """A4 landscape, one page wide (as many pages down as it takes), the title and the
    header row on every page; the unit and period in the page header, the sheet's name and
    the page number in the footer, so that a loose printed page still says what it is."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    if repeat_header:
        ws.repeat_rows(TITLE_ROW, HEADER_ROW)
    # `&` starts a code in Excel's header language: a name's own `&` is written `&&`.
    ws.set_header(f"&L&8{page_header(report).replace('&', '&&')}", {"margin": 0.3})
    ws.set_footer("&L&8&A&R&8Trang &P/&N", {"margin": 0.3})


def _header(sheet: _Sheet, formats: _Formats, report: Report, columns, title: str) -> None:
    sheet.ws.write_string(TITLE_ROW, 0, title, formats.title)
    sheet.ws.set_row(TITLE_ROW, 22)
    for col, (_, header) in enumerate(columns):
        sheet.header(HEADER_ROW, col, header, formats.header)
    sheet.ws.freeze_panes(FIRST_DATA_ROW, 0)
    _print_setup(sheet.ws, report)


def _cover(book: xlsxwriter.Workbook, formats: _Formats, report: Report) -> None:
    sheet = _Sheet(book.add_worksheet(COVER_SHEET))
    snapshot = report.snapshot
    root = report.root
    period = report.period
    sheet.ws.write_string(0, 0, "BÁO CÁO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", formats.title)
    sheet.ws.write_string(1, 0, f"{root.name} ({root.code}) — {period.title()}", formats.subtitle)
    under = len(report.units) - 1
    facts = [
        (
            "Đơn vị",
            f"{root.name} ({root.code})" + (f" và {under} đơn vị trực thuộc" if under else ""),
            formats.text,
        ),
        (
            "Kỳ báo cáo",
            f"{period.title()} ({fmt_date(period.start)} – {fmt_date(period.end)})",
            formats.text,
        ),
        (f"Số liệu tính lúc ({TIME_NOTE})", local_time(snapshot.published_at), formats.datetime),
        ("Lần chạy Dagster", snapshot.run_id, formats.text),
        # the file's name only: a server's folders mean nothing to a reader
        ("Tệp dữ liệu", snapshot.source.name, formats.text),
        (f"Báo cáo lập lúc ({TIME_NOTE})", local_time(report.generated_at), formats.datetime),
        (
            "Phạm vi",
            "Toàn địa bàn: đơn vị và mọi đơn vị trực thuộc; Riêng đơn vị: bộ phận một cửa, "
            "sổ văn bản, danh mục của chính đơn vị. Đơn vị không có đơn vị trực thuộc chỉ có "
            "một dòng (hai phạm vi trùng nhau).",
            formats.text,
        ),
        (
            "Cách đọc số",
            "Tỷ lệ tính theo %, làm tròn 2 chữ số thập phân (nửa lên); giá trị trống khi mẫu "
            "số bằng 0. Mục tiêu: chỉ tiêu giao đang có hiệu lực vào ngày cuối kỳ.",
            formats.text,
        ),
    ]
    note = report.code_note()
    if note:
        facts.insert(1, ("Mã đơn vị dùng lại", note, formats.text))
    facts += [(label, sentence, formats.text) for label, sentence in late_facts(report)]
    facts += [(label, sentence, formats.text) for label, sentence in history_facts(report)]
    facts += warning_facts(report, formats)
    row = 3
    for label, value, fmt in facts:
        sheet.write(row, 0, label, formats.label)
        shown = fmt_datetime(value) if isinstance(value, dt.datetime) else (value or "")
        if len(shown) > 60:
            # A note: it runs on over the empty cells to its right instead of widening the
            # column the unit names below share.
            sheet.ws.write_string(row, 1, shown, fmt)
        else:
            sheet.write(row, 1, value, fmt, shown)
        row += 1
    row += 1
    sheet.ws.write_string(row, 0, "Dữ liệu đầu vào theo đơn vị và nguồn", formats.subtitle)
    row += 1
    # ingest_summary counts every file ever delivered, not the period's: say so, or a
    # monthly workbook seems to show a month's files.
    sheet.ws.write_string(row, 0, ingest_scope_note(report), formats.text)
    row += 1
    ingest_header = row
    for col, (_, header) in enumerate(INGEST_COLUMNS):
        sheet.header(row, col, header, formats.header)
    row += 1
    totals = dict.fromkeys(
        ("files", "rejected_files", "rows_in", "rows_loaded", "rows_set_aside"), 0
    )
    for record in report.ingest.iter_rows(named=True) if report.ingest.height else []:
        for col, (key, _) in enumerate(INGEST_COLUMNS):
            value = record.get(key)
            if key == "unit_name":
                value = next(u.name for u in report.units if u.code == record["unit_code"])
                sheet.write(row, col, value, formats.text)
            elif key == "feed":
                sheet.write(row, col, FEEDS.get(value, value), formats.text)
            elif key in totals:
                totals[key] += value or 0
                _number(sheet, row, col, value, 0, formats.count)
            elif isinstance(value, dt.date):
                sheet.write(row, col, value, formats.date, fmt_date(value))
            else:
                sheet.write(row, col, value, formats.text)
        row += 1
    if report.ingest.height:
        sheet.write(row, 0, "Tổng cộng", formats.label)
        for col, (key, _) in enumerate(INGEST_COLUMNS):
            if key in totals:
                _number(sheet, row, col, totals[key], 0, formats.total)
    else:
        sheet.write(row, 0, "Tệp dữ liệu công bố không có bảng ingest_summary.", formats.text)
    sheet.ws.autofilter(ingest_header, 0, ingest_header, len(INGEST_COLUMNS) - 1)
    sheet.size_columns(indent=dict.fromkeys(range(len(INGEST_COLUMNS)), 2))
    _print_setup(sheet.ws, report, repeat_header=False)


def ingest_scope_note(report: Report) -> str:
    """What the input table counts: every file received, whatever the report's period."""
    ingest = report.ingest
    if not ingest.height:
        return "Số tệp, số dòng: mọi tệp đã nhận."
    first = ingest.get_column("first_export_date").min()
    last = ingest.get_column("last_export_date").max()
    note = f"Số tệp, số dòng: mọi tệp đã nhận (ngày xuất {fmt_date(first)} – {fmt_date(last)})"
    if report.period.contains(first) and report.period.contains(last):
        return note + "."
    return note + f", không riêng {report.period.title().lower()}."


def _indicator_sheet(
    book: xlsxwriter.Workbook, formats: _Formats, report: Report, group: str, rows: pl.DataFrame
) -> int:
    sheet = _Sheet(book.add_worksheet(GROUP_SHEETS.get(group, group[:31])))
    name = GROUPS.get(group, {"vi": group})["vi"]
    _header(
        sheet,
        formats,
        report,
        INDICATOR_COLUMNS,
        f"{name} — {report.root.name} — {report.period.title()}",
    )
    max_depth = 0
    for offset, record in enumerate(rows.iter_rows(named=True)):
        row = FIRST_DATA_ROW + offset
        is_rate = record["kind"] == "rate"
        decimals = 2 if is_rate else 0
        value_format = formats.rate if is_rate else formats.count
        max_depth = max(max_depth, record["depth"])
        for col, (key, _) in enumerate(INDICATOR_COLUMNS):
            value = record.get(key)
            if key == "unit_name":
                sheet.write(row, col, value, formats.indented(record["depth"]))
            elif key == "scope":
                sheet.write(row, col, SCOPES[value]["vi"], formats.text)
            elif key in ("numerator", "denominator"):
                _number(sheet, row, col, value, 0, formats.count)
            elif key in ("value", "target"):
                _number(sheet, row, col, value, decimals, value_format)
            elif key == "measure":
                noun = "%" if is_rate else COUNT_NOUNS.get(record["source"], "")
                sheet.write(row, col, noun, formats.text)
            elif key == "meets_target":
                if value is None:
                    sheet.write(row, col, None, formats.text)
                else:
                    sheet.write(row, col, fmt_met(value), formats.met if value else formats.not_met)
            else:
                sheet.write(row, col, value, formats.text)
    last = FIRST_DATA_ROW + max(rows.height, 1) - 1
    sheet.ws.autofilter(HEADER_ROW, 0, last, len(INDICATOR_COLUMNS) - 1)
    unit_col = [key for key, _ in INDICATOR_COLUMNS].index("unit_name")
    # An indent level is about two characters wide; the filter button needs room too.
    extra = dict.fromkeys(range(len(INDICATOR_COLUMNS)), 2)
    extra[unit_col] += 2 * max_depth
    sheet.size_columns(indent=extra)
    return rows.height


TIMELINESS = {"early": "trước hạn", "on_time": "đúng hạn", "late": "trễ hạn"}


def _due_date_rows(report: Report, names: dict[str, str]) -> list[dict]:
    """A row per dossier whose due date was moved later than the rule allows without a
    supplement request: when it was due, by the rule and as recorded, and how it counts."""
    flags = report.due_date_flags
    rows = []
    for r in flags.iter_rows(named=True) if flags.width else []:
        detail = (
            f"Hồ sơ {r['dossier_code']} (TTHC {r['procedure_code']}), tiếp nhận "
            f"{fmt_date(r['received_date'])}: hẹn trả {fmt_date(r['recorded_due_date'])}, "
            f"theo quy định {fmt_date(r['expected_due_date'])}"
        )
        if r["days_moved"] is not None:
            detail += f" (dời {fmt_number(r['days_moved'])} ngày làm việc)"
        detail += ", không có yêu cầu bổ sung"
        if r["finished_date"] is not None:
            detail += (
                f"; có kết quả {fmt_date(r['finished_date'])}: ghi là "
                f"{TIMELINESS.get(r['timeliness_as_logged'], '')}, theo quy định "
                f"{TIMELINESS.get(r['timeliness_by_rule'], '')}"
            )
        rows.append(
            {
                "unit_code": r["unit_code"],
                "unit_name": names.get(r["unit_key"], ""),
                "kind": "Hạn trả bị dời không có yêu cầu bổ sung",
                "feed": FEEDS["dossiers"],
                "source_file": r["source_file"],
                "source_row": r["source_row"],
                "detail": detail,
            }
        )
    return rows


def _stale_rows(report: Report) -> list[dict]:
    rows = []
    for s in report.stale:
        if s.last_delivery is None:
            detail = f"Chưa gửi tệp nào đến {fmt_date(s.reference)}"
        else:
            detail = (
                f"Lần gửi gần nhất {fmt_date(s.last_delivery)}, {s.days_behind} ngày trước "
                f"{fmt_date(s.reference)} (lần gửi mới nhất của các đơn vị, trong kỳ)"
            )
        rows.append(
            {
                "unit_code": s.unit_code,
                "unit_name": s.unit_name,
                "kind": "Đơn vị ngừng gửi dữ liệu",
                "feed": FEEDS.get(s.feed, s.feed),
                "detail": detail,
            }
        )
    return rows


def warning_rows(report: Report) -> tuple[list[dict], int]:
    """The warnings sheet's rows: reconciliation disagreements, due dates moved without a
    supplement request, set-aside rows (at most MAX_SET_ASIDE_ROWS) and units that stopped
    delivering, each unit by unit. Returns the rows and how many set-aside rows were left
    out."""
    names = {u.key: u.name for u in report.units}
    indicator_names = dict(report.catalog.select("indicator_code", "name_vi").rows())
    rows: list[dict] = []
    for r in report.warnings.iter_rows(named=True) if report.warnings.height else []:
        detail = RECONCILIATION_DETAIL.get(r["status"], r["status"])
        if r["status"] == "rate_mismatch" and r["recomputed_rate"] is not None:
            detail += f" (tính lại: {fmt_number(r['recomputed_rate'], 2)}%)"
        is_rate = r["kind"] == "rate"
        rows.append(
            {
                "unit_code": r["unit_code"],
                "unit_name": names.get(r["unit_key"], ""),
                "kind": "Số liệu báo cáo không khớp",
                "feed": FEEDS["reports"],
                "source_file": r["source_file"],
                "source_row": r["source_row"],
                "export_date": r["export_date"],
                "period": r["period"],
                "indicator_code": r["indicator_code"],
                "indicator_name": indicator_names.get(r["indicator_code"], ""),
                "scope": SCOPES.get(r["scope"], {"vi": r["scope"]})["vi"],
                "reported_numerator": r["reported_numerator"],
                "reported_denominator": r["reported_denominator"],
                "reported_rate": r["reported_rate"],
                "computed_numerator": r["computed_numerator"],
                "computed_denominator": r["computed_denominator"],
                "computed_value": r["computed_rate"] if is_rate else r["computed_numerator"],
                "detail": detail,
                "_rate": is_rate,
            }
        )
    rows += _due_date_rows(report, names)
    set_aside = report.set_aside
    left_out = max(set_aside.height - MAX_SET_ASIDE_ROWS, 0) if set_aside.width else 0
    for r in set_aside.head(MAX_SET_ASIDE_ROWS).iter_rows(named=True) if set_aside.width else []:
        rows.append(
            {
                "unit_code": r["unit_code"],
                "unit_name": names.get(r["unit_key"], ""),
                "kind": "Dòng dữ liệu bị để riêng"
                if r["source_row"] is not None
                else "Tệp không đọc được",
                "feed": FEEDS.get(r["feed"], r["feed"]),
                "source_file": r["source_file"],
                "source_row": r["source_row"],
                "export_date": r["export_date"],
                "detail": r["reason"],
            }
        )
    rows += _stale_rows(report)
    return rows, left_out


def _warnings_sheet(book: xlsxwriter.Workbook, formats: _Formats, report: Report) -> int:
    sheet = _Sheet(book.add_worksheet(WARNINGS_SHEET))
    _header(
        sheet,
        formats,
        report,
        WARNING_COLUMNS,
        f"Cảnh báo: số liệu không khớp, hạn trả bị dời, dữ liệu bị để riêng, đơn vị ngừng gửi "
        f"— {report.root.name} — "
        f"{report.period.title()}",
    )
    rows, left_out = warning_rows(report)
    for offset, record in enumerate(rows):
        row = FIRST_DATA_ROW + offset
        for col, (key, _) in enumerate(WARNING_COLUMNS):
            value = record.get(key)
            if key == "export_date":
                sheet.write(row, col, value, formats.date, fmt_date(value))
            elif key in ("reported_rate",) or (key == "computed_value" and record.get("_rate")):
                _number(sheet, row, col, value, 2, formats.rate)
            elif key.startswith(("reported_", "computed_")):
                _number(sheet, row, col, value, 0, formats.count)
            elif key == "source_row":
                _number(sheet, row, col, value, 0, formats.text)
            elif key == "detail" and value:
                sheet.wrapped(row, col, value, formats.wrap)
            else:
                sheet.write(row, col, value, formats.text)
    end = FIRST_DATA_ROW + len(rows)
    if not rows:
        sheet.write(end, 0, "Không có cảnh báo nào trong kỳ.", formats.text)
    if left_out:
        sheet.write(
            end,
            0,
            f"… và {fmt_number(left_out)} dòng bị để riêng khác: xem bảng set_aside.",
            formats.label,
        )
    sheet.ws.autofilter(HEADER_ROW, 0, max(end - 1, HEADER_ROW), len(WARNING_COLUMNS) - 1)
    sheet.size_columns(indent=dict.fromkeys(range(len(WARNING_COLUMNS)), 2))
    return len(rows)


def warning_facts(report: Report, formats: _Formats) -> list[tuple[str, str, Any]]:
    """The cover's warning lines: each kind with its first lines (the sheet has them all)."""
    groups = warning_summary(report)
    if not groups:
        return [("Cảnh báo", "Không có cảnh báo nào trong kỳ.", formats.text)]
    facts = []
    for number, group in enumerate(groups):
        label = "Cảnh báo" if number == 0 else ""
        facts.append((label, group.title, formats.label))
        for item in group.items[:COVER_WARNING_ITEMS]:
            facts.append(("", f"• {item}", formats.text))
        if len(group.items) > COVER_WARNING_ITEMS:
            more = len(group.items) - COVER_WARNING_ITEMS
            facts.append(("", f"… và {fmt_number(more)} dòng khác: xem sheet “{WARNINGS_SHEET}”.",
                          formats.text))  # fmt: skip
    return facts


def late_facts(report: Report) -> list[tuple[str, str]]:
    """(label, "5 hồ sơ trễ hạn: lỗi đường truyền mạng (5)") for each of the unit's scopes;
    none when the published file does not say why dossiers were late."""
    if not report.has_late_reasons:
        return []
    scopes = report.root.scopes
    return [
        (
            "Hồ sơ trễ hạn" + (f" ({SCOPES[scope]['vi'].lower()})" if len(scopes) > 1 else ""),
            late_sentence(report.late_reason_counts(scope)),
        )
        for scope in scopes
    ]


def history_facts(report: Report) -> list[tuple[str, str]]:
    """The cover's lines on the history sheet: what it is, and each period's basis that is
    not the unit's own ("2024: gộp từ Phường 1, 2, 3, 4")."""
    if not report.has_history:
        return []
    words = BASIS_TEXT["vi"]
    facts = [(words["heading"], f"Sheet “{HISTORY_SHEET}”: " + words["explain"].format(
        name=report.root.name))]  # fmt: skip
    for periods, text in basis_lines(report.history_notes):
        facts.append(("", f"{periods}: {text}"))
    return facts


def _history_sheet(book: xlsxwriter.Workbook, formats: _Formats, report: Report) -> int:
    """The unit's figures on today's territory, period by period from the start of the
    data (indicator_values_rebased, area), each period with its basis in words."""
    sheet = _Sheet(book.add_worksheet(HISTORY_SHEET))
    _header(
        sheet,
        formats,
        report,
        HISTORY_COLUMNS,
        f"{BASIS_TEXT['vi']['heading']} — {report.root.name} — đến {report.period.title()}",
    )
    notes = {note.period.start: basis_text(note) for note in report.history_notes}
    titles = {note.period.start: note.period.title() for note in report.history_notes}
    rows = report.history
    for offset, record in enumerate(rows.iter_rows(named=True)):
        row = FIRST_DATA_ROW + offset
        is_rate = record["kind"] == "rate"
        decimals = 2 if is_rate else 0
        value_format = formats.rate if is_rate else formats.count
        for col, (key, _) in enumerate(HISTORY_COLUMNS):
            value = record.get(key)
            if key == "period":
                sheet.write(row, col, titles.get(record["period_start"], ""), formats.text)
            elif key in ("period_start", "period_end"):
                sheet.write(row, col, value, formats.date, fmt_date(value))
            elif key in ("numerator", "denominator"):
                _number(sheet, row, col, value, 0, formats.count)
            elif key in ("value", "target"):
                _number(sheet, row, col, value, decimals, value_format)
            elif key == "measure":
                noun = "%" if is_rate else COUNT_NOUNS.get(record["source"], "")
                sheet.write(row, col, noun, formats.text)
            elif key == "meets_target":
                if value is None:
                    sheet.write(row, col, None, formats.text)
                else:
                    sheet.write(row, col, fmt_met(value), formats.met if value else formats.not_met)
            elif key == "basis":
                text = notes.get(record["period_start"], "")
                if text:
                    sheet.wrapped(row, col, text, formats.wrap)
                else:
                    sheet.write(row, col, None, formats.text)
            else:
                sheet.write(row, col, value, formats.text)
    last = FIRST_DATA_ROW + max(rows.height, 1) - 1
    sheet.ws.autofilter(HEADER_ROW, 0, last, len(HISTORY_COLUMNS) - 1)
    sheet.size_columns(indent=dict.fromkeys(range(len(HISTORY_COLUMNS)), 2))
    return rows.height


def _late_sheet(book: xlsxwriter.Workbook, formats: _Formats, report: Report) -> int:
    """The period's late dossiers of the unit and the units under it, then the unit's
    late dossiers by reason for each scope."""
    sheet = _Sheet(book.add_worksheet(LATE_SHEET))
    _header(
        sheet,
        formats,
        report,
        LATE_COLUMNS,
        f"Hồ sơ trễ hạn và lý do — {report.root.name} — {report.period.title()}",
    )
    depth = {u.key: u.depth for u in report.units}
    dossiers = report.late_dossiers
    records = list(dossiers.iter_rows(named=True)) if dossiers.width else []
    for offset, record in enumerate(records):
        row = FIRST_DATA_ROW + offset
        for col, (key, _) in enumerate(LATE_COLUMNS):
            value = record.get(key)
            if key == "unit_name":
                sheet.write(row, col, value, formats.indented(depth.get(record["unit_key"], 0)))
            elif key.endswith("_date"):
                sheet.write(row, col, value, formats.date, fmt_date(value))
            elif key.endswith("days_late"):
                _number(sheet, row, col, value, 0, formats.count)
            elif key == "late_reason" and not value:
                sheet.wrapped(row, col, NO_REASON["vi"].capitalize(), formats.no_reason)
            elif key in ("procedure_name", "late_reason"):
                sheet.wrapped(row, col, value, formats.wrap)
            else:
                sheet.write(row, col, value, formats.text)
    end = FIRST_DATA_ROW + len(records)
    sheet.ws.autofilter(HEADER_ROW, 0, max(end - 1, HEADER_ROW), len(LATE_COLUMNS) - 1)
    # notes run on over the empty cells to their right instead of widening the first column
    if not dossiers.width:
        note = "Tệp dữ liệu công bố không có bảng late_dossiers."
        sheet.ws.write_string(end, 0, note, formats.text)
    elif not records:
        sheet.ws.write_string(end, 0, "Không có hồ sơ trễ hạn trong kỳ.", formats.text)
    if records or not dossiers.width:
        # the unit's late dossiers by reason, per scope: the sentence of `par report`
        scopes = report.root.scopes
        for row, scope in enumerate(scopes, start=end + 1):
            sentence = late_sentence(report.late_reason_counts(scope))
            lead = f"{SCOPES[scope]['vi']} — " if len(scopes) > 1 else ""
            if report.has_late_reasons:
                sheet.ws.write_string(row, 0, lead + sentence, formats.label)
    sheet.size_columns(indent=dict.fromkeys(range(len(LATE_COLUMNS)), 2))
    return len(records)


def write_workbook(report: Report, path: Path) -> int:
    """Write the report's workbook to path (atomically: a reader sees the old file or the new
    one). Returns the number of data rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    book = xlsxwriter.Workbook(str(partial), {"strings_to_numbers": False})
    try:
        book.set_properties(
            {
                "title": f"Chỉ số cải cách hành chính — {report.root.name} — "
                f"{report.period.title()}",
                "author": "PAR Warehouse",
                "company": report.root.name,
                "comments": f"Tạo từ {report.snapshot.source.name}",
                "created": local_time(report.generated_at),
            }
        )
        formats = _Formats(book)
        _cover(book, formats, report)
        written = 0
        for group in report.groups():
            rows = report.rows.filter(pl.col("source") == group)
            written += _indicator_sheet(book, formats, report, group, rows)
        if report.has_late_reasons or report.late_dossiers.width:
            written += _late_sheet(book, formats, report)
        if report.has_history:
            written += _history_sheet(book, formats, report)
        written += _warnings_sheet(book, formats, report)
        book.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return written
