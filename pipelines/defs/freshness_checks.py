"""Freshness: which units have stopped delivering a daily feed.

A unit's desk and register export every working day; a unit whose latest dossiers or
documents file is more than `freshness_days` (PAR_FRESHNESS_DAYS) days older than the newest
delivery of that feed from any unit is listed. The reference is the newest delivery, not
the wall clock, so a replayed history is judged as it was. Catalogue snapshots and reports
arrive only when something changes or a period closes: they are not judged.

A unit that has never delivered a file of any feed is not judged either: it only stands
in the hierarchy (the contract lets a province deliver feeds of its own or none, and a
district that only groups wards delivers nothing), so it has not stopped anything. A unit
that delivers other feeds but never this daily one is still listed.
"""

from typing import Any

import dagster as dg

from pipelines.defs.check_results import warning_on_error
from pipelines.defs.ingest import feed_key
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.markdown import md_table

DAILY_FEEDS = ("dossiers", "documents")


_STALE_UNITS_SQL = """
    WITH latest AS (
        SELECT unit_code, max(export_date) AS last_delivery
        FROM raw.ingest_ledger WHERE feed = $feed GROUP BY unit_code
    ),
    reference AS (SELECT max(last_delivery) AS newest FROM latest),
    delivering AS (  -- units that delivered a file of any feed
        SELECT DISTINCT unit_code FROM raw.ingest_ledger WHERE unit_code IS NOT NULL
    ),
    units AS (  -- units in existence on the reference day that deliver anything
        SELECT DISTINCT u.unit_code, u.unit_name FROM raw.units AS u, reference AS r
        WHERE coalesce(u.valid_from, DATE '1900-01-01') <= r.newest
          AND coalesce(u.valid_to, DATE '9999-12-31') >= r.newest
          AND u.unit_code IN (SELECT unit_code FROM delivering)
    )
    SELECT units.unit_code, units.unit_name, latest.last_delivery,
           date_diff('day', latest.last_delivery, reference.newest) AS days_behind
    FROM units CROSS JOIN reference LEFT JOIN latest USING (unit_code)
    WHERE latest.last_delivery IS NULL
       OR date_diff('day', latest.last_delivery, reference.newest) > $days
    ORDER BY units.unit_code
"""


def build_freshness_check(feed: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=feed_key(feed),
        name=f"{feed}_delivered_recently",
        blocking=False,
        description=f"Warns when a unit's latest {feed} file is more than PAR_FRESHNESS_DAYS "
        "(default 7) days behind the newest delivery of any unit, or it never delivered "
        f"{feed} while delivering other feeds (a unit that delivers nothing at all, such as "
        "a province, is not judged).",
    )
    @warning_on_error(f"{feed}_delivered_recently")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        days = warehouse.settings.freshness_days
        conn = warehouse.connect()
        try:
            stale = conn.sql(_STALE_UNITS_SQL, params={"feed": feed, "days": days}).pl()
        finally:
            conn.close()
        metadata: dict[str, Any] = {"threshold_days": days, "units_behind": stale.height}
        if stale.height:
            metadata["units"] = dg.MetadataValue.md(md_table(stale))
        return dg.AssetCheckResult(
            passed=stale.height == 0, severity=dg.AssetCheckSeverity.WARN, metadata=metadata
        )

    return _check


FRESHNESS_CHECKS = [build_freshness_check(feed) for feed in DAILY_FEEDS]
