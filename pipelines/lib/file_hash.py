"""The sha256 of a delivered file, as the ledger records it."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

_HASH_CHUNK = 1 << 20  # bytes read at a time when hashing: one read for a daily file


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks: the digest parsing records in the ledger
    (FileOutcome.sha256, hashed from the whole bytes), without holding the file in memory.
    Plain os.read: half the cost of hashlib.file_digest on small files.

    Only a regular file is read: a symbolic link (O_NOFOLLOW) or anything else put in the
    file's place since it was listed raises OSError, and a FIFO cannot block the open
    (O_NONBLOCK, then fstat) - the caller treats the file as changed or unreadable."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        while chunk := os.read(fd, _HASH_CHUNK):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()
