"""Keyed hashing of applicants' ID numbers, so dossiers can be linked without storing them.

The key lives outside git (warehouse/ by default, chosen by the caller). Losing it breaks
the link between old and new hashes; it is therefore created once and never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import polars as pl

KEY_BYTES = 32
_SHA256_BLOCK = 64  # bytes
_SEPARATORS = re.compile(r"[\s.\-]+")
_KIND_SEPARATORS = re.compile(r"[\s.]+")
# Order matters: a 12-digit number is a citizen ID before it could be anything else.
_KINDS = (
    ("citizen_id", r"^[0-9]{12}$"),
    ("old_id", r"^[0-9]{9}$"),
    ("tax_code", r"^[0-9]{10}(-?[0-9]{3})?$"),  # enterprise code, or branch code with its suffix
)
# The kinds of a well-formed ID number (anything else is 'other'); the checks read this.
ID_KINDS = tuple(kind for kind, _pattern in _KINDS)


def load_or_create_key(path: Path) -> bytes:
    """Read the hex key at `path`, or create it (mode 0600, folder too) when it is missing."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            # O_EXCL: never overwrite a key another process created a moment ago.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{path}: pseudonymisation key is not hex") from None
    if len(key) < 16:
        raise ValueError(f"{path}: pseudonymisation key is too short ({len(key)} bytes)")
    return key


def normalise_id(id_number: str) -> str:
    """The form that is hashed: no spaces, dots or dashes, letters upper-case."""
    return _SEPARATORS.sub("", id_number).upper()


def id_kind(id_number: str) -> str:
    """'citizen_id' (12 digits), 'old_id' (9), 'tax_code' (10, or 10-3) or 'other'."""
    compact = _KIND_SEPARATORS.sub("", id_number)
    for kind, pattern in _KINDS:
        if re.match(pattern, compact):
            return kind
    return "other"


class Pseudonymiser:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("pseudonymisation key must be at least 16 bytes")
        # HMAC (RFC 2104) over SHA-256 from its two padded key blocks, prepared once: a
        # batch hashes tens of thousands of numbers, and hmac.digest sets the key up anew
        # for each (three times slower). Same digests: the tests compare with hmac.
        block = (hashlib.sha256(key).digest() if len(key) > _SHA256_BLOCK else key).ljust(
            _SHA256_BLOCK, b"\0"
        )
        self._inner = bytes(b ^ 0x36 for b in block)
        self._outer = bytes(b ^ 0x5C for b in block)

    def hash_id(self, id_number: str) -> str:
        """HMAC-SHA256 (hex) of the normalised ID number."""
        return self._hmac(normalise_id(id_number))

    def _hmac(self, normalised: str) -> str:
        inner = hashlib.sha256(self._inner + normalised.encode("utf-8")).digest()
        return hashlib.sha256(self._outer + inner).hexdigest()

    def hash_series(self, ids: pl.Series) -> pl.Series:
        """hash_id over a string column; null and blank stay null. Hashes each value once."""
        normalised = ids.cast(pl.String).str.replace_all(r"[\s.\-]+", "").str.to_uppercase()
        distinct = normalised.drop_nulls().unique()
        distinct = distinct.filter(distinct != "")
        hashes = pl.Series([self._hmac(v) for v in distinct.to_list()], dtype=pl.String)
        hashed = normalised.replace_strict(distinct, hashes, default=None, return_dtype=pl.String)
        return hashed.alias(ids.name)


def id_kind_expr(ids: pl.Expr) -> pl.Expr:
    """id_kind as a polars expression; null stays null."""
    compact = ids.str.replace_all(r"[\s.]+", "")
    expr = pl.when(ids.is_null()).then(pl.lit(None, pl.String))
    for kind, pattern in _KINDS:
        expr = expr.when(compact.str.contains(pattern)).then(pl.lit(kind))
    return expr.otherwise(pl.lit("other"))
