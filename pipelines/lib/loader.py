"""Loading parsed files into the raw layer of the build file, in bounded batches.

Each batch of files is parsed into one frame and written in one transaction together with
its ledger rows and set-aside rows, so a crash never leaves a file half-loaded: either the
file's rows, its set-aside rows and its ledger row are all there, or none of them is.
Idempotent by content: a file already in the ledger whose bytes have the sha256 the ledger
recorded is skipped, whatever its mtime says (a touched file is not reloaded; a corrected
re-delivery with the same size and an old mtime is). Its size is compared first, so a file
of another size is known changed without reading it; otherwise it is hashed in chunks. A
changed file, loaded or rejected before, is parsed again and replaces its earlier
contribution. The ledger's mtime decides only for a known file that cannot be read now
(permission): unchanged size and mtime keep its earlier load, anything else has it parsed
again so that the ledger says why it cannot be read. A known file gone since it was listed
keeps its earlier load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib import schema
from pipelines.lib.landing import LandingFile, discover, read_units
from pipelines.lib.parsing import FileOutcome, ParsedBatch, parse_batch
from pipelines.lib.pseudonymise import Pseudonymiser

# Files per transaction. Large enough that per-file overhead is amortised, small enough that
# one batch's frame stays far below the memory budget even at province volumes.
DEFAULT_BATCH_FILES = 400

_log = logging.getLogger(__name__)


def default_workers() -> int:
    """Processes parsing batches when the caller names none (the pipeline passes
    Settings.ingest_workers): one per CPU."""
    return os.cpu_count() or 1


def _column_list(columns: dict[str, str]) -> str:
    return ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns.items())


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables if they are missing (a new build file)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for feed in schema.FEEDS:
        columns = schema.feed_table_columns(feed)
        conn.execute(f"CREATE TABLE IF NOT EXISTS raw.{feed} ({_column_list(columns)})")
    conn.execute(f"CREATE TABLE IF NOT EXISTS raw.units ({_column_list(schema.UNITS_COLUMNS)})")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS raw.ingest_ledger ({_column_list(schema.LEDGER_COLUMNS)})"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS raw.set_aside ({_column_list(schema.SET_ASIDE_COLUMNS)})"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS raw.public_holidays "
        f"({_column_list(schema.PUBLIC_HOLIDAYS_COLUMNS)})"
    )


def connect_build(build_db: Path) -> duckdb.DuckDBPyConnection:
    build_db.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(build_db))
    ensure_raw_schema(conn)
    return conn


def load_units(conn: duckdb.DuckDBPyConnection, landing: Path) -> pl.DataFrame:
    """Replace raw.units with the registry as delivered now (it is a whole snapshot)."""
    units = read_units(landing)
    with transaction(conn):
        conn.execute("DELETE FROM raw.units")
        conn.register("units_frame", units.to_arrow())
        conn.execute("INSERT INTO raw.units BY NAME SELECT * FROM units_frame")
        conn.unregister("units_frame")
    return units


@dataclass
class IngestSummary:
    """What one ingest of one feed did; becomes the asset's metadata."""

    feed: str
    files_seen: int = 0
    files_skipped: int = 0  # already loaded, unchanged
    files_loaded: int = 0
    files_replaced: int = 0  # re-delivered with other bytes under the same name
    files_rejected: int = 0
    rows_in: int = 0
    rows_loaded: int = 0
    rows_set_aside: int = 0
    batches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_in / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int, IngestSummary], None]


def _ledger_signatures(
    conn: duckdb.DuckDBPyConnection, feed: str
) -> dict[str, tuple[int, int, str]]:
    """source_file -> (size_bytes, modified_ns, sha256) as the ledger recorded them when the
    file was last read, loaded or rejected. A rejected file's sha256 is of the bytes it was
    rejected for; one that could not be read at all was recorded with no bytes (size 0)."""
    rows = conn.execute(
        "SELECT source_file, size_bytes, modified_ns, sha256 FROM raw.ingest_ledger WHERE feed = ?",
        [feed],
    ).fetchall()
    return {source_file: (size, mtime, sha256) for source_file, size, mtime, sha256 in rows}


_HASH_CHUNK = 1 << 20  # bytes read at a time when hashing: one read for a daily file


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks: the digest parsing records in the ledger
    (FileOutcome.sha256, hashed from the whole bytes), without holding the file in memory.
    Plain os.read: half the cost of hashlib.file_digest on small files."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, _HASH_CHUNK):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def _unchanged(
    file: LandingFile, size: int | None, mtime_ns: int | None, sha256: str | None
) -> bool:
    """Whether the file still holds the bytes the ledger recorded for it."""
    try:
        stat = file.path.stat()
        if stat.st_size != size:
            return False  # known changed without reading it
        return file_sha256(file.path) == sha256
    except FileNotFoundError:
        # Gone since it was listed: as if never delivered, its earlier load stays.
        _log.warning("%s: vanished before it could be compared, kept as loaded", file.relpath)
        return True
    except OSError as exc:
        # Unreadable now (permission): judge by size and mtime as a last resort. Unchanged
        # keeps the earlier load; otherwise parsing tries it and the ledger records why not.
        _log.warning("%s: cannot hash (%s), compared by size and mtime", file.relpath, exc)
        try:
            return file.path.stat().st_mtime_ns == mtime_ns
        except OSError:
            return True


def _changed_files(
    files: Sequence[LandingFile], known: dict[str, tuple[int, int, str]]
) -> tuple[list[LandingFile], set[str]]:
    """Files to (re)load, and which of them replace an earlier load of the same name. A file
    is new, or its content differs from what the ledger recorded (size, then sha256)."""
    todo: list[LandingFile] = []
    replaced: set[str] = set()
    for file in files:
        signature = known.get(file.relpath)
        if signature is None:
            todo.append(file)
        elif not _unchanged(file, *signature):
            todo.append(file)
            replaced.add(file.relpath)
    return todo, replaced


def _batches(files: Sequence[LandingFile], size: int) -> Iterator[list[LandingFile]]:
    for start in range(0, len(files), size):
        yield list(files[start : start + size])


def _ledger_frame(
    outcomes: Sequence[FileOutcome], loaded_at: dt.datetime, run_id: str | None
) -> pl.DataFrame:
    rows = []
    for outcome in outcomes:
        stat = outcome.file.path.stat()
        rows.append(
            {
                "source_file": outcome.file.relpath,
                "unit_code": outcome.file.unit_code,
                "feed": outcome.file.feed,
                "export_date": outcome.file.export_date,
                "file_format": outcome.file.file_format,
                "encoding": outcome.encoding,
                "sha256": outcome.sha256,
                "size_bytes": outcome.size_bytes,
                "rows_in": outcome.rows_in,
                "rows_loaded": outcome.rows_loaded,
                "rows_set_aside": outcome.rows_set_aside,
                "modified_ns": stat.st_mtime_ns,
                "status": outcome.status,
                "error": outcome.error,
                "loaded_at": loaded_at,
                "run_id": run_id,
            }
        )
    return pl.DataFrame(rows, schema=_polars_schema(schema.LEDGER_COLUMNS))


_POLARS_TYPES = {
    "VARCHAR": pl.Utf8,
    "DATE": pl.Date,
    "TIMESTAMP": pl.Datetime("us"),
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "SMALLINT": pl.Int16,
    "BOOLEAN": pl.Boolean,
}


def _polars_schema(columns: dict[str, str]) -> dict[str, pl.DataType]:
    return {name: _POLARS_TYPES[sql_type] for name, sql_type in columns.items()}


class transaction:  # noqa: N801 - used as a context manager, reads like a keyword
    """BEGIN … COMMIT, or ROLLBACK on any error."""

    def __init__(self, conn: duckdb.DuckDBPyConnection):
        self.conn = conn

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.conn.execute("BEGIN TRANSACTION")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _write_batch(
    conn: duckdb.DuckDBPyConnection,
    feed: str,
    batch: ParsedBatch,
    replaced: set[str],
    run_id: str | None,
) -> None:
    ledger = _ledger_frame(batch.outcomes, dt.datetime.now(), run_id)
    with transaction(conn):
        if replaced:
            names = sorted(replaced)
            for table in (f"raw.{feed}", "raw.set_aside", "raw.ingest_ledger"):
                conn.execute(f"DELETE FROM {table} WHERE list_contains(?, source_file)", [names])
        for table, frame in (
            (f"raw.{feed}", batch.loaded),
            ("raw.set_aside", batch.set_aside),
            ("raw.ingest_ledger", ledger),
        ):
            if frame.height:
                conn.register("batch_frame", frame.to_arrow())
                conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM batch_frame")
                conn.unregister("batch_frame")


@dataclass(frozen=True)
class DayWindow:
    """Export dates to ingest, inclusive; None leaves that end open."""

    first: dt.date | None = None
    last: dt.date | None = None

    def __contains__(self, day: dt.date) -> bool:
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)


def ingest_feed(
    conn: duckdb.DuckDBPyConnection,
    landing: Path,
    feed: str,
    pseudonymiser: Pseudonymiser,
    encodings: dict[str, str],
    batch_files: int = DEFAULT_BATCH_FILES,
    progress: Progress | None = None,
    run_id: str | None = None,
    days: DayWindow = DayWindow(),
    workers: int | None = None,
) -> IngestSummary:
    """Load every new or changed file of one feed whose export date is within `days`;
    report what happened.

    Parsing is CPU work in Python and polars: with more than one batch to do, `workers`
    processes (default: `default_workers()`) parse batches while this process writes the
    parsed ones, in order, one transaction each. At most workers + 1 parsed batches wait in
    memory at any time."""
    started = time.perf_counter()
    summary = IngestSummary(feed=feed)
    # Misplaced files are reported once, by the units asset, not by every feed.
    files, _misplaced = discover(landing, feeds=(feed,))
    files = [file for file in files if file.export_date in days]
    summary.files_seen = len(files)
    todo, replaced = _changed_files(files, _ledger_signatures(conn, feed))
    summary.files_skipped = len(files) - len(todo)
    done = 0
    batches = list(_batches(todo, batch_files))
    parsed = _parsed_batches(feed, batches, encodings, pseudonymiser, workers)
    for batch_files_, batch in zip(batches, parsed, strict=True):
        batch_replaced = replaced.intersection(f.relpath for f in batch_files_)
        _write_batch(conn, feed, batch, batch_replaced, run_id)
        summary.batches += 1
        summary.files_replaced += len(batch_replaced)
        for outcome in batch.outcomes:
            if outcome.status == "rejected":
                summary.files_rejected += 1
                summary.notes.append(f"{outcome.file.relpath}: rejected: {outcome.error}")
            else:
                summary.files_loaded += 1
            summary.rows_in += outcome.rows_in or 0
            summary.rows_loaded += outcome.rows_loaded
            summary.rows_set_aside += outcome.rows_set_aside
        done += len(batch_files_)
        summary.seconds = time.perf_counter() - started
        if progress:
            progress(done, len(todo), summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _parsed_batches(
    feed: str,
    batches: list[list[LandingFile]],
    encodings: dict[str, str],
    pseudonymiser: Pseudonymiser,
    workers: int | None,
) -> Iterator[ParsedBatch]:
    """Each batch parsed, in order: in this process for one batch, else in a process pool
    that keeps a bounded number of batches ahead of the writer."""
    workers = min(workers or default_workers(), len(batches))
    if workers <= 1 or len(batches) < 3:  # starting processes costs about a second
        for files in batches:
            yield parse_batch(feed, files, encodings, pseudonymiser)
        return
    # spawn, not fork: the caller is a threaded process (Dagster, pytest)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        ahead: deque[Future[ParsedBatch]] = deque()
        todo = iter(batches)
        for files in todo:
            ahead.append(pool.submit(parse_batch, feed, files, encodings, pseudonymiser))
            if len(ahead) > workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def unit_encodings(units: pl.DataFrame) -> dict[str, str]:
    """unit_code -> declared CSV encoding (the latest registry row for a reused code wins)."""
    ordered = units.sort("valid_from")
    return dict(zip(ordered["unit_code"], ordered["csv_encoding"], strict=True))
