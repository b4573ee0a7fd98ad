"""The native (polars) reading of clean CSV files gives what the Python reader gives.

parse_batch reads a CSV whose every line is one record under strict quoting with polars
(pipelines/lib/native_csv.py) and any other with csv, line by line where needed. Both must
come out the same to the byte: loaded rows, set-aside rows with their reasons, row numbers
and records, and every field of the ledger outcome (rows_in, notes, encoding, counts).
Here the same files are parsed both ways and compared: generated files of every shape
(quotes, separators, line ends, blank lines, wrong widths, text in NFD and NFC, odd
headers), and files of each kind the native path must leave to the Python reader.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from pipelines.lib import headers as h
from pipelines.lib import native_csv, parsing
from pipelines.lib.decoding import UndecodableError, decode
from pipelines.lib.landing import LandingFile, read_units, scan
from pipelines.lib.parsing import ParsedBatch, parse_batch
from pipelines.simulator import write_scenario
from tests.integration.hostile_landing import write_hostile_landing
from tests.unit.test_decoding import cp1258
from tests.unit.test_parsing import DOSSIER_HEADER, GOOD_DOSSIER, PERSONAL, PSEUDONYMISER

hypothesis = pytest.importorskip(
    "hypothesis", reason="hypothesis is not installed (dev dependency): property tests skipped"
)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # nothing written into the checkout
    derandomize=True,  # the same examples on every run: a red build is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextlib.contextmanager
def switched_off(module, flag: str) -> Iterator[None]:
    """`module.<flag>` False for the block: the switches that send files to the Python
    paths, so that the same files can be read both ways and compared."""
    saved = getattr(module, flag)
    setattr(module, flag, False)
    try:
        yield
    finally:
        setattr(module, flag, saved)


def python_reader() -> contextlib.AbstractContextManager[None]:
    """Every CSV read by the Python reader, as before the native path."""
    return switched_off(native_csv, "ENABLED")


def landing_file(root: Path, relpath: str, data: bytes) -> LandingFile:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    unit_code, feed, name = relpath.split("/")
    stem, _, ext = name.rpartition(".")
    return LandingFile(path, relpath, unit_code, feed, date.fromisoformat(stem[:10]), None, ext)


def assert_same(native: ParsedBatch, python: ParsedBatch) -> None:
    assert_frame_equal(native.loaded, python.loaded)
    assert_frame_equal(native.set_aside, python.set_aside)
    assert native.outcomes == python.outcomes


def both_ways(
    feed: str, files: list[LandingFile], encodings=None, other_way=python_reader
) -> ParsedBatch:
    """The batch parsed as parse_batch parses it and with `other_way` switched on (by
    default the Python reader for every CSV), which must agree."""
    encodings = encodings or {}
    native = parse_batch(feed, files, encodings, PSEUDONYMISER)
    with other_way():
        python = parse_batch(feed, files, encodings, PSEUDONYMISER)
    assert_same(native, python)
    return native


def read_natively(data: bytes, feed: str, declared: str = "utf-8") -> bool:
    """Whether parse_batch reads this CSV with native_csv (its checks, as parse_batch runs
    them), not with the Python reader."""
    try:
        clean = parsing._clean_csv(decode(data, declared), feed)
    except UndecodableError:
        return False
    if clean is None:
        return False
    reading = native_csv.read([(0, clean.decoded.text)], clean.delimiter, len(clean.header))
    return not reading.unclean


# --------------------------------------------------------------------------- generated


FEED_COLUMNS = {feed: h.FEED_HEADERS[feed] for feed in ("dossiers", "documents")}
VIETNAMESE = ("Lương Thị Diễm", "Khu vực 4, Phường I", "Đã trả kết quả", "Trực tiếp", "Có")
VALUES = st.one_of(
    st.sampled_from(
        (
            "",
            " ",
            "\xa0",
            "\u3000",
            "\x1c",  # whitespace to str.strip(), not to Unicode
            "\x85",
            "null",
            "0",
            "-3",
            "1.003583",
            "P1-001",
            "06/01/2023 10:00",
            "31/02/2023",
            "Zalo",
            "a,b",
            "a;b",
            "a\tb",
            'say "hi"',
            '"',
            '""',
            "x\u2028y",
            "x\x0by",
            *VIETNAMESE,
            *(unicodedata.normalize("NFD", v) for v in VIETNAMESE),
        )
    ),
    st.text(alphabet=st.sampled_from('aĐ ,;\t"\u0323\u0301\xa0'), max_size=5),
)
TIDY_VALUES = VALUES.filter(lambda v: "\r" not in v and "\n" not in v)


@st.composite
def header_cells(draw, feed: str, tidy: bool) -> list[str]:
    """The header's texts: the feed's columns in any order and spelling, perhaps with
    unknown, empty or repeated ones; unless tidy, perhaps without some (a required one:
    every row set aside)."""
    columns = list(FEED_COLUMNS[feed])
    if not tidy and draw(st.booleans()):
        columns = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns)))
    columns = draw(st.permutations(columns))
    cells = []
    for column in columns:
        spelling = draw(st.sampled_from((column.header, column.header, column.key, column.name)))
        form = draw(st.sampled_from(("NFC", "NFC", "NFD")))
        cells.append(unicodedata.normalize(form, spelling) + draw(st.sampled_from(("", " "))))
    for _ in range(draw(st.integers(0, 2))):
        extra = draw(st.sampled_from(("Ghi chú", "", " ", cells[0])))
        cells.insert(draw(st.integers(0, len(cells))), extra)
    return cells


def written(value: str, delimiter: str, mode: str) -> str:
    """A field as a writer puts it in a line: quoted when it must be ('minimal'), always
    ('all'), or as it is ('raw', which may leave a stray or open quote)."""
    quoted = '"' + value.replace('"', '""') + '"'
    if mode == "all":
        return quoted
    if mode == "raw":
        return value
    needs = any(c in value for c in (delimiter, '"', "\r", "\n"))
    return quoted if needs else value


@st.composite
def csv_file(draw, tidy: bool = False) -> tuple[str, bytes, str]:
    """(feed, bytes, declared encoding) of a CSV. A tidy one is clean to the native path's
    checks: strict quoting, LF or CR LF line ends, every header cell known or blank."""
    feed = draw(st.sampled_from(tuple(FEED_COLUMNS)))
    delimiter = draw(st.sampled_from((",", ",", ";", "\t")))
    header = draw(header_cells(feed, tidy))
    values = TIDY_VALUES if tidy else VALUES
    modes = st.sampled_from(("minimal", "minimal", "all") if tidy else ("minimal", "all", "raw"))
    rows = [delimiter.join(written(c, delimiter, "minimal") for c in header)]
    for _ in range(draw(st.integers(0, 7))):
        shape = draw(st.sampled_from(("record",) * 6 + ("short", "long", "blank", "empty")))
        width = len(header) + {"short": -1, "long": 1}.get(shape, 0)
        row = draw(st.lists(values, min_size=width, max_size=width))
        if shape == "blank":
            row = draw(st.lists(st.sampled_from(("", " ", "\xa0")), min_size=1, max_size=4))
        elif shape == "empty":
            row = []
        rows.append(delimiter.join(written(v, delimiter, draw(modes)) for v in row))
    ends = st.sampled_from(("\n", "\r\n") if tidy else ("\n", "\r\n", "\r"))
    usual = draw(ends)  # the file's line end; now and then another
    text = "".join(row + (draw(ends) if draw(st.booleans()) else usual) for row in rows)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line end after the last line
    declared = draw(st.sampled_from(("utf-8", "utf-8-sig", "cp1258")))
    if declared == "cp1258":
        try:
            return feed, cp1258(text), declared
        except UnicodeEncodeError:
            declared = "utf-8"
    bom = b"\xef\xbb\xbf" if declared == "utf-8-sig" and draw(st.booleans()) else b""
    return feed, bom + text.encode("utf-8"), declared


def parse_both_ways(feed: str, data: bytes, declared: str) -> ParsedBatch:
    with tempfile.TemporaryDirectory() as root:
        file = landing_file(Path(root), f"31321/{feed}/2023-01-06.csv", data)
        return both_ways(feed, [file], {"31321": declared})


@SETTINGS
@given(csv_file())
def test_any_csv_comes_out_the_same_on_both_paths(delivered):
    feed, data, declared = delivered
    parse_both_ways(feed, data, declared)


@SETTINGS
@given(csv_file(tidy=True))
def test_tidy_csv_is_read_natively_and_comes_out_the_same(delivered):
    feed, data, declared = delivered
    assert read_natively(data, feed, declared)
    parse_both_ways(feed, data, declared)


@settings(SETTINGS, max_examples=100)
@given(st.lists(csv_file(), min_size=2, max_size=5))
def test_a_batch_of_files_of_every_shape_comes_out_the_same(delivered):
    """Files of one feed with different separators, header widths and layouts, clean or
    not, share a batch: their rows must not mix."""
    feed = delivered[0][0]
    with tempfile.TemporaryDirectory() as root:
        files = [
            landing_file(Path(root), f"3132{n}/{feed}/2023-01-06.csv", data)
            for n, (file_feed, data, _) in enumerate(delivered)
            if file_feed == feed
        ]
        encodings = {f"3132{n}": declared for n, (_, _, declared) in enumerate(delivered)}
        both_ways(feed, files, encodings)


# --------------------------------------------------------------------------- by hand


def dossier(code: int, row: str = GOOD_DOSSIER) -> str:
    return row.replace("P1-001", f"P1-{code:03d}")


def test_python_whitespace_is_all_that_str_strip_strips():
    everything = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert everything == native_csv.PYTHON_WHITESPACE


def test_an_export_as_units_write_them_is_read_natively(tmp_path):
    """cp1258 (tone marks decomposed), CR LF, addresses quoted for their commas."""
    text = "\r\n".join([DOSSIER_HEADER, *(dossier(n) for n in range(2, 40))]) + "\r\n"
    data = cp1258(text)
    assert read_natively(data, "dossiers", "cp1258")
    file = landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)
    batch = both_ways("dossiers", [file], {"31321": "cp1258"})
    assert batch.loaded["source_row"].to_list() == list(range(2, 40))
    assert batch.loaded["dossier_code"].to_list() == [f"P1-{n:03d}" for n in range(2, 40)]
    [outcome] = batch.outcomes
    assert (outcome.encoding, outcome.rows_in, outcome.error) == ("cp1258", 38, None)


def test_blank_lines_wrong_widths_and_stray_values_natively(tmp_path):
    header = f"{DOSSIER_HEADER},,Ghi chú"
    rows = [
        dossier(2) + ",,",
        "",  # 3: blank
        dossier(4) + ",",  # a field short
        dossier(5) + ",gọi lại,",  # a value under the column without a header
        " ,\xa0, " + "," * 17,  # 6: blank, and of another width
        dossier(7) + ',"",x',
        '"",' + "," * 18,  # 8: blank
        dossier(9) + ",,,",  # a field too many
    ]
    data = ("\n".join([header, *rows]) + "\n\n").encode()
    assert read_natively(data, "dossiers")
    batch = both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)])
    assert batch.loaded["source_row"].to_list() == [2, 7]
    assert dict(batch.set_aside.select("source_row", "reason").rows()) == {
        4: "row has 18 fields, header has 19",
        5: "row has a value in column 18, which has no header",
        9: "row has 20 fields, header has 19",
    }
    assert batch.set_aside["record"].to_list() == [None] * 3  # dossiers: nothing kept
    [outcome] = batch.outcomes
    assert outcome.rows_in == 5
    assert outcome.error == "ignored unknown column 'Ghi chú'; skipped 4 blank rows"


def test_misfit_records_of_a_feed_without_personal_data_keep_their_fields(tmp_path):
    header = "Kỳ báo cáo;Mã chỉ tiêu;;Phạm vi;Tử số;Mẫu số;Tỷ lệ (%)"
    rows = ["2023-01;DVC01;;Đơn vị;5.816;7.019;82,86", "2023-01;DVC02;x;Đơn vị;1;2;50", "a;b"]
    data = "\r\n".join([header, *rows]).encode()
    assert read_natively(data, "reports")
    file = landing_file(tmp_path, "31321/reports/2023-01-06.csv", data)
    batch = both_ways("reports", [file])
    assert batch.set_aside.select("source_row", "record").rows() == [
        (3, '{"fields":["2023-01","DVC02","x","Đơn vị","1","2","50"]}'),
        (4, '{"fields":["a","b"]}'),
    ]
    assert batch.outcomes[0].error == "fields separated by ';', not ','"


def test_a_file_without_a_required_column_sets_every_row_aside_natively(tmp_path):
    header = DOSSIER_HEADER.replace("Mã hồ sơ", "Số hồ sơ")
    data = "\n".join([header, dossier(2), dossier(3)]).encode()
    assert read_natively(data, "dossiers")
    batch = both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)])
    assert set(batch.set_aside["reason"]) == {"file has no column 'Mã hồ sơ' (dossier_code)"}


def lines(*texts: str, end: str = "\n") -> str:
    return end.join(texts)


ROW = dossier(2)
LEFT_TO_PYTHON = {
    "a CR alone ends a line": lines(DOSSIER_HEADER, ROW, dossier(3), end="\r"),
    "a CR alone in a field": lines(DOSSIER_HEADER, ROW.replace("P1", "P\r1")),
    "a quote in an unquoted field": lines(DOSSIER_HEADER, ROW.replace("P1", 'P"1')),
    "a space after a closing quote": lines(DOSSIER_HEADER, ROW.replace('I",', 'I" ,')),
    "a space before an opening quote": lines(DOSSIER_HEADER, ROW.replace(',"', ', "')),
    "a quote never closed": lines(DOSSIER_HEADER, ROW.replace(",Đã", ',"Đã')),
    "a cell over two lines": lines(DOSSIER_HEADER, ROW.replace("4,", "4\n"), dossier(3)),
    "a byte-order mark inside": lines(DOSSIER_HEADER, "\ufeff" + ROW, dossier(3)),
    "a quote open in the header": lines('"' + DOSSIER_HEADER, ROW),
    "another feed's header": lines('"Số, ký hiệu",Ngày văn bản,Loại văn bản', "1/UBND,x,y"),
    "no header": lines(ROW, dossier(3)),
    "nothing but spaces": " \n \r\n",
}


@pytest.mark.parametrize("why", LEFT_TO_PYTHON)
def test_what_the_native_path_leaves_to_the_python_reader(tmp_path, why):
    data = LEFT_TO_PYTHON[why].encode()
    assert not read_natively(data, "dossiers"), why
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)])


def test_a_line_as_long_as_the_csv_field_limit_is_left_to_the_python_reader(tmp_path):
    long = "x" * 131_072
    data = "\n".join([DOSSIER_HEADER, dossier(2), dossier(3, GOOD_DOSSIER + long)]).encode()
    assert not read_natively(data, "dossiers")
    batch = both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)])
    assert batch.set_aside["reason"].to_list() == ["row has a field longer than 131072 characters"]


def test_a_header_wider_than_the_native_path_reads_is_left_to_the_python_reader(tmp_path):
    header = DOSSIER_HEADER + "," * native_csv.MAX_WIDTH
    data = "\n".join([header, dossier(2) + "," * native_csv.MAX_WIDTH]).encode()
    assert not read_natively(data, "dossiers")
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)])


def test_clean_and_other_files_of_every_format_share_a_batch(tmp_path):
    """Rows keep their files and numbers whichever reader read them, in the batch's order."""
    deliveries = {
        "31321/dossiers/2023-01-06.csv": "\n".join([DOSSIER_HEADER, dossier(2), dossier(3)]),
        "31322/dossiers/2023-01-06.csv": f"{DOSSIER_HEADER}\r{dossier(2)}",  # Python
        "31323/dossiers/2023-01-06.csv": "\n".join(
            [DOSSIER_HEADER.replace(",", ";"), dossier(7).replace(",", ";")]
        ),
        "31324/dossiers/2023-01-06.jsonl": '{"MaHoSo": "P1-009", "SoLanBoSung": 0}\n',
        "31325/dossiers/2023-01-06.csv": "\n".join(
            [DOSSIER_HEADER + ",Lý do trễ hạn", dossier(4) + ",mất điện", dossier(5) + ","]
        ),
        "31326/dossiers/2023-01-06.csv": b"\xff\xfe" + "Mã hồ sơ".encode("utf-16-le"),
    }
    files = []
    for relpath, data in deliveries.items():
        raw = data if isinstance(data, bytes) else data.encode()
        files.append(landing_file(tmp_path, relpath, raw))
    batch = both_ways("dossiers", files)
    assert [o.status for o in batch.outcomes] == ["loaded"] * 5 + ["rejected"]
    rows = batch.loaded.select("source_file", "source_row").rows()
    assert rows == sorted(rows, key=lambda r: (list(deliveries).index(r[0]), r[1]))


def test_an_unexpected_error_on_the_native_path_leaves_the_files_to_the_python_reader(
    tmp_path, monkeypatch, caplog
):
    def failing(bodies, delimiter, width, composed=True):
        raise ValueError(f"cannot use {bodies[0][1][:40]!r}")

    data = "\n".join([DOSSIER_HEADER, dossier(2), dossier(3)]).encode()
    file = landing_file(tmp_path, "31321/dossiers/2023-01-06.csv", data)
    with python_reader():
        python = parse_batch("dossiers", [file], {}, PSEUDONYMISER)
    monkeypatch.setattr(native_csv, "read", failing)
    with caplog.at_level(logging.ERROR):
        native = parse_batch("dossiers", [file], {}, PSEUDONYMISER)
    assert_same(native, python)
    assert "unexpected ValueError" in caplog.text
    assert not any(value in caplog.text for value in [*PERSONAL, "P1-00"])


def _csv_read_natively(file: LandingFile, encodings: dict[str, str]) -> bool:
    return file.file_format == "csv" and read_natively(
        file.path.read_bytes(), file.feed, encodings.get(file.unit_code, "utf-8")
    )


def parse_landing_both_ways(
    landing: Path, other_way=python_reader, went_fast=_csv_read_natively
) -> int:
    """Every feed's files of a landing folder parsed both ways (`both_ways`), each unit's
    CSV with its declared encoding; returns how many files `went_fast(file, encodings)`
    says the fast path took (by default the CSV files read natively)."""
    encodings = dict(read_units(landing).select("unit_code", "csv_encoding").rows())
    files = scan(landing).files
    fast = 0
    for feed in {f.feed for f in files}:
        batch = [f for f in files if f.feed == feed]
        both_ways(feed, batch, encodings, other_way)
        fast += sum(went_fast(f, encodings) for f in batch)
    return fast


def test_the_hostile_landing_comes_out_the_same_on_both_paths(tmp_path):
    """The integration suite's hostile delivery: every fault its issue names, by hand."""
    hostile = write_hostile_landing(tmp_path)
    assert parse_landing_both_ways(hostile.landing) > 0


def test_the_simulators_dirty_landing_comes_out_the_same_on_both_paths(tmp_path):
    write_scenario("mini-2021", tmp_path / "landing", 2021, workers=1, dirty=True)
    assert parse_landing_both_ways(tmp_path / "landing") > 0
