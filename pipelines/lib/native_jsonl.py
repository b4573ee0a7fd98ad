"""Read the records of plain JSONL files with polars, many files in one call.

parsing reads a JSONL file line by line in Python: each line loaded by orjson, each key's
values written as text (_json_column), a line that is not an object set aside, a blank one
skipped. Most delivered files need none of that care: every line is an object of the same
keys in the same order, each value a string without escapes, a whole number, true, false
or null. For such a file polars' NDJSON reader gives the same texts many times faster,
provided that nothing in the file can be read differently by the two readers. A file is
read here only when its text shows that, a regular expression over the whole text:

- every line, but for spaces, tabs and CRs around it and its tokens (JSON whitespace,
  which str.strip() strips too), is an object whose keys are the first line's, each once
  and in that order: no blank line (a line number the two would count alike, but cheaper
  left to the Python reader, which notes it), no duplicate key, no other key;
- a key or a string value holds no backslash (no escape: the text is the JSON text) and no
  control character (JSON allows none);
- a number is a whole number of at most 18 digits without a leading zero, never -0: what
  orjson loads as an int and str() writes back as the same digits; floats, which Python
  writes in its own way (parsing._json_text), leave the file to the Python reader;
- nothing else: no object or array value (set aside by the Python reader).

Any other file is read by the Python reader, unchanged. What the keys mean for the feed
(columns, unknown keys, a file of another feed) is parsing's business.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import orjson
import polars as pl

# A file whose first line has more keys goes to the Python reader: the pattern that checks
# a line repeats the pattern of a member once per key.
MAX_KEYS = 128

_SPACE = r"[ \t\r]*"  # JSON whitespace but the LF that ends a line
_VALUE = r'(?:"[^"\\\x00-\x1f]*"|0|-?[1-9][0-9]{0,17}|true|false|null)'


def _escaped(text: str) -> str:
    """Text as a literal of a polars (Rust regex) pattern."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


def keys_of(data: bytes) -> tuple[str, ...] | None:
    """The keys of the object on the first line of a text (its UTF-8 bytes), if the text
    may be read here: it holds no backslash and the keys are plain (no quote, backslash or
    control character). None sends the file to the Python reader. Whether every line is
    such an object is left to `read`."""
    if b"\\" in data:
        return None
    try:
        record = orjson.loads(data.partition(b"\n")[0])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not 0 < len(record) <= MAX_KEYS:
        return None
    keys = tuple(record)
    if any('"' in key or any(ord(c) < 0x20 for c in key) for key in keys):
        return None
    return keys


@lru_cache(maxsize=64)
def _clean_text(keys: tuple[str, ...]) -> str:
    """Polars pattern of a text whose every line is an object of these keys, in this order,
    of plain values (the module docstring's rules)."""
    members = ",".join(
        f'{_SPACE}"{_escaped(key)}"{_SPACE}:{_SPACE}{_VALUE}{_SPACE}' for key in keys
    )
    line = f"{_SPACE}\\{{{members}\\}}{_SPACE}"
    return f"^(?:{line}\\n)*{line}\\n?$"


def column(position: int) -> str:
    """Name of the value of the key at `position` (from 0) in Reading.records."""
    return f"key_{position}"


@dataclass
class Reading:
    """What `read` found in the texts of a group of files of the same keys.

    records: column(0)..column(len(keys) - 1) as text (null for JSON null), with _file (the
        key a text came with) and _row (its line number, from 1), for each line of a clean
        file, in the order of texts and lines.
    lines: the number of lines (records) of each clean file.
    unclean: the keys of the files to read with the Python reader; none of their lines is
        in the records."""

    records: pl.DataFrame
    lines: dict[int, int] = field(default_factory=dict)
    unclean: set[int] = field(default_factory=set)


# Texts read in one call at most (their bytes): a batch's JSONL is checked and read a group
# at a time, so that its texts are held twice (as checked, as read) a group at a time, not
# whole (a city's 400 files: ~110 MB).
GROUP_BYTES = 16 * 2**20


def _groups(texts: list[tuple[int, bytes]]) -> Iterator[list[tuple[int, bytes]]]:
    group: list[tuple[int, bytes]] = []
    size = 0
    for text in texts:
        if group and size + len(text[1]) > GROUP_BYTES:
            yield group
            group, size = [], 0
        group.append(text)
        size += len(text[1])
    if group:
        yield group


def read(texts: list[tuple[int, bytes]], keys: tuple[str, ...]) -> Reading:
    """Read the records of JSONL texts (their UTF-8 bytes, each with its file's key) whose
    first lines hold objects of these keys (keys_of)."""
    reading = Reading(_no_records(keys))
    parts: list[pl.DataFrame] = []
    for group in _groups(texts):
        checked = pl.Series([data for _, data in group], dtype=pl.Binary).cast(pl.String)
        clean = checked.str.contains(_clean_text(keys)).to_list()
        del checked
        kept: list[bytes] = []
        for (index, data), ok in zip(group, clean, strict=True):
            if not ok:
                reading.unclean.add(index)
                continue
            ended = data.endswith(b"\n")
            reading.lines[index] = data.count(b"\n") + (0 if ended else 1)
            kept += (data,) if ended else (data, b"\n")
        if kept:
            parts.append(
                pl.read_ndjson(
                    io.BytesIO(b"".join(kept)),
                    schema={key: pl.String for key in keys},
                    infer_schema_length=None,
                )
            )
    if not parts:
        return reading
    records = pl.concat(parts, rechunk=False)
    del parts
    height = sum(reading.lines.values())
    if records.shape != (height, len(keys)):
        raise RuntimeError(f"polars read {records.shape} values of {(height, len(keys))}")
    records.columns = [column(p) for p in range(len(keys))]
    numbers = pl.DataFrame(
        {"_file": list(reading.lines), "lines": list(reading.lines.values())},
        schema={"_file": pl.Int32, "lines": pl.Int32},
    ).select(
        pl.col("_file").repeat_by("lines").explode(),
        pl.int_ranges(1, pl.col("lines") + 1, dtype=pl.Int32).explode().alias("_row"),
    )
    reading.records = pl.concat([numbers, records], how="horizontal")
    return reading


def _no_records(keys: tuple[str, ...]) -> pl.DataFrame:
    schema = {"_file": pl.Int32, "_row": pl.Int32}
    return pl.DataFrame(schema={**schema, **{column(p): pl.String for p in range(len(keys))}})
