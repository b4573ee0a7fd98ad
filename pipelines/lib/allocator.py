"""polars' allocator told, in the parse processes, to keep what it frees for a minute.

polars allocates with its own jemalloc, which gives freed pages back to the kernel within a
second or two (a buffer over 8 MiB at once). A parse process frees and allocates again all
the time (each batch's texts, frames and pickled result), so its pages went back and were
faulted in again, zeroed, batch after batch: in a province's full build the two parse
processes spent ~17 core-seconds in the kernel, ~6 with the setting (`make bench`'s build
stage with each process's CPU read from /proc: 8.2-8.7 -> 2.6-3.3 s of system time each;
the stage 3-5% faster).

Only there. The process that runs the steps (the writer) gained nothing measurable from it,
and every process it held memory in raised the build's peak: one arena (`narenas:1`)
instead of one per thread keeps what a parse process holds near its largest batch (the
province build's peak: 3.1-3.3 GiB without the setting, 4.0-4.3 with it everywhere,
3.4-3.7 with this).

jemalloc reads its settings once, when polars loads, from `_RJEM_MALLOC_CONF` (polars'
build of jemalloc, tikv-jemallocator, is prefixed: not `MALLOC_CONF`). polars itself writes
its defaults there as it loads (`dirty_decay_ms:500,muzzy_decay_ms:1000`), followed by what
the variable held before, and a spawned process takes its environment from this one as it
starts: so these options are appended to the variable here, before the first parse process
starts, and come last in the child, where the last of an option wins. The variable stays
so (this process's own polars read its settings long ago; changing it once, never back, is
the least an environment shared by threads can be changed). `tests/unit/test_allocator.py`
checks that a parse process's polars obeys it.
"""

from __future__ import annotations

import os

VARIABLE = "_RJEM_MALLOC_CONF"
# one arena; freed pages purged gradually over this many milliseconds
SETTINGS = "narenas:1,dirty_decay_ms:60000,muzzy_decay_ms:60000"


def for_processes_started_from_now() -> None:
    """Give the setting to the processes this one starts from now on (not to itself)."""
    current = os.environ.get(VARIABLE, "")
    if not current.endswith(SETTINGS):
        os.environ[VARIABLE] = f"{current},{SETTINGS}" if current else SETTINGS
