"""Running the build job in this process, as `par run`, the benchmark and the integration
tests do, with the Settings they pass (resources built from them).

A run holds the warehouse's build lock throughout (`pipelines.lib.build_lock`): a second
run refuses at once instead of failing half-way on DuckDB's file lock. Holding it also
proves that no other run of this warehouse is alive, so a run left `STARTED` in the history
by a killed process is marked failed before the new run starts. What the run did is told by
`run_outcome`, from the run's own events.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.defs.jobs import FULL_BUILD_JOB
from pipelines.defs.partitions import range_tags
from pipelines.lib import build_lock, dbt_standby
from pipelines.run_plan import landing_days
from pipelines.settings import Settings

_log = logging.getLogger(__name__)

# The publish asset's key (pipelines/defs/publish.py; not imported: it loads the dbt project).
PUBLISHED_KEY = dg.AssetKey(["published", "par_duckdb"])


def landing_range_tags(settings: Settings) -> dict[str, str]:
    """One run over every day the landing folder has files for (a single-run backfill)."""
    return range_tags(*landing_days(settings))


@functools.cache
def definitions_for(settings: Settings) -> dg.Definitions:
    """The code location's definitions with resources for these settings (built once per
    settings: resolving the job is the costly part)."""
    from pipelines.definitions import build_definitions

    return build_definitions(settings)


def new_run_id() -> str:
    """A run id chosen before the run exists, so that the lock and the recovery can name it."""
    return str(uuid.uuid4())


def execute_build(
    instance: dg.DagsterInstance,
    settings: Settings,
    tags: dict[str, str],
    *,
    reports: bool = True,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
    run_id: str | None = None,
) -> dg.ExecuteInProcessResult:
    """The full-build job in this process for the partition(s) in `tags`. Without
    `reports`, the report assets are left out (they only read the published file).

    Raises `build_lock.BuildFileBusy` at once if another run holds the warehouse's build
    file; runs killed earlier are marked failed first (`fail_killed_runs`)."""
    run_id = run_id or new_run_id()
    with build_lock.hold(settings.warehouse_dir, run_id):
        # dbt's standby (the DuckDB engine): dbt imported and the project parsed beside this
        # process's start-up, for the dbt step's `dbt build`; none outlives the run
        dbt_standby.begin(settings)
        try:
            for killed in fail_killed_runs(instance, found_by=run_id):
                _log.warning("run %s was left STARTED by a killed process: marked failed", killed)
            job = definitions_for(settings).resolve_job_def(FULL_BUILD_JOB)
            keys = None
            if not reports:
                keys = [
                    key for key in job.asset_layer.executable_asset_keys if key.path[0] != "reports"
                ]
            return job.execute_in_process(
                instance=instance,
                raise_on_error=raise_on_error,
                tags=tags,
                asset_selection=keys,
                run_id=run_id,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
        finally:
            dbt_standby.stop(settings.dbt_target_dir)


def execute_full_build(
    instance: dg.DagsterInstance,
    settings: Settings,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
    run_id: str | None = None,
) -> dg.ExecuteInProcessResult:
    """Every day of the landing folder, reports included: what `par run` does."""
    return execute_build(
        instance,
        settings,
        landing_range_tags(settings),
        raise_on_error=raise_on_error,
        log_level=log_level,
        run_id=run_id,
    )


# --- runs a killed process left behind -----------------------------------------------------

KILLED_MESSAGE = "killed: the process ended without finishing (found by run {found_by})"


def _process_started_at(pid: int) -> float | None:
    """When a process started (epoch seconds), from /proc; None where that is unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _process_gone(pid: int, seen_at: float) -> bool:
    """Whether the process that wrote an event at `seen_at` has ended (its pid gone, or
    now another process's: one that started after the event)."""
    if pid == os.getpid():
        # this process holds the build lock and runs nothing else: its earlier runs are over
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    started = _process_started_at(pid)
    return started is not None and started > seen_at + 1


def _last_process(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The pid that wrote the run's latest Dagster event, and when."""
    connection = instance.get_records_for_run(run_id, limit=50, ascending=False)
    for record in connection.records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is not None and event.pid is not None:
            return event.pid, entry.timestamp
    return None


def fail_killed_runs(instance: dg.DagsterInstance, found_by: str) -> list[str]:
    """Mark failed the runs the history shows STARTED or STARTING whose process has ended
    (a run killed part-way never records its end). Call only while holding the build lock:
    then no run of this warehouse is alive but the caller's. Runs whose process is still
    alive are left alone (a run of another warehouse sharing the instance, say); so are
    runs that never reached a process of their own. Returns the run ids marked."""
    from dagster._core.events import JobFailureData, RunFailureReason

    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    )
    marked = []
    for record in records:
        run = record.dagster_run
        if run.run_id == found_by:
            continue
        last = _last_process(instance, run.run_id)
        if last is None or not _process_gone(*last):
            continue
        instance.report_run_failed(
            run,
            message=KILLED_MESSAGE.format(found_by=found_by),
            job_failure_data=JobFailureData(
                error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION
            ),
        )
        marked.append(run.run_id)
    return marked


# --- what a run did, in words ---------------------------------------------------------------


@dataclass(frozen=True)
class FailedCheck:
    asset: str  # raw/dossiers
    name: str
    blocking: bool
    reason: str  # the first line of the result's description ("" when it has none)

    def line(self) -> str:
        kind = "blocking" if self.blocking else "warning "
        text = f"  {kind} {self.asset}: {self.name}"
        return f"{text} - {self.reason}" if self.reason else text


def published_in(result: dg.ExecuteInProcessResult) -> bool:
    """Whether this run materialized the published file (replaced par.duckdb)."""
    return any(
        event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
        and event.asset_key == PUBLISHED_KEY
        for event in result.all_events
    )


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failed_checks(result: dg.ExecuteInProcessResult) -> list[FailedCheck]:
    """The checks whose evaluation in this run failed, blocking ones first, by name."""
    failed = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            continue
        evaluation = event.event_specific_data
        if evaluation.passed:
            continue
        blocking = (
            evaluation.blocking
            if evaluation.blocking is not None
            else evaluation.severity == dg.AssetCheckSeverity.ERROR
        )
        reason = [_one_line(line) for line in (evaluation.description or "").strip().splitlines()]
        failed.append(
            FailedCheck(
                asset=evaluation.asset_key.to_user_string(),
                name=evaluation.check_name,
                blocking=bool(blocking),
                reason=reason[0] if reason else "",
            )
        )
    return sorted(failed, key=lambda check: not check.blocking)


def _error_text(error, limit: int = 240) -> str:
    """The innermost cause of a step's error (Dagster wraps what the step raised), on one
    line: 'OSError: disk full'."""
    while error.cause is not None:
        error = error.cause
    return _one_line(error.message, limit)


def failed_steps(result: dg.ExecuteInProcessResult) -> list[tuple[str, str]]:
    """(step, its error) for every step that failed; a step failed by its own blocking
    check's failure is left out (`failed_checks` names the check)."""
    steps = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            continue
        steps.append((event.step_key or "?", _error_text(error) if error else event.message or ""))
    return steps


def published_origin(published_db: Path) -> str:
    """Which run published the file now in place, and when ('' if there is none)."""
    import duckdb

    if not published_db.exists():
        return ""
    try:
        conn = duckdb.connect(str(published_db), read_only=True)
        try:
            run_id, published_at = conn.execute(
                "SELECT run_id, published_at FROM publication"
            ).fetchone()
        finally:
            conn.close()
    except Exception as error:  # noqa: BLE001 - the message says what could not be read
        return f"its origin could not be read: {type(error).__name__}: {error}"
    when = published_at.isoformat(sep=" ") if isinstance(published_at, dt.datetime) else "?"
    return f"it is from run {run_id} at {when}"


def run_outcome(result: dg.ExecuteInProcessResult, settings: Settings) -> str:
    """What `par run` says at the end, derived from the run's events: whether a new file
    was published (or which one was left in place), the checks that failed (blocking and
    warning, by name) and the steps that failed."""
    path = settings.published_db
    lines = [f"Run {result.run_id} {'succeeded' if result.success else 'failed'}."]
    if published_in(result):
        lines.append(f"It published a new {path}.")
    else:
        origin = published_origin(path)
        if origin:
            lines.append(
                f"It published nothing: the last good published file {path} was left in "
                f"place ({origin})."
            )
        else:
            lines.append(f"It published nothing, and no file has been published yet ({path}).")
    checks = failed_checks(result)
    if checks:
        lines.append(f"Checks that failed ({len(checks)}):")
        lines += [check.line() for check in checks]
    steps = failed_steps(result)
    if steps:
        lines.append(f"Steps that failed ({len(steps)}):")
        lines += [f"  {step}: {message}" for step, message in steps]
    return "\n".join(lines)
