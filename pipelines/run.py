"""Running the build job in this process, as `par run`, the benchmark and the integration
tests do, with the Settings they pass (resources built from them)."""

from __future__ import annotations

import functools

import dagster as dg

from pipelines.defs.jobs import FULL_BUILD_JOB
from pipelines.defs.partitions import range_tags
from pipelines.lib.landing import discover
from pipelines.settings import Settings


def landing_range_tags(settings: Settings) -> dict[str, str]:
    """One run over every day the landing folder has files for (a single-run backfill)."""
    files, _misplaced = discover(settings.landing_dir)
    if not files:
        raise SystemExit(f"{settings.landing_dir}: no delivered files to ingest")
    days = [file.export_date for file in files]
    return range_tags(min(days), max(days))


@functools.cache
def definitions_for(settings: Settings) -> dg.Definitions:
    """The code location's definitions with resources for these settings (built once per
    settings: resolving the job is the costly part)."""
    from pipelines.definitions import build_definitions

    return build_definitions(settings)


def execute_build(
    instance: dg.DagsterInstance,
    settings: Settings,
    tags: dict[str, str],
    *,
    reports: bool = True,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
) -> dg.ExecuteInProcessResult:
    """The full-build job in this process for the partition(s) in `tags`. Without
    `reports`, the report assets are left out (they only read the published file)."""
    job = definitions_for(settings).resolve_job_def(FULL_BUILD_JOB)
    keys = None
    if not reports:
        keys = [key for key in job.asset_layer.executable_asset_keys if key.path[0] != "reports"]
    return job.execute_in_process(
        instance=instance,
        raise_on_error=raise_on_error,
        tags=tags,
        asset_selection=keys,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )


def execute_full_build(
    instance: dg.DagsterInstance,
    settings: Settings,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
) -> dg.ExecuteInProcessResult:
    """Every day of the landing folder, reports included: what `par run` does."""
    return execute_build(
        instance,
        settings,
        landing_range_tags(settings),
        raise_on_error=raise_on_error,
        log_level=log_level,
    )
