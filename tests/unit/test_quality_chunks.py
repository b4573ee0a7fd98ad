"""Great Expectations over a run's rows in chunks of whole files adds up to one validation."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.defs import quality_checks
from pipelines.defs.check_results import FAILING_ROWS_SHOWN
from pipelines.defs.quality_checks import (
    CHUNK_ROWS,
    INDICATOR_CATALOGUE_SEED,
    _chunks_of_files,
    _in_file_order,
    rows_frame,
    rows_to_validate_sql,
    validate_run_rows,
)
from pipelines.lib.expectations import (
    SUITES,
    WELL_FORMED_ID_KINDS,
    suite_columns,
    validate_row_chunks,
    validate_rows,
)
from pipelines.lib.headers import allowed_values
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


# --- the frame GX validates: the query's rows, in file and row order, typed as .df() ---------


def _value(kind: str, row: int):
    """A value of a raw column type for a row (a row in three: NULL). Text repeats (two
    values) except in dossier_code, so both ways `rows_frame` gives text are taken."""
    if row % 3 == 0:
        return None
    if kind == "VARCHAR":
        return f"v{row % 2}"
    if kind == "BOOLEAN":
        return row % 2 == 0
    if kind == "DATE":
        return dt.date(2021, 3, row % 28 + 1)
    if kind == "TIMESTAMP":
        return dt.datetime(2021, 3, row % 28 + 1, 10, row % 60)
    if kind.startswith("DECIMAL"):
        return f"{row}.25"
    return row  # SMALLINT, INTEGER, BIGINT


def _load_run(conn, feed: str, rows: int) -> None:
    """`rows` rows of every column type of raw.<feed> in two files of run r1, inserted in
    reverse file and row order (so a query that kept their order would give it reversed)."""
    columns = conn.execute(f"DESCRIBE raw.{feed}").fetchall()
    files = [f"900/{feed}/2021-03-01.csv", f"900/{feed}/2021-03-02.csv"]
    for source_file in files:
        conn.execute(
            "INSERT INTO raw.ingest_ledger (source_file, feed, rows_loaded, run_id) "
            "VALUES (?, ?, ?, 'r1')",
            [source_file, feed, rows // 2],
        )
    for row in reversed(range(rows)):
        record = {name: _value(kind, row) for name, kind, *_ in columns}
        record |= {"source_file": files[row % 2], "source_row": row, "unit_code": "900"}
        if feed == "dossiers":
            record["dossier_code"] = f"HS-{row:06d}"
        names = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        conn.execute(f"INSERT INTO raw.{feed} ({names}) VALUES ({marks})", list(record.values()))


def _params(feed: str) -> dict:
    params = {"run_id": "r1", "files": [f"900/{feed}/2021-03-01.csv", f"900/{feed}/2021-03-02.csv"]}
    if feed == "reports":
        params["catalogue"] = str(INDICATOR_CATALOGUE_SEED)
    return params


def test_the_frame_is_the_querys_rows_in_file_and_row_order_as_df_types_them():
    for feed in SUITES:
        conn = duckdb.connect()
        ensure_raw_schema(conn)
        _load_run(conn, feed, rows=12)
        sql, params = rows_to_validate_sql(feed), _params(feed)
        frame = rows_frame(conn, sql, params)
        df = conn.execute(sql, params).df()
        df = df.sort_values(["source_file", "source_row"], ignore_index=True)
        assert list(frame.columns) == list(df.columns), feed
        for column in df.columns:
            # what a failing row's example shows (str of the cell) is what .df() showed
            assert [str(v) for v in frame[column]] == [str(v) for v in df[column]], (feed, column)
            if isinstance(df[column].dtype, pd.StringDtype):
                # text: categorical when it repeats, strings when nearly every value is new
                near_unique = column == "dossier_code"
                assert isinstance(frame[column].dtype, pd.StringDtype) == near_unique
                assert isinstance(frame[column].dtype, pd.CategoricalDtype) != near_unique
            else:
                assert frame[column].dtype == df[column].dtype, (feed, column)
        assert frame["source_row"].tolist() == sorted(range(0, 12, 2)) + sorted(range(1, 12, 2))


def _loaded_by_run(conn, feed: str, files: list[str], rows: int, run_id: str = "r1") -> None:
    """Ledger rows saying run `run_id` loaded `rows` rows of each file."""
    conn.executemany(
        "INSERT INTO raw.ingest_ledger (source_file, feed, rows_loaded, run_id) "
        "VALUES (?, ?, ?, ?)",
        [[source_file, feed, rows, run_id] for source_file in files],
    )


def test_a_run_lists_its_first_failing_rows_in_file_order_across_chunks(monkeypatch):
    # 80 documents in 8 files of 10, every other one with an unknown send method (9), loaded
    # in reverse; chunks of two files, so four GX validations (the next chunk loading while
    # one is validated), and more failing rows in a chunk than the check lists.
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    files = [f"900/documents/2021-03-{day:02d}.csv" for day in range(1, 9)]
    _loaded_by_run(conn, "documents", files, rows=10)
    rows = [(f, row) for f in files for row in range(2, 12)]
    for number, (source_file, row) in reversed(list(enumerate(rows))):
        conn.execute(
            "INSERT INTO raw.documents (unit_code, export_date, source_file, source_row, "
            "document_number, document_date, recipient_kind, send_method, classification, "
            "updated_at) VALUES ('900', DATE '2021-03-09', ?, ?, ?, DATE '2021-03-01', 1, ?, "
            "0, TIMESTAMP '2021-03-01 10:00')",
            [source_file, row, f"{number}/UBND", 9 if number % 2 == 0 else 1],
        )
    monkeypatch.setattr(quality_checks, "CHUNK_ROWS", 20)
    assert len(_chunks_of_files(conn, "documents", "r1")) == 4

    outcomes, validated = validate_run_rows(conn, "documents", "r1")
    by_name = {o.name: o for o in outcomes}
    failing = [rows[n] for n in range(0, len(rows), 2)]
    send_method = by_name["send_method_known"]
    assert validated == len(rows)
    assert (send_method.success, send_method.unexpected_count) == (False, len(failing))
    shown = [(e["source_file"], e["source_row"], e["send_method"]) for e in send_method.examples]
    assert shown == [(f, row, "9") for f, row in failing[:FAILING_ROWS_SHOWN]]
    assert all(o.success for name, o in by_name.items() if name != "send_method_known")


def _stretched(rows: int, stretches: int, seed: int):
    """A table of (source_file, source_row, value) rows in file and row order, cut into
    `stretches` runs put in a shuffled order (as a query over a table stored in file order
    hands them back), with a tie and NULL keys, which sort last."""
    import pyarrow as pa

    rng = random.Random(seed)
    keys = [(f"f{n // 700:02d}", n % 700) for n in range(rows - 3)]
    keys += [("f00", 5), (None, 1), ("f01", None)]  # a tie with an earlier row, NULLs
    cuts = sorted(rng.sample(range(1, len(keys)), stretches - 1))
    runs = [keys[a:b] for a, b in zip([0, *cuts], [*cuts, len(keys)], strict=True)]
    rng.shuffle(runs)
    keys = [key for run in runs for key in run]
    return pa.table(
        {
            "source_file": [f for f, _ in keys],
            "source_row": pa.array([r for _, r in keys], pa.int32()),
            "value": list(range(len(keys))),  # where each row came from
        }
    )


def test_rows_are_put_in_file_order_as_sort_by_puts_them():
    by_file = [("source_file", "ascending"), ("source_row", "ascending")]
    for stretches in (1, 2, 12):  # as a query gives them: in long stretches of file order
        rows = _stretched(rows=20_000, stretches=stretches, seed=stretches)
        ordered = _in_file_order(rows)
        assert ordered.equals(rows.sort_by(by_file)), stretches
    shuffled = _stretched(rows=20_000, stretches=10_000, seed=3)  # no order to speak of
    assert _in_file_order(shuffled).equals(shuffled.sort_by(by_file))
    for few in (0, 1):
        rows = _stretched(rows=6000, stretches=1, seed=1).slice(0, few)
        assert _in_file_order(rows).equals(rows)


def test_a_dossiers_run_lists_its_first_failing_rows_in_file_order_across_chunks(monkeypatch):
    # 4 files of 2,000 dossiers in chunks of two files (two GX validations), stored out of
    # file order in stretches of 1,000 rows (DuckDB's threads give them back about so). Rows
    # 7, 157, 307, ... of each file name a procedure not in the unit's catalogue (14 a
    # file, so the check lists the first file's 14 and the second's first 6); rows 123,
    # 523, ... are due before they were received (5 a file: all 20 are listed).
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    conn.execute("INSERT INTO raw.units (unit_code, valid_from) VALUES ('U', DATE '2020-01-01')")
    conn.execute(
        "INSERT INTO raw.procedures (unit_code, export_date, procedure_code) "
        "VALUES ('U', DATE '2021-01-01', 'P1')"
    )
    files = [f"U/dossiers/2021-03-0{day}.csv" for day in range(1, 5)]
    _loaded_by_run(conn, "dossiers", files, rows=2000)
    status = allowed_values("dossiers", "status")[0]
    channel = allowed_values("dossiers", "channel")[0]
    for number in (2, 0, 3, 1):
        for first, last in ((1000, 2000), (0, 1000)):  # a file's second half first
            conn.execute(
                "INSERT INTO raw.dossiers (unit_code, export_date, source_file, source_row, "
                "dossier_code, procedure_code, channel, applicant_id_kind, received_at, "
                "due_at, status, updated_at) "
                "SELECT 'U', DATE '2021-03-05', $file, range, 'HS-' || range, "
                "CASE WHEN range % 150 = 7 THEN 'P9' ELSE 'P1' END, $channel, $kind, "
                "TIMESTAMP '2021-02-10 09:00', TIMESTAMP '2021-02-10 09:00' + CASE "
                "WHEN range % 400 = 123 THEN -INTERVAL 1 DAY ELSE INTERVAL 5 DAY END, "
                "$status, TIMESTAMP '2021-03-01 10:00' FROM range($first, $last)",
                {
                    "file": files[number],
                    "first": first,
                    "last": last,
                    "channel": channel,
                    "kind": WELL_FORMED_ID_KINDS[0],
                    "status": status,
                },
            )
    params = {"run_id": "r1", "files": files}
    stored = conn.sql(rows_to_validate_sql("dossiers"), params=params).to_arrow_table()
    by_file = [("source_file", "ascending"), ("source_row", "ascending")]
    assert not stored.equals(stored.sort_by(by_file))  # the query's order is not the check's
    monkeypatch.setattr(quality_checks, "CHUNK_ROWS", 4000)
    assert _chunks_of_files(conn, "dossiers", "r1") == [files[:2], files[2:]]

    outcomes, validated = validate_run_rows(conn, "dossiers", "r1")
    by_name = {o.name: o for o in outcomes}
    assert validated == 8000
    for name, modulus, remainder in (
        ("procedure_in_catalogue", 150, 7),
        ("due_not_before_received", 400, 123),
    ):
        failing = [(f, row) for f in files for row in range(2000) if row % modulus == remainder]
        outcome = by_name[name]
        assert (outcome.success, outcome.unexpected_count) == (False, len(failing)), name
        shown = [(e["source_file"], e["source_row"]) for e in outcome.examples]
        assert shown == failing[:FAILING_ROWS_SHOWN], name
    assert by_name["procedure_in_catalogue"].examples[0]["procedure_in_catalogue"] == "False"
    passed = {"procedure_in_catalogue", "due_not_before_received"}
    assert all(o.success and not o.unexpected_count for o in outcomes if o.name not in passed)


def test_a_run_that_loaded_nothing_does_not_import_great_expectations():
    # importing GX costs seconds: a feed with no rows in the run must not pay for it
    probe = (
        "import sys, pandas as pd\n"
        "from pipelines.lib.expectations import validate_row_chunks\n"
        "outcomes = validate_row_chunks('documents', [pd.DataFrame(), pd.DataFrame()])\n"
        "assert all(o.success and o.unexpected_count == 0 for o in outcomes)\n"
        "print('great_expectations' in sys.modules)\n"
    )
    assert probe_says(probe) == "False"


def probe_says(probe: str) -> str:
    """The last line a fresh interpreter prints running `probe` in the checkout (what a
    process has imported can only be seen from a new one)."""
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "GX_ANALYTICS_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout.strip().splitlines()[-1]


# --- procedure_in_catalogue: which catalogue a dossier is judged against -----------------

_REGISTRY = [  # unit_code, valid_from, valid_to
    ("U", "2020-01-01", "2021-06-30"),  # the old unit ...
    ("U", "2021-07-01", None),  # ... and the new one the code was given to
    ("X", "2021-06-01", None),  # a registry row with no catalogue of its own (renamed, say)
]
_SNAPSHOTS = [  # unit_code, export_date, procedure codes in the catalogue
    ("U", "2021-01-01", ["P1"]),
    ("U", "2021-07-01", ["P2"]),
    ("U", "2021-09-01", ["P2", "P3"]),
    ("W", "2021-01-01", ["P1"]),  # W has no registry row at all
    ("W", "2021-05-01", ["P5"]),
    ("X", "2021-01-01", ["P1"]),
    ("X", "2021-03-01", ["P9"]),
]
_DOSSIERS = [  # unit_code, export_date, received on, procedure, in the catalogue?
    ("U", "2021-03-01", "2021-02-01", "P1", True),  # the old unit's catalogue then
    ("U", "2021-08-01", "2021-08-01", "P1", False),  # a reused code: not the old unit's
    ("U", "2021-08-01", "2021-05-01", "P2", True),  # handed over: the new row's first
    ("U", "2021-10-01", "2021-09-15", "P3", True),  # the snapshot in force when received
    ("U", "2021-10-01", "2021-08-15", "P3", False),  # ... not a later one
    ("U", "2021-10-01", None, "P7", True),  # no received date: not judged
    ("U", "2021-10-01", "2021-09-15", None, False),  # no procedure
    ("W", "2021-06-01", "2021-04-01", "P5", False),  # no registry row: the code's snapshots
    ("W", "2021-06-01", "2020-12-01", "P1", True),  # received before the first: the first
    ("X", "2021-07-01", "2021-04-01", "P9", True),  # the row has none: the code's snapshots
]


def test_a_dossier_is_judged_against_the_catalogue_in_force_for_its_unit():
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    for unit_code, valid_from, valid_to in _REGISTRY:
        conn.execute(
            "INSERT INTO raw.units (unit_code, valid_from, valid_to) VALUES (?, ?, ?)",
            [unit_code, valid_from, valid_to],
        )
    for unit_code, export_date, codes in _SNAPSHOTS:
        for code in codes:
            conn.execute(
                "INSERT INTO raw.procedures (unit_code, export_date, procedure_code) "
                "VALUES (?, ?, ?)",
                [unit_code, export_date, code],
            )
    files = sorted({f"{unit}/dossiers/{export}.csv" for unit, export, *_ in _DOSSIERS})
    for source_file in files:
        conn.execute(
            "INSERT INTO raw.ingest_ledger (source_file, feed, run_id) "
            "VALUES (?, 'dossiers', 'r1')",
            [source_file],
        )
    for row, (unit, export, received, code, _expected) in enumerate(_DOSSIERS):
        conn.execute(
            "INSERT INTO raw.dossiers (unit_code, export_date, source_file, source_row, "
            "dossier_code, procedure_code, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [unit, export, f"{unit}/dossiers/{export}.csv", row, f"HS-{row}", code, received],
        )
    judged = dict(
        conn.execute(
            "SELECT source_row, procedure_in_catalogue FROM ("
            + rows_to_validate_sql("dossiers")
            + ")",
            {"run_id": "r1", "files": files},
        ).fetchall()
    )
    assert judged == {row: expected for row, (*_, expected) in enumerate(_DOSSIERS)}


def test_an_error_while_the_next_chunk_loads_leaves_no_loading_behind(monkeypatch):
    # GX raising on the first chunk while the second loads: the error reaches the check
    # (which reports it as a failed warning), the load is over, the connection usable.
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    _load_run(conn, "documents", rows=12)
    monkeypatch.setattr(quality_checks, "CHUNK_ROWS", 6)  # one chunk per file
    threads = threading.active_count()

    def broken(feed, frames, max_examples):
        next(iter(frames))
        raise ValueError("GX could not evaluate column send_method")

    monkeypatch.setattr(quality_checks, "validate_row_chunks", broken)
    with pytest.raises(ValueError, match="send_method") as raised:
        validate_run_rows(conn, "documents", "r1")
    assert raised.traceback  # still held (with the generators it passed through), yet ...
    assert threading.active_count() == threads  # ... the loading thread is gone
    assert conn.execute("SELECT count(*) FROM raw.documents").fetchone() == (12,)
