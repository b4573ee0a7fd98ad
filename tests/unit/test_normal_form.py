"""normal_form gives unicodedata's NFC, exactly, for every text: cp1258's decomposed tone
marks and whatever a hostile file holds (marks on other letters, stacked or out of order,
marks opening a text, Hangul jamo, singletons, characters NFC never keeps)."""

from __future__ import annotations

import sys
import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.lib import normal_form
from pipelines.lib.decoding import decode
from tests.unit.test_decoding import cp1258

TONES = "\u0300\u0301\u0303\u0309\u0323"
MARKS = TONES + "\u0302\u0306\u031b\u0308\u0327\u0328\u0345\u0342\u05b0\u0e48\u1dc0\u20d0"
VIETNAMESE = "aAeEiIoOuUyYâÂêÊôÔăĂơƠưƯđĐạậếửỹnNcCzZ "
LETTERS = VIETNAMESE + "αΑωΩιυεοηЕеИиКк"
SINGLETONS = "\u212b\u2126\u212a\u0340\u0341\u0343\u0344\u0374\u037e\u0387\uf900\u1f71\u2000"
HANGUL = "\u1100\u1112\u1161\u1175\u11a8\u11c2\uac00\uac01\ud7a3\u3131"
PIECES = LETTERS + MARKS + SINGLETONS + HANGUL + '\n\r,"; 0123'


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


texts = st.one_of(
    st.text(st.sampled_from(PIECES), max_size=40),
    st.text(max_size=20),  # any character at all
    st.lists(st.sampled_from(list(VIETNAMESE)), max_size=8).map(
        lambda letters: cp1258("".join(letters)).decode("cp1258")
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), texts), max_size=12))
def test_series_made_nfc_as_unicodedata_makes_each_text(values):
    got = normal_form.nfc_series(pl.Series(values, dtype=pl.String)).to_list()
    assert got == [None if v is None else nfc(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_text_made_nfc_as_unicodedata_makes_it(text):
    assert normal_form.nfc(text) == nfc(text)


def test_hostile_texts():
    for text in (
        "\u0301abc",  # a mark opening the text
        "a\u0302\u0301 a\u0301\u0302 a\u0323\u0302 a\u0302\u0323",  # stacked, either order
        "q\u0301 x\u0323\u0300 \u03b1\u0301 \u0438\u0306",  # on letters without them
        "\u1100\u1161\u11a8 \uac00\u11a8 \u1100\u0301\u1161",  # jamo, a mark in between
        "\u212b\u2126\u0344\u0958\u2adc\ufb1d",  # NFC never keeps these
        "e\u0301\u0301\u0301\u0301",
        "\u0323" * 5 + "a",
    ):
        values = [text, text + "\n" + text, ""]
        series = pl.Series(values)
        assert normal_form.nfc_series(series).to_list() == [nfc(v) for v in values]
        assert series.to_list() == values  # left as it was


def test_text_without_unsafe_characters_is_nfc_whatever_precedes_them():
    """Every assigned character outside _unsafe_code_points is NFC by itself, of no
    combining class, and composes with none of these letters before it."""
    unsafe = normal_form._unsafe_code_points()
    inside, at = set(), 0
    for first, last in unsafe:
        inside.update(range(first, last + 1))
    before = ("a", "â", "\u1100", "\uac00", "\u0915", "\u0627")
    for point in range(sys.maxunicode + 1):
        if point in inside or 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        if unicodedata.category(char) == "Cn":
            continue
        at += 1
        assert unicodedata.combining(char) == 0 and nfc(char) == char, hex(point)
        assert all(nfc(letter + char) == letter + char for letter in before), hex(point)
    assert at > 100_000


def test_pairs_compose_as_nfc_does():
    pairs = normal_form._pairs()
    assert pairs["a\u0301"] == "á" and pairs["â\u0323"] == "ậ" and pairs["ạ\u0302"] == "ậ"
    for pair, composed in pairs.items():
        assert nfc(pair) == composed and len(composed) == 1


def test_cp1258_text_is_made_nfc_when_read():
    name = "Lương Thị Diễm, Ấp Phú Hưng"
    decoded = decode(cp1258(name), "cp1258")
    assert not decoded.is_nfc and decoded.raw != name and decoded.text == name
    assert decode(cp1258(name).decode("cp1258").encode(), "utf-8").is_nfc
