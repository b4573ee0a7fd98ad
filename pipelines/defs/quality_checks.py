"""Great Expectations checks on the raw feed assets: what this run loaded, judged row by row.

Non-blocking (severity WARN): a row that loaded but looks wrong is flagged with its file and
row so an operator can chase the unit; it is not dropped and does not stop publication. A
warning check never fails a run either: if anything inside it raises, its result is a failed
warning that carries the error (`warning_on_error`), not a failed step.
"""

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import dagster as dg
import duckdb

from pipelines.defs.check_results import FAILING_ROWS_SHOWN, warning_on_error
from pipelines.defs.ingest import feed_key
from pipelines.defs.resources import WarehouseResource
from pipelines.lib import schema
from pipelines.lib.expectations import ExpectationOutcome, suite_columns, validate_row_chunks
from pipelines.lib.markdown import md_table
from pipelines.settings import DBT_PROJECT_DIR

# The rows this run loaded, with the derived columns the suites compare.
_ROWS_SQL = {
    "dossiers": """
        WITH rows AS (
            SELECT d.*, d.received_at::DATE AS received_on FROM raw.dossiers AS d
            JOIN raw.ingest_ledger AS l USING (source_file)
            WHERE l.run_id = $run_id AND l.source_file IN (SELECT unnest($files))
        ),
        snapshots AS (SELECT DISTINCT unit_code, export_date FROM raw.procedures),
        -- The catalogue in force depends on the unit, the file's export date and the
        -- received day only: it is looked up once per such triple (a province's year: 20
        -- times fewer than rows), each row then looks up its triple's snapshot.
        lookups AS (SELECT DISTINCT unit_code, export_date, received_on FROM rows),
        lookup_bounds AS (  -- the registry row valid on the export date
            SELECT k.unit_code, k.export_date, k.received_on,
                   coalesce(max(u.valid_from), DATE '1900-01-01') AS row_from,
                   coalesce(max(u.valid_to), DATE '9999-12-31') AS row_to
            FROM lookups AS k LEFT JOIN raw.units AS u
              ON u.unit_code = k.unit_code
             AND coalesce(u.valid_from, DATE '1900-01-01') <= k.export_date
             AND coalesce(u.valid_to, DATE '9999-12-31') >= k.export_date
            GROUP BY k.unit_code, k.export_date, k.received_on
        ),
        catalogue_date AS (
            -- the snapshot in force on the received date among those of the registry row
            -- of the export date (a reused code: never the earlier unit's catalogue); a
            -- dossier received before that row began (handed over in a reorganisation)
            -- or before its first snapshot: the row's first catalogue. A row with no
            -- snapshot of its own (renamed, say): the code's snapshots, as before.
            SELECT b.unit_code, b.export_date, b.received_on,
                   coalesce(
                       max(s.export_date) FILTER (
                           WHERE s.export_date <= b.received_on
                             AND s.export_date BETWEEN b.row_from AND b.row_to
                       ),
                       min(s.export_date) FILTER (
                           WHERE s.export_date BETWEEN b.row_from AND b.row_to
                       ),
                       max(s.export_date) FILTER (WHERE s.export_date <= b.received_on),
                       min(s.export_date)
                   ) AS snapshot_date
            FROM lookup_bounds AS b LEFT JOIN snapshots AS s USING (unit_code)
            GROUP BY b.unit_code, b.export_date, b.received_on
        ),
        dated_rows AS (
            -- A scalar subquery (one triple a row: catalogue_date groups by it), not a
            -- join: DuckDB builds its hash table on the subquery's side, the triples (a
            -- chunk: ~30,000), and streams the rows past it, which come out nearly in file
            -- order. With a join, DuckDB's estimate of the triples (millions, from the join
            -- on snapshots) made it build on the rows (500,000, every column) instead, at
            -- nearly twice the CPU, and hand them back shuffled (rows_frame sorts them).
            SELECT r.*, (
                SELECT c.snapshot_date FROM catalogue_date AS c
                WHERE c.unit_code IS NOT DISTINCT FROM r.unit_code
                  AND c.export_date IS NOT DISTINCT FROM r.export_date
                  AND c.received_on IS NOT DISTINCT FROM r.received_on
            ) AS snapshot_date
            FROM rows AS r
        )
        SELECT r.*, (r.export_date + INTERVAL 1 DAY)::TIMESTAMP AS export_day_end,
               r.received_at IS NULL OR EXISTS (
                   SELECT 1 FROM raw.procedures AS p
                   WHERE p.unit_code = r.unit_code AND p.export_date = r.snapshot_date
                     AND p.procedure_code = r.procedure_code
               ) AS procedure_in_catalogue
        FROM dated_rows AS r
    """,
    "documents": """
        SELECT d.*, year(d.document_date) AS document_year,
               d.export_date::TIMESTAMP AS export_day_end
        FROM raw.documents AS d JOIN raw.ingest_ledger AS l USING (source_file)
        WHERE l.run_id = $run_id AND l.source_file IN (SELECT unnest($files))
    """,
    "procedures": """
        SELECT p.*, p.export_date::TIMESTAMP AS export_day_end
        FROM raw.procedures AS p JOIN raw.ingest_ledger AS l USING (source_file)
        WHERE l.run_id = $run_id AND l.source_file IN (SELECT unnest($files))
    """,
    "reports": """
        SELECT r.*, 0 AS zero,
               r.indicator_code IN (SELECT indicator_code FROM read_csv($catalogue, header = true))
                   AS indicator_in_catalogue
        FROM raw.reports AS r JOIN raw.ingest_ledger AS l USING (source_file)
        WHERE l.run_id = $run_id AND l.source_file IN (SELECT unnest($files))
    """,
    "staff": """
        SELECT s.* FROM raw.staff AS s JOIN raw.ingest_ledger AS l USING (source_file)
        WHERE l.run_id = $run_id AND l.source_file IN (SELECT unnest($files))
    """,
}


def rows_to_validate_sql(feed: str) -> str:
    """The query for the rows this run loaded, narrowed to the columns the suite reads."""
    columns = ", ".join(f'"{c}"' for c in suite_columns(feed))
    return f"SELECT {columns} FROM ({_ROWS_SQL[feed]}) AS run_rows"


# Rows per Great Expectations validation (about; a chunk holds whole files): memory holds
# two chunks of a run's rows at a time, the one validated and the next.
CHUNK_ROWS = 500_000


def _chunks_of_files(conn, feed: str, run_id: str) -> list[list[str]]:
    """The files this run loaded for the feed, in groups of about CHUNK_ROWS rows."""
    files = conn.execute(
        "SELECT source_file, coalesce(rows_loaded, 0) FROM raw.ingest_ledger "
        "WHERE run_id = ? AND feed = ? ORDER BY source_file",
        [run_id, feed],
    ).fetchall()
    chunks: list[list[str]] = []
    rows = 0
    for source_file, loaded in files:
        # a new chunk for the first file (whatever it loaded, even nothing), and when this
        # file would take a non-empty chunk over the size: a file is never split
        if not chunks or (chunks[-1] and rows + loaded > CHUNK_ROWS):
            chunks.append([])
            rows = 0
        chunks[-1].append(source_file)
        rows += loaded
    return chunks


INDICATOR_CATALOGUE_SEED = DBT_PROJECT_DIR / "seeds" / "indicator_catalog_seed.csv"


def rows_frame(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]):
    """The rows a query gives, in file and row order, as the pandas frame Great
    Expectations validates. Columns other than text are typed as DuckDB's `.df()` types
    them (nullable integers, dates as datetime64, decimals as floats), so a failing row
    reads as it always did; text is `_pandas_text`.

    In order: the failing rows a check lists are the first of their files, the same on
    every run (a query's order is not, and sorting in arrow costs a quarter of sorting in
    DuckDB). Through arrow: `.df()` spends most of its time making pandas strings."""
    import pyarrow as pa

    rows = _in_file_order(conn.sql(sql, params=params).to_arrow_table())
    text = [
        f.name
        for f in rows.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    frame = conn.from_arrow(rows.drop_columns(text)).df()
    for name in text:
        frame[name] = _pandas_text(rows[name])
    return frame[rows.column_names]


def _in_file_order(rows):
    """The rows as `rows.sort_by` sorts them by file and row. A query gives them nearly in
    that order (the raw tables are stored in file order, and DuckDB's threads each hand back
    stretches of it), so the sorted order is a few dozen stretches of the rows as they came:
    these are sliced, not copied (`take`, a copy of every column, cost as much as the sort).
    Rows that came shuffled are copied in order, as `sort_by` does."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if rows.num_rows < 2:
        return rows
    order = pc.sort_indices(rows, sort_keys=_FILE_ORDER)
    positions = order.to_numpy()
    starts = np.flatnonzero(np.diff(positions) != 1) + 1  # where a stretch begins
    if len(starts) > rows.num_rows // 1000:  # more than a stretch in 1,000 rows: shuffled
        return rows.take(order)
    bounds = [0, *starts.tolist(), rows.num_rows]
    return pa.concat_tables(
        rows.slice(int(positions[start]), end - start) for start, end in pairwise(bounds)
    )


_FILE_ORDER = [("source_file", "ascending"), ("source_row", "ascending")]


def _pandas_text(column):
    """A text column for GX: categorical when its values repeat (a file name, a unit code,
    an ID kind), arrow-backed strings when nearly every value is new (a dossier code).

    GX's pandas engine copies the whole frame for every expectation that leaves rows out (a
    pair with a missing value, a column's nulls): a categorical copies small codes where
    strings copy every character, but making one of a column of distinct values costs more
    than the copies save."""
    encoded = column.dictionary_encode().combine_chunks()
    if 2 * len(encoded.dictionary) > len(encoded):
        return column.to_pandas()
    return encoded.to_pandas()


def _prefetched(items, load):
    """load(item) for each item, the next one loading in a thread while the caller works on
    the one it was given: a chunk's query and conversion (DuckDB and arrow, which release
    the GIL) run on the second core while GX, in Python, validates the chunk before. Memory
    holds the chunk being validated and the next one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        loading = None
        for item in items:
            following = thread.submit(load, item)
            if loading is not None:
                yield loading.result()
            loading = following
        if loading is not None:
            yield loading.result()


def validate_run_rows(
    conn: duckdb.DuckDBPyConnection, feed: str, run_id: str
) -> tuple[list[ExpectationOutcome], int]:
    """The feed's suite over the rows this run loaded, and how many rows that was. In
    chunks of whole files: a province's full build loads millions of rows in one run, and
    every uniqueness expectation includes source_file."""
    params: dict[str, Any] = {"run_id": run_id}
    if feed == "reports":
        params["catalogue"] = str(INDICATOR_CATALOGUE_SEED)
    sql = rows_to_validate_sql(feed)
    loader = conn.cursor()  # the loading thread's own connection to the build file
    frames = _prefetched(
        _chunks_of_files(conn, feed, run_id),
        lambda files: rows_frame(loader, sql, {**params, "files": files}),
    )
    validated = 0

    def counted():
        nonlocal validated
        for frame in frames:
            validated += len(frame)
            yield frame

    try:
        outcomes = validate_row_chunks(feed, counted(), max_examples=FAILING_ROWS_SHOWN)
    finally:
        frames.close()  # waits for a chunk still loading (if GX raised)
        loader.close()
    return outcomes, validated


def _examples_markdown(examples: list[dict]) -> str:
    """Failing rows as a table; their values come from delivered files, so md_table escapes."""

    return md_table(examples) if examples else ""


def _failed_summary(failed: list, expectations: int) -> str:
    """'2 of 11 expectations failed: send_method_known (1 row), ...' (first line: what
    `par run` prints)."""
    parts = [
        f"{o.name} (could not be evaluated)"
        if o.error
        else f"{o.name} ({o.unexpected_count} row{'' if o.unexpected_count == 1 else 's'})"
        for o in failed
    ]
    return f"{len(failed)} of {expectations} expectations failed: " + ", ".join(parts)


# The feed checks run last in a run (Dagster runs the ready step of highest priority first;
# the default is 0): after dbt's build and publishing, which they cannot hold back (they
# warn, they do not block). GX is imported while dbt builds in its own process
# (pipelines/defs/dbt.py), when this one only waits; imported during ingest, it took the
# interpreter from the parsing and writing of a nightly's files (~2 s of Python).
LAST = {"dagster/priority": "-1"}


def build_feed_check(feed: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=feed_key(feed),
        name=f"{feed}_rows_look_right",
        blocking=False,
        op_tags=LAST,
        description=f"Great Expectations suite raw_{feed} over the rows this run loaded: "
        "codes, keys, date order, dates after the export day"
        + (", ID shape, procedure in the catalogue" if feed == "dossiers" else "")
        + ". Failing rows are flagged with file and row, not dropped.",
    )
    @warning_on_error(f"{feed}_rows_look_right")
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        conn = warehouse.connect()
        try:
            outcomes, validated = validate_run_rows(conn, feed, context.run.run_id)
        finally:
            conn.close()
        if not validated:
            return dg.AssetCheckResult(passed=True, metadata={"rows_validated": 0})
        failed = [o for o in outcomes if not o.success]
        metadata: dict[str, Any] = {
            "rows_validated": validated,
            "expectations": len(outcomes),
            "expectations_failed": len(failed),
        }
        for outcome in failed:
            if outcome.error:  # GX caught an error: no row was judged, say so
                text = f"**could not be evaluated**: {outcome.error}"
            else:
                text = (
                    f"**{outcome.unexpected_count} rows**: expected {outcome.meaning}.\n\n"
                    + _examples_markdown(outcome.examples)
                )
            metadata[outcome.name] = dg.MetadataValue.md(text)
        failing = [
            {"expectation": outcome.name, **example}
            for outcome in failed
            for example in outcome.examples
        ][:FAILING_ROWS_SHOWN]
        if failing:  # every failed expectation's first rows, in one table
            metadata["failing_rows"] = dg.MetadataValue.md(
                md_table(failing, max_rows=FAILING_ROWS_SHOWN)
            )
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.WARN,
            metadata=metadata,
            description=_failed_summary(failed, len(outcomes)) if failed else None,
        )

    return _check


FEED_CHECKS = [build_feed_check(feed) for feed in schema.FEEDS]
