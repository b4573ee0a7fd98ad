"""The contract's example landing folder, written by someone other than the project, must
load: every row is loaded or set aside with a reason. The files are a byte-identical copy of
shared/contracts/examples/landing/ (the project never reads ../shared at run time)."""

import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.landing import (
    UnitRegistry,
    discover,
    read_registry,
    read_successions,
    read_units,
    scan,
)
from pipelines.lib.loader import (
    DEFAULT_BATCH_FILES,
    connect_build,
    encoding_batches,
    ingest_feed,
    load_registry,
    load_successions,
    record_rejected,
)
from pipelines.lib.parsing import ParsedBatch, parse_batch
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.lib.schema import FEEDS

EXAMPLES = Path(__file__).parent.parent / "fixtures" / "contract_examples"
PSEUDONYMISER = Pseudonymiser(b"contract-examples-test-key-32byt")
# Personal data delivered in the example dossiers: none of it may reach an output frame.
PERSONAL = (
    "Lương Thị Diễm",
    "Thạch Văn Sang",
    "Danh Thị Hoa",
    "093190123456",
    "093085654321",
    "093186777888",
    "0939123456",
    "0918654321",
    "0987777888",
    "Khu vực 1",
    "Khu vực 4",
    "Phường IV, Vị Thanh",
    "Châu Văn Lộc",
    "Lê Thị Bé Ba",
    "093078111222",
    "093190333444",
    "0939111222",
    "0918333444",
    # staff names (Họ và tên / HoTen), in the example staff lists
    "Trương Thị Ngọc Hân",
    "Sơn Văn Khánh",
    "Huỳnh Minh Luân",
    "Nguyễn Hoàng Phúc",
    "Lý Thị Mỹ",
)


def _parse_feed(feed: str, files, registry: UnitRegistry) -> ParsedBatch:
    """The feed's files parsed as ingest_feed batches them: each file with the encoding of
    its unit's registry row on its export date (31321 wrote cp1258 until 2025-06-30, UTF-8
    as the reused code of Phường Vị Thanh from 2025-07-01)."""
    mine = [f for f in files if f.feed == feed]
    parts = [
        parse_batch(feed, batch, encodings, PSEUDONYMISER)
        for batch, encodings in encoding_batches(mine, registry, DEFAULT_BATCH_FILES)
    ]
    return ParsedBatch(
        loaded=pl.concat([p.loaded for p in parts]),
        set_aside=pl.concat([p.set_aside for p in parts]),
        outcomes=[o for p in parts for o in p.outcomes],
    )


@pytest.fixture(scope="module")
def batches() -> dict[str, ParsedBatch]:
    files, misplaced = discover(EXAMPLES)
    assert misplaced == []
    registry = UnitRegistry.from_frame(read_units(EXAMPLES))
    return {feed: _parse_feed(feed, files, registry) for feed in FEEDS}


def test_every_example_file_loads_and_every_row_is_accounted_for(batches):
    seen = set()
    for batch in batches.values():
        for outcome in batch.outcomes:
            seen.add(outcome.file.relpath)
            assert outcome.status == "loaded", (outcome.file.relpath, outcome.error)
            assert outcome.rows_in == outcome.rows_loaded + outcome.rows_set_aside
        assert batch.set_aside["reason"].null_count() == 0
    assert len(seen) == 13
    # The examples are clean: every row loads.
    assert {feed: b.set_aside.height for feed, b in batches.items()} == dict.fromkeys(FEEDS, 0)
    assert {feed: b.loaded.height for feed, b in batches.items()} == {
        "procedures": 3 + 3 + 2,  # 31321 csv, 31324 xlsx, 930 jsonl
        "dossiers": 2 + 2 + 1 + 2,  # 31321 csv (2023, 2025), 31324 xlsx, 930 jsonl
        "documents": 1 + 1,
        "reports": 1 + 2,
        "staff": 3 + 2,  # 31321 csv (cp1258), 930 jsonl
    }


def test_units_registry():
    units = read_units(EXAMPLES)
    columns = ("unit_code", "unit_level", "parent_code", "valid_to", "csv_encoding")
    assert units.select(columns).rows() == [
        ("92", "province", None, None, "utf-8"),
        ("93", "province", None, date(2025, 6, 30), "utf-8"),
        ("930", "city", "93", date(2025, 6, 30), "utf-8"),
        ("31321", "ward", "930", date(2025, 6, 30), "cp1258"),
        ("31324", "ward", "930", date(2025, 6, 30), "utf-8-sig"),
        ("31321", "ward", "92", None, "utf-8"),  # the code reused from 2025-07-01
        ("31333", "ward", "92", None, "utf-8"),
    ]
    assert read_registry(EXAMPLES).set_aside == []


def test_reused_code_is_read_by_date():
    registry = UnitRegistry.from_frame(read_units(EXAMPLES))
    assert registry.encoding_on("31321", date(2025, 6, 30)) == "cp1258"
    assert registry.encoding_on("31321", date(2025, 7, 1)) == "utf-8"
    assert registry.problem("31333", date(2025, 6, 30)) == (
        "unit 31333 is not in units.csv on 2025-06-30"
    )


def test_unit_successions():
    read = read_successions(EXAMPLES, read_units(EXAMPLES))
    assert (read.status, read.rows_in, read.set_aside) == ("loaded", 5, [])
    columns = ("effective_date", "predecessor_code", "successor_code", "transfer", "source_row")
    assert read.rows.select(columns).rows() == [
        (date(2025, 7, 1), "93", "92", "whole", 2),
        (date(2025, 7, 1), "31321", "31321", "whole", 3),
        (date(2025, 7, 1), "31324", "31333", "whole", 4),
        (date(2025, 7, 1), "930", "31321", "part", 5),
        (date(2025, 7, 1), "930", "31333", "part", 6),
    ]


def test_2025_dossiers_of_the_reused_code_decode_with_the_2025_row(batches):
    dossiers = batches["dossiers"]
    [outcome] = [o for o in dossiers.outcomes if o.file.relpath == "31321/dossiers/2025-07-03.csv"]
    # UTF-8 as the 2025 row declares: no "declared cp1258, decoded as utf-8" note, and its
    # optional 'Lý do trễ hạn' column is mapped, not ignored.
    assert (outcome.status, outcome.encoding, outcome.error) == ("loaded", "utf-8", None)
    assert (outcome.rows_in, outcome.rows_loaded) == (2, 2)
    rows = dossiers.loaded.filter(pl.col("export_date") == date(2025, 7, 3))
    columns = ("dossier_code", "channel", "status", "finished_at", "late_reason")
    assert rows.select(columns).rows() == [
        (  # handed over from Phường IV, late, with an apology and its reason
            "P3-250627-004",
            1,
            10,
            datetime(2025, 7, 3, 9, 30),
            "Lỗi đường truyền mạng khi chuyển hồ sơ sang đơn vị mới",
        ),
        ("PVT-250701-001", 2, 10, datetime(2025, 7, 2, 8, 0), None),  # on time: blank
    ]
    assert unicodedata.is_normalized("NFC", rows["late_reason"][0])


def test_every_example_entry_is_in_the_ledger(tmp_path):
    """The whole landing folder through the ingest: the feed files, units.csv and
    unit_successions.csv each have a ledger row, loaded, and nothing is rejected."""
    conn = connect_build(tmp_path / "build.duckdb")
    try:
        registry = load_registry(conn, EXAMPLES, "run-1")
        load_successions(conn, EXAMPLES, "run-1")
        assert record_rejected(conn, scan(EXAMPLES).rejected, "run-1") == (0, 0)
        units = UnitRegistry.from_frame(registry.rows)
        for feed in FEEDS:
            ingest_feed(conn, EXAMPLES, feed, PSEUDONYMISER, units, workers=1)
        ledger = conn.execute(
            "SELECT source_file, unit_code, feed, status, encoding, error, rows_in, "
            "rows_loaded, rows_set_aside FROM raw.ingest_ledger ORDER BY source_file"
        ).fetchall()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM raw.units), (SELECT count(*) FROM raw.unit_successions)"
        ).fetchone()
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
        stored = json.dumps(
            [conn.execute(f"SELECT * FROM raw.{t}").fetchall() for (t,) in tables],
            default=str,
            ensure_ascii=False,
        )
    finally:
        conn.close()
    assert len(ledger) == 13 + 2
    assert {row[3] for row in ledger} == {"loaded"}
    by_file = {row[0]: row for row in ledger}
    assert by_file["units.csv"][1:] == (None, "units", "loaded", "utf-8", None, 7, 7, 0)
    assert by_file["unit_successions.csv"][1:] == (
        None,
        "unit_successions",
        "loaded",
        "utf-8",
        None,
        5,
        5,
        0,
    )
    assert by_file["31321/dossiers/2023-01-06.csv"][4:6] == ("cp1258", None)
    assert by_file["31321/dossiers/2025-07-03.csv"][4:6] == ("utf-8", None)
    assert by_file["31321/staff/2023-01-02.csv"][1:] == (
        "31321",
        "staff",
        "loaded",
        "cp1258",
        None,
        3,
        3,
        0,
    )
    assert by_file["930/staff/2023-01-02.jsonl"][1:] == (
        "930",
        "staff",
        "loaded",
        "utf-8",
        None,
        2,
        2,
        0,
    )
    assert counts == (7, 5)
    # Nothing personal anywhere in the build file: raw feeds, set-aside rows, the ledger.
    assert "staff" in {t for (t,) in tables} and "Sơn Văn Khánh" not in stored
    for value in PERSONAL:
        assert value not in stored


def test_cp1258_dossiers_csv(batches):
    dossiers = batches["dossiers"].loaded
    row = dossiers.filter(pl.col("dossier_code") == "P1-230105-002").row(0, named=True)
    assert row["source_file"] == "31321/dossiers/2023-01-06.csv"
    assert row["source_row"] == 3
    assert row["finished_at"] == datetime(2023, 1, 6, 8, 30)
    assert (row["channel"], row["status"]) == (1, 10)  # Trực tiếp; Đã trả kết quả
    assert row["applicant_id_hash"] == PSEUDONYMISER.hash_id("093085654321")
    assert row["applicant_id_kind"] == "citizen_id"
    first = dossiers.filter(pl.col("dossier_code") == "P1-230105-001").row(0, named=True)
    assert (first["channel"], first["status"], first["supplement_count"]) == (2, 5, 1)
    assert first["paid_online"] is None and first["digitized"] is True
    # An export from before the 'Lý do trễ hạn' column: loads unchanged, late_reason null.
    assert (first["late_reason"], row["late_reason"]) == (None, None)
    [outcome] = [
        o for o in batches["dossiers"].outcomes if o.file.relpath == "31321/dossiers/2023-01-06.csv"
    ]
    assert (outcome.encoding, outcome.error) == ("cp1258", None)


def test_cp1258_procedure_names_come_out_nfc(batches):
    procedures = batches["procedures"].loaded.filter(pl.col("unit_code") == "31321")
    names = procedures["procedure_name"].to_list()
    assert names == ["Đăng ký khai tử", "Đăng ký thường trú", "Xác nhận đơn đề nghị hỗ trợ"]
    for text in [*names, *procedures["domain"], *procedures["decision_no"]]:
        assert unicodedata.is_normalized("NFC", text)
    assert procedures.select("service_level", "processing_days", "change_type").rows() == [
        ("TT", 1, 2),
        ("MP", 7, 3),
        ("2", None, 1),
    ]


def test_xlsx_matches_the_csv_it_mirrors(batches):
    procedures = batches["procedures"].loaded
    columns = [c for c in procedures.columns if c not in ("unit_code", "source_file")]
    csv_rows = procedures.filter(pl.col("unit_code") == "31321").select(columns)
    xlsx_rows = procedures.filter(pl.col("unit_code") == "31324").select(columns)
    assert xlsx_rows.equals(csv_rows)
    dossiers = batches["dossiers"].loaded.filter(pl.col("unit_code") == "31324")
    assert dossiers.select("dossier_code", "channel", "status", "finished_at").rows() == [
        ("P3-230105-001", 2, 5, None),
        ("P3-230105-002", 1, 10, datetime(2023, 1, 6, 8, 30)),
    ]


def test_api_dialect_examples(batches):
    [dossier] = batches["dossiers"].loaded.filter(pl.col("unit_code") == "930").rows(named=True)
    assert dossier["dossier_code"] == "000.00.12.H62-230104-0001"
    assert (dossier["channel"], dossier["status"]) == (2, 4)
    assert dossier["received_at"] == datetime(2023, 1, 4, 10, 0)
    assert dossier["finished_at"] is None
    assert (dossier["apology_issued"], dossier["paid_online"]) == (False, True)
    procedures = batches["procedures"].loaded.filter(pl.col("unit_code") == "930")
    columns = ("procedure_code", "authority_level", "service_level", "status")
    assert procedures.select(columns).rows() == [
        ("1.009994", 2, "TT", 1),
        ("2.000488", 2, "3", 0),
    ]
    assert procedures["effective_date"].to_list() == [date(2022, 3, 15), date(2023, 1, 1)]
    documents = batches["documents"].loaded.sort("unit_code")
    assert documents.select("document_number", "send_method", "digitally_signed").rows() == [
        ("3/UBND", 3, True),
        ("12/UBND-VP", 1, True),
    ]


def test_reports_numbers(batches):
    reports = batches["reports"].loaded.sort("unit_code", "source_row")
    columns = ("unit_code", "period", "scope", "numerator", "denominator", "reported_rate")
    assert reports.select(columns).rows() == [
        ("31324", "2022-12", "self", Decimal("57"), Decimal("58"), Decimal("98.28")),
        ("930", "2022", "self", Decimal("12345"), Decimal("12350"), Decimal("99.96")),
        ("930", "2022-Q4", "area", Decimal("1204"), None, None),
    ]


def test_no_personal_data_in_any_output(batches):
    for batch in batches.values():
        text = json.dumps(
            [batch.loaded.rows(), batch.set_aside.rows()], default=str, ensure_ascii=False
        )
        for value in PERSONAL:
            assert value not in text


def test_staff_examples(batches):
    """31321's list (cp1258 CSV, book dialect) and 930's (JSONL, API dialect), decoded by
    hand: three officials and two."""
    staff = batches["staff"].loaded.sort("unit_code", "source_row")
    columns = (
        "unit_code",
        "export_date",
        "source_file",
        "source_row",
        "staff_code",
        "is_leader",
        "has_official_email",
        "has_signing_certificate",
        "status",
    )
    day = date(2023, 1, 2)
    book, api = "31321/staff/2023-01-02.csv", "930/staff/2023-01-02.jsonl"
    assert staff.select(columns).rows() == [
        ("31321", day, book, 2, "CB-0007", True, True, True, 1),  # leader, serving
        ("31321", day, book, 3, "CB-0012", False, True, False, 1),
        ("31321", day, book, 4, "CB-0015", False, False, False, 0),  # Đã nghỉ
        ("930", day, api, 1, "VT-101", True, True, True, 1),
        ("930", day, api, 2, "VT-117", False, True, False, 1),
    ]
    assert staff["position"].to_list() == [
        "Chủ tịch UBND phường",
        "Công chức Tư pháp - Hộ tịch",
        "Công chức Văn phòng - Thống kê",
        "Trưởng phòng Nội vụ",
        "Chuyên viên Phòng Tư pháp",
    ]
    for text in staff["position"]:
        assert unicodedata.is_normalized("NFC", text)
    assert "staff_name" not in staff.columns
    outcomes = {o.file.relpath: o for o in batches["staff"].outcomes}
    assert (outcomes[book].encoding, outcomes[book].error) == ("cp1258", None)
    assert (outcomes[api].encoding, outcomes[api].error) == ("utf-8", None)
