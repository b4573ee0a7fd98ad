"""How the benchmark measures a stage (pipelines/bench/memory.py): the CPU time of the
whole process tree, a grandchild's included, and its peak memory."""

from __future__ import annotations

import sys
import textwrap

from pipelines.bench.memory import run_measured


def _spin(seconds: float) -> str:
    """Python that spins on the CPU for `seconds` of its own process time."""
    return (
        "import time\n"
        "start = time.process_time()\n"
        f"while time.process_time() - start < {seconds}:\n"
        "    pass\n"
    )


def test_cpu_time_counts_the_whole_tree_and_memory_its_peak(tmp_path):
    grandchild = tmp_path / "grandchild.py"
    grandchild.write_text("held = bytearray(200 << 20)\n" + _spin(0.6))
    child = tmp_path / "child.py"
    child.write_text(
        textwrap.dedent(
            f"""
            import subprocess, sys
            subprocess.run([sys.executable, {str(grandchild)!r}], check=True)
            """
        )
        + _spin(0.4)
    )
    measured = run_measured([sys.executable, str(child)], {}, tmp_path / "log")
    assert measured.returncode == 0, (tmp_path / "log").read_text()
    # 0.6 s in the grandchild and 0.4 s in the child, plus two interpreters' start-up
    assert 1.0 <= measured.cpu_seconds < 1.0 + 3.0
    assert measured.peak_rss_bytes >= 200 << 20  # the grandchild's bytes were seen


def test_a_process_start_time_is_read_to_the_clock_tick():
    """The start-up a build pays is measured from the process's start time (/proc): it falls
    between the moment the parent started it and the child's first line, to a clock tick
    (10 ms). Read against /proc/stat's boot time, whole seconds, it came out up to a
    second early."""
    import subprocess
    import time

    child = (
        "import time; first_line = time.time()\n"
        "from pipelines.bench.stage import _process_started_at\n"
        "print(_process_started_at(), first_line)"
    )
    for _ in range(3):
        spawned = time.time()
        out = subprocess.run(
            [sys.executable, "-c", child], capture_output=True, text=True, check=True
        ).stdout
        started, first_line = (float(value) for value in out.split())
        tick = 0.011
        assert spawned - tick <= started <= first_line + tick, (spawned, started, first_line)
