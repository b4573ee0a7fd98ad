"""Reports for people who do not write SQL, made from the published file on every run:
Excel workbooks, HTML chart pages, and the dbt data dictionary.

The report assets only read par.duckdb (read-only, closed before any file is written), so
they need no place in the build file's pool. The data dictionary copies the build file's
schema, so it takes its turn in that pool like every other user of the build file.
"""

import base64

import dagster as dg

from pipelines.defs.publish import published_warehouse
from pipelines.defs.resources import BUILD_FILE_POOL, WarehouseResource
from pipelines.settings import Settings

REPORTS_GROUP = "reports"


def _progress_logger(context: dg.AssetExecutionContext):
    def log(progress) -> None:
        context.log.info(progress.line())

    return log


def _files_table(progress) -> str:
    import polars as pl

    from pipelines.lib.markdown import md_table

    frame = pl.DataFrame(
        {
            "unit": [f.unit_code for f in progress.files],
            "period": [f.period.label for f in progress.files],
            "file": [str(f.path) for f in progress.files],
            "rows": [f.rows for f in progress.files],
            "seconds": [round(f.seconds, 2) for f in progress.files],
        }
    )
    return md_table(frame)


def _write(context: dg.AssetExecutionContext, settings: Settings, kind: str):
    from pipelines.reports.data import load_snapshot
    from pipelines.reports.generate import write_reports

    snapshot = load_snapshot(settings.published_db)  # in memory; the file is closed again
    return write_reports(
        snapshot,
        settings.reports_dir,
        kinds=(kind,),
        on_file=_progress_logger(context),
        stale_after_days=settings.freshness_days,
    )


def _summary(settings: Settings, progress) -> dict:
    return {
        "folder": dg.MetadataValue.path(str(settings.reports_dir)),
        "files": dg.MetadataValue.md(_files_table(progress)),
        "files_written": f"{progress.done}/{progress.total}",
        "rows": progress.rows,
        "rows_per_second": round(progress.rows_per_second),
        "seconds": round(progress.seconds, 2),
    }


@dg.asset(
    key=dg.AssetKey(["reports", "excel"]),
    deps=[published_warehouse.key],
    group_name=REPORTS_GROUP,
    kinds={"excel"},
    description="One Excel workbook per top-level unit and year "
    "(`reports/<unit>/<year>/par_<unit>_<year>.xlsx`): a cover saying the period, when the "
    "figures were computed and from which files; a sheet per indicator group with every unit's "
    "numerator, denominator, value, target and whether it is met; and the warnings in "
    "Vietnamese (reconciliation, due-date flags, set-aside rows, units that stopped "
    "delivering). Months and quarters: `par report --period 2021-03 --excel`.",
)
def excel_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    progress = _write(context, warehouse.settings, "excel")
    metadata = _summary(warehouse.settings, progress)
    if progress.files:
        metadata["latest"] = dg.MetadataValue.path(str(progress.files[-1].path))
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=dg.AssetKey(["reports", "html"]),
    deps=[published_warehouse.key],
    group_name=REPORTS_GROUP,
    kinds={"html"},
    description="One self-contained HTML page per top-level unit and year "
    "(`reports/<unit>/<year>/par_<unit>_<year>.html`, opens offline): per indicator the monthly "
    "trend of the area and of each unit against the target line, and the ranking of the units.",
)
def html_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.reports.charts import preview_png

    progress = _write(context, warehouse.settings, "html")
    metadata = _summary(warehouse.settings, progress)
    if progress.files:
        latest = progress.files[-1].path
        metadata["latest"] = dg.MetadataValue.url(latest.resolve().as_uri())
        png = preview_png(progress.previews[latest], scale=0.75)
        if png:
            encoded = base64.b64encode(png).decode("ascii")
            metadata["preview"] = dg.MetadataValue.md(
                f"![{latest.name}](data:image/png;base64,{encoded})"
            )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=dg.AssetKey(["reports", "data_dictionary"]),
    deps=[published_warehouse.key],
    group_name=REPORTS_GROUP,
    pool=BUILD_FILE_POOL,
    kinds={"dbt"},
    description="`dbt docs generate --static` as one page, warehouse/docs/index.html: every "
    "model, column and test with its description and lineage. dbt reads a schema-only copy "
    "of the build file, never the build file itself.",
)
def data_dictionary(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.reports.dbt_docs import generate_docs

    site = generate_docs(warehouse.settings, warehouse.settings.docs_dir)
    context.log.info(
        "data dictionary: %s (%d tables and views)%s",
        site.index,
        site.tables,
        ": unchanged (same models and schema), kept" if site.reused else "",
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(site.index)),
            "link": dg.MetadataValue.url(site.index.resolve().as_uri()),
            "tables_and_views": site.tables,
            "regenerated": not site.reused,
            "seconds": round(site.seconds, 2),
        }
    )


REPORT_ASSETS = [excel_reports, html_reports, data_dictionary]
