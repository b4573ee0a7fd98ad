"""Ingest assets: the units registry and one asset per feed, each loading new landing files
into the raw layer of the build file, plus the ingest ledger they all write to."""

from typing import Any

import dagster as dg

from pipelines.defs.partitions import daily, day_window
from pipelines.defs.resources import BUILD_FILE_POOL, WarehouseResource
from pipelines.lib import schema
from pipelines.lib.calendar import vietnam_holidays, years_around
from pipelines.lib.landing import discover
from pipelines.lib.loader import (
    IngestSummary,
    ingest_feed,
    load_units,
    transaction,
    unit_encodings,
)
from pipelines.lib.markdown import md_table
from pipelines.lib.pseudonymise import Pseudonymiser, load_or_create_key

RAW_UNITS = dg.AssetKey(["raw", "units"])
INGEST_LEDGER = dg.AssetKey(["raw", "ingest_ledger"])


def feed_key(feed: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed])


@dg.asset(
    key=RAW_UNITS,
    group_name="ingest",
    pool=BUILD_FILE_POOL,
    kinds={"polars", "duckdb"},
    description="The units registry (landing/units.csv): every People's Committee with its "
    "code, level, parent, validity and the encoding its systems write CSV in.",
)
def raw_units(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    where = warehouse.settings
    conn = warehouse.connect()
    try:
        units = load_units(conn, where.landing_dir)
    finally:
        conn.close()
    context.log.info("units registry: %d rows from %s", units.height, where.units_csv)
    _files, misplaced = discover(where.landing_dir)
    for relpath, reason in misplaced:
        context.log.warning("misplaced landing file %s: %s", relpath, reason)
    return dg.MaterializeResult(
        metadata={
            "misplaced_files": len(misplaced),
            "misplaced": dg.MetadataValue.md(
                "\n".join(f"- {path}: {reason}" for path, reason in misplaced[:50]) or "none"
            ),
            "dagster/row_count": units.height,
            "source": dg.MetadataValue.path(str(where.units_csv)),
            "units": dg.MetadataValue.md(
                md_table(units.select("unit_code", "unit_name", "unit_level", "parent_code"))
            ),
        }
    )


def _summary_metadata(summary: IngestSummary) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "files_seen": summary.files_seen,
        "files_skipped_unchanged": summary.files_skipped,
        "files_loaded": summary.files_loaded,
        "files_replaced": summary.files_replaced,
        "files_rejected": summary.files_rejected,
        "rows_in": summary.rows_in,
        "rows_loaded": summary.rows_loaded,
        "rows_set_aside": summary.rows_set_aside,
        "batches": summary.batches,
        "seconds": round(summary.seconds, 2),
        "rows_per_second": round(summary.rows_per_second),
    }
    if summary.notes:
        shown = summary.notes[:50]
        more = len(summary.notes) - len(shown)
        text = "\n".join(f"- {note}" for note in shown)
        if more:
            text += f"\n- … and {more} more"
        metadata["problems"] = dg.MetadataValue.md(text)
    return metadata


def build_feed_asset(feed: str) -> dg.AssetsDefinition:
    @dg.asset(
        key_prefix="raw",
        name=feed,
        deps=[RAW_UNITS],
        partitions_def=daily,
        # a date range (a backfill, a late re-delivery) is ingested in one run, not per day
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="ingest",
        pool=BUILD_FILE_POOL,
        kinds={"polars", "duckdb"},
        description=f"Every `{feed}` file delivered to the landing folder, parsed, "
        "pseudonymised and loaded into raw.{feed}; rows that cannot load are set aside "
        "with their file, row and reason.".replace("{feed}", feed),
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        where = warehouse.settings
        pseudonymiser = Pseudonymiser(load_or_create_key(where.secret_key))
        conn = warehouse.connect()
        try:
            encodings = unit_encodings(conn.sql("SELECT * FROM raw.units").pl())

            def progress(done: int, total: int, summary: IngestSummary) -> None:
                context.log.info(
                    "%s: %d/%d files, %d rows loaded, %d set aside, %.0f rows/s",
                    feed,
                    done,
                    total,
                    summary.rows_loaded,
                    summary.rows_set_aside,
                    summary.rows_per_second,
                )

            summary = ingest_feed(
                conn,
                where.landing_dir,
                feed,
                pseudonymiser,
                encodings,
                progress=progress,
                run_id=context.run.run_id,
                days=day_window(context),
                workers=where.ingest_workers,
            )
            total_rows = conn.execute(f"SELECT count(*) FROM raw.{feed}").fetchone()[0]
        finally:
            conn.close()
        return dg.MaterializeResult(
            metadata={"dagster/row_count": total_rows, **_summary_metadata(summary)}
        )

    return _ingest


FEED_ASSETS = [build_feed_asset(feed) for feed in schema.FEEDS]


@dg.asset(
    key=INGEST_LEDGER,
    deps=[feed_key(feed) for feed in schema.FEEDS],
    group_name="ingest",
    kinds={"duckdb"},
    description="The ingest ledger (one row per delivered file: hash, rows in, loaded, set "
    "aside) and the set-aside rows with their reasons. Written by the feed assets; this "
    "asset summarises it once they have all run.",
)
def ingest_ledger(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    conn = warehouse.connect()
    try:
        by_feed = conn.sql(
            """
            SELECT feed, count(*) AS files,
                   count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
                   coalesce(sum(rows_in), 0) AS rows_in,
                   coalesce(sum(rows_loaded), 0) AS rows_loaded,
                   coalesce(sum(rows_set_aside), 0) AS rows_set_aside
            FROM raw.ingest_ledger GROUP BY feed ORDER BY feed
            """
        ).pl()
        set_aside = conn.execute("SELECT count(*) FROM raw.set_aside").fetchone()[0]
    finally:
        conn.close()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(by_feed["files"].sum()) if by_feed.height else 0,
            "set_aside_rows": set_aside,
            "by_feed": dg.MetadataValue.md(md_table(by_feed)),
        }
    )


PUBLIC_HOLIDAYS = dg.AssetKey(["raw", "public_holidays"])


@dg.asset(
    key=PUBLIC_HOLIDAYS,
    deps=[INGEST_LEDGER],
    group_name="ingest",
    pool=BUILD_FILE_POOL,
    kinds={"python", "duckdb"},
    description="Vietnam's public holidays (lunar ones computed by the `holidays` package) "
    "for every year the delivered files cover, one more on each side; dim_calendar adds "
    "the announced swaps from the holiday_overrides seed.",
)
def public_holidays(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    conn = warehouse.connect()
    try:
        first, last = conn.execute(
            "SELECT min(export_date), max(export_date) FROM raw.ingest_ledger"
        ).fetchone()
        days = vietnam_holidays(years_around(first, last))
        with transaction(conn):
            conn.execute("DELETE FROM raw.public_holidays")
            conn.register("holidays_frame", days.to_arrow())
            conn.execute("INSERT INTO raw.public_holidays SELECT * FROM holidays_frame")
            conn.unregister("holidays_frame")
    finally:
        conn.close()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": days.height,
            "years": f"{days['holiday_date'].min()} to {days['holiday_date'].max()}",
        }
    )
