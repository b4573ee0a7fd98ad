"""The cheaper XLSX and JSONL reading gives what the plain reading gave.

XLSX: parse_batch tabulates a sheet whose rows need no look of their own (no formula or
error cell, a header of the feed as wide as its records, dtypes that _written writes) in
polars, with the batch's other sheets of the same dtypes and layout; every other sheet, and
every sheet with parsing.COLUMNAR_XLSX off, cell by cell in Python as before. Both must
come out the same to the byte: loaded rows, set-aside rows with their reasons, row numbers
and records, and every field of the ledger outcome. Generated sheets of every kind of cell
and header, alone and in batches, are parsed both ways; so are the hostile landing and the
simulator's dirty one. The search for formula and error cells, which now skips the parts
of a sheet's XML whose cells hold neither an f nor an e, is held to the search of the whole
XML it replaced.

JSONL: the lines are loaded all at once and their values picked by key; that is held to
the line-by-line reading it replaced, kept here.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
import unicodedata
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import orjson
import pytest
import xlsxwriter

from pipelines.lib import headers as h
from pipelines.lib import parsing
from pipelines.lib.decoding import nfc
from pipelines.lib.landing import LandingFile
from pipelines.lib.parsing import ParsedBatch
from pipelines.simulator import write_scenario
from tests.integration.hostile_landing import write_hostile_landing
from tests.unit import test_native_csv as native_csv_tests
from tests.unit.test_native_csv import SETTINGS as NATIVE_CSV_SETTINGS
from tests.unit.test_native_csv import landing_file, switched_off
from tests.unit.test_parsing import PERSONAL
from tests.unit.test_parsing_hostile import workbook_bytes

hypothesis = pytest.importorskip(
    "hypothesis", reason="hypothesis is not installed (dev dependency): property tests skipped"
)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SETTINGS = settings(NATIVE_CSV_SETTINGS, max_examples=120)


def python_tabulating() -> contextlib.AbstractContextManager[None]:
    """Every XLSX sheet tabulated cell by cell in Python, as before the polars path."""
    return switched_off(parsing, "COLUMNAR_XLSX")


def both_ways(feed: str, files: list[LandingFile], encodings=None) -> ParsedBatch:
    """The batch parsed with the polars path for XLSX sheets on and off, which must agree."""
    return native_csv_tests.both_ways(feed, files, encodings, other_way=python_tabulating)


def in_polars(data: bytes, feed: str) -> bool:
    """Whether parse_batch tabulates this XLSX file's sheet in polars."""
    try:
        sheet = parsing._read_xlsx(data, feed)
    except parsing._Unreadable:
        return False
    return isinstance(sheet, parsing._Sheet) and parsing._polars_layout(feed, sheet) is not None


# --------------------------------------------------------------------------- XLSX, generated

FEEDS = ("dossiers", "documents", "reports")
TEXTS = (
    "Trực tiếp",
    unicodedata.normalize("NFD", "Thạch Văn Sang"),  # tone marks decomposed
    "Khu vực 4, Phường I",
    "P1-001",
    "1.003583",
    "05/01/2023 09:40",
    "Có",
    'a "quoted", value',
    "dòng 1\ndòng 2",
    "effect of the ref",  # an f and an e in a cell's text
)
BLANKS = ("", " ", "\u3000", "\xa0 ", "\t\n")  # what str.strip() empties
NUMBERS = (0.0, -0.0, 2.0, -3.0, 12345.0, 99.96, 0.1 + 0.2, 1 / 3, 1e15, 1e16, -1e-7, 2.0**53)
WHEN = (datetime(2023, 1, 5, 9, 40), datetime(2023, 1, 6, 17, 0, 30), datetime(1900, 3, 1))
KINDS = ("text", "number", "whole", "datetime", "date", "boolean", "blank", "mixed")


def cell(draw, kind: str):
    """A cell of a column of this kind; now and then one of another kind or empty. (A
    duration stays alone: fastexcel rejects a column of durations and other values, naming
    the kinds in an order of its own.)"""
    if draw(st.integers(0, 5)) == 0:
        return None
    if kind == "duration":
        return timedelta(hours=draw(st.integers(0, 30)), minutes=5)
    if draw(st.integers(0, 9)) == 0:
        kind = draw(st.sampled_from(KINDS))
    if kind == "text":
        return draw(st.sampled_from(TEXTS + BLANKS))
    if kind == "number":
        return draw(st.sampled_from(NUMBERS))
    if kind == "whole":
        return draw(st.integers(-5, 300))
    if kind == "datetime":
        return draw(st.sampled_from(WHEN))
    if kind == "date":
        return draw(st.sampled_from(WHEN)).date()
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "blank":
        return draw(st.sampled_from((None, *BLANKS)))
    return draw(st.sampled_from((*TEXTS[:3], *NUMBERS[:4], WHEN[0], True, None)))


@st.composite
def header_of(draw, feed: str) -> list[str | None]:
    """The feed's header, shuffled, some columns left out; now and then a column no feed
    knows, one without a header, one repeated, or spaces around a header."""
    header: list[str | None] = [c.header for c in h.FEED_HEADERS[feed]]
    header = draw(st.permutations(header))[: draw(st.integers(2, len(header)))]
    for _ in range(draw(st.integers(0, 2))):
        odd = draw(st.sampled_from(("Ghi chú", None, header[0], f" {header[-1]} ", "2023")))
        header.insert(draw(st.integers(0, len(header))), odd)
    return header


@st.composite
def sheet_of(draw, feed: str | None = None) -> tuple[str, bytes]:
    """An XLSX file of a feed: its header row, rows of cells of each column's kind (blank
    rows, a value under a header left empty, a formula, now and then), written by openpyxl
    (texts inline) or xlsxwriter (texts shared, as Excel writes them)."""
    feed = feed or draw(st.sampled_from(FEEDS))
    header = draw(header_of(feed))
    kinds = [draw(st.sampled_from((*KINDS, *KINDS, "duration"))) for _ in header]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 6)) == 0:
            blank = st.sampled_from((None, *BLANKS))
            rows.append([None if k == "duration" else draw(blank) for k in kinds])
        else:
            rows.append([cell(draw, kind) for kind in kinds])
    if rows and draw(st.integers(0, 6)) == 0:  # a formula (openpyxl stores no value)
        rows[-1][draw(st.integers(0, len(header) - 1))] = "=A1"
    if draw(st.integers(0, 8)) == 0:  # times of day: datetimes of 1899 (or durations)
        rows.append([timedelta(hours=9) if k == "duration" else time(8, 30) for k in kinds])
    writer = draw(st.sampled_from((workbook_bytes, xlsxwriter_book)))
    return feed, writer([header, *rows])


def xlsxwriter_book(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet()
        datetimes = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        for number, row in enumerate(rows):
            for column, value in enumerate(row):
                if isinstance(value, datetime | date | time | timedelta):
                    sheet.write_datetime(number, column, value, datetimes)
                elif value is not None:
                    sheet.write(number, column, value)
    return buffer.getvalue()


@SETTINGS
@given(sheet_of())
def test_any_sheet_comes_out_the_same_both_ways(delivered):
    feed, data = delivered
    with tempfile.TemporaryDirectory() as root:
        both_ways(feed, [landing_file(Path(root), f"31321/{feed}/2023-01-06.xlsx", data)])


@settings(SETTINGS, max_examples=60)
@given(
    st.sampled_from(FEEDS).flatmap(lambda feed: st.lists(sheet_of(feed), min_size=2, max_size=5))
)
def test_a_batch_of_sheets_of_every_shape_comes_out_the_same(delivered):
    """Sheets of one feed with different dtypes and layouts share a batch: their rows must
    not mix, and sheets alike must be tabulated together as each alone."""
    feed = delivered[0][0]
    with tempfile.TemporaryDirectory() as root:
        files = [
            landing_file(Path(root), f"3132{n}/{feed}/2023-01-06.xlsx", data)
            for n, (_, data) in enumerate(delivered)
        ]
        both_ways(feed, files)


# --------------------------------------------------------------------------- XLSX, by hand

HEADER = [c.header for c in h.FEED_HEADERS["dossiers"]][:17]
RECORD = [
    "P1-001",
    "1.003583",
    "Trực tiếp",
    "Thạch Văn Sang",
    "093085654321",
    "0918654321",
    "Khu vực 4, Phường I",
    datetime(2023, 1, 5, 9, 40),
    "06/01/2023 17:00",
    None,
    None,
    "Đã trả kết quả",
    2,
    True,
    None,
    "Không",
    date(2023, 1, 6),
]


def dossier(code: int, record: list | None = None) -> list:
    return [f"P1-{code:03d}", *(record or RECORD)[1:]]


def test_a_sheet_as_units_write_them_is_tabulated_in_polars(tmp_path):
    data = xlsxwriter_book([HEADER, *(dossier(n) for n in range(2, 40))])
    assert in_polars(data, "dossiers")
    file = landing_file(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)
    batch = both_ways("dossiers", [file])
    assert batch.loaded["source_row"].to_list() == list(range(2, 40))
    assert batch.loaded.row(0, named=True)["received_at"] == datetime(2023, 1, 5, 9, 40)
    assert batch.outcomes[0].rows_in == 38 and batch.outcomes[0].error is None


def test_blank_rows_and_values_without_a_header_in_polars(tmp_path):
    """Blank rows are skipped and noted; a value under a header left empty sets its row
    aside, keeping nothing of a dossier; a document's row keeps its fields."""
    dossiers = [
        [*HEADER, None],
        dossier(2) + [None],
        [None] * 18,
        ["  ", None, "\u3000", *([None] * 15)],
        dossier(5) + ["ghi chú lạc"],
        dossier(6) + [" "],
    ]
    data = workbook_bytes(dossiers)
    assert in_polars(data, "dossiers")
    file = landing_file(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)
    batch = both_ways("dossiers", [file])
    assert batch.loaded["source_row"].to_list() == [2, 6]
    [aside] = batch.set_aside.rows(named=True)
    assert aside["source_row"] == 5 and aside["record"] is None
    assert aside["reason"] == "row has a value in column 18, which has no header"
    assert batch.outcomes[0].rows_in == 3
    assert batch.outcomes[0].error == "skipped 2 blank rows"
    assert not any(p in str(batch.set_aside.rows()) for p in PERSONAL)

    header = [c.header for c in h.FEED_HEADERS["reports"]]
    reports = [[*header, None], ["2023-01", "TT01", "xã", 1.5, 3.0, 50.0, "x"]]
    file = landing_file(tmp_path, "31321/reports/2023-01-06.xlsx", workbook_bytes(reports))
    batch = both_ways("reports", [file])
    fields = json.loads(batch.set_aside["record"][0])["fields"]
    assert fields == ["2023-01", "TT01", "xã", "1,5", "3", "50", "x"]  # the book's comma


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        ([HEADER, dossier(2)[:12] + ["=1/0", *RECORD[13:]]], "a formula cell"),
        ([HEADER, dossier(2)[:7] + [timedelta(hours=9), *RECORD[8:]]], "a duration"),
        ([["Số, ký hiệu", "Ngày văn bản", "Hình thức gửi"], ["1/UBND", "x", "y"]], "documents"),
        ([HEADER], "no records: columns of no dtype"),
    ],
)
def test_what_the_polars_path_leaves_to_the_python_reader(tmp_path, rows, why):
    data = workbook_bytes(rows)
    assert not in_polars(data, "dossiers"), why
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)])


def test_sheets_of_one_batch_keep_their_files_and_rows(tmp_path):
    """Sheets alike are tabulated together, others apart or in Python; every row keeps its
    file and number, in the batch's order."""
    other_dtypes = [dossier(7, [*RECORD[:7], "05/01/2023 09:40", *RECORD[8:]])]
    deliveries = {
        "31321/dossiers/2023-01-06.xlsx": xlsxwriter_book([HEADER, dossier(2), dossier(3)]),
        "31322/dossiers/2023-01-06.xlsx": workbook_bytes([HEADER, *other_dtypes]),
        "31323/dossiers/2023-01-06.xlsx": workbook_bytes([HEADER, dossier(4)[:12] + ["=A1"]]),
        "31324/dossiers/2023-01-06.xlsx": xlsxwriter_book([HEADER[::-1], dossier(5)[::-1]]),
        "31325/dossiers/2023-01-06.jsonl": '{"MaHoSo": "P1-009", "SoLanBoSung": 0}\n',
        "31326/dossiers/2023-01-06.xlsx": workbook_bytes([[None], HEADER, dossier(6)]),
        "31327/dossiers/2023-01-06.xlsx": b"PK\x03\x04 not a workbook",
        "31328/dossiers/2023-01-06.xlsx": xlsxwriter_book([HEADER, dossier(8)]),
    }
    files = []
    for relpath, data in deliveries.items():
        raw = data if isinstance(data, bytes) else data.encode()
        files.append(landing_file(tmp_path, relpath, raw))
    batch = both_ways("dossiers", files)
    assert [o.status for o in batch.outcomes] == ["loaded"] * 6 + ["rejected", "loaded"]
    rows = batch.loaded.select("source_file", "source_row").rows()
    assert rows == sorted(rows, key=lambda r: (list(deliveries).index(r[0]), r[1]))
    assert ("31326/dossiers/2023-01-06.xlsx", 3) in rows  # below a header on row 2


def test_a_group_the_polars_path_cannot_tabulate_is_left_to_the_python_reader(tmp_path, caplog):
    """A failure of the polars path costs no file: the sheets of its group are tabulated in
    Python, and the log names no delivered value. (Here the layout a sheet was held with is
    made to name a column past its last, which the polars query cannot select; the Python
    reader lays the header out anew.)"""
    data = xlsxwriter_book([HEADER, dossier(2), dossier(3)])
    files = [landing_file(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)]
    sheet = parsing._read_xlsx(data, "dossiers")
    sheet.layout = parsing._polars_layout("dossiers", sheet)
    sheet.layout.positions["late_reason"] = 40
    reads = [parsing._Read(rows=sheet)]
    with caplog.at_level(logging.ERROR):
        frames = parsing._read_sheets("dossiers", files, reads)
    assert frames == []
    assert "XLSX tabulating in polars: unexpected ColumnNotFoundError" in caplog.text
    assert not any(value in caplog.text for value in [*PERSONAL, "P1-00"])
    expected = parsing._tabulate_sheet("dossiers", parsing._read_xlsx(data, "dossiers"))
    assert reads[0].rows == expected and expected.rows == [2, 3]


def parse_landing_both_ways(landing: Path) -> int:
    """Every feed's files of a landing folder parsed both ways; returns the XLSX files
    tabulated in polars."""

    def tabulated_in_polars(file: LandingFile, _encodings) -> bool:
        return file.file_format == "xlsx" and in_polars(file.path.read_bytes(), file.feed)

    return native_csv_tests.parse_landing_both_ways(
        landing, other_way=python_tabulating, went_fast=tabulated_in_polars
    )


def test_the_hostile_landing_comes_out_the_same_both_ways(tmp_path):
    hostile = write_hostile_landing(tmp_path)
    assert parse_landing_both_ways(hostile.landing) > 0


def test_the_simulators_dirty_landing_comes_out_the_same_both_ways(tmp_path):
    write_scenario("mini-2021", tmp_path / "landing", 2021, workers=1, dirty=True)
    assert parse_landing_both_ways(tmp_path / "landing") > 0


# --------------------------------------------------------------------------- formula search


def _valueless_as_before(data: bytes) -> dict:
    """_valueless_cells as _scan_sheet fed it before: the sheet's whole XML whenever any
    of the three patterns matched anywhere in it."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read(parsing._first_sheet(book))
    found = any(pattern.search(xml) for pattern in parsing._FORMULA_OR_ERROR)
    return parsing._valueless_cells(xml if found else None)


def _with_sheet_xml(data: bytes, edit) -> bytes:
    """The workbook with its first sheet's XML edited."""
    source = zipfile.ZipFile(io.BytesIO(data))
    member = parsing._first_sheet(source)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, edit(content) if name == member else content)
    return out.getvalue()


def _prefixed(xml: bytes) -> bytes:
    """The sheet's XML with its elements under a namespace prefix, as some writers do."""
    xml = xml.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(b"<x:?", b"<?")
    return xml.replace(b'xmlns="', b'xmlns:x="')


SHEETS = {
    "no formula": [HEADER, dossier(2), dossier(3)],
    "formula without a value": [HEADER, dossier(2)[:12] + ["=A1"], dossier(3)],
    "formula in the header only": [[*HEADER[:-1], "=A1"], dossier(2)],
    "formula in an unread column": [[*HEADER, "Ghi chú"], dossier(2) + ["=A1"]],
    "formula of a blank row": [HEADER, dossier(2), [None] * 12 + ["=A1"]],
    "texts with f and e": [HEADER, ["effect", "free", "e", "f", *RECORD[4:]]],
}


@pytest.mark.parametrize("rows", SHEETS.values(), ids=SHEETS.keys())
@pytest.mark.parametrize("write", [workbook_bytes, xlsxwriter_book])
@pytest.mark.parametrize("edit", [None, _prefixed, lambda xml: xml.replace(b't="s"', b't="e"')])
def test_formula_and_error_cells_are_found_as_before(tmp_path, rows, write, edit):
    data = write(rows)
    if edit is not None:
        data = _with_sheet_xml(data, edit)
    scan = parsing._scan_sheet(data)
    assert parsing._valueless_cells(scan.xml) == _valueless_as_before(data)
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)])


def test_cells_after_the_sheet_data_are_not_searched():
    """What follows the cells (page margins, header and footer texts) holds f and e, and
    may hold what looks like a formula: _valueless_cells never looked there."""
    data = _with_sheet_xml(
        xlsxwriter_book([HEADER, dossier(2)]),
        lambda xml: xml.replace(
            b"</sheetData>",
            b'</sheetData><headerFooter><oddHeader>&lt;f t="e"</oddHeader></headerFooter>',
        ),
    )
    assert parsing._scan_sheet(data).xml is None
    assert _valueless_as_before(data) == {}


FRAGMENTS = (
    b'<c r="A2" t="s"><v>1</v></c>',
    b'<c r="B2" s="1"><v>44927.5</v></c>',
    b'<c r="C2"><f>A1+1</f></c>',
    b'<c r="C3"><x:f t="shared"/></c>',
    b'<c r="D2" t="e"><v>#N/A</v></c>',
    b'<c r="D3" s="3" t="e"/>',
    b"<is><t>effect</t></is>",
    b'<row r="3" x14ac:dyDescent="0.25">',
    b"</row>",
    b"f",
    b"e",
    b":f ",
)


@SETTINGS
@given(
    st.sampled_from((b"", b"x:")),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12),
    st.sampled_from((b"", b'<pageMargins left="0.7"/><f>', b' t="e"')),
    st.integers(8, 400),
)
def test_the_windows_of_a_sheet_flag_every_formula_the_whole_xml_shows(prefix, cells, tail, chunk):
    """_SheetData reads the windows _scan_sheet streams (chunks, each after the last 16
    bytes of the one before); whenever the whole XML shows a formula or error among its
    cells, some window must say it may hold one."""
    xml = (
        b'<?xml version="1.0"?><worksheet xmlns="urn:x"><sheetFormatPr defaultRowHeight="15"/>'
        + b"<"
        + prefix
        + b"sheetData>"
        + b"".join(cells)
        + b"</"
        + prefix
        + b"sheetData>"
        + tail
    )
    start = parsing._SHEET_DATA.search(xml)
    end = xml.find(b"</" + prefix + b"sheetData>", start.end())
    expected = bool(parsing._formula_or_error(xml, start.end(), end))
    data, window, said = parsing._SheetData(), b"", False
    for at in range(0, len(xml), chunk):
        window = window[-16:] + xml[at : at + chunk]
        said = said or data.may_hold_formula_or_error(window)
    assert said or not expected


def _two_sheets(first: str) -> bytes:
    """A workbook of sheets A (sheet1.xml) and B (sheet2.xml), the one named `first` listed
    first in its workbook part."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "A"
    workbook.create_sheet("B")
    buffer = io.BytesIO()
    workbook.save(buffer)
    source, out = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/workbook.xml" and first == "B":
                a, b = (content.index(f'<sheet name="{n}"'.encode()) for n in "AB")
                end_b = content.index(b"/>", b) + 2
                content = content[:a] + content[b:end_b] + content[a:b] + content[end_b:]
            if name == "xl/workbook.xml" and first == "broken":
                content = b"<workbook"
            target.writestr(name, content)
    return out.getvalue()


def test_the_first_sheet_of_each_workbook_whatever_came_before():
    """Workbook parts are parsed once for all the files that share them; each file still
    gets its own first sheet, and one whose workbook part is not XML the usual one."""
    for first, member in [("A", "sheet1"), ("B", "sheet2")] * 2 + [("broken", "sheet1")]:
        book = zipfile.ZipFile(io.BytesIO(_two_sheets(first)))
        assert parsing._first_sheet(book) == f"xl/worksheets/{member}.xml", first


# --------------------------------------------------------------------------- JSONL


def _json_column_as_before(values: list, escaped: bool) -> tuple[list, list]:
    if escaped:
        values = [nfc(v) if isinstance(v, str) else v for v in values]
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        return values, [None] * len(values)
    problems = [None] * len(values)
    if kinds & {dict, list}:
        for i, value in enumerate(values):
            if isinstance(value, dict | list):
                problems[i] = "an object" if isinstance(value, dict) else "an array"
    texts = [
        None if problem else parsing._json_text(v)
        for v, problem in zip(values, problems, strict=True)
    ]
    return texts, problems


def _read_jsonl_as_before(text: str, feed: str) -> parsing._FileRows:
    """_read_jsonl as it was: each line loaded and checked in turn, each key's values
    gathered with a step per record."""
    out = parsing._FileRows()
    records: list[dict] = []
    blank = 0
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            blank += 1
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            why, kept = "line is not valid JSON", parsing._misfit_record(feed, line)
            out.misfits.append((number, why, kept))
            continue
        if not isinstance(record, dict):
            why, kept = "line is not a JSON object", parsing._misfit_record(feed, line)
            out.misfits.append((number, why, kept))
            continue
        records.append(record)
        out.rows.append(number)
    out.delivered = len(out.rows) + len(out.misfits)
    if blank:
        out.notes.append(f"skipped {blank} blank line{'s' if blank > 1 else ''}")
    escaped = "\\u" in text
    lookup = h.header_lookup(feed)
    keys = list(dict.fromkeys(k for record in records for k in record))
    if records and (why := parsing._wrong_feed(feed, keys, jsonl=True)):
        raise parsing._Unreadable(why, out.delivered)
    unknown = []
    problems: list[list[str]] = [[] for _ in records]
    for key in keys:
        name = lookup.get(h.match_header(key))
        if name is None:
            unknown.append(key)
            continue
        texts, odd = _json_column_as_before([record.get(key) for record in records], escaped)
        if name in out.columns:
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


def _read(reader, text: str, feed: str):
    try:
        return reader(text, feed)
    except parsing._Unreadable as exc:
        return ("unreadable", str(exc), exc.rows_in)


JSON_VALUES = st.one_of(
    st.sampled_from(
        (
            "P1-001",
            "Trực tiếp",
            unicodedata.normalize("NFD", "Thạch Văn Sang"),
            "",
            " ",
            "20230105093000",
            0,
            2,
            -5,
            2**70,
            1.0,
            1.5,
            -0.0,
            1e20,
            0.1,
            True,
            False,
            None,
            [],
            [4],
            {},
            {"Ma": 4},
        )
    ),
    st.text(max_size=6),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
)
# Keys of the dossier feed as the API spells them, other spellings of the same columns (a
# header, another case), and keys no feed knows.
JSON_KEYS = st.sampled_from(
    (*(c.key for c in h.FEED_HEADERS["dossiers"]), "Mã hồ sơ", "mahoso", "TRANGTHAIHOSO", "X", "")
)
ODD_LINES = ("", "   ", "\u3000", "\x1c", "[1, 2]", "3", '"x"', "{", '{"MaHoSo": }', "null", "{}")


@st.composite
def jsonl_text(draw) -> str:
    """A JSONL file's text: objects of the same keys (as nearly always) or not, of values of
    every kind, written with or without escapes and spaces around them; now and then a
    blank line, a line that is not an object, or one that is not JSON."""
    keys = draw(st.lists(JSON_KEYS, min_size=1, max_size=6, unique=True))
    same = draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(ODD_LINES)))
            continue
        chosen = keys if same else draw(st.lists(JSON_KEYS, max_size=6, unique=True))
        record = {key: draw(JSON_VALUES) for key in chosen}
        line = json.dumps(record, ensure_ascii=draw(st.booleans()))
        if draw(st.integers(0, 8)) == 0 and record:  # a key twice in one object
            key = next(iter(record))
            line = line[:-1] + f", {json.dumps(key)}: {json.dumps(draw(JSON_VALUES))}}}"
        lines.append(draw(st.sampled_from(("", " ", "\t", "\xa0"))) + line)
    return "\n".join(lines) + draw(st.sampled_from(("", "\n", "\n\n")))


@settings(SETTINGS, max_examples=400)
@given(jsonl_text())
def test_any_jsonl_text_reads_as_line_by_line(text):
    before = _read(_read_jsonl_as_before, text, "dossiers")
    assert _read(parsing._read_jsonl, text, "dossiers") == before


@pytest.mark.parametrize(
    "values",
    [
        [1, 2, 3],
        [1, None, 0],
        [True, False, None],
        [True, 1, None],  # a boolean is no number here
        [1.0, 2, None],
        ["a", None],
        [None, None],
        [2**70, -1],
        [{"a": 1}, [1], "x", 2.5, False],
        [],
    ],
)
@pytest.mark.parametrize("escaped", [False, True])
def test_each_kind_of_json_column_is_written_as_value_by_value(values, escaped):
    assert parsing._json_column(values, escaped) == _json_column_as_before(values, escaped)
    assert parsing._json_column(tuple(values), escaped) == _json_column_as_before(values, escaped)


@pytest.mark.parametrize(
    ("records", "keys"),
    [
        ([{"a": 1, "b": 2}, {"b": 3, "a": 4}], ["a", "b"]),  # the same keys in another order
        ([{"a": 1, "b": 2}, {"a": 1, "c": 3}], ["a", "b", "c"]),  # as many, not the same
        ([{"a": 1, "b": 2}, {"a": 5}, {"c": 1, "b": 1, "a": 0}], ["a", "b", "c"]),
        ([{"a": 1}, {"a": 2}], ["a"]),
        ([{}, {"a": 1}], ["a"]),
        ([], []),
    ],
)
def test_key_values_are_each_keys_values_in_record_order(records, keys):
    found_keys, columns = parsing._key_values(records)
    assert found_keys == keys
    assert [list(c) for c in columns] == [[r.get(k) for r in records] for k in keys]


def test_a_jsonl_file_with_odd_lines_reads_line_by_line():
    text = '{"MaHoSo": "P1-1"}\n\n[1]\n{"MaHoSo": 2\n  {"MaHoSo": "P1-4", "X": 1}  \n'
    out = parsing._read_jsonl(text, "dossiers")
    assert out.rows == [1, 5]
    assert [(row, why) for row, why, _ in out.misfits] == [
        (3, "line is not a JSON object"),
        (4, "line is not valid JSON"),
    ]
    assert out.notes == ["skipped 1 blank line", "ignored unknown key 'X'"]
    assert out.columns["dossier_code"] == ["P1-1", "P1-4"]
    assert _read_jsonl_as_before(text, "dossiers") == out
