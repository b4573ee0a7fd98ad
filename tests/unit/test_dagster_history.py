"""The run history's storage (pipelines/dagster_history.py): Dagster's own SQLite event
log with a connection kept per file and no disk flush per commit. A run's events written
through it must read back through Dagster's default storage over the same folder (what an
existing home and the UI rely on), the UI must see them as they are written, and its
connections must really be kept and skip the flush."""

from __future__ import annotations

import logging
import os
import threading
import time

import dagster as dg
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import text

from pipelines.bootstrap import dagster_yaml
from pipelines.dagster_history import (
    KEPT_FILES,
    ParSqliteEventLogStorage,
    event_log_storage_config,
)


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=counted)
def counted_is_small() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_a_runs_history_reads_back_through_dagsters_default_storage(tmp_path):
    overrides = {"event_log_storage": event_log_storage_config(tmp_path)}
    with dg.instance_for_test(temp_dir=str(tmp_path), overrides=overrides) as instance:
        assert isinstance(instance.event_log_storage, ParSqliteEventLogStorage)
        result = dg.materialize([counted, counted_is_small], instance=instance)
        assert result.success
        written = [entry.dagster_event_type for entry in instance.all_logs(result.run_id)]
        latest = instance.get_latest_materialization_event(dg.AssetKey("counted"))
        assert latest.asset_materialization.metadata["rows"].value == 3
    # the same folder through Dagster's own class: every event, in order, and the index
    plain = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    assert [entry.dagster_event_type for entry in plain.get_logs_for_run(result.run_id)] == written
    assert dg.DagsterEventType.ASSET_CHECK_EVALUATION in written
    assert plain.get_latest_materialization_events([dg.AssetKey("counted")])[dg.AssetKey("counted")]


def _message(run_id: str, text: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=text,
        run_id=run_id,
        timestamp=time.time(),
    )


def _messages(storage, run_id: str) -> list[str]:
    return [entry.user_message for entry in storage.get_logs_for_run(run_id)]


def test_its_connections_are_kept_and_do_not_flush_each_commit(tmp_path):
    storage = ParSqliteEventLogStorage(str(tmp_path))
    with storage.run_connection("some-run") as conn:
        # PRAGMA synchronous: 0 = OFF (Dagster's default connections say 2, FULL)
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 0
        first = conn.connection.dbapi_connection
    with storage.run_connection("some-run") as conn:
        assert conn.connection.dbapi_connection is first  # the same SQLite connection
    with storage.index_connection() as conn:
        assert conn.connection.dbapi_connection is not first
    assert set(storage._engines) == {"some-run", "index"}
    storage.dispose()
    assert storage._engines == {}


def test_the_ui_sees_each_event_as_it_is_written(tmp_path):
    # The UI follows a live run by watching the run's .db file change (Dagster's watchdog);
    # Dagster's files are in WAL mode, so a kept connection must copy each commit into it.
    ours = ParSqliteEventLogStorage(str(tmp_path))
    ours.store_event(_message("live", "first"))
    ui = SqliteEventLogStorage(str(tmp_path))
    seen: list[str] = []
    ui.watch("live", None, lambda entry, _cursor: seen.append(entry.user_message))
    try:
        time.sleep(0.5)  # the watch has started
        for text_ in ("second", "third"):
            ours.store_event(_message("live", text_))
            deadline = time.monotonic() + 10
            while text_ not in seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert text_ in seen, f"the UI's watch did not see {text_!r} (saw {seen})"
    finally:
        ui.dispose()
        ours.dispose()


def test_it_keeps_few_files_open_and_closes_them_before_a_wipe(tmp_path):
    storage = ParSqliteEventLogStorage(str(tmp_path))
    for n in range(KEPT_FILES + 3):
        storage.store_event(_message(f"run-{n}", "hello"))
    assert len(storage._engines) == KEPT_FILES  # the UI reads every run's file
    assert f"run-{KEPT_FILES + 2}" in storage._engines and "run-0" not in storage._engines
    assert _messages(storage, "run-0") == ["hello"]  # a closed file opens again
    storage.wipe()  # deletes the runs' files: none may still be open and written through
    storage.store_event(_message("run-1", "after the wipe"))
    plain = SqliteEventLogStorage(str(tmp_path))
    assert _messages(plain, "run-1") == ["after the wipe"]
    storage.dispose()


def test_threads_and_a_forked_process_share_it_safely(tmp_path):
    storage = ParSqliteEventLogStorage(str(tmp_path))
    storage.store_event(_message("shared", "parent"))

    def write(n: int) -> None:
        for i in range(20):
            storage.store_event(_message("shared", f"thread {n}.{i}"))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parents = storage._engines["shared"]
    pid = os.fork()
    if pid == 0:  # the child: its own connection, not the parent's
        try:
            storage.store_event(_message("shared", "child"))
            os._exit(0 if storage._engines["shared"] is not parents else 2)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    storage.store_event(_message("shared", "parent again"))  # its connection still works
    written = _messages(SqliteEventLogStorage(str(tmp_path)), "shared")
    assert written[0] == "parent" and written[-2:] == ["child", "parent again"]
    assert sorted(written[1:-2]) == sorted(f"thread {n}.{i}" for n in range(4) for i in range(20))
    storage.dispose()


def test_the_homes_dagster_yaml_names_it_over_the_homes_history(tmp_path):
    import yaml

    config = yaml.safe_load(dagster_yaml(tmp_path))
    assert config["event_log_storage"] == {
        "module": "pipelines.dagster_history",
        "class": "ParSqliteEventLogStorage",
        "config": {"base_dir": str(tmp_path.resolve() / "history" / "runs")},
    }
    assert config["telemetry"] == {"enabled": False}  # the project's settings are kept
