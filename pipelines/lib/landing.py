"""The landing folder as the contract lays it out: what is there, and the unit registry.

    <landing>/units.csv
    <landing>/unit_successions.csv                  (optional)
    <landing>/<unit_code>/<feed>/<YYYY-MM-DD>[_<suffix>].<ext>

Files are never modified or moved here. Everything under the landing folder is either a
delivered file (`LandingFile`) or rejected with its reason (`Rejected`); the ingest writes
both to the ledger. The folder is read from directory listings only: a symbolic link, a
FIFO, a device or a folder where a file belongs is rejected from its listing entry
(`lstat`), never opened or followed. Names are judged before anything else: a name that is
not valid UTF-8 (surrogate escapes from os.fsdecode) or holds control characters is
rejected and shown with its odd bytes as `\\xNN`; a name in another Unicode form is stored
in NFC (the path opened stays the real one).

Hidden entries (a leading dot) are not deliveries: rsync and editors write their temporary
and lock files that way while a delivery is in flight, and they vanish on their own.

The registry (`units.csv`) and the successions (`unit_successions.csv`) are judged row by
row: a bad row is set aside with its reason and the others load; only a file that cannot be
read as a whole (not UTF-8, a column missing, not a regular file) is rejected.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from pipelines.lib.decoding import ENCODINGS, nfc
from pipelines.lib.headers import match_header
from pipelines.lib.schema import (
    FEEDS,
    UNIT_SUCCESSIONS_COLUMNS,
    UNITS_COLUMNS,
)

UNITS_FILE = "units.csv"
SUCCESSIONS_FILE = "unit_successions.csv"
# The registry files' feed names in the ledger (their rows there have no unit and no date).
UNITS_FEED = "units"
SUCCESSIONS_FEED = "unit_successions"
REGISTRY_FILES = {UNITS_FILE: UNITS_FEED, SUCCESSIONS_FILE: SUCCESSIONS_FEED}

FILE_FORMATS = ("csv", "xlsx", "jsonl")
# The contract's levels, each with the number of digits of its GSO codes.
CODE_DIGITS = {"province": 2, "city": 3, "ward": 5}
UNIT_LEVELS = tuple(CODE_DIGITS)
# The levels a unit of each level may report to.
PARENT_LEVELS = {"province": (), "city": ("province",), "ward": ("province", "city")}
TRANSFERS = ("whole", "part")

# fullmatch only: `$` would accept a trailing newline. [0-9] is ASCII: full-width and other
# Unicode digits are not digits of a code or a date here.
_CODE = re.compile(r"[0-9]+")
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # an export date, ISO; its text sorts as the day does
_STEM = re.compile(rf"({_DAY})(?:_(.+))?", re.DOTALL)
# The start of every file name a feed folder accepts (_STEM): its export date.
_NAMED_DAY = re.compile(_DAY)
_LEVEL_OF_LENGTH = {digits: level for level, digits in CODE_DIGITS.items()}
_FAR_FUTURE = date.max


@dataclass(frozen=True)
class LandingFile:
    path: Path  # absolute, the real name on disk
    relpath: str  # relative to the landing folder, posix, NFC: the ledger's source_file
    unit_code: str
    feed: str
    export_date: date
    suffix: str | None
    file_format: str  # 'csv' | 'xlsx' | 'jsonl'


@dataclass(frozen=True)
class Rejected:
    """An entry under the landing folder that is not a delivery the ingest can open.

    relpath is safe text (NFC, odd bytes and control characters as escapes), a folder ends
    with '/'. unit_code and feed are set when the path names a unit code and a known feed,
    else None; the export date is never trusted from a rejected name."""

    relpath: str
    reason: str
    unit_code: str | None = None
    feed: str | None = None
    exact: str = field(default="", compare=False, repr=False)  # _exact_text of the real path


@dataclass(frozen=True)
class LandingScan:
    files: list[LandingFile]
    rejected: list[Rejected]


class UnitsRegistryError(ValueError):
    """units.csv cannot be used at all: the message names the file and the reason."""


# --------------------------------------------------------------------------- names


def _plain(name: str) -> bool:
    """ASCII without a control character: nothing to escape (most delivered names; a scan
    of a province's 61,000 files asked every character of each otherwise)."""
    return name.isascii() and name.isprintable()


def _escape_odd(name: str) -> str:
    if _plain(name):
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape of the byte code - 0xDC00
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def name_text(name: str) -> str:
    """A name from a directory listing as text any column can hold: bytes that are not
    UTF-8 (os.fsdecode's surrogate escapes) and control characters as \\xNN, other
    characters unchanged, NFC."""
    return nfc(_escape_odd(name))


def _exact_text(name: str) -> str:
    """A name with everything but ASCII escaped: tells apart names that differ only in
    Unicode form (what name_text would show alike)."""
    return _escape_odd(name).encode("ascii", "backslashreplace").decode("ascii")


def _name_problem(name: str) -> str | None:
    if _plain(name):
        return None
    if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in name):
        return "file name is not valid UTF-8"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return "file name contains control characters"
    return None


def _parse_name(name: str) -> tuple[date, str | None, str] | str:
    """(export_date, suffix, format) from a file name, or the reason it does not fit."""
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in FILE_FORMATS:
        shown = f".{name_text(ext)}" if dot else "(none)"
        return f"unknown extension {shown}; expected csv, xlsx or jsonl"
    match = _STEM.fullmatch(stem)
    if not match:
        return "file name is not <YYYY-MM-DD>[_<suffix>] (ASCII digits, zero-padded)"
    try:
        export_date = date.fromisoformat(match.group(1))
    except ValueError:
        return f"bad date in file name: {match.group(1)!r} is not a day of the calendar"
    return export_date, match.group(2), ext.lower()


# --------------------------------------------------------------------------- listing


def _kind(entry: os.DirEntry) -> str:
    """'file', 'dir', or what else the entry is, from its listing (lstat), never followed."""
    try:
        if entry.is_symlink():
            return "symbolic link"
        if entry.is_dir(follow_symlinks=False):
            return "dir"
        if entry.is_file(follow_symlinks=False):
            return "file"
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return f"unreadable entry ({exc.strerror})"
    for test, what in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    ):
        if test(mode):
            return what
    return "special file"


_MISPLACED = "not in a <unit_code>/<feed>/ folder"


def _not_regular(kind: str) -> str:
    return f"{kind}, not a regular file: not opened"


def _listing(path: str) -> list[os.DirEntry]:
    """Visible entries of a folder, by name (raises OSError)."""
    with os.scandir(path) as entries:
        return sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.name)


class _Scanner:
    def __init__(
        self, landing: Path, feeds: tuple[str, ...], days: tuple[date | None, date | None]
    ):
        self.landing = landing
        self.root = len(str(landing)) + 1  # an entry's path minus this is its relative path
        self.feeds = feeds
        # the ISO texts of the first and last day asked for ('' and '~' leave no day out)
        self.first = days[0].isoformat() if days[0] else ""
        self.last = days[1].isoformat() if days[1] else "~"
        self.files: list[LandingFile] = []
        self.rejected: list[Rejected] = []

    def reject(
        self,
        path: str,
        relpath: str,
        reason: str,
        unit: str | None = None,
        feed: str | None = None,
    ) -> None:
        exact = _exact_text(path[self.root :]) + ("/" if relpath.endswith("/") else "")
        self.rejected.append(Rejected(relpath, reason, unit, feed, exact))

    def folder(self, path: str, relpath: str, unit: str | None, feed: str | None):
        """Entries of a folder, or None after rejecting a folder that cannot be listed."""
        try:
            return _listing(path)
        except OSError as exc:
            self.reject(path, relpath, f"cannot list folder: {exc.strerror}", unit, feed)
            return None

    def scan(self) -> LandingScan:
        for top in _listing(str(self.landing)):
            if top.name in REGISTRY_FILES:
                continue  # read and judged as the registry (load_registry), not a delivery
            shown = name_text(top.name)
            kind = _kind(top)
            if kind != "dir":
                why = _MISPLACED if kind == "file" else _not_regular(kind)
                self.reject(top.path, shown, why)
                continue
            self.unit_folder(top, shown)
        return LandingScan(self.files, self._one_per_relpath())

    def unit_folder(self, top: os.DirEntry, shown: str) -> None:
        unit = top.name if _CODE.fullmatch(top.name) else None
        entries = self.folder(top.path, shown + "/", unit, None)
        for feed_dir in entries or ():
            rel_feed = f"{shown}/{name_text(feed_dir.name)}"
            feed = feed_dir.name if feed_dir.name in FEEDS else None
            kind = _kind(feed_dir)
            if kind != "dir":
                why = _MISPLACED if kind == "file" else _not_regular(kind)
                self.reject(feed_dir.path, rel_feed, why, unit)
                continue
            if feed is not None and feed not in self.feeds:
                continue  # another feed's files: not asked for, not misplaced
            self.feed_folder(feed_dir, rel_feed, unit, feed, shown)

    def feed_folder(
        self, feed_dir: os.DirEntry, rel_feed: str, unit: str | None, feed: str | None, shown: str
    ) -> None:
        entries = self.folder(feed_dir.path, rel_feed + "/", unit, feed)
        accepted: list[LandingFile] = []
        for entry in entries or ():
            if self.outside_days(entry.name):
                continue
            relpath = f"{rel_feed}/{name_text(entry.name)}"
            kind = _kind(entry)
            why = None
            if kind == "dir":
                folder = relpath + "/"
                self.reject(
                    entry.path, folder, "unexpected folder inside a feed folder", unit, feed
                )
                self.nested(entry, folder, unit, feed)
                continue
            if kind != "file":
                why = _not_regular(kind)
            elif unit is None:
                why = f"unit folder '{shown}' is not a unit code"
            elif feed is None:
                why = f"unknown feed folder '{name_text(feed_dir.name)}'"
            else:
                why = _name_problem(entry.name)
            parsed = _parse_name(entry.name) if why is None else why
            if isinstance(parsed, str):
                self.reject(entry.path, relpath, parsed, unit, feed)
                continue
            export_date, suffix, file_format = parsed
            accepted.append(
                LandingFile(
                    path=Path(entry.path),
                    relpath=relpath,
                    unit_code=unit,
                    feed=feed,
                    export_date=export_date,
                    suffix=nfc(suffix) if suffix is not None else None,
                    file_format=file_format,
                )
            )
        self.files.extend(self._one_per_name(accepted, unit, feed))

    def outside_days(self, name: str) -> bool:
        """Whether a name is surely that of a file of a day not asked for: it starts with an
        ISO day outside them, as every accepted name starts with its export date. Such an
        entry is passed over (neither kept nor rejected) before anything else is asked of
        it: a nightly feed's scan then costs its night's files, not the year's."""
        day = name[:10]
        return (day < self.first or day > self.last) and _NAMED_DAY.fullmatch(day) is not None

    def _one_per_name(
        self, accepted: list[LandingFile], unit: str | None, feed: str | None
    ) -> list[LandingFile]:
        """Two names that differ only in Unicode form would share one source_file: the one
        already in NFC keeps it, the others are rejected under an escaped name."""
        by_relpath: dict[str, list[LandingFile]] = defaultdict(list)
        for file in accepted:
            by_relpath[file.relpath].append(file)
        kept = []
        for relpath, same in by_relpath.items():
            if len(same) == 1:
                kept.append(same[0])
                continue
            nfc_named = [f for f in same if f.path.name == nfc(f.path.name)]
            for file in same:
                if nfc_named and file is nfc_named[0]:
                    kept.append(file)
                    continue
                why = f"another file is named '{relpath}' in another Unicode form"
                self.reject(str(file.path), relpath, why, unit, feed)
        return kept

    def _one_per_relpath(self) -> list[Rejected]:
        """Rejected entries whose shown path is already taken (by a file, or by an entry
        whose name differs only in Unicode form) get their exact, escaped path instead: the
        ledger has one row per source_file."""
        taken = {file.relpath for file in self.files}
        out = []
        for entry in self.rejected:
            if entry.relpath in taken:
                relpath = entry.exact
                while relpath in taken:  # an exact path cannot repeat; be safe anyway
                    relpath += "~"
                entry = dataclasses.replace(entry, relpath=relpath)
            taken.add(entry.relpath)
            out.append(entry)
        return out

    def nested(self, folder: os.DirEntry, relpath: str, unit: str | None, feed: str | None):
        """Everything inside a folder that should not be there, rejected entry by entry."""
        for entry in self.folder(folder.path, relpath, unit, feed) or ():
            inner = relpath + name_text(entry.name)
            kind = _kind(entry)
            if kind == "dir":
                self.nested(entry, inner + "/", unit, feed)
            elif kind == "file":
                self.reject(
                    entry.path, inner, f"inside an unexpected folder '{relpath}'", unit, feed
                )
            else:
                self.reject(entry.path, inner, _not_regular(kind), unit, feed)


def scan(
    landing: Path,
    feeds: tuple[str, ...] = FEEDS,
    first_day: date | None = None,
    last_day: date | None = None,
) -> LandingScan:
    """Every delivered file of `feeds`, sorted by (feed, unit_code, export_date, relpath),
    and every other entry under the landing folder with the reason it is rejected (the
    registry files excepted: load_registry judges them). Files of a known feed not asked
    for are neither. Uses directory listings only: no file is opened or followed.

    With first_day and/or last_day, only the files of those export days: an entry of a
    feed folder whose name starts with another day is neither a file nor rejected (the
    rejected entries of the whole folder come from a scan without days)."""
    scanner = _Scanner(Path(landing).absolute(), tuple(feeds), (first_day, last_day))
    result = scanner.scan()
    result.files.sort(key=lambda f: (f.feed, f.unit_code, f.export_date, f.relpath))
    result.rejected.sort(key=lambda r: r.relpath)
    return result


def discover(
    landing: Path, feeds: tuple[str, ...] = FEEDS
) -> tuple[list[LandingFile], list[tuple[str, str]]]:
    """scan() as (files, [(relpath, reason), …] of the rejected entries)."""
    result = scan(landing, feeds)
    return result.files, [(r.relpath, r.reason) for r in result.rejected]


# --------------------------------------------------------------------------- registry files


@dataclass(frozen=True)
class SetAsideRow:
    source_row: int | None  # None: the whole file
    unit_code: str | None
    reason: str
    record: str | None  # the delivered fields as JSON (registry files hold no personal data)


@dataclass
class RegistryRead:
    """One registry file as read: what its ledger row says, its rows that load (with
    source_file and source_row) and those set aside with their reasons."""

    source_file: str
    feed: str
    present: bool = True
    status: str = "loaded"  # or 'rejected': the file cannot be used at all
    error: str | None = None
    encoding: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    modified_ns: int | None = None
    rows_in: int | None = None
    rows: pl.DataFrame | None = None
    set_aside: list[SetAsideRow] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return self.rows.height if self.rows is not None and self.status == "loaded" else 0

    @property
    def rows_set_aside(self) -> int:
        return len(self.set_aside)


def _read_regular(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, never through a symbolic link and never opening a
    FIFO or a device (lstat first; O_NOFOLLOW and fstat guard against a swap in between).
    Raises OSError with a reason an operator can read."""
    before = os.lstat(path)
    if not stat.S_ISREG(before.st_mode):
        kind = "symbolic link" if stat.S_ISLNK(before.st_mode) else "not a regular file"
        raise OSError(errno.EINVAL, f"{kind}, not a regular file: not opened")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file: not read")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks), info


def _lines(text: str) -> list[str]:
    """Physical lines. Registry values never span lines, so each line is one record and an
    unclosed quote spoils only its own line (csv.reader would run it to the end of file)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _fields(line: str) -> list[str]:
    """One line as CSV fields; csv.Error for a broken quote."""
    return next(csv.reader([line], strict=True), [])


def _record(fields: list[str]) -> str:
    return json.dumps({"fields": fields}, ensure_ascii=False)


def _code_or_none(text: str) -> str | None:
    return text if _CODE.fullmatch(text) else None


def _open_registry(
    landing: Path, name: str, columns: Iterable[str], code_column: str
) -> tuple[RegistryRead, list[tuple[int, dict[str, str], list[str]]] | None]:
    """The file's ledger facts and its records as (row number, {column: text}, fields),
    with records that cannot be aligned with the header already set aside (code_column
    names the unit they concern); None for the records when the file is absent or rejected
    as a whole."""
    read = RegistryRead(source_file=name, feed=REGISTRY_FILES[name])
    path = Path(landing) / name
    try:
        data, info = _read_regular(path)
    except FileNotFoundError:
        read.present = False
        return read, None
    except OSError as exc:
        read.status, read.error = "rejected", exc.strerror or str(exc)
        with contextlib.suppress(OSError):
            read.modified_ns = os.lstat(path).st_mtime_ns
        return read, None
    read.sha256 = hashlib.sha256(data).hexdigest()
    read.size_bytes, read.modified_ns = len(data), info.st_mtime_ns
    read.encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(read.encoding)
    except UnicodeDecodeError as exc:
        read.status = "rejected"
        read.error = f"not UTF-8 ({exc.reason} at byte {exc.start})"
        return read, None
    lines = _lines(nfc(text))
    if not lines or not lines[0].strip():
        read.status, read.error = "rejected", "row 1: file is empty, expected a header"
        return read, None
    try:
        header = [match_header(h) for h in _fields(lines[0])]
    except csv.Error as exc:
        read.status, read.error = "rejected", f"row 1: header is not CSV ({exc})"
        return read, None
    positions = {}
    for column in columns:
        if column not in header:
            read.status, read.error = "rejected", f"row 1: missing column {column!r}"
            return read, None
        positions[column] = header.index(column)
    records = []
    read.rows_in = 0
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip(" \t,"):
            continue  # a blank line (or one of bare commas) is no record
        read.rows_in += 1
        try:
            fields = _fields(line)
        except csv.Error as exc:
            read.set_aside.append(SetAsideRow(number, None, f"not CSV: {exc}", _record([line])))
            continue
        if len(fields) != len(header):
            where = positions[code_column]
            code = _code_or_none(fields[where].strip()) if where < len(fields) else None
            reason = f"{len(fields)} fields, header has {len(header)}"
            read.set_aside.append(SetAsideRow(number, code, reason, _record(fields)))
            continue
        records.append((number, {c: fields[p].strip() for c, p in positions.items()}, fields))
    return read, records


def _iso(value: str, column: str) -> tuple[date | None, str | None]:
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, f"{column} {value!r} is not an ISO date (YYYY-MM-DD)"


@dataclass(frozen=True)
class _Candidate:
    number: int
    values: dict[str, str | date | None]
    fields: list[str]

    @property
    def code(self) -> str:
        return self.values["unit_code"]  # type: ignore[return-value]

    @property
    def start(self) -> date:
        return self.values["valid_from"]  # type: ignore[return-value]

    @property
    def end(self) -> date:
        return self.values["valid_to"] or _FAR_FUTURE  # type: ignore[return-value]


def _unit_row_problems(value: dict[str, str]) -> tuple[dict, list[str]]:
    """The typed row and what is wrong with it on its own."""
    problems: list[str] = []
    code, level = value["unit_code"], value["unit_level"].lower()
    if not code:
        problems.append("unit_code is empty")
    elif not _CODE.fullmatch(code):
        problems.append(f"unit_code {code!r} is not a code (ASCII digits only)")
    if level not in CODE_DIGITS:
        problems.append(
            f"unit_level {value['unit_level']!r} is not one of {', '.join(UNIT_LEVELS)}"
        )
    elif _CODE.fullmatch(code) and len(code) != CODE_DIGITS[level]:
        problems.append(
            f"unit_code {code!r} has {len(code)} digits; a {level} code has {CODE_DIGITS[level]}"
        )
    if not value["unit_name"]:
        problems.append("unit_name is empty")
    parent = value["parent_code"]
    if parent:
        parent_level = _LEVEL_OF_LENGTH.get(len(parent))
        if not _CODE.fullmatch(parent):
            problems.append(f"parent_code {parent!r} is not a code (ASCII digits only)")
        elif parent == code:
            problems.append("parent_code is the unit's own code")
        elif level == "province":
            problems.append(f"parent_code {parent!r}: a province has no parent")
        elif level in PARENT_LEVELS and parent_level not in PARENT_LEVELS[level]:
            above = " or ".join(PARENT_LEVELS[level]) or "no unit"
            problems.append(
                f"parent_code {parent!r} is not a {above} code; a {level} reports to {above}"
            )
    encoding = value["csv_encoding"].lower()
    if encoding not in ENCODINGS:
        problems.append(
            f"csv_encoding {value['csv_encoding']!r} is not one of {', '.join(ENCODINGS)}"
        )
    valid_from, problem = _iso(value["valid_from"], "valid_from")
    if problem:
        problems.append(problem)
    valid_to = None
    if value["valid_to"]:
        valid_to, problem = _iso(value["valid_to"], "valid_to")
        if problem:
            problems.append(problem)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(f"valid_to {valid_to} is before valid_from {valid_from}")
    typed = {
        "unit_code": code,
        "unit_name": value["unit_name"],
        "unit_level": level,
        "parent_code": parent or None,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "csv_encoding": encoding,
    }
    return typed, problems


def _first_uncovered(spans: list[tuple[date, date]], start: date, end: date) -> date | None:
    """The first day of start..end that no span covers, or None."""
    day = start
    for span_start, span_end in sorted(spans):
        if span_start > day:
            break
        if span_end >= day:
            if span_end >= end:
                return None
            day = span_end + timedelta(days=1)
    return day


def _judge_units(
    candidates: list[_Candidate],
) -> tuple[list[_Candidate], list[tuple[_Candidate, str]]]:
    """Rows that stand together, and rows set aside for what they contradict: a row whose
    validity overlaps a standing row of the same code (rows are taken in order of
    valid_from, then of the file: the unit keeps its earlier row, and the row that starts
    later, typically a new version whose predecessor was not closed, is set aside), or a
    parent missing on some day of the row's validity (repeated until stable: setting a
    parent aside can orphan its children)."""
    aside: dict[int, str] = {}
    by_code: dict[str, list[_Candidate]] = defaultdict(list)
    for row in sorted(candidates, key=lambda r: (r.start, r.number)):
        by_code[row.code].append(row)
    for rows in by_code.values():
        standing: list[_Candidate] = []
        for row in rows:
            clashes = [o.number for o in standing if o.start <= row.end and row.start <= o.end]
            if clashes:
                listed = ", ".join(str(n) for n in clashes)
                aside[row.number] = (
                    f"validity {row.start} to {row.values['valid_to'] or 'open'} of unit_code "
                    f"{row.code!r} overlaps row {listed}"
                )
            else:
                standing.append(row)
    while True:
        standing = [row for row in candidates if row.number not in aside]
        spans: dict[str, list[tuple[date, date]]] = defaultdict(list)
        for row in standing:
            spans[row.code].append((row.start, row.end))
        changed = False
        for row in standing:
            parent = row.values["parent_code"]
            if parent is None:
                continue
            missing = _first_uncovered(spans.get(parent, []), row.start, row.end)
            if missing is not None:
                if parent not in spans:
                    aside[row.number] = f"parent_code {parent!r} has no row in units.csv"
                else:
                    aside[row.number] = (
                        f"parent_code {parent!r} is not in units.csv on {missing}, "
                        "within this row's validity"
                    )
                changed = True
        if not changed:
            break
    kept = [row for row in candidates if row.number not in aside]
    return kept, [(row, aside[row.number]) for row in candidates if row.number in aside]


def _frame(rows: list[dict], columns: Mapping[str, str]) -> pl.DataFrame:
    dtypes = {"VARCHAR": pl.Utf8, "DATE": pl.Date, "INTEGER": pl.Int32}
    schema = {c: dtypes[t] for c, t in columns.items()}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


_PROVENANCE = {"source_file": "VARCHAR", "source_row": "INTEGER"}


def read_registry(landing: Path) -> RegistryRead:
    """units.csv judged row by row. Never raises for what the file holds: a file that cannot
    be used at all has status 'rejected' and its error; `present` is False without one."""
    read, records = _open_registry(landing, UNITS_FILE, UNITS_COLUMNS, "unit_code")
    if records is None:
        return read
    candidates: list[_Candidate] = []
    for number, value, fields in records:
        typed, problems = _unit_row_problems(value)
        if problems:
            read.set_aside.append(
                SetAsideRow(
                    number, _code_or_none(value["unit_code"]), "; ".join(problems), _record(fields)
                )
            )
        else:
            candidates.append(_Candidate(number, typed, fields))
    kept, contradicted = _judge_units(candidates)
    for row, reason in contradicted:
        read.set_aside.append(SetAsideRow(row.number, row.code, reason, _record(row.fields)))
    read.set_aside.sort(key=lambda r: r.source_row or 0)
    read.rows = _frame(
        [{**row.values, "source_file": UNITS_FILE, "source_row": row.number} for row in kept],
        {**UNITS_COLUMNS, **_PROVENANCE},
    )
    return read


def read_units(landing: Path) -> pl.DataFrame:
    """The registry's rows that load, with exactly schema.UNITS_COLUMNS (bad rows are set
    aside: read_registry says which and why). Raises UnitsRegistryError when the file is
    missing or cannot be used at all."""
    read = read_registry(landing)
    path = Path(landing) / UNITS_FILE
    if not read.present:
        raise UnitsRegistryError(f"{path}: file not found")
    if read.status == "rejected":
        raise UnitsRegistryError(f"{path}: {read.error}")
    return read.rows.select(list(UNITS_COLUMNS))


class UnitRegistry(Mapping[str, str]):
    """Which registry row a (unit code, day) falls in: the unit that delivered a file and
    the CSV encoding its systems wrote on its export date. A reused code has one row per
    validity interval, each with its own encoding: ask `encoding_on(code, day)`.

    As a mapping (code -> encoding) it is the undated view for callers that know no dates
    (parse_batch's `encodings`): a code's latest row. The ingest never relies on it: it
    hands parse_batch batches whose codes each have one encoding on every file's date."""

    def __init__(self, rows: Iterable[tuple[str, date | None, date | None, str]]):
        self._rows: dict[str, list[tuple[date, date, str]]] = defaultdict(list)
        for code, valid_from, valid_to, encoding in rows:
            self._rows[code].append((valid_from or date.min, valid_to or _FAR_FUTURE, encoding))
        for spans in self._rows.values():
            spans.sort()

    def __getitem__(self, unit_code: str) -> str:
        return self._rows[unit_code][-1][2]

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    @classmethod
    def from_frame(cls, units: pl.DataFrame) -> UnitRegistry:
        return cls(units.select("unit_code", "valid_from", "valid_to", "csv_encoding").iter_rows())

    @classmethod
    def undated(cls, encodings: Mapping[str, str]) -> UnitRegistry:
        """Each code known on every day, with one encoding (tests and callers that know no
        dates)."""
        return cls((code, None, None, encoding) for code, encoding in encodings.items())

    def encoding_on(self, unit_code: str, day: date) -> str | None:
        """The declared CSV encoding of the unit's row valid on day; None when no row is."""
        for start, end, encoding in self._rows.get(unit_code, ()):
            if start <= day <= end:
                return encoding
        return None

    def problem(self, unit_code: str, day: date) -> str | None:
        """Why a file of this unit and export date cannot be attributed, or None."""
        if self.encoding_on(unit_code, day) is not None:
            return None
        return f"unit {unit_code} is not in units.csv on {day.isoformat()}"


def read_successions(landing: Path, units: pl.DataFrame) -> RegistryRead:
    """unit_successions.csv judged row by row against the registry rows that load (`units`,
    as read_registry gives them): effective_date an ISO date, transfer whole or part, the
    predecessor's row ending the day before effective_date, the successor's valid on it, a
    pair given once, and a `whole` predecessor with no other successor on that date."""
    read, records = _open_registry(
        landing, SUCCESSIONS_FILE, UNIT_SUCCESSIONS_COLUMNS, "predecessor_code"
    )
    if records is None:
        return read
    spans: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for code, valid_from, valid_to in units.select(
        "unit_code", "valid_from", "valid_to"
    ).iter_rows():
        spans[code].append((valid_from, valid_to))
    good: list[tuple[int, dict, list[str]]] = []
    for number, value, fields in records:
        problems: list[str] = []
        effective, problem = _iso(value["effective_date"], "effective_date")
        if problem:
            problems.append(problem)
        transfer = value["transfer"].lower()
        if transfer not in TRANSFERS:
            problems.append(f"transfer {value['transfer']!r} is not whole or part")
        predecessor, successor = value["predecessor_code"], value["successor_code"]
        for column, code in (("predecessor_code", predecessor), ("successor_code", successor)):
            if not _CODE.fullmatch(code):
                problems.append(f"{column} {code!r} is not a code (ASCII digits only)")
            elif code not in spans:
                problems.append(f"{column} {code!r} has no row in units.csv")
        if effective and not problems:
            last_day = effective - timedelta(days=1)
            if not any(end == last_day for _start, end in spans[predecessor]):
                problems.append(
                    f"predecessor {predecessor!r} has no units.csv row ending on {last_day}, "
                    "the day before effective_date"
                )
            if not any(
                start <= effective and (end is None or effective <= end)
                for start, end in spans[successor]
            ):
                problems.append(
                    f"successor {successor!r} has no units.csv row valid on {effective}"
                )
        if problems:
            read.set_aside.append(
                SetAsideRow(
                    number, _code_or_none(predecessor), "; ".join(problems), _record(fields)
                )
            )
            continue
        typed = {
            "effective_date": effective,
            "predecessor_code": predecessor,
            "successor_code": successor,
            "transfer": transfer,
        }
        good.append((number, typed, fields))
    # One row per (date, predecessor, successor); a predecessor that went `whole` to one
    # successor has no other successor on that date.
    first: dict[tuple, int] = {}
    splits: dict[tuple, dict[str, tuple[int, str]]] = defaultdict(dict)
    for number, typed, _ in good:
        pair = (typed["effective_date"], typed["predecessor_code"], typed["successor_code"])
        if pair not in first:
            first[pair] = number
            splits[pair[:2]][pair[2]] = (number, typed["transfer"])
    kept = []
    for number, typed, fields in good:
        pair = (typed["effective_date"], typed["predecessor_code"], typed["successor_code"])
        split = splits[pair[:2]]
        reason = None
        if first[pair] != number:
            reason = f"repeats row {first[pair]}"
        elif len(split) > 1 and any(transfer == "whole" for _n, transfer in split.values()):
            others = ", ".join(str(n) for n, _t in split.values() if n != number)
            reason = (
                f"predecessor {typed['predecessor_code']!r} has a 'whole' transfer on "
                f"{typed['effective_date']} and other successors (row {others})"
            )
        if reason:
            read.set_aside.append(
                SetAsideRow(number, typed["predecessor_code"], reason, _record(fields))
            )
        else:
            kept.append({**typed, "source_file": SUCCESSIONS_FILE, "source_row": number})
    read.set_aside.sort(key=lambda r: r.source_row or 0)
    read.rows = _frame(kept, {**UNIT_SUCCESSIONS_COLUMNS, **_PROVENANCE})
    return read
