"""The native (polars) reading of plain JSONL files gives what the Python reader gives.

parse_batch reads a JSONL file whose every line is an object of the first line's keys, of
plain values, with polars (pipelines/lib/native_jsonl.py) and any other line by line with
orjson. Both must come out the same to the byte: loaded rows, set-aside rows with their
reasons, row numbers and records, and every field of the ledger outcome. Here the same
files are parsed both ways (native_csv.ENABLED, the switch of both native readers, off for
the Python one) and compared: generated files of every shape, hostile ones among them
(duplicate keys, nested values, numbers and their spellings, non-object lines, blank
lines, a byte-order mark, bytes that are not UTF-8, very long lines).
"""

from __future__ import annotations

import json
import logging
import tempfile
import unicodedata
from pathlib import Path

import pytest

from pipelines.lib import headers as h
from pipelines.lib import native_jsonl, parsing
from pipelines.lib.decoding import decode
from pipelines.lib.parsing import parse_batch
from tests.unit.test_native_csv import SETTINGS, assert_same, both_ways, landing_file, python_reader
from tests.unit.test_parsing import PERSONAL, PSEUDONYMISER

hypothesis = pytest.importorskip(
    "hypothesis", reason="hypothesis is not installed (dev dependency): property tests skipped"
)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FEEDS = ("dossiers", "documents", "reports")
VIETNAMESE = ("Lương Thị Diễm", "Khu vực 4, Phường I", "Đã trả kết quả", "Trực tiếp", "Có")

# Values as JSON spells them: what a tidy file holds, then what sends a file (or a line) to
# the Python reader, or sets a row aside.
TIDY_JSON = (
    '"P1-001"',
    '""',
    '" "',
    '"null"',
    '"06/01/2023 10:00"',
    '"20230106100000"',
    '"1.003583"',
    '"0"',
    '"-3"',
    '"x\u2028y"',
    '"\x7f"',
    '"a,b; c"',
    "0",
    "2",
    "-3",
    "123456789012345678",
    "-123456789012345678",
    "true",
    "false",
    "null",
    *(f'"{v}"' for v in VIETNAMESE),
    *(f'"{unicodedata.normalize("NFD", v)}"' for v in VIETNAMESE),
)
ODD_JSON = (
    "-0",
    "1234567890123456789",  # 19 digits: left to Python
    "18446744073709551616",  # over 64 bits: orjson refuses it
    "1.0",
    "1.5",
    "1e5",
    "-2.5E-7",
    "0.1",
    '"Tr\\u1ea7n"',  # an escape
    '"Tra\\u0300n"',  # an escape spelling text that is not NFC
    '"say \\"hi\\""',
    '"a\\\\b"',
    '"tab\\there"',
    "{}",
    '{"a": 1}',
    "[]",
    '[1, "x"]',
    "[[]]",
    '"\t"',  # a raw control character in a string: not JSON
    "01",
    "+1",
    "NaN",
    "True",
    "nul",
)
SPACE = st.sampled_from(("", "", "", " ", "  ", "\t", "\r"))
ODD_SPACE = st.sampled_from(("\x0b", "\xa0", "\x1c", "\u3000", "\ufeff", "\x0c"))


def api_keys(feed: str) -> list[str]:
    return [c.key for c in h.FEED_HEADERS[feed]]


@st.composite
def json_object(draw, keys: list[str], change: str | None = None) -> str:
    """An object of the keys, each with a tidy value, spaced as writers space them; or
    with one change: a value of another kind (ODD_JSON), a key repeated, missing or
    unknown, the keys in another order, or none."""
    members = [(key, draw(st.sampled_from(TIDY_JSON))) for key in keys]
    where = draw(st.integers(0, len(members) - 1))
    if change == "value":
        members[where] = (members[where][0], draw(st.sampled_from(ODD_JSON)))
    elif change == "repeat":
        members.insert(
            draw(st.integers(0, len(members))), (keys[where], draw(st.sampled_from(TIDY_JSON)))
        )
    elif change == "drop":
        members.pop(where)
    elif change == "unknown":
        members.insert(where, ("GhiChu", '"x"'))
    elif change == "shuffle":
        members = draw(st.permutations(members))
    elif change == "empty":
        members = []
    around = draw(SPACE)
    colon = draw(st.sampled_from((": ", ":", " : ")))
    comma = draw(st.sampled_from((", ", ",", " ,\t")))
    body = comma.join(f'"{key}"{colon}{value}' for key, value in members)
    return f"{around}{{{draw(SPACE)}{body}{draw(SPACE)}}}{around}"


LINE_CHANGES = ("value",) * 4 + ("repeat", "drop", "unknown", "shuffle", "empty")
ODD_LINES = (
    "",
    " ",
    "\t\r",
    "[1, 2]",
    '"a string"',
    "42",
    "null",
    "{",
    '{"MaHoSo": "P1-001"',
    "not json",
)
FILE_CHANGES = (
    *("object",) * 6,
    *("line",) * 3,
    "odd space",
    "two objects",
    "trailing text",
    "bom",
    "not utf-8",
    "bom inside",
)


@st.composite
def jsonl_file(draw, tidy: bool = False) -> tuple[str, bytes]:
    """(feed, bytes) of a JSONL file. A tidy one is clean to the native path's checks:
    every line an object of the first line's keys, in order, of plain values. Any other
    is a tidy one with one or two changes, each of which may leave it to the Python reader
    (or not: the two must agree either way)."""
    feed = draw(st.sampled_from(FEEDS))
    keys = api_keys(feed)
    if draw(st.booleans()):  # some keys only, in any order, perhaps an unknown one
        keys = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=len(keys), unique=True))
        if draw(st.booleans()):
            keys.insert(draw(st.integers(0, len(keys))), draw(st.sampled_from(("GhiChu", ""))))
    if draw(st.booleans()):  # another spelling of a key, which names the same column
        keys.append(draw(st.sampled_from(keys)).lower())
    keys = list(dict.fromkeys(keys))
    lines = [draw(json_object(keys)) for _ in range(draw(st.integers(1, 6)))]
    changes = [] if tidy else draw(st.lists(st.sampled_from(FILE_CHANGES), min_size=1, max_size=2))
    at = st.integers(0, len(lines) - 1)
    for change in changes:
        if change == "object":
            lines[draw(at)] = draw(json_object(keys, draw(st.sampled_from(LINE_CHANGES))))
        elif change == "line":
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(ODD_LINES)))
        elif change == "odd space":
            where = draw(at)
            space = draw(ODD_SPACE)
            lines[where] = space + lines[where] if draw(st.booleans()) else lines[where] + space
        elif change == "two objects":
            lines[draw(at)] += draw(json_object(keys))
        elif change == "trailing text":
            lines[draw(at)] += " x"
    end = draw(st.sampled_from(("\n", "\n", "\r\n")))
    data = (end.join(lines) + (end if draw(st.booleans()) else "")).encode()
    where = draw(st.integers(0, len(data)))
    if "bom" in changes or (tidy and draw(st.booleans())):
        data = b"\xef\xbb\xbf" + data  # utf-8-sig: the mark is not the text's
    if "not utf-8" in changes:  # read as cp1258
        data = data[:where] + b"\xff" + data[where:]
    if "bom inside" in changes:
        data = data[:where] + b"\xef\xbb\xbf" + data[where:]
    return feed, data


def read_natively(data: bytes, feed: str) -> bool:
    """Whether parse_batch reads this JSONL with native_jsonl, not with the Python reader."""
    clean = parsing._clean_jsonl(decode(data, "utf-8"), feed)
    if clean is None:
        return False
    return not native_jsonl.read([(0, clean.decoded.utf8())], clean.keys).unclean


def parse_both_ways(feed: str, *delivered: bytes) -> None:
    with tempfile.TemporaryDirectory() as root:
        files = [
            landing_file(Path(root), f"3132{n}/{feed}/2023-01-06.jsonl", data)
            for n, data in enumerate(delivered)
        ]
        both_ways(feed, files)


@SETTINGS
@given(jsonl_file())
def test_any_jsonl_comes_out_the_same_on_both_paths(delivered):
    feed, data = delivered
    parse_both_ways(feed, data)


@SETTINGS
@given(jsonl_file(tidy=True))
def test_tidy_jsonl_is_read_natively_and_comes_out_the_same(delivered):
    feed, data = delivered
    assert read_natively(data, feed)
    parse_both_ways(feed, data)


@settings(SETTINGS, max_examples=100)
@given(st.lists(jsonl_file(), min_size=2, max_size=5), st.data())
def test_a_batch_of_jsonl_files_of_every_shape_comes_out_the_same(delivered, data):
    """Files of one feed, clean or not, of the same keys or not, share a batch: their rows
    must not mix."""
    feed = delivered[0][0]
    tidy = data.draw(st.lists(jsonl_file(tidy=True), max_size=3))
    parse_both_ways(feed, *(raw for file_feed, raw in delivered + tidy if file_feed == feed))


@settings(SETTINGS, max_examples=50)
@given(st.lists(jsonl_file(tidy=True), min_size=2, max_size=6), st.integers(1, 400))
def test_files_read_a_group_at_a_time_come_out_as_read_at_once(delivered, group_bytes):
    """native_jsonl reads a batch's texts a group of GROUP_BYTES at a time (memory): the
    records, line counts and unclean files are those of one read of them all."""
    # as parsing hands them over: decoded, held as the bytes delivered (no byte-order mark)
    texts = [
        (index, decode(raw, as_bytes=True).utf8()) for index, (_feed, raw) in enumerate(delivered)
    ]
    keys = native_jsonl.keys_of(texts[0][1])
    assert keys is not None  # a tidy file's first line is an object of plain keys
    whole = native_jsonl.read(texts, keys)
    saved = native_jsonl.GROUP_BYTES
    native_jsonl.GROUP_BYTES = group_bytes
    try:
        grouped = native_jsonl.read(texts, keys)
    finally:
        native_jsonl.GROUP_BYTES = saved
    assert grouped.records.equals(whole.records)
    assert (grouped.lines, grouped.unclean) == (whole.lines, whole.unclean)


# --------------------------------------------------------------------------- by hand


def dossier_line(code: int, **values) -> str:
    record = {
        "MaHoSo": f"P1-{code:03d}",
        "MaTTHC": "1.003583",
        "KenhThucHien": 2,
        "ChuHoSo": "Lương Thị Diễm",
        "SoGiayToChuHoSo": "079123456789",
        "TrangThaiHoSo": 1,
        "SoLanBoSung": 0,
        "PhieuXinLoi": False,
        "NgayTiepNhan": "20230106100000",
        "NgayCapNhat": "20230106100000",
        "ThanhToanTrucTuyen": None,
    }
    record.update(values)
    return json.dumps(record, ensure_ascii=False)


def test_an_export_as_the_api_writes_it_is_read_natively(tmp_path):
    data = "".join(dossier_line(n) + "\n" for n in range(1, 6)).encode()
    assert read_natively(data, "dossiers")
    batch = both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.jsonl", data)])
    assert batch.loaded.height == 5
    assert batch.outcomes[0].rows_in == 5


@pytest.mark.parametrize(
    "line",
    [
        dossier_line(2, SoLanBoSung=1.0),  # a float: Python writes it its own way
        dossier_line(2).replace("Diễm", "Di\\u1ec5m"),  # an escape
        dossier_line(2, MaTTHC={"a": 1}),  # nested
        dossier_line(2).replace('"MaTTHC"', '"MaHoSo": "P1-009", "MaTTHC"'),  # repeated key
        dossier_line(2).replace(', "ThanhToanTrucTuyen": null', ""),  # a key fewer
        "",  # a blank line
        "[1]",
    ],
    ids=["float", "escape", "nested", "repeated key", "key missing", "blank line", "array"],
)
def test_what_the_native_path_leaves_to_the_python_reader(tmp_path, line):
    data = f"{dossier_line(1)}\n{line}\n{dossier_line(3)}\n".encode()
    assert not read_natively(data, "dossiers")
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.jsonl", data)])


def test_a_very_long_line_comes_out_the_same(tmp_path):
    long = "Đ" * 400_000
    data = f"{dossier_line(1, DiaChi='x')}\n{dossier_line(2, DiaChi=long)}\n".encode()
    assert read_natively(data, "dossiers")
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.jsonl", data)])


def test_an_unexpected_error_on_the_native_path_leaves_the_files_to_the_python_reader(
    tmp_path, monkeypatch, caplog
):
    def failing(texts, keys):
        raise ValueError(f"cannot use {texts[0][1][:60]!r}")

    data = "".join(dossier_line(n) + "\n" for n in range(1, 4)).encode()
    file = landing_file(tmp_path, "31321/dossiers/2023-01-06.jsonl", data)
    with python_reader():
        python = parse_batch("dossiers", [file], {}, PSEUDONYMISER)
    monkeypatch.setattr(native_jsonl, "read", failing)
    with caplog.at_level(logging.ERROR):
        native = parse_batch("dossiers", [file], {}, PSEUDONYMISER)
    assert_same(native, python)
    assert "unexpected ValueError" in caplog.text
    assert not any(value in caplog.text for value in [*PERSONAL, "P1-00", "Diễm"])


@pytest.mark.parametrize("value", TIDY_JSON + ODD_JSON)
@pytest.mark.parametrize("key", ["MaTTHC", "SoLanBoSung", "ChuHoSo"])
def test_each_kind_of_value_comes_out_the_same(tmp_path, key, value):
    """Each value the generated files draw from, alone in a tidy file: in a text column, a
    whole-number column and a personal one."""
    line = dossier_line(2, **{key: "@value@"}).replace('"@value@"', value)
    data = f"{dossier_line(1)}\n{line}\n".encode()
    assert (value in TIDY_JSON) <= read_natively(data, "dossiers")
    both_ways("dossiers", [landing_file(tmp_path, "31321/dossiers/2023-01-06.jsonl", data)])
