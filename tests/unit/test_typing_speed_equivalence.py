"""The faster typing stage and XLSX reader give what the plain ones gave.

Each shortcut is held to the plain way it replaced: timestamps parsed once per dialect and
width against every format tried on every text, coded values looked up directly against
their normalised keys, duplicates found through a row hash against grouping by every
column, XLSX cells formatted a column at a time against cell by cell, and the header taken
from the typed read's column names against the header row read as text. And end to end:
a text that is not a date, a code or a yes/no is still set aside, naming its column."""

from __future__ import annotations

import hashlib
import hmac
import io
import random
import unicodedata
import zipfile
from datetime import date, datetime

import fastexcel
import orjson
import polars as pl
import pytest
import xlsxwriter

from pipelines.lib import headers as h
from pipelines.lib import parsing
from pipelines.lib.decoding import nfc
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.lib.schema import FEED_COLUMNS
from tests.unit.test_parsing import (
    DOSSIER_HEADER,
    GOOD_DOSSIER,
    api_dossier,
    deliver,
    parse,
    reasons,
)
from tests.unit.test_parsing_hostile import workbook_bytes

# ------------------------------------------------------------------ timestamps


def _every_format_on_every_text(text: pl.Expr) -> pl.Expr:
    """_parse_datetime as it was: each text padded by a Unicode regex and tried against
    every format of every dialect, the row's dialect and the text's shape choosing."""
    padded = text.str.replace_all(r"\b([0-9])\b", "0${1}")
    book = pl.coalesce(
        [padded.str.strptime(pl.Datetime("us"), f, strict=False) for f in parsing._BOOK_FORMATS]
    )
    api = pl.coalesce(
        [text.str.strptime(pl.Datetime("us"), f, strict=False) for f in parsing._API_FORMATS]
    )
    xlsx = text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    return (
        pl.when(pl.col("_api") & text.str.contains(parsing._API_DATE))
        .then(api)
        .when(~pl.col("_api") & text.str.contains(parsing._BOOK_DATE))
        .then(book)
        .when(pl.col("_xlsx") & text.str.contains(parsing._XLSX_DATE))
        .then(xlsx)
    )


def _timestamp_texts() -> list[str | None]:
    """Book, API and ISO texts of every shape, valid or not (day 31 of February, hour 24,
    second 60, one-digit fields), and texts of no shape at all."""
    days = ["0", "00", "1", "01", "5", "09", "10", "28", "29", "30", "31", "32"]
    months = ["0", "1", "01", "2", "02", "12", "13"]
    years = ["2023", "2024", "1900", "0000", "9999"]
    times = [""]
    for hour in ["0", "00", "8", "08", "23", "24"]:
        for minute in ["00", "05", "59", "60"]:
            times.append(f" {hour}:{minute}")
            times += [f" {hour}:{minute}:{second}" for second in ("00", "59", "60", "61")]
    texts: list[str | None] = [
        f"{d}/{m}/{y}{t}" for d in days for m in months for y in years for t in times
    ]
    for y, m, d in [("2023", "01", "05"), ("2024", "02", "29"), ("2023", "02", "29")]:
        for t in ["", "000000", "081500", "235960", "240000", "0815", "08150"]:
            texts += [f"{y}{m}{d}{t}", f"{y}-{m}-{d} {t[:2]}:{t[2:4]}:{t[4:]}"]
    texts += ["20231305", "20230132", "00000101000000", "2023-01-05", "2023-01-05T08:15:00"]
    texts += [None, "", " ", "x", "5/1/23", "05/01/2023 8", "05.01.2023", "٠٥/٠١/٢٠٢٣"]
    texts += ["05/01/2023 08:15:00.5", "05/01/2023  08:15", "+5/1/2023", "5/1/2023 8:15 "]
    return texts


def test_timestamps_parse_as_with_every_format_tried_on_every_text():
    texts = _timestamp_texts()
    random.Random(7).shuffle(texts)  # widths and shapes mixed, as in a batch
    dialects = [(True, False), (False, False), (False, True)]  # JSONL, CSV, XLSX
    frame = pl.DataFrame(
        {
            "text": texts * 3,
            "_api": [api for api, _ in dialects for _ in texts],
            "_xlsx": [xlsx for _, xlsx in dialects for _ in texts],
        }
    )
    text = pl.col("text")
    for lazy in (False, True):
        query = frame.lazy() if lazy else frame
        found = query.select(
            parsing._parse_datetime(text).alias("fast"),
            _every_format_on_every_text(text).alias("plain"),
        )
        found = found.collect() if lazy else found
        assert found["fast"].null_count() < found.height  # the grid is not all bad
        assert found["fast"].equals(found["plain"])


def test_a_text_that_is_no_date_is_set_aside_naming_its_column(tmp_path):
    def dossier(code: str, received: str) -> str:
        return GOOD_DOSSIER.replace("P1-001", code).replace("05/01/2023 09:40", received)

    csv = deliver(
        tmp_path,
        "31321/dossiers/2023-01-06.csv",
        "\n".join(
            [
                DOSSIER_HEADER,
                dossier("P1-002", "5/1/2023 9:40"),  # one-digit fields: padded
                dossier("P1-003", "31/02/2023 09:40"),  # no such day
                dossier("P1-004", "05/01/2023 24:00"),  # no such hour
                dossier("P1-005", "05/01/2023"),  # a date alone
                dossier("P1-006", "20230105094000"),  # the API's form, in a book
            ]
        )
        + "\n",
    )
    batch = parse("dossiers", csv)
    assert batch.loaded.select("source_row", "received_at").rows() == [
        (2, datetime(2023, 1, 5, 9, 40)),
        (5, datetime(2023, 1, 5)),
    ]
    assert reasons(batch) == {row: "Ngày tiếp nhận / received_at: not a date" for row in (3, 4, 6)}


def test_an_api_text_that_is_no_date_is_set_aside_naming_its_key(tmp_path):
    records = [
        api_dossier(MaHoSo="H-1", NgayTiepNhan="20230231100000"),  # no such day
        api_dossier(MaHoSo="H-2", NgayTiepNhan="04/01/2023 10:00"),  # a book's form
        api_dossier(MaHoSo="H-3", NgayTiepNhan="20230104"),  # a date alone
    ]
    text = b"".join(orjson.dumps(record) + b"\n" for record in records)
    file = deliver(tmp_path, "31362/dossiers/2023-01-05.jsonl", text)
    batch = parse("dossiers", file)
    assert batch.loaded.select("source_row", "received_at").rows() == [(3, datetime(2023, 1, 4))]
    assert reasons(batch) == {
        1: "NgayTiepNhan / received_at: not a date",
        2: "NgayTiepNhan / received_at: not a date",
    }


# ------------------------------------------------------------------ coded values


def _coded_columns() -> list[tuple[str, str, str]]:
    return [
        (feed, name, kind)
        for feed, columns in FEED_COLUMNS.items()
        for name, kind in columns.items()
        if name in h.CODED_COLUMNS[feed] or name in h.TEXT_CODED_COLUMNS[feed] or kind == "BOOLEAN"
    ]


@pytest.mark.parametrize(("feed", "name", "kind"), _coded_columns())
def test_coded_values_type_as_their_normalised_key_says(feed, name, kind):
    mapping = parsing._coded_mapping(feed, name)
    texts: list[str | None] = [None, "", "x", "0", "00", "007", "-1", "1.0", "Có  ", "có"]
    for spelling in [*mapping, *h.coded_lookup(mapping)]:
        texts += [spelling, spelling.upper(), spelling.title(), f"0{spelling}", f"00{spelling}"]
        texts += [spelling.replace(" ", "  "), spelling.replace(" ", "\t"), f"{spelling}x"]
        texts.append(unicodedata.normalize("NFD", spelling))
    frame = pl.DataFrame({name: texts}, schema={name: pl.String})
    found = frame.select(
        parsing._coded(feed, name, kind).alias("fast"),
        parsing._code_value(pl.col(name), mapping, kind).alias("plain"),
    )
    assert found["fast"].to_list() == found["plain"].to_list()
    assert found["fast"].drop_nulls().len() >= len(mapping)


def test_unusual_spellings_of_a_code_load_and_unknown_ones_are_set_aside(tmp_path):
    rows = [
        DOSSIER_HEADER,
        GOOD_DOSSIER.replace("Trực tiếp", "TRỰC  TIẾP"),  # row 2: case and spacing
        GOOD_DOSSIER.replace("P1-001", "P1-003").replace("Trực tiếp", "02"),  # leading zero
        GOOD_DOSSIER.replace("P1-001", "P1-004").replace("Trực tiếp", "07"),  # no such code
        GOOD_DOSSIER.replace("P1-001", "P1-005").replace("Trực tiếp", "Trực tiếp x"),
        GOOD_DOSSIER.replace("P1-001", "P1-006").replace(",0,Không,", ",0,KHÔNG,"),
        GOOD_DOSSIER.replace("P1-001", "P1-007").replace(",0,Không,", ",0,Chưa,"),
    ]
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join(rows) + "\n")
    batch = parse("dossiers", file)
    assert batch.loaded.select("source_row", "channel", "apology_issued").rows() == [
        (2, 1, False),
        (3, 2, False),
        (6, 1, False),
    ]
    assert reasons(batch) == {
        4: "Kênh nộp / channel: unknown code",
        5: "Kênh nộp / channel: unknown value",
        7: "Phiếu xin lỗi / apology_issued: not Có/Không (or true/false)",
    }


# ------------------------------------------------------------------ duplicates


def test_first_rows_are_those_grouping_by_every_column_finds():
    rng = random.Random(3)
    inputs = ["a", "b", "c"]
    size = 3000
    frame = pl.DataFrame(
        {
            "_file": [rng.randrange(4) for _ in range(size)],
            "_row": list(range(2, size + 2)),
            "a": [rng.choice(["x", "y", None]) for _ in range(size)],
            "b": [rng.choice(["1", "2", "3", None]) for _ in range(size)],
            "c": [rng.choice(["", "p", "q"]) for _ in range(size)],
        },
        schema_overrides={"_file": pl.Int32, "_row": pl.Int32},
    )
    plain = frame.select(pl.col("_row").min().over(["_file", *inputs])).to_series()
    fast = parsing._first_rows(frame, inputs)
    assert fast.to_list() == plain.to_list()
    assert (fast != frame["_row"]).any()  # there are repeats
    assert frame["_row"].to_list() == list(range(2, size + 2))  # the frame is untouched
    unique = frame.unique(["_file", *inputs], keep="first", maintain_order=True)
    assert parsing._first_rows(unique, inputs).to_list() == unique["_row"].to_list()


# ------------------------------------------------------------------ pseudonyms


@pytest.mark.parametrize("size", [16, 32, 63, 64, 65, 200])
def test_pseudonyms_are_hmac_sha256_whatever_the_key_length(size):
    key = bytes(random.Random(size).randrange(256) for _ in range(size))
    pseudonymiser = Pseudonymiser(key)
    for number in ["093190123456", "0", "B1234567", "Đ" * 70, "9" * 300]:
        expected = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
        assert pseudonymiser._hmac(number) == expected
    ids = pl.Series("id", ["093190123456", None, "", " 0931.9012-3456 ", "b123"])
    assert pseudonymiser.hash_series(ids).to_list() == [
        pseudonymiser.hash_id("093190123456"),
        None,
        None,
        pseudonymiser.hash_id("093190123456"),
        pseudonymiser.hash_id("B123"),
    ]
    assert pseudonymiser.hash_series(pl.Series("id", [None, None], pl.String)).to_list() == [
        None,
        None,
    ]


# ------------------------------------------------------------------ XLSX cells


def test_texts_are_made_nfc_as_one_by_one():
    decomposed = unicodedata.normalize("NFD", "Thạch Văn Sang")
    for texts in (
        ["Trực tiếp", "", "Khu vực 4"],
        ["Trực tiếp", decomposed, ""],
        ["e", "\u0301x"],  # a text opening with a combining mark, after a letter
        ["a\nb", "\u0301"],
        [],
    ):
        assert parsing._nfc_texts(list(texts)) == [nfc(t) for t in texts]


def _cell_by_cell(cells: pl.Series, decimal_comma: bool) -> list[str]:
    """_xlsx_texts as it was: every cell written in Python."""
    values, dtype = cells.to_list(), cells.dtype
    if dtype == pl.String:
        return [nfc(v) if v is not None else "" for v in values]
    if dtype == pl.Datetime or dtype == pl.Date:
        form = "%d/%m/%Y %H:%M:%S" if dtype == pl.Datetime else "%d/%m/%Y"
        return [v.strftime(form) if v is not None else "" for v in values]
    if dtype.is_float():
        return [parsing._float_text(v, decimal_comma) if v is not None else "" for v in values]
    if dtype == pl.Boolean:
        return [("true" if v else "false") if v is not None else "" for v in values]
    return [str(v) if v is not None else "" for v in values]


def _written_both_ways(frame: pl.DataFrame) -> None:
    for comma in (False, True):
        fast = parsing._xlsx_texts(frame, [comma] * frame.width)
        assert fast == [_cell_by_cell(cells, comma) for cells in frame.iter_columns()]


NUMBERS = [0.0, -0.0, 1.0, 2.0, -3.0, 12345.0, 12350.0, 99.96, 0.1 + 0.2, 1 / 3, 1e15, 1e16]
NUMBERS += [1e15 - 1, -(1e15 - 1), 2.0**53, 1e300, -1e-7, 5e-324]
NUMBERS += [float("nan"), float("inf"), float("-inf"), None]


def test_cells_are_written_as_cell_by_cell():
    size = len(NUMBERS)
    decomposed = unicodedata.normalize("NFD", "Thạch Văn Sang")
    when = [datetime(2023, 1, 5, 9, 40), None, datetime(1900, 1, 1), datetime(9999, 12, 31)]
    frame = pl.DataFrame(
        {
            "number": pl.Series(NUMBERS, dtype=pl.Float64),
            "text": (["Trực tiếp", None, decomposed, "\u0301x"] * size)[:size],
            "datetime": pl.Series((when * size)[:size], dtype=pl.Datetime("ms")),
            "date": pl.Series([w and w.date() for w in (when * size)[:size]], dtype=pl.Date),
            "yes": ([True, False, None] * size)[:size],
            "count": ([1, None, -7] * size)[:size],
            "nothing": pl.Series([None] * size, dtype=pl.Float64),
        }
    )
    _written_both_ways(frame)
    _written_both_ways(frame.clear())
    _written_both_ways(frame.select("yes"))


@pytest.mark.parametrize(
    "values",
    [
        [datetime(999, 1, 1), datetime(2023, 1, 5, 9, 40, 1, 500)],  # strftime's own years
        [datetime(1, 1, 1), None],
        [None, None],
    ],
)
def test_dates_of_unusual_years_are_written_as_strftime_writes_them(values):
    frame = pl.DataFrame(
        {
            "datetime": pl.Series(values, dtype=pl.Datetime("ms")),
            "date": pl.Series([v and v.date() for v in values], dtype=pl.Date),
        }
    )
    _written_both_ways(frame)


# ------------------------------------------------------------------ XLSX header


def _header_read_as_text(data: bytes) -> tuple[list[str | None], int]:
    """The header row and its sheet row as _read_xlsx read them before: the sheet's row 1
    as text, or the first row holding a value when row 1 holds none."""
    reader = fastexcel.read_excel(data)
    rows = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string").to_polars()
    for number, row in enumerate(rows.iter_rows(), start=1):
        if any(v is not None for v in row):
            return list(row), number
    raise AssertionError("no header")


HEADER = DOSSIER_HEADER.split(",")
RECORD = ["P1-001", "1.003583", "Trực tiếp", None, "093085654321", None, None, "05/01/2023"]


def _shared_strings_workbook(rows: list[list]) -> bytes:
    """As _workbook, but its texts in the shared strings part (as Excel writes them;
    openpyxl writes them inline)."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet()
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
    return buffer.getvalue()


def _with_nul(data: bytes, text: str) -> bytes:
    """The workbook with a NUL after the first `text` in its XML (XML may not hold one, but
    a hostile file can)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    done = False
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if not done and text.encode() in content:
                content, done = content.replace(text.encode(), text.encode() + b"\0", 1), True
            target.writestr(name, content)
    assert done
    return out.getvalue()


@pytest.mark.parametrize(
    ("rows", "one_read"),
    [
        ([HEADER, RECORD], True),
        ([[f" {HEADER[0]} ", *HEADER[1:]], RECORD], True),  # spaces around a header
        ([[None], HEADER, RECORD], False),  # row 1 empty: the header is row 2
        ([[None, None], [None], HEADER, RECORD], False),
        ([[*HEADER, "Ghi chú"], RECORD], False),  # a column no feed knows
        ([[*HEADER, HEADER[0]], RECORD], False),  # a repeated header ('Mã hồ sơ_1')
        ([[*HEADER[:3], None, *HEADER[4:]], RECORD], False),  # a header cell left empty
        ([[*HEADER, 2023], RECORD], False),  # a number as a header
        ([[*HEADER, datetime(2023, 1, 5)], RECORD], False),  # a date as a header
        ([[None, *HEADER], [None, *RECORD]], True),  # the sheet starts in column B
    ],
)
@pytest.mark.parametrize("write", [workbook_bytes, _shared_strings_workbook])
def test_the_header_is_the_row_read_as_text(rows, one_read, write):
    data = write(rows)
    header, header_row, _sheet, frame, _valueless = parsing._load_sheet(data, "dossiers")
    assert (header, header_row) == _header_read_as_text(data)
    assert frame.height == 1
    scan = parsing._scan_sheet(data)
    sheet = fastexcel.read_excel(data).load_sheet(0, header_row=0, schema_sample_rows=None)
    took_one_read = (
        parsing._header_from_names(sheet, "dossiers") is not None
        and scan.row_one_filled
        and not scan.nul
    )
    assert took_one_read == one_read


@pytest.mark.parametrize("write", [workbook_bytes, _shared_strings_workbook])
def test_a_nul_in_a_header_keeps_it_unknown_as_before(tmp_path, write):
    data = _with_nul(write([HEADER, RECORD]), HEADER[0])
    assert parsing._scan_sheet(data).nul
    header, header_row, *_ = parsing._load_sheet(data, "dossiers")
    assert (header, header_row) == _header_read_as_text(data)
    assert header[0] == f"{HEADER[0]}\0"
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)
    batch = parse("dossiers", file)
    assert batch.loaded.height == 0
    assert "file has no column 'Mã hồ sơ' (dossier_code)" in batch.outcomes[0].error


def test_a_sheet_read_once_loads_as_a_book_would(tmp_path):
    data = workbook_bytes(
        [
            HEADER,
            [
                "P1-001",
                1.003583,  # a procedure code typed as a number keeps its point
                "Trực tiếp",
                "Thạch Văn Sang",
                "093085654321",
                None,
                None,
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
            ],
        ]
    )
    assert parsing._scan_sheet(data).row_one_filled
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.xlsx", data)
    batch = parse("dossiers", file)
    assert batch.loaded.select(
        "source_row",
        "procedure_code",
        "received_at",
        "supplement_count",
        "apology_issued",
        "updated_at",
    ).rows() == [(2, "1.003583", datetime(2023, 1, 5, 9, 40), 2, True, datetime(2023, 1, 6))]


@pytest.mark.parametrize(
    ("rows", "filled"),
    [
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', True),
        ('<row r="1" spans="1:2"><c r="A1" s="1"/><c r="B1" t="s"><v>3</v></c></row>', True),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c></row>', True),
        ('<row r="1"><c r="A1" t="str"><f>"x"</f><v>x</v></c></row>', True),
        ('<row r="1"><c r="A1" s="1"/><c r="B1" s="2"></c></row><row r="2">', False),
        ('<row r="1"/><row r="2"><c r="A2" t="s"><v>0</v></c></row>', False),
        ('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', False),
        ('<row r="1"><c r="A2" t="s"><v>0</v></c></row>', False),  # a cell of row 2
        ('<row r="1"><c r="A1" t="s"><v> </v></c></row>', False),
        ('<row r="1"><c r="A1" t="inlineStr"><v>x</v></c></row>', False),  # not read
        ('<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c></row>', False),
        ('<row><c t="s"><v>0</v></c></row>', False),  # numbered by position: unsure
        ('<row r="1"><c r="A1" t="s"><v>0</v></c>', False),  # not closed in the head
    ],
)
def test_row_one_is_filled_only_when_its_xml_surely_says_so(rows, filled):
    for prefix in ("", "x:"):
        xml = (
            f'<{prefix}worksheet xmlns:x="urn:x"><{prefix}sheetData>'
            + rows.replace("<", f"<{prefix}").replace(f"<{prefix}/", f"</{prefix}")
            + f"</{prefix}sheetData></{prefix}worksheet>"
        )
        if rows.endswith("</c>"):  # cut off where a chunk of the stream ends
            xml = xml[: xml.index(f"</{prefix}sheetData>")]
        assert parsing._row_one_filled(xml.encode()) == filled, (prefix, rows)
