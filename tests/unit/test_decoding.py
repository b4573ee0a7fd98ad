import codecs
import unicodedata

import pytest

from pipelines.lib.decoding import UndecodableError, decode, nfc

NAME = "Lương Thị Diễm"


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as a Vietnamese cp1258 writer emits it: letters with their own diacritics
    (â, ơ, ư, đ...) precomposed, tone marks as separate combining characters."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def test_cp1258_helper_writes_decomposed_tones():
    # 'Mã' -> 'M', 'a', combining tilde (0xDE): as in the contract's example files.
    assert cp1258("Mã") == b"Ma\xde"
    assert cp1258("ư") == b"\xfd"


def test_declared_encoding_used_when_bytes_agree():
    for declared in ("utf-8", "utf-8-sig"):
        got = decode(NAME.encode("utf-8"), declared)
        assert (got.text, got.encoding, got.note) == (NAME, declared, None)
    got = decode(cp1258(NAME), "cp1258")
    assert (got.text, got.encoding, got.note) == (NAME, "cp1258", None)


def test_cp1258_comes_out_nfc():
    text = decode(cp1258(NAME), "cp1258").text
    assert text == NAME and unicodedata.is_normalized("NFC", text)


def test_wrong_declaration_is_corrected_and_noted():
    got = decode(cp1258(NAME), "utf-8")
    assert (got.text, got.encoding) == (NAME, "cp1258")
    assert got.note == "declared utf-8, decoded as cp1258"
    # UTF-8 bytes also decode as cp1258 (mojibake), so they must be recognised as UTF-8.
    got = decode(NAME.encode("utf-8"), "cp1258")
    assert (got.text, got.encoding) == (NAME, "utf-8")
    assert got.note == "declared cp1258, decoded as utf-8"


def test_bom_is_stripped_whatever_was_declared():
    got = decode(codecs.BOM_UTF8 + "Mã hồ sơ".encode(), "utf-8")
    assert (got.text, got.encoding) == ("Mã hồ sơ", "utf-8-sig")
    assert got.note == "declared utf-8, decoded as utf-8-sig"


def test_ascii_and_empty_keep_the_declared_encoding():
    assert decode(b"a,b\n", "cp1258").encoding == "cp1258"
    assert decode(b"", "utf-8-sig").text == ""


def test_binary_is_undecodable():
    with pytest.raises(UndecodableError, match="NUL"):
        decode(b"PK\x03\x04\x00\x00junk", "utf-8")
    # 0x81 is undefined in cp1258 and invalid as UTF-8.
    with pytest.raises(UndecodableError, match="not valid text"):
        decode(b"abc\x81\x81", "utf-8")


def test_unknown_declared_encoding_is_an_error():
    with pytest.raises(ValueError, match="unknown encoding"):
        decode(b"x", "latin-1")


def test_nfc():
    assert nfc(unicodedata.normalize("NFD", NAME)) == NAME


def test_a_text_is_held_once_as_text_or_as_its_delivered_bytes():
    """A parse process holds a batch of hundreds of files: each as text, or (a JSONL that
    native_jsonl reads from its bytes) as the bytes delivered, never both."""
    data = "Mã hồ sơ,Phường Hai\n".encode()
    as_text = decode(data, "utf-8")
    assert as_text.raw == "Mã hồ sơ,Phường Hai\n" and as_text.delivered is None
    as_bytes = decode(codecs.BOM_UTF8 + data, "utf-8-sig", as_bytes=True)
    assert as_bytes.raw is None and as_bytes.delivered == data  # without its byte-order mark
    assert as_bytes.text == as_text.text and as_bytes.utf8() == data
    # text that NFC changed, or cp1258, is held as text whatever was asked
    decomposed = decode("Phu\u031bo\u031b\u0300ng\n".encode(), as_bytes=True)
    assert decomposed.delivered is None and decomposed.text == "Phường\n"
    cp1258 = "Ph\u01b0\u01a1\u0300ng\n".encode("cp1258")  # ư, ơ and a combining grave
    assert decode(cp1258, "cp1258", as_bytes=True).delivered is None
