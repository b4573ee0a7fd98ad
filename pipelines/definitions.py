"""The Dagster code location: ingest → dbt → publish → reports, with their checks.

Every asset, check, job, schedule and sensor in `pipelines/defs/` is loaded from the package;
resources come from the Settings (`defs` uses this process's environment; tests and `par`
build definitions for the settings they pass).
"""

from __future__ import annotations

import atexit
import gc
import warnings

import dagster as dg

import pipelines.defs
from pipelines.defs.resources import resources_for
from pipelines.settings import Settings, load_settings


def build_definitions(settings: Settings) -> dg.Definitions:
    with warnings.catch_warnings():
        # the package loader is marked "preview"; what it returns is plain Definitions
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.load_definitions_from_package_module(
            pipelines.defs,
            resources=resources_for(settings),
            # One process, steps in order: the build file has one writer at a time, and a
            # run does not pay a Python start-up per step.
            executor=dg.in_process_executor,
        )


def settle_heap() -> None:
    """Take what is alive now out of the garbage collector's sight (`gc.freeze`), after one
    last collection of it; and do the same with what is alive when the process exits.

    A process loads the code location once (Dagster's code server and run worker, `par run`),
    and what it holds after that (the modules: Dagster, dbt, polars, DuckDB; the
    definitions; ~350,000 objects) lives until the process ends. Every full collection
    walked all of it again: a few during a run and a last one when the process exits,
    ~1 s of a nightly run's ~17 s. Objects made later are collected as before.

    What a run imports and makes later (Great Expectations for the feed checks, ~0.7 s of
    its own) was still walked by the collections Python makes while it shuts down: ~0.7 s
    of every run's exit, for memory the operating system takes back anyway. Frozen at exit
    (an atexit handler, which runs before those collections), a run's process ends in
    ~0.1 s. Files and connections are closed by the code that opened them, never left to
    the collector."""
    gc.collect()
    gc.freeze()
    atexit.register(gc.freeze)


defs = build_definitions(load_settings())
settle_heap()
