"""polars' allocator told to keep the memory it frees for a minute before handing it back.

polars allocates with its own jemalloc, which by default gives freed pages back to the
kernel within seconds. Ingest frees and allocates again all the time (each parsed batch,
in the parse processes and in the writer that receives it), so the pages went back and were
faulted in again, zeroed, batch after batch: in a province's full build the kernel spent
~6-9 of ~170 core-seconds on it, and the build took 3-7% longer (`make bench`'s stage run
in pairs, `_RJEM_MALLOC_CONF` unset and set). Kept for a minute, a process's memory stays at
its recent peak while it works and goes back once it has been idle for that long.

jemalloc reads the variable once, when the process first allocates through it (as polars
is imported), so it must be set before that: `pipelines/__init__.py` sets it, and the
processes a run starts (the parse processes) inherit it. The name is that of polars' build
of jemalloc (tikv-jemallocator, prefixed: `_RJEM_MALLOC_CONF`, not `MALLOC_CONF`);
`tests/unit/test_allocator.py` checks that polars obeys it. An operator's own setting of
the variable is kept.
"""

from __future__ import annotations

import os

VARIABLE = "_RJEM_MALLOC_CONF"
# jemalloc's decay times: freed pages are purged gradually over this many milliseconds
SETTINGS = "dirty_decay_ms:60000,muzzy_decay_ms:60000"


def keep_freed_memory() -> None:
    """Set polars' allocator's decay for this process (if polars is not loaded yet) and
    for the processes it starts."""
    os.environ.setdefault(VARIABLE, SETTINGS)
