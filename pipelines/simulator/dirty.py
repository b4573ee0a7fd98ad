"""Dirty mode: plant the bad input real ward systems deliver, each at a known file and row.

Runs after the clean files are written. Faults are planted by rewriting rows of delivered
files in place (so every other row keeps its row number), by appending rows at the end of
a file, and by delivering extra files for a day (`<day>_2.csv`, `<day>_fix.xlsx`, ...), all
within the contract's layout. The returned manifest says, for every fault, what the ingest
must make of it:

- `set_aside`: the row (or, with `source_row` null, every row of the file) is set aside
  with a reason containing `reason_contains`;
- `rejected`: the file cannot be read; one set-aside row with a null row number;
- `loaded_flagged`: the row loads and the Great Expectations check `check` flags it;
- `loaded_note`: the file loads whole, with `reason_contains` among the ledger's notes;
- `loaded_empty`: the file loads with no rows (and the note `reason_contains`, if set).

`clean_source` tells what the fault displaced: `row` (the clean row at that place was
rewritten), `file` (the whole clean file was rewritten) or null (the row or file was added):
rows displaced and then set aside are what the warehouse's figures must lack.

The units are chosen by role: a ward whose books are UTF-8 CSV (`book`), a unit whose desk
runs the sync API (`api`), and a UTF-8 unit's CSV register for the wrong encoding; every
other unit stays clean. Choices are drawn from a `random.Random` seeded by the scenario's
seed, so the same seed plants the same faults in the same places.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from pipelines.simulator.dialects import CHANNELS, FIELDS, windows_1258_form
from pipelines.simulator.specs import Scenario, UnitSpec

EXPECTED = ("set_aside", "rejected", "loaded_flagged", "loaded_note", "loaded_empty")
_API_TIME = "%Y%m%d%H%M%S"
_XLSX_CREATED = datetime(2021, 1, 1)


@dataclass
class Fault:
    kind: str
    source_file: str  # relative to the landing folder, posix
    source_row: int | None  # as an operator sees it; None for a fault of the whole file
    expected: str  # one of EXPECTED
    reason_contains: str | None  # in the set-aside reason, the ledger note or the check
    check: str | None = None  # loaded_flagged: the expectation (expectations.SUITES) that flags it
    clean_source: str | None = None  # 'row' | 'file' | None: what of the clean landing it displaced
    rows: int | None = None  # a whole file set aside: how many rows it holds
    detail: str = ""  # what happened, as an operator would tell it

    def as_dict(self) -> dict:
        return asdict(self)


def _field(feed: str, name: str):
    return next(f for f in FIELDS[feed] if f.name == name)


def book_label(feed: str, name: str) -> str:
    """How the parser names a book-dialect column in a reason."""
    return f"{_field(feed, name).header} / {name}"


def api_label(feed: str, name: str) -> str:
    return f"{_field(feed, name).key} / {name}"


def column_label(feed: str, name: str) -> str:
    """How the parser names a column missing from a file's header."""
    return f"'{_field(feed, name).header}' ({name})"


class BookFile:
    """A delivered CSV file as rows of text fields; saved back in the unit's dialect.

    A row is a list of fields, or a str for a line written as is (a row the unit's software
    failed to quote)."""

    def __init__(self, landing: Path, relpath: str, unit: UnitSpec, feed: str):
        self.relpath, self.unit, self.feed = relpath, unit, feed
        self.path = landing / relpath
        text = self.path.read_bytes().decode(unit.csv_encoding)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.header: list[str] = rows[0]
        self.rows: list[list[str] | str] = rows[1:]
        self.clean_rows = len(self.rows)
        self.encoding = unit.csv_encoding
        self.delimiter = ","
        self.changed = False

    def row_number(self, index: int) -> int:
        return index + 2  # the header is row 1

    def position(self, name: str) -> int:
        return self.header.index(_field(self.feed, name).header)

    def get(self, index: int, name: str) -> str:
        return self.rows[index][self.position(name)]

    def set(self, index: int, name: str, value: str) -> None:
        self.rows[index][self.position(name)] = value
        self.changed = True

    def append(self, row: list[str] | str) -> int:
        self.rows.append(row)
        self.changed = True
        return self.row_number(len(self.rows) - 1)

    def drop_column(self, name: str) -> None:
        pos = self.position(name)
        self.header.pop(pos)
        for row in self.rows:
            row.pop(pos)
        self.changed = True

    def text(self) -> str:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.unit.line_ending)
        writer.writerow(self.header)
        for row in self.rows:
            if isinstance(row, str):
                buffer.write(row + self.unit.line_ending)
            else:
                writer.writerow(row)
        return buffer.getvalue()

    def save(self) -> None:
        if not self.changed:
            return
        text = self.text()
        if self.encoding == "cp1258":
            self.path.write_bytes(windows_1258_form(text).encode("cp1258"))
        else:
            self.path.write_bytes(text.encode(self.encoding))


class ApiFile:
    """A delivered JSONL file as one object (or raw text) per line; saved back as the sync
    API writes it."""

    def __init__(self, landing: Path, relpath: str, unit: UnitSpec, feed: str):
        self.relpath, self.unit, self.feed = relpath, unit, feed
        self.path = landing / relpath
        lines = self.path.read_text("utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.rows: list[dict | str] = [json.loads(line) for line in lines]
        self.clean_rows = len(self.rows)
        self.changed = False

    def row_number(self, index: int) -> int:
        return index + 1  # line 1 is row 1

    def key(self, name: str) -> str:
        return _field(self.feed, name).key

    def get(self, index: int, name: str):
        return self.rows[index][self.key(name)]

    def set(self, index: int, name: str, value) -> None:
        self.rows[index][self.key(name)] = value
        self.changed = True

    def append(self, row: dict | str) -> int:
        self.rows.append(row)
        self.changed = True
        return self.row_number(len(self.rows) - 1)

    @staticmethod
    def dumps(row: dict) -> str:
        return json.dumps(row, ensure_ascii=False, separators=(", ", ": "))

    def save(self) -> None:
        if not self.changed:
            return
        lines = [r if isinstance(r, str) else self.dumps(r) for r in self.rows]
        self.path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def _book_time(text: str) -> datetime:
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(text)


def _xlsx_bytes(header: list[str], rows: list[list[str]], author: str) -> bytes:
    """A day's book saved from Excel: header on row 1, every cell text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    book.set_properties({"created": _XLSX_CREATED, "author": author})
    sheet = book.add_worksheet("Sheet1")
    for c, text in enumerate(header):
        sheet.write_string(0, c, text)
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            if text:
                sheet.write_string(r, c, text)
    book.close()
    return buffer.getvalue()


class Planter:
    """Plants the faults into a written landing folder and keeps the manifest."""

    def __init__(self, scenario: Scenario, landing: Path, rng: random.Random, exclude=()):
        self.scenario = scenario
        self.landing = Path(landing)
        self.rng = rng
        self.exclude_dossiers = set(exclude)  # dossiers another planted story relies on
        self.faults: list[Fault] = []
        self.added: list[tuple[str, str]] = []  # (feed, format) of every file added
        self._files: dict[str, BookFile | ApiFile] = {}
        self._listing: dict[tuple[str, str], list[str]] = {}  # the clean files, before any is added
        self._taken: set[tuple[str, int]] = set()
        self._rewritten: set[str] = set()  # files rewritten whole: no row faults in them
        self.book, self.api, self.register = self._roles()
        for unit in (self.book, self.api, self.register):
            for feed in FIELDS:
                self._relpaths(unit, feed)

    # --- roles and files ------------------------------------------------------------------

    def _roles(self) -> tuple[UnitSpec, UnitSpec, UnitSpec]:
        units = self.scenario.units
        book = next(
            (
                u
                for u in units
                if u.level == "ward"
                and u.csv_encoding == "utf-8"
                and u.formats["dossiers"] == u.formats["documents"] == "csv"
            ),
            None,
        )
        api = next((u for u in units if u.formats["dossiers"] == "jsonl" and u is not book), None)
        if book is None or api is None:
            raise ValueError(
                f"{self.scenario.name}: dirty mode needs a ward keeping UTF-8 CSV books and a "
                "unit on the sync API (JSONL dossiers)"
            )
        register = (
            api if api.formats["documents"] == "csv" and api.csv_encoding == "utf-8" else book
        )
        return book, api, register

    def _relpaths(self, unit: UnitSpec, feed: str) -> list[str]:
        """The unit's clean files of a feed (as written before any fault was planted)."""
        key = (unit.code, feed)
        if key not in self._listing:
            folder = self.landing / unit.code / feed
            pattern = f"*.{unit.formats[feed]}"
            self._listing[key] = sorted(
                f"{unit.code}/{feed}/{p.name}" for p in folder.glob(pattern)
            )
        return self._listing[key]

    def _open(self, relpath: str, unit: UnitSpec, feed: str) -> BookFile | ApiFile:
        if relpath not in self._files:
            kind = ApiFile if relpath.endswith(".jsonl") else BookFile
            self._files[relpath] = kind(self.landing, relpath, unit, feed)
        return self._files[relpath]

    def _pick(self, unit: UnitSpec, feed: str, ok=lambda f, i: True):
        """A clean row not used by another fault, in a file not rewritten whole."""
        candidates = []
        for relpath in self._relpaths(unit, feed):
            if relpath in self._rewritten:
                continue
            f = self._open(relpath, unit, feed)
            for i in range(f.clean_rows):
                if (relpath, i) in self._taken or not isinstance(f.rows[i], dict | list):
                    continue
                if feed == "dossiers" and f.get(i, "dossier_code") in self.exclude_dossiers:
                    continue
                if ok(f, i):
                    candidates.append((relpath, i))
        if not candidates:
            raise ValueError(f"{unit.code}/{feed}: no row left to plant a fault in")
        relpath, i = self.rng.choice(candidates)
        self._taken.add((relpath, i))
        return self._files[relpath], i

    def _reserve(self, unit: UnitSpec, feed: str, min_rows: int = 2) -> BookFile | ApiFile:
        """A whole file, none of whose rows has been used, to rewrite whole."""
        relpaths = [
            r
            for r in self._relpaths(unit, feed)
            if r not in self._rewritten
            and not any(t[0] == r for t in self._taken)
            and self._open(r, unit, feed).clean_rows >= min_rows
        ]
        relpath = self.rng.choice(relpaths)
        self._rewritten.add(relpath)
        return self._files[relpath]

    def _new_file(self, unit: UnitSpec, feed: str, ext: str, suffix: str) -> tuple[str, date]:
        """Path of an extra file for an existing export day, under a free suffix."""
        relpaths = self._relpaths(unit, feed)
        day = date.fromisoformat(Path(self.rng.choice(relpaths)).name[:10])
        n = 0
        while True:
            name = f"{day.isoformat()}_{suffix}{n or ''}.{ext}"
            relpath = f"{unit.code}/{feed}/{name}"
            if not (self.landing / relpath).exists():
                self.added.append((feed, ext))
                return relpath, day
            n += 1

    def _add(self, fault: Fault) -> None:
        assert fault.expected in EXPECTED, fault.expected
        self.faults.append(fault)

    def _aside(self, f, i: int, kind: str, reason: str, detail: str) -> None:
        """The clean row at index i was rewritten into one the ingest must set aside."""
        self._add(
            Fault(kind, f.relpath, f.row_number(i), "set_aside", reason, None, "row", None, detail)
        )

    def _flag(self, f, i: int, kind: str, check: str, detail: str) -> None:
        """The clean row at index i was rewritten into one that loads and `check` flags."""
        self._add(
            Fault(
                kind,
                f.relpath,
                f.row_number(i),
                "loaded_flagged",
                check,
                check,
                "row",
                None,
                detail,
            )
        )

    def _whole(
        self,
        relpath: str,
        kind: str,
        expected: str,
        reason: str | None,
        detail: str,
        clean_source: str | None = None,
        rows: int | None = None,
    ) -> None:
        self._add(Fault(kind, relpath, None, expected, reason, None, clean_source, rows, detail))

    # --- the faults -----------------------------------------------------------------------

    def plant(self) -> list[Fault]:
        self._book_dossiers()
        self._book_documents()
        self._book_reports_and_procedures()
        self._api_dossiers()
        self._register()
        for f in self._files.values():
            f.save()
        self.faults.sort(key=lambda x: (x.source_file, x.source_row or 0, x.kind))
        return self.faults

    def _duplicate(self, f, i: int, detail: str) -> None:
        """Append an exact copy of row i (left clean) at the end of its file."""
        row = f.rows[i]
        number = f.append(dict(row) if isinstance(row, dict) else list(row))
        original = f.row_number(i)
        self._add(
            Fault(
                "duplicate_row",
                f.relpath,
                number,
                "set_aside",
                f"duplicate of row {original}",
                detail=detail.format(row=original),
            )
        )

    def _book_dossiers(self) -> None:
        unit, feed = self.book, "dossiers"

        def label(name: str) -> str:
            return book_label(feed, name)

        f, i = self._pick(unit, feed)
        width = len(f.rows[i])
        f.rows[i] = f.rows[i][:-2]
        f.changed = True
        self._aside(
            f,
            i,
            "too_few_fields",
            f"row has {width - 2} fields, header has {width}",
            "the last two fields of the row are missing",
        )

        f, i = self._pick(unit, feed, lambda f, i: bool(f.get(i, "received_at")))
        bad = "29/02/2021" + f.get(i, "received_at")[10:]  # 2021 is not a leap year
        f.set(i, "received_at", bad)
        self._aside(
            f,
            i,
            "date_not_parsed",
            f"{label('received_at')}: not a date",
            "received date typed as 29 February 2021",
        )

        f, i = self._pick(unit, feed)
        bad = "Trực tuyến mức độ 4"  # the Decree 43 wording, not a channel of the contract
        f.set(i, "channel", bad)
        self._aside(
            f,
            i,
            "unknown_channel",
            f"{label('channel')}: unknown value",
            "channel written in the old online-level wording",
        )

        f, i = self._pick(unit, feed)
        bad = "Đã hủy"
        f.set(i, "status", bad)
        self._aside(
            f,
            i,
            "unknown_status",
            f"{label('status')}: unknown value",
            "a status the contract does not have ('cancelled')",
        )

        f, i = self._pick(unit, feed)
        f.set(i, "dossier_code", "")
        self._aside(
            f,
            i,
            "required_value_blank",
            "missing required value dossier_code",
            "dossier code left blank",
        )

        f, i = self._pick(unit, feed, lambda f, i: f.get(i, "apology_issued") == "Không")
        f.set(i, "apology_issued", "Khong")
        self._aside(
            f,
            i,
            "yes_no_without_diacritics",
            f"{label('apology_issued')}: not Có/Không",
            "'Không' typed without diacritics",
        )

        f, i = self._pick(unit, feed)
        self._duplicate(f, i, "row {row} exported twice, the copy at the end")

        f = self._reserve(unit, feed, min_rows=2)
        f.header[f.position("dossier_code")] = "Số hồ sơ"
        f.changed = True
        self._whole(
            f.relpath,
            "header_renamed",
            "set_aside",
            f"file has no column {column_label(feed, 'dossier_code')}",
            "header 'Mã hồ sơ' renamed 'Số hồ sơ'",
            clean_source="file",
            rows=f.clean_rows,
        )

        f = self._reserve(unit, feed, min_rows=1)
        blank = "," * (len(f.header) - 1)
        f.append(blank)
        f.append(blank)
        self._whole(
            f.relpath,
            "trailing_blank_rows",
            "loaded_note",
            "skipped 2 blank rows",
            "two empty rows (only separators) after the last record",
        )

        f = self._reserve(unit, feed, min_rows=1)
        f.delimiter = ";"
        f.changed = True
        self._whole(
            f.relpath,
            "semicolon_separated",
            "loaded_note",
            "fields separated by ';'",
            "saved as CSV by Excel in the Vietnamese locale (list separator ';')",
            clean_source="file",
        )

        relpath, _ = self._new_file(unit, feed, "csv", "2")
        buffer = io.StringIO(newline="")
        header = [fl.header for fl in FIELDS[feed]]
        csv.writer(buffer, lineterminator=unit.line_ending).writerow(header)
        (self.landing / relpath).write_bytes(buffer.getvalue().encode(unit.csv_encoding))
        self._whole(
            relpath,
            "header_only_file",
            "loaded_empty",
            None,
            "an extra export of the day holding the header and no row",
        )

        relpath, day = self._new_file(unit, feed, "xlsx", "fix")
        source = self._open(f"{unit.code}/{feed}/{day.isoformat()}.csv", unit, feed)
        rows = [r for r in source.rows[: source.clean_rows] if isinstance(r, list)]
        data = _xlsx_bytes(source.header, rows, f"UBND {unit.name}")
        (self.landing / relpath).write_bytes(data[: len(data) * 2 // 5])
        self._whole(
            relpath,
            "truncated_xlsx",
            "rejected",
            "cannot read XLSX",
            "the day's book re-sent as Excel, the upload cut off at 40%",
        )

    def _book_documents(self) -> None:
        unit, feed = self.book, "documents"

        def label(name: str) -> str:
            return book_label(feed, name)

        f = self._reserve(unit, feed, min_rows=2)
        f.drop_column("updated_at")
        self._whole(
            f.relpath,
            "required_column_missing",
            "set_aside",
            f"file has no column {column_label(feed, 'updated_at')}",
            "exported without the 'Ngày cập nhật' column",
            clean_source="file",
            rows=f.clean_rows,
        )

        f = self._reserve(unit, feed, min_rows=1)
        f.drop_column("signer")
        self._whole(
            f.relpath,
            "optional_column_missing",
            "loaded_note",
            f"no column {column_label(feed, 'signer')}: loaded as null",
            "exported without the 'Người ký' column",
            clean_source="file",
        )

        f, i = self._pick(unit, feed)
        bad = "Điện tử + giấy"
        f.set(i, "send_method", bad)
        self._aside(
            f,
            i,
            "unknown_send_method",
            f"{label('send_method')}: unknown value",
            "send method typed in the clerk's own words",
        )

        f, i = self._pick(unit, feed)
        d = _book_time(f.get(i, "document_date"))
        bad = f"{d.month:02d}/{d.day:02d}/{d.year}" if d.day > 12 else f"{d.day:02d}/13/{d.year}"
        f.set(i, "document_date", bad)
        self._aside(
            f,
            i,
            "date_not_parsed",
            f"{label('document_date')}: not a date",
            "document date typed month first",
        )

        def plain(f, i) -> bool:
            return not any(c in "".join(f.rows[i]) for c in ',"')

        f, i = self._pick(unit, feed, plain)
        fields = list(f.rows[i])
        fields[f.position("summary")] += ", năm 2021"  # an unquoted comma splits the field
        f.rows[i] = ",".join(fields)
        f.changed = True
        self._aside(
            f,
            i,
            "too_many_fields",
            f"row has {len(fields) + 1} fields, header has {len(fields)}",
            "a comma in the summary, not quoted by the unit's export",
        )

        relpath, _ = self._new_file(unit, feed, "csv", "2")
        (self.landing / relpath).write_bytes(b"")
        self._whole(
            relpath,
            "empty_file",
            "loaded_empty",
            "empty file",
            "a 0-byte file: the export ran with nothing to write",
        )

        relpath, _ = self._new_file(unit, feed, "csv", "unicode")
        source = self._open(self._relpaths(unit, feed)[0], unit, feed)
        lines = [source.header] + [
            r for r in source.rows[: source.clean_rows] if isinstance(r, list)
        ]
        text = "\r\n".join("\t".join(line) for line in lines)
        (self.landing / relpath).write_bytes(text.encode("utf-16"))
        self._whole(
            relpath,
            "utf16_file",
            "rejected",
            "file is UTF-16 text",
            "saved by Excel as 'Unicode Text' (UTF-16, tab-separated)",
        )

    def _book_reports_and_procedures(self) -> None:
        unit = self.book
        if unit.formats["reports"] == "csv" and self._relpaths(unit, "reports"):
            feed = "reports"
            f, i = self._pick(unit, feed, lambda f, i: bool(f.get(i, "numerator")))
            row = list(f.rows[i])
            bad = f"{f.get(i, 'numerator')} hồ sơ"
            f.set(i, "numerator", bad)
            self._aside(
                f,
                i,
                "number_not_parsed",
                f"{book_label(feed, 'numerator')}: not a number",
                "the count typed with its unit",
            )
            for name, value in (("indicator_code", "TL_HS_DUNG_HAN"), ("scope", "Đơn vị"),
                                ("numerator", "27"), ("denominator", "28"),
                                ("reported_rate", "96,43")):  # fmt: skip
                row[f.position(name)] = value
            number = f.append(row)
            self._add(
                Fault(
                    "indicator_not_in_catalogue",
                    f.relpath,
                    number,
                    "loaded_flagged",
                    "indicator_in_catalogue",
                    "indicator_in_catalogue",
                    detail="a figure under the ward's own indicator code",
                )
            )
        if unit.formats["procedures"] == "csv":
            f = self._reserve(unit, "procedures", min_rows=1)
            f.encoding = "utf-8-sig"
            f.changed = True
            self._whole(
                f.relpath,
                "utf8_bom",
                "loaded_note",
                "declared utf-8, decoded as utf-8-sig",
                "saved as 'CSV UTF-8' by Excel, with a byte-order mark",
                clean_source="file",
            )

    def _api_dossiers(self) -> None:
        unit, feed = self.api, "dossiers"

        def label(name: str) -> str:
            return api_label(feed, name)

        def when(f, i, name) -> datetime | None:
            value = f.get(i, name)
            return datetime.strptime(value, _API_TIME) if value else None

        def stamp(moment: datetime) -> str:
            return moment.strftime(_API_TIME)

        def export_day(f) -> date:
            return date.fromisoformat(Path(f.relpath).name[:10])

        f, i = self._pick(unit, feed)
        line = ApiFile.dumps(f.rows[i])
        f.rows[i] = line[: len(line) * 3 // 5]
        f.changed = True
        self._aside(
            f,
            i,
            "invalid_json_line",
            "line is not valid JSON",
            "the line is cut off: the sync stopped mid-record",
        )

        f, i = self._pick(unit, feed)
        f.set(i, "status", 11)
        self._aside(
            f,
            i,
            "unknown_status",
            f"{label('status')}: unknown code",
            "status code 11, which the contract does not define",
        )

        f, i = self._pick(unit, feed)
        bad = when(f, i, "updated_at").isoformat()
        f.set(i, "updated_at", bad)
        self._aside(
            f,
            i,
            "date_not_parsed",
            f"{label('updated_at')}: not a date",
            "update time in ISO form, not yyyyMMddHHmmss",
        )

        f, i = self._pick(unit, feed)
        f.set(i, "procedure_code", None)
        self._aside(
            f,
            i,
            "required_value_blank",
            "missing required value procedure_code",
            "procedure code null",
        )

        f, i = self._pick(unit, feed)
        code = f.get(i, "channel")
        f.set(i, "channel", {"Ma": code, "Ten": CHANNELS[code]})
        self._aside(
            f,
            i,
            "nested_value",
            f"{label('channel')}: expected a single value, not an object",
            "channel sent as an object {Ma, Ten}",
        )

        f, i = self._pick(unit, feed)
        self._duplicate(f, i, "line {row} synced twice, the copy at the end")

        # loaded but implausible: each touches one expectation only
        f, i = self._pick(unit, feed)
        future = datetime.combine(export_day(f) + timedelta(days=3), datetime.min.time())
        f.set(i, "updated_at", stamp(future.replace(hour=9, minute=12)))
        self._flag(
            f,
            i,
            "updated_in_future",
            "updated_not_after_export_day",
            "update time three days after the day the export covers",
        )

        def open_received(f, i) -> bool:
            return bool(f.get(i, "received_at")) and not f.get(i, "finished_at")

        f, i = self._pick(unit, feed, open_received)
        received, due = when(f, i, "received_at"), when(f, i, "due_at")
        # whole weeks, so that the appointment stays as many working days after receipt
        weeks = ((export_day(f) - received.date()).days + 2) // 7 + 1
        shift = timedelta(weeks=weeks)
        f.set(i, "received_at", stamp(received + shift))
        if due:
            f.set(i, "due_at", stamp(due + shift))
        self._flag(
            f,
            i,
            "received_in_future",
            "received_not_after_export_day",
            "received (and its appointment) after the day the export covers: moved weeks ahead",
        )

        f, i = self._pick(unit, feed, lambda f, i: bool(f.get(i, "finished_at")))
        f.set(i, "finished_at", stamp(when(f, i, "received_at") - timedelta(hours=2)))
        self._flag(
            f,
            i,
            "finished_before_received",
            "finished_not_before_received",
            "finished two hours before the dossier was received",
        )

        f, i = self._pick(unit, feed, lambda f, i: bool(f.get(i, "due_at")))
        f.set(i, "due_at", stamp(when(f, i, "received_at") - timedelta(days=1)))
        self._flag(
            f,
            i,
            "due_before_received",
            "due_not_before_received",
            "appointment the day before the dossier was received",
        )

        f, i = self._pick(unit, feed, lambda f, i: bool(f.get(i, "returned_at")))
        f.set(i, "returned_at", stamp(when(f, i, "finished_at") - timedelta(minutes=30)))
        self._flag(
            f,
            i,
            "returned_before_finished",
            "returned_not_before_finished",
            "result handed back half an hour before it was ready",
        )

        f, i = self._pick(unit, feed, lambda f, i: bool(f.get(i, "received_at")))
        f.set(i, "procedure_code", f.get(i, "procedure_code")[:-1])  # a digit dropped
        self._flag(
            f,
            i,
            "procedure_not_in_catalogue",
            "procedure_in_catalogue",
            "procedure code with its last digit dropped: never in the catalogue",
        )

        f, i = self._pick(unit, feed, lambda f, i: len(f.get(i, "applicant_id_number")) == 12)
        f.set(i, "applicant_id_number", f.get(i, "applicant_id_number")[:11])
        self._flag(
            f, i, "id_number_malformed", "id_number_well_formed", "citizen ID with 11 digits"
        )

    def _register(self) -> None:
        """A UTF-8 unit's register delivered in the wrong encoding, and a document dated
        after its export day (within its month, so that no monthly figure moves)."""
        unit, feed = self.register, "documents"
        f = self._reserve(unit, feed, min_rows=2)
        f.encoding = "cp1258"
        f.changed = True
        self._whole(
            f.relpath,
            "wrong_encoding",
            "loaded_note",
            f"declared {unit.csv_encoding}, decoded as cp1258",
            "written by a Windows machine in cp1258 though the unit declares UTF-8",
            clean_source="file",
        )

        def early_in_month(f, i) -> bool:
            day = date.fromisoformat(Path(f.relpath).name[:10])
            dated = _book_time(f.get(i, "document_date")).date()
            return day.day <= 20 and (dated.year, dated.month) == (day.year, day.month)

        f, i = self._pick(unit, feed, early_in_month)
        day = date.fromisoformat(Path(f.relpath).name[:10]) + timedelta(days=5)
        f.set(i, "document_date", f"{day.day:02d}/{day.month:02d}/{day.year}")
        self._flag(
            f,
            i,
            "dated_after_export_day",
            "dated_not_after_export_day",
            "document dated five days after the day the export covers",
        )


def plant_faults(
    scenario: Scenario, landing: Path, seed: int, exclude_dossiers=()
) -> tuple[list[dict], list[tuple[str, str]]]:
    """Plant every fault; return the manifest and the (feed, format) of each added file."""
    planter = Planter(
        scenario, landing, random.Random(f"{seed}:dirty:{scenario.name}"), exclude_dossiers
    )
    faults = planter.plant()
    return [f.as_dict() for f in faults], planter.added
