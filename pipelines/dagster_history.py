"""Dagster's run history (its SQLite event log) without a new connection or a disk flush per
event.

Dagster's SQLite event log writes every event in its own transaction, in the run's database
and (for asset and check events) again in the index database, and opens a new SQLAlchemy
engine and SQLite connection each time. On these machines a committed SQLite transaction
costs a flush to disk of 3-7 ms, so a run's bookkeeping, not its work, was most of a nightly
run: one new day on the sample stored ~1,600 events in ~4,200 transactions (cProfile: 36 of
67 s in `store_event`, 12 s of it in `commit`). Without the flush, opening and closing the
connections was still ~1.5 s of a nightly's main process (py-spy).

This storage is Dagster's own SqliteEventLogStorage (same files, same layout, same schema,
so an existing Dagster home keeps its history and the UI reads it as before) with these
changes:

- one engine per database file, whose pool keeps one open connection between transactions
  (Dagster's NullPool opens and closes one per transaction). A process keeps the files it
  used last (the run's, the index), at most `KEPT_FILES`, so the UI, which reads every run's
  file, does not hold them all open. Dagster's `_db_lock` already lets one thread at a time
  use the storage's connections (the UI's event watcher is a thread), and a forked process
  drops the connections it inherited (SQLite's must not cross a fork);
- `synchronous=OFF` on its connections, so a commit hands the data to the operating system
  without waiting for the disk. A killed or crashed process loses nothing (the committed
  transactions are in SQLite's write-ahead log, which the next connection recovers); only an
  operating-system crash or power cut in the middle of a run can damage that history file.
  The warehouse itself is DuckDB's (build and published files), whose durability this does
  not touch, and nothing the pipeline decides reads Dagster's history but the recovery of
  killed runs;
- `wal_autocheckpoint=1`: Dagster creates the files in WAL mode, so a commit goes to the
  `.db-wal` file, and the UI follows a live run by watching the run's `.db` file itself
  change. Dagster's connections copied the log into the `.db` when each one closed (the
  last connection to a file checkpoints it); a kept connection does it after each commit
  instead, so the `.db` changes with every event as before;
- `has_table` remembers the tables it has found (Dagster asks before storing each asset or
  check event, on a new engine each time; its migrations only ever add tables).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool

MODULE = __name__
CLASS = "ParSqliteEventLogStorage"

# Database files whose connection a process keeps open: a run uses its own and the index;
# the UI reads many runs' files and closes the least recently used beyond this.
KEPT_FILES = 8


def _set_up_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA wal_autocheckpoint=1")
    cursor.close()


class ParSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that keeps a connection per database file and does not flush
    to disk per commit."""

    def __init__(self, base_dir: str, inst_data: Any = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # least recently used first
        self._pid = os.getpid()
        self._tables: set[str] = set()  # found in the index by `has_table`
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> ParSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        if self._pid != os.getpid():
            # a forked child: the parent's connections are the parent's; forget, not close
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines.clear()
            self._pid = os.getpid()
        engine = self._engines.pop(shard, None)
        if engine is None:
            # One connection kept (`_db_lock` is held while it is used); overflow is only for
            # a caller that would need a second one at once, closed when it is returned.
            engine = self._new_engine(shard, poolclass=QueuePool, pool_size=1, max_overflow=4)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_FILES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def _new_engine(self, shard: str, **pool: Any) -> Engine:
        engine = create_engine(
            self.conn_string_for_shard(shard),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **pool,
        )
        event.listen(engine, "connect", _set_up_connection)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster's _connect, with the shard's engine and connection kept (module docstring)
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                # Dagster's creation of a file (tables, WAL mode, alembic stamp), on its own
                # connections as in Dagster: it opens a second one while holding the first
                self._initdb(self._new_engine(shard, poolclass=NullPool))
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Dagster asks before storing each asset or check event, on a new engine and connection
        # each time. Its migrations only ever add tables, so one found stays found.
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def wipe(self) -> None:
        # closed first: Dagster's wipe deletes the runs' files
        with self._db_lock:
            self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            self._dispose_engines()

    def _dispose_engines(self) -> None:
        engines, self._engines = self._engines, OrderedDict()
        for engine in engines.values():
            engine.dispose()


def event_log_storage_config(dagster_home: Path) -> dict[str, Any]:
    """The `event_log_storage` entry of a dagster.yaml for this home: this storage, over the
    folder Dagster's default SQLite storage uses (`<home>/history/runs`)."""
    return {
        "module": MODULE,
        "class": CLASS,
        "config": {"base_dir": str(Path(dagster_home).resolve() / "history" / "runs")},
    }
