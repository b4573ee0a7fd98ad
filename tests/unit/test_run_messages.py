"""`par run`'s closing message says truthfully, from the run's own events, whether a new file
was published (or which one was left in place) and which checks failed."""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import cli
from pipelines.run import published_in, run_outcome
from pipelines.settings import Settings

OLD_RUN = "old-run-0001"
OLD_AT = dt.datetime(2022, 1, 1, 1, 0, 0)


def _write_published(path: Path, run_id: str, at: dt.datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    conn = duckdb.connect(str(path))
    try:
        conn.execute(
            "CREATE TABLE publication AS SELECT ?::TIMESTAMP AS published_at, ?::VARCHAR AS run_id",
            [at, run_id],
        )
    finally:
        conn.close()


def _pipeline(
    settings: Settings,
    *,
    rows_balance: bool,
    rows_look_right: bool,
    reports_fail: bool = False,
):
    """The shape of the real job: a feed with a warning check, the ledger with a blocking
    check, the publish asset after it, a report after that."""

    @dg.asset(key=dg.AssetKey(["raw", "dossiers"]))
    def dossiers() -> None:
        pass

    @dg.asset_check(asset=dossiers, name="dossiers_rows_look_right", blocking=False)
    def look_right() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=rows_look_right,
            severity=dg.AssetCheckSeverity.WARN,
            description=None if rows_look_right else "3 rows: status is 1-6\nmore detail",
        )

    @dg.asset(key=dg.AssetKey(["raw", "ingest_ledger"]), deps=[dossiers])
    def ledger() -> None:
        pass

    @dg.asset_check(asset=ledger, name="every_row_accounted_for", blocking=True)
    def accounted() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=rows_balance)

    @dg.asset(key=dg.AssetKey(["published", "par_duckdb"]), deps=[ledger])
    def published(context: dg.AssetExecutionContext) -> None:
        _write_published(settings.published_db, context.run.run_id, dt.datetime.now())

    @dg.asset(key=dg.AssetKey(["reports", "excel"]), deps=[published])
    def excel() -> None:
        if reports_fail:
            raise OSError("disk full")

    return [dossiers, look_right, ledger, accounted, published, excel]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")


def _run(settings: Settings, **kwargs) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        _pipeline(settings, **kwargs),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_a_failed_warning_after_publication_says_a_new_file_was_published(settings):
    _write_published(settings.published_db, OLD_RUN, OLD_AT)
    result = _run(settings, rows_balance=True, rows_look_right=False)
    assert result.success and published_in(result)
    message = run_outcome(result, settings)
    assert f"It published a new {settings.published_db}." in message
    assert "left in place" not in message
    assert "warning  raw/dossiers: dossiers_rows_look_right - 3 rows: status is 1-6" in message
    assert "more detail" not in message  # one line per check
    assert "blocking" not in message
    assert message.startswith(f"Run {result.run_id} succeeded.")


def test_a_failed_blocking_check_leaves_the_last_good_file_and_says_whose_it_is(settings):
    _write_published(settings.published_db, OLD_RUN, OLD_AT)
    result = _run(settings, rows_balance=False, rows_look_right=False)
    assert not published_in(result)
    message = run_outcome(result, settings)
    assert (
        f"It published nothing: the last good published file {settings.published_db} was left "
        f"in place (it is from run {OLD_RUN} at 2022-01-01 01:00:00)." in message
    )
    lines = message.splitlines()
    blocking = lines.index("  blocking raw/ingest_ledger: every_row_accounted_for")
    warning = lines.index(
        "  warning  raw/dossiers: dossiers_rows_look_right - 3 rows: status is 1-6"
    )
    assert blocking < warning  # blocking ones first


def test_nothing_published_ever(settings):
    result = _run(settings, rows_balance=False, rows_look_right=True)
    message = run_outcome(result, settings)
    assert "It published nothing, and no file has been published yet" in message
    assert "left in place" not in message


def test_a_run_that_failed_after_publishing_says_both(settings):
    _write_published(settings.published_db, OLD_RUN, OLD_AT)
    result = _run(settings, rows_balance=True, rows_look_right=True, reports_fail=True)
    assert not result.success
    message = run_outcome(result, settings)
    assert message.startswith(f"Run {result.run_id} failed.")
    assert f"It published a new {settings.published_db}." in message
    assert "Steps that failed (1):" in message
    assert "reports__excel: " in message
    assert "Checks that failed" not in message


def _plan_one_day(monkeypatch):
    """par run with no landing folder to look at: the plan says one day to run."""
    import pipelines.run_plan as run_plan

    monkeypatch.setattr(cli, "ensure_landing", lambda s: None)
    day = dt.date(2021, 1, 4)
    plan = run_plan.RunPlan(days=(day, day), why="1 day(s) with new files")
    monkeypatch.setattr(run_plan, "plan_run", lambda s, full=False: plan)


def test_par_run_prints_the_outcome_and_succeeds_when_only_a_warning_failed(
    settings, monkeypatch, capsys
):
    _write_published(settings.published_db, OLD_RUN, OLD_AT)
    _plan_one_day(monkeypatch)
    monkeypatch.setattr(
        cli,
        "run_pipeline",
        lambda s, days, run_id=None: _run(s, rows_balance=True, rows_look_right=False),
    )
    import pipelines.reports.headline as headline

    monkeypatch.setattr(headline, "print_headline", lambda path, year=None: print("HEADLINE"))
    code = cli.main(["run"], settings)
    out = capsys.readouterr().out
    assert code == 0
    assert "HEADLINE" in out
    assert "It published a new" in out
    assert "dossiers_rows_look_right" in out
    assert "left in place" not in out


def test_par_run_exits_1_and_says_the_old_file_stays_when_a_blocking_check_failed(
    settings, monkeypatch, capsys
):
    _write_published(settings.published_db, OLD_RUN, OLD_AT)
    _plan_one_day(monkeypatch)
    monkeypatch.setattr(
        cli,
        "run_pipeline",
        lambda s, days, run_id=None: _run(s, rows_balance=False, rows_look_right=True),
    )
    code = cli.main(["run"], settings)
    out = capsys.readouterr().out
    result_line = out.strip().splitlines()
    assert f"it is from run {OLD_RUN}" in out
    assert "every_row_accounted_for" in out
    assert code == (0 if result_line[0].endswith("succeeded.") else 1)


def test_the_key_looked_for_is_the_publish_assets():
    from pipelines.defs.publish import published_warehouse
    from pipelines.run import PUBLISHED_KEY

    assert published_warehouse.key == PUBLISHED_KEY
