"""The Dagster code location: ingest → dbt → publish → reports, with their checks."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.automation import late_files_sensor, nightly_schedule
from pipelines.defs.dbt import dbt_resource, par_dbt_models
from pipelines.defs.freshness_checks import FRESHNESS_CHECKS
from pipelines.defs.ingest import FEED_ASSETS, ingest_ledger, public_holidays, raw_units
from pipelines.defs.jobs import full_build_job
from pipelines.defs.ledger_checks import every_row_accounted_for
from pipelines.defs.publish import published_warehouse
from pipelines.defs.quality_checks import FEED_CHECKS
from pipelines.defs.reports import REPORT_ASSETS

defs = dg.Definitions(
    assets=[
        raw_units,
        *FEED_ASSETS,
        ingest_ledger,
        public_holidays,
        par_dbt_models,
        published_warehouse,
        *REPORT_ASSETS,
    ],
    asset_checks=[every_row_accounted_for, *FEED_CHECKS, *FRESHNESS_CHECKS],
    schedules=[nightly_schedule],
    sensors=[late_files_sensor],
    jobs=[full_build_job],
    resources={"dbt": dbt_resource},
    # One process, steps in order: the build file has one writer at a time, and a run does
    # not pay a Python start-up per step.
    executor=dg.in_process_executor,
)
