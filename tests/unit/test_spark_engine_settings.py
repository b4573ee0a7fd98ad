"""The engine setting (PAR_ENGINE) and publishing from the Spark engine's Parquet marts,
without Spark: the Parquet tables are written by DuckDB the way Spark lays them out."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.lib.publish import publish
from pipelines.lib.spark_engine import spark_marts_dir
from pipelines.settings import Settings, dbt_environment


def test_the_engine_defaults_to_duckdb_and_names_its_dbt_target(tmp_path):
    assert Settings.from_env({}).engine == "duckdb"
    assert Settings.from_env({}).dbt_target == "dev"
    spark = Settings.from_env({"PAR_ENGINE": "Spark", "PAR_WAREHOUSE_DIR": str(tmp_path)})
    assert (spark.engine, spark.dbt_target) == ("spark", "spark")
    assert spark.spark_dir == tmp_path / "spark"
    assert Settings.from_env(spark.to_env()) == spark
    assert dbt_environment(spark)["PAR_SPARK_DIR"] == str(tmp_path / "spark")


def test_an_unknown_engine_is_refused_naming_the_variable():
    with pytest.raises(ValueError, match="PAR_ENGINE"):
        Settings.from_env({"PAR_ENGINE": "postgres"})


def test_publishing_reads_the_spark_marts_parquet_folders(tmp_path):
    build_db, published_db = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    conn = duckdb.connect(str(build_db))
    conn.execute("CREATE SCHEMA raw")  # no ledger, no marts: the marts are Spark's
    conn.close()
    marts = spark_marts_dir(tmp_path / "spark")
    for table, query in {
        "indicator_values": "SELECT '941' AS unit_code, 5::BIGINT AS numerator, "
        "99.95::DECIMAL(9,2) AS value, ['a', 'b'] AS codes",
        "set_aside": "SELECT 'x' AS source_file WHERE false",  # empty: one empty file
    }.items():
        (marts / table).mkdir(parents=True)
        duckdb.sql(f"COPY ({query}) TO '{marts / table / 'part-00000.snappy.parquet'}'")
        (marts / table / "_SUCCESS").touch()
    (marts / "not_a_table").mkdir()  # a folder without Parquet files is no table

    publication = publish(build_db, published_db, run_id="r1", marts_dir=marts)

    assert publication.tables == {"indicator_values": 1, "set_aside": 0}
    conn = duckdb.connect(str(published_db), read_only=True)
    try:
        types = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'indicator_values' ORDER BY ordinal_position"
        ).fetchall()
        run_id = conn.execute("SELECT run_id FROM publication").fetchall()
    finally:
        conn.close()
    assert types == [
        ("unit_code", "VARCHAR"),
        ("numerator", "BIGINT"),
        ("value", "DECIMAL(9,2)"),
        ("codes", "VARCHAR[]"),
    ]
    assert run_id == [("r1",)]
