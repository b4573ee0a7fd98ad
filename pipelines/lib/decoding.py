"""Turn a delivered file's bytes into NFC text, trusting the unit's declared encoding only
as far as the bytes allow."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

ENCODINGS = ("utf-8", "utf-8-sig", "cp1258")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding the contract allows."""


@dataclass(frozen=True)
class Decoded:
    text: str  # NFC
    encoding: str  # the encoding actually used
    note: str | None  # set when that differs from the declared one


def nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _sniff(data: bytes, declared: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.isascii():
        return declared  # every allowed encoding reads ASCII the same way
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1258"
    # Non-ASCII text that is valid UTF-8 is UTF-8 whatever was declared: cp1258 would
    # "succeed" on it too, producing mojibake, so a failed decode is not a usable signal.
    return "utf-8-sig" if declared == "utf-8-sig" else "utf-8"


def decode(data: bytes, declared: str = "utf-8") -> Decoded:
    """Decode with the declared encoding where the bytes agree, else with the one they show.

    BOM -> utf-8-sig; valid (non-ASCII) UTF-8 -> utf-8; anything else -> cp1258. Raises
    UndecodableError for binary data (NUL bytes) or bytes cp1258 cannot map either.
    """
    declared = declared.lower() if declared else "utf-8"
    if declared not in ENCODINGS:
        raise ValueError(f"unknown encoding {declared!r}; expected one of {', '.join(ENCODINGS)}")
    if b"\x00" in data:
        raise UndecodableError("file contains NUL bytes: binary data (or UTF-16), not text")
    encoding = _sniff(data, declared)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UndecodableError(
            f"not valid text in utf-8 or cp1258 (byte 0x{data[exc.start]:02x} at {exc.start})"
        ) from None
    note = None if encoding == declared else f"declared {declared}, decoded as {encoding}"
    return Decoded(nfc(text), encoding, note)
