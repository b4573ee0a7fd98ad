"""Write a unit's rows of one feed as its daily files, column by column.

Rows come as one polars frame per unit and feed (contract names, typed values, plus the
export day `_day`) and leave as the same bytes that `writers.LandingWriter` writes for the
same rows in the same dialect: the headers, coded names, date formats, encodings and JSON
of `dialects.py`, computed with vectorised expressions instead of per value. CSV may use `;`
(the one thing the sample's writer never does). XLSX goes through `scale_workbook`.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import polars as pl

from pipelines.simulator.dialects import (
    FIELDS,
    WINDOWS_1258_FORMS,
    Field,
    book_value,
    windows_1258_form,
)
from pipelines.simulator.scale_province import ScaleUnit
from pipelines.simulator.scale_workbook import workbooks
from pipelines.simulator.writers import jsonl_bytes

DAY = "_day"  # the export day of each row: the file it goes to


# --- values as the two dialects write them --------------------------------------------------


def _book_expr(f: Field, *, level_style: str, time_format: str) -> pl.Expr:
    """A canonical column as text in a desk's tracking book ('' for no value)."""
    c = pl.col(f.name)
    kind = f.kind
    if kind == "coded":
        e = c.replace_strict(f.names, return_dtype=pl.String)
    elif kind == "bool":
        e = pl.when(c).then(pl.lit("Có")).when(c.not_()).then(pl.lit("Không"))
    elif kind == "datetime":
        e = c.dt.strftime(time_format)
    elif kind == "date":
        e = c.dt.strftime("%d/%m/%Y")
    elif kind == "service_level":
        names = {1: "1", 2: "2", 3: "3", 4: "4"}
        if level_style == "decree42":
            names.update({3: "Một phần", 4: "Toàn trình"})
        e = c.replace_strict(names, return_dtype=pl.String)
    elif kind == "int":
        e = c.cast(pl.String)
    elif kind == "text":
        e = c
    else:  # scope and number: reports come already as text
        raise ValueError(f"{f.name}: kind {kind} is written from text")
    return e.fill_null("").alias(f.name)


def book_texts(frame: pl.DataFrame, feed: str, unit: ScaleUnit) -> pl.DataFrame:
    spec = unit.spec
    return frame.select(
        *(
            _book_expr(f, level_style=spec.service_levels, time_format=spec.time_format)
            for f in FIELDS[feed]
        ),
        pl.col(DAY),
    )


def _json_string(text: pl.Expr) -> pl.Expr:
    escaped = text.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
        '"', '\\"', literal=True
    )
    return pl.concat_str(pl.lit('"'), escaped, pl.lit('"'))


def _api_expr(f: Field, *, level_style: str) -> pl.Expr:
    """A canonical column as JSON text, as the sync API writes it (json.dumps of
    `dialects.api_value`)."""
    c = pl.col(f.name)
    kind = f.kind
    if kind in ("coded", "int"):
        e = c.cast(pl.String)
    elif kind == "bool":
        e = pl.when(c).then(pl.lit("true")).when(c.not_()).then(pl.lit("false"))
    elif kind == "datetime":
        e = _json_string(c.dt.strftime("%Y%m%d%H%M%S"))
    elif kind == "date":
        e = _json_string(c.dt.strftime("%Y%m%d000000"))
    elif kind == "service_level":
        names = {1: "1", 2: "2", 3: "3", 4: "4"}
        if level_style == "decree42":
            names.update({3: "MP", 4: "TT"})
        e = _json_string(c.replace_strict(names, return_dtype=pl.String))
    elif kind == "text":
        e = _json_string(c)
    else:
        raise ValueError(f"{f.name}: kind {kind} is written from text")
    return e.fill_null("null")


def jsonl_lines(frame: pl.DataFrame, feed: str, unit: ScaleUnit) -> pl.DataFrame:
    parts: list[pl.Expr] = []
    for k, f in enumerate(FIELDS[feed]):
        parts.append(pl.lit(("{" if k == 0 else ", ") + f'"{f.key}": '))
        parts.append(_api_expr(f, level_style=unit.spec.service_levels))
    parts.append(pl.lit("}"))
    return frame.select(pl.concat_str(parts).alias("line"), pl.col(DAY))


# cp1258 spells Vietnamese as base letters with combining tones (see dialects.py)
_WINDOWS_FROM = [chr(cp) for cp in WINDOWS_1258_FORMS]
_WINDOWS_TO = list(WINDOWS_1258_FORMS.values())


def windows_form(text: pl.Expr) -> pl.Expr:
    """`dialects.windows_1258_form` as an expression, for text that is NFC already (as every
    word of the vocabulary is; normalising would cost more than all the rest)."""
    return text.str.replace_many(_WINDOWS_FROM, _WINDOWS_TO)


def csv_lines(
    texts: pl.DataFrame, feed: str, separator: str, encoding: str = "utf-8"
) -> pl.DataFrame:
    """Book texts joined into CSV records, quoted as Python's csv module quotes them; in
    the form cp1258 encodes when that is the `encoding`."""
    special = f'[{re.escape(separator)}"\r\n]'
    fields = []
    for f in FIELDS[feed]:
        c = pl.col(f.name)
        quoted = pl.concat_str(pl.lit('"'), c.str.replace_all('"', '""', literal=True), pl.lit('"'))
        fields.append(pl.when(c.str.contains(special)).then(quoted).otherwise(c))
    line = pl.concat_str(fields, separator=separator)
    if encoding == "cp1258":
        line = windows_form(line)
    return texts.select(line.alias("line"), pl.col(DAY))


def csv_header(feed: str, separator: str, terminator: str) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=separator, lineterminator=terminator).writerow(
        [f.header for f in FIELDS[feed]]
    )
    return buffer.getvalue()


def encode_csv(header: str, records: str, encoding: str) -> bytes:
    """A CSV file's bytes: the header, then records already in their encoding's form."""
    if encoding == "cp1258":
        return (windows_1258_form(header) + records).encode("cp1258")
    return (header + records).encode(encoding)


def _by_day(lines: pl.DataFrame, terminator: str) -> list[tuple[object, str, int]]:
    """(day, the day's records joined, how many) in day order."""
    grouped = lines.group_by(DAY, maintain_order=True).agg(
        pl.col("line").str.join(terminator), pl.len().alias("n")
    )
    return list(grouped.sort(DAY).iter_rows())


# --- files ------------------------------------------------------------------------------------


class FeedWriter:
    """Writes a unit's daily files of one feed under <landing>/<unit>/<feed>/ and counts them."""

    def __init__(self, landing: Path):
        self.landing = Path(landing)
        self.files: Counter[tuple[str, str]] = Counter()  # (feed, format) -> files
        self.rows: Counter[str] = Counter()  # feed -> rows

    def _path(self, unit: ScaleUnit, feed: str, day, fmt: str) -> Path:
        folder = self.landing / unit.code / feed
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{day.isoformat()}.{fmt}"

    def write(self, unit: ScaleUnit, feed: str, frame: pl.DataFrame) -> None:
        """`frame`: contract columns of the feed (typed values) and `_day`, sorted by `_day`;
        one file per day."""
        if frame.height == 0:
            return
        spec = unit.spec
        fmt = spec.formats[feed]
        if fmt == "jsonl":
            for day, text, n in _by_day(jsonl_lines(frame, feed, unit), "\n"):
                self._put(unit, feed, day, fmt, (text + "\n").encode("utf-8"), n)
            return
        texts = book_texts(frame, feed, unit)
        if fmt == "csv":
            terminator = spec.line_ending
            header = csv_header(feed, unit.separator, terminator)
            lines = csv_lines(texts, feed, unit.separator, spec.csv_encoding)
            for day, text, n in _by_day(lines, terminator):
                data = encode_csv(header, text + terminator, spec.csv_encoding)
                self._put(unit, feed, day, fmt, data, n)
        elif fmt == "xlsx":
            native = spec.xlsx_dates.get(feed) == "native"
            for day, data, n in workbooks(spec, feed, texts, frame if native else None):
                self._put(unit, feed, day, fmt, data, n)
        else:
            raise ValueError(f"{unit.code}: unknown format {fmt!r}")

    def write_reports(self, unit: ScaleUnit, day, rows: list[dict]) -> None:
        """One report file: rows of figures as Python values (contract names)."""
        spec = unit.spec
        fmt = spec.formats["reports"]
        if fmt == "jsonl":
            self._put(unit, "reports", day, fmt, jsonl_bytes(spec, "reports", rows), len(rows))
            return
        texts = report_frame(unit, day, rows)
        if fmt == "csv":
            terminator = spec.line_ending
            header = csv_header("reports", unit.separator, terminator)
            lines = csv_lines(texts, "reports", unit.separator, spec.csv_encoding)
            ((_, text, n),) = _by_day(lines, terminator)
            data = encode_csv(header, text + terminator, spec.csv_encoding)
            self._put(unit, "reports", day, fmt, data, n)
        else:
            for _, data, n in workbooks(spec, "reports", texts, None):
                self._put(unit, "reports", day, fmt, data, n)

    def _put(self, unit: ScaleUnit, feed: str, day, fmt: str, data: bytes, n: int) -> None:
        self._path(unit, feed, day, fmt).write_bytes(data)
        self.files[(feed, fmt)] += 1
        self.rows[feed] += n


def report_frame(unit: ScaleUnit, day, rows: list[dict]) -> pl.DataFrame:
    """Report rows (Python values) as book texts, for CSV and XLSX."""
    spec = unit.spec
    texts = {
        f.name: [
            book_value(
                row.get(f.name), f, level_style=spec.service_levels, time_format=spec.time_format
            )
            for row in rows
        ]
        for f in FIELDS["reports"]
    }
    return pl.DataFrame(texts, schema=dict.fromkeys(texts, pl.String)).with_columns(
        pl.lit(day).alias(DAY)
    )
