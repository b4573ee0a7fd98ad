"""The garbage collector in a run's process: held while the code location loads, then
everything loaded frozen out of its sight; the same again once Great Expectations is
imported; and at exit.

What a process loads once (Dagster, dbt, polars, DuckDB, the definitions: ~500,000
objects; Great Expectations: ~300,000 more) lives until it ends. Python's full collections
walk every tracked object, and they come more often the faster objects are made: importing
walked the growing heap again and again (~0.2 s of a run's start-up), and every full
collection of a run walked what was loaded, as did those of the interpreter's shutdown
(~0.7 s with Great Expectations imported). Frozen (`gc.freeze`), it is never walked again;
what a run makes later is collected as before. Files and connections are closed by the code
that opened them, never left to the collector.
"""

from __future__ import annotations

import atexit
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_exit_registered = False


def hold_collections() -> None:
    """No automatic collection until `settle` (called at the start of a run's process, before
    the imports of Dagster and the definitions): what they make would survive them anyway."""
    gc.disable()


def settle() -> None:
    """Collect once, freeze what is alive, collect automatically again; and freeze what is
    alive when the process exits, before the interpreter's last collections."""
    global _exit_registered
    with _lock:
        gc.collect()
        gc.freeze()
        gc.enable()
        if not _exit_registered:
            atexit.register(gc.freeze)
            _exit_registered = True


@contextmanager
def loading() -> Iterator[None]:
    """Collections held while the block runs (a run's imports and the definitions' load),
    then `settle`: also when the block raises, so they are never left held."""
    hold_collections()
    try:
        yield
    finally:
        settle()
