"""Dagster's run history (its SQLite event log) without a disk flush per event.

Dagster's SQLite event log writes every event in its own transaction, in the run's database
and (for asset and check events) again in the index database, and opens a new SQLAlchemy
engine each time. On these machines a committed SQLite transaction costs a flush to disk of
3-7 ms, so a run's bookkeeping, not its work, was most of a nightly run: one new day on the
sample stored ~1,600 events in ~4,200 transactions (cProfile: 36 of 67 s in `store_event`,
12 s of it in `commit`).

This storage is Dagster's own SqliteEventLogStorage (same files, same layout, same schema,
so an existing Dagster home keeps its history and the UI reads it as before) with two
changes: one engine per database file instead of one per event, and `synchronous=OFF` on its
connections, so a commit hands the data to the operating system without waiting for the
disk. A killed or crashed process loses nothing (SQLite keeps its rollback journal); only an
operating-system crash or power cut in the middle of a run can damage that history file.
The warehouse itself is DuckDB's (build and published files), whose durability this does not
touch, and nothing the pipeline decides reads Dagster's history but the recovery of killed
runs. The rollback journal stays (not WAL): the UI follows a live run by watching the run's
database file itself change.
"""

from __future__ import annotations

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
from sqlalchemy.pool import NullPool

MODULE = __name__
CLASS = "ParSqliteEventLogStorage"


def _no_flush_per_commit(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


class ParSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with an engine per database file and no flush per commit."""

    def __init__(self, base_dir: str, inst_data: Any = None):
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> ParSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            # NullPool as Dagster's: no connection outlives its transaction, so nothing is
            # shared across threads or a fork; only the engine's set-up is kept.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _no_flush_per_commit)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster's _connect, but with the shard's engine kept (see the module's docstring).
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def wipe(self) -> None:
        super().wipe()
        self._dispose_engines()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()

    def _dispose_engines(self) -> None:
        engines, self._engines = self._engines, {}
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
