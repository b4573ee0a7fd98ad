"""Unicode NFC, exactly as unicodedata.normalize("NFC", ...) gives it, for less.

Most delivered text is NFC already (UTF-8 files), and normalize() still looks at every
character of it, which costs more than reading the file. Text holding no character that
can make it other than NFC is NFC: a character with a combining class, one whose NFC
differs from itself (NFC_Quick_Check=No), or one that may compose with the character
before it (NFC_Quick_Check=Maybe). Those are few, and polars finds them at memory speed.

cp1258 text is not NFC: its writers put tone marks after their letters (a, U+0301), which
normalize() decomposes and composes again, character by character. Whole polars columns
are composed here instead, each (letter, mark) pair replaced by the letter the pair
composes to; what that does not make surely NFC (stacked marks, Hangul jamo, marks
after other letters...) is normalised by unicodedata, value by value.

Every table is derived from unicodedata at first use, never typed: same Unicode version,
same answers.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache

import polars as pl

# Hangul syllables compose from jamo by arithmetic, not by decomposition mappings
# (Unicode 3.12): a vowel or trailing consonant may compose with what precedes it.
_HANGUL_V = range(0x1161, 0x1176)
_HANGUL_T = range(0x11A8, 0x11C3)
_HANGUL_SYLLABLES = range(0xAC00, 0xD7A4)


@cache
def _character_properties() -> tuple[tuple[int, ...], tuple[tuple[int, str], ...]]:
    """The code points of a combining class, and (code point, canonical decomposition
    mapping) of every character that has one: the only characters NFC may change, compose
    or reorder (a few thousand), found in one pass over the code points asking only the two
    cheap properties."""
    combining, decomposed = [], []
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue  # surrogates: no character of a str that polars holds
        char = chr(point)
        if unicodedata.combining(char):
            combining.append(point)
        mapping = unicodedata.decomposition(char)
        if mapping and not mapping.startswith("<"):  # "<compat>" and the like: not canonical
            decomposed.append((point, mapping))
    return tuple(combining), tuple(decomposed)


@cache
def _unsafe_code_points() -> tuple[tuple[int, int], ...]:
    """Ranges (first, last) of the characters a text must lack to be NFC as it stands: a
    superset of those whose NFC_Quick_Check is not Yes, and those of a combining class
    (NFC wants them in canonical order, which is only checked where one is).

    A character without a canonical decomposition is its own NFC (NFC composes what NFD
    decomposed; Hangul syllables, which unicodedata gives no mapping, are NFC), so only
    those with one are normalised here: the same set as normalising every character."""
    combining, decomposed = _character_properties()
    unsafe = {*_HANGUL_V, *_HANGUL_T, *combining}
    for point, mapping in decomposed:
        if unicodedata.normalize("NFC", chr(point)) != chr(point):
            unsafe.add(point)
        # all but the first character of the mapping may compose after one
        unsafe.update(int(part, 16) for part in mapping.split()[1:])
    ranges: list[list[int]] = []
    for point in sorted(unsafe):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return tuple((first, last) for first, last in ranges)


@cache
def _unsafe() -> str:
    """A polars (Rust regex) pattern matching any of _unsafe_code_points."""
    return (
        "["
        + "".join(
            f"\\x{{{a:x}}}" + ("" if a == b else f"-\\x{{{b:x}}}") for a, b in _unsafe_code_points()
        )
        + "]"
    )


@cache
def _pairs() -> dict[str, str]:
    """(letter, mark) -> the one character NFC composes them to: for each character NFC
    keeps whose NFD is a letter and marks, the pairs of one of those marks and the one
    character the rest composes to (ậ: â with U+0323, ạ with U+0302). Only letters that
    are starters and decompose to a starter: replacing such a pair keeps a text
    canonically equivalent whatever surrounds it (the pair's marks are sorted among their
    neighbours as the composed letter's are), so a result that is NFC is the text's NFC."""
    pairs = {}
    # a character whose NFD is more than itself has a canonical decomposition (Hangul
    # syllables, which have none in unicodedata, are left to unicodedata: 11,172 of them)
    for point, _mapping in _character_properties()[1]:
        char = chr(point)
        parts = unicodedata.normalize("NFD", char)
        if len(parts) < 2 or unicodedata.normalize("NFC", char) != char:
            continue
        for at in range(1, len(parts)):
            letter = unicodedata.normalize("NFC", parts[:at] + parts[at + 1 :])
            if len(letter) != 1 or unicodedata.combining(letter):
                continue
            if unicodedata.combining(unicodedata.normalize("NFD", letter)[0]):
                continue
            if unicodedata.normalize("NFC", letter + parts[at]) == char:
                pairs[letter + parts[at]] = char
    return pairs


def nfc(text: str) -> str:
    """unicodedata.normalize("NFC", text)."""
    # normalize() runs the NFC quick check itself and returns text that passes it as is;
    # asking is_normalized() first made text that is not NFC (all cp1258) pay it twice.
    # (A regular expression of the _unsafe characters scans Python text slower than that.)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def nfc_series(texts: pl.Series) -> pl.Series:
    """nfc of each value of a text column (nulls stay null); `texts` is left as it is."""
    unsafe = texts.str.contains(_unsafe())
    if not unsafe.any():
        return texts
    where = unsafe.arg_true()
    composed = texts.gather(where)
    # A second pass composes what the first made of stacked marks (a, U+0302, U+0301: â,
    # U+0301), as NFD text has them; what is still not surely NFC is left to unicodedata.
    for _ in range(2):
        composed = composed.str.replace_many(_pairs())
        if not (still := composed.str.contains(_unsafe())).any():
            return texts.clone().scatter(where, composed)  # scatter works in place
    left = still.arg_true()
    originals = texts.gather(where.gather(left)).to_list()
    composed = composed.scatter(left, [unicodedata.normalize("NFC", t) for t in originals])
    return texts.clone().scatter(where, composed)  # scatter works in place
