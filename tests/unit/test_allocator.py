"""The parse processes' allocator keeps what polars frees (pipelines/lib/allocator.py).

jemalloc reads its settings once, as polars loads: each case is a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from pipelines.lib import allocator, parse_processes


def held_after_freeing() -> tuple[int, int]:
    """(MB of anonymous memory held with a ~480 MB polars frame, MB held 3 s after freeing
    it), in the process that calls it. jemalloc's default purges freed pages within
    seconds: measured 941 -> 26 MB after 3 s, and 941 -> 941 with the setting."""
    import polars as pl

    def held() -> int:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("RssAnon:"))
        return int(line.split()[1]) // 1024

    frame = pl.Series(range(60_000_000)) * 2
    before = held()
    del frame
    time.sleep(3)
    return before, held()


_PLAIN = "from tests.unit.test_allocator import held_after_freeing as h; print(*h())"


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != allocator.VARIABLE}
    return {**env, **extra}


def _as_in_a_run(monkeypatch) -> None:
    """The environment as a run's process has it when its first parse process starts:
    polars loaded, its defaults written into the variable (restored after the test)."""
    import polars  # noqa: F401

    monkeypatch.setenv(allocator.VARIABLE, os.environ.get(allocator.VARIABLE, ""))
    parse_processes.stop()


def test_a_parse_process_keeps_what_polars_frees_and_a_plain_process_does_not(monkeypatch):
    _as_in_a_run(monkeypatch)
    # The plain process is the control, at the same time (each waits 3 s): without it, a
    # polars whose allocator kept memory anyway would pass for the wrong reason.
    plain = subprocess.Popen(
        [sys.executable, "-c", _PLAIN], env=_environment(), stdout=subprocess.PIPE, text=True
    )
    try:
        kept_before, kept_after = parse_processes.pool(1).submit(held_after_freeing).result()
    finally:
        parse_processes.stop()
    out, _ = plain.communicate(timeout=120)
    plain_before, plain_after = map(int, out.split())
    assert kept_before > 400 and plain_before > 400  # the frame was allocated in both
    assert kept_after > 0.9 * kept_before  # kept: the next batch finds its pages mapped
    assert plain_after < 0.5 * plain_before  # handed back by jemalloc's default


def test_the_setting_comes_last_in_a_parse_process_after_polars_defaults(monkeypatch):
    """polars writes its own decay times into the variable as it loads, in this process and
    again in the parse process: the pipeline's must come after both to win."""
    _as_in_a_run(monkeypatch)
    try:
        shown = parse_processes.pool(1).submit(os.getenv, allocator.VARIABLE).result()
        parse_processes.stop()
        parse_processes.pool(1)  # a second pool does not append them twice
        assert os.environ[allocator.VARIABLE].count(allocator.SETTINGS) == 1
    finally:
        parse_processes.stop()
    assert shown.endswith(",narenas:1,dirty_decay_ms:60000,muzzy_decay_ms:60000")
    assert shown.startswith("dirty_decay_ms:500")  # polars' own, which would otherwise win
