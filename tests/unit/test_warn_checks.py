"""A warning check never fails a run: the Great Expectations checks on a real build file,
when the run's first file loaded no rows, and when anything inside them raises."""

import datetime as dt

import dagster as dg
import duckdb
import pandas as pd

from pipelines.defs import quality_checks
from pipelines.defs.ingest import feed_key
from pipelines.defs.quality_checks import _chunks_of_files, build_feed_check
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.expectations import validate_rows
from pipelines.lib.loader import connect_build, ensure_raw_schema
from pipelines.settings import Settings


def test_chunks_when_the_first_file_loaded_no_rows():
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    for name, rows in [("a_empty", 0), ("b", 3), ("c_empty", 0)]:
        conn.execute(
            "INSERT INTO raw.ingest_ledger (source_file, feed, rows_loaded, run_id) "
            "VALUES (?, 'documents', ?, 'r1')",
            [name, rows],
        )
    # today: IndexError (no chunk was opened for a first file of 0 rows)
    assert _chunks_of_files(conn, "documents", "r1") == [["a_empty", "b", "c_empty"]]


def _documents_feed(rows: list[tuple[str, str, int]]):
    """A stand-in for the documents ingest asset: ledger rows for this run (a file of no
    rows first), and the rows the other files loaded, written to the real build file."""

    @dg.asset(key=feed_key("documents"))
    def documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
        conn = warehouse.connect()
        try:
            files = [("900/documents/2022-01-01.csv", 0)] + [
                (f, sum(1 for r in rows if r[0] == f)) for f in sorted({r[0] for r in rows})
            ]
            for source_file, loaded in files:
                conn.execute(
                    "INSERT INTO raw.ingest_ledger (source_file, unit_code, feed, export_date, "
                    "rows_in, rows_loaded, rows_set_aside, status, run_id) "
                    "VALUES (?, '900', 'documents', DATE '2022-01-01', ?, ?, 0, 'loaded', ?)",
                    [source_file, loaded, loaded, context.run.run_id],
                )
            for number, (source_file, document_number, send_method) in enumerate(rows, 2):
                conn.execute(
                    "INSERT INTO raw.documents (unit_code, export_date, source_file, source_row, "
                    "document_number, document_date, recipient_kind, send_method, "
                    "classification, updated_at) VALUES ('900', DATE '2022-01-02', ?, ?, ?, "
                    "DATE '2022-01-02', 1, ?, 0, TIMESTAMP '2022-01-02 10:00')",
                    [source_file, number, document_number, send_method],
                )
        finally:
            conn.close()

    return documents


def _check_run(tmp_path, rows):
    settings = Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")
    connect_build(settings.build_db).close()
    check = build_feed_check("documents")
    result = dg.materialize(
        [_documents_feed(rows), check],
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        raise_on_error=False,
    )
    evaluations = result.get_asset_check_evaluations()
    return result, evaluations


def test_check_passes_when_the_runs_first_file_loaded_no_rows(tmp_path):
    rows = [("900/documents/2022-01-02.csv", "1/UBND", 1)]
    result, evaluations = _check_run(tmp_path, rows)
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    assert [(e.check_name, e.passed) for e in evaluations] == [("documents_rows_look_right", True)]
    assert evaluations[0].metadata["rows_validated"].value == 1


def test_check_flags_a_bad_row_after_an_empty_first_file(tmp_path):
    rows = [
        ("900/documents/2022-01-02.csv", "1/UBND", 1),
        ("900/documents/2022-01-02.csv", "2/UBND", 9),  # no such send method
    ]
    result, evaluations = _check_run(tmp_path, rows)
    assert result.success
    (evaluation,) = evaluations
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "900/documents/2022-01-02.csv" in evaluation.metadata["send_method_known"].value
    assert evaluation.description == "1 of 5 expectations failed: send_method_known (1 row)"


def test_an_expectation_gx_could_not_evaluate_is_not_reported_as_zero_rows():
    # GX catches an error inside an expectation and reports a failure with no rows; the
    # outcome says why instead of "0 rows: expected ..."
    frame = pd.DataFrame(
        [
            {
                "unit_code": "900",
                "document_number": "1/UBND",
                "document_year": 2022,
                "document_date": "not a date",
                "send_method": 1,
                "recipient_kind": 1,
                "classification": 0,
                "updated_at": dt.datetime(2022, 1, 2),
                "export_day_end": dt.datetime(2022, 1, 3),
                "source_file": "f",
                "source_row": 2,
            }
        ]
    )
    outcomes = {o.name: o for o in validate_rows("documents", frame)}
    dated = outcomes["dated_not_after_export_day"]
    assert not dated.success
    assert dated.error and "comparison" in dated.error
    assert outcomes["send_method_known"].error is None


def test_an_error_inside_a_warning_check_is_a_failed_warning_not_a_failed_run(
    tmp_path, monkeypatch
):
    def broken(feed, frames, max_examples=5):
        list(frames)
        raise ValueError("GX could not evaluate column send_method")

    monkeypatch.setattr(quality_checks, "validate_row_chunks", broken)
    result, evaluations = _check_run(tmp_path, [("900/documents/2022-01-02.csv", "1/UBND", 1)])
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    (evaluation,) = evaluations
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    error = evaluation.metadata["error"].value
    assert "ValueError: GX could not evaluate column send_method" in error
    assert "could not run" in (evaluation.description or "")


def test_documents_sql_runs_on_an_empty_chunk(tmp_path):
    # a chunk made only of files that loaded nothing gives an empty frame, not an error
    conn = connect_build(tmp_path / "build.duckdb")
    try:
        frame = conn.execute(
            quality_checks.rows_to_validate_sql("documents"),
            {"run_id": "r1", "files": ["900/documents/2022-01-01.csv"]},
        ).df()
    finally:
        conn.close()
    assert frame.empty
