"""Parsing batches in worker processes loads exactly what parsing in-process loads."""

from __future__ import annotations

import os
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


def test_the_parse_processes_serve_the_next_feed_and_a_broken_pool_is_replaced(landing, tmp_path):
    """The feeds of a run share one pool (starting one costs most of a second); a pool
    whose process died is replaced at the next feed, which still loads everything; stop()
    ends it."""
    from concurrent.futures.process import BrokenProcessPool

    from pipelines.lib import parse_processes

    _, rows, ledger = _ingest(landing, tmp_path / "one.duckdb", workers=1)
    parse_processes.stop()
    _ingest(landing, tmp_path / "two.duckdb", workers=2)
    assert parse_processes.running()  # the feed started them, and left them running
    first = parse_processes.pool(2)
    _, rows_2, ledger_2 = _ingest(landing, tmp_path / "three.duckdb", workers=2)
    assert parse_processes.pool(2) is first  # the second feed's batches ran in it
    assert (rows_2, ledger_2) == (rows, ledger)

    with pytest.raises(BrokenProcessPool):  # a parse process dies
        first.submit(os._exit, 1).result()
    _, rows_3, ledger_3 = _ingest(landing, tmp_path / "four.duckdb", workers=2)
    assert parse_processes.pool(2) is not first
    assert (rows_3, ledger_3) == (rows, ledger)

    parse_processes.stop()
    assert not parse_processes.running()
