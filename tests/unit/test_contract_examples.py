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

from pipelines.lib.landing import discover, read_units
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
)


@pytest.fixture(scope="module")
def batches() -> dict[str, ParsedBatch]:
    files, misplaced = discover(EXAMPLES)
    assert misplaced == []
    units = read_units(EXAMPLES)
    encodings = dict(zip(units["unit_code"], units["csv_encoding"], strict=True))
    return {
        feed: parse_batch(feed, [f for f in files if f.feed == feed], encodings, PSEUDONYMISER)
        for feed in FEEDS
    }


def test_every_example_file_loads_and_every_row_is_accounted_for(batches):
    seen = set()
    for batch in batches.values():
        for outcome in batch.outcomes:
            seen.add(outcome.file.relpath)
            assert outcome.status == "loaded", (outcome.file.relpath, outcome.error)
            assert outcome.rows_in == outcome.rows_loaded + outcome.rows_set_aside
        assert batch.set_aside["reason"].null_count() == 0
    assert len(seen) == 10
    # The examples are clean: every row loads.
    assert {feed: b.set_aside.height for feed, b in batches.items()} == dict.fromkeys(FEEDS, 0)
    assert {feed: b.loaded.height for feed, b in batches.items()} == {
        "procedures": 3 + 3 + 2,  # 31321 csv, 31324 xlsx, 930 jsonl
        "dossiers": 2 + 2 + 1,
        "documents": 1 + 1,
        "reports": 1 + 2,
    }


def test_units_registry():
    units = read_units(EXAMPLES)
    columns = ("unit_code", "unit_level", "parent_code", "valid_to", "csv_encoding")
    assert units.select(columns).rows() == [
        ("930", "city", None, None, "utf-8"),
        ("31321", "ward", "930", date(2025, 6, 30), "cp1258"),
        ("31324", "ward", "930", date(2025, 6, 30), "utf-8-sig"),
    ]


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
    [outcome] = [o for o in batches["dossiers"].outcomes if o.file.unit_code == "31321"]
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
