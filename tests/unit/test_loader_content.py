"""Ingest skips a file by its content (sha256), not by its mtime: a touched file is not
reloaded, a corrected re-delivery with the same size and an old mtime is."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipelines.lib import file_hash, loader
from pipelines.lib.landing import discover
from pipelines.lib.loader import IngestSummary, connect_build, file_sha256, ingest_feed
from pipelines.lib.pseudonymise import Pseudonymiser
from tests.unit.test_parsing import DOSSIER_HEADER, GOOD_DOSSIER

UNIT = "31321"
RELPATH = f"{UNIT}/dossiers/2023-01-06.csv"
ENCODINGS = {UNIT: "utf-8"}


def _csv(*codes: str) -> bytes:
    rows = [GOOD_DOSSIER.replace("P1-001", code) for code in codes]
    return ("\n".join([DOSSIER_HEADER, *rows]) + "\n").encode("utf-8")


def _deliver(landing: Path, data: bytes, relpath: str = RELPATH) -> Path:
    path = landing / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _ingest(landing: Path, database: Path, run_id: str) -> IngestSummary:
    conn = connect_build(database)
    try:
        return ingest_feed(
            conn, landing, "dossiers", Pseudonymiser(b"k" * 32), ENCODINGS, run_id=run_id
        )
    finally:
        conn.close()


def _query(database: Path, sql: str) -> list[tuple]:
    conn = connect_build(database)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _counts(summary: IngestSummary) -> dict[str, int]:
    return {
        "skipped": summary.files_skipped,
        "loaded": summary.files_loaded,
        "replaced": summary.files_replaced,
        "rejected": summary.files_rejected,
    }


@pytest.fixture
def landing(tmp_path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def database(tmp_path) -> Path:
    return tmp_path / "build.duckdb"


def test_same_size_old_mtime_redelivery_is_reloaded_and_replaces_its_predecessor(landing, database):
    first, corrected = _csv("P1-001", "P1-002"), _csv("P1-001", "P1-009")
    assert len(first) == len(corrected) and first != corrected
    path = _deliver(landing, first)
    _deliver(landing, _csv("P1-000"), f"{UNIT}/dossiers/2023-01-05.csv")  # never changes
    mtime = path.stat().st_mtime_ns
    assert _counts(_ingest(landing, database, "run-1"))["loaded"] == 2

    # The unit re-delivers a corrected file under the same name; the copy keeps the old mtime
    # (cp -p, rsync -t, an unzipped archive): size and mtime both match the ledger.
    path.write_bytes(corrected)
    os.utime(path, ns=(mtime, mtime))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (len(first), mtime)

    summary = _ingest(landing, database, "run-2")
    assert _counts(summary) == {"skipped": 1, "loaded": 1, "replaced": 1, "rejected": 0}
    assert _query(database, "SELECT dossier_code, source_file FROM raw.dossiers ORDER BY 1") == [
        ("P1-000", f"{UNIT}/dossiers/2023-01-05.csv"),
        ("P1-001", RELPATH),
        ("P1-009", RELPATH),
    ]
    ledger = "SELECT sha256, size_bytes, run_id FROM raw.ingest_ledger WHERE source_file = ?"
    conn = connect_build(database)
    try:
        assert conn.execute(ledger, [RELPATH]).fetchall() == [
            (hashlib.sha256(corrected).hexdigest(), len(corrected), "run-2")
        ]
    finally:
        conn.close()


def test_touched_unchanged_file_is_not_reloaded(landing, database):
    path = _deliver(landing, _csv("P1-001", "P1-002"))
    _ingest(landing, database, "run-1")
    ledger_before = _query(database, "SELECT * FROM raw.ingest_ledger")
    mtime = path.stat().st_mtime_ns
    os.utime(path, ns=(mtime + 10**10, mtime + 10**10))  # touched: ten seconds newer

    summary = _ingest(landing, database, "run-2")
    assert _counts(summary) == {"skipped": 1, "loaded": 0, "replaced": 0, "rejected": 0}
    assert summary.batches == 0
    assert _query(database, "SELECT dossier_code FROM raw.dossiers ORDER BY 1") == [
        ("P1-001",),
        ("P1-002",),
    ]
    # The ledger still says run-1 loaded it: run-2's checks have nothing of it to judge.
    assert _query(database, "SELECT * FROM raw.ingest_ledger") == ledger_before


def test_unchanged_rejected_file_is_skipped_and_retried_once_its_bytes_change(landing, database):
    # A unit sends UTF-16 by mistake: rejected, with the sha256 of the bytes it was sent.
    wrong = _csv("P1-001").decode("utf-8").encode("utf-16")
    path = _deliver(landing, wrong)
    assert _counts(_ingest(landing, database, "run-1"))["rejected"] == 1
    assert _query(database, "SELECT status, sha256 FROM raw.ingest_ledger") == [
        ("rejected", hashlib.sha256(wrong).hexdigest())
    ]

    # The same bytes written again (a new mtime): still the same file, not tried again.
    path.write_bytes(wrong)
    summary = _ingest(landing, database, "run-2")
    assert _counts(summary) == {"skipped": 1, "loaded": 0, "replaced": 0, "rejected": 0}
    assert _query(database, "SELECT count(*) FROM raw.set_aside") == [(1,)]

    # Re-delivered in UTF-8: tried again, loaded, and the rejection is gone.
    fixed = _csv("P1-001")
    path.write_bytes(fixed)
    summary = _ingest(landing, database, "run-3")
    assert _counts(summary) == {"skipped": 0, "loaded": 1, "replaced": 1, "rejected": 0}
    assert _query(database, "SELECT status, sha256, run_id FROM raw.ingest_ledger") == [
        ("loaded", hashlib.sha256(fixed).hexdigest(), "run-3")
    ]
    assert _query(database, "SELECT count(*) FROM raw.set_aside") == [(0,)]
    assert _query(database, "SELECT dossier_code FROM raw.dossiers") == [("P1-001",)]


def test_file_sha256_streams_to_the_digest_parsing_records(tmp_path):
    data = os.urandom(file_hash._HASH_CHUNK * 2 + 123)  # several chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert file_sha256(empty) == hashlib.sha256(b"").hexdigest()


def test_files_that_cannot_be_compared_do_not_stop_the_check(landing, database, monkeypatch):
    keep = _deliver(landing, _csv("P1-001"), f"{UNIT}/dossiers/2023-01-06.csv")
    locked = _deliver(landing, _csv("P1-002"), f"{UNIT}/dossiers/2023-01-07.csv")
    moved = _deliver(landing, _csv("P1-003"), f"{UNIT}/dossiers/2023-01-08.csv")
    gone = _deliver(landing, _csv("P1-004"), f"{UNIT}/dossiers/2023-01-09.csv")
    _ingest(landing, database, "run-1")
    files, _ = discover(landing, feeds=("dossiers",))
    gone.unlink()  # vanished after it was listed

    real_sha256 = loader.file_sha256

    def sha256_or_denied(path: Path) -> str:
        if path in (locked, moved):
            raise PermissionError(13, "Permission denied", str(path))
        return real_sha256(path)

    monkeypatch.setattr(loader, "file_sha256", sha256_or_denied)
    mtime = moved.stat().st_mtime_ns
    os.utime(moved, ns=(mtime + 10**10, mtime + 10**10))
    conn = connect_build(database)
    try:
        todo, replaced = loader._changed_files(files, loader._ledger_signatures(conn, "dossiers"))
    finally:
        conn.close()
    # Unreadable with the size and mtime the ledger has: kept. Unreadable and newer: tried
    # again, so that the ledger says why it cannot be read. Gone: its earlier load stays.
    assert [f.path for f in todo] == [moved]
    assert replaced == {moved.relative_to(landing).as_posix()}
    assert keep.exists()
