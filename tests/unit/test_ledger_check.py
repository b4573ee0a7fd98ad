"""The blocking ledger check (every_row_accounted_for) can fail. A real build file written by
the loader balances; the same file with a row lost, doubled or written without its ledger
row is reported file by file, and a failing check keeps what is downstream of the ledger,
publication included, from running."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.ingest import INGEST_LEDGER
from pipelines.defs.ledger_checks import _unbalanced_files_sql, every_row_accounted_for
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.loader import connect_build, ingest_feed
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.settings import Settings
from tests.unit.test_parsing import DOSSIER_HEADER, GOOD_DOSSIER

DOSSIERS = "31321/dossiers/2023-01-06.csv"
UTF16 = "31321/dossiers/2023-01-07.csv"
REPORTS = "31321/reports/2023-01-10.csv"


def _deliver(landing: Path, relpath: str, data: bytes) -> None:
    path = landing / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A build file the loader wrote: loaded rows, set-aside rows and a rejected file."""
    root = tmp_path_factory.mktemp("ledger")
    landing = root / "landing"
    rows = [GOOD_DOSSIER.replace("P1-001", f"P1-{n}") for n in range(2, 6)]
    rows.append(GOOD_DOSSIER.replace("Trực tiếp", "Zalo"))  # row 6: set aside
    text = "\n".join([DOSSIER_HEADER, *rows]) + "\n"
    _deliver(landing, DOSSIERS, text.encode("utf-8"))
    _deliver(landing, UTF16, text.encode("utf-16"))  # rejected, its 5 records counted
    _deliver(
        landing,
        REPORTS,
        "Kỳ báo cáo,Mã chỉ tiêu,Phạm vi,Tử số,Mẫu số,Tỷ lệ (%)\n2022,A,Đơn vị,5,,\n".encode(),
    )
    database = root / "build.duckdb"
    conn = connect_build(database)
    try:
        for feed in ("dossiers", "reports"):
            ingest_feed(conn, landing, feed, Pseudonymiser(b"k" * 32), {"31321": "utf-8"})
    finally:
        conn.close()
    return database


def _copy(built: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(built, folder / "build.duckdb"))


def _query(database: Path, sql: str) -> list[tuple]:
    conn = connect_build(database)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _unbalanced(database: Path) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in _query(database, _unbalanced_files_sql())}


def test_the_build_file_the_loader_wrote_balances(built):
    ledger = _query(
        built,
        "SELECT source_file, status, rows_in, rows_loaded, rows_set_aside FROM raw.ingest_ledger "
        "ORDER BY source_file",
    )
    assert ledger == [
        (DOSSIERS, "loaded", 5, 4, 1),
        (UTF16, "rejected", 5, 0, 1),
        (REPORTS, "loaded", 1, 1, 0),
    ]
    assert _unbalanced(built) == {}


CORRUPTIONS = {
    "raw row deleted": ("DELETE FROM raw.dossiers WHERE source_row = 3", DOSSIERS),
    "raw row doubled": (
        "INSERT INTO raw.dossiers SELECT * FROM raw.dossiers WHERE source_row = 2",
        DOSSIERS,
    ),
    "set-aside row deleted": (
        f"DELETE FROM raw.set_aside WHERE source_file = '{DOSSIERS}'",
        DOSSIERS,
    ),
    "rows lost before the raw frame": (  # rows_in counted from the file, the rest from frames
        f"UPDATE raw.ingest_ledger SET rows_loaded = 1 WHERE source_file = '{DOSSIERS}'; "
        "DELETE FROM raw.dossiers WHERE source_row > 2",
        DOSSIERS,
    ),
    "rows without a ledger row": (
        f"DELETE FROM raw.ingest_ledger WHERE source_file = '{REPORTS}'",
        REPORTS,
    ),
    "rejected file loaded rows": (
        f"INSERT INTO raw.dossiers SELECT * REPLACE ('{UTF16}' AS source_file) "
        "FROM raw.dossiers WHERE source_row = 2; "
        f"UPDATE raw.ingest_ledger SET rows_loaded = 1 WHERE source_file = '{UTF16}'",
        UTF16,
    ),
    "rows_in missing": (
        f"UPDATE raw.ingest_ledger SET rows_in = NULL WHERE source_file = '{REPORTS}'",
        REPORTS,
    ),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=str)
def test_a_corrupted_build_file_is_reported(built, tmp_path, corruption):
    sql, source_file = CORRUPTIONS[corruption]
    database = _copy(built, tmp_path)
    _query(database, sql)
    assert set(_unbalanced(database)) == {source_file}


def test_a_failing_ledger_check_stops_what_comes_after(built, tmp_path):
    """In a run, the blocking check fails and the asset standing for publication (anything
    downstream of the ledger) is not materialized; with a balanced file it is."""
    published: list[str] = []

    @dg.asset(key=INGEST_LEDGER)
    def ingest_ledger() -> None:  # the real build file is already written
        return None

    @dg.asset(deps=[INGEST_LEDGER])
    def publication() -> None:
        published.append("published")

    def run(warehouse: Path) -> dg.ExecuteInProcessResult:
        settings = Settings.for_folders(tmp_path / "landing", warehouse)
        return dg.materialize(
            [ingest_ledger, publication, every_row_accounted_for],
            resources={"warehouse": WarehouseResource.from_settings(settings)},
            raise_on_error=False,
        )

    broken = _copy(built, tmp_path / "broken")
    _query(broken, "DELETE FROM raw.dossiers WHERE source_row = 3")
    result = run(broken.parent)
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["files_unbalanced"].value == 1
    assert published == []

    result = run(_copy(built, tmp_path / "good").parent)
    [check] = result.get_asset_check_evaluations()
    assert check.passed and published == ["published"]
