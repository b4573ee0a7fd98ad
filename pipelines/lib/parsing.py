"""Parse a batch of landing files of one feed into typed raw rows, set-aside rows and a
ledger outcome per file.

Two stages. Reading (per file, Python): bytes -> text -> records of strings under canonical
names, catching what only the file's structure can show (unreadable file, another feed's
file, wrong field count, a quote never closed, invalid JSON line, formula cell without a
value, missing required column). Typing (whole batch, polars): clean, dedupe, parse
dates/numbers/codes with vectorised expressions and set aside every row that does not type,
with a reason naming the column. Nothing is dropped silently.

What a file delivered (the ledger's rows_in) is counted from the file, not taken from what
a parser returned:

- CSV: its physical lines after the first (the header), each ended by LF, CR LF or CR,
  less blank ones (every field empty or spaces). A quoted field may run over line ends, as
  Excel writes a cell's line breaks: a line that opens such a quote and the lines up to the
  next one with an odd number of quote characters are one record when together they read,
  under strict quoting, as exactly one record with the header's number of fields and no
  line between them would be a record of that width by itself. Otherwise every line is a
  record of its own: a line that leaves a quote open is set aside ("row has a quote that is
  never closed") and the lines after it are read one by one, so a stray quote costs its
  row, never the rest of the file (csv alone reads an unclosed quote to the end of the
  file). A record's row number is the line it starts on, the header being line 1: what a
  text editor shows, also after a multi-line record. The whole file goes through csv once;
  only when its records do not match its lines (counted without csv) is it read line by
  line. A file whose every line is one record under strict quoting (most are) is read
  by polars instead, with the other such files of the batch and the same result: see
  native_csv.
- JSONL: its lines (ended by LF) holding more than whitespace; line 1 is row 1. A file
  whose every line is an object of the first line's keys, in that order, of plain values
  (most are) is read by polars instead, with the batch's other such files and the same
  result: see native_jsonl.
- XLSX: the rows of the first sheet below the header (its first row that holds a value)
  that hold a value, or a formula in a column the feed reads; numbered as the sheet numbers
  them. A formula cell loads its cached value; one without a cached value (openpyxl writes
  formulas so, and fastexcel reads them as empty) or whose value is an Excel error sets its
  row aside, naming the column. Formula cells are found in the sheet's XML, which is
  streamed once per file and searched cell by cell only when it has formulas. A sheet
  without such cells whose header is the feed's (most are) has its cells written as text
  by polars, with the batch's other sheets of the same kinds of cell and header, and the
  same result: see _read_sheets.
- A file rejected whole (UTF-16, NUL bytes, bytes neither utf-8 nor cp1258, another
  feed's header, no header) still has its records counted from its lines, as above (its
  first line counts as the header). rows_in is null only for a file that cannot be opened,
  binary data (control characters), or an XLSX that cannot be read.

rows_loaded and rows_set_aside are the rows of each file in the loaded and set-aside frames,
counted there. For a loaded file they add up to rows_in unless a row was lost or doubled in
between: the outcome then says so, and the ledger's blocking check fails.

Reasons name the column (or the file-level problem) and the problem, never a delivered
value: they are published. A set-aside record keeps no personal data and no text of a
column that failed to type; a row that cannot be aligned with its header keeps none when its
feed delivers personal data (dossiers, staff).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import posixpath
import re
import traceback
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from itertools import chain, repeat
from operator import itemgetter
from xml.etree import ElementTree

import fastexcel
import orjson
import polars as pl

from pipelines.lib import headers as h
from pipelines.lib import native_csv, native_jsonl
from pipelines.lib.decoding import (
    Decoded,
    UndecodableError,
    decode,
    nfc,
    text_view,
)
from pipelines.lib.landing import LandingFile
from pipelines.lib.normal_form import nfc_series
from pipelines.lib.pseudonymise import Pseudonymiser, id_kind_expr
from pipelines.lib.schema import (
    FEED_COLUMNS,
    REQUIRED_COLUMNS,
    SET_ASIDE_COLUMNS,
    feed_table_columns,
)

_log = logging.getLogger(__name__)

# Tests turn this off to tabulate every XLSX sheet in Python, as before, and compare.
COLUMNAR_XLSX = True

# fastexcel warns for every all-blank column (an optional column nobody filled): routine here.
logging.getLogger("fastexcel.types.dtype").setLevel(logging.ERROR)


@dataclass
class FileOutcome:
    """One per file; becomes a row of the ingest ledger (schema.LEDGER_COLUMNS)."""

    file: LandingFile
    sha256: str
    size_bytes: int
    encoding: str | None
    rows_in: int | None
    rows_loaded: int
    rows_set_aside: int
    status: str  # 'loaded' or 'rejected'
    error: str | None  # rejected: why unreadable; loaded: notes for the operator, or None


@dataclass
class ParsedBatch:
    loaded: pl.DataFrame  # exactly schema.feed_table_columns(feed)
    set_aside: pl.DataFrame  # exactly schema.SET_ASIDE_COLUMNS
    outcomes: list[FileOutcome]


def polars_dtype(duckdb_type: str) -> pl.DataType:
    """The polars dtype that loads into the given DuckDB column type unchanged."""
    kind = duckdb_type.upper()
    if kind.startswith("DECIMAL"):
        precision, scale = kind[kind.index("(") + 1 : -1].split(",")
        return pl.Decimal(int(precision), int(scale))
    return {
        "VARCHAR": pl.String(),
        "DATE": pl.Date(),
        "TIMESTAMP": pl.Datetime("us"),
        "SMALLINT": pl.Int16(),
        "INTEGER": pl.Int32(),
        "BIGINT": pl.Int64(),
        "BOOLEAN": pl.Boolean(),
    }[kind]


def _schema(columns: dict[str, str]) -> dict[str, pl.DataType]:
    return {name: polars_dtype(kind) for name, kind in columns.items()}


# --------------------------------------------------------------------------- reading


class _Unreadable(Exception):
    """The file as a whole cannot be used; the message says why. `rows_in`: the records it
    delivered where its bytes still show them; `encoding`: the one it was decoded with."""

    def __init__(self, message: str, rows_in: int | None = None, encoding: str | None = None):
        super().__init__(message)
        self.rows_in = rows_in
        self.encoding = encoding


@dataclass
class _FileRows:
    """What reading one file gives: string columns under canonical names, plus the rows
    that could not even be aligned with the header (set aside before typing). A CSV read
    by native_csv has its records in its group's frame instead (see _read_clean_csvs), and
    here only the rest; so has an XLSX sheet tabulated in polars (see _read_sheets)."""

    columns: dict[str, list[str | None]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    pre: list[str | None] = field(default_factory=list)  # reason known before typing
    misfits: list[tuple[int, str, str | None]] = field(default_factory=list)  # row, why, record
    notes: list[str] = field(default_factory=list)
    delivered: int = 0  # records the file delivered, counted as the module docstring says


def _misfit_record(feed: str, delivered: Sequence[str]) -> str | None:
    """Record for a row whose fields cannot be tied to columns. Rows of a feed with personal
    data (dossiers, staff) may then hold it anywhere, so nothing of them is kept."""
    if h.carries_personal_data(feed):
        return None
    key = "line" if isinstance(delivered, str) else "fields"
    return orjson.dumps({key: delivered}).decode()


def _column_label(feed: str, name: str) -> str:
    header = next(c.header for c in h.FEED_HEADERS[feed] if c.name == name)
    return f"'{header}' ({name})"


def _wrong_feed(feed: str, texts: Sequence[str | None], jsonl: bool) -> str | None:
    """Why a file whose header (or, in JSONL, keys) names these columns is not a file of
    `feed`: more of another feed's columns than of this feed's (a file dropped in the wrong
    folder), or none of this feed's at all (no header: the first row is data). Such a file
    is rejected unread: its columns cannot be trusted to hold what this feed's would."""
    keys = {h.match_header(text) for text in texts if text and text.strip()}

    def named(name: str) -> int:
        lookup = h.header_lookup(name)
        return len({lookup[key] for key in keys if key in lookup})

    own = named(feed)
    other, most = max(((f, named(f)) for f in h.FEED_HEADERS if f != feed), key=lambda x: x[1])
    if most > own:
        if jsonl:
            return f"the keys are those of the {other} feed, not {feed}"
        return f"the header is that of the {other} feed, not {feed}"
    if own == 0:
        if jsonl:
            return f"no line has a key of the {feed} feed"
        return f"the header names no column of the {feed} feed (is the header row missing?)"
    return None


@dataclass
class _Layout:
    """Where a header row puts the feed's columns, and what it tells the operator."""

    positions: dict[str, int]  # canonical name -> position of its field
    unnamed: list[int]  # positions without header text: a value there cannot be placed
    notes: list[str]
    file_reason: str  # why every row is set aside (a required column is missing), or ''


def _layout(feed: str, header: Sequence[str | None]) -> _Layout:
    """The layout of a header row of this feed (see _wrong_feed for one that is not)."""
    lookup = h.header_lookup(feed)
    out = _Layout(positions={}, unnamed=[], notes=[], file_reason="")
    for pos, text in enumerate(header):
        text = (text or "").strip()
        if not text:
            out.unnamed.append(pos)
            continue
        name = lookup.get(h.match_header(text))
        if name is None:
            out.notes.append(f"ignored unknown column {text!r}")
        elif name in out.positions:
            out.notes.append(f"ignored repeated column {text!r}")
        else:
            out.positions[name] = pos
    absent = [c.name for c in h.FEED_HEADERS[feed] if c.name not in out.positions]
    missing = [c for c in absent if c in REQUIRED_COLUMNS[feed]]
    out.file_reason = "; ".join(f"file has no column {_column_label(feed, c)}" for c in missing)
    if missing:
        out.notes.append(out.file_reason + ": all rows set aside")
    # A column the contract calls optional (older exports lack it) is not worth a note.
    quiet = h.OPTIONAL_COLUMNS.get(feed, frozenset())
    if optional := [c for c in absent if c not in missing and c not in quiet]:
        shown = ", ".join(_column_label(feed, c) for c in optional)
        out.notes.append(f"no column {shown}: loaded as null")
    return out


def _blank_note(blank: int) -> str:
    return f"skipped {blank} blank row{'s' if blank > 1 else ''}"


def _stray_reason(column: int) -> str:
    return f"row has a value in column {column}, which has no header"


def _width_reason(fields: int, width: int) -> str:
    return f"row has {fields} fields, header has {width}"


def _tabulate(
    feed: str,
    header: Sequence[str | None],
    numbers: Sequence[int],
    rows: Sequence[Sequence[str]],
    check_width: bool,
    broken: Mapping[int, str] | None = None,
    flagged: Mapping[int, str] | None = None,
) -> _FileRows:
    """Map a header row and its records (row numbers, and fields as text) to canonical
    columns.

    `broken`: rows the file's structure already shows cannot be aligned with the header
    (set aside whole); `flagged`: rows whose fields align but that must be set aside for
    the given reason. Neither kind is ever a blank row. Raises _Unreadable (with the count
    of records) for a header that is not this feed's."""
    broken, flagged = broken or {}, flagged or {}
    if why := _wrong_feed(feed, header, jsonl=False):
        raise _Unreadable(why, _count_filled(numbers, rows, {**broken, **flagged}))
    layout = _layout(feed, header)
    out = _FileRows(notes=layout.notes)
    positions, unnamed, file_reason = layout.positions, layout.unnamed, layout.file_reason

    width, blank, good = len(header), 0, []
    for number, fields in zip(numbers, rows, strict=True):
        why = broken.get(number) if broken else None
        if why is None and not "".join(fields).strip() and not (flagged and number in flagged):
            blank += 1  # an empty line is not a record
            continue
        if why is None and check_width and len(fields) != width:
            why = _width_reason(len(fields), width)
        if why is None and unnamed:
            stray = [p + 1 for p in unnamed if p < len(fields) and fields[p].strip()]
            if stray:
                why = _stray_reason(stray[0])
        if why is not None:
            out.misfits.append((number, why, _misfit_record(feed, fields)))
            continue
        good.append(fields)
        out.rows.append(number)
    if blank:
        out.notes.append(_blank_note(blank))
    transposed = list(zip(*good, strict=True)) if good else []
    for name, pos in positions.items():
        out.columns[name] = list(transposed[pos]) if transposed else []
    if flagged:
        reasons = ((file_reason, flagged.get(number)) for number in out.rows)
        out.pre = ["; ".join(filter(None, pair)) or None for pair in reasons]
    else:
        out.pre = [file_reason or None] * len(out.rows)
    out.delivered = len(out.rows) + len(out.misfits)
    return out


def _count_filled(numbers: Sequence[int], rows: Sequence[Sequence[str]], known) -> int:
    """Records that are not blank (a row with a known problem never is)."""
    return sum(
        1
        for number, fields in zip(numbers, rows, strict=True)
        if number in known or "".join(fields).strip()
    )


def _sniff_delimiter(first_line: str, feed: str) -> str:
    """The separator under which the header line names the most known columns. Excel in a
    Vietnamese locale writes ';', and headers such as 'Số, ký hiệu' contain a comma, so the
    mere presence of a comma decides nothing."""
    lookup = h.header_lookup(feed)

    def known(delimiter: str) -> int:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(h.match_header(text) in lookup for text in header)

    return max((",", ";", "\t"), key=known)  # ties keep the first: ','


_NEVER_CLOSED = "row has a quote that is never closed"
_SENTINEL = "\ue000"  # a private-use character: marks where a line read alone ends


def _physical_lines(text: str) -> int:
    """Lines as csv splits them: ended by LF, CR LF or CR; a last line without an end
    counts too. Plain counting, no parsing."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends + (1 if text and text[-1] not in "\r\n" else 0)


def _last_line(text: str) -> str:
    end = len(text) - (2 if text.endswith("\r\n") else 1 if text.endswith(("\n", "\r")) else 0)
    return text[max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1 : end]


def _read_alone(line: str, delimiter: str) -> tuple[list[str], str | None]:
    """One physical line as a record of its own, and why it cannot be one: a quote it opens
    and never closes, or a field longer than csv reads. Csv's own (lenient) quoting: a quote
    inside an unquoted field is text."""
    body = line.rstrip("\r\n")
    try:
        rows = list(
            csv.reader(io.StringIO(f"{body}\n{_SENTINEL}", newline=""), delimiter=delimiter)
        )
    except csv.Error:
        return [body], f"row has a field longer than {csv.field_size_limit()} characters"
    if rows[-1] == [_SENTINEL]:
        return (rows[0] if len(rows) > 1 else []), None
    fields = rows[0]  # the sentinel went into the last field: its quote was still open
    fields[-1] = fields[-1][: -len(_SENTINEL) - 1]
    return fields, _NEVER_CLOSED


def _one_record(text: str, delimiter: str, width: int) -> list[str] | None:
    """The fields of `text` if it reads as exactly one record of `width` fields under
    strict quoting (a quoted field opens a field and closes at a separator or line end)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 and len(rows[0]) == width else None


def _records_line_by_line(
    text: str, delimiter: str
) -> tuple[list[str], list[int], list[list[str]], dict[int, str]]:
    """(header, row numbers, records, broken rows) of a file whose csv records do not match
    its lines, each line accounted for as the module docstring says. Only a line with an odd
    number of quotes can open a quote that a later line closes: each is judged by the rule,
    and the stretches of lines between them go through csv whole (one record per line, or
    line by line when csv says otherwise)."""
    lines = io.StringIO(text, newline="").readlines()
    header, _ = _read_alone(lines[0], delimiter)
    width = len(header)
    odd = [n for n, line in enumerate(lines) if n and line.count('"') % 2]
    numbers: list[int] = []
    records: list[list[str]] = []
    broken: dict[int, str] = {}

    def alone(n: int) -> None:
        fields, why = _read_alone(lines[n], delimiter)
        numbers.append(n + 1)
        records.append(fields)
        if why:
            broken[n + 1] = why

    def stretch(first: int, end: int) -> None:  # lines first..end-1
        if first >= end:
            return
        try:
            parsed = list(
                csv.reader(io.StringIO("".join(lines[first:end]), newline=""), delimiter=delimiter)
            )
        except csv.Error:
            parsed = []
        if len(parsed) != end - first:
            for n in range(first, end):
                alone(n)
            return
        numbers.extend(range(first + 1, end + 1))
        records.extend(parsed)
        last = lines[end - 1]  # csv reads a quote left open at the end of the text as closed
        if '"' in last and (why := _read_alone(last, delimiter)[1]):
            broken[end] = why

    i, k = 1, 0
    while k < len(odd):
        opening = odd[k]
        stretch(i, opening)
        if k + 1 < len(odd):
            closing = odd[k + 1]  # the next line that can close the quote this one opens
            fields = _one_record("".join(lines[opening : closing + 1]), delimiter, width)
            # Lines between that are whole records on their own were swallowed by a stray
            # quote, not written inside a cell.
            if fields is not None and not any(
                len(_read_alone(lines[n], delimiter)[0]) == width
                for n in range(opening + 1, closing)
            ):
                numbers.append(opening + 1)
                records.append(fields)
                i, k = closing + 1, k + 2
                continue
        alone(opening)
        i, k = opening + 1, k + 1
    stretch(i, len(lines))
    return header, numbers, records, broken


def _csv_records(
    text: str, feed: str
) -> tuple[str, list[str], Sequence[int], list[list[str]], dict[int, str]]:
    """(delimiter, header, row numbers (the line each record starts on), records, broken
    rows).

    Fast path: csv over the whole text, trusted when it gives one record per physical line
    (counted without csv) and the last line closes its quotes. Otherwise line by line."""
    first = io.StringIO(text, newline="").readline().rstrip("\r\n")
    delimiter = _sniff_delimiter(first, feed)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # a field over csv's size limit: an open quote ran on
        rows = None
    if rows is None or len(rows) != _physical_lines(text):
        return delimiter, *_records_line_by_line(text, delimiter)
    broken = {}
    last = _last_line(text) if len(rows) > 1 else ""
    if '"' in last and (why := _read_alone(last, delimiter)[1]):
        broken[len(rows)] = why
    return delimiter, rows[0], range(2, len(rows) + 1), rows[1:], broken


def _read_csv(text: str, feed: str) -> _FileRows:
    if not text.strip():
        return _FileRows(notes=["empty file"])
    delimiter, header, numbers, records, broken = _csv_records(text, feed)
    out = _tabulate(feed, header, numbers, records, check_width=True, broken=broken)
    if delimiter != ",":
        out.notes.append(_delimiter_note(delimiter))
    return out


def _delimiter_note(delimiter: str) -> str:
    return f"fields separated by {delimiter!r}, not ','"


def _count_records(text: str, file_format: str, feed: str) -> int:
    """Records delivered by the text of a file rejected whole, counted as for one loaded."""
    if file_format == "jsonl":
        return sum(1 for line in text.split("\n") if line.strip())
    if not text.strip():
        return 0
    _, _, numbers, records, broken = _csv_records(text, feed)
    return _count_filled(numbers, records, broken)


def _float_text(value: float, decimal_comma: bool) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    # 15 significant digits, as Excel shows them: drops noise such as 0.1 + 0.2.
    text = format(Decimal(format(value, ".15g")), "f")
    return text.replace(".", ",") if decimal_comma else text


def _xlsx_texts(frame: pl.DataFrame, decimal_comma: Sequence[bool]) -> list[list[str]]:
    """Each native XLSX column as the book dialect would have written it ('' for an empty
    cell). Numbers in DECIMAL columns (`decimal_comma`, by position) get the Vietnamese
    decimal comma; in text columns (a procedure code typed as a number) they keep the
    point. Cells of a mixed column arrive as text, their datetimes in ISO form: see
    _parse_datetime.

    One polars query per sheet writes what polars writes as Python does (texts, whole
    numbers, dates of the years 1000 to 9999); Python writes the rest as it always did:
    writing every cell in Python cost more than reading the sheet."""
    written = frame.select(_writers(tuple(frame.dtypes)))
    return [
        _finished(cells, written.to_series(pos).to_list(), decimal_comma[pos])
        for pos, cells in enumerate(frame.iter_columns())
    ]


@lru_cache(maxsize=256)
def _writers(dtypes: tuple[pl.DataType, ...]) -> list[pl.Expr]:
    """_written for each column of a sheet of these dtypes (built once: the sheets of a
    feed are much alike, and building polars expressions costs as much as running them)."""
    return [_written(pl.nth(pos), dtype).alias(str(pos)) for pos, dtype in enumerate(dtypes)]


def _written(cells: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A column's cells as text where polars writes them as Python would; null elsewhere."""
    if dtype == pl.String:
        return cells.fill_null("")
    if dtype == pl.Datetime or dtype == pl.Date:
        years = cells.dt.year()
        return (
            pl.when(cells.is_null())
            .then(pl.lit(""))
            .when((years >= 1000) & (years <= 9999))  # strftime writes other years otherwise
            .then(cells.dt.to_string(_date_form(dtype)))
        )
    if dtype == pl.Boolean:
        return (
            pl.when(cells.is_null())
            .then(pl.lit(""))
            .when(cells)
            .then(pl.lit("true"))
            .otherwise(pl.lit("false"))
        )
    if dtype.is_float():
        whole = cells.is_finite() & (cells.floor() == cells) & (cells.abs() < 1e15)
        return (
            pl.when(cells.is_null())
            .then(pl.lit(""))
            .when(whole)  # str(int(value)), as _float_text writes it
            .then(cells.cast(pl.Int64, strict=False).cast(pl.String))
        )
    return pl.when(cells.is_null()).then(pl.lit(""))  # as long as the column, not a literal


def _date_form(dtype: pl.DataType) -> str:
    return "%d/%m/%Y %H:%M:%S" if dtype == pl.Datetime else "%d/%m/%Y"


def _finished(cells: pl.Series, texts: list[str | None], decimal_comma: bool) -> list[str]:
    """A column's texts, from what polars wrote (`texts`) and Python for the rest."""
    if cells.dtype == pl.String:
        return _nfc_texts(texts)
    if missing := [i for i, text in enumerate(texts) if text is None]:
        values = cells.gather(missing).to_list()
        for i, value in zip(missing, values, strict=True):
            texts[i] = _cell_text(value, cells.dtype, decimal_comma)
    return texts


def _cell_text(value, dtype: pl.DataType, decimal_comma: bool) -> str:
    """A cell as the book dialect writes it, in Python: for the cells polars does not write
    as Python would (numbers that are not whole, dates of unusual years, other dtypes)."""
    if value is None:
        return ""
    if dtype.is_float():
        return _float_text(value, decimal_comma)
    if dtype == pl.Datetime or dtype == pl.Date:
        return value.strftime(_date_form(dtype))
    if dtype == pl.Boolean:
        return "true" if value else "false"
    return str(value)


def _nfc_texts(texts: list[str]) -> list[str]:
    """The texts in NFC, checked all at once: joined by line feeds (which nothing composes
    with, before or after) they are NFC exactly when each of them is, as they nearly always
    are."""
    if unicodedata.is_normalized("NFC", "\n".join(texts)):
        return texts
    return [nfc(text) for text in texts]


# Formula and error cells in a sheet's XML: <f> (or <x:f> under a namespace prefix), or a
# cell typed t="e". One regex per form: each starts with a literal, which re finds at memory
# speed; an alternation of them scans ten times slower.
_XML_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA_OR_ERROR = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"), re.compile(rb't="e"'))
_TAG_PREFIX = re.compile(rb"<[A-Za-z_][\w.-]*$")
_FORMULA = re.compile(rb"<" + _XML_PREFIX + rb"f[\s>/]")
_CELL_OPEN = re.compile(rb"<" + _XML_PREFIX + rb"c[\s>]")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_CELL_TYPE = re.compile(rb'\st="([A-Za-z]+)"')
_CACHED = re.compile(rb"<" + _XML_PREFIX + rb"v(?:\s[^>/]*)?>([^<]*)<")  # not <v/>
_SHEET_DATA = re.compile(rb"<(" + _XML_PREFIX + rb")sheetData[\s>]")
_SHEET_CHUNK = 1 << 22
_ROW_ONE = re.compile(rb'\sr="1"')
_CELL_ROW = re.compile(rb'\sr="[A-Z]{1,3}([0-9]+)"')


def _formula_or_error(xml: bytes, start: int = 0, end: int | None = None) -> list[int]:
    """Positions of formula tags and error-typed cells in xml[start:end], in order."""
    end = len(xml) if end is None else end
    hits = []
    for pattern in _FORMULA_OR_ERROR:
        for match in pattern.finditer(xml, start, end):
            at = match.start()
            first = xml[at : at + 1]
            if first == b"t" and not xml[at - 1 : at].isspace():
                continue  # an attribute whose name ends in t, not the cell's type
            if first == b":" and not _TAG_PREFIX.search(xml, max(0, at - 64), at):
                continue  # ':f ' in text, not the end of a '<prefix:f' tag
            hits.append(at)
    return sorted(hits)


def _first_sheet(book: zipfile.ZipFile) -> str | None:
    """The member holding the workbook's first sheet (fastexcel's sheet 0)."""
    names = set(book.namelist())
    fallback = "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else None
    try:
        if (workbook := _workbook_part(book.read("xl/workbook.xml"))) is None:
            return fallback
        if (rels := _workbook_part(book.read("xl/_rels/workbook.xml.rels"))) is None:
            return fallback
    except KeyError:
        return fallback
    sheet = next((e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"), None)
    if sheet is None:
        return fallback
    rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    for rel in rels.iter():
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return path if path in names else fallback
    return fallback


def _workbook_part(xml: bytes) -> ElementTree.Element | None:
    """A workbook part parsed, or None when it is not XML. A unit's software writes the
    same small parts into every file: those are parsed once (the trees are only read)."""
    return _small_part(xml) if len(xml) <= 1 << 16 else _xml_tree(xml)


def _xml_tree(xml: bytes) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None


_small_part = lru_cache(maxsize=64)(_xml_tree)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


@dataclass
class _SheetScan:
    """What the first sheet's XML shows that fastexcel's reading of it does not."""

    nul: bool = True  # a NUL may be in the package's text (fastexcel drops it from names)
    row_one_filled: bool = False  # sheet row 1 surely holds a value
    xml: bytes | None = None  # the sheet's XML when it has a formula or error cell


def _scan_sheet(data: bytes) -> _SheetScan:
    """The first sheet's XML streamed once, looking for formula or error cells, a NUL and
    whether row 1 holds a value; the package's other XML parts (shared strings) are only
    searched for a NUL. XML may not hold one, but calamine passes it on."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return _SheetScan()  # not a zip package (an .xls read by fastexcel): values are stored
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        member = _first_sheet(book)
        if member is None:
            return _SheetScan()
        others = (n for n in book.namelist() if n != member and _may_hold_cells(n))
        nul = any(_holds_nul(book, name) for name in others)
        with book.open(member) as stream:
            window = stream.read(_SHEET_CHUNK)
            scan = _SheetScan(nul=nul or b"\0" in window, row_one_filled=_row_one_filled(window))
            data = _SheetData()
            while window and not data.may_hold_formula_or_error(window):
                chunk = stream.read(_SHEET_CHUNK)
                scan.nul = scan.nul or b"\0" in chunk
                window = window[-16:] + chunk if chunk else b""
            if not window:
                return scan  # the common case: no formula, no error
        scan.xml = book.read(member)
    scan.nul = scan.nul or b"\0" in scan.xml
    return scan


class _SheetData:
    """Where the cells are in the windows of a sheet's XML streamed in turn: between the
    first sheetData start tag and its end tag, where _valueless_cells looks for formula
    and error cells (what matches elsewhere never reached it)."""

    def __init__(self) -> None:
        self.first = True
        self.close: bytes | None = None  # the end tag, once the start tag is found
        self.closed = False

    def may_hold_formula_or_error(self, window: bytes) -> bool:
        """Whether the cells in this window (the next one streamed) may hold a formula or
        an error; if so, any of _FORMULA_OR_ERROR matching in the window says it, as it
        always did. Each of those holds an f or an e, which the cells of most sheets never
        do (their texts are in the shared strings): finding neither costs two memchr calls
        instead of three regex scans."""
        start, self.first = (_SHEET_DATA.search(window) if self.first else None), False
        if start is not None:
            self.close = b"</" + start.group(1) + b"sheetData>"
        if self.close is None:  # no start tag in the first window: unsure where cells are
            return any(pattern.search(window) for pattern in _FORMULA_OR_ERROR)
        if self.closed:
            return False  # past the cells: whatever matches here, _valueless_cells ignores
        low = start.end() if start is not None else 0
        high = window.find(self.close, low)
        self.closed = high >= 0
        high = high if high >= 0 else len(window)
        if window.find(b"f", low, high) < 0 and window.find(b"e", low, high) < 0:
            return False
        return any(pattern.search(window) for pattern in _FORMULA_OR_ERROR)


# Parts of an XLSX package whose text never reaches a cell (the others: shared strings,
# sheets, and whatever an odd package has).
_CELLESS_PARTS = re.compile(
    r"(\[Content_Types\]\.xml|.*\.rels|docProps/.*|xl/theme/.*|xl/styles\.xml|xl/workbook\.xml)$",
    re.IGNORECASE,
)


def _may_hold_cells(name: str) -> bool:
    return name.lower().endswith(".xml") and not _CELLESS_PARTS.match(name)


def _holds_nul(book: zipfile.ZipFile, name: str) -> bool:
    """Whether a part of the package may hold a NUL; True for one that cannot be read (a
    part fastexcel may never read: it must not make the file unreadable here)."""
    try:
        with book.open(name) as stream:
            while chunk := stream.read(_SHEET_CHUNK):
                if b"\0" in chunk:
                    return True
    except Exception:
        return True
    return False


def _row_one_filled(head: bytes) -> bool:
    """Whether the start of the sheet's XML shows a value in row 1, which fastexcel then
    takes for the header. Only when the sheet's data opens with row 1, all of whose cells
    say they are in row 1, and one of them holds a value as calamine reads it: a <v> with
    text (a shared string's number, a number, a formula's cached text), or an inline
    string with text."""
    start = _SHEET_DATA.search(head)
    if start is None:
        return False
    p = re.escape(start.group(1))
    opened = head.find(b">", start.start()) + 1
    row = re.compile(rb"\s*<" + p + rb"row(\s[^>]*)?(?<!/)>(.*?)</" + p + rb"row>", re.S)
    row = row.match(head, opened)
    if row is None or _ROW_ONE.search(row.group(1) or b"") is None:
        return False
    if any(number != b"1" for number in _CELL_ROW.findall(row.group(2))):
        return False
    cell = re.compile(rb"<" + p + rb"c(\s[^>]*)?(?<!/)>(.*?)</" + p + rb"c>", re.S)
    stored = re.compile(rb"<" + p + rb"v(\s[^>]*)?>\s*[^<\s]")
    inline = re.compile(rb"<" + p + rb"is>\s*<" + p + rb"t(\s[^>]*)?>\s*[^<\s]")
    for attrs, content in cell.findall(row.group(2)):
        kind = _CELL_TYPE.search(attrs)
        value = inline if kind is not None and kind.group(1) == b"inlineStr" else stored
        if value.search(content):
            return True
    return False


def _valueless_cells(xml: bytes | None) -> dict[tuple[int, int], str]:
    """(sheet row, 0-based column) -> 'formula' | 'error' for each cell of the first sheet
    that fastexcel reads as empty though it is not: a formula without a cached value, or a
    cached Excel error (#DIV/0!, #N/A...). `xml`: the sheet's, from _scan_sheet (None when
    it has none, the common case); it is searched cell by cell."""
    if xml is None:
        return {}
    start = _SHEET_DATA.search(xml)
    if start is None:
        return {}
    prefix = start.group(1)
    close = b"</" + prefix + b"c>"
    end = xml.find(b"</" + prefix + b"sheetData>", start.end())
    cells: dict[tuple[int, int], str] = {}
    seen: set[int] = set()
    for hit in _formula_or_error(xml, start.end(), end if end >= 0 else len(xml)):
        opens = list(_CELL_OPEN.finditer(xml, max(start.end(), hit - 4096), hit + 1))
        if not opens or opens[-1].start() in seen:
            continue
        cell = opens[-1].start()
        seen.add(cell)
        tag_end = xml.find(b">", cell)
        attrs = xml[cell:tag_end]
        content = b"" if attrs.endswith(b"/") else xml[tag_end + 1 : xml.find(close, tag_end)]
        kind = _CELL_TYPE.search(attrs)
        kind = kind.group(1) if kind else b"n"
        if kind == b"e":
            found = "error"
        elif _FORMULA.search(content):
            cached = _CACHED.search(content)
            if cached and (cached.group(1).strip() or kind in (b"str", b"s", b"inlineStr")):
                continue  # fastexcel reads the cached value
            found = "formula"
        else:
            continue
        ref = _CELL_REF.search(attrs)
        if ref is None:
            raise _Unreadable("cannot read XLSX: a formula or error cell has no cell reference")
        cells[(int(ref.group(2)), _column_index(ref.group(1)))] = found
    return cells


def _header_from_names(sheet: fastexcel.ExcelSheet, feed: str) -> list[str] | None:
    """The header row's texts, from the column names the sheet was read with, when they are
    sure to be those texts: each one a header this feed knows. fastexcel names a column
    after its header cell's text, but also after a number's or a date's (no header is one),
    by a made-up name for an empty cell or a repeated text ('__UNNAMED__3', 'Mã hồ sơ_1':
    no header is one either), and without NULs (_scan_sheet checks for those). None
    otherwise: the header row is then read as text, a second pass over the sheet."""
    lookup = h.header_lookup(feed)
    header = []
    for column in sheet.available_columns():
        if column.column_name_from != "looked_up" or h.match_header(column.name) not in lookup:
            return None
        header.append(column.name)
    return header


def _load_sheet(
    data: bytes, feed: str
) -> tuple[list[str | None], int, fastexcel.ExcelSheet, pl.DataFrame, dict] | None:
    """(header texts, the header's sheet row, the sheet read typed below its header, as a
    frame, valueless cells) of the first sheet; None for an empty one.

    Reading a sheet is the costly part, and the typed read names the columns after the
    header row: when those names are sure to be its texts, one read does. Otherwise, or
    when the typed read fails, the header row is read as text first, as it always was (so
    that an unreadable file is reported as before)."""
    reader = fastexcel.read_excel(data)
    try:
        sheet = reader.load_sheet(0, header_row=0, schema_sample_rows=None)
        frame = sheet.to_polars()
    except Exception:
        sheet, frame = None, None
    scan = None
    if sheet is not None and (header := _header_from_names(sheet, feed)) is not None:
        try:
            scan = _scan_sheet(data)
        except Exception:
            scan = None  # scanned again below, where it raises as before
        if scan is not None and scan.row_one_filled and not scan.nul:
            return header, 1, sheet, frame, _valueless_cells(scan.xml)
    # The sheet's row 1 (skip_rows=0 keeps leading empty rows): the header, as the
    # contract wants it; otherwise the first row holding a value is, as fastexcel reads it.
    top = reader.load_sheet(0, header_row=None, skip_rows=0, n_rows=1, dtypes="string")
    top, header_row = top.to_polars(), 1
    if top.height and all(v is None for v in top.row(0)):
        rows = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string").to_polars()
        filled = [i for i, row in enumerate(rows.iter_rows()) if any(v is not None for v in row)]
        top, header_row = (rows.slice(filled[0], 1), filled[0] + 1) if filled else (rows, 0)
    if top.height == 0 or header_row == 0:
        return None
    if sheet is None:
        sheet = reader.load_sheet(0, header_row=0, schema_sample_rows=None)
        frame = sheet.to_polars()
    scan = scan or _scan_sheet(data)
    return list(top.row(0)), header_row, sheet, frame, _valueless_cells(scan.xml)


@dataclass
class _Sheet:
    """An XLSX file's first sheet as fastexcel read it, its cells not yet written as text:
    _tabulate_sheet writes them in Python, or _read_sheets in polars with the batch's other
    sheets when nothing in the sheet needs a look row by row (`layout` is then set)."""

    header: list[str | None]
    header_row: int  # the header's sheet row; the records are the rows below it
    frame: pl.DataFrame  # the records, typed as fastexcel reads them
    decimal_comma: list[bool]  # by position: numbers of a DECIMAL column
    flagged: dict[int, str]  # sheet row -> why it is set aside (formula or error cells)
    layout: _Layout | None = None


def _read_xlsx(data: bytes, feed: str) -> _Sheet | _FileRows:
    """The first sheet of an XLSX file, or the _FileRows of an empty one. Raises
    _Unreadable."""
    try:
        loaded = _load_sheet(data, feed)
        if loaded is None:
            return _FileRows(notes=["empty sheet"])
        header, header_row, sheet, frame, valueless = loaded
        absolute = [column.absolute_index for column in sheet.available_columns()]
    except _Unreadable:
        raise
    except Exception as exc:  # calamine reports corrupt and truncated files in many ways
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _Unreadable(f"cannot read XLSX: {_unquoted(reason)}") from None
    lookup = h.header_lookup(feed)
    names = [lookup.get(h.match_header(text or "")) for text in header]
    decimal_columns = {c for c, t in FEED_COLUMNS[feed].items() if t.startswith("DECIMAL")}
    decimal_comma = [
        pos < len(names) and names[pos] in decimal_columns for pos in range(frame.width)
    ]
    # A formula without a value (or an Excel error) reads as an empty cell: its row is set
    # aside, even one that holds nothing else (fastexcel drops such rows at the end).
    first_of = {}
    for pos, name in enumerate(names):
        first_of.setdefault(name, pos)
    flagged: dict[int, list[str]] = {}
    position = {column: pos for pos, column in enumerate(absolute)}
    for (row, column), kind in sorted(valueless.items()):
        pos = position.get(column)
        name = names[pos] if pos is not None and pos < len(names) else None
        if row <= header_row or name is None or first_of[name] != pos:
            continue  # the header, or a column the feed does not read
        what = "formula without a value" if kind == "formula" else "error value"
        flagged.setdefault(row, []).append(f"{what} in column {_column_label(feed, name)}")
    reasons = {row: "; ".join(why) for row, why in flagged.items()}
    return _Sheet(header, header_row, frame, decimal_comma, reasons)


def _tabulate_sheet(feed: str, sheet: _Sheet) -> _FileRows:
    """_tabulate for a sheet, its cells written as text in Python (_xlsx_texts)."""
    header, header_row, frame = sheet.header, sheet.header_row, sheet.frame
    columns = _xlsx_texts(frame, sheet.decimal_comma)
    records: list[Sequence[str]] = list(zip(*columns, strict=True))
    numbers = list(range(header_row + 1, header_row + 1 + len(records)))
    for row in sorted(sheet.flagged):
        if row > header_row + frame.height:
            numbers.append(row)
            records.append([""] * len(header))
    return _tabulate(feed, header, numbers, records, check_width=False, flagged=sheet.flagged)


# The dtypes whose every cell _written writes, or _cell_text where it cannot.
_WRITTEN_DTYPES = (pl.String, pl.Float64, pl.Datetime, pl.Date, pl.Boolean)


def _polars_layout(feed: str, sheet: _Sheet) -> _Layout | None:
    """The layout of the sheet's header if the sheet can be tabulated in polars
    (_read_sheets): no row is flagged, its header is this feed's and as wide as its
    records, and each of its dtypes is one _written writes. None otherwise."""
    if sheet.flagged or len(sheet.header) != sheet.frame.width:
        return None
    if not all(any(d == kind for kind in _WRITTEN_DTYPES) for d in sheet.frame.dtypes):
        return None
    if _wrong_feed(feed, sheet.header, jsonl=False):
        return None  # rejected by _tabulate, which counts its records
    return _layout(feed, sheet.header)


def _read_sheets(feed: str, files: list[LandingFile], reads: list[_Read]) -> list[pl.DataFrame]:
    """Tabulate the batch's sheets held for polars (the reads whose rows are a _Sheet),
    replacing each by its _FileRows: the sheets alike in dtypes and layout in one polars
    query, any that fails with the Python reader. Returns their records as frames of
    canonical columns (see _raw_frame)."""
    groups: dict[tuple, dict[int, _Sheet]] = defaultdict(dict)
    for index, read in enumerate(reads):
        if isinstance(sheet := read.rows, _Sheet):
            layout = sheet.layout
            key = (
                tuple(sheet.frame.dtypes),
                tuple(sheet.decimal_comma),
                tuple(layout.positions.items()),
                tuple(layout.unnamed),
                layout.file_reason,
            )
            groups[key][index] = sheet
    frames: list[pl.DataFrame] = []
    for sheets in groups.values():
        try:
            frame, rows = _tabulate_sheets(feed, sheets)
            frames.append(frame)
        except Exception as exc:  # a bug here must not cost the files: Python reads them
            where = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
            kind = type(exc).__name__
            _log.error("XLSX tabulating in polars: unexpected %s, done in Python\n%s", kind, where)
            rows = {}
        for index, sheet in sheets.items():
            read = reads[index]
            try:
                read.rows = rows[index] if index in rows else _tabulate_sheet(feed, sheet)
            except Exception as exc:
                read.fail(files[index], exc)
    return frames


def _tabulate_sheets(
    feed: str, sheets: dict[int, _Sheet]
) -> tuple[pl.DataFrame, dict[int, _FileRows]]:
    """_tabulate_sheet for sheets of the same dtypes, decimal columns and layout, in polars:
    their records as one frame of canonical columns, and the rest of their _FileRows."""
    first = next(iter(sheets.values()))
    layout, dtypes, width = first.layout, first.frame.dtypes, first.frame.width
    texts, blanks = _without_blank_rows(_sheet_texts(sheets, dtypes, first.decimal_comma), dtypes)
    stray: dict[int, list] = defaultdict(list)
    if layout.unnamed:
        texts = _set_aside_stray(feed, texts, width, layout.unnamed, stray)
    records = dict(texts.group_by("_file").len().iter_rows())
    rows = {}
    for index, sheet in sheets.items():
        out = _FileRows(notes=list(sheet.layout.notes), misfits=stray[index])
        if skipped := blanks.get(index, 0):
            out.notes.append(_blank_note(skipped))
        out.delivered = records.get(index, 0) + len(out.misfits)
        rows[index] = out
    columns = [pl.col(native_csv.column(p)).alias(n) for n, p in layout.positions.items()]
    frame = texts.select(
        "_file",
        "_row",
        *columns,
        pl.lit(False).alias("_api"),
        pl.lit(True).alias("_xlsx"),
        pl.lit(layout.file_reason or None, pl.String).alias("_pre"),
    )
    return frame, rows


def _without_blank_rows(
    texts: pl.DataFrame, dtypes: list[pl.DataType]
) -> tuple[pl.DataFrame, dict[int, int]]:
    """The rows of _sheet_texts that are not blank (all cells empty or spaces: no record),
    and the number of blank ones per file that has any."""
    blank = [
        native_csv.is_blank(cells) if dtype == pl.String else cells == ""  # others never
        for cells, dtype in zip(map(pl.col, texts.columns[2:]), dtypes, strict=True)
    ]
    # A blank row's first cell is blank: only rows with one are looked at whole.
    blanks = texts.filter(blank[0]).filter(pl.all_horizontal(blank))
    if blanks.height:
        texts = texts.filter(~pl.all_horizontal(blank))
    return texts, dict(blanks.group_by("_file").len().iter_rows())


def _sheet_texts(
    sheets: dict[int, _Sheet], dtypes: list[pl.DataType], decimal_comma: list[bool]
) -> pl.DataFrame:
    """The records of sheets of these dtypes, their cells written as _xlsx_texts writes
    them, as text columns native_csv.column(0).. with _file and _row (the sheet row)."""
    names = [native_csv.column(p) for p in range(len(dtypes))]
    filled = {index: sheet for index, sheet in sheets.items() if sheet.frame.height}
    frames = [pl.DataFrame(schema=dict(zip(names, dtypes, strict=True)))]
    for sheet in filled.values():
        frame = sheet.frame.clone()  # the same cells under the group's column names
        frame.columns = names
        frames.append(frame)
    cells = pl.concat(frames, rechunk=False)
    written = cells.select(_writers(tuple(dtypes)))
    written.columns = names
    _write_the_rest(written, cells, dtypes, decimal_comma)
    return pl.concat([_sheet_rows(filled), written], how="horizontal")


def _sheet_rows(sheets: dict[int, _Sheet]) -> pl.DataFrame:
    """_file and _row of each record of the sheets (all of which have some), in order."""
    return pl.DataFrame(
        {
            "_file": list(sheets),
            "first": [sheet.header_row + 1 for sheet in sheets.values()],
            "records": [sheet.frame.height for sheet in sheets.values()],
        },
        schema={"_file": pl.Int32, "first": pl.Int32, "records": pl.Int32},
    ).select(
        pl.col("_file").repeat_by("records").explode(),
        pl.int_ranges("first", pl.col("first") + pl.col("records"), dtype=pl.Int32)
        .explode()
        .alias("_row"),
    )


def _write_the_rest(
    written: pl.DataFrame, cells: pl.DataFrame, dtypes: list[pl.DataType], decimal_comma
) -> None:
    """Complete the texts polars wrote (_written) in place, as _finished does: the cells it
    left null written in Python, and texts made NFC where they are not."""
    nulls = written.select(pl.all().null_count()).row(0)
    for pos, (dtype, missing) in enumerate(zip(dtypes, nulls, strict=True)):
        if missing:
            where = written.to_series(pos).is_null().arg_true()
            values = cells.to_series(pos).gather(where).to_list()
            texts = [_cell_text(v, dtype, decimal_comma[pos]) for v in values]
            written.replace_column(pos, written.to_series(pos).scatter(where, texts))
    strings = [pos for pos, dtype in enumerate(dtypes) if dtype == pl.String]
    joined = written.select(pl.nth(strings).str.join("\n")).row(0) if strings else ()
    for pos, text in zip(strings, joined, strict=True):
        if not unicodedata.is_normalized("NFC", text):  # see _nfc_texts
            written.replace_column(pos, nfc_series(written.to_series(pos)))


def _unquoted(message: str) -> str:
    """A library's error message without what it quotes (it may quote the file's content),
    and with the sets it names in one order: fastexcel names a column's cell types as a set
    whose order changes from run to run, and the same file must get the same reason."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "…", message)
    message = re.sub(
        r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m[1].split(", "))) + "}", message
    )
    return message[:200]


def _json_text(value) -> str | None:
    """A JSON scalar as text; numbers without exponent, booleans as 'true'/'false'."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return orjson.dumps(value).decode()


_JSON_BOOLEANS = {True: "true", False: "false"}  # only for values that are booleans or None


def _json_column(values: Sequence, escaped: bool) -> tuple[list[str | None], list[str | None]]:
    """(texts, problems) for one key's values across a file's records. `escaped`: the file
    has \\u escapes, which can spell text that is not NFC. An object or array is a problem,
    and its text is not kept (it is set aside, and could hold anything)."""
    if escaped:
        values = [nfc(v) if isinstance(v, str) else v for v in values]
    kinds = set(map(type, values))
    problems: list[str | None] = [None] * len(values)
    # The common kinds of column, written without a call per value: texts, the API's codes
    # (whole numbers) and its yes/no fields, each with nulls.
    if kinds <= {str, type(None)}:
        return list(values), problems
    if kinds == {int}:
        return list(map(str, values)), problems
    if kinds <= {int, type(None)}:
        return [v if v is None else str(v) for v in values], problems
    if kinds <= {bool, type(None)}:
        return list(map(_JSON_BOOLEANS.get, values)), problems
    if kinds & {dict, list}:
        for i, value in enumerate(values):
            if isinstance(value, dict | list):
                problems[i] = "an object" if isinstance(value, dict) else "an array"
    texts = [
        None if problem else _json_text(v) for v, problem in zip(values, problems, strict=True)
    ]
    return texts, problems


def _read_jsonl(text: str, feed: str) -> _FileRows:
    """Records of a JSONL file's text, a key's values in the column its key names."""
    out = _FileRows()
    lines = text.split("\n")  # not splitlines(): U+2028 inside a JSON string is data
    if lines[-1] == "":
        lines.pop()  # the newline ending the last line
    lines = list(map(str.strip, lines))
    records = _json_records(lines, feed, out)
    out.delivered = len(out.rows) + len(out.misfits)
    if blank := len(lines) - out.delivered:
        out.notes.append(f"skipped {blank} blank line{'s' if blank > 1 else ''}")

    # Column by column: keys repeat on every line, so map each key once.
    escaped = "\\u" in text
    lookup = h.header_lookup(feed)
    keys, columns = _key_values(records)
    if records and (why := _wrong_feed(feed, keys, jsonl=True)):
        raise _Unreadable(why, out.delivered)
    unknown = []
    problems: dict[int, list[str]] = defaultdict(list)  # record -> its problems, in key order
    for key, values in zip(keys, columns, strict=True):
        name = lookup.get(h.match_header(key))
        if name is None:
            unknown.append(key)
            continue
        texts, odd = _json_column(values, escaped)
        if name in out.columns:  # a second spelling of the same column fills only gaps
            earlier = out.columns[name]
            texts = [a if a is not None else b for a, b in zip(earlier, texts, strict=True)]
        out.columns[name] = texts
        if any(odd):
            for i, kind in enumerate(odd):
                if kind:
                    problems[i].append(f"{key} / {name}: expected a single value, not {kind}")
    out.pre = [None] * len(records)
    for i, found in problems.items():
        out.pre[i] = "; ".join(found)
    if unknown:
        out.notes.append(_unknown_keys_note(unknown))
    return out


def _unknown_keys_note(unknown: Iterable[str]) -> str:
    return "ignored unknown key " + ", ".join(repr(k) for k in sorted(unknown))


def _json_records(lines: list[str], feed: str, out: _FileRows) -> list[dict]:
    """The objects of a JSONL file's lines (stripped), their line numbers put in out.rows;
    a line that is not a JSON object goes to out.misfits, a blank one nowhere."""
    filled = list(filter(None, lines))
    try:  # every line an object, as nearly always: loaded without a step in Python per line
        records = list(map(orjson.loads, filled))
    except orjson.JSONDecodeError:
        records = []
    if len(records) == len(filled) and set(map(type, records)) <= {dict}:
        if len(filled) == len(lines):
            out.rows = list(range(1, len(lines) + 1))
        else:
            out.rows = [number for number, line in enumerate(lines, start=1) if line]
        return records
    records = []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            out.misfits.append((number, "line is not valid JSON", _misfit_record(feed, line)))
            continue
        if not isinstance(record, dict):
            out.misfits.append((number, "line is not a JSON object", _misfit_record(feed, line)))
            continue
        records.append(record)
        out.rows.append(number)
    return records


def _key_values(records: list[dict]) -> tuple[list[str], Iterable[Sequence]]:
    """The keys of the records, in the order they first appear, and each one's values
    across the records (None where a record lacks it)."""
    keys = list(records[0]) if records else []
    # Records with as many keys as the first and each of its keys have the same keys: as
    # nearly always, their values are picked without a step in Python per record.
    if len(keys) > 1 and set(map(len, records)) == {len(keys)}:
        try:
            return keys, zip(*map(itemgetter(*keys), records), strict=True)
        except KeyError:  # a record lacks one of them
            pass
    keys = list(dict.fromkeys(chain.from_iterable(records)))
    return keys, (list(map(dict.get, records, repeat(key))) for key in keys)


def _read_file(
    file: LandingFile, data: bytes, declared: str, native: bool = False, columnar: bool = False
) -> tuple[_FileRows | _CleanCsv | _CleanJsonl | _Sheet, str | None]:
    """Records of one file and the encoding used; with `native`, a CSV that native_csv can
    read (a JSONL that native_jsonl may read) is returned unread, to be read with the
    batch's others; with `columnar`, likewise
    an XLSX sheet that can be tabulated in polars (_polars_layout). Raises _Unreadable."""
    if file.file_format == "xlsx":
        sheet = _read_xlsx(data, file.feed)
        if isinstance(sheet, _FileRows):
            return sheet, None
        if columnar and (layout := _polars_layout(file.feed, sheet)):
            sheet.layout = layout
            return sheet, None
        return _tabulate_sheet(file.feed, sheet), None
    # The contract says JSONL is UTF-8, whatever the unit's CSV encoding.
    try:
        decoded = decode(
            data,
            declared if file.file_format == "csv" else "utf-8",
            # a JSONL that native_jsonl may read is read from its bytes
            as_bytes=native and file.file_format == "jsonl",
        )
    except UndecodableError as exc:
        text = text_view(data)
        rows_in = None if text is None else _count_records(text, file.file_format, file.feed)
        raise _Unreadable(str(exc), rows_in) from None
    if native and file.file_format == "csv" and (clean := _clean_csv(decoded, file.feed)):
        return clean, decoded.encoding
    if native and file.file_format == "jsonl" and (plain := _clean_jsonl(decoded, file.feed)):
        return plain, decoded.encoding
    return _read_text(file, decoded), decoded.encoding


def _read_text(file: LandingFile, decoded: Decoded) -> _FileRows:
    """Records of a CSV or JSONL file's text, read in Python. Raises _Unreadable."""
    reader = _read_csv if file.file_format == "csv" else _read_jsonl
    try:
        out = reader(decoded.text, file.feed)
    except _Unreadable as exc:
        exc.encoding = decoded.encoding
        raise
    if decoded.note:
        out.notes.insert(0, decoded.note)
    return out


@dataclass
class _Read:
    """What reading one file gave: its rows (a _CleanCsv or _CleanJsonl until the batch's
    clean CSVs or JSONLs are read, a _Sheet until the batch's sheets are tabulated), or
    why it is rejected."""

    sha256: str = ""
    size_bytes: int = 0
    rows: _FileRows | _CleanCsv | _CleanJsonl | _Sheet | None = None
    encoding: str | None = None
    error: str | None = None
    rows_in: int | None = None

    def fail(self, file: LandingFile, exc: Exception) -> None:
        """The file is rejected: `exc` was raised reading it."""
        self.rows, self.encoding = None, None
        if isinstance(exc, _Unreadable):
            self.error, self.rows_in, self.encoding = str(exc), exc.rows_in, exc.encoding
        elif isinstance(exc, OSError):
            self.error = str(exc)
        else:  # one bad file must not stop the others
            self.error = _unexpected(file, exc)


@dataclass
class _CleanCsv:
    """A CSV whose header line native_csv can read, held unread until the batch's others
    are read with it: if all its lines can be read there too, it is read there."""

    decoded: Decoded
    delimiter: str
    header: list[str]
    layout: _Layout


def _clean_csv(decoded: Decoded, feed: str) -> _CleanCsv | None:
    """The file as a _CleanCsv if its header line passes native_csv's checks and names
    this feed's columns; None sends it to the Python reader (which also rejects a file of
    another feed, counting its records)."""
    # The raw text, maybe not NFC (native_csv makes the batch's clean ones NFC): a
    # line feed composes with nothing, so the NFC text's first line is the raw one's, made NFC;
    # NFC neither adds nor removes CRs, byte-order marks or all-whitespace.
    raw = decoded.raw
    if not raw or raw.isspace() or (head := native_csv.header_line(raw)) is None:
        return None
    head = nfc(head)
    delimiter = _sniff_delimiter(head, feed)
    if not native_csv.is_record(head, delimiter):
        return None
    header = native_csv.fields(head, delimiter)
    if _wrong_feed(feed, header, jsonl=False):
        return None
    return _CleanCsv(decoded, delimiter, header, _layout(feed, header))


def _read_clean_csvs(feed: str, files: list[LandingFile], reads: list[_Read]) -> list[pl.DataFrame]:
    """Read the batch's clean CSVs (the reads whose rows are a _CleanCsv), replacing each
    by its _FileRows: the files sharing a separator and header width in one go with
    native_csv, any it cannot read with the Python reader. Returns the records native_csv
    read, as frames of canonical columns (see _raw_frame)."""
    groups: dict[tuple[str, int], dict[int, _CleanCsv]] = defaultdict(dict)
    for index, read in enumerate(reads):
        if isinstance(read.rows, _CleanCsv):
            groups[(read.rows.delimiter, len(read.rows.header))][index] = read.rows
    frames: list[pl.DataFrame] = []
    for (delimiter, width), clean in groups.items():
        try:
            # cp1258 texts are made NFC by native_csv, line by line, all at once.
            composed = all(one.decoded.is_nfc for one in clean.values())
            texts = [(index, one.decoded.raw) for index, one in clean.items()]
            reading = native_csv.read(texts, delimiter, width, composed)
            read_here, rows = _tabulate_clean(feed, clean, reading)
        except Exception as exc:  # a bug here must not cost the files: Python reads them
            _native_failed("CSV", exc)
            read_here, rows = [], {}
        frames += read_here
        _rest_in_python(files, reads, clean, rows)
    return frames


def _native_failed(kind: str, exc: Exception) -> None:
    """Log a native reader's unexpected error by its kind and where it was raised, never by
    its message (which may quote a value)."""
    where = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    error = type(exc).__name__
    _log.error("native %s reading: unexpected %s, read in Python\n%s", kind, error, where)


def _rest_in_python(
    files: list[LandingFile],
    reads: list[_Read],
    clean: Mapping[int, _CleanCsv | _CleanJsonl],
    rows: dict[int, _FileRows],
) -> None:
    """Each of the clean files' reads given the _FileRows a native reader made of it (in
    `rows`), or else its rows as the Python reader reads them (from `.decoded`)."""
    for index, one in clean.items():
        read = reads[index]
        try:
            read.rows = rows[index] if index in rows else _read_text(files[index], one.decoded)
        except Exception as exc:
            read.fail(files[index], exc)


def _tabulate_clean(
    feed: str, clean: dict[int, _CleanCsv], reading: native_csv.Reading
) -> tuple[list[pl.DataFrame], dict[int, _FileRows]]:
    """_tabulate for the files native_csv read: their records as frames of canonical
    columns (one per layout of their headers), and the rest of their _FileRows."""
    by_layout: dict[tuple, list[int]] = defaultdict(list)
    for index, one in clean.items():
        if index not in reading.unclean:
            layout = one.layout
            key = (tuple(layout.positions.items()), tuple(layout.unnamed), layout.file_reason)
            by_layout[key].append(index)
    frames, rows = [], {}
    for indexes in by_layout.values():
        layout, width = clean[indexes[0]].layout, len(clean[indexes[0]].header)
        frame = reading.records
        if len(by_layout) > 1:
            frame = frame.filter(pl.col("_file").is_in(indexes))
        stray: dict[int, list] = defaultdict(list)
        if layout.unnamed:
            frame = _set_aside_stray(feed, frame, width, layout.unnamed, stray)
        columns = [pl.col(native_csv.column(p)).alias(n) for n, p in layout.positions.items()]
        frames.append(
            frame.select(
                "_file",
                "_row",
                *columns,
                pl.lit(False).alias("_api"),
                pl.lit(False).alias("_xlsx"),
                pl.lit(layout.file_reason or None, pl.String).alias("_pre"),
            )
        )
        records = dict(frame.group_by("_file").len().rows())
        for index in indexes:
            out = _clean_file_rows(feed, clean[index], reading, index)
            out.misfits += stray[index]
            out.delivered = records.get(index, 0) + len(out.misfits)
            rows[index] = out
    return frames, rows


def _clean_file_rows(
    feed: str, one: _CleanCsv, reading: native_csv.Reading, index: int
) -> _FileRows:
    """A file's _FileRows but for its records: its notes, and its rows of another width
    than the header, as _read_file gives them."""
    out = _FileRows(notes=[one.decoded.note] if one.decoded.note else [])
    out.notes += one.layout.notes
    if blank := reading.blank.get(index, 0):
        out.notes.append(_blank_note(blank))
    if one.delimiter != ",":
        out.notes.append(_delimiter_note(one.delimiter))
    for row, line in reading.misfits.get(index, []):
        fields = native_csv.fields(line, one.delimiter)
        why = _width_reason(len(fields), len(one.header))
        out.misfits.append((row, why, _misfit_record(feed, fields)))
    return out


@dataclass
class _CleanJsonl:
    """A JSONL file whose first line is an object of plain keys of this feed, held unread
    until the batch's others are read with it: if all its lines are objects native_jsonl
    reads as the Python reader does, it is read there."""

    decoded: Decoded
    keys: tuple[str, ...]


def _clean_jsonl(decoded: Decoded, feed: str) -> _CleanJsonl | None:
    """The file as a _CleanJsonl if native_jsonl may read it and its keys are this feed's;
    None sends it to the Python reader (which also rejects a file of another feed, counting
    its records)."""
    keys = native_jsonl.keys_of(decoded.utf8())
    if keys is None or _wrong_feed(feed, keys, jsonl=True):
        return None
    return _CleanJsonl(decoded, keys)


def _read_clean_jsonls(
    feed: str, files: list[LandingFile], reads: list[_Read]
) -> list[pl.DataFrame]:
    """Read the batch's clean JSONLs (the reads whose rows are a _CleanJsonl), replacing
    each by its _FileRows: the files of the same keys in one go with native_jsonl, any it
    cannot read with the Python reader. Returns the records native_jsonl read, as frames
    of canonical columns (see _raw_frame)."""
    groups: dict[tuple[str, ...], dict[int, _CleanJsonl]] = defaultdict(dict)
    for index, read in enumerate(reads):
        if isinstance(read.rows, _CleanJsonl):
            groups[read.rows.keys][index] = read.rows
    frames: list[pl.DataFrame] = []
    for keys, clean in groups.items():
        try:
            texts = [(index, one.decoded.utf8()) for index, one in clean.items()]
            reading = native_jsonl.read(texts, keys)
            frame, rows = _tabulate_jsonl(feed, keys, clean, reading)
        except Exception as exc:  # a bug here must not cost the files: Python reads them
            _native_failed("JSONL", exc)
            frame, rows = None, {}
        if frame is not None:
            frames.append(frame)
        _rest_in_python(files, reads, clean, rows)
    return frames


def _tabulate_jsonl(
    feed: str, keys: tuple[str, ...], clean: dict[int, _CleanJsonl], reading: native_jsonl.Reading
) -> tuple[pl.DataFrame | None, dict[int, _FileRows]]:
    """_read_jsonl for the files native_jsonl read: their records as a frame of canonical
    columns, and the rest of their _FileRows. A column's values are its key's; of two keys
    naming the same column, the later fills only the gaps of the earlier."""
    lookup = h.header_lookup(feed)
    named: dict[str, list[pl.Expr]] = defaultdict(list)
    unknown = []
    for position, key in enumerate(keys):
        if (name := lookup.get(h.match_header(key))) is None:
            unknown.append(key)
        else:
            named[name].append(pl.col(native_jsonl.column(position)))
    rows = {}
    for index, one in clean.items():
        if index in reading.unclean:
            continue
        out = _FileRows(notes=[one.decoded.note] if one.decoded.note else [])
        if unknown:
            out.notes.append(_unknown_keys_note(unknown))
        out.delivered = reading.lines[index]
        rows[index] = out
    if not rows:
        return None, rows
    frame = reading.records.select(
        "_file",
        "_row",
        *(pl.coalesce(values).alias(name) for name, values in named.items()),
        pl.lit(True).alias("_api"),
        pl.lit(False).alias("_xlsx"),
        pl.lit(None, pl.String).alias("_pre"),
    )
    return frame, rows


def _set_aside_stray(
    feed: str, frame: pl.DataFrame, width: int, unnamed: list[int], stray: dict[int, list]
) -> pl.DataFrame:
    """The records (of `width` fields) that hold no value in a column without a header;
    those that do go to `stray`, per file, as _tabulate sets them aside."""
    first = pl.coalesce(
        pl.when(~native_csv.is_blank(pl.col(native_csv.column(p)))).then(pl.lit(p + 1))
        for p in unnamed
    )
    frame = frame.with_columns(first.alias("_stray"))
    fields = [native_csv.column(p) for p in range(width)]
    found = frame.filter(pl.col("_stray").is_not_null())
    for index, row, column, *values in found.select("_file", "_row", "_stray", *fields).rows():
        stray[index].append((row, _stray_reason(column), _misfit_record(feed, values)))
    return frame.filter(pl.col("_stray").is_null()).drop("_stray")


# --------------------------------------------------------------------------- typing

_BOOK_DATE = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"
_PADDED_BOOK_DATE = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$"
# A lone digit (5/1/2023 8:15), between ASCII word boundaries: a book date is ASCII, and
# Unicode boundaries make the regex slower.
_ONE_DIGIT = r"(?-u:\b)([0-9])(?-u:\b)"
_API_DATE = r"^[0-9]{8}([0-9]{6})?$"
_XLSX_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"  # fastexcel's text
_BOOK_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_API_FORMATS = ("%Y%m%d%H%M%S", "%Y%m%d")
_XLSX_FORMATS = ("%Y-%m-%d %H:%M:%S",)
_SOME_INSTANT = datetime(2000, 1, 1)  # to measure how long a format's text is
# Vietnamese locale: '.' groups thousands (in threes), ',' is the decimal mark.
_BOOK_NUMBER = r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$"
_API_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_WHOLE = r"^[+-]?[0-9]+$"
_BLANK = ["", "null", "NULL", "Null"]
_IS_API = pl.col("_api")
_IS_XLSX = pl.col("_xlsx")


def _label(feed: str, name: str) -> pl.Expr:
    column = next(c for c in h.FEED_HEADERS[feed] if c.name == name)
    return (
        pl.when(_IS_API)
        .then(pl.lit(f"{column.key} / {name}"))
        .otherwise(pl.lit(f"{column.header} / {name}"))
    )


def _error(feed: str, name: str, problem: str) -> pl.Expr:
    """'<column>: <problem>' as an expression. Never the value: reasons are published, and
    a shifted row can put a name or a phone number in any column."""
    return pl.concat_str([_label(feed, name), pl.lit(f": {problem}")])


# Counts and figures that cannot be negative: a row that says so is set aside.
_NOT_NEGATIVE = frozenset(
    {"supplement_count", "processing_days", "numerator", "denominator", "reported_rate"}
)


def _match_key(text: pl.Expr) -> pl.Expr:
    # Same normalisation as headers.match_header (text is already NFC and trimmed).
    return text.str.to_lowercase().str.replace_all(r"\s+", " ")


def _parse_datetime(text: pl.Expr) -> pl.Expr:
    """The instant a text spells in its row's dialect; null when it spells none.

    Each format parses only the texts it can match, picked by cheap tests of the row's
    dialect, the text's shape and its width: the others reach it as null, which costs
    nothing, where a format tried on a text it cannot match is a slow failed parse. Each
    parse reads the column itself, masked once (masking a masked text costs a copy). Book
    dates with a lone digit (5/1/2023 8:15) are padded first, by a regex that runs on those
    texts only."""
    api = _IS_API & text.str.contains(_API_DATE)
    padded = ~_IS_API & text.str.contains(_PADDED_BOOK_DATE)
    unpadded = ~_IS_API & ~padded & text.str.contains(_BOOK_DATE)
    repaired = pl.when(unpadded).then(text).str.replace_all(_ONE_DIGIT, "0${1}")
    # A date cell in an XLSX column that also holds text reaches us as ISO text.
    xlsx = _IS_XLSX & text.str.contains(_XLSX_DATE)
    return pl.coalesce(
        *_strptime_by_width(text, api, _API_FORMATS),
        *_strptime_by_width(text, padded, _BOOK_FORMATS),
        *_strptime_by_width(repaired, unpadded, _BOOK_FORMATS),
        *_strptime_by_width(text, xlsx, _XLSX_FORMATS),
    )


def _strptime_by_width(text: pl.Expr, among: pl.Expr, formats: Sequence[str]) -> list[pl.Expr]:
    """One parse per format, of the texts `among` as long as what it writes (every field
    of these formats has a fixed width, so no other text can match it)."""
    width = text.str.len_bytes()
    return [
        pl.when(among & (width == len(_SOME_INSTANT.strftime(f))))
        .then(text)
        .str.strptime(pl.Datetime("us"), f, strict=False)
        for f in formats
    ]


def _plain_number(text: pl.Expr) -> pl.Expr:
    """A number's text with '.' as the decimal mark and no grouping; null if not a number."""
    book = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return (
        pl.when(_IS_API & text.str.contains(_API_NUMBER))
        .then(text)
        .when(~_IS_API & text.str.contains(_BOOK_NUMBER))
        .then(book)
    )


def _code_value(text: pl.Expr, mapping: Mapping, kind: str) -> pl.Expr:
    """The stored value of a coded (or yes/no) column's text; null for a text that names
    no value. Matched as headers are: case, spacing and (for numeric codes) leading zeros
    do not matter."""
    key = _match_key(text)
    if kind == "SMALLINT":
        key = key.str.replace(r"^0+([0-9])", "${1}")  # '02' is code 2
    return key.replace_strict(
        h.coded_lookup(mapping), default=None, return_dtype=polars_dtype(kind)
    )


@cache
def _usual_spellings(feed: str, name: str, kind: str) -> dict:
    """Text -> stored value for the spellings a coded column usually holds: the contract's
    names and codes, and their match keys. Worked out by _code_value itself, so that a text
    found here types as it would there."""
    mapping = _coded_mapping(feed, name)
    texts = list(dict.fromkeys([*mapping, *h.coded_lookup(mapping)]))
    values = pl.DataFrame({"text": texts}, schema={"text": pl.String}).select(
        _code_value(pl.col("text"), mapping, kind)
    )
    return {t: v for t, v in zip(texts, values.to_series().to_list(), strict=True) if v is not None}


def _coded_mapping(feed: str, name: str) -> Mapping:
    """The names (and codes) of a coded column's values; a yes/no column's are Có/Không."""
    return h.CODED_COLUMNS[feed].get(name) or h.TEXT_CODED_COLUMNS[feed].get(name) or h.BOOLEAN


def _coded(feed: str, name: str, kind: str) -> pl.Expr:
    """_code_value of the column, found by a plain lookup for the usual spellings; only the
    other texts (another case, extra spaces, '02') go through the string operations of the
    match key, which cost more on every row than the lookup."""
    text = pl.col(name)
    usual = _usual_spellings(feed, name, kind)
    found = text.replace_strict(usual, default=None, return_dtype=polars_dtype(kind))
    other = pl.when(found.is_null()).then(text)
    return pl.coalesce(found, _code_value(other, _coded_mapping(feed, name), kind))


def _typed(feed: str, name: str, kind: str) -> tuple[pl.Expr, pl.Expr] | None:
    """(value, error) for a column typed from its cleaned text, None for plain text. The
    error is evaluated only on rows whose value came out null although text was there."""
    text = pl.col(name)
    dtype = polars_dtype(kind)
    if name in h.CODED_COLUMNS[feed] or name in h.TEXT_CODED_COLUMNS[feed]:
        value = _coded(feed, name, kind)
        error = (
            pl.when(text.str.contains(r"^[0-9]+$"))
            .then(_error(feed, name, "unknown code"))
            .otherwise(_error(feed, name, "unknown value"))
        )
    elif kind == "BOOLEAN":
        value = _coded(feed, name, kind)
        error = _error(feed, name, "not Có/Không (or true/false)")
    elif kind in ("TIMESTAMP", "DATE"):
        value = _parse_datetime(text)
        value = value.dt.date() if kind == "DATE" else value
        error = _error(feed, name, "not a date")
    elif kind in ("INTEGER", "SMALLINT"):
        value = pl.when(text.str.contains(_WHOLE)).then(text.cast(dtype, strict=False))
        error = _error(feed, name, "not a whole number")
        if name in _NOT_NEGATIVE:
            value = pl.when(value >= 0).then(value)
            error = (
                pl.when(text.str.contains(r"^-[0-9]+$"))
                .then(_error(feed, name, "must not be negative"))
                .otherwise(error)
            )
        if name == "supplement_count":  # contract: whole number, default 0
            value = pl.when(text.is_null()).then(pl.lit(0, dtype)).otherwise(value)
    elif kind.startswith("DECIMAL"):
        number = _plain_number(text)
        value = number.cast(dtype, strict=False)
        error = (
            pl.when(number.is_null())
            .then(_error(feed, name, "not a number"))
            .otherwise(_error(feed, name, f"does not fit {kind}"))
        )
        if name in _NOT_NEGATIVE:
            value = pl.when(value >= 0).then(value)
            error = (
                pl.when(number.str.starts_with("-"))
                .then(_error(feed, name, "must not be negative"))
                .otherwise(error)
            )
    else:
        return None
    return value, error


def _first_rows(frame: pl.DataFrame, inputs: list[str]) -> pl.Series:
    """The row number of each record's first exact repeat in its file (its own number when
    it repeats none). Grouping by every column is costly; a hash of each record finds the
    few that may repeat one, and only those are grouped (a hash collision only adds rows
    to the exact grouping, never changes its answer)."""
    first = frame.get_column("_row").alias("_first")
    maybe = frame.select("_file", *inputs).hash_rows().is_duplicated()
    if not maybe.any():
        return first
    candidates = frame.filter(maybe).select(pl.col("_row").min().over(["_file", *inputs]))
    return first.scatter(maybe.arg_true(), candidates.to_series())


def _type_batch(
    feed: str, raw: pl.DataFrame, pseudonymiser: Pseudonymiser
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(loaded rows, set-aside rows) of a batch; both keep _file and _row for provenance."""
    inputs = [c.name for c in h.FEED_HEADERS[feed]]
    # Text is NFC already (reading normalises it: cheaper than polars).
    frame = raw.with_columns(pl.col(n).str.strip_chars().replace(_BLANK, None) for n in inputs)

    typed = {}
    for name, kind in FEED_COLUMNS[feed].items():
        if name in inputs and (pair := _typed(feed, name, kind)) is not None:
            typed[name] = pair
    # An exact repeat of an earlier record of the same file is a duplicate of that row.
    frame = frame.with_columns(_first_rows(frame, inputs))
    typing = [v.alias(f"__{n}") for n, (v, _) in typed.items()]
    if feed == "dossiers":
        ids = frame.get_column(h.ID_NUMBER_COLUMN)
        frame = frame.with_columns(pseudonymiser.hash_series(ids).alias("applicant_id_hash"))
        typing.append(id_kind_expr(pl.col(h.ID_NUMBER_COLUMN)).alias("applicant_id_kind"))
    # Lazily: a column's typing expressions share parts (its dialect's texts, their shape
    # tests), which the query optimiser then computes once; eagerly, every branch that
    # uses one computes it anew.
    frame = frame.lazy().with_columns(typing).collect()

    # Cheap flags over the whole batch; reasons are written only for the rows set aside.
    missing = {n: pl.col(n).is_null() for n in REQUIRED_COLUMNS[feed]}
    untyped = {n: pl.col(n).is_not_null() & pl.col(f"__{n}").is_null() for n in typed}
    duplicate = pl.col("_first") != pl.col("_row")
    bad = pl.any_horizontal(
        pl.col("_pre").is_not_null(), duplicate, *missing.values(), *untyped.values()
    )
    frame = frame.with_columns(bad.alias("_bad"))

    schema = _schema(FEED_COLUMNS[feed])
    loaded = frame.filter(~pl.col("_bad")).select(
        "_file",
        "_row",
        *(
            pl.col(f"__{name}" if name in typed else name).cast(schema[name]).alias(name)
            for name in FEED_COLUMNS[feed]
        ),
    )

    problems = [
        pl.when(flag).then(pl.lit(f"missing required value {n}")) for n, flag in missing.items()
    ]
    problems += [pl.when(untyped[n]).then(error) for n, (_, error) in typed.items()]
    reason = pl.coalesce(
        pl.col("_pre"),
        pl.when(duplicate).then(pl.format("duplicate of row {}", pl.col("_first"))),
        pl.concat_str(problems, separator="; ", ignore_nulls=True),
    )
    # The delivered record, canonical names, personal data removed and the ID hashed; a
    # value that did not type is not kept (the reason names its column): it may be anything.
    kept = []
    for name in inputs:
        if name == h.ID_NUMBER_COLUMN:
            kept.append(pl.col("applicant_id_hash"))
        elif name in untyped:
            kept.append(pl.when(untyped[name]).then(None).otherwise(pl.col(name)).alias(name))
        elif name not in h.PERSONAL_COLUMNS:
            kept.append(pl.col(name))
    set_aside = frame.filter(pl.col("_bad")).select(
        "_file",
        "_row",
        reason.alias("reason"),
        pl.struct(kept).struct.json_encode().alias("record"),
    )
    return loaded, set_aside


# --------------------------------------------------------------------------- batch


def _raw_frame(
    feed: str, parts: list[tuple[int, str, _FileRows]], frames: Sequence[pl.DataFrame] = ()
) -> pl.DataFrame:
    """The batch's records as one frame, in file and row order: those of `parts`, read in
    Python, and the `frames` of records read natively (canonical columns, some may be
    absent, and the internal ones)."""
    inputs = [c.name for c in h.FEED_HEADERS[feed]]
    internal = ("_file", "_row", "_api", "_xlsx", "_pre")
    columns: dict[str, list] = {name: [] for name in (*inputs, *internal)}
    for index, file_format, rows in parts:
        n = len(rows.rows)
        for name in inputs:
            columns[name].extend(rows.columns.get(name) or [None] * n)
        columns["_file"].extend([index] * n)
        columns["_row"].extend(rows.rows)
        columns["_api"].extend([file_format == "jsonl"] * n)  # API dialect, else book dialect
        columns["_xlsx"].extend([file_format == "xlsx"] * n)
        columns["_pre"].extend(rows.pre)
    schema = {
        **{name: pl.String for name in inputs},
        "_file": pl.Int32,
        "_row": pl.Int32,
        "_api": pl.Boolean,
        "_xlsx": pl.Boolean,
        "_pre": pl.String,
    }
    listed = pl.DataFrame(columns, schema=schema)
    if not frames:
        return listed
    # Each file's rows are in one part: sorting by file and row gives the order of a batch
    # read wholly in Python.
    return pl.concat([listed, *frames], how="diagonal").select(list(schema)).sort("_file", "_row")


def _with_provenance(frame: pl.DataFrame, files: list[LandingFile]) -> pl.DataFrame:
    index = pl.col("_file")
    return frame.with_columns(
        index.replace_strict(
            {i: f.unit_code for i, f in enumerate(files)}, return_dtype=pl.String
        ).alias("unit_code"),
        index.replace_strict(
            {i: f.export_date for i, f in enumerate(files)}, return_dtype=pl.Date
        ).alias("export_date"),
        index.replace_strict(
            {i: f.relpath for i, f in enumerate(files)}, return_dtype=pl.String
        ).alias("source_file"),
        pl.col("_row").alias("source_row"),
    )


def parse_batch(
    feed: str,
    files: list[LandingFile],
    encodings: dict[str, str],
    pseudonymiser: Pseudonymiser,
) -> ParsedBatch:
    """Parse files of one feed. `encodings` maps unit_code -> declared CSV encoding."""
    if stray := [f.relpath for f in files if f.feed != feed]:
        raise ValueError(f"files of another feed in a {feed} batch: {stray[:3]}")
    native = native_csv.ENABLED  # read once: the whole batch takes one path
    columnar = COLUMNAR_XLSX
    reads: list[_Read] = []
    for file in files:
        data, read = b"", _Read()
        try:
            data = file.path.read_bytes()  # read once: hashed and parsed from the same bytes
            declared = encodings.get(file.unit_code, "utf-8")
            read.rows, read.encoding = _read_file(file, data, declared, native, columnar)
        except Exception as exc:
            read.fail(file, exc)
        read.sha256, read.size_bytes = hashlib.sha256(data).hexdigest(), len(data)
        reads.append(read)
    frames = _read_clean_csvs(feed, files, reads) if native else []
    frames += _read_clean_jsonls(feed, files, reads) if native else []
    frames += _read_sheets(feed, files, reads) if columnar else []

    parts: list[tuple[int, str, _FileRows]] = []
    misfits: dict[str, list] = {"_file": [], "_row": [], "reason": [], "record": []}
    outcomes: list[FileOutcome] = []
    for index, (file, read) in enumerate(zip(files, reads, strict=True)):
        rows = read.rows  # a _FileRows by now, or None
        outcome = FileOutcome(
            file=file,
            sha256=read.sha256,
            size_bytes=read.size_bytes,
            encoding=read.encoding,
            rows_in=read.rows_in,
            rows_loaded=0,
            rows_set_aside=0,
            status="rejected",
            error=None,
        )
        if rows is None:
            outcome.error = read.error
            misfits["_file"].append(index)
            misfits["_row"].append(None)
            misfits["reason"].append(read.error)
            misfits["record"].append(None)
        else:
            parts.append((index, file.file_format, rows))
            for number, why, record in rows.misfits:
                misfits["_file"].append(index)
                misfits["_row"].append(number)
                misfits["reason"].append(why)
                misfits["record"].append(record)
            outcome.status = "loaded"
            outcome.rows_in = rows.delivered
            outcome.error = "; ".join(rows.notes) or None
        outcomes.append(outcome)

    loaded, typed_aside = _type_batch(feed, _raw_frame(feed, parts, frames), pseudonymiser)
    early_aside = pl.DataFrame(
        misfits,
        schema={"_file": pl.Int32, "_row": pl.Int32, "reason": pl.String, "record": pl.String},
    )
    set_aside = pl.concat([typed_aside, early_aside]).sort("_file", "_row", nulls_last=False)

    # What reached each frame, counted there: never derived from rows_in.
    loaded_counts = dict(loaded.group_by("_file").len().iter_rows())
    aside_counts = dict(set_aside.group_by("_file").len().iter_rows())
    for index, outcome in enumerate(outcomes):
        outcome.rows_loaded = loaded_counts.get(index, 0)
        outcome.rows_set_aside = aside_counts.get(index, 0)
        if outcome.status == "loaded" and outcome.rows_in != (
            outcome.rows_loaded + outcome.rows_set_aside
        ):
            gap = (
                f"rows do not add up: {outcome.rows_in} delivered, {outcome.rows_loaded} "
                f"loaded, {outcome.rows_set_aside} set aside"
            )
            _log.error("%s: %s", outcome.file.relpath, gap)
            outcome.error = f"{outcome.error}; {gap}" if outcome.error else gap

    loaded = _with_provenance(loaded, files).select(
        [pl.col(n).cast(t) for n, t in _schema(feed_table_columns(feed)).items()]
    )
    set_aside = (
        _with_provenance(set_aside, files)
        .with_columns(pl.lit(feed).alias("feed"))
        .select([pl.col(n).cast(t) for n, t in _schema(SET_ASIDE_COLUMNS).items()])
    )
    return ParsedBatch(loaded=loaded, set_aside=set_aside, outcomes=outcomes)


def _unexpected(file: LandingFile, exc: Exception) -> str:
    """Reason for a file the parser failed on: the exception's type, not its message (which
    may quote the file's content); where it was raised goes to the log, without it either."""
    where = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    _log.error("%s: unexpected %s while parsing\n%s", file.relpath, type(exc).__name__, where)
    return f"unexpected error: {type(exc).__name__}"
