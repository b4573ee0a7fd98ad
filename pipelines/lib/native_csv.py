"""Read the records of structurally clean CSV files with polars, many files in one call.

parsing reads a CSV with Python's csv module under the rules its docstring gives for line
ends, quotes and records that run over lines. Most delivered files need none of those
rules: each line is one record. For such a file polars' CSV reader gives the same fields
many times faster, provided that nothing in the file can be read differently by the two
readers. A file is read here only when its text shows that:

- lines end with LF or CR LF, never CR alone (csv ends a line there, polars does not);
- every line is one record under strict quoting: an unquoted field holds no quote, a quoted
  field opens at the start of a field, doubles the quotes it holds and closes at a
  separator or the line end. No record then runs over a line end, and no quote is text to
  one reader and quoting to the other;
- no line is as long as csv's field size limit (csv refuses a longer field);
- the text holds no byte-order mark (polars drops one at the start of what it reads).

Any other file is read by the Python reader, unchanged. The checks run in polars over every
line of a batch at once, a regular expression a line, and the records of all clean files
whose headers have the same separator and width are then read by one polars call. Which
lines are blank and which have another number of fields than the header is told here too,
as csv's fields would show it; what that means for the file (notes, rows set aside) is
parsing's business.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from pipelines.lib.normal_form import nfc_series

# Tests turn this off to read the same files with the Python reader and compare.
ENABLED = True

# A header of more fields sends its file to the Python reader: the pattern that checks a
# line's width repeats the pattern of a field once per field.
MAX_WIDTH = 128

# What str.strip() strips (a blank field is one it empties), for polars patterns. Python's
# whitespace ends at U+3000; a test compares with the whole of Unicode.
PYTHON_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def _escaped(chars: str) -> str:
    """Characters as members of a regex class that Python's re and polars (Rust's regex
    crate) read alike: \\xhh below U+0100 (all that Python's patterns here hold), else
    \\x{h...} (Rust only)."""
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\x{{{ord(c):x}}}" for c in chars)


def _field(delimiter: str) -> str:
    """A field under strict quoting: quoted (the quotes it holds doubled) or without a
    quote; neither holds a CR (nor an LF: lines are split there)."""
    return f'(?:"(?:[^"\\x0d]|"")*"|[^"{_escaped(chr(13) + delimiter)}]*)'


@cache
def _record(delimiter: str) -> re.Pattern[str]:
    return re.compile(f"{_field(delimiter)}(?:{_escaped(delimiter)}{_field(delimiter)})*")


@cache
def _strict_line(delimiter: str, width: int | None) -> str:
    """Polars pattern of a line that is one record under strict quoting, of `width`
    fields if one is given."""
    repeat = "*" if width is None else f"{{{width - 1}}}"
    return f"^{_field(delimiter)}(?:{_escaped(delimiter)}{_field(delimiter)}){repeat}$"


@cache
def _blank_line(delimiter: str) -> str:
    """Polars pattern of a line whose fields, under strict quoting, are all empty or spaces:
    csv's blank line, which is no record."""
    spaces = PYTHON_WHITESPACE.replace("\r", "").replace("\n", "")
    one = f'(?:[{_escaped(spaces.replace(delimiter, ""))}]*|"[{_escaped(spaces)}]*")'
    return f"^{one}(?:{_escaped(delimiter)}{one})*$"


def is_blank(text: pl.Expr) -> pl.Expr:
    """Whether a field's text is empty or spaces, as str.strip() sees it."""
    return text.str.contains(f"^[{_escaped(PYTHON_WHITESPACE)}]*$")


def header_line(text: str) -> str | None:
    """The first line of a CSV's text (its header), or None when the text cannot be read
    here: a CR alone ends or is in that line, or the text holds a byte-order mark."""
    head = text.partition("\n")[0].removesuffix("\r")
    if "\r" in head or "\ufeff" in text:
        return None
    return head


def is_record(line: str, delimiter: str) -> bool:
    """Whether a line (without its end) is one record under strict quoting, short enough
    for csv's field size limit."""
    return len(line) < csv.field_size_limit() and bool(_record(delimiter).fullmatch(line))


def fields(line: str, delimiter: str) -> list[str]:
    """The fields of a line that is_record accepts, as csv reads them."""
    return next(csv.reader([line], delimiter=delimiter), [])


def column(position: int) -> str:
    """Name of the field at `position` (from 0) in Reading.records."""
    return f"field_{position}"


@dataclass
class Reading:
    """What `read` found in the texts of a group of files.

    records: column(0)..column(width - 1) as text, with _file (the key a text came with)
        and _row (its line number, the header being line 1), for each line of a clean file
        that is neither blank nor of another width, in the order of texts and lines.
    blank: the number of blank lines of each clean file that has any.
    misfits: (line number, line) of each line of another width, per clean file; rare, so
        left to be read with `fields`.
    unclean: the keys of the files to read with the Python reader; none of their lines is
        in the others."""

    records: pl.DataFrame
    blank: dict[int, int] = field(default_factory=dict)
    misfits: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    unclean: set[int] = field(default_factory=set)


def read(
    texts: list[tuple[int, str]], delimiter: str, width: int, composed: bool = True
) -> Reading:
    """Read the records of CSV texts (each with its file's key) whose header lines
    (header_line) is_record accepts with `width` fields under `delimiter`. `composed`:
    whether the texts are NFC; if not, their lines are made NFC here, all at once, before
    they are looked at (the records, and what is told of the lines, are those of the
    texts made NFC)."""
    if width > MAX_WIDTH:
        return Reading(_no_records(width), unclean={key for key, _ in texts})
    short = pl.col("line").str.len_bytes() < csv.field_size_limit()
    lines = _lines(texts, composed).with_columns(
        (pl.col("line").str.contains(_strict_line(delimiter, width)) & short).alias("fit"),
        pl.col("line").str.contains(_blank_line(delimiter)).alias("blank"),
    )
    # Lines that are not records of the header's width are rare: judged apart.
    odd = lines.filter(~pl.col("fit"))
    strict = pl.col("line").str.contains(_strict_line(delimiter, None)) & short
    unclean = set(odd.filter(~strict)["_file"].to_list())
    clean = ~pl.col("_file").is_in(list(unclean))
    lines = lines.filter(clean)
    reading = Reading(_records(lines, delimiter, width), unclean=unclean)
    reading.blank = dict(lines.filter(pl.col("blank")).group_by("_file").len().iter_rows())
    misfits = odd.filter(clean & ~pl.col("blank")).select("_file", "_row", "line")
    for key, row, line in misfits.iter_rows():
        reading.misfits.setdefault(key, []).append((row, line))
    return reading


def _lines(texts: list[tuple[int, str]], composed: bool = True) -> pl.DataFrame:
    """_file, _row and line (without its LF or CR LF) of every line of the texts but their
    header lines; made NFC unless `composed` (a line feed composes with nothing: the
    lines of a text made NFC are its lines made NFC; so are those without their CR)."""
    frame = pl.DataFrame(
        {"_file": [key for key, _ in texts], "line": [text for _, text in texts]},
        schema={"_file": pl.Int32, "line": pl.String},
    )
    # The LF that ends a text's last line starts none.
    split = pl.col("line").str.strip_suffix("\n").str.split("\n")
    numbers = pl.int_ranges(1, pl.col("line").list.len() + 1, dtype=pl.Int32)
    lines = (
        frame.with_columns(split)
        .with_columns(numbers.alias("_row"))
        .explode("line", "_row")
        .filter(pl.col("_row") > 1)
        .select("_file", "_row", pl.col("line").str.strip_suffix("\r"))
    )
    if composed:
        return lines
    return lines.with_columns(nfc_series(lines.get_column("line")))


def _records(lines: pl.DataFrame, delimiter: str, width: int) -> pl.DataFrame:
    """The records of the lines that are neither blank nor of another width, read by polars
    in one call, with their _file and _row."""
    kept = lines.filter(pl.col("fit") & ~pl.col("blank"))
    if kept.height == 0:
        return _no_records(width)
    text = kept.select(pl.col("line").str.join("\n").cast(pl.Binary)).item()
    frame = pl.read_csv(
        text,
        has_header=False,
        new_columns=[column(p) for p in range(width)],
        infer_schema=False,
        separator=delimiter,
        quote_char='"',
        empty_string_is_null=False,
    )
    if frame.shape != (kept.height, width):
        raise RuntimeError(f"polars read {frame.shape} fields of {(kept.height, width)}")
    return pl.concat([kept.select("_file", "_row"), frame], how="horizontal")


def _no_records(width: int) -> pl.DataFrame:
    schema = {"_file": pl.Int32, "_row": pl.Int32, **{column(p): pl.String for p in range(width)}}
    return pl.DataFrame(schema=schema)
