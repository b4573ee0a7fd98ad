"""The ingest on scenario reorg-2025, the fortnight around the reform (23 June to 11 July
2025): a reused code's files go to the registry row of their export date and decode with
its encoding (cp1258 before, UTF-8 with a BOM after, no fallback note), and handed-over
dossiers load in their successor's log, nothing set aside. The dbt models are not run."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipelines.lib.landing import UnitRegistry, scan
from pipelines.lib.loader import (
    DayWindow,
    connect_build,
    ingest_feed,
    load_registry,
    load_successions,
    record_rejected,
)
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.simulator.reorg import write_reorg

WINDOW = DayWindow(date(2025, 6, 23), date(2025, 7, 11))
REFORM = date(2025, 7, 1)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    root = tmp_path_factory.mktemp("reorg_ingest")
    landing = root / "landing"
    summary = write_reorg(landing, seed=2021)
    conn = connect_build(root / "build.duckdb")
    registry = load_registry(conn, landing, "run-1")
    successions = load_successions(conn, landing, "run-1")
    rejected = record_rejected(conn, scan(landing).rejected, "run-1")
    units = UnitRegistry.from_frame(registry.rows)
    feeds = {
        feed: ingest_feed(
            conn, landing, feed, Pseudonymiser(b"reorg-ingest-test-key-32-bytes!!"), units,
            days=WINDOW, workers=1,
        )
        for feed in ("procedures", "dossiers")
    }  # fmt: skip
    yield conn, summary, registry, successions, rejected, feeds
    conn.close()


def test_registry_and_files_load_with_nothing_set_aside(ingested):
    conn, _summary, registry, successions, rejected, feeds = ingested
    assert registry.set_aside == [] and successions.set_aside == []
    assert rejected == (0, 0)
    for summary in feeds.values():
        assert summary.files_rejected == 0 and summary.rows_set_aside == 0, summary.notes
        assert summary.rows_loaded == summary.rows_in > 0
    notes = conn.execute(
        "SELECT source_file, error FROM raw.ingest_ledger WHERE error IS NOT NULL"
    ).fetchall()
    assert notes == []
    assert conn.execute("SELECT count(*) FROM raw.set_aside").fetchone() == (0,)


def test_a_reused_code_decodes_by_the_row_of_the_export_date(ingested):
    conn = ingested[0]
    ledger = dict(
        conn.execute(
            "SELECT source_file, encoding FROM raw.ingest_ledger "
            "WHERE source_file LIKE '31510/dossiers/%'"
        ).fetchall()
    )
    # Phường 2 until 30 June (cp1258), Phường Phú Lợi from 1 July (UTF-8 with a BOM)
    assert ledger["31510/dossiers/2025-06-30.csv"] == "cp1258"
    assert ledger["31510/dossiers/2025-07-01.csv"] == "utf-8-sig"
    # every file decoded with the encoding its registry row declares
    units = UnitRegistry.from_frame(ingested[2].rows)
    for source_file, encoding in conn.execute(
        "SELECT source_file, encoding FROM raw.ingest_ledger WHERE feed = 'dossiers'"
    ).fetchall():
        unit, _feed, name = source_file.split("/")
        assert encoding == units.encoding_on(unit, date.fromisoformat(name[:10])), source_file
    # names come out NFC whatever the encoding (cp1258 decodes to decomposed tones)
    names = conn.execute(
        "SELECT DISTINCT procedure_name FROM raw.procedures WHERE unit_code = '31510'"
    ).fetchall()
    assert ("Đăng ký khai sinh",) in names


def test_handed_over_dossiers_load_in_the_successors_log(ingested):
    conn, summary = ingested[0], ingested[1]
    handed = [
        h
        for h in summary["truth"].handed_over
        if date.fromisoformat(h["received_at"][:10]) in WINDOW
        and date.fromisoformat(h["finished_at"][:10]) in WINDOW
    ]
    assert handed
    reused_code_pairs = 0
    for h in handed:
        code = h["to"].split("@")[0]
        rows = conn.execute(
            "SELECT export_date, received_at, status FROM raw.dossiers "
            "WHERE unit_code = ? AND dossier_code = ? AND export_date >= ? ORDER BY updated_at",
            [code, h["dossier_code"], REFORM],
        ).fetchall()
        received = datetime.fromisoformat(h["received_at"])
        # open on 1 July in the successor's log, then its result; received_at as received
        assert rows[0][0] == REFORM and rows[0][2] == 4, h
        assert rows[-1][2] == 10, h
        assert {r[1] for r in rows} == {received}, h
        # the old unit's log has it as received only, before the reform
        old_code = h["from"].split("@")[0]
        old_rows = conn.execute(
            "SELECT export_date, status FROM raw.dossiers "
            "WHERE unit_code = ? AND dossier_code = ? AND export_date < ?",
            [old_code, h["dossier_code"], REFORM],
        ).fetchall()
        assert [status for _day, status in old_rows] == [2], h
        reused_code_pairs += old_code == code
    # Old Phường 2 -> Phường Phú Lợi (31510) and the like: the same (unit_code,
    # dossier_code) is in both units' logs; only the export date tells them apart.
    assert reused_code_pairs > 0
