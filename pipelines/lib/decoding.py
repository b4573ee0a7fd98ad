"""Turn a delivered file's bytes into NFC text, trusting the unit's declared encoding only
as far as the bytes allow."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cached_property

from pipelines.lib.normal_form import nfc

ENCODINGS = ("utf-8", "utf-8-sig", "cp1258")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding the contract allows."""


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BINARY = re.compile(rb"[\x01-\x08\x0e-\x1f]")  # control characters text does not hold


@dataclass(frozen=True)
class Decoded:
    """A file's text, held once: as text (`raw`), or, when decoding and NFC left the
    delivered UTF-8 as it was and the reader asked for bytes, as those bytes (`delivered`;
    `raw` is then None). A batch holds hundreds of files: text and bytes both were a third
    more memory per parse process than either."""

    raw: str | None  # as decoded: NFC already when `is_nfc`; None when held as `delivered`
    encoding: str  # the encoding actually used
    note: str | None  # set when that differs from the declared one
    is_nfc: bool = True
    # The text's UTF-8 as delivered (without a byte-order mark): what polars reads needs no
    # encoding of the text again.
    delivered: bytes | None = field(default=None, repr=False, compare=False)

    def utf8(self) -> bytes:
        """The text (NFC) as UTF-8."""
        return self.delivered if self.delivered is not None else self.text.encode()

    @cached_property
    def text(self) -> str:
        """The text, NFC: made so on first use (cp1258 text), decoded again from the
        delivered bytes if held as those."""
        if self.raw is None:
            return self.delivered.decode("utf-8")
        return self.raw if self.is_nfc else nfc(self.raw)


def _sniffed(data: bytes, declared: str) -> tuple[str, str]:
    """(encoding, text) of bytes, decoded once: the encoding they show, else the declared
    one. Raises UnicodeDecodeError for bytes cp1258 cannot map either."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", data.decode("utf-8-sig")
    if data.isascii():
        return declared, data.decode(declared)  # every allowed encoding reads ASCII alike
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1258", data.decode("cp1258")
    # Non-ASCII text that is valid UTF-8 is UTF-8 whatever was declared: cp1258 would
    # "succeed" on it too, producing mojibake, so a failed decode is not a usable signal.
    # (Without a byte-order mark, utf-8-sig reads the same text as utf-8.)
    return ("utf-8-sig" if declared == "utf-8-sig" else "utf-8"), text


def utf16_text(data: bytes) -> str | None:
    """The text of UTF-16 bytes (Excel's "Unicode Text"), or None when they are not UTF-16:
    a byte-order mark, or, without one, a NUL in every other byte of most characters (the
    high byte of ASCII letters, digits and separators)."""
    if data.startswith(_UTF16_BOMS):
        encoding = "utf-16"
    elif len(data) >= 2 and b"\x00" in data:
        pairs = len(data) // 2
        high_second, high_first = data[1::2].count(0), data[0::2].count(0)
        if high_second >= pairs * 0.3 and high_first == 0:
            encoding = "utf-16-le"
        elif high_first >= pairs * 0.3 and high_second == 0:
            encoding = "utf-16-be"
        else:
            return None
    else:
        return None
    try:
        return nfc(data.decode(encoding))
    except UnicodeDecodeError:
        return None


def text_view(data: bytes) -> str | None:
    """Bytes that `decode` refused, as text good enough to count their lines, or None for
    binary data. UTF-16 is decoded; other bytes holding no control characters but tab, line
    ends and NUL are read byte for byte (latin-1): line ends, quotes and separators are
    ASCII in every encoding the contract allows, so their lines are the lines sent."""
    text = utf16_text(data)
    if text is not None:
        return text
    return None if _BINARY.search(data) else data.decode("latin-1")


def decode(data: bytes, declared: str = "utf-8", as_bytes: bool = False) -> Decoded:
    """Decode with the declared encoding where the bytes agree, else with the one they show.
    With `as_bytes`, text that decoding and NFC leave as delivered is held as its UTF-8
    bytes (Decoded.delivered), not as text.

    BOM -> utf-8-sig; valid (non-ASCII) UTF-8 -> utf-8; anything else -> cp1258. Raises
    UndecodableError for UTF-16 text, binary data (NUL bytes) or bytes cp1258 cannot map
    either; `text_view` still shows such bytes' lines, so that their records are counted.
    """
    declared = declared.lower() if declared else "utf-8"
    if declared not in ENCODINGS:
        raise ValueError(f"unknown encoding {declared!r}; expected one of {', '.join(ENCODINGS)}")
    if utf16_text(data) is not None:
        raise UndecodableError("file is UTF-16 text (Excel's 'Unicode Text'), not utf-8 or cp1258")
    if b"\x00" in data:
        raise UndecodableError("file contains NUL bytes: binary data, not text")
    try:
        encoding, text = _sniffed(data, declared)
    except UnicodeDecodeError as exc:
        raise UndecodableError(
            f"not valid text in utf-8 or cp1258 (byte 0x{data[exc.start]:02x} at {exc.start})"
        ) from None
    note = None if encoding == declared else f"declared {declared}, decoded as {encoding}"
    if encoding == "cp1258":
        # Its writers put tone marks after their letters (never NFC): made NFC when read,
        # the clean CSVs by native_csv with the batch's others, in polars, all at once.
        return Decoded(text, encoding, note, is_nfc=text.isascii())
    normal = nfc(text)
    if normal is not text:
        return Decoded(normal, encoding, note)
    if not as_bytes:
        return Decoded(text, encoding, note)
    # Text already NFC comes back from nfc as it is: the delivered bytes but a byte-order
    # mark are then the text's UTF-8 (utf-8, or ASCII declared utf-8-sig).
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return Decoded(None, encoding, note, delivered=data)
