"""The publish asset: the last step, run only when everything upstream (ingest, dbt models
and their blocking tests) succeeded."""

import dagster as dg

from pipelines.defs.dbt import par_dbt_models
from pipelines.defs.resources import BUILD_FILE_POOL, WarehouseResource
from pipelines.lib.markdown import md_table
from pipelines.lib.publish import publish
from pipelines.lib.spark_engine import spark_marts_dir
from pipelines.run_plan import build_fingerprint

# publish copies every table of the marts schema: lineage names every one of them
PUBLISHED_MODELS = sorted(
    (key for key in par_dbt_models.keys if key.path[0] == "marts"), key=lambda k: k.path
)


@dg.asset(
    key=dg.AssetKey(["published", "par_duckdb"]),
    deps=PUBLISHED_MODELS,
    group_name="publish",
    pool=BUILD_FILE_POOL,
    kinds={"duckdb"},
    description="The file analysts read (warehouse/par.duckdb): every mart copied into a new "
    "file that atomically replaces the old one (with PAR_ENGINE=spark, from Spark's Parquet "
    "tables). Dagster runs it only after the dbt build, "
    "with its blocking tests, succeeded; otherwise the last good file stays.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    import polars as pl

    where = warehouse.settings
    publication = publish(
        where.build_db,
        where.published_db,
        run_id=context.run.run_id,
        code_fingerprint=build_fingerprint(where),
        # the Spark engine's marts are its Parquet tables, not the build file's
        marts_dir=spark_marts_dir(where.spark_dir) if where.engine == "spark" else None,
    )
    tables = pl.DataFrame(
        {"table": list(publication.tables), "rows": list(publication.tables.values())}
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "published_at": publication.published_at.isoformat(),
            "tables": dg.MetadataValue.md(md_table(tables)),
            "dagster/row_count": publication.tables.get("indicator_values", 0),
        }
    )
