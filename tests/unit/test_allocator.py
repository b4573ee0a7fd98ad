"""polars' allocator keeps freed memory in the pipeline's processes (pipelines/lib/allocator.py).

Each case runs a fresh interpreter: jemalloc reads its settings once, as polars loads.
"""

from __future__ import annotations

import os
import subprocess
import sys

from pipelines.lib import allocator

# A child that allocates ~480 MB in polars, frees it, waits 3 s and prints the anonymous
# memory it holds (MB) before and after. jemalloc's default purges freed pages within
# seconds: measured 941 -> 26 MB after 3 s, and 941 -> 941 with the pipeline's setting.
_FREES_AND_WAITS = """
import sys, time
if sys.argv[1] == "pipelines":
    import pipelines  # noqa: F401 - sets the allocator's variable before polars loads
import polars as pl

def held():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024

frame = pl.Series(range(60_000_000)) * 2
before = held()
del frame
time.sleep(3)
print(before, held())
"""


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != allocator.VARIABLE}
    return {**env, **extra}


def _start(first_import: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _FREES_AND_WAITS, first_import],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _held(process: subprocess.Popen) -> tuple[int, int]:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    before, after = out.split()
    return int(before), int(after)


def test_a_pipeline_process_keeps_what_polars_frees_and_a_plain_one_does_not():
    # Both at once (each waits 3 s). The plain process is the control: without it, a polars
    # whose allocator kept memory anyway would pass this test for the wrong reason.
    pipeline = _start("pipelines", _environment())
    plain = _start("polars", _environment())
    kept_before, kept_after = _held(pipeline)
    plain_before, plain_after = _held(plain)
    assert kept_before > 400 and plain_before > 400  # the frame was allocated in both
    assert kept_after > 0.9 * kept_before  # kept: the next batch finds its pages mapped
    assert plain_after < 0.5 * plain_before  # handed back by jemalloc's default


def test_an_operators_own_allocator_setting_is_kept():
    shown = "import os, pipelines; print(os.environ[pipelines.lib.allocator.VARIABLE])"
    for env, expected in (
        (_environment(), allocator.SETTINGS),
        (_environment(**{allocator.VARIABLE: "dirty_decay_ms:5000"}), "dirty_decay_ms:5000"),
    ):
        out = subprocess.run(
            [sys.executable, "-c", shown], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected
