"""A run killed part-way stays STARTED in the run history: the next run marks it failed."""

import subprocess
import sys

import dagster as dg
from dagster._core.events import DagsterEvent
from dagster._core.storage.dagster_run import DagsterRun

from pipelines import run as run_module
from pipelines.defs.jobs import FULL_BUILD_JOB
from pipelines.run import KILLED_MESSAGE, execute_build, fail_killed_runs
from pipelines.settings import Settings


def _started_run(instance: dg.DagsterInstance, run_id: str, pid: int) -> DagsterRun:
    """A run record as a process `pid` leaves it when it is killed after starting."""
    run = instance.add_run(DagsterRun(job_name="par_full_build", run_id=run_id))
    instance.report_dagster_event(
        DagsterEvent(
            event_type_value=dg.DagsterEventType.RUN_START.value,
            job_name="par_full_build",
            message="Started execution of run.",
            pid=pid,
        ),
        run_id=run.run_id,
    )
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    return run


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
    return records[-1].event_log_entry.dagster_event.message


def test_a_run_whose_process_is_gone_is_marked_failed_one_still_alive_is_not():
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with dg.instance_for_test() as instance:
            _started_run(instance, "killed-run", _dead_pid())
            _started_run(instance, "other-live-run", alive.pid)
            assert fail_killed_runs(instance, found_by="next-run") == ["killed-run"]
            killed = instance.get_run_by_id("killed-run")
            assert killed.status == dg.DagsterRunStatus.FAILURE
            assert _failure_message(instance, "killed-run") == (
                "killed: the process ended without finishing (found by run next-run)"
            )
            live = instance.get_run_by_id("other-live-run")
            assert live.status == dg.DagsterRunStatus.STARTED
            # a second look finds nothing more to do
            assert fail_killed_runs(instance, found_by="after") == []
    finally:
        alive.kill()
        alive.wait()


def test_the_next_build_marks_the_killed_run_failed_and_names_itself(tmp_path, monkeypatch):
    @dg.op
    def nothing() -> None:
        pass

    @dg.job(name=FULL_BUILD_JOB)
    def tiny_build():
        nothing()

    # the wiring of execute_build (lock, recovery, run id), on a job that does nothing
    monkeypatch.setattr(run_module, "definitions_for", lambda s: dg.Definitions(jobs=[tiny_build]))
    settings = Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")
    with dg.instance_for_test() as instance:
        _started_run(instance, "killed-run", _dead_pid())
        result = execute_build(instance, settings, {})
        assert result.success
        assert instance.get_run_by_id("killed-run").status == dg.DagsterRunStatus.FAILURE
        assert _failure_message(instance, "killed-run") == KILLED_MESSAGE.format(
            found_by=result.run_id
        )
        assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS
