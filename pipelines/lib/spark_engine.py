"""The Spark engine's hand-over points (PAR_ENGINE=spark): the raw tables the ingest wrote
into the build file, exported as Parquet for Spark to read; and nothing else. The dbt
models run on Spark through dbt-spark (the `spark` target of dbt_project/profiles.yml),
which registers these folders as the `raw` database (macro `register_raw_tables`), and
publishing reads the marts Spark wrote (`pipelines.lib.publish`).

The large, growing tables (change logs and snapshots) are partitioned by the month of
their export date (`export_month=YYYY-MM`, Hive style, so Spark finds the partitions): a
run rewrites only the months its window touched, and any month whose row count no longer
matches the build file's (a re-delivery, a month deleted). The small tables are written
whole every run. No Spark here: DuckDB writes the files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

RAW_SCHEMA = "raw"
# Tables partitioned by export month (the rest are small: registry, ledger, holidays).
PARTITIONED = frozenset({"dossiers", "documents", "procedures", "staff"})
PARTITION_COLUMN = "export_month"
# Hive's name for the partition of a null value: rows without an export date keep one.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
PART_FILE = "part-0.parquet"


@dataclass(frozen=True)
class Export:
    """What one export wrote: rows per table, and the months rewritten per partitioned one."""

    rows: dict[str, int]
    months_written: dict[str, list[str]]


def raw_dir(spark_dir: Path) -> Path:
    return spark_dir / "raw"


def spark_marts_dir(spark_dir: Path) -> Path:
    """Spark's `marts` database: a folder per table, Parquet files inside. Spark's warehouse
    is `spark_dir/warehouse` (spark.sql.warehouse.dir in dbt_project/profiles.yml), and a
    database `<name>` is its folder `<name>.db`."""
    return spark_dir / "warehouse" / "marts.db"


def _month_of(value: dt.date | None) -> str:
    return value.strftime("%Y-%m") if value else NULL_PARTITION


def _months_in_window(months: list[str], window: tuple[str, str]) -> set[str]:
    """The months of `months` that overlap the export-date window (ISO dates, empty = open)."""
    start, end = window
    first = start[:7] if start else ""
    last = end[:7] if end else "9999-99"
    return {m for m in months if m == NULL_PARTITION or first <= m <= last}


def _write(conn: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """`query` as one Parquet file at `path`, replaced whole (written beside it, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    conn.execute(f"COPY ({query}) TO '{partial}' (FORMAT parquet, COMPRESSION zstd)")
    os.replace(partial, path)


def _exported_rows(conn: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    if not path.exists():
        return None
    # Parquet footers only: no data is read
    return conn.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]


def _export_partitioned(
    conn: duckdb.DuckDBPyConnection, table: str, folder: Path, window: tuple[str, str]
) -> tuple[int, list[str]]:
    counts = {
        _month_of(month): rows
        for month, rows in conn.execute(
            f"SELECT date_trunc('month', export_date)::DATE AS month, count(*) "
            f'FROM {RAW_SCHEMA}."{table}" GROUP BY ALL'
        ).fetchall()
    }
    if not counts:
        # Spark needs one file to know the columns: an empty table keeps an empty partition
        counts = {NULL_PARTITION: 0}
    due = _months_in_window(list(counts), window)
    written = []
    for month, rows in sorted(counts.items()):
        path = folder / f"{PARTITION_COLUMN}={month}" / PART_FILE
        if month not in due and _exported_rows(conn, path) == rows:
            continue
        where = (
            "export_date IS NULL"
            if month == NULL_PARTITION
            else f"date_trunc('month', export_date)::DATE = DATE '{month}-01'"
        )
        if rows == 0:
            where = "false"
        _write(conn, f'SELECT * FROM {RAW_SCHEMA}."{table}" WHERE {where}', path)
        written.append(month)
    # months no longer in the build file (their files were withdrawn)
    for stale in folder.glob(f"{PARTITION_COLUMN}=*"):
        if stale.name.split("=", 1)[1] not in counts:
            shutil.rmtree(stale)
    return sum(counts.values()), written


def export_raw(build_db: Path, spark_dir: Path, window: tuple[str, str] = ("", "")) -> Export:
    """Every table of the build file's raw schema as Parquet under `spark_dir/raw/<table>/`;
    the partitioned ones month by month, rewriting only what the window (ISO export dates,
    empty = open) touched or what no longer matches. Read-only on the build file."""
    target = raw_dir(spark_dir)
    rows: dict[str, int] = {}
    months_written: dict[str, list[str]] = {}
    conn = duckdb.connect(str(build_db), read_only=True)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
                [RAW_SCHEMA],
            ).fetchall()
        ]
        for table in tables:
            folder = target / table
            if table in PARTITIONED:
                if (folder / PART_FILE).exists():  # was written whole before: start over
                    shutil.rmtree(folder)
                rows[table], months_written[table] = _export_partitioned(
                    conn, table, folder, window
                )
            else:
                if any(folder.glob(f"{PARTITION_COLUMN}=*")):
                    shutil.rmtree(folder)
                _write(conn, f'SELECT * FROM {RAW_SCHEMA}."{table}"', folder / PART_FILE)
                rows[table] = conn.execute(
                    f'SELECT count(*) FROM {RAW_SCHEMA}."{table}"'
                ).fetchone()[0]
    finally:
        conn.close()
    return Export(rows=rows, months_written=months_written)
