"""One writer per build file across processes: a second run refuses at once, naming the
run that holds the build file; the holder is never disturbed; a dead holder's lock is free."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines import run as run_module
from pipelines.defs.resources import WarehouseResource
from pipelines.lib import build_lock
from pipelines.settings import Settings

REPO = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from pipelines.lib import build_lock
with build_lock.hold(sys.argv[1], sys.argv[2]):
    print("held", flush=True)
    sys.stdin.readline()
"""


class HolderProcess:
    """Another process holding the warehouse's lock, as a running `par run` does."""

    def __init__(self, warehouse: Path, run_id: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(warehouse), run_id],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "held"

    def finish(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def settings(tmp_path) -> Settings:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "units.csv").write_text("unit_code\n")  # nothing else: not the sample scenario
    return Settings.for_folders(landing, tmp_path / "warehouse")


def test_par_run_refuses_at_once_naming_the_running_run(settings):
    holder = HolderProcess(settings.warehouse_dir, "first-run-id")
    try:
        started = time.monotonic()
        second = subprocess.run(
            [str(Path(sys.executable).with_name("par")), "run"],
            cwd=REPO,
            env={**os.environ, **settings.to_env()},
            capture_output=True,
            text=True,
            timeout=120,
        )
        seconds = time.monotonic() - started
    finally:
        holder.finish()  # the first run ends normally: the second did not disturb it
    assert second.returncode == 75, second.stdout + second.stderr
    message = second.stderr
    assert "first-run-id" in message
    assert f"pid {holder.proc.pid}" in message
    assert "since 20" in message  # since when, as a date and time
    assert "did not start" in message
    assert seconds < 30  # at once, not after waiting
    # it touched nothing: no build file, no Dagster run history
    assert not settings.build_db.exists()
    assert not settings.dagster_home.exists()


def test_a_dead_holders_lock_is_taken_over(settings):
    holder = HolderProcess(settings.warehouse_dir, "killed-run-id")
    with pytest.raises(build_lock.BuildFileBusy):
        build_lock.acquire(settings.warehouse_dir, "second")
    holder.kill()
    with build_lock.hold(settings.warehouse_dir, "second") as held:
        assert held.run_id == "second"
        assert build_lock.read_holder(build_lock.lock_path(settings.warehouse_dir)) == held
    assert build_lock.held_here(settings.warehouse_dir) is None


def test_the_lock_is_reentrant_within_a_process(settings):
    with build_lock.hold(settings.warehouse_dir, "outer"):
        with build_lock.hold(settings.warehouse_dir, "inner") as inner:
            assert inner.run_id == "outer"  # the outermost holder is the one named
        assert build_lock.held_here(settings.warehouse_dir).run_id == "outer"
        # ... and another process is kept out, told who holds it
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pipelines.lib import build_lock; "
                "build_lock.acquire(sys.argv[1], 'x')",
                str(settings.warehouse_dir),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert other.returncode != 0
        assert "BuildFileBusy: Another run is using the build file" in other.stderr
        assert f"run outer (pid {os.getpid()}" in other.stderr
    assert build_lock.held_here(settings.warehouse_dir) is None


def test_execute_build_refuses_before_creating_a_run(settings):
    holder = HolderProcess(settings.warehouse_dir, "first-run-id")
    try:
        with dg.instance_for_test() as instance:
            with pytest.raises(build_lock.BuildFileBusy, match="first-run-id"):
                run_module.execute_build(instance, settings, {})
            assert instance.get_runs() == []
    finally:
        holder.finish()


def _probe_asset(seen: list):
    @dg.asset
    def probe(warehouse: WarehouseResource) -> None:
        seen.append(build_lock.held_here(Path(warehouse.warehouse_dir)))

    return probe


def test_a_run_launched_by_dagster_holds_the_lock_throughout(settings):
    # the UI, schedule and sensor runs: the warehouse resource takes the lock for the run
    seen: list = []
    resources = {"warehouse": WarehouseResource.from_settings(settings)}
    with dg.instance_for_test() as instance:
        result = dg.materialize([_probe_asset(seen)], instance=instance, resources=resources)
    assert result.success
    assert seen[0] is not None and seen[0].run_id == result.run_id
    assert build_lock.held_here(settings.warehouse_dir) is None  # given back at the run's end


def test_a_run_launched_by_dagster_fails_at_once_while_par_run_holds_the_file(settings):
    holder = HolderProcess(settings.warehouse_dir, "cli-run-id")
    seen: list = []
    try:
        with dg.instance_for_test() as instance:
            result = dg.materialize(
                [_probe_asset(seen)],
                instance=instance,
                resources={"warehouse": WarehouseResource.from_settings(settings)},
                raise_on_error=False,
            )
    finally:
        holder.finish()
    assert not result.success
    assert seen == []  # no step ran
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    text = str(
        failure.event_specific_data.error.to_string()
        if failure.event_specific_data.error
        else failure.message
    )
    assert "cli-run-id" in text


def test_a_sensor_tick_neither_takes_nor_waits_for_the_lock(settings):
    # outside a run (the late-files sensor builds the resource too) nothing is locked
    holder = HolderProcess(settings.warehouse_dir, "cli-run-id")
    try:
        with dg.build_resources(
            {"warehouse": WarehouseResource.from_settings(settings)}
        ) as resources:
            assert resources.warehouse.settings == settings
            assert build_lock.held_here(settings.warehouse_dir) is None
    finally:
        holder.finish()
