"""The run history's storage (pipelines/dagster_history.py): Dagster's own SQLite event
log with one engine per file and no disk flush per commit. A run's events written through it
must read back through Dagster's default storage over the same folder (what an existing home
and the UI rely on), and its connections must really skip the flush."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import text

from pipelines.bootstrap import dagster_yaml
from pipelines.dagster_history import ParSqliteEventLogStorage, event_log_storage_config


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


def test_its_connections_do_not_flush_each_commit_and_share_one_engine(tmp_path):
    storage = ParSqliteEventLogStorage(str(tmp_path))
    with storage.run_connection("some-run") as conn:
        # PRAGMA synchronous: 0 = OFF (Dagster's default connections say 2, FULL)
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 0
    with storage.run_connection("some-run"):
        pass
    with storage.index_connection():
        pass
    assert set(storage._engines) == {"some-run", "index"}
    storage.dispose()
    assert storage._engines == {}


def test_the_homes_dagster_yaml_names_it_over_the_homes_history(tmp_path):
    import yaml

    config = yaml.safe_load(dagster_yaml(tmp_path))
    assert config["event_log_storage"] == {
        "module": "pipelines.dagster_history",
        "class": "ParSqliteEventLogStorage",
        "config": {"base_dir": str(tmp_path.resolve() / "history" / "runs")},
    }
    assert config["telemetry"] == {"enabled": False}  # the project's settings are kept
