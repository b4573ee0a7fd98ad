"""publish(): the marts are written into a new file that replaces the published one whole;
a published file is its starting point, and only the rows that differ are written into it."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.lib import build_sequence
from pipelines.lib.publish import BuildStamp, publish


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


# ------------------------------------------------------------- publishing what changed
#
# A published file in the published format is copied and only what differs is written into
# it. The build file below has:
#   facts (key: k, part; 1,000 rows): k = 0..999, part = 'a' except every k divisible by
#     100, whose part is null (a key column may be null: indicator_values' unit_valid_from
#     is); value = k * 10; note = null except for k = 5 and 6 ('x').
#   dims (key: code): three rows, the same in both builds.
#   loose (no key): one row, changed.
#   gone: a mart the second build no longer has.
# The second build changes facts at these keys, and only these:
#   k = 2: value 20 -> 21                    (a value)
#   k = 3: deleted                           (a row gone)
#   k = 1000, part 'a': added                (a new key)
#   k = 4: note null -> 'y'                  (null to a value)
#   k = 5: note 'x' -> null                  (a value to null)
#   k = 300, part null: value 3000 -> 3001   (a key with a null part)
# and keeps k = 6 (note 'x') and k = 400 (part null) as they were: 6 keys updated, 994 rows
# of facts kept as published.
FIRST = """
CREATE SCHEMA marts;
CREATE TABLE marts.indicator_values AS SELECT 1 AS numerator;
CREATE TABLE marts.facts AS
    SELECT i AS k, CASE WHEN i % 100 = 0 THEN NULL ELSE 'a' END AS part, i * 10 AS value,
           CASE WHEN i IN (5, 6) THEN 'x' END AS note
    FROM range(1000) AS t(i);
CREATE TABLE marts.dims AS SELECT * FROM (VALUES ('A', 1), ('B', 2), ('C', NULL)) t(code, n);
CREATE TABLE marts.loose AS SELECT 'first' AS what;
CREATE TABLE marts.gone AS SELECT 1 AS x;
"""
SECOND = """
UPDATE marts.facts SET value = 21 WHERE k = 2;
DELETE FROM marts.facts WHERE k = 3;
INSERT INTO marts.facts VALUES (1000, 'a', 10000, NULL);
UPDATE marts.facts SET note = 'y' WHERE k = 4;
UPDATE marts.facts SET note = NULL WHERE k = 5;
UPDATE marts.facts SET value = 3001 WHERE k = 300;
UPDATE marts.loose SET what = 'second';
DROP TABLE marts.gone;
CREATE TABLE marts.added AS SELECT 'new mart' AS what;
"""
KEYS = {"facts": ("k", "part"), "dims": ("code",), "indicator_values": ("numerator",)}


def _build(path, *scripts: str) -> None:
    conn = duckdb.connect(str(path))
    for script in scripts:
        conn.execute(script)
    conn.close()


def _tables(path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        schema = (
            "marts"
            if "marts"
            in {r[0] for r in conn.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
            else "main"
        )
        return {
            name: conn.execute(f'SELECT * FROM {schema}."{name}" ORDER BY ALL').fetchall()
            for name in names
            if name != "publication"
        }
    finally:
        conn.close()


def test_a_second_publish_writes_only_what_changed(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build(build, FIRST)
    first = publish(build, published, run_id="r1", keys=KEYS)
    assert set(first.written.values()) == {"copied whole"}  # no published file yet

    reader = duckdb.connect(str(published), read_only=True)  # an analyst, reading on
    _build(build, SECOND)
    second = publish(build, published, run_id="r2", keys=KEYS)
    assert second.written == {
        "facts": "updated: 6 keys",
        "dims": "kept",
        "indicator_values": "kept",
        "loose": "copied whole",  # no key
        "added": "copied whole",  # not in the published file
    }
    # the analyst's connection still reads the first publication, whole (closed before the
    # new file is opened: DuckDB shares one open database per path within a process)
    assert reader.execute("SELECT what FROM loose").fetchall() == [("first",)]
    assert reader.execute("SELECT value FROM facts WHERE k = 2").fetchall() == [(20,)]
    reader.close()
    # every table holds exactly the build's rows, and only the marts (gone is gone)
    assert _tables(published) == _tables(build)
    assert second.tables["facts"] == 1000  # 1,000 - k = 3 + k = 1000
    conn = duckdb.connect(str(published), read_only=True)
    assert conn.execute("SELECT run_id FROM publication").fetchall() == [("r2",)]
    conn.close()
    assert not (tmp_path / "par.duckdb.tmp").exists()
    # still the format DuckDB 1.x reads (see the test below)
    assert int.from_bytes(published.read_bytes()[12:20], "little") == 64


def test_tables_it_cannot_update_row_by_row_are_copied_whole(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build(build, FIRST)
    publish(build, published, keys=KEYS)
    # the published file repeats a key with the same values (written by hand: publish never
    # does): no key differs, but the row counts do, so facts is copied whole
    conn = duckdb.connect(str(published))
    conn.execute("INSERT INTO facts SELECT * FROM facts WHERE k = 7")
    conn.close()
    # dims gains a column; more than a quarter of indicator_values' keys change (its one
    # row): both copied whole
    _build(
        build,
        "ALTER TABLE marts.dims ADD COLUMN label VARCHAR",
        "UPDATE marts.indicator_values SET numerator = 2",
    )
    again = publish(build, published, keys=KEYS)
    assert {name: again.written[name] for name in ("facts", "dims", "indicator_values")} == {
        "facts": "copied whole",
        "dims": "copied whole",
        "indicator_values": "copied whole",
    }
    assert _tables(published) == _tables(build)


def test_a_failed_update_leaves_the_published_file_as_it_was(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _build(build, FIRST)
    publish(build, published, keys=KEYS)
    before = published.read_bytes()
    # facts is updated in the copy, then the last mart cannot be read: nothing is published
    _build(build, SECOND, "CREATE VIEW marts.zz_broken AS SELECT error('unreadable') AS x")
    with pytest.raises(duckdb.Error, match="unreadable"):
        publish(build, published, keys=KEYS)
    assert published.read_bytes() == before
    assert not (tmp_path / "par.duckdb.tmp").exists()


# ------------------------------------------------------- rows recomputed since a build
#
# A mart with a build stamp (pipelines/lib/build_sequence.py): marts.dossiers is a view of
# raw.stamped (key k; 100 rows, value = k, every row stamped by build 1). The published
# file is made from build 1; build 2 then recomputes k = 1 (value 1 -> 10) and k = 2 (the
# same value again), stamping both with 2.


def _stamped_build(path) -> None:
    conn = duckdb.connect(str(path))
    conn.execute(FIRST)
    conn.execute("CREATE SCHEMA raw")
    conn.execute(
        "CREATE TABLE raw.stamped AS SELECT i AS k, i AS value, 1 AS built_in FROM range(100) t(i)"
    )
    conn.execute("CREATE VIEW marts.dossiers AS SELECT * FROM raw.stamped")
    assert build_sequence.begin(conn).sequence == 1
    conn.close()


def _next_build(path, *statements: str) -> None:
    conn = duckdb.connect(str(path))
    sequence = build_sequence.begin(conn).sequence
    for statement in statements:
        conn.execute(statement.format(build=sequence))
    conn.close()


STAMPS = {"dossiers": BuildStamp("built_in", vouches=True)}
STAMPED_KEYS = {**KEYS, "dossiers": ("k",)}
RECOMPUTE_1_AND_2 = "UPDATE raw.stamped SET value = k * 10, built_in = {build} WHERE k IN (1, 2)"


def _published(path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _publish(build, published, **kwargs):
    return publish(build, published, code_fingerprint="code-1", keys=STAMPED_KEYS, **kwargs)


def test_only_the_rows_recomputed_since_the_published_build_are_written(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _stamped_build(build)
    assert _publish(build, published, stamps=STAMPS).written["dossiers"] == "copied whole"
    # the stamp is the build's: never published
    assert [r[0] for r in _published(published, "DESCRIBE dossiers")] == ["k", "value"]
    assert _published(published, "SELECT build_sequence FROM publication") == [(1,)]

    _next_build(build, RECOMPUTE_1_AND_2)
    second = _publish(build, published, stamps=STAMPS)
    # k = 1 and 2 written (k = 2 with the value it had): 2 keys, the other 98 untouched
    assert second.written["dossiers"] == "updated: 2 keys recomputed since the published build"
    assert _published(published, "SELECT k, value FROM dossiers WHERE k < 4 ORDER BY k") == [
        (0, 0),
        (1, 10),
        (2, 20),
        (3, 3),
    ]
    assert _published(published, "SELECT build_sequence FROM publication") == [(2,)]

    # a build that recomputes nothing: nothing to write
    _next_build(build)
    third = _publish(build, published, stamps=STAMPS)
    assert third.written["dossiers"] == "kept: nothing recomputed since the published build"


def test_a_row_with_no_stamp_counts_as_recomputed(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _stamped_build(build)
    _publish(build, published, stamps=STAMPS)
    # a plain `dbt build` (no build number) recomputed k = 5
    _next_build(build, "UPDATE raw.stamped SET value = 55, built_in = NULL WHERE k = 5")
    written = _publish(build, published, stamps=STAMPS).written["dossiers"]
    assert written == "updated: 1 keys recomputed since the published build"
    assert _published(published, "SELECT value FROM dossiers WHERE k = 5") == [(55,)]


def test_every_row_is_compared_when_the_stamps_cannot_tell(tmp_path):
    """The published rows equal the build's in each case; how they were found differs."""
    build, published = tmp_path / "build.duckdb", tmp_path / "par.duckdb"
    _stamped_build(build)
    _publish(build, published, stamps=STAMPS)
    # a key gone from the build since (k = 7): the counts tell, every row is compared
    _next_build(build, RECOMPUTE_1_AND_2, "DELETE FROM raw.stamped WHERE k = 7")
    written = _publish(build, published, stamps=STAMPS).written["dossiers"]
    assert written == "updated: 1 keys"  # k = 7 (k = 1 and 2 were written from the stamps)
    assert _published(published, "SELECT count(*), sum(value) FROM dossiers") == [
        (99, sum(range(100)) - 7 + (10 - 1) + (20 - 2))
    ]
    # a row changed without its stamp: a mart whose stamp does not vouch for its rows (it
    # joins something else) is compared whole, and the change found
    _next_build(build, "UPDATE raw.stamped SET value = -1 WHERE k = 9")
    not_vouched = {"dossiers": BuildStamp("built_in", vouches=False)}
    assert _publish(build, published, stamps=not_vouched).written["dossiers"] == "updated: 1 keys"
    assert [r[0] for r in _published(published, "DESCRIBE dossiers")] == ["k", "value"]
    # other code than the published file's: compared whole (k = 11 changed unstamped)
    _next_build(build, "UPDATE raw.stamped SET value = -1 WHERE k = 11")
    other_code = publish(
        build, published, code_fingerprint="code-2", keys=STAMPED_KEYS, stamps=STAMPS
    )
    assert other_code.written["dossiers"] == "updated: 1 keys"
    # a published file from before builds were numbered (its publication row names none):
    # compared whole (k = 13 changed unstamped)
    with duckdb.connect(str(published)) as conn:
        conn.execute("ALTER TABLE publication DROP COLUMN build_sequence")
        conn.execute("ALTER TABLE publication DROP COLUMN build_token")
    _next_build(build, "UPDATE raw.stamped SET value = -1 WHERE k = 13")
    older = publish(build, published, code_fingerprint="code-2", keys=STAMPED_KEYS, stamps=STAMPS)
    assert older.written["dossiers"] == "updated: 1 keys"
    # the published file of another build file (built anew: the same numbers, other
    # tokens): compared whole (k = 12 changed unstamped)
    build.unlink()
    _stamped_build(build)
    _next_build(build, "UPDATE raw.stamped SET value = -1 WHERE k = 12")
    _next_build(build)
    _next_build(build)
    _next_build(build)  # now at 5, the number the published file names
    anew = publish(build, published, code_fingerprint="code-2", keys=STAMPED_KEYS, stamps=STAMPS)
    # k = 1, 2, 9, 11 and 13 as built again, k = 7 back, k = 12 changed
    assert anew.written["dossiers"] == "updated: 7 keys"
    assert _tables(published)["dossiers"] == [(k, -1 if k == 12 else k) for k in range(100)]
