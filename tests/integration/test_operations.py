"""Nightly operations on the small landing folder: partitioned re-runs and backfills are
idempotent, a corrected re-delivery replaces its predecessor, analysts reading par.duckdb
are never blocked and never see half a state, and a run killed part-way leaves the last good
file in place and is recovered by the next run."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import cli
from pipelines.defs.partitions import range_tags
from pipelines.defs.resources import DBT_PROJECT
from pipelines.run import execute_build, landing_range_tags
from tests.integration.conftest import copy_of_run, dbt_nodes_run, settings_for

REPO = Path(__file__).resolve().parents[2]


def published_state(path: Path) -> dict[str, list[tuple]]:
    """Every published table's rows, sorted; `publication` (when, which run) left out."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            name
            for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            if name != "publication"
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        conn.close()


def run_days(ops: dict, first: str, last: str) -> dg.ExecuteInProcessResult:
    """One run of the full-build job over the partitions first..last, as a backfill does
    (the report assets left out: these tests read the published tables)."""
    days = range_tags(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    return execute_build(ops["instance"], ops["settings"], days, reports=False)


def build_landing(ops: dict) -> dg.ExecuteInProcessResult:
    """Every day of the landing folder in one run, as `par run` does (reports left out)."""
    tags = landing_range_tags(ops["settings"])
    return execute_build(ops["instance"], ops["settings"], tags, reports=False)


@pytest.fixture(scope="module")
def ops(tmp_path_factory, dagster_instance, small_build):
    # a copy of the small landing's full build (conftest.small_build): as build_landing
    # leaves it, but for the reports
    run = copy_of_run(small_build, tmp_path_factory.mktemp("ops"))
    ops = {
        "landing": run.landing,
        "warehouse": run.warehouse,
        "instance": dagster_instance,
        "settings": settings_for(run.landing, run.warehouse),
        "run": run,
    }
    yield ops


def ledger_rows(warehouse: Path) -> list[tuple]:
    conn = duckdb.connect(str(warehouse / "build.duckdb"), read_only=True)
    try:
        return conn.execute(
            "SELECT source_file, sha256 FROM raw.ingest_ledger ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()


def test_par_run_with_nothing_new_does_no_model_work(ops, capsys):
    """`par run` right after the module's build: every landing entry is in the ledger as it
    is, and the published file was built from that ledger by this code. Nothing runs: the
    build file and the published file are not touched, and the run says what it checked."""
    published, build = ops["warehouse"] / "par.duckdb", ops["warehouse"] / "build.duckdb"
    published_bytes, build_mtime = published.read_bytes(), build.stat().st_mtime_ns
    assert cli.main(["run"], ops["settings"]) == 0
    out = capsys.readouterr().out
    entries = sum(1 for path in ops["landing"].rglob("*") if path.is_file())
    assert f"Nothing new: {entries} landing entries checked" in out
    assert published.read_bytes() == published_bytes
    assert build.stat().st_mtime_ns == build_mtime


def test_par_run_full_runs_every_dbt_node(ops, capsys):
    """`par run --full` with nothing new still runs, and as asked rebuilds everything: dbt
    runs every model, seed and test, not only those reached by what changed since the last
    good build (nothing here). The published tables stay what they were."""
    published = ops["warehouse"] / "par.duckdb"
    before = published_state(published)
    assert cli.main(["run", "--full"], ops["settings"]) == 0
    ran = dbt_nodes_run(ops["settings"])
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    every = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "test")
    }
    assert ran >= every
    assert published_state(published) == before


def test_same_day_twice_and_backfill_give_identical_tables(ops):
    published = ops["warehouse"] / "par.duckdb"
    before, ledger_before = published_state(published), ledger_rows(ops["warehouse"])
    # One day that has files (the city's dossiers of 2022-01-12), a second time: the
    # module's full build was the first.
    assert run_days(ops, "2022-01-12", "2022-01-12").success
    assert published_state(published) == before
    # A backfill of the whole of January in one run, over days already loaded.
    assert run_days(ops, "2022-01-01", "2022-01-31").success
    assert published_state(published) == before
    assert ledger_rows(ops["warehouse"]) == ledger_before  # nothing loaded twice


def test_corrected_redelivery_replaces_what_the_file_contributed(ops):
    def city_docs_sent_january():
        return ops["run"].query(
            "SELECT numerator FROM indicator_values WHERE unit_code = '900' AND scope = "
            "'self' AND period_type = 'month' AND period_start = DATE '2022-01-01' "
            "AND indicator_code = 'DOC_SENT'"
        )[0][0]

    # 1/UBND-VP and 2/UBND-VP went to state agencies (3/UBND-VP to an organisation): 2.
    assert city_docs_sent_january() == 2
    # The city re-delivers 2022-01-06.csv corrected: 1/UBND-VP was in fact addressed to a
    # citizen. The file's earlier rows must be replaced, not added to: 2 -> 1.
    original = ops["landing"] / "900" / "documents" / "2022-01-06.csv"
    text = original.read_text(encoding="utf-8")
    corrected = text.replace(
        "1/UBND-VP,06/01/2022,Công văn,Về việc A,Trần Văn Tâm,Cơ quan nhà nước",
        '1/UBND-VP,06/01/2022,Công văn,Về việc A,Trần Văn Tâm,"Tổ chức, cá nhân"',
    )
    assert corrected != text
    original.write_text(corrected, encoding="utf-8")
    try:
        assert run_days(ops, "2022-01-06", "2022-01-06").success
        assert city_docs_sent_january() == 1
        conn = duckdb.connect(str(ops["warehouse"] / "build.duckdb"), read_only=True)
        try:
            rows = conn.execute(
                "SELECT count(*) FROM raw.documents WHERE source_file = ?",
                ["900/documents/2022-01-06.csv"],
            ).fetchone()[0]
        finally:
            conn.close()
        assert rows == 3  # the corrected file's three rows, not six
    finally:
        original.write_text(text, encoding="utf-8")
        assert run_days(ops, "2022-01-06", "2022-01-06").success
    assert city_docs_sent_january() == 2


def test_a_renamed_unit_reaches_the_published_file_on_a_night_without_its_files(ops):
    """units.csv renamed a ward, and a night runs a day that brings no file of that ward:
    dbt ran only what changed since the last good build (pipelines/lib/dbt_reach.py), and
    the registry changed (its ledger row), so dim_unit is rebuilt and published with the new
    name - and back again when the registry is put back."""

    def ward_name():
        return ops["run"].query("SELECT unit_name FROM dim_unit WHERE unit_code = '90001'")[0][0]

    assert ward_name() == "Phường An Hòa"
    registry = ops["landing"] / "units.csv"
    text = registry.read_text(encoding="utf-8")
    renamed = text.replace("90001,Phường An Hòa,", "90001,Phường An Hòa Mới,")
    assert renamed != text
    registry.write_text(renamed, encoding="utf-8")
    try:
        # 2022-01-06: only the city's documents were delivered that day
        assert run_days(ops, "2022-01-06", "2022-01-06").success
        assert ward_name() == "Phường An Hòa Mới"
    finally:
        registry.write_text(text, encoding="utf-8")
        assert run_days(ops, "2022-01-06", "2022-01-06").success
    assert ward_name() == "Phường An Hòa"


# The tables that stamp their rows with the build that recomputed them (macro build_sequence)
STAMPING = (
    "intermediate.int_dossier_facts",
    "staging.stg_ward_exports__dossiers",
    "staging.stg_ward_exports__documents",
)


def test_rows_without_a_build_stamp_are_recomputed_and_stamped(ops):
    """int_dossier_facts, stg_ward_exports__dossiers and stg_ward_exports__documents stamp
    each row with the build that recomputed it: publishing writes only the rows of
    fct_dossier and fct_document stamped after the published file's build, and the tests
    given a stamp check only the rows stamped after the last good build. A row without a
    stamp (a plain `dbt build` wrote it), or a table built before the column existed, is
    recomputed by the next build, whatever its window: the published tables stay as they
    were. One run shows both: the dossier tables lose the stamps of a ward's and the city's
    rows, the documents lose the column."""
    build_db = ops["warehouse"] / "build.duckdb"
    published = ops["warehouse"] / "par.duckdb"
    before = published_state(published)

    def stamps() -> dict[str, list[tuple]]:
        conn = duckdb.connect(str(build_db), read_only=True)
        try:
            return {
                table: conn.execute(
                    f"SELECT recomputed_in_build IS NULL, count(*) FROM {table} "
                    "GROUP BY ALL ORDER BY ALL"
                ).fetchall()
                for table in STAMPING
            }
        finally:
            conn.close()

    stamped = stamps()
    # every row stamped by the builds so far
    assert all(len(counts) == 1 and counts[0][0] is False for counts in stamped.values())
    *dossiers, documents = STAMPING
    conn = duckdb.connect(str(build_db))
    try:
        for table in dossiers:
            conn.execute(
                f"UPDATE {table} SET recomputed_in_build = NULL WHERE unit_code IN ('90001', '900')"
            )
            (unstamped,) = conn.execute(
                f"SELECT count(*) FROM {table} WHERE recomputed_in_build IS NULL"
            ).fetchone()
            assert unstamped > 0
        conn.execute(f"ALTER TABLE {documents} DROP COLUMN recomputed_in_build")
    finally:
        conn.close()
    # a day of the city's documents run again: its window holds none of those rows
    assert run_days(ops, "2022-01-06", "2022-01-06").success
    assert stamps() == stamped
    assert published_state(published) == before


READER = """
import json, sys, time, duckdb
path, stop = sys.argv[1], sys.argv[2]
import os
while not os.path.exists(stop):
    try:
        conn = duckdb.connect(path, read_only=True)
        run_id = conn.execute("SELECT run_id FROM publication").fetchone()[0]
        total = conn.execute("SELECT sum(numerator), count(*) FROM indicator_values").fetchone()
        conn.close()
        print(json.dumps({"run_id": run_id, "total": [int(total[0]), total[1]]}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    time.sleep(0.02)
"""


def state_of(path: Path) -> tuple[str, list[int]]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        run_id = conn.execute("SELECT run_id FROM publication").fetchone()[0]
        total = conn.execute("SELECT sum(numerator), count(*) FROM indicator_values").fetchone()
        return run_id, [int(total[0]), total[1]]
    finally:
        conn.close()


def test_analysts_never_blocked_and_never_see_half_a_state(ops, tmp_path):
    published = ops["warehouse"] / "par.duckdb"
    old = state_of(published)
    # A late file for ward 90002 changes the figures, so old and new states differ.
    late = ops["landing"] / "90002" / "documents" / "2022-02-25.csv"
    late.parent.mkdir(parents=True, exist_ok=True)
    late.write_bytes(
        (
            '"Số, ký hiệu",Ngày văn bản,Loại văn bản,Trích yếu,Người ký,Nơi nhận,Hình thức gửi,'
            "Ký số,Độ mật,Ngày cập nhật\n"
            "9/UBND,25/02/2022,Công văn,Về việc D,Lý Văn Tư,Cơ quan nhà nước,Điện tử,Có,Thường,"
            "25/02/2022 16:00\n"
        ).encode()
    )
    stop, log = tmp_path / "stop", tmp_path / "reader.jsonl"
    with log.open("w") as out:
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(published), str(stop)], stdout=out, text=True
        )
    try:
        time.sleep(1.0)  # the reader is querying before the run starts
        assert build_landing(ops).success
        new = state_of(published)
        # ... and after it ends, until it has seen the new file (slow on a busy machine).
        deadline = time.monotonic() + 60
        while new[0] not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.touch()
        reader.wait(timeout=60)
        late.unlink()
    out = log.read_text()
    seen = [json.loads(line) for line in out.splitlines() if line.strip()]
    errors = [s["error"] for s in seen if "error" in s]
    states = {(s["run_id"], tuple(s["total"])) for s in seen if "error" not in s}
    assert errors == []
    assert len(seen) > 20  # the reader really queried throughout
    assert old != new
    assert states <= {(old[0], tuple(old[1])), (new[0], tuple(new[1]))}
    assert (new[0], tuple(new[1])) in states  # it saw the new state once published
    assert build_landing(ops).success  # back to the module's landing


def test_killed_run_leaves_last_good_file_and_next_run_recovers(ops):
    published = ops["warehouse"] / "par.duckdb"
    before_bytes = published.read_bytes()
    before = published_state(published)
    # Force work for the killed run: ingest is idempotent by content, so make the build
    # file forget every file now in the landing folder (its ledger rows and what each
    # loaded); the run must load them all again. (A file removed from the landing folder
    # earlier, like the late file above, keeps its load, as it would in production.)
    delivered = [
        path.relative_to(ops["landing"]).as_posix()
        for path in ops["landing"].rglob("*")
        if path.is_file()
    ]
    conn = duckdb.connect(str(ops["warehouse"] / "build.duckdb"))
    try:
        tables = [
            f"raw.{name}"
            for (name,) in conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' "
                "AND table_name <> 'public_holidays'"
            ).fetchall()
        ]
        for table in tables:
            conn.execute(f"DELETE FROM {table} WHERE list_contains(?, source_file)", [delivered])
    finally:
        conn.close()
    killed_settings = ops["settings"].replace(dagster_home=ops["warehouse"] / "dagster_home_killed")
    env = {**os.environ, **killed_settings.to_env()}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("par")), "run"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Kill it in the middle of the ingest: once a feed has reported a loaded batch.
    deadline = time.monotonic() + 120
    killed_at = None
    for line in proc.stdout:
        if "rows loaded" in line:
            proc.send_signal(signal.SIGKILL)
            killed_at = line.strip()
            break
        if time.monotonic() > deadline:
            break
    proc.wait(timeout=30)
    assert killed_at, "the run never reached the ingest"
    assert proc.returncode == -signal.SIGKILL
    # The published file is untouched and opens.
    assert published.read_bytes() == before_bytes
    assert published_state(published) == before
    # The next run recovers on its own: the same tables as before the kill, but for
    # ingest_summary's load times (the touched files were loaded again).
    assert build_landing(ops).success
    after = published_state(published)
    assert after.pop("ingest_summary") != []
    before.pop("ingest_summary")
    assert after == before
