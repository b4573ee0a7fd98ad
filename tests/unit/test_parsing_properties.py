"""Property tests of the row accounting: valid CSV, JSONL and XLSX files, mutated the way
hostile deliveries are (lines dropped or repeated, quotes, separators, line breaks, NUL and
non-UTF-8 bytes inserted, the file cut short, formula cells, blank rows), must each come out
with every delivered record accounted for.

On every example:
- parse_batch does not raise, whatever the bytes;
- rows_in equals the records the file delivered, counted here anew from the file by the
  rule the parsing module's docstring states (an oracle written without the parser's code);
- a loaded file's rows are exactly those records, each once, in the loaded or the set-aside
  frame (rows_in = rows_loaded + rows_set_aside, and both counts are the frames' own); a
  rejected file loads nothing and has one set-aside row;
- every set-aside reason names a column or a known row- or file-level problem, and quotes no
  delivered value; set-aside records keep no personal data and no value of a column the
  reason says did not type.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines.lib import headers as h
from pipelines.lib.decoding import UndecodableError, decode, text_view
from pipelines.lib.landing import LandingFile
from pipelines.lib.parsing import ParsedBatch, parse_batch
from pipelines.lib.pseudonymise import Pseudonymiser

hypothesis = pytest.importorskip(
    "hypothesis", reason="hypothesis is not installed (dev dependency): property tests skipped"
)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PSEUDONYMISER = Pseudonymiser(b"property-test-key-of-32-bytes!!!")
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,  # nothing written into the checkout
    derandomize=True,  # the same examples on every run: a red build is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NAMES = ("Thạch Văn Sang", "Danh Thị Hoa", "Lương Thị Diễm")
IDS = ("093085654321", "093186777888", "361234567")
PHONES = ("0918654321", "0987777888")
ADDRESSES = ("Khu vực 4, Phường I", "Ấp Hòa Thạnh, xã Hòa Tú")
PERSONAL = (*NAMES, *IDS, *PHONES, *ADDRESSES, "Khu vực 4", "Ấp Hòa Thạnh")

DOSSIER_COLUMNS = h.FEED_HEADERS["dossiers"]
PERSONAL_COLUMNS = (*h.PERSONAL_COLUMNS, h.ID_NUMBER_COLUMN)
DOCUMENT_COLUMNS = h.FEED_HEADERS["documents"]

# Every text a reason may legitimately contain besides numbers: column labels and phrases.
VOCABULARY = " ".join(
    [
        part
        for columns in h.FEED_HEADERS.values()
        for column in columns
        for part in (column.header, column.key, column.name)
    ]
    + ["not Có/Không (or true/false)", "expected a single value, not an object, an array"]
)
ROW_PROBLEMS = (
    r"duplicate of row \d+",
    r"row has \d+ fields, header has \d+",
    r"row has a value in column \d+, which has no header",
    r"row has a quote that is never closed",
    r"row has a field longer than \d+ characters",
    r"line is not valid JSON",
    r"line is not a JSON object",
)


# --------------------------------------------------------------------------- valid files


@st.composite
def dossier_values(draw, code: int) -> dict[str, str]:
    """One dossier record as the book dialect writes it; now and then a value of the wrong
    kind, so that typing sets rows aside too."""
    received = f"{draw(st.integers(1, 28)):02d}/01/2023 {draw(st.integers(7, 16)):02d}:30"
    return {
        "dossier_code": f"P1-{code:04d}",
        "procedure_code": draw(st.sampled_from(("1.003583", "2.000908", ""))),
        "channel": draw(st.sampled_from(("Trực tiếp", "Trực tuyến", "2", "Zalo"))),
        "applicant_name": draw(st.sampled_from(NAMES)),
        "applicant_id_number": draw(st.sampled_from(IDS)),
        "applicant_phone": draw(st.sampled_from(PHONES)),
        "applicant_address": draw(st.sampled_from(ADDRESSES)),
        "received_at": draw(st.sampled_from((received, received, PHONES[0], "31/02/2023"))),
        "due_at": "31/01/2023 17:00",
        "finished_at": draw(st.sampled_from(("", "30/01/2023 08:30"))),
        "returned_at": "",
        "status": draw(st.sampled_from(("Đang xử lý", "Đã trả kết quả", "4", "12"))),
        "supplement_count": draw(st.sampled_from(("0", "1", "", "-3", "hai"))),
        "apology_issued": draw(st.sampled_from(("Không", "Có", "maybe"))),
        "paid_online": draw(st.sampled_from(("", "Có"))),
        "digitized": "Không",
        "updated_at": "31/01/2023 18:00:00",
        "late_reason": draw(st.sampled_from(("", "Lỗi đường truyền mạng"))),
    }


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@st.composite
def dossier_csv(draw) -> tuple[str, bytes]:
    records = [draw(dossier_values(n)) for n in range(draw(st.integers(0, 6)))]
    header = [c.header for c in DOSSIER_COLUMNS]
    rows = [[r[c.name] for c in DOSSIER_COLUMNS] for r in records]
    rows += [rows[0]] if rows and draw(st.booleans()) else []  # an exact repeat
    return "dossiers", _csv_text(header, rows).encode("utf-8")


@st.composite
def document_csv(draw) -> tuple[str, bytes]:
    """The register, whose free-text summary may run over lines as Excel writes a cell
    with line breaks."""
    summaries = st.sampled_from(("V/v A", "Về việc B, C", 'Báo cáo "tuần"', "Dòng 1\r\nDòng 2"))
    rows = [
        [
            f"{n}/UBND",
            "06/01/2023",
            "Công văn",
            draw(summaries),
            "Trần Văn Tâm",
            "Cơ quan nhà nước",
            draw(st.sampled_from(("Điện tử", "Giấy", "Fax"))),
            "Có",
            "Thường",
            "06/01/2023 16:00",
        ]
        for n in range(draw(st.integers(0, 6)))
    ]
    return "documents", _csv_text([c.header for c in DOCUMENT_COLUMNS], rows).encode("utf-8")


@st.composite
def dossier_jsonl(draw) -> tuple[str, bytes]:
    lines = []
    for n in range(draw(st.integers(0, 6))):
        values = draw(dossier_values(n))
        record = {c.key: values[c.name] or None for c in DOSSIER_COLUMNS}
        record["NgayTiepNhan"] = draw(st.sampled_from(("20230105093000", PHONES[1], None)))
        record["NgayCapNhat"] = "20230131180000"
        record["TrangThaiHoSo"] = draw(st.sampled_from((4, 10, 12, "4", [4], {"Ma": 4})))
        record["SoLanBoSung"] = draw(st.sampled_from((0, 2, -5, 1.5, None)))
        lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
    return "dossiers", "\n".join(lines).encode("utf-8") + (b"\n" if draw(st.booleans()) else b"")


# --------------------------------------------------------------------------- mutations

INSERTS = (b'"', b",", b";", b"\t", b"\x00", b"\xff", b"\x81", b"\xc3", b"\n", b"\r", b"\r\n")
INSERTS += (b" ", b'""', b"\n\n", b",,,,", b'"\n', b'\n"')
MUTATION = st.one_of(
    st.tuples(st.just("drop line"), st.integers(0, 40)),
    st.tuples(st.just("repeat line"), st.integers(0, 40)),
    st.tuples(st.just("blank line"), st.integers(0, 40)),
    st.tuples(st.just("insert"), st.integers(0, 4000), st.sampled_from(INSERTS)),
    st.tuples(st.just("cut"), st.integers(0, 4000)),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    for kind, where, *what in mutations:
        if kind == "insert":
            at = where % (len(data) + 1)
            data = data[:at] + what[0] + data[at:]
        elif kind == "cut":
            data = data[: where % (len(data) + 1)]
        else:
            lines = data.splitlines(keepends=True)
            if not lines:
                continue
            at = where % len(lines)
            if kind == "drop line":
                del lines[at]
            elif kind == "repeat line":
                lines.insert(at, lines[at] if lines[at].endswith(b"\n") else lines[at] + b"\n")
            else:
                lines.insert(at, b",,\r\n" if where % 2 else b"\n")
            data = b"".join(lines)
    return data


# --------------------------------------------------------------------------- the oracle


def _text_of(data: bytes, declared: str) -> str | None:
    try:
        return decode(data, declared).text
    except UndecodableError:
        return text_view(data)


def _lines(text: str) -> list[str]:
    """Physical lines with their ends: LF, CR LF or CR."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _lenient(line: str, delimiter: str) -> tuple[list[str], bool]:
    """A line read alone with lenient CSV quoting (a quote opens a quoted field only at the
    start of a field; elsewhere it is text): its fields, and whether a quote stays open."""
    body = line.rstrip("\r\n")
    fields: list[str] = []
    field: list[str] = []
    state = "start"
    for char in body:
        if state == "quoted":
            if char == '"':
                state = "after quote"
            else:
                field.append(char)
        elif state == "after quote" and char == '"':
            field.append('"')
            state = "quoted"
        elif char == delimiter:
            fields.append("".join(field))
            field, state = [], "start"
        elif state == "start" and char == '"':
            state = "quoted"
        else:
            field.append(char)
            state = "field"
    if body:
        fields.append("".join(field))
    return fields, state == "quoted"


def _delimiter(first_line: str, feed: str) -> str:
    lookup = h.header_lookup(feed)
    counts = {
        d: sum(h.match_header(t) in lookup for t in _lenient(first_line, d)[0])
        for d in (",", ";", "\t")
    }
    return max(counts, key=lambda d: counts[d])  # a tie keeps ','


def csv_oracle(data: bytes, feed: str) -> list[tuple[int, list[str]]] | None:
    """(row number, fields) of each record the CSV delivered, by the docstring's rule."""
    text = _text_of(data, "utf-8")
    if text is None:
        return None
    if not text.strip():
        return []
    lines = _lines(text)
    delimiter = _delimiter(lines[0], feed)
    width = len(_lenient(lines[0], delimiter)[0])
    odd = [line.count('"') % 2 == 1 for line in lines]
    records = []
    i = 1
    while i < len(lines):
        closing = next((j for j in range(i + 1, len(lines)) if odd[j]), None) if odd[i] else None
        if closing is not None:
            joined = "".join(lines[i : closing + 1])
            try:
                parsed = list(
                    csv.reader(io.StringIO(joined, newline=""), delimiter=delimiter, strict=True)
                )
            except csv.Error:
                parsed = []
            inner_records = any(
                len(_lenient(lines[m], delimiter)[0]) == width for m in range(i + 1, closing)
            )
            if len(parsed) == 1 and len(parsed[0]) == width and not inner_records:
                if "".join(parsed[0]).strip():  # a blank record is none, over lines or not
                    records.append((i + 1, parsed[0]))
                i = closing + 1
                continue
        fields, open_quote = _lenient(lines[i], delimiter)
        if open_quote or "".join(fields).strip():
            records.append((i + 1, fields))
        i += 1
    return records


def _header(data: bytes) -> list[str]:
    """The texts of a CSV's first line, under each separator the parser may choose."""
    text = _text_of(data, "utf-8") or ""
    first = _lines(text)[0] if text else ""
    return [field for d in (",", ";", "\t") for field in _lenient(first, d)[0]]


def jsonl_oracle(data: bytes) -> list[tuple[int, list[str]]] | None:
    text = _text_of(data, "utf-8")
    if text is None:
        return None
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            try:
                values = json.loads(line)
            except ValueError:
                values = line
            texts = values.values() if isinstance(values, dict) else [values]
            records.append((number, [str(v) for v in texts]))
    return records


# --------------------------------------------------------------------------- the checks


def _file(root: Path, relpath: str, data: bytes) -> LandingFile:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    unit_code, feed, name = relpath.split("/")
    extension = name.rsplit(".", 1)[1]
    return LandingFile(path, relpath, unit_code, feed, date(2023, 1, 31), None, extension)


def _parse(feed: str, relpath: str, data: bytes) -> ParsedBatch:
    with tempfile.TemporaryDirectory() as root:
        file = _file(Path(root), relpath, data)
        return parse_batch(feed, [file], {"31321": "utf-8"}, PSEUDONYMISER)


def _forbidden(values: list[str]) -> set[str]:
    """Delivered values no reason may quote: any of some length, but for short numbers
    (row counts and byte offsets are numbers too) and the labels reasons are made of."""
    out = set()
    for value in values:
        value = value.strip()
        if len(value) < 4 or (value.isdigit() and len(value) < 6) or value in VOCABULARY:
            continue
        out.add(value)
    return out


def _names_a_column(part: str, feed: str) -> str | None:
    """The canonical column a reason part names ('' for a row- or file-level problem that
    names none); None if it names neither."""
    names = {c.name for c in h.FEED_HEADERS[feed]}
    if (m := re.fullmatch(r"[^/]+ / (\w+): .+", part)) and m.group(1) in names:
        return m.group(1)
    for pattern in (
        r"missing required value (\w+)",
        r"file has no column '[^']+' \((\w+)\)",
        r"(?:formula without a value|error value) in column '[^']+' \((\w+)\)",
    ):
        if (m := re.fullmatch(pattern, part)) and m.group(1) in names:
            return m.group(1)
    if any(re.fullmatch(pattern, part) for pattern in ROW_PROBLEMS):
        return ""
    return None


def check(
    feed: str,
    batch: ParsedBatch,
    records: list[tuple[int, list[str]]] | None,
    delivered_text: list[str],
    header: list[str] = (),
    personal: list[str] | None = None,
) -> None:
    [outcome] = batch.outcomes
    loaded = batch.loaded["source_row"].to_list()
    aside = batch.set_aside["source_row"].to_list()
    # The ledger's counts are the frames' own.
    assert (outcome.rows_loaded, outcome.rows_set_aside) == (len(loaded), len(aside))
    expected = None if records is None else len(records)
    assert outcome.rows_in == expected, (outcome, records)
    if outcome.status == "loaded":
        assert outcome.rows_in == outcome.rows_loaded + outcome.rows_set_aside, outcome
        assert sorted(loaded + aside) == [number for number, _ in records]
    else:
        assert outcome.status == "rejected" and loaded == [] and aside == [None]

    forbidden = _forbidden(delivered_text)
    if personal is None:
        personal = [p for p in PERSONAL if p in " ".join(delivered_text)]
    # The notes of a loaded file may quote its header ("ignored unknown column ..."), and
    # nothing else delivered.
    errors = outcome.error or ""
    for text in header:
        errors = errors.replace(repr(text.strip()), "")
    assert not any(value in errors for value in [*forbidden, *personal]), errors
    for row, reason, record in batch.set_aside.select("source_row", "reason", "record").rows():
        assert reason and not any(value in reason for value in [*forbidden, *personal]), reason
        failed = []
        if row is not None:
            for part in reason.split("; "):
                named = _names_a_column(part, feed)
                assert named is not None, reason
                if re.fullmatch(r"[^/]+ / \w+: .+", part):
                    failed.append(named)
        if record is None:
            continue
        kept = json.loads(record)
        shown = json.dumps(kept, ensure_ascii=False)
        assert not any(p in shown for p in personal), shown
        if "fields" in kept or "line" in kept:
            assert feed != "dossiers"  # a dossier row that cannot be aligned keeps nothing
            continue
        assert not set(h.PERSONAL_COLUMNS) & set(kept) and h.ID_NUMBER_COLUMN not in kept
        assert all(kept.get(name) is None for name in failed), (reason, kept)


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(st.one_of(dossier_csv(), document_csv()), st.lists(MUTATION, max_size=3))
def test_every_csv_record_is_accounted_for(valid, mutations):
    feed, data = valid
    data = mutate(data, mutations)
    batch = _parse(feed, f"31321/{feed}/2023-01-31.csv", data)
    records = csv_oracle(data, feed)
    check(feed, batch, records, [v for _, fields in records or [] for v in fields], _header(data))


@SETTINGS
@given(dossier_jsonl(), st.lists(MUTATION, max_size=3))
def test_every_jsonl_record_is_accounted_for(valid, mutations):
    feed, data = valid
    data = mutate(data, mutations)
    batch = _parse(feed, f"930/{feed}/2023-01-31.jsonl", data)
    records = jsonl_oracle(data)
    check(feed, batch, records, [v for _, fields in records or [] for v in fields])


CELL = st.one_of(
    st.none(),
    st.just("=A1"),  # a formula: openpyxl stores no cached value
    st.just("  "),
    st.sampled_from(("Zalo", "31/02/2023", "-4", "hai", PHONES[0], 'a "quoted", value')),
)


@st.composite
def dossier_sheet(draw) -> tuple[list[list], int | None]:
    """Rows of a sheet (header included) and where to cut the saved file, if anywhere."""
    rows: list[list] = [[None]] * draw(st.integers(0, 2))  # empty rows above the header
    rows.append([c.header for c in DOSSIER_COLUMNS])
    for n in range(draw(st.integers(0, 5))):
        values = draw(dossier_values(n))
        row = [values[c.name] or None for c in DOSSIER_COLUMNS]
        for _ in range(draw(st.integers(0, 2))):  # overwrite a cell or two
            row[draw(st.integers(0, len(row) - 1))] = draw(CELL)
        if draw(st.integers(0, 5)) == 0:
            row = [draw(st.sampled_from((None, "=A1")))] * len(row)  # blank or formulas only
        rows.append(row)
    if len(rows) > 2 and draw(st.booleans()):
        rows.append(list(rows[-1]))  # an exact repeat
    cut = draw(st.one_of(st.none(), st.integers(0, 10_000))) if draw(st.booleans()) else None
    return rows, cut


def _is_value(cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


@SETTINGS
@given(dossier_sheet())
def test_every_xlsx_row_is_accounted_for(sheet):
    rows, cut = sheet
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if cut is not None:
        data = data[: cut % len(data)]
    batch = _parse("dossiers", "31324/dossiers/2023-01-31.xlsx", data)
    [outcome] = batch.outcomes
    header = next(i for i, row in enumerate(rows, start=1) if any(map(_is_value, row)))
    records = [
        (number, [str(cell) for cell in row if _is_value(cell)])
        for number, row in enumerate(rows, start=1)
        if number > header and any(_is_value(c) or c == "=A1" for c in row)
    ]
    if cut is not None and outcome.status == "rejected":
        assert outcome.rows_in is None and outcome.error.startswith("cannot read XLSX")
        assert batch.set_aside["source_row"].to_list() == [None]
        return
    # Personal data delivered in its own columns: a phone typed into the dossier-code
    # column is a dossier code as far as anyone can tell, and is kept as one.
    data_rows = rows[header:]
    where = {i for i, c in enumerate(DOSSIER_COLUMNS) if c.name in PERSONAL_COLUMNS}
    elsewhere = " ".join(str(c) for r in data_rows for i, c in enumerate(r) if i not in where)
    theirs = " ".join(str(c) for r in data_rows for i, c in enumerate(r) if i in where)
    personal = [p for p in PERSONAL if p in theirs and p not in elsewhere]
    cells = [v for _, values in records for v in values]
    check("dossiers", batch, records, cells, personal=personal)
    formulas = {
        number for number, row in enumerate(rows, start=1) if number > header and "=A1" in row
    }
    flagged = batch.set_aside.filter(pl.col("reason").str.contains("formula without a value"))
    assert set(flagged["source_row"]) == formulas
