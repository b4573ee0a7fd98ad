"""Write one delivered file: a unit's rows for one feed and one export day.

The format and dialect come from the unit's spec. Files are written whole, one at a time,
and byte-for-byte reproducible (fixed XLSX document properties, no clock).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from pipelines.simulator.dialects import (
    api_value,
    book_value,
    unit_fields,
    windows_1258_form,
)
from pipelines.simulator.specs import UnitSpec

# XLSX metadata normally carries the time of writing; pin it so output is reproducible.
_XLSX_CREATED = datetime(2021, 1, 1)


class LandingWriter:
    """Writes files under <landing>/<unit>/<feed>/ and counts what it wrote."""

    def __init__(self, landing: Path):
        self.landing = Path(landing)
        self.files: Counter[tuple[str, str]] = Counter()  # (feed, format) -> files
        self.rows: Counter[str] = Counter()  # feed -> rows
        self._made: set[Path] = set()

    def write(
        self,
        unit: UnitSpec,
        feed: str,
        export_date: date,
        rows: list[dict],
        suffix: str = "",
    ) -> Path:
        fmt = unit.formats[feed]
        folder = self.landing / unit.code / feed
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)
        path = folder / f"{export_date.isoformat()}{('_' + suffix) if suffix else ''}.{fmt}"
        if fmt == "jsonl":
            data = jsonl_bytes(unit, feed, rows)
        elif fmt == "csv":
            data = csv_bytes(unit, feed, rows)
        elif fmt == "xlsx":
            data = xlsx_bytes(unit, feed, rows)
        else:
            raise ValueError(f"{unit.code}: unknown format {fmt!r}")
        path.write_bytes(data)
        self.files[(feed, fmt)] += 1
        self.rows[feed] += len(rows)
        return path


def jsonl_bytes(unit: UnitSpec, feed: str, rows: list[dict]) -> bytes:
    """One JSONL file of the provincial sync API: one object per row, the API's keys."""
    fields = unit_fields(unit, feed)
    lines = []
    for row in rows:
        obj = {
            f.key: api_value(row.get(f.name), f, level_style=unit.service_levels) for f in fields
        }
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(", ", ": ")))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _book_rows(unit: UnitSpec, feed: str, rows: list[dict]) -> list[list[str]]:
    fields = unit_fields(unit, feed)
    style, fmt = unit.service_levels, unit.time_format
    return [
        [book_value(row.get(f.name), f, level_style=style, time_format=fmt) for f in fields]
        for row in rows
    ]


def csv_bytes(unit: UnitSpec, feed: str, rows: list[dict]) -> bytes:
    """One CSV book in the unit's encoding and line ending, Vietnamese headers."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=unit.line_ending)
    writer.writerow([f.header for f in unit_fields(unit, feed)])
    writer.writerows(_book_rows(unit, feed, rows))
    text = buffer.getvalue()
    if unit.csv_encoding == "cp1258":
        return windows_1258_form(text).encode("cp1258")
    return text.encode(unit.csv_encoding)


def xlsx_bytes(unit: UnitSpec, feed: str, rows: list[dict]) -> bytes:
    """First sheet, header on row 1. 'native' feeds store dates as Excel datetimes and whole
    numbers as numbers, as a clerk typing into Excel gets; 'text' feeds hold typed text."""
    fields = unit_fields(unit, feed)
    native = unit.xlsx_dates.get(feed) == "native"
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    book.set_properties({"created": _XLSX_CREATED, "author": f"UBND {unit.name}"})
    sheet = book.add_worksheet("Sheet1")
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    time_fmt = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    for c, f in enumerate(fields):
        sheet.write_string(0, c, f.header, bold)
    text_rows = _book_rows(unit, feed, rows)
    for r, (row, texts) in enumerate(zip(rows, text_rows, strict=True), start=1):
        for c, f in enumerate(fields):
            value = row.get(f.name)
            if value is None:
                continue
            if native and f.kind == "datetime":
                sheet.write_datetime(r, c, value, time_fmt)
            elif native and f.kind == "date":
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
            elif native and f.kind == "int":
                sheet.write_number(r, c, value)
            else:
                # codes such as 1.004227 must stay text, never become numbers
                sheet.write_string(r, c, texts[c])
    sheet.set_column(0, len(fields) - 1, 18)
    book.close()
    return buffer.getvalue()


def write_units_csv(landing: Path, units) -> Path:
    """<landing>/units.csv, UTF-8, as the contract's units registry."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "unit_code",
            "unit_name",
            "unit_level",
            "parent_code",
            "valid_from",
            "valid_to",
            "csv_encoding",
        ]
    )
    for u in units:
        writer.writerow(
            [
                u.code,
                u.name,
                u.level,
                u.parent or "",
                u.valid_from.isoformat(),
                u.valid_to.isoformat() if u.valid_to else "",
                u.csv_encoding,
            ]
        )
    path = Path(landing) / "units.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path
