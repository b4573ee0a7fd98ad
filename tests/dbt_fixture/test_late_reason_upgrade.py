"""late_reason is optional: a build file made before it existed keeps working.

raw.dossiers from before the column (an ingest of before issue 13) still builds, with
null reasons; then the ingest adds the column and a night re-delivers a day with a reason:
the incremental current-state tables, built by models that had no such column, get it
appended (on_schema_change) and the night's dossiers carry the reason, as a full rebuild
of the same data does.
"""

from __future__ import annotations

from tests.dbt_fixture.build_raw import build
from tests.dbt_fixture.test_incremental_facts import MODELS, dbt, query

NIGHT = "2021-02-03"  # the day of 941's HS002 finished, late


def test_a_build_file_from_before_late_reason(tmp_path):
    db = tmp_path / "build.duckdb"
    build(db)
    query(db, "ALTER TABLE raw.dossiers DROP COLUMN late_reason")
    dbt(MODELS, db, tmp_path)
    assert query(db, "SELECT count(*), count(late_reason) FROM marts.fct_dossier") == [(13, 0)]
    assert query(db, "SELECT count(*), count(late_reason) FROM marts.late_dossiers") == [(3, 0)]
    # the tables as the models before late_reason built them
    for table in ("staging.stg_ward_exports__dossiers", "intermediate.int_dossier_facts"):
        query(db, f"ALTER TABLE {table} DROP COLUMN late_reason")

    # the ingest adds the column (null for the rows it loaded before) and the night
    # re-delivers 941's file of 2 February with a reason
    query(db, "ALTER TABLE raw.dossiers ADD COLUMN late_reason VARCHAR")
    query(
        db,
        "UPDATE raw.dossiers SET late_reason = 'Lỗi đường truyền mạng '"
        f" WHERE source_file = '941/dossiers/{NIGHT}.csv'",
    )
    dbt(MODELS, db, tmp_path, window=NIGHT)
    reasons = "SELECT dossier_code, late_reason FROM marts.late_dossiers ORDER BY ALL"
    incremental = query(db, reasons)
    assert incremental == [("HS001", None), ("HS002", "Lỗi đường truyền mạng"), ("HS007", None)]
    dbt([*MODELS, "--full-refresh"], db, tmp_path)
    assert query(db, reasons) == incremental
