"""Great Expectations over a run's rows in chunks of whole files adds up to one validation."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines.defs.quality_checks import (
    CHUNK_ROWS,
    INDICATOR_CATALOGUE_SEED,
    _chunks_of_files,
    rows_to_validate_sql,
)
from pipelines.lib.expectations import SUITES, suite_columns, validate_row_chunks, validate_rows
from pipelines.lib.loader import ensure_raw_schema


def test_chunks_hold_whole_files_of_about_chunk_rows():
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    half = CHUNK_ROWS * 3 // 5  # 0.6 of a chunk
    ledger = [("a", half), ("b", half), ("c", half // 3), ("d", 0), ("e", 2 * half)]
    for name, rows in ledger:
        conn.execute(
            "INSERT INTO raw.ingest_ledger (source_file, feed, rows_loaded, run_id) "
            "VALUES (?, 'dossiers', ?, 'r1')",
            [name, rows],
        )
    conn.execute(
        "INSERT INTO raw.ingest_ledger (source_file, feed, rows_loaded, run_id) "
        "VALUES ('x', 'dossiers', 5, 'another run'), ('y', 'documents', 5, 'r1')"
    )
    # a (0.6) alone; b (0.6) + c (0.2) + d (0) = 0.8; e (1.2) alone though over the size:
    # a file is never split, and only this run's files of this feed are taken
    assert _chunks_of_files(conn, "dossiers", "r1") == [["a"], ["b", "c", "d"], ["e"]]
    assert _chunks_of_files(conn, "dossiers", "no such run") == []


def _documents(rows: list[tuple]) -> pd.DataFrame:
    day = dt.datetime(2021, 3, 2)
    return pd.DataFrame(
        [
            {
                "unit_code": "31522",
                "document_number": number,
                "document_year": 2021,
                "document_date": dt.date(2021, 3, 1),
                "send_method": send_method,
                "recipient_kind": 1,
                "classification": 0,
                "updated_at": day,
                "export_day_end": day,
                "source_file": source_file,
                "source_row": row,
            }
            for row, (number, send_method, source_file) in enumerate(rows, start=1)
        ]
    )


def test_chunked_validation_counts_what_one_validation_counts():
    # Row 2 has an unknown send method (9); rows 4 and 5 are the same update of the same
    # document in the same file. Chunks are whole files: f1 (rows 1-3), f2 (rows 4-6).
    rows = [
        ("1/UBND", 1, "f1"),
        ("2/UBND", 9, "f1"),
        ("3/UBND", 2, "f1"),
        ("4/UBND", 1, "f2"),
        ("4/UBND", 1, "f2"),
        ("6/UBND", 3, "f2"),
    ]
    frame = _documents(rows)
    whole = {o.name: o for o in validate_rows("documents", frame)}
    chunked = {
        o.name: o
        for o in validate_row_chunks(
            "documents", [frame.iloc[:3], frame.iloc[3:0:1], frame.iloc[3:]]
        )
    }
    assert whole["send_method_known"].unexpected_count == 1
    assert whole["one_row_per_update"].unexpected_count == 2  # both rows of the pair
    for name, outcome in whole.items():
        assert chunked[name].success == outcome.success, name
        assert chunked[name].unexpected_count == outcome.unexpected_count, name
    # examples name the file and row of the failing rows, from their own chunk
    assert [(e["source_file"], e["source_row"]) for e in chunked["send_method_known"].examples] == [
        ("f1", 2)
    ]
    assert {
        (e["source_file"], e["source_row"]) for e in chunked["one_row_per_update"].examples
    } == {
        ("f2", 4),
        ("f2", 5),
    }


def test_checks_read_only_the_columns_their_suite_needs():
    # The documents suite: send_method, recipient_kind, classification in their sets; one
    # row per (unit_code, document_number, document_year, updated_at, source_file); and
    # document_date not after export_day_end. source_file/source_row name failing rows.
    assert suite_columns("documents") == [
        "source_file",
        "source_row",
        "send_method",
        "recipient_kind",
        "classification",
        "unit_code",
        "document_number",
        "document_year",
        "updated_at",
        "export_day_end",
        "document_date",
    ]
    # Every feed's query runs on the raw schema and gives exactly its suite's columns.
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    for feed in SUITES:
        params = {"run_id": "r1", "files": ["f1"]}
        if feed == "reports":
            params["catalogue"] = str(INDICATOR_CATALOGUE_SEED)
        columns = [d[0] for d in conn.execute(rows_to_validate_sql(feed), params).description]
        assert columns == suite_columns(feed), feed
