"""A failed Great Expectations warning lists its failing rows (up to 20, FAILING_ROWS_SHOWN, by
file and row, in one `failing_rows` table across its expectations), not five per
expectation: on a real build file, through Dagster."""

import dagster as dg

from pipelines.defs.ingest import feed_key
from pipelines.defs.quality_checks import build_feed_check
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.loader import connect_build
from pipelines.settings import Settings

FILE = "900/documents/2022-01-02.csv"


@dg.asset(key=feed_key("documents"))
def documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """25 documents of one file, each with a send method that does not exist (9)."""
    conn = warehouse.connect()
    try:
        conn.execute(
            "INSERT INTO raw.ingest_ledger (source_file, unit_code, feed, export_date, rows_in, "
            "rows_loaded, rows_set_aside, status, run_id) VALUES (?, '900', 'documents', "
            "DATE '2022-01-02', 25, 25, 0, 'loaded', ?)",
            [FILE, context.run.run_id],
        )
        for row in range(2, 27):
            conn.execute(
                "INSERT INTO raw.documents (unit_code, export_date, source_file, source_row, "
                "document_number, document_date, recipient_kind, send_method, classification, "
                "updated_at) VALUES ('900', DATE '2022-01-02', ?, ?, ?, DATE '2022-01-02', 1, 9, "
                "0, TIMESTAMP '2022-01-02 10:00')",
                [FILE, row, f"{row}/UBND"],
            )
    finally:
        conn.close()


def test_a_failed_expectation_lists_its_first_twenty_rows(tmp_path):
    settings = Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")
    connect_build(settings.build_db).close()
    result = dg.materialize(
        [documents, build_feed_check("documents")],
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        raise_on_error=False,
    )
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.description == "1 of 5 expectations failed: send_method_known (25 rows)"
    table = evaluation.metadata["failing_rows"].value
    lines = [
        line for line in table.splitlines() if line.startswith(f"| send_method_known | {FILE}")
    ]
    assert len(lines) == 20  # FAILING_ROWS_SHOWN
    assert lines[0] == f"| send_method_known | {FILE} | 2 | 9 |"
    # the expectation's own entry lists as many, under the count of all
    own = evaluation.metadata["send_method_known"].value
    assert own.startswith("**25 rows**") and own.count(f"| {FILE} |") == 20
