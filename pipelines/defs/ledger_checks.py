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
    """Files whose ledger counts disagree with themselves or with the raw tables.

    The ledger's rows_in is counted from the delivered file and rows_loaded / rows_set_aside
    from what parsing put in each frame (pipelines/lib/parsing.py), so these equalities are
    facts to check, not arithmetic: a row lost, doubled or written without its ledger row
    between the file and the raw tables shows here."""
    tables = (*schema.FEEDS, *schema.REGISTRY_TABLES)
    loaded_counts = " UNION ALL ".join(
        f"SELECT source_file, count(*) AS n FROM raw.{table} GROUP BY source_file"
        for table in tables
    )
    return f"""
        WITH loaded AS (
            SELECT source_file, sum(n) AS n FROM ({loaded_counts}) GROUP BY source_file
        ),
        set_aside AS (
            -- a rejected file is one set-aside row with no row number
            SELECT source_file, count(*) AS n,
                   count(*) FILTER (WHERE source_row IS NULL) AS file_rows
            FROM raw.set_aside GROUP BY source_file
        ),
        ledger AS (
            SELECT *, count(*) OVER (PARTITION BY source_file) AS ledger_rows
            FROM raw.ingest_ledger
        ),
        files AS (
            SELECT source_file FROM ledger
            UNION SELECT source_file FROM loaded
            UNION SELECT source_file FROM set_aside
        )
        SELECT files.source_file, l.status, l.rows_in, l.rows_loaded, l.rows_set_aside,
               coalesce(loaded.n, 0) AS rows_in_raw_table,
               coalesce(set_aside.n, 0) AS rows_in_set_aside_table
        FROM files
        LEFT JOIN ledger AS l USING (source_file)
        LEFT JOIN loaded USING (source_file)
        LEFT JOIN set_aside USING (source_file)
        WHERE l.source_file IS NULL  -- raw rows of a file the ledger does not know
           OR l.ledger_rows > 1
           OR l.status NOT IN ('loaded', 'rejected')
           OR (l.status = 'loaded'
               AND (l.rows_in IS NULL OR l.rows_in <> l.rows_loaded + l.rows_set_aside))
           OR (l.status = 'rejected'
               AND (l.rows_loaded <> 0 OR coalesce(set_aside.file_rows, 0) <> 1))
           OR l.rows_loaded IS DISTINCT FROM coalesce(loaded.n, 0)
           OR l.rows_set_aside IS DISTINCT FROM coalesce(set_aside.n, 0)
        ORDER BY files.source_file
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
