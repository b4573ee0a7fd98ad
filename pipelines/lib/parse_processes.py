"""The parse processes of this process: started by the first feed that parses in parallel
and reused by the feeds after it, until ingest ends (`stop`) or the process exits.

Starting them costs most of a second each time (spawned, not forked, because the caller
is threaded: each is a fresh interpreter importing polars, DuckDB and the parser), and a
full build parses documents, dossiers and procedures in turn. A pool one of whose
processes died (BrokenProcessPool) is replaced at the next request, as is one of another
size. They start with polars' allocator set to keep what it frees (pipelines/lib/allocator.py).
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from pipelines.lib import allocator

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_size = 0


def _usable(pool: ProcessPoolExecutor) -> bool:
    # `_broken` is set by the executor once a process of it died; a broken pool refuses work
    return not getattr(pool, "_broken", False)


def pool(workers: int) -> ProcessPoolExecutor:
    """This process's pool of `workers` parse processes, started if need be."""
    global _pool, _size
    with _lock:
        if _pool is not None and (_size != workers or not _usable(_pool)):
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
        if _pool is None:
            allocator.for_processes_started_from_now()
            _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            _size = workers
        return _pool


def stop() -> None:
    """End the parse processes (they hold the memory of the batches they parsed)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def running() -> bool:
    return _pool is not None


atexit.register(stop)
