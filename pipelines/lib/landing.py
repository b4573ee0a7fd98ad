"""The landing folder as the contract lays it out: what files are there, and the unit registry.

    <landing>/units.csv
    <landing>/<unit_code>/<feed>/<YYYY-MM-DD>[_<suffix>].<ext>

Files are never modified or moved here; misplaced ones are only reported.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.lib.decoding import ENCODINGS, nfc
from pipelines.lib.headers import match_header
from pipelines.lib.schema import FEEDS, UNITS_COLUMNS

UNITS_FILE = "units.csv"
FILE_FORMATS = ("csv", "xlsx", "jsonl")
UNIT_LEVELS = ("city", "ward")
_UNIT_CODE = re.compile(r"^[0-9]+$")
_STEM = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:_(.+))?$")


@dataclass(frozen=True)
class LandingFile:
    path: Path  # absolute
    relpath: str  # relative to the landing folder, posix
    unit_code: str
    feed: str
    export_date: date
    suffix: str | None
    file_format: str  # 'csv' | 'xlsx' | 'jsonl'


class UnitsRegistryError(ValueError):
    """units.csv cannot be used: the message names the file, the row and the reason."""


def _visible(entries) -> list[os.DirEntry]:
    return [e for e in entries if not e.name.startswith(".")]


def _parse_name(name: str) -> tuple[date, str | None, str] | str:
    """(export_date, suffix, format) from a file name, or the reason it does not fit."""
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in FILE_FORMATS:
        return f"unknown extension {('.' + ext) if dot else '(none)'}; expected csv, xlsx or jsonl"
    match = _STEM.match(stem)
    if not match:
        return "file name is not <YYYY-MM-DD>[_<suffix>]"
    try:
        export_date = date.fromisoformat(match.group(1))
    except ValueError:
        return f"bad date in file name: {match.group(1)!r}"
    return export_date, match.group(2), ext.lower()


def discover(
    landing: Path, feeds: tuple[str, ...] = FEEDS
) -> tuple[list[LandingFile], list[tuple[str, str]]]:
    """All delivered files, sorted by (feed, unit_code, export_date, relpath), and the
    misplaced ones as (relpath, reason). Uses only directory listings: no per-file stat."""
    landing = Path(landing).absolute()
    files: list[LandingFile] = []
    misplaced: list[tuple[str, str]] = []
    with os.scandir(landing) as top:
        for unit_dir in _visible(top):
            if not unit_dir.is_dir():
                if unit_dir.name != UNITS_FILE:
                    misplaced.append((unit_dir.name, "not in a <unit_code>/<feed>/ folder"))
                continue
            unit_code = unit_dir.name
            with os.scandir(unit_dir.path) as unit_entries:
                feed_dirs = _visible(unit_entries)
            for feed_dir in feed_dirs:
                rel_feed = f"{unit_code}/{feed_dir.name}"
                if not feed_dir.is_dir():
                    misplaced.append((rel_feed, "not in a <unit_code>/<feed>/ folder"))
                    continue
                if feed_dir.name in FEEDS and feed_dir.name not in feeds:
                    continue  # another feed's files: not asked for, not misplaced
                with os.scandir(feed_dir.path) as feed_entries:
                    entries = _visible(feed_entries)
                for entry in entries:
                    relpath = f"{rel_feed}/{entry.name}"
                    if entry.is_dir():
                        misplaced.append((relpath + "/", "unexpected folder inside a feed folder"))
                        continue
                    if not _UNIT_CODE.match(unit_code):
                        misplaced.append((relpath, f"unit folder {unit_code!r} is not a unit code"))
                        continue
                    if feed_dir.name not in feeds:
                        misplaced.append((relpath, f"unknown feed folder {feed_dir.name!r}"))
                        continue
                    parsed = _parse_name(entry.name)
                    if isinstance(parsed, str):
                        misplaced.append((relpath, parsed))
                        continue
                    export_date, suffix, file_format = parsed
                    files.append(
                        LandingFile(
                            path=landing / unit_code / feed_dir.name / entry.name,
                            relpath=relpath,
                            unit_code=unit_code,
                            feed=feed_dir.name,
                            export_date=export_date,
                            suffix=suffix,
                            file_format=file_format,
                        )
                    )
    files.sort(key=lambda f: (f.feed, f.unit_code, f.export_date, f.relpath))
    misplaced.sort()
    return files, misplaced


def _iso_date(value: str, column: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UnitsRegistryError(f"{where}: {column} {value!r} is not an ISO date") from None


def read_units(landing: Path) -> pl.DataFrame:
    """The unit registry, with exactly schema.UNITS_COLUMNS; raises UnitsRegistryError."""
    path = Path(landing) / UNITS_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")  # utf-8-sig also reads plain UTF-8
    except FileNotFoundError:
        raise UnitsRegistryError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise UnitsRegistryError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    rows = list(csv.reader(io.StringIO(nfc(text), newline="")))
    if not rows:
        raise UnitsRegistryError(f"{path}: row 1: file is empty, expected a header")
    header = [match_header(h) for h in rows[0]]
    positions = {}
    for column in UNITS_COLUMNS:
        if column not in header:
            raise UnitsRegistryError(f"{path}: row 1: missing column {column!r}")
        positions[column] = header.index(column)

    columns: dict[str, list] = {column: [] for column in UNITS_COLUMNS}
    for number, row in enumerate(rows[1:], start=2):
        if not any(field.strip() for field in row):
            continue
        where = f"{path}: row {number}"
        if len(row) != len(header):
            raise UnitsRegistryError(f"{where}: {len(row)} fields, header has {len(header)}")
        value = {c: row[p].strip() for c, p in positions.items()}
        value["unit_level"] = value["unit_level"].lower()
        if not value["unit_code"]:
            raise UnitsRegistryError(f"{where}: empty unit_code")
        if value["unit_level"] not in UNIT_LEVELS:
            raise UnitsRegistryError(
                f"{where}: unknown unit_level {value['unit_level']!r}; expected city or ward"
            )
        encoding = value["csv_encoding"].lower()
        if encoding not in ENCODINGS:
            raise UnitsRegistryError(
                f"{where}: unknown csv_encoding {value['csv_encoding']!r}; "
                f"expected one of {', '.join(ENCODINGS)}"
            )
        columns["unit_code"].append(value["unit_code"])
        columns["unit_name"].append(value["unit_name"])
        columns["unit_level"].append(value["unit_level"])
        columns["parent_code"].append(value["parent_code"] or None)
        columns["valid_from"].append(_iso_date(value["valid_from"], "valid_from", where))
        columns["valid_to"].append(
            _iso_date(value["valid_to"], "valid_to", where) if value["valid_to"] else None
        )
        columns["csv_encoding"].append(encoding)
    dtypes = {"VARCHAR": pl.Utf8, "DATE": pl.Date}
    return pl.DataFrame(
        columns, schema={c: dtypes[t] for c, t in UNITS_COLUMNS.items()}, strict=False
    )
