"""Running the full build in this process, as `par run` and the integration tests do."""

import dagster as dg

from pipelines.defs.jobs import FULL_BUILD_JOB
from pipelines.defs.partitions import range_tags
from pipelines.lib.config import paths
from pipelines.lib.landing import discover


def landing_range_tags() -> dict[str, str]:
    """One run over every day the landing folder has files for (a single-run backfill)."""
    files, _misplaced = discover(paths().landing)
    if not files:
        raise SystemExit(f"{paths().landing}: no delivered files to ingest")
    days = [file.export_date for file in files]
    return range_tags(min(days), max(days))


def execute_build(
    instance: dg.DagsterInstance,
    tags: dict[str, str],
    *,
    reports: bool = True,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
) -> dg.ExecuteInProcessResult:
    """The full-build job in this process for the partition(s) in `tags`. Without
    `reports`, the report assets are left out (they only read the published file)."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def(FULL_BUILD_JOB)
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
    instance: dg.DagsterInstance, raise_on_error: bool = True, log_level: str = "DEBUG"
) -> dg.ExecuteInProcessResult:
    """Every day of the landing folder, reports included: what `par run` does."""
    return execute_build(
        instance, landing_range_tags(), raise_on_error=raise_on_error, log_level=log_level
    )
