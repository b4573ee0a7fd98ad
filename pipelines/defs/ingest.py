"""Ingest assets: the units registry (with the landing folder's rejected entries), the unit
successions, and one asset per feed, each loading new landing files into the raw layer of the
build file, plus the ingest ledger they all write to.

unit_successions.csv has its own asset (raw/unit_successions, after raw/units): it is judged
against the registry rows raw/units loaded, a bad successions file must not stop the feeds
(nothing in the feeds depends on it), and the dbt models that will read it get a lineage
edge of their own.
"""

import warnings
from typing import Any

import dagster as dg

from pipelines.defs.check_results import warning_on_error
from pipelines.defs.partitions import day_window, monthly
from pipelines.defs.resources import BUILD_FILE_POOL, WarehouseResource
from pipelines.lib import parse_processes, schema
from pipelines.lib.calendar import vietnam_holidays, years_around
from pipelines.lib.landing import (
    SUCCESSIONS_FILE,
    UNITS_FILE,
    RegistryRead,
    UnitRegistry,
    scan,
)
from pipelines.lib.loader import (
    IngestSummary,
    ingest_feed,
    load_registry,
    load_successions,
    record_rejected,
    transaction,
    unit_encodings,
)
from pipelines.lib.markdown import md_table
from pipelines.lib.pseudonymise import Pseudonymiser, load_or_create_key

RAW_UNITS = dg.AssetKey(["raw", "units"])
RAW_UNIT_SUCCESSIONS = dg.AssetKey(["raw", "unit_successions"])
INGEST_LEDGER = dg.AssetKey(["raw", "ingest_ledger"])
_LISTED = 50  # entries shown in metadata and logged one by one


def feed_key(feed: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed])


def _listing(lines: list[str]) -> dg.MetadataValue:
    """Up to _LISTED lines as a one-column Markdown table: they hold delivered names and
    reasons, and a table cell is escaped so that none can end its line or start markup."""
    if not lines:
        return dg.MetadataValue.md("none")
    shown = md_table([{"entry": line} for line in lines[:_LISTED]], max_rows=_LISTED)
    more = len(lines) - _LISTED
    return dg.MetadataValue.md(shown + (f"\n\n… and {more} more" if more > 0 else ""))


def _set_aside_lines(read: RegistryRead) -> list[str]:
    return [f"row {row.source_row}: {row.reason}" for row in read.set_aside]


@dg.asset(
    key=RAW_UNITS,
    group_name="ingest",
    pool=BUILD_FILE_POOL,
    kinds={"polars", "duckdb"},
    description="The units registry (landing/units.csv): every People's Committee with its "
    "code, level, parent, validity and the encoding its systems write CSV in; rows that "
    "contradict the contract are set aside with their reason. Also records in the ledger "
    "every entry under the landing folder that is not a delivery (misplaced, badly named, "
    "a symbolic link …), rejected with its reason and never opened.",
)
def raw_units(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    where = warehouse.settings
    run_id = context.run.run_id
    conn = warehouse.connect()
    try:
        # Raises (after recording why in the ledger) when units.csv cannot be used at all.
        registry = load_registry(conn, where.landing_dir, run_id)
        rejected = scan(where.landing_dir).rejected
        written, removed = record_rejected(conn, rejected, run_id)
    finally:
        conn.close()
    units = registry.rows
    context.log.info(
        "units registry: %d rows loaded, %d set aside from %s",
        units.height,
        registry.rows_set_aside,
        where.units_csv,
    )
    for row in registry.set_aside[:_LISTED]:
        context.log.warning("%s row %s set aside: %s", UNITS_FILE, row.source_row, row.reason)
    for entry in rejected[:_LISTED]:
        context.log.warning("rejected landing entry %s: %s", entry.relpath, entry.reason)
    if len(rejected) > _LISTED:
        context.log.warning("… and %d more rejected landing entries", len(rejected) - _LISTED)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": units.height,
            "rows_set_aside": registry.rows_set_aside,
            "set_aside": _listing(_set_aside_lines(registry)),
            "rejected_entries": len(rejected),
            "rejected_entries_new": written,
            "rejected_entries_gone": removed,
            "rejected": _listing([f"{entry.relpath}: {entry.reason}" for entry in rejected]),
            "source": dg.MetadataValue.path(str(where.units_csv)),
            "units": dg.MetadataValue.md(
                md_table(units.select("unit_code", "unit_name", "unit_level", "parent_code"))
            ),
        }
    )


@dg.asset(
    key=RAW_UNIT_SUCCESSIONS,
    deps=[RAW_UNITS],
    group_name="ingest",
    pool=BUILD_FILE_POOL,
    kinds={"polars", "duckdb"},
    description="The reorganisations (landing/unit_successions.csv, optional): which units "
    "took over which, from which day, whole or in part; judged against raw.units, rows that "
    "do not fit the registry set aside with their reason.",
)
def raw_unit_successions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    conn = warehouse.connect()
    try:
        read = load_successions(conn, warehouse.settings.landing_dir, context.run.run_id)
    finally:
        conn.close()
    if read.status == "rejected":
        context.log.error("%s rejected: %s", read.source_file, read.error)
    for row in read.set_aside[:_LISTED]:
        context.log.warning("%s row %s set aside: %s", read.source_file, row.source_row, row.reason)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": read.rows_loaded,
            "delivered": read.present,
            "status": read.status if read.present else "absent",
            "error": read.error or "",
            "rows_set_aside": read.rows_set_aside,
            "set_aside": _listing(_set_aside_lines(read)),
        }
    )


def _registry_check(asset: dg.AssetKey, source_file: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=f"{source_file.removesuffix('.csv')}_rows_fit_the_contract",
        blocking=False,
        description=f"Warns when rows of {source_file} were set aside (or the file rejected): "
        "a unit without a registry row on a day has its files of that day rejected.",
    )
    @warning_on_error(f"{source_file.removesuffix('.csv')}_rows_fit_the_contract")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        conn = warehouse.connect()
        try:
            aside = conn.sql(
                "SELECT source_row, unit_code, reason FROM raw.set_aside "
                "WHERE source_file = $file ORDER BY source_row NULLS FIRST",
                params={"file": source_file},
            ).pl()
        finally:
            conn.close()
        metadata: dict[str, Any] = {"rows_set_aside": aside.height}
        if aside.height:
            metadata["set_aside"] = dg.MetadataValue.md(md_table(aside))
        return dg.AssetCheckResult(
            passed=aside.height == 0, severity=dg.AssetCheckSeverity.WARN, metadata=metadata
        )

    return _check


REGISTRY_CHECKS = [
    _registry_check(RAW_UNITS, UNITS_FILE),
    _registry_check(RAW_UNIT_SUCCESSIONS, SUCCESSIONS_FILE),
]


def _registry(conn) -> UnitRegistry:
    """The registry raw/units loaded; fails rather than reject every file when there is
    none (units.csv rejected, or raw/units never ran on this build file)."""
    rejected = conn.execute(
        "SELECT error FROM raw.ingest_ledger WHERE source_file = ? AND feed = 'units' "
        "AND status = 'rejected'",
        [UNITS_FILE],
    ).fetchone()
    if rejected:
        raise dg.Failure(f"{UNITS_FILE} is rejected ({rejected[0]}): nothing is ingested")
    units = conn.sql("SELECT * FROM raw.units").pl()
    if units.height == 0:
        raise dg.Failure(f"raw.units is empty: materialize raw/units ({UNITS_FILE}) first")
    return unit_encodings(units)


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


# The single-run backfill policy is beta in Dagster 1.13: the warning it prints on every
# definitions load (five times, once per feed) says nothing an operator can act on.
warnings.filterwarnings("ignore", message=".*`backfill_policy`.*", category=dg.BetaWarning)


def build_feed_asset(feed: str) -> dg.AssetsDefinition:
    @dg.asset(
        key_prefix="raw",
        name=feed,
        deps=[RAW_UNITS],
        partitions_def=monthly,
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
            registry = _registry(conn)

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
                registry,
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
    deps=[RAW_UNITS, RAW_UNIT_SUCCESSIONS, *(feed_key(feed) for feed in schema.FEEDS)],
    group_name="ingest",
    kinds={"duckdb"},
    description="The ingest ledger (one row per entry under the landing folder: hash, rows "
    "in, loaded, set aside, or rejected with its reason) and the set-aside rows with their "
    "reasons. Written by the registry and feed assets; this asset summarises it once they "
    "have all run.",
)
def ingest_ledger(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    parse_processes.stop()  # every feed has run: the parse processes' memory goes back
    conn = warehouse.connect()
    try:
        by_feed = conn.sql(
            """
            SELECT coalesce(feed, '(no feed)') AS feed, count(*) AS files,
                   count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
                   coalesce(sum(rows_in), 0) AS rows_in,
                   coalesce(sum(rows_loaded), 0) AS rows_loaded,
                   coalesce(sum(rows_set_aside), 0) AS rows_set_aside
            FROM raw.ingest_ledger GROUP BY ALL ORDER BY feed
            """
        ).pl()
        set_aside = conn.execute("SELECT count(*) FROM raw.set_aside").fetchone()[0]
        not_deliveries = conn.execute(
            "SELECT count(*) FROM raw.ingest_ledger WHERE export_date IS NULL "
            "AND status = 'rejected' AND coalesce(feed, '') NOT IN ('units', 'unit_successions')"
        ).fetchone()[0]
    finally:
        conn.close()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(by_feed["files"].sum()) if by_feed.height else 0,
            "set_aside_rows": set_aside,
            "rejected_entries_not_deliveries": not_deliveries,
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
