"""Jobs: the whole warehouse, from landing files to the published file."""

import dagster as dg

from pipelines.defs.partitions import monthly

FULL_BUILD_JOB = "par_full_build"

full_build_job = dg.define_asset_job(
    FULL_BUILD_JOB,
    selection=dg.AssetSelection.all(),
    partitions_def=monthly,
    description="Ingest the new landing files of the chosen days, build the dbt models with "
    "their tests, and publish par.duckdb if every blocking check passed.",
)
