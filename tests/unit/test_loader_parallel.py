"""Parsing batches in worker processes loads exactly what parsing in-process loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.lib.loader import connect_build, ingest_feed, load_units, unit_encodings
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.simulator import write_scenario


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mini") / "landing"
    write_scenario("mini-2021", folder, workers=1)
    return folder


def _ingest(landing: Path, database: Path, workers: int) -> tuple[int, list, list]:
    conn = connect_build(database)
    try:
        encodings = unit_encodings(load_units(conn, landing))
        summary = ingest_feed(
            conn,
            landing,
            "dossiers",
            Pseudonymiser(b"k" * 32),
            encodings,
            batch_files=10,  # many batches, so the pool has work queued ahead of the writer
            workers=workers,
        )
        rows = conn.execute("SELECT * FROM raw.dossiers ORDER BY ALL").fetchall()
        ledger = conn.execute(
            "SELECT source_file, sha256, rows_in, rows_loaded, rows_set_aside, status "
            "FROM raw.ingest_ledger ORDER BY ALL"
        ).fetchall()
    finally:
        conn.close()
    return summary.batches, rows, ledger


def test_parallel_parsing_loads_the_same_rows_and_ledger(landing, tmp_path):
    batches, rows, ledger = _ingest(landing, tmp_path / "one.duckdb", workers=1)
    batches_2, rows_2, ledger_2 = _ingest(landing, tmp_path / "two.duckdb", workers=2)
    assert batches == batches_2 >= 3  # the pool was used
    assert rows and ledger
    assert rows_2 == rows
    assert ledger_2 == ledger
