"""The Dagster code location: ingest → dbt → publish → reports, with their checks.

Every asset, check, job, schedule and sensor in `pipelines/defs/` is loaded from the package;
resources come from the Settings (`defs` uses this process's environment; tests and `par`
build definitions for the settings they pass).
"""

from __future__ import annotations

import warnings

from pipelines.lib import heap

# what the imports below make lives as long as the process: no collection walks it while
# it is made (settle_heap collects once, then freezes it)
heap.hold_collections()

import dagster as dg  # noqa: E402

import pipelines.defs  # noqa: E402
from pipelines.defs.resources import resources_for  # noqa: E402
from pipelines.settings import Settings, load_settings  # noqa: E402


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
    """Take what is alive now out of the garbage collector's sight, after one last
    collection of it, and what is alive when the process exits (`heap.settle`).

    A process loads the code location once (Dagster's code server and run worker, `par run`),
    and what it holds after that (the modules: Dagster, dbt, polars, DuckDB; the
    definitions; ~500,000 objects) lives until the process ends. Every full collection
    walked all of it again: a few during a run and the last ones when the process exits.
    Objects made later are collected as before."""
    heap.settle()


try:
    defs = build_definitions(load_settings())
finally:
    settle_heap()  # also when loading fails: collections are never left held
