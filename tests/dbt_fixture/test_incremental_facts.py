"""fct_dossier is incremental: a nightly run recomputes only the dossiers the night can have
changed, and lands where a full rebuild lands when a catalogue snapshot or the calendar
changes dossiers whose own rows did not arrive that night. Its lineage test checks the rows
of the night's window.

Each step changes the hand-written fixture's raw layer, runs dbt with a partition window
that holds no dossier row, and compares fct_dossier with a --full-refresh of the same data.
A marker written into a dossier the night cannot touch shows the run really was incremental.
fct_dossier is a view of the incremental table intermediate.int_dossier_facts, so that is
where the marker (and the broken lineage below) is written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.dbt_fixture.build_raw import build
from tests.dbt_fixture.dbt_env import run_dbt

MODELS = ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
# 31510's dossier HS001 is received in January, under a procedure the new snapshot leaves
# as it was: no night below touches it until the calendar changes.
MARKER = "unit_code = '31510' AND dossier_code = 'HS001'"
# The table that holds fct_dossier's rows (fct_dossier is a view of it).
FACTS_TABLE = "intermediate.int_dossier_facts"


def dbt(args: list[str], db: Path, tmp: Path, window: str = "", ok: bool = True) -> str:
    result = run_dbt(args, db, tmp, window)
    assert (result.returncode == 0) == ok, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


def query(db: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(db))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def facts(db: Path) -> list[tuple]:
    return query(db, f"SELECT * FROM marts.fct_dossier WHERE NOT ({MARKER}) ORDER BY ALL")


def expected_due(db: Path, unit: str, dossier: str):
    return query(
        db,
        "SELECT expected_due_date::VARCHAR FROM marts.fct_dossier "
        f"WHERE unit_code = '{unit}' AND dossier_code = '{dossier}'",
    )[0][0]


def marker(db: Path) -> int:
    return query(db, f"SELECT supplement_count FROM marts.fct_dossier WHERE {MARKER}")[0][0]


def test_nights_recompute_and_check_what_they_can_change(tmp_path):
    db = tmp_path / "build.duckdb"
    build(db)
    dbt(MODELS, db, tmp_path)
    # HS003: received Wed 2021-03-10 under 1.000001 (3 working days): Thu 11, Fri 12,
    # Mon 15. HS001: received Tue 2021-01-05, 3 days: Wed 6, Thu 7, Fri 8.
    assert expected_due(db, "941", "HS003") == "2021-03-15"
    assert expected_due(db, "941", "HS001") == "2021-01-08"
    query(db, f"UPDATE {FACTS_TABLE} SET supplement_count = 99 WHERE {MARKER}")

    # Night 1 (2021-03-03, no dossier rows): the city sends a snapshot that raises
    # 1.000001 to 6 working days. HS003 (received after it): Thu 11, Fri 12, Mon 15,
    # Tue 16, Wed 17, Thu 18. HS001 (received before it) keeps its version.
    night = "2021-03-03"
    query(
        db,
        "INSERT INTO raw.procedures SELECT * REPLACE ("
        f"DATE '{night}' AS export_date, '941/procedures/{night}.csv' AS source_file, "
        "CASE WHEN procedure_code = '1.000001' THEN 6 ELSE processing_days END "
        "AS processing_days) "
        "FROM raw.procedures WHERE unit_code = '941' AND export_date = DATE '2021-03-01'",
    )
    assert query(db, f"SELECT count(*) FROM raw.dossiers WHERE export_date = '{night}'")[0][0] == 0
    dbt(MODELS, db, tmp_path, window=night)
    assert expected_due(db, "941", "HS003") == "2021-03-18"
    assert expected_due(db, "941", "HS001") == "2021-01-08"
    assert marker(db) == 99  # untouched: the run was incremental
    incremental = facts(db)
    dbt([*MODELS, "--full-refresh"], db, tmp_path)
    assert incremental == facts(db)

    # Night 2 (2022-06-01, nothing delivered but a new statutory holiday on Thu
    # 2021-01-07): HS001 is now due Wed 6, Fri 8, Mon 11, and every dossier is recomputed.
    query(db, f"UPDATE {FACTS_TABLE} SET supplement_count = 99 WHERE {MARKER}")
    query(db, "INSERT INTO raw.public_holidays VALUES (DATE '2021-01-07', 'Test holiday')")
    dbt(MODELS, db, tmp_path, window="2022-06-01")
    assert expected_due(db, "941", "HS001") == "2021-01-11"
    assert marker(db) != 99  # the calendar changed: recomputed
    incremental = facts(db)
    dbt([*MODELS, "--full-refresh"], db, tmp_path)
    assert incremental == facts(db)

    # A row of 2021-03-10 whose raw row is gone fails the lineage test of that night's
    # window, and is not looked at by the next night's.
    query(db, f"UPDATE {FACTS_TABLE} SET source_row = 999 WHERE dossier_code = 'HS003'")
    lineage = ["test", "--select", "fct_dossier,test_name:traces_to_raw_row"]
    failed = dbt(lineage, db, tmp_path, window="2021-03-10", ok=False)
    assert "FAIL 1 traces_to_raw_row_fct_dossier" in failed
    dbt(lineage, db, tmp_path, window="2021-03-11")
