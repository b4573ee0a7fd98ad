"""One writer per build file, across processes: `<warehouse>/build.lock`.

DuckDB lets one process write a file, and Dagster's run queue (the `par_build_file` pool)
only orders the runs it launches; `par run`, the benchmark and the tests execute in their own
process, outside that queue. So every run that may write the build file holds an exclusive
`flock` on `build.lock` for as long as it runs, and writes into the file who holds it (run
id, process id, since when).

A second run does not wait: it refuses at once with a `BuildFileBusy` naming the holder.
Waiting would stack nightly, late-file and hand-started runs behind each other with nothing
on screen, and a run that starts later would redo what the first just did; refusing is
immediate and says what to wait for. A lock whose holder died is free: the kernel drops a
`flock` with the last descriptor of its process, so a killed run never blocks the next one.

Within one process the lock is re-entrant (`par run` takes it before Dagster starts, the
Dagster resource takes it again inside the run): only the outermost hold takes and releases
it. The descriptor is not inherited by programs the run starts (dbt, spawned parse
workers), so none of them can keep a dead run's lock alive.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "build.lock"


def lock_path(warehouse_dir: Path) -> Path:
    """The lock file of a warehouse: beside its build file, not named like it (a test or an
    operator deleting `build.duckdb*` must not delete a held lock)."""
    return Path(warehouse_dir) / LOCK_NAME


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the holder wrote it into the lock file."""

    run_id: str
    pid: int
    since: str  # local time, ISO, to the second

    def describe(self) -> str:
        return f"run {self.run_id} (pid {self.pid}, since {self.since})"


class BuildFileBusy(RuntimeError):
    """Another process holds the build file's lock: this run must not start."""

    def __init__(self, path: Path, holder: Holder | None):
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "a run that has not said who it is yet"
        super().__init__(
            f"Another run is using the build file of {path.parent}: {who}. "
            "This run did not start (it does not wait); run it again once that one has "
            f"finished. Lock: {path}"
        )


def read_holder(path: Path) -> Holder | None:
    """The holder the lock file names (the last one, if the lock is free now)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8") or "null")
        return Holder(run_id=str(data["run_id"]), pid=int(data["pid"]), since=str(data["since"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _current_holder(path: Path) -> Holder | None:
    """The holder named in a lock file that is locked now. A holder writes its name just
    after taking the lock: until then the file is empty or names a dead one, so look
    again for a moment."""
    holder = read_holder(path)
    for _ in range(20):
        if holder is not None and _alive(holder.pid):
            break
        time.sleep(0.05)
        holder = read_holder(path)
    return holder


@dataclass
class _Held:
    fd: int
    holder: Holder
    depth: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def held_here(warehouse_dir: Path) -> Holder | None:
    """The holder, if this process holds the warehouse's lock."""
    held = _held.get(lock_path(warehouse_dir).resolve())
    return held.holder if held else None


def acquire(warehouse_dir: Path, run_id: str) -> Holder:
    """Take the warehouse's lock for `run_id`, or raise BuildFileBusy at once. Re-entrant
    within this process (the holder stays the outermost one's). Pair with `release`."""
    path = lock_path(warehouse_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = path.resolve()
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
            return held.holder
        fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BuildFileBusy(key, _current_holder(key)) from None
        except BaseException:
            os.close(fd)
            raise
        holder = Holder(
            run_id=run_id,
            pid=os.getpid(),
            since=dt.datetime.now().replace(microsecond=0).isoformat(sep=" "),
        )
        data = json.dumps(holder.__dict__).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, data + b"\n", 0)
        _held[key] = _Held(fd=fd, holder=holder, depth=1)
        return holder


def release(warehouse_dir: Path) -> None:
    """Undo one `acquire`; the outermost one frees the lock (and empties the file)."""
    key = lock_path(warehouse_dir).resolve()
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.depth -= 1
        if held.depth > 0:
            return
        del _held[key]
        try:
            os.ftruncate(held.fd, 0)
            fcntl.flock(held.fd, fcntl.LOCK_UN)
        finally:
            os.close(held.fd)


@contextmanager
def hold(warehouse_dir: Path, run_id: str) -> Iterator[Holder]:
    """The lock for the duration of a `with` block (BuildFileBusy if another run has it)."""
    holder = acquire(warehouse_dir, run_id)
    try:
        yield holder
    finally:
        release(warehouse_dir)


def _forget_in_child() -> None:
    # A forked child must not keep its parent's lock alive after the parent dies: close its
    # copies of the descriptors (closing a copy never unlocks the parent's).
    global _guard
    _guard = threading.Lock()
    for held in _held.values():
        with suppress(OSError):
            os.close(held.fd)
    _held.clear()


os.register_at_fork(after_in_child=_forget_in_child)
