"""Row accounting: the ledger's claims must match what the raw tables hold.

Blocking: if a file's rows do not add up, some row was lost or doubled, and no indicator
computed from the raw layer can be trusted.
"""

from typing import Any

import dagster as dg

from pipelines.defs.ingest import INGEST_LEDGER
from pipelines.defs.resources import WarehouseResource
from pipelines.lib import schema
from pipelines.lib.markdown import md_table


def _unbalanced_files_sql() -> str:
    """Files whose ledger counts disagree with themselves or with the raw tables."""
    loaded_counts = " UNION ALL ".join(
        f"SELECT source_file, count(*) AS n FROM raw.{feed} GROUP BY source_file"
        for feed in schema.FEEDS
    )
    return f"""
        WITH loaded AS ({loaded_counts}),
        set_aside AS (
            -- an unreadable file is one set-aside row with no row number
            SELECT source_file, count(*) AS n FROM raw.set_aside GROUP BY source_file
        )
        SELECT l.source_file, l.status, l.rows_in, l.rows_loaded, l.rows_set_aside,
               coalesce(loaded.n, 0) AS rows_in_raw_table,
               coalesce(set_aside.n, 0) AS rows_in_set_aside_table
        FROM raw.ingest_ledger AS l
        LEFT JOIN loaded USING (source_file)
        LEFT JOIN set_aside USING (source_file)
        WHERE (l.status = 'loaded' AND l.rows_in <> l.rows_loaded + l.rows_set_aside)
           OR l.rows_loaded <> coalesce(loaded.n, 0)
           OR l.rows_set_aside <> coalesce(set_aside.n, 0)
        ORDER BY l.source_file
    """


@dg.asset_check(
    asset=INGEST_LEDGER,
    blocking=True,
    description="For every delivered file: rows in = rows loaded + rows set aside, and the "
    "raw tables hold exactly the rows the ledger says were loaded and set aside.",
)
def every_row_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    conn = warehouse.connect()
    try:
        unbalanced = conn.sql(_unbalanced_files_sql()).pl()
        files = conn.execute("SELECT count(*) FROM raw.ingest_ledger").fetchone()[0]
    finally:
        conn.close()
    metadata: dict[str, Any] = {
        "files_checked": files,
        "files_unbalanced": unbalanced.height,
    }
    if unbalanced.height:
        metadata["unbalanced_files"] = dg.MetadataValue.md(md_table(unbalanced))
    return dg.AssetCheckResult(passed=unbalanced.height == 0, metadata=metadata)
