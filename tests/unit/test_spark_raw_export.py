"""The raw tables exported as Parquet for the Spark engine (pipelines.lib.spark_engine):
partitioned by export month, a run rewriting only what its window touched or what no
longer matches the build file. No Spark: the files are read back with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.spark_engine import NULL_PARTITION, PART_FILE, export_raw, raw_dir


@pytest.fixture
def build_db(tmp_path) -> Path:
    path = tmp_path / "build.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA raw")
    conn.execute(
        "CREATE TABLE raw.dossiers AS SELECT * FROM (VALUES "
        "('941', DATE '2021-01-04', 'D1', TIMESTAMP '2021-01-04 08:00:00'), "
        "('941', DATE '2021-01-20', 'D2', TIMESTAMP '2021-01-20 09:00:00'), "
        "('941', DATE '2021-02-01', 'D3', TIMESTAMP '2021-02-01 10:00:00')"
        ") AS t(unit_code, export_date, dossier_code, updated_at)"
    )
    conn.execute("CREATE TABLE raw.units AS SELECT '941' AS unit_code, NULL::DATE AS valid_from")
    conn.execute("CREATE TABLE raw.staff (unit_code VARCHAR, export_date DATE, staff_code VARCHAR)")
    conn.close()
    return path


def rows(path: Path) -> list[tuple]:
    return duckdb.sql(
        f"SELECT * EXCLUDE (export_month) FROM read_parquet('{path}/**/*.parquet', "
        "hive_partitioning = true) ORDER BY ALL"
    ).fetchall()


def months(folder: Path) -> list[str]:
    return sorted(p.name.split("=", 1)[1] for p in folder.glob("export_month=*"))


def test_every_raw_table_is_exported_the_large_ones_by_month(build_db, tmp_path):
    spark = tmp_path / "spark"
    export = export_raw(build_db, spark)
    assert export.rows == {"dossiers": 3, "units": 1, "staff": 0}
    assert months(raw_dir(spark) / "dossiers") == ["2021-01", "2021-02"]
    assert export.months_written["dossiers"] == ["2021-01", "2021-02"]
    assert (raw_dir(spark) / "units" / PART_FILE).exists()
    assert len(rows(raw_dir(spark) / "dossiers")) == 3
    # an empty partitioned table keeps one empty file, so Spark knows its columns
    assert months(raw_dir(spark) / "staff") == [NULL_PARTITION]
    assert rows(raw_dir(spark) / "staff") == []


def test_a_run_rewrites_the_months_of_its_window_and_what_no_longer_matches(build_db, tmp_path):
    spark = tmp_path / "spark"
    export_raw(build_db, spark)
    # a night in February: January is left as it is
    assert export_raw(build_db, spark, ("2021-02-01", "2021-02-01")).months_written["dossiers"] == [
        "2021-02"
    ]
    # a re-delivery withdrew a January row outside the window: January no longer matches
    conn = duckdb.connect(str(build_db))
    conn.execute("DELETE FROM raw.dossiers WHERE dossier_code = 'D2'")
    conn.close()
    export = export_raw(build_db, spark, ("2021-02-01", "2021-02-01"))
    assert export.months_written["dossiers"] == ["2021-01", "2021-02"]
    assert [row[2] for row in rows(raw_dir(spark) / "dossiers")] == ["D1", "D3"]


def test_a_month_gone_from_the_build_file_is_removed(build_db, tmp_path):
    spark = tmp_path / "spark"
    export_raw(build_db, spark)
    conn = duckdb.connect(str(build_db))
    conn.execute("DELETE FROM raw.dossiers WHERE export_date >= DATE '2021-02-01'")
    conn.close()
    export_raw(build_db, spark, ("2021-02-01", ""))
    assert months(raw_dir(spark) / "dossiers") == ["2021-01"]
