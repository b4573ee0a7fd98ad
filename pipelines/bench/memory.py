"""Peak memory and CPU time of a command and everything it starts (dbt runs as a child of
the build, the parse processes too).

`ru_maxrss` only gives the largest single process, so a thread samples the summed resident
set of the process tree from /proc every few tens of milliseconds while the command runs.
CPU time is exact: the user and system time of the command and of every descendant it
waited for (`RUSAGE_CHILDREN` before and after; the command and its children are waited).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the thread or process has ended
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants now (0 for those already gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            resident_pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * _PAGE
        todo += _children(current)
    return total


@dataclass
class Measured:
    seconds: float
    peak_rss_bytes: int
    returncode: int
    cpu_seconds: float = 0.0  # user + system, the whole tree


def run_measured(
    command: list[str], env: dict[str, str], log: Path, interval: float = 0.05
) -> Measured:
    """Run `command` (output to `log`), timing it, sampling its tree's memory, and adding up
    its tree's CPU time."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        before = _children_cpu_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_bytes(process.pid))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = process.wait()
        seconds = time.perf_counter() - started
        cpu_seconds = _children_cpu_seconds() - before
        done.set()
        sampler.join()
    return Measured(
        seconds=seconds, peak_rss_bytes=peak, returncode=returncode, cpu_seconds=cpu_seconds
    )


def _children_cpu_seconds() -> float:
    """User and system time of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
