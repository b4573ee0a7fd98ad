"""The landing folder against the ledger (`pipelines.lib.build_inputs`) and what `par run`
decides from it (`pipelines.run_plan`), on hand-made folders and ledgers: no Dagster run."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from pipelines.lib import schema
from pipelines.lib.build_inputs import code_fingerprint, landing_changes, ledger_digest
from pipelines.lib.file_hash import file_sha256
from pipelines.lib.publish import publish
from pipelines.run_plan import build_fingerprint, plan_run
from pipelines.settings import Settings


def _deliver(landing: Path, relpath: str, text: str) -> Path:
    path = landing / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _ledger(build_db: Path, landing: Path, relpaths: list[str]) -> None:
    """A build file whose ledger holds these landing files as they are now, loaded."""
    conn = duckdb.connect(str(build_db))
    try:
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
        columns = ", ".join(f"{name} {kind}" for name, kind in schema.LEDGER_COLUMNS.items())
        conn.execute(f"CREATE OR REPLACE TABLE raw.ingest_ledger ({columns})")
        for relpath in relpaths:
            path = landing / relpath
            conn.execute(
                "INSERT INTO raw.ingest_ledger (source_file, sha256, size_bytes, status, "
                "rows_loaded, rows_set_aside, loaded_at) VALUES (?, ?, ?, 'loaded', 1, 0, now())",
                [relpath, file_sha256(path), path.stat().st_size],
            )
        # publish() needs a marts schema with indicator_values
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute("CREATE OR REPLACE TABLE marts.indicator_values AS SELECT 1 AS x")
    finally:
        conn.close()


DAY_1 = "941/dossiers/2021-01-04.csv"
DAY_2 = "941/dossiers/2021-01-05.csv"


@pytest.fixture
def folders(tmp_path):
    landing = tmp_path / "landing"
    _deliver(landing, "units.csv", "unit_code\n941\n")
    _deliver(landing, DAY_1, "a\n1\n")
    _deliver(landing, DAY_2, "a\n2\n")
    settings = Settings.for_folders(landing, tmp_path / "warehouse")
    settings.warehouse_dir.mkdir()
    return settings


def test_every_entry_held_as_it_is_is_nothing_new(folders):
    landing = folders.landing_dir
    _ledger(folders.build_db, landing, ["units.csv", DAY_1, DAY_2])
    changes, digest = landing_changes(landing, folders.build_db)
    # three entries: the registry and two daily files, all in the ledger with these bytes
    assert changes.nothing_new and changes.checked == 3
    assert digest


def test_new_changed_and_misplaced_entries_are_found(folders):
    landing = folders.landing_dir
    _ledger(folders.build_db, landing, ["units.csv", DAY_1, DAY_2])
    _deliver(landing, "941/dossiers/2021-01-07.csv", "a\n3\n")  # a new day
    _deliver(landing, DAY_1, "a\n9\n")  # the same size, other bytes: a corrected day
    _deliver(landing, "notes.txt", "hello")  # the ingest rejects it: in the ledger by name
    changes, _ = landing_changes(landing, folders.build_db)
    assert changes.new_days == {dt.date(2021, 1, 4), dt.date(2021, 1, 7)}
    assert changes.other == ("notes.txt",)
    _deliver(landing, "units.csv", "unit_code\n942\n")
    changes, _ = landing_changes(landing, folders.build_db)
    assert "units.csv" in changes.other


def test_the_ledger_digest_follows_every_loaded_file(folders):
    landing = folders.landing_dir
    _ledger(folders.build_db, landing, ["units.csv", DAY_1])
    conn = duckdb.connect(str(folders.build_db))
    before = ledger_digest(conn)
    conn.execute("UPDATE raw.ingest_ledger SET rows_loaded = 2 WHERE source_file = ?", [DAY_1])
    assert ledger_digest(conn) != before
    conn.close()


def test_the_code_fingerprint_follows_the_code_and_the_settings(tmp_path):
    (tmp_path / "dbt_project" / "models").mkdir(parents=True)
    (tmp_path / "pipelines").mkdir()
    model = tmp_path / "dbt_project" / "models" / "m.sql"
    model.write_text("select 1")
    first = code_fingerprint(tmp_path, "a")
    assert code_fingerprint(tmp_path, "a") == first
    assert code_fingerprint(tmp_path, "b") != first
    model.write_text("select 2")
    assert code_fingerprint(tmp_path, "a") != first
    # dbt's own output is not code
    (tmp_path / "dbt_project" / "target").mkdir()
    (tmp_path / "dbt_project" / "target" / "x.sql").write_text("select 3")
    assert code_fingerprint(tmp_path, "a") == code_fingerprint(tmp_path, "a")
    second = code_fingerprint(tmp_path, "a")
    (tmp_path / "dbt_project" / "target" / "x.sql").write_text("select 4")
    assert code_fingerprint(tmp_path, "a") == second


def test_par_run_plans_from_the_publication(folders):
    landing = folders.landing_dir
    _ledger(folders.build_db, landing, ["units.csv", DAY_1, DAY_2])
    # nothing published yet: every day (2021-01-04 to 2021-01-05)
    plan = plan_run(folders)
    assert plan.days == (dt.date(2021, 1, 4), dt.date(2021, 1, 5)) and "first build" in plan.why
    # published from this ledger by this code: nothing to do
    publish(folders.build_db, folders.published_db, "r1", build_fingerprint(folders))
    plan = plan_run(folders)
    assert plan.nothing_to_do and "Nothing new: 3 landing entries" in plan.why
    assert plan_run(folders, full=True).days == (dt.date(2021, 1, 4), dt.date(2021, 1, 5))
    # one new day: that day only
    _deliver(landing, "941/dossiers/2021-01-08.csv", "a\n4\n")
    plan = plan_run(folders)
    assert plan.days == (dt.date(2021, 1, 8), dt.date(2021, 1, 8))
    # published by other code (or settings): every day
    publish(folders.build_db, folders.published_db, "r2", "another code")
    assert "code or settings changed" in plan_run(folders).why
    # ... and so by the other engine: switching PAR_ENGINE rebuilds with the new one
    publish(folders.build_db, folders.published_db, "r2", build_fingerprint(folders))
    assert plan_run(folders.replace(engine="spark")).days == (
        dt.date(2021, 1, 4),
        dt.date(2021, 1, 8),
    )
    # files loaded since the publication (a run that did not publish): every day
    publish(folders.build_db, folders.published_db, "r3", build_fingerprint(folders))
    _ledger(folders.build_db, landing, ["units.csv", DAY_1])
    assert "loaded since the last publication" in plan_run(folders).why


def test_only_regular_files_are_hashed(tmp_path):
    # a symbolic link (even to a regular file) and a FIFO are refused at once: the FIFO must
    # not block the open, and nothing behind the link is read
    target = tmp_path / "outside.csv"
    target.write_text("secret\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for path in (link, fifo):
        with pytest.raises(OSError):
            file_sha256(path)
    assert file_sha256(target) == hashlib.sha256(b"secret\n").hexdigest()


def test_a_file_swapped_for_a_link_is_new_not_followed(folders, tmp_path):
    # DAY_2 held as loaded, then replaced by a link to a file with the very same bytes
    # outside the landing folder: the link is not followed, so the day counts as new (the
    # ingest then rejects the link unopened), and the ledger's bytes cannot vouch for it
    landing = folders.landing_dir
    _ledger(folders.build_db, landing, ["units.csv", DAY_1, DAY_2])
    outside = tmp_path / "same.csv"
    outside.write_bytes((landing / DAY_2).read_bytes())
    (landing / DAY_2).unlink()
    (landing / DAY_2).symlink_to(outside)
    changes, _ = landing_changes(landing, folders.build_db)
    assert not changes.nothing_new
