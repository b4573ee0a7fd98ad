"""Excel books (XLSX) for many daily files at once, as xlsxwriter would write them.

xlsxwriter spends about 15 µs a cell: hours for a province. Here the parts that do not
depend on the rows (styles, theme, workbook, properties) come from xlsxwriter itself, once
per unit and feed (`writers.xlsx_bytes` on one dummy row); the worksheet and its shared-string
table are assembled for all of a unit's files together with polars expressions, in the
form xlsxwriter gives them: header in bold on row 1, strings in a shared table in order of
first use, the row spans of each block of 16 rows, and for 'native' feeds dates and whole
numbers as numbers. The zip parts are stored in xlsxwriter's order with its fixed times.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import polars as pl

from pipelines.simulator.dialects import FIELDS, Field
from pipelines.simulator.specs import UnitSpec
from pipelines.simulator.writers import xlsx_bytes

DAY = "_day"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
)
_ROWS_PER_CHUNK = 60_000  # rows assembled together: bounds memory for the biggest units
_EXCEL_EPOCH_DAYS = 25568  # 1970-01-01 minus 1899-12-31, xlsxwriter's epoch


def column_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass(frozen=True)
class _Skeleton:
    parts: tuple[tuple[str, bytes], ...]  # every zip part in order; the sheet and SST empty
    head: str  # worksheet text before <dimension>
    middle: str  # between <dimension/> and <sheetData>
    tail: str  # after </sheetData>
    header_attr: tuple[str, ...]  # ' s="1"' per column for the header row
    data_attr: tuple[str, ...]  # the style attribute of each column's data cells


def _dummy(f: Field):
    return {
        "text": "x",
        "int": 1,
        "coded": next(iter(f.names or {1: None})),
        "bool": True,
        "datetime": datetime(2021, 1, 4, 8, 0),
        "date": date(2021, 1, 4),
        "service_level": 3,
        "scope": "self",
        "number": Decimal("1.00"),
    }[f.kind]


_SKELETONS: dict[tuple, _Skeleton] = {}


def _skeleton(spec: UnitSpec, feed: str, native: bool) -> _Skeleton:
    key = (spec.name, feed, native)
    if key in _SKELETONS:
        return _SKELETONS[key]
    dialect = replace(spec, xlsx_dates={feed: "native"} if native else {})
    data = xlsx_bytes(dialect, feed, [{f.name: _dummy(f) for f in FIELDS[feed]}])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = tuple(
            (name, b"" if name in (SHEET, STRINGS) else z.read(name)) for name in z.namelist()
        )
        sheet = z.read(SHEET).decode("utf-8")
    start = sheet.index("<dimension")
    end = sheet.index("/>", start) + 2
    styles: dict[tuple[str, str], str] = {}
    for letter, row, style in re.findall(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?', sheet):
        styles[(letter, row)] = f' s="{style}"' if style else ""
    letters = [column_letter(j) for j in range(len(FIELDS[feed]))]
    skeleton = _Skeleton(
        parts=parts,
        head=sheet[:start],
        middle=sheet[end : sheet.index("<sheetData>")],
        tail=sheet[sheet.index("</sheetData>") + len("</sheetData>") :],
        header_attr=tuple(styles[(c, "1")] for c in letters),
        data_attr=tuple(styles.get((c, "2"), "") for c in letters),
    )
    _SKELETONS[key] = skeleton
    return skeleton


def _excel_numbers(values: pl.Series, kind: str) -> pl.Series:
    """Excel serial numbers as xlsxwriter writes them ('%.16G'); null stays null."""
    if kind == "int":
        return values.cast(pl.String)
    # seconds since 1970: a date is its midnight
    seconds = values.dt.epoch("s") if kind == "datetime" else values.cast(pl.Int64) * 86_400
    mask = seconds.is_not_null().to_numpy()
    raw = seconds.fill_null(0).to_numpy()
    uniq, inverse = np.unique(raw, return_inverse=True)
    days, secs = np.divmod(uniq, 86_400)
    # as xlsxwriter computes it: days + seconds / 86400, then + 1 for Excel's 1900 leap day
    serial = (days + _EXCEL_EPOCH_DAYS).astype(np.float64) + secs / 86_400.0
    serial = serial + 1.0
    texts = np.array([f"{x:.16G}" for x in serial.tolist()], dtype=object)[inverse]
    out = pl.Series(values.name, texts, dtype=pl.String)
    return pl.select(pl.when(pl.Series(mask)).then(out)).to_series().alias(values.name)


def _escape(text: pl.Expr) -> pl.Expr:
    return (
        text.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _chunks(days: pl.Series) -> Iterator[tuple[int, int]]:
    """(start, end) row ranges holding whole days, about _ROWS_PER_CHUNK rows each."""
    n = len(days)
    if n == 0:
        return
    values = days.to_numpy()
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    bounds = [0]
    for s in starts[1:]:
        if s - bounds[-1] >= _ROWS_PER_CHUNK:
            bounds.append(int(s))
    bounds.append(n)
    yield from zip(bounds[:-1], bounds[1:], strict=True)


def workbooks(
    spec: UnitSpec, feed: str, texts: pl.DataFrame, typed: pl.DataFrame | None
) -> Iterator[tuple[date, bytes, int]]:
    """(day, XLSX bytes, rows) for each export day. `texts`: the book texts of the rows
    ('' for no value) and `_day`, sorted by day; `typed`: the same rows with typed values
    for a 'native' book (dates and whole numbers written as numbers), else None."""
    skeleton = _skeleton(spec, feed, typed is not None)
    for start, end in _chunks(texts[DAY]):
        chunk_typed = None if typed is None else typed.slice(start, end - start)
        yield from _chunk_workbooks(skeleton, feed, texts.slice(start, end - start), chunk_typed)


def _chunk_workbooks(
    skeleton: _Skeleton, feed: str, texts: pl.DataFrame, typed: pl.DataFrame | None
) -> Iterator[tuple[date, bytes, int]]:
    fields = FIELDS[feed]
    letters = [column_letter(j) for j in range(len(fields))]
    days = texts[DAY]
    file_id = days.rle_id().alias("f")
    base = pl.DataFrame({"f": file_id}).with_columns(
        (pl.int_range(pl.len()).over("f") + 2).cast(pl.Int64).alias("r")
    )
    file_days = days.unique(maintain_order=True).to_list()
    n_files = len(file_days)

    cells = []
    for j, f in enumerate(fields):
        number = typed is not None and f.kind in ("datetime", "date", "int")
        if number:
            values = _excel_numbers(typed[f.name], f.kind)
        else:
            values = texts[f.name]
            values = pl.select(pl.when(values != "").then(values)).to_series()
        cells.append(
            base.with_columns(
                pl.lit(j, pl.Int64).alias("c"),
                values.alias("v"),
                pl.lit(number).alias("number"),
                pl.lit(skeleton.data_attr[j]).alias("attr"),
            ).filter(pl.col("v").is_not_null())
        )
    header = pl.DataFrame(
        {
            "f": np.repeat(np.arange(n_files, dtype=np.uint32), len(fields)),
            "r": np.ones(n_files * len(fields), dtype=np.int64),
            "c": np.tile(np.arange(len(fields), dtype=np.int64), n_files),
            "v": [f.header for f in fields] * n_files,
            "number": [False] * (n_files * len(fields)),
            "attr": list(skeleton.header_attr) * n_files,
        },
        schema={
            "f": file_id.dtype,
            "r": pl.Int64,
            "c": pl.Int64,
            "v": pl.String,
            "number": pl.Boolean,
            "attr": pl.String,
        },
    )
    long = pl.concat([header, *cells]).sort("f", "r", "c")
    letter = pl.col("c").replace_strict(dict(enumerate(letters)), return_dtype=pl.String)
    ref = pl.concat_str(pl.lit('<c r="'), letter, pl.col("r").cast(pl.String), pl.lit('"'))

    strings = (
        long.filter(~pl.col("number"))
        .with_columns(pl.int_range(pl.len()).alias("pos"))
        .with_columns(pl.col("pos").min().over("f", "v").alias("first"))
        .with_columns((pl.col("first").rank("dense").over("f") - 1).alias("idx"))
    )
    string_cells = strings.select(
        "f",
        "r",
        "c",
        pl.concat_str(
            ref,
            pl.col("attr"),
            pl.lit(' t="s"><v>'),
            pl.col("idx").cast(pl.String),
            pl.lit("</v></c>"),
        ).alias("xml"),
    )
    number_cells = long.filter(pl.col("number")).select(
        "f",
        "r",
        "c",
        pl.concat_str(ref, pl.col("attr"), pl.lit("><v>"), pl.col("v"), pl.lit("</v></c>")).alias(
            "xml"
        ),
    )
    all_cells = pl.concat([string_cells, number_cells]).sort("f", "r", "c")
    all_cells = all_cells.with_columns(((pl.col("r") - 1) // 16).alias("block"))
    spans = all_cells.group_by("f", "block").agg(
        (pl.col("c").min() + 1).alias("lo"), (pl.col("c").max() + 1).alias("hi")
    )
    rows = (
        all_cells.group_by("f", "r", maintain_order=True)
        .agg(pl.col("xml").str.join(""), pl.col("block").first())
        .join(spans, on=["f", "block"], how="left", maintain_order="left")
        .select(
            "f",
            pl.concat_str(
                pl.lit('<row r="'),
                pl.col("r").cast(pl.String),
                pl.lit('" spans="'),
                pl.col("lo").cast(pl.String),
                pl.lit(":"),
                pl.col("hi").cast(pl.String),
                pl.lit('">'),
                pl.col("xml"),
                pl.lit("</row>"),
            ).alias("xml"),
        )
    )
    sheets = rows.group_by("f", maintain_order=True).agg(pl.col("xml").str.join(""))
    dims = all_cells.group_by("f", maintain_order=True).agg(
        pl.col("r").max().alias("max_r"), pl.col("c").max().alias("max_c"), pl.len().alias("n")
    )
    unique = strings.filter(pl.col("pos") == pl.col("first")).select(
        "f",
        pl.when(pl.col("v").str.contains(r"^\s|\s$"))
        .then(pl.concat_str(pl.lit('<si><t xml:space="preserve">'), _escape(pl.col("v"))))
        .otherwise(pl.concat_str(pl.lit("<si><t>"), _escape(pl.col("v"))))
        .alias("si"),
    )
    tables = unique.group_by("f", maintain_order=True).agg(
        pl.col("si").str.join("</t></si>"), pl.len().alias("unique")
    )
    counts = strings.group_by("f", maintain_order=True).agg(pl.len().alias("count"))

    per_file = (
        sheets.join(dims, on="f", maintain_order="left")
        .join(tables, on="f", maintain_order="left")
        .join(counts, on="f", maintain_order="left")
        .sort("f")
    )
    for f, sheet_rows, max_r, max_c, _n, si, n_unique, n_strings in per_file.iter_rows():
        sheet = (
            f'{skeleton.head}<dimension ref="A1:{column_letter(max_c)}{max_r}"/>'
            f"{skeleton.middle}<sheetData>{sheet_rows}</sheetData>{skeleton.tail}"
        )
        sst = f'{_SST_HEAD}count="{n_strings}" uniqueCount="{n_unique}">{si}</t></si></sst>'
        yield file_days[f], _zip(skeleton, sheet.encode("utf-8"), sst.encode("utf-8")), max_r - 1


def _zip(skeleton: _Skeleton, sheet: bytes, strings: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in skeleton.parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, sheet if name == SHEET else strings if name == STRINGS else data)
    return buffer.getvalue()
