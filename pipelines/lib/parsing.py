"""Parse a batch of landing files of one feed into typed raw rows, set-aside rows and a
ledger outcome per file.

Two stages. Reading (per file, Python): bytes -> text -> records of strings under canonical
names, catching what only the file's structure can show (unreadable file, wrong field
count, invalid JSON line, missing required column). Typing (whole batch, polars): clean,
dedupe, parse dates/numbers/codes with vectorised expressions and set aside every row that
does not type, with a reason naming the column. Nothing is dropped silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import fastexcel
import orjson
import polars as pl

from pipelines.lib import headers as h
from pipelines.lib.decoding import UndecodableError, decode, nfc
from pipelines.lib.landing import LandingFile
from pipelines.lib.pseudonymise import Pseudonymiser, id_kind_expr
from pipelines.lib.schema import (
    FEED_COLUMNS,
    REQUIRED_COLUMNS,
    SET_ASIDE_COLUMNS,
    feed_table_columns,
)

_SHOWN = 60  # characters of a bad value quoted in a reason

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
    """The file as a whole cannot be read; the message says why."""


@dataclass
class _FileRows:
    """What reading one file gives: string columns under canonical names, plus the rows
    that could not even be aligned with the header (set aside before typing)."""

    columns: dict[str, list[str | None]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    pre: list[str | None] = field(default_factory=list)  # reason known before typing
    misfits: list[tuple[int, str, str | None]] = field(default_factory=list)  # row, why, record
    notes: list[str] = field(default_factory=list)


def _misfit_record(feed: str, delivered: Sequence[str]) -> str | None:
    """Record for a row whose fields cannot be tied to columns. Dossier rows may then hold
    personal data anywhere, so nothing of them is kept."""
    if feed == "dossiers":
        return None
    key = "line" if isinstance(delivered, str) else "fields"
    return orjson.dumps({key: delivered}).decode()


def _column_label(feed: str, name: str) -> str:
    header = next(c.header for c in h.FEED_HEADERS[feed] if c.name == name)
    return f"'{header}' ({name})"


def _tabulate(
    feed: str, header: list[str | None], records: list[tuple[int, Sequence[str]]], check_width: bool
) -> _FileRows:
    """Map a header row and its records (row number, fields as text) to canonical columns."""
    out = _FileRows()
    lookup = h.header_lookup(feed)
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    for pos, text in enumerate(header):
        text = (text or "").strip()
        if not text:
            unnamed.append(pos)
            continue
        name = lookup.get(h.match_header(text))
        if name is None:
            out.notes.append(f"ignored unknown column {text!r}")
        elif name in positions:
            out.notes.append(f"ignored repeated column {text!r}")
        else:
            positions[name] = pos
    absent = [c.name for c in h.FEED_HEADERS[feed] if c.name not in positions]
    missing = [c for c in absent if c in REQUIRED_COLUMNS[feed]]
    file_reason = "; ".join(f"file has no column {_column_label(feed, c)}" for c in missing)
    if missing:
        out.notes.append(file_reason + ": all rows set aside")
    if optional := [c for c in absent if c not in missing]:
        shown = ", ".join(_column_label(feed, c) for c in optional)
        out.notes.append(f"no column {shown}: loaded as null")

    width, blank, good = len(header), 0, []
    for number, fields in records:
        if not "".join(fields).strip():
            blank += 1  # an empty line is not a record
            continue
        if check_width and len(fields) != width:
            why = f"row has {len(fields)} fields, header has {width}"
            out.misfits.append((number, why, _misfit_record(feed, fields)))
            continue
        stray = [p + 1 for p in unnamed if p < len(fields) and fields[p].strip()]
        if stray:
            why = f"row has a value in column {stray[0]}, which has no header"
            out.misfits.append((number, why, _misfit_record(feed, fields)))
            continue
        good.append(fields)
        out.rows.append(number)
    if blank:
        out.notes.append(f"skipped {blank} blank row{'s' if blank > 1 else ''}")
    transposed = list(zip(*good, strict=True)) if good else []
    for name, pos in positions.items():
        out.columns[name] = list(transposed[pos]) if transposed else []
    out.pre = [file_reason or None] * len(out.rows)
    return out


def _sniff_delimiter(first_line: str, feed: str) -> str:
    """The separator under which the header line names the most known columns. Excel in a
    Vietnamese locale writes ';', and headers such as 'Số, ký hiệu' contain a comma, so the
    mere presence of a comma decides nothing."""
    lookup = h.header_lookup(feed)

    def known(delimiter: str) -> int:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(h.match_header(text) in lookup for text in header)

    return max((",", ";", "\t"), key=known)  # ties keep the first: ','


def _read_csv(text: str, feed: str) -> _FileRows:
    delimiter = _sniff_delimiter(text.split("\n", 1)[0].rstrip("\r"), feed)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _Unreadable(f"not a readable CSV: {exc}") from None
    if not rows:
        return _FileRows(notes=["empty file"])
    # Row numbers as a spreadsheet shows them: header is row 1.
    out = _tabulate(feed, rows[0], list(enumerate(rows[1:], start=2)), check_width=True)
    if delimiter != ",":
        out.notes.append(f"fields separated by {delimiter!r}, not ','")
    return out


def _float_text(value: float, decimal_comma: bool) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    # 15 significant digits, as Excel shows them: drops noise such as 0.1 + 0.2.
    text = format(Decimal(format(value, ".15g")), "f")
    return text.replace(".", ",") if decimal_comma else text


def _xlsx_texts(cells: pl.Series, decimal_comma: bool) -> list[str]:
    """A native XLSX column as the book dialect would have written it ('' for an empty
    cell). Numbers in DECIMAL columns get the Vietnamese decimal comma; in text columns (a
    procedure code typed as a number) they keep the point. Cells of a mixed column arrive as
    text, their datetimes in ISO form: see _parse_datetime. Plain Python: per-file polars
    queries cost more than these few values."""
    values, dtype = cells.to_list(), cells.dtype
    if dtype == pl.String:
        return [nfc(v) if v is not None else "" for v in values]
    if dtype == pl.Datetime or dtype == pl.Date:
        form = "%d/%m/%Y %H:%M:%S" if dtype == pl.Datetime else "%d/%m/%Y"
        return [v.strftime(form) if v is not None else "" for v in values]
    if dtype.is_float():
        return [_float_text(v, decimal_comma) if v is not None else "" for v in values]
    if dtype == pl.Boolean:
        return [("true" if v else "false") if v is not None else "" for v in values]
    return [str(v) if v is not None else "" for v in values]


def _read_xlsx(data: bytes, feed: str) -> _FileRows:
    try:
        reader = fastexcel.read_excel(data)
        top = reader.load_sheet(0, header_row=None, n_rows=1, dtypes="string").to_polars()
        if top.height == 0:
            return _FileRows(notes=["empty sheet"])
        sheet = reader.load_sheet(0, header_row=0, schema_sample_rows=None).to_polars()
    except Exception as exc:  # calamine reports corrupt and truncated files in many ways
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _Unreadable(f"cannot read XLSX: {reason}") from None
    header = list(top.row(0))
    lookup = h.header_lookup(feed)
    decimal_columns = {c for c, t in FEED_COLUMNS[feed].items() if t.startswith("DECIMAL")}
    columns = []
    for pos, cells in enumerate(sheet.iter_columns()):
        name = lookup.get(h.match_header(header[pos] or "")) if pos < len(header) else None
        columns.append(_xlsx_texts(cells, decimal_comma=name in decimal_columns))
    records = list(enumerate(zip(*columns, strict=True), start=2))
    return _tabulate(feed, header, records, check_width=False)


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


def _json_column(values: list, escaped: bool) -> tuple[list[str | None], list[str | None]]:
    """(texts, problems) for one key's values across a file's records. `escaped`: the file
    has \\u escapes, which can spell text that is not NFC."""
    if escaped:
        values = [nfc(v) if isinstance(v, str) else v for v in values]
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        return values, [None] * len(values)  # the common case, no per-value work
    problems = [None] * len(values)
    if kinds & {dict, list}:
        for i, value in enumerate(values):
            if isinstance(value, dict | list):
                problems[i] = "an object" if isinstance(value, dict) else "an array"
    return list(map(_json_text, values)), problems


def _read_jsonl(text: str, feed: str) -> _FileRows:
    out = _FileRows()
    records: list[dict] = []
    blank = 0
    lines = text.split("\n")  # not splitlines(): U+2028 inside a JSON string is data
    if lines[-1] == "":
        lines.pop()  # the newline ending the last line
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            blank += 1
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
    if blank:
        out.notes.append(f"skipped {blank} blank line{'s' if blank > 1 else ''}")

    # Column by column: keys repeat on every line, so map each key once.
    escaped = "\\u" in text
    lookup = h.header_lookup(feed)
    keys = list(dict.fromkeys(k for record in records for k in record))
    unknown = []
    problems: list[list[str]] = [[] for _ in records]
    for key in keys:
        name = lookup.get(h.match_header(key))
        if name is None:
            unknown.append(key)
            continue
        texts, odd = _json_column([record.get(key) for record in records], escaped)
        if name in out.columns:  # a second spelling of the same column fills only gaps
            earlier = out.columns[name]
            texts = [a if a is not None else b for a, b in zip(earlier, texts, strict=True)]
        out.columns[name] = texts
        for i, kind in enumerate(odd):
            if kind:
                problems[i].append(f"{key} / {name}: expected a single value, not {kind}")
    out.pre = ["; ".join(p) or None for p in problems]
    if unknown:
        out.notes.append("ignored unknown key " + ", ".join(repr(k) for k in sorted(unknown)))
    return out


def _read_file(file: LandingFile, data: bytes, declared: str) -> tuple[_FileRows, str | None]:
    """Records of one file and the encoding used. Raises _Unreadable."""
    if file.file_format == "xlsx":
        return _read_xlsx(data, file.feed), None
    # The contract says JSONL is UTF-8, whatever the unit's CSV encoding.
    try:
        decoded = decode(data, declared if file.file_format == "csv" else "utf-8")
    except UndecodableError as exc:
        raise _Unreadable(str(exc)) from None
    reader = _read_csv if file.file_format == "csv" else _read_jsonl
    out = reader(decoded.text, file.feed)
    if decoded.note:
        out.notes.insert(0, decoded.note)
    return out, decoded.encoding


# --------------------------------------------------------------------------- typing

_BOOK_DATE = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"
_API_DATE = r"^[0-9]{8}([0-9]{6})?$"
_BOOK_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_API_FORMATS = ("%Y%m%d%H%M%S", "%Y%m%d")
# Vietnamese locale: '.' groups thousands (in threes), ',' is the decimal mark.
_BOOK_NUMBER = r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$"
_API_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_WHOLE = r"^[+-]?[0-9]+$"
_XLSX_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"  # fastexcel's text
_IS_API = pl.col("_api")
_IS_XLSX = pl.col("_xlsx")


def _label(feed: str, name: str) -> pl.Expr:
    column = next(c for c in h.FEED_HEADERS[feed] if c.name == name)
    return (
        pl.when(_IS_API)
        .then(pl.lit(f"{column.key} / {name}"))
        .otherwise(pl.lit(f"{column.header} / {name}"))
    )


def _error(feed: str, name: str, template: str) -> pl.Expr:
    """'<column>: <template with the value>' as an expression."""
    shown = pl.col(name).str.slice(0, _SHOWN)
    return pl.format("{}: " + template, _label(feed, name), shown)


def _match_key(text: pl.Expr) -> pl.Expr:
    # Same normalisation as headers.match_header (text is already NFC and trimmed).
    return text.str.to_lowercase().str.replace_all(r"\s+", " ")


def _parse_datetime(text: pl.Expr) -> pl.Expr:
    padded = text.str.replace_all(r"\b([0-9])\b", "0${1}")  # 5/1/2023 8:15 -> 05/01/2023 08:15
    book = pl.coalesce(
        [padded.str.strptime(pl.Datetime("us"), f, strict=False) for f in _BOOK_FORMATS]
    )
    api = pl.coalesce([text.str.strptime(pl.Datetime("us"), f, strict=False) for f in _API_FORMATS])
    # A date cell in an XLSX column that also holds text reaches us as ISO text.
    xlsx = text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    return (
        pl.when(_IS_API & text.str.contains(_API_DATE))
        .then(api)
        .when(~_IS_API & text.str.contains(_BOOK_DATE))
        .then(book)
        .when(_IS_XLSX & text.str.contains(_XLSX_DATE))
        .then(xlsx)
    )


def _plain_number(text: pl.Expr) -> pl.Expr:
    """A number's text with '.' as the decimal mark and no grouping; null if not a number."""
    book = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return (
        pl.when(_IS_API & text.str.contains(_API_NUMBER))
        .then(text)
        .when(~_IS_API & text.str.contains(_BOOK_NUMBER))
        .then(book)
    )


def _typed(feed: str, name: str, kind: str) -> tuple[pl.Expr, pl.Expr] | None:
    """(value, error) for a column typed from its cleaned text, None for plain text. The
    error is evaluated only on rows whose value came out null although text was there."""
    text = pl.col(name)
    dtype = polars_dtype(kind)
    coded = h.CODED_COLUMNS[feed].get(name) or h.TEXT_CODED_COLUMNS[feed].get(name)
    if coded is not None:
        key = _match_key(text)
        if kind == "SMALLINT":
            key = key.str.replace(r"^0+([0-9])", "${1}")  # '02' is code 2
        value = key.replace_strict(h.coded_lookup(coded), default=None, return_dtype=dtype)
        error = (
            pl.when(text.str.contains(r"^[0-9]+$"))
            .then(_error(feed, name, "unknown code '{}'"))
            .otherwise(_error(feed, name, "unknown value '{}'"))
        )
    elif kind == "BOOLEAN":
        value = _match_key(text).replace_strict(
            h.coded_lookup(h.BOOLEAN), default=None, return_dtype=pl.Boolean
        )
        error = _error(feed, name, "'{}' is not Có/Không (or true/false)")
    elif kind in ("TIMESTAMP", "DATE"):
        value = _parse_datetime(text)
        value = value.dt.date() if kind == "DATE" else value
        error = _error(feed, name, "'{}' is not a date")
    elif kind in ("INTEGER", "SMALLINT"):
        value = pl.when(text.str.contains(_WHOLE)).then(text.cast(dtype, strict=False))
        if name == "supplement_count":  # contract: whole number, default 0
            value = pl.when(text.is_null()).then(pl.lit(0, dtype)).otherwise(value)
        error = _error(feed, name, "'{}' is not a whole number")
    elif kind.startswith("DECIMAL"):
        value = _plain_number(text).cast(dtype, strict=False)
        error = (
            pl.when(_plain_number(text).is_null())
            .then(_error(feed, name, "'{}' is not a number"))
            .otherwise(_error(feed, name, f"'{{}}' does not fit {kind}"))
        )
    else:
        return None
    return value, error


def _type_batch(
    feed: str, raw: pl.DataFrame, pseudonymiser: Pseudonymiser
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(loaded rows, set-aside rows) of a batch; both keep _file and _row for provenance."""
    inputs = [c.name for c in h.FEED_HEADERS[feed]]
    cleaned = []
    for name in inputs:  # text is NFC already (reading normalises it: cheaper than polars)
        text = pl.col(name).str.strip_chars()
        blank = text.is_in(["", "null", "NULL", "Null"])
        cleaned.append(pl.when(blank).then(None).otherwise(text).alias(name))
    frame = raw.with_columns(*cleaned)

    typed = {}
    for name, kind in FEED_COLUMNS[feed].items():
        if name in inputs and (pair := _typed(feed, name, kind)) is not None:
            typed[name] = pair
    # An exact repeat of an earlier record of the same file is a duplicate of that row.
    first = pl.col("_row").min().over(["_file", *inputs]).alias("_first")
    frame = frame.with_columns(first, *(v.alias(f"__{n}") for n, (v, _) in typed.items()))
    if feed == "dossiers":
        frame = frame.with_columns(
            pseudonymiser.hash_series(frame.get_column(h.ID_NUMBER_COLUMN)).alias(
                "applicant_id_hash"
            ),
            id_kind_expr(pl.col(h.ID_NUMBER_COLUMN)).alias("applicant_id_kind"),
        )

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
    # The delivered record, canonical names, personal data removed and the ID hashed.
    kept = []
    for name in inputs:
        if name == h.ID_NUMBER_COLUMN:
            kept.append(pl.col("applicant_id_hash"))
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


def _raw_frame(feed: str, parts: list[tuple[int, str, _FileRows]]) -> pl.DataFrame:
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
    return pl.DataFrame(columns, schema=schema)


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
    parts: list[tuple[int, str, _FileRows]] = []
    misfits: dict[str, list] = {"_file": [], "_row": [], "reason": [], "record": []}
    outcomes: list[FileOutcome] = []
    for index, file in enumerate(files):
        data = b""
        try:
            data = file.path.read_bytes()  # read once: hashed and parsed from the same bytes
            rows, encoding = _read_file(file, data, encodings.get(file.unit_code, "utf-8"))
        except (_Unreadable, OSError) as exc:
            rows, encoding, error = None, None, str(exc)
        except Exception as exc:  # one bad file must not stop the others
            rows, encoding, error = None, None, f"unexpected error: {type(exc).__name__}: {exc}"
        outcome = FileOutcome(
            file=file,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            encoding=encoding,
            rows_in=None,
            rows_loaded=0,
            rows_set_aside=1,
            status="rejected",
            error=None,
        )
        if rows is None:
            outcome.error = error
            misfits["_file"].append(index)
            misfits["_row"].append(None)
            misfits["reason"].append(error)
            misfits["record"].append(None)
        else:
            parts.append((index, file.file_format, rows))
            for number, why, record in rows.misfits:
                misfits["_file"].append(index)
                misfits["_row"].append(number)
                misfits["reason"].append(why)
                misfits["record"].append(record)
            outcome.status = "loaded"
            outcome.rows_in = len(rows.rows) + len(rows.misfits)
            outcome.error = "; ".join(rows.notes) or None
        outcomes.append(outcome)

    loaded, typed_aside = _type_batch(feed, _raw_frame(feed, parts), pseudonymiser)
    early_aside = pl.DataFrame(
        misfits,
        schema={"_file": pl.Int32, "_row": pl.Int32, "reason": pl.String, "record": pl.String},
    )
    set_aside = pl.concat([typed_aside, early_aside]).sort("_file", "_row", nulls_last=False)

    counts = dict(set_aside.group_by("_file").len().iter_rows())
    for index, outcome in enumerate(outcomes):
        if outcome.status == "loaded":
            outcome.rows_set_aside = counts.get(index, 0)
            outcome.rows_loaded = outcome.rows_in - outcome.rows_set_aside

    loaded = _with_provenance(loaded, files).select(
        [pl.col(n).cast(t) for n, t in _schema(feed_table_columns(feed)).items()]
    )
    set_aside = (
        _with_provenance(set_aside, files)
        .with_columns(pl.lit(feed).alias("feed"))
        .select([pl.col(n).cast(t) for n, t in _schema(SET_ASIDE_COLUMNS).items()])
    )
    return ParsedBatch(loaded=loaded, set_aside=set_aside, outcomes=outcomes)
