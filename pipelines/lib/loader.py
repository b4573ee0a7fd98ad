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

Everything else under the landing folder is in the ledger too. The registry files
(units.csv, unit_successions.csv) as feeds `units` and `unit_successions`, loading into
raw.units and raw.unit_successions. Entries that are not deliveries (misplaced, a name that
is not a date, a symbolic link or FIFO, a name that is not UTF-8) are rejected without being
opened, by `record_rejected`, which keeps their rows equal to what is there now. A feed file
of a unit that has no registry row on its export date is rejected without being opened, and
tried again once the registry has it (its ledger row has no sha256).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib import parse_processes, schema
from pipelines.lib.file_hash import file_sha256
from pipelines.lib.landing import (
    SUCCESSIONS_FEED,
    UNITS_FEED,
    UNITS_FILE,
    LandingFile,
    RegistryRead,
    Rejected,
    SetAsideRow,
    UnitRegistry,
    UnitsRegistryError,
    read_registry,
    read_successions,
    scan,
)
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
    """Create the raw tables if they are missing (a new build file), and add the columns a
    build file from an earlier version lacks (e.g. dossiers' late_reason)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    tables = {feed: schema.feed_table_columns(feed) for feed in schema.FEEDS}
    tables["units"] = schema.UNITS_TABLE_COLUMNS
    tables["unit_successions"] = schema.UNIT_SUCCESSIONS_TABLE_COLUMNS
    tables["ingest_ledger"] = schema.LEDGER_COLUMNS
    tables["set_aside"] = schema.SET_ASIDE_COLUMNS
    tables["public_holidays"] = schema.PUBLIC_HOLIDAYS_COLUMNS
    existing: dict[str, set[str]] = {}
    for table, column in conn.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'raw' AND database_name = current_database()"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    for table, columns in tables.items():
        if table not in existing:
            conn.execute(f"CREATE TABLE IF NOT EXISTS raw.{table} ({_column_list(columns)})")
            continue
        for name, sql_type in columns.items():
            if name not in existing[table]:
                conn.execute(f'ALTER TABLE raw.{table} ADD COLUMN "{name}" {sql_type}')


def connect_build(build_db: Path) -> duckdb.DuckDBPyConnection:
    build_db.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(build_db))
    ensure_raw_schema(conn)
    return conn


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height:
        conn.register("insert_frame", frame.to_arrow())
        conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM insert_frame")
        conn.unregister("insert_frame")


def _set_aside_frame(
    rows: Sequence[tuple[str, SetAsideRow, str | None, dt.date | None]],
) -> pl.DataFrame:
    """raw.set_aside rows from (source_file, row, feed, export_date)."""
    return pl.DataFrame(
        [
            {
                "source_file": source_file,
                "source_row": row.source_row,
                "unit_code": row.unit_code,
                "feed": feed,
                "export_date": export_date,
                "reason": row.reason,
                "record": row.record,
            }
            for source_file, row, feed, export_date in rows
        ],
        schema=_polars_schema(schema.SET_ASIDE_COLUMNS),
    )


def _registry_ledger_row(read: RegistryRead, run_id: str | None) -> dict:
    rejected = read.status == "rejected"
    return {
        "source_file": read.source_file,
        "unit_code": None,
        "feed": read.feed,
        "export_date": None,
        "file_format": "csv",
        "encoding": read.encoding,
        "sha256": read.sha256,
        "size_bytes": read.size_bytes,
        "rows_in": None if rejected else read.rows_in,
        "rows_loaded": read.rows_loaded,
        "rows_set_aside": 1 if rejected else read.rows_set_aside,
        "modified_ns": read.modified_ns,
        "status": read.status,
        "error": read.error,
        "loaded_at": dt.datetime.now(),
        "run_id": run_id,
    }


_LEDGER_FACTS = ("sha256", "status", "error", "rows_in", "rows_loaded", "rows_set_aside")


def _store_registry(
    conn: duckdb.DuckDBPyConnection, read: RegistryRead, table: str, run_id: str | None
) -> bool:
    """Replace raw.<table>, the file's ledger row and its set-aside rows with what `read`
    says (a registry file is a whole snapshot; a rejected or absent one leaves the table
    empty). Nothing is written when the ledger already says the same: False."""
    ledger = _registry_ledger_row(read, run_id) if read.present else None
    columns = ", ".join(_LEDGER_FACTS)
    recorded = conn.execute(
        f"SELECT {columns} FROM raw.ingest_ledger WHERE source_file = ?", [read.source_file]
    ).fetchall()
    wanted = [tuple(ledger[c] for c in _LEDGER_FACTS)] if ledger else []
    if recorded == wanted:
        return False
    aside = read.set_aside
    if read.status == "rejected":
        aside = [SetAsideRow(None, None, read.error or "rejected", None)]
    with transaction(conn):
        conn.execute(f"DELETE FROM raw.{table}")
        for name in ("raw.set_aside", "raw.ingest_ledger"):
            conn.execute(f"DELETE FROM {name} WHERE source_file = ?", [read.source_file])
        if ledger is None:
            return True
        if read.status == "loaded" and read.rows is not None:
            _insert(conn, f"raw.{table}", read.rows)
        _insert(
            conn,
            "raw.set_aside",
            _set_aside_frame([(read.source_file, row, read.feed, None) for row in aside]),
        )
        _insert(
            conn,
            "raw.ingest_ledger",
            pl.DataFrame([ledger], schema=_polars_schema(schema.LEDGER_COLUMNS)),
        )
    return True


def load_registry(
    conn: duckdb.DuckDBPyConnection, landing: Path, run_id: str | None = None
) -> RegistryRead:
    """Judge units.csv row by row and replace raw.units with its rows that stand (a whole
    snapshot), recording the file in the ledger (feed 'units') and its bad rows in
    raw.set_aside. Raises UnitsRegistryError when the file is missing or cannot be used at
    all, after recording why (raw.units is then empty: no file is attributed to a unit
    from a registry the ledger calls rejected)."""
    read = read_registry(landing)
    path = Path(landing) / UNITS_FILE
    if not read.present:
        raise UnitsRegistryError(f"{path}: file not found")
    _store_registry(conn, read, "units", run_id)
    if read.status == "rejected":
        raise UnitsRegistryError(f"{path}: {read.error}")
    return read


def load_units(
    conn: duckdb.DuckDBPyConnection, landing: Path, run_id: str | None = None
) -> pl.DataFrame:
    """load_registry, returning the rows loaded with exactly schema.UNITS_COLUMNS."""
    return load_registry(conn, landing, run_id).rows.select(list(schema.UNITS_COLUMNS))


def load_successions(
    conn: duckdb.DuckDBPyConnection, landing: Path, run_id: str | None = None
) -> RegistryRead:
    """Judge unit_successions.csv (optional) against raw.units and replace
    raw.unit_successions with its rows that stand; the file is in the ledger (feed
    'unit_successions') with its bad rows set aside. Without the file the table is empty."""
    units = conn.sql("SELECT unit_code, valid_from, valid_to FROM raw.units").pl()
    read = read_successions(landing, units)
    _store_registry(conn, read, "unit_successions", run_id)
    return read


def _is_misplaced_row() -> str:
    """SQL: the ledger rows record_rejected keeps (no export date, not a registry file)."""
    return (
        "export_date IS NULL AND status = 'rejected' "
        f"AND coalesce(feed, '') NOT IN ('{UNITS_FEED}', '{SUCCESSIONS_FEED}')"
    )


def _forget(conn: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    """Delete what the given source files contributed anywhere in raw (within a transaction)."""
    tables = [f"raw.{feed}" for feed in schema.FEEDS] + ["raw.set_aside", "raw.ingest_ledger"]
    for table in tables:
        conn.execute(f"DELETE FROM {table} WHERE list_contains(?, source_file)", [list(names)])


def record_rejected(
    conn: duckdb.DuckDBPyConnection, rejected: Sequence[Rejected], run_id: str | None = None
) -> tuple[int, int]:
    """Make the ledger's rejected entries that are not deliveries (no export date) equal to
    `rejected`, what scan() finds now: each with one set-aside row giving the reason, never
    opened. An entry already recorded with the same reason keeps its row; one no longer
    there loses it; an entry that replaced a file loaded earlier under the same name (a
    regular file swapped for a symbolic link) replaces that load. Returns (written, removed)."""
    recorded = dict(
        conn.execute(
            f"SELECT source_file, error FROM raw.ingest_ledger WHERE {_is_misplaced_row()}"
        ).fetchall()
    )
    now = {entry.relpath: entry for entry in rejected}
    gone = [name for name in recorded if name not in now]
    new = [entry for name, entry in now.items() if recorded.get(name, object()) != entry.reason]
    if not gone and not new:
        return 0, 0
    loaded_at = dt.datetime.now()
    ledger = pl.DataFrame(
        [
            {
                "source_file": entry.relpath,
                "unit_code": entry.unit_code,
                "feed": entry.feed,
                "rows_loaded": 0,
                "rows_set_aside": 1,
                "status": "rejected",
                "error": entry.reason,
                "loaded_at": loaded_at,
                "run_id": run_id,
            }
            for entry in new
        ],
        schema=_polars_schema(schema.LEDGER_COLUMNS),
    )
    aside = _set_aside_frame(
        [
            (
                entry.relpath,
                SetAsideRow(None, entry.unit_code, entry.reason, None),
                entry.feed,
                None,
            )
            for entry in new
        ]
    )
    with transaction(conn):
        _forget(conn, [*gone, *(entry.relpath for entry in new)])
        _insert(conn, "raw.set_aside", aside)
        _insert(conn, "raw.ingest_ledger", ledger)
    return len(new), len(gone)


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


Batch = tuple[list[LandingFile], dict[str, str]]


def encoding_batches(
    files: Sequence[LandingFile], registry: UnitRegistry, size: int
) -> list[Batch]:
    """Files in batches of at most `size`, each with the encodings parse_batch needs (unit
    code -> the declared encoding of the registry row valid on the file's export date). A
    reused code can have another encoding on other dates: a batch ends where one of its codes
    would need a second encoding, so every file is read with its own date's."""
    batches: list[Batch] = []
    files_: list[LandingFile] = []
    encodings: dict[str, str] = {}
    for file in files:
        encoding = registry.encoding_on(file.unit_code, file.export_date) or "utf-8"
        if len(files_) >= size or encodings.get(file.unit_code, encoding) != encoding:
            batches.append((files_, encodings))
            files_, encodings = [], {}
        files_.append(file)
        encodings[file.unit_code] = encoding
    if files_:
        batches.append((files_, encodings))
    return batches


def _modified_ns(path: Path) -> int | None:
    """The entry's own mtime (a link is not followed), or None once it is gone: a file that
    vanished after it was parsed must not take its batch's ledger rows down."""
    try:
        return os.stat(path, follow_symlinks=False).st_mtime_ns
    except OSError:
        return None


def _ledger_frame(
    outcomes: Sequence[FileOutcome], loaded_at: dt.datetime, run_id: str | None
) -> pl.DataFrame:
    rows = []
    for outcome in outcomes:
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
                "modified_ns": _modified_ns(outcome.file.path),
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
    encodings: UnitRegistry | Mapping[str, str],
    batch_files: int = DEFAULT_BATCH_FILES,
    progress: Progress | None = None,
    run_id: str | None = None,
    days: DayWindow = DayWindow(),
    workers: int | None = None,
) -> IngestSummary:
    """Load every new or changed file of one feed whose export date is within `days`;
    report what happened.

    `encodings` is the unit registry (UnitRegistry: each file is attributed to, and
    decoded with the encoding of, its unit's row valid on its export date), or a plain
    code -> encoding mapping whose codes count as registered on every day. A file of a
    unit with no row on its date is rejected without being opened.

    Parsing is CPU work in Python and polars: with more than one batch to do, `workers`
    processes (default: `default_workers()`) parse batches while this process writes the
    parsed ones, in order, one transaction each. At most workers + 1 parsed batches wait in
    memory at any time."""
    started = time.perf_counter()
    summary = IngestSummary(feed=feed)
    registry = encodings if isinstance(encodings, UnitRegistry) else UnitRegistry.undated(encodings)
    # Entries that are not deliveries are recorded once, by the units asset, not by every feed.
    # the window's days only: a night's scan does not build the year's files to drop them
    files = scan(landing, (feed,), days.first, days.last).files
    summary.files_seen = len(files)
    known = _ledger_signatures(conn, feed)
    unregistered = [
        (file, why) for file in files if (why := registry.problem(file.unit_code, file.export_date))
    ]
    unregistered_names = {file.relpath for file, _ in unregistered}
    registered = [file for file in files if file.relpath not in unregistered_names]
    written = _reject_unregistered(conn, feed, unregistered, known, run_id, summary)
    summary.files_skipped = len(unregistered) - written
    todo, replaced = _changed_files(registered, known)
    summary.files_skipped += len(registered) - len(todo)
    done = 0
    batches = encoding_batches(todo, registry, batch_files)
    parsed = _parsed_batches(feed, batches, pseudonymiser, workers)
    for (batch_files_, _encodings), batch in zip(batches, parsed, strict=True):
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


def _reject_unregistered(
    conn: duckdb.DuckDBPyConnection,
    feed: str,
    unregistered: Sequence[tuple[LandingFile, str]],
    known: dict[str, tuple[int, int, str]],
    run_id: str | None,
    summary: IngestSummary,
) -> int:
    """Record files of units with no registry row on their export date as rejected (not
    opened: no sha256, so they are tried again once the registry has their unit), unless
    the ledger already says exactly that. A file loaded earlier loses that load. Returns
    how many rows were written."""
    recorded = dict(
        conn.execute(
            "SELECT source_file, error FROM raw.ingest_ledger "
            "WHERE feed = ? AND status = 'rejected' AND sha256 IS NULL",
            [feed],
        ).fetchall()
    )
    new = [(file, why) for file, why in unregistered if recorded.get(file.relpath) != why]
    if not new:
        return 0
    loaded_at = dt.datetime.now()
    ledger = pl.DataFrame(
        [
            {
                "source_file": file.relpath,
                "unit_code": file.unit_code,
                "feed": feed,
                "export_date": file.export_date,
                "file_format": file.file_format,
                "rows_loaded": 0,
                "rows_set_aside": 1,
                "modified_ns": _modified_ns(file.path),
                "status": "rejected",
                "error": why,
                "loaded_at": loaded_at,
                "run_id": run_id,
            }
            for file, why in new
        ],
        schema=_polars_schema(schema.LEDGER_COLUMNS),
    )
    aside = _set_aside_frame(
        [
            (file.relpath, SetAsideRow(None, file.unit_code, why, None), feed, file.export_date)
            for file, why in new
        ]
    )
    with transaction(conn):
        earlier = [file.relpath for file, _ in new if file.relpath in known]
        if earlier:
            _forget(conn, earlier)
        _insert(conn, "raw.set_aside", aside)
        _insert(conn, "raw.ingest_ledger", ledger)
    for file, why in new:
        summary.files_rejected += 1
        summary.notes.append(f"{file.relpath}: rejected: {why}")
    return len(new)


def _parsed_batches(
    feed: str,
    batches: list[Batch],
    pseudonymiser: Pseudonymiser,
    workers: int | None,
) -> Iterator[ParsedBatch]:
    """Each batch parsed, in order: in this process for one batch, else in a process pool
    that keeps a bounded number of batches ahead of the writer."""
    workers = min(workers or default_workers(), len(batches))
    if workers <= 1 or len(batches) < 3:  # starting processes costs about a second
        for files, encodings in batches:
            yield parse_batch(feed, files, encodings, pseudonymiser)
        return
    # the processes are kept for the next feed (parse_processes); batches this feed has
    # submitted but no longer wants (the writer failed) are cancelled, not left to run
    pool = parse_processes.pool(workers)
    ahead: deque[Future[ParsedBatch]] = deque()
    try:
        for files, encodings in batches:
            ahead.append(pool.submit(parse_batch, feed, files, encodings, pseudonymiser))
            if len(ahead) > workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        for future in ahead:
            future.cancel()


def unit_encodings(units: pl.DataFrame) -> UnitRegistry:
    """The registry's declared CSV encodings by code and date (units: raw.units or
    read_units): a reused code has one per validity row, and ingest_feed reads each file
    with the one valid on its export date."""
    return UnitRegistry.from_frame(units)
