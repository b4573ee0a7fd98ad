"""publish(): the marts are copied into a new file that replaces the published one whole."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.lib.publish import publish


def _build_file(path, value: int) -> None:
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA marts")
    conn.execute(f"CREATE TABLE marts.indicator_values AS SELECT {value} AS numerator")
    conn.execute("CREATE VIEW marts.big AS SELECT * FROM range(3) AS t(n)")
    conn.execute("CREATE SCHEMA raw")
    conn.execute("CREATE TABLE raw.secret AS SELECT 'not published' AS x")
    conn.close()


def test_copies_marts_only_and_swaps_in(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build_file(build, 7)
    publication = publish(build, published, run_id="r1")
    # indicator_values (1 row) and the view big (3 rows) become tables; raw stays behind.
    assert publication.tables == {"big": 3, "indicator_values": 1}
    conn = duckdb.connect(str(published), read_only=True)
    tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"big", "indicator_values", "publication"}
    assert conn.execute("SELECT run_id FROM publication").fetchall() == [("r1",)]
    conn.close()
    assert not (tmp_path / "par.duckdb.tmp").exists()


def test_replaces_previous_publication(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build_file(build, 1)
    publish(build, published)
    build.unlink()
    _build_file(build, 2)
    publish(build, published)
    conn = duckdb.connect(str(published), read_only=True)
    assert conn.execute("SELECT numerator FROM indicator_values").fetchall() == [(2,)]
    conn.close()


def test_refuses_a_build_without_indicators_and_keeps_the_old_file(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build_file(build, 1)
    publish(build, published)
    before = published.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).execute("CREATE SCHEMA marts").close()
    with pytest.raises(RuntimeError, match="no indicator_values"):
        publish(empty, published)
    assert published.read_bytes() == before
    assert not (tmp_path / "par.duckdb.tmp").exists()


def test_published_file_uses_a_storage_format_duckdb_1_reads(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build_file(build, 1)
    publish(build, published)
    header = published.read_bytes()[:20]
    # The main header: 8 bytes checksum, b"DUCK", then the storage version number. 64 is the
    # v1.0+ format every DuckDB 1.x reads; DuckDB 2.0's default writes 999, which 1.x rejects
    # ("Trying to read a database file with version number 999").
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64
