import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import orjson
import polars as pl
import pytest

from pipelines.lib.landing import LandingFile
from pipelines.lib.parsing import ParsedBatch, parse_batch, polars_dtype
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.lib.schema import SET_ASIDE_COLUMNS, feed_table_columns
from tests.unit.test_decoding import cp1258

PSEUDONYMISER = Pseudonymiser(bytes(range(32)))

DOSSIER_HEADER = (
    "Mã hồ sơ,Mã TTHC,Kênh nộp,Chủ hồ sơ,Số giấy tờ,Số điện thoại,Địa chỉ,Ngày tiếp nhận,"
    "Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái,Số lần bổ sung,Phiếu xin lỗi,"
    "Thanh toán trực tuyến,Số hóa,Ngày cập nhật"
)
GOOD_DOSSIER = (
    "P1-001,1.003583,Trực tiếp,Thạch Văn Sang,093085654321,0918654321,"
    '"Khu vực 4, Phường I",05/01/2023 09:40,06/01/2023 17:00,06/01/2023 08:30,'
    "06/01/2023 10:00,Đã trả kết quả,0,Không,,Không,06/01/2023 10:05:00"
)
PERSONAL = ("Thạch Văn Sang", "093085654321", "0918654321", "Khu vực 4")


def deliver(root: Path, relpath: str, data: bytes | str) -> LandingFile:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    unit_code, feed, name = relpath.split("/")
    stem, _, ext = name.rpartition(".")
    return LandingFile(
        path=path,
        relpath=relpath,
        unit_code=unit_code,
        feed=feed,
        export_date=date.fromisoformat(stem[:10]),
        suffix=stem[11:] or None,
        file_format=ext,
    )


def parse(feed: str, *files: LandingFile, encodings=None) -> ParsedBatch:
    batch = parse_batch(feed, list(files), encodings or {}, PSEUDONYMISER)
    check_invariants(feed, batch)
    return batch


def check_invariants(feed: str, batch: ParsedBatch) -> None:
    expected = {n: polars_dtype(t) for n, t in feed_table_columns(feed).items()}
    assert batch.loaded.schema == pl.Schema(expected)
    assert batch.set_aside.schema == pl.Schema(
        {n: polars_dtype(t) for n, t in SET_ASIDE_COLUMNS.items()}
    )
    assert batch.set_aside["reason"].null_count() == 0
    for outcome in batch.outcomes:
        rel = outcome.file.relpath
        aside = batch.set_aside.filter(pl.col("source_file") == rel).height
        assert outcome.rows_set_aside == aside
        if outcome.status == "loaded":
            assert outcome.rows_in == outcome.rows_loaded + outcome.rows_set_aside
            assert batch.loaded.filter(pl.col("source_file") == rel).height == outcome.rows_loaded
        else:
            assert outcome.rows_in is None and outcome.rows_loaded == 0 and aside == 1


def all_text(batch: ParsedBatch) -> str:
    """Every value of both frames, for checking that no personal data got through."""
    return json.dumps(
        [batch.loaded.rows(), batch.set_aside.rows()], default=str, ensure_ascii=False
    )


def reasons(batch: ParsedBatch) -> dict[int | None, str]:
    return dict(batch.set_aside.select("source_row", "reason").iter_rows())


# ------------------------------------------------------------------ book dialect (CSV)


def test_book_csv_dossier_is_typed_and_pseudonymised(tmp_path):
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", f"{DOSSIER_HEADER}\n{GOOD_DOSSIER}\n")
    batch = parse("dossiers", file)
    row = batch.loaded.row(0, named=True)
    assert row == {
        "unit_code": "31321",
        "export_date": date(2023, 1, 6),
        "source_file": "31321/dossiers/2023-01-06.csv",
        "source_row": 2,  # header is row 1
        "dossier_code": "P1-001",
        "procedure_code": "1.003583",
        "channel": 1,
        "applicant_id_hash": PSEUDONYMISER.hash_id("093085654321"),
        "applicant_id_kind": "citizen_id",
        "received_at": datetime(2023, 1, 5, 9, 40),
        "due_at": datetime(2023, 1, 6, 17, 0),
        "finished_at": datetime(2023, 1, 6, 8, 30),
        "returned_at": datetime(2023, 1, 6, 10, 0),
        "status": 10,
        "supplement_count": 0,
        "apology_issued": False,
        "paid_online": None,  # blank: no fee
        "digitized": False,
        "updated_at": datetime(2023, 1, 6, 10, 5),
        "late_reason": None,  # an export from before the column
    }
    [outcome] = batch.outcomes
    assert (outcome.status, outcome.encoding, outcome.rows_in, outcome.error) == (
        "loaded",
        "utf-8",
        1,
        None,
    )
    assert len(outcome.sha256) == 64 and outcome.size_bytes == file.path.stat().st_size
    assert not any(p in all_text(batch) for p in PERSONAL)


def test_dirty_rows_are_set_aside_with_a_reason_naming_the_column(tmp_path):
    rows = [
        DOSSIER_HEADER,
        GOOD_DOSSIER,  # row 2: loads
        GOOD_DOSSIER.replace("P1-001", "P1-003").replace("05/01/2023 09:40", "31/02/2021"),
        GOOD_DOSSIER.replace("P1-001", "P1-004").replace("Đã trả kết quả", "12"),
        GOOD_DOSSIER.replace("P1-001", ""),  # row 5
        "P1-006,1.003583,Trực tiếp,Thạch Văn Sang,093085654321,0918654321,x,y",  # row 6
        GOOD_DOSSIER,  # row 7: exact repeat of row 2
        GOOD_DOSSIER.replace("P1-001", "P1-008").replace("Trực tiếp", "Zalo"),
        "",  # row 9: blank line, not a record
        # row 10: implausible but well-formed (finished before received, in the future): loads
        GOOD_DOSSIER.replace("P1-001", "P1-010").replace("05/01/2023 09:40", "05/01/2031 09:40"),
        GOOD_DOSSIER.replace("P1-001", "P1-011").replace(",0,Không,", ",-,maybe,"),
    ]
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join(rows) + "\n")
    batch = parse("dossiers", file)

    assert batch.loaded["source_row"].to_list() == [2, 10]
    assert batch.loaded["received_at"].to_list()[1] == datetime(2031, 1, 5, 9, 40)
    assert reasons(batch) == {
        3: "Ngày tiếp nhận / received_at: not a date",
        4: "Trạng thái / status: unknown code",
        5: "missing required value dossier_code",
        6: "row has 8 fields, header has 17",
        7: "duplicate of row 2",
        8: "Kênh nộp / channel: unknown value",
        11: "Số lần bổ sung / supplement_count: not a whole number; "
        "Phiếu xin lỗi / apology_issued: not Có/Không (or true/false)",
    }
    [outcome] = batch.outcomes
    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_set_aside) == (9, 2, 7)
    assert outcome.error == "skipped 1 blank row"

    records = dict(batch.set_aside.select("source_row", "record").iter_rows())
    assert records[6] is None  # misaligned dossier row: may hold personal data anywhere
    record = json.loads(records[3])
    assert record["dossier_code"] == "P1-003" and record["received_at"] is None
    assert record["applicant_id_hash"] == PSEUDONYMISER.hash_id("093085654321")
    assert not {"applicant_name", "applicant_phone", "applicant_address"} & set(record)
    assert "applicant_id_number" not in record
    assert not any(p in all_text(batch) for p in PERSONAL)


def test_file_without_a_required_column_sets_every_row_aside(tmp_path):
    header = DOSSIER_HEADER.replace("Mã hồ sơ", "Số hồ sơ")
    file = deliver(
        tmp_path, "31321/dossiers/2023-01-06.csv", f"{header}\n{GOOD_DOSSIER}\n{GOOD_DOSSIER}\n"
    )
    batch = parse("dossiers", file)
    assert batch.loaded.height == 0
    assert set(batch.set_aside["reason"]) == {"file has no column 'Mã hồ sơ' (dossier_code)"}
    [outcome] = batch.outcomes
    assert (outcome.status, outcome.rows_in, outcome.rows_set_aside) == ("loaded", 2, 2)
    assert "ignored unknown column 'Số hồ sơ'" in outcome.error
    assert "file has no column 'Mã hồ sơ' (dossier_code): all rows set aside" in outcome.error
    # The renamed column could hold anything: it is not copied into the record.
    assert "P1-001" not in all_text(batch)


def test_headers_match_ignoring_case_spaces_and_unicode_form(tmp_path):
    columns = [c for c in DOSSIER_HEADER.split(",") if c != "Số hóa"]  # an optional column
    header = ",".join(f"  {unicodedata.normalize('NFD', c.upper())} " for c in columns)
    row = GOOD_DOSSIER.replace(",Không,,Không,", ",Không,,")  # ...and its value dropped
    file = deliver(
        tmp_path, "31321/dossiers/2023-01-06.csv", f"{header},Ghi chú\n{row},gọi lại sau\n"
    )
    batch = parse("dossiers", file)
    assert batch.set_aside.height == 0
    assert batch.loaded["status"].to_list() == [10]
    assert batch.loaded["digitized"].to_list() == [None]
    assert batch.outcomes[0].error == (
        "ignored unknown column 'Ghi chú'; no column 'Số hóa' (digitized): loaded as null"
    )


def test_empty_and_header_only_files_load_nothing(tmp_path):
    empty = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", b"")
    header_only = deliver(tmp_path, "31321/dossiers/2023-01-07.csv", DOSSIER_HEADER + "\r\n")
    empty_jsonl = deliver(tmp_path, "31321/dossiers/2023-01-08.jsonl", b"")
    batch = parse("dossiers", empty, header_only, empty_jsonl)
    assert batch.loaded.height == 0 and batch.set_aside.height == 0
    assert [(o.status, o.rows_in) for o in batch.outcomes] == [("loaded", 0)] * 3


def test_an_xlsx_rejected_for_mixed_cell_types_gets_the_same_reason_every_time(tmp_path):
    # A column holding a duration and a text: fastexcel refuses it, naming the two types
    # as a set whose order changes between calls; the ledger's reason must not.
    from datetime import timedelta

    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã hồ sơ", "Mã TTHC"])
    workbook.active.append([timedelta(hours=3), "1.003583"])
    workbook.active.append(["P1-001", "1.003583"])
    workbook.save(tmp_path / "mixed.xlsx")
    mixed = deliver(
        tmp_path, "31321/dossiers/2023-01-06.xlsx", (tmp_path / "mixed.xlsx").read_bytes()
    )
    reasons = {parse("dossiers", mixed).outcomes[0].error for _ in range(12)}
    assert reasons == {"cannot read XLSX: unsupported column type combination: {Duration, String}"}


def test_unreadable_files_are_rejected_without_stopping_the_batch(tmp_path):
    good = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", f"{DOSSIER_HEADER}\n{GOOD_DOSSIER}\n")
    junk = deliver(tmp_path, "31321/dossiers/2023-01-07.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã hồ sơ"])
    workbook.save(tmp_path / "whole.xlsx")
    truncated_bytes = (tmp_path / "whole.xlsx").read_bytes()
    truncated = deliver(tmp_path, "31321/dossiers/2023-01-08.xlsx", truncated_bytes[:600])
    batch = parse("dossiers", good, junk, truncated)

    assert batch.loaded["source_file"].to_list() == [good.relpath]
    by_file = {o.file.relpath: o for o in batch.outcomes}
    assert by_file[junk.relpath].status == "rejected"
    assert "NUL bytes" in by_file[junk.relpath].error
    assert by_file[truncated.relpath].status == "rejected"
    assert by_file[truncated.relpath].error.startswith("cannot read XLSX")
    assert by_file[truncated.relpath].encoding is None
    rejected = batch.set_aside.filter(pl.col("source_row").is_null())
    assert rejected["source_file"].to_list() == [junk.relpath, truncated.relpath]
    assert rejected["reason"].to_list() == [
        by_file[junk.relpath].error,
        by_file[truncated.relpath].error,
    ]
    assert rejected["record"].to_list() == [None, None]


def test_cp1258_file_declared_utf8_is_decoded_and_noted(tmp_path):
    text = (
        "Mã TTHC,Tên TTHC,Lĩnh vực,Cấp thực hiện,Mức độ DVC,Thời hạn giải quyết,"
        '"Có phí, lệ phí",Số quyết định công bố,Ngày công bố,Loại công bố,Ngày hiệu lực,'
        "Công khai,Trạng thái\r\n"
        "1.003583,Đăng ký khai tử,Hộ tịch,Cấp xã,Toàn trình,1,Không,321/QĐ-UBND,10/08/2022,"
        '"Sửa đổi, bổ sung",15/08/2022,Có,Còn hiệu lực\r\n'
    )
    file = deliver(tmp_path, "31321/procedures/2023-01-03.csv", cp1258(text))
    batch = parse("procedures", file, encodings={"31321": "utf-8"})
    [outcome] = batch.outcomes
    assert outcome.encoding == "cp1258"
    assert outcome.error == "declared utf-8, decoded as cp1258"
    assert batch.loaded.select("procedure_name", "domain").row(0) == ("Đăng ký khai tử", "Hộ tịch")


def test_semicolon_separated_csv_is_read_and_noted(tmp_path):
    text = "Kỳ báo cáo;Mã chỉ tiêu;Phạm vi;Tử số;Mẫu số;Tỷ lệ (%)\n2022;DOC_SENT;Đơn vị;5.816;;\n"
    batch = parse("reports", deliver(tmp_path, "930/reports/2023-01-10.csv", text))
    assert batch.loaded["numerator"].to_list() == [Decimal("5816")]
    assert batch.outcomes[0].error == "fields separated by ';', not ','"


# ------------------------------------------------------------------ values


def test_report_numbers_in_each_dialect(tmp_path):
    csv_text = (
        "Kỳ báo cáo,Mã chỉ tiêu,Phạm vi,Tử số,Mẫu số,Tỷ lệ (%)\n"
        '2022,A,Đơn vị,12.345,12.350,"99,96"\n'  # row 2: 12345 / 12350 / 99.96
        '2022,B,ĐỊA BÀN,"1.234.567,5",,\n'  # row 3: 1234567.5, plain count
        "2022,C,self,7,8,99.96\n"  # row 4: '99.96' is not a Vietnamese number
        "2022,D,area,1,1,1.000.000.000\n"  # row 5: too big for DECIMAL(9,2)
        "2022,E,Toàn tỉnh,1,,\n"  # row 6: unknown scope
    )
    jsonl_text = (
        '{"KyBaoCao": "2022-12", "MaChiTieu": "A", "PhamVi": "self", "TuSo": 57, '
        '"MauSo": 58.0, "TyLe": 98.28}\n'
        '{"KyBaoCao": "2022-12", "MaChiTieu": "B", "PhamVi": "Đơn vị", "TuSo": "99,5"}\n'
    )
    batch = parse(
        "reports",
        deliver(tmp_path, "930/reports/2023-01-10.csv", csv_text),
        deliver(tmp_path, "31324/reports/2023-01-10.jsonl", jsonl_text),
    )
    columns = ("indicator_code", "scope", "numerator", "denominator", "reported_rate")
    loaded = batch.loaded.select(columns)
    assert loaded.rows() == [
        ("A", "self", Decimal("12345"), Decimal("12350"), Decimal("99.96")),
        ("B", "area", Decimal("1234567.5"), None, None),
        ("A", "self", Decimal("57"), Decimal("58"), Decimal("98.28")),
    ]
    assert batch.set_aside.select("source_file", "source_row", "reason").rows() == [
        ("930/reports/2023-01-10.csv", 4, "Tỷ lệ (%) / reported_rate: not a number"),
        ("930/reports/2023-01-10.csv", 5, "Tỷ lệ (%) / reported_rate: does not fit DECIMAL(9,2)"),
        ("930/reports/2023-01-10.csv", 6, "Phạm vi / scope: unknown value"),
        ("31324/reports/2023-01-10.jsonl", 2, "TuSo / numerator: not a number"),
    ]


def test_procedure_coded_values_and_dates(tmp_path):
    header = (
        "Mã TTHC,Tên TTHC,Lĩnh vực,Cấp thực hiện,Mức độ DVC,Thời hạn giải quyết,"
        '"Có phí, lệ phí",Số quyết định công bố,Ngày công bố,Loại công bố,Ngày hiệu lực,'
        "Công khai,Trạng thái"
    )
    rows = [
        '1.1,A,X,Cấp xã,Một phần,7,Có,1/QĐ,10/08/2022,"Sửa đổi, bổ sung",15/08/2022,Có,1',
        "1.2,B,X,cấp  HUYỆN,toàn TRÌNH,,Không,1/QĐ,1/8/2022,Bãi bỏ,01/01/2023,Không,Đã bãi bỏ",
        "1.3,C,X,2,3,10,true,1/QĐ,,02,,0,Còn hiệu lực",
        "1.4,D,X,1,mp,NULL,1,1/QĐ,,1,,1,1",
        "1.5,E,X,Cấp xã,5,ba,Có,1/QĐ,2022-08-10,1,,Có,1",
    ]
    file = deliver(tmp_path, "31321/procedures/2023-01-03.csv", "\n".join([header, *rows]))
    batch = parse("procedures", file)
    columns = (
        "procedure_code",
        "authority_level",
        "service_level",
        "processing_days",
        "has_fee",
        "decision_date",
        "change_type",
        "effective_date",
        "is_published",
        "status",
    )
    assert batch.loaded.select(columns).rows() == [
        ("1.1", 3, "MP", 7, True, date(2022, 8, 10), 2, date(2022, 8, 15), True, 1),
        ("1.2", 2, "TT", None, False, date(2022, 8, 1), 4, date(2023, 1, 1), False, 0),
        ("1.3", 2, "3", 10, True, None, 2, None, False, 1),
        ("1.4", 1, "MP", None, True, None, 1, None, True, 1),
    ]
    assert reasons(batch) == {
        6: "Mức độ DVC / service_level: unknown code; "
        "Thời hạn giải quyết / processing_days: not a whole number; "
        "Ngày công bố / decision_date: not a date"
    }


def test_documents_codes_from_names_or_numbers(tmp_path):
    text = (
        '"Số, ký hiệu",Ngày văn bản,Loại văn bản,Trích yếu,Người ký,Nơi nhận,Hình thức gửi,'
        "Ký số,Độ mật,Ngày cập nhật\n"
        "1/UBND,06/01/2023,Công văn,V/v A,Trần Văn Tâm,Tổ chức, cá nhân,2,Không,Tối mật,"
        "06/01/2023 16:00\n"
    )
    # 'Tổ chức, cá nhân' unquoted splits into two fields: the row is misaligned.
    quoted = text.replace("Tổ chức, cá nhân", '"Tổ chức, cá nhân"')
    batch = parse(
        "documents",
        deliver(tmp_path, "930/documents/2023-01-06.csv", text),
        deliver(tmp_path, "930/documents/2023-01-07.csv", quoted),
    )
    assert batch.loaded.select(
        "document_date", "recipient_kind", "send_method", "digitally_signed", "classification"
    ).rows() == [(date(2023, 1, 6), 2, 2, False, 2)]
    [aside] = batch.set_aside.rows(named=True)
    assert aside["reason"] == "row has 11 fields, header has 10"
    assert orjson.loads(aside["record"])["fields"][4] == "Trần Văn Tâm"  # not a dossier


def test_timestamp_forms_in_book_dialect(tmp_path):
    def with_received(value):
        return GOOD_DOSSIER.replace("05/01/2023 09:40", value)

    rows = [
        with_received("5/1/2023 8:15"),  # single digits
        with_received("05/01/2023").replace("P1-001", "P1-002"),  # date alone: midnight
        with_received("05/01/2023 08:15:30").replace("P1-001", "P1-003"),
        with_received("05/01/2023 25:00").replace("P1-001", "P1-004"),  # no such hour
    ]
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse("dossiers", file)
    assert batch.loaded["received_at"].to_list() == [
        datetime(2023, 1, 5, 8, 15),
        datetime(2023, 1, 5),
        datetime(2023, 1, 5, 8, 15, 30),
    ]
    assert reasons(batch) == {5: "Ngày tiếp nhận / received_at: not a date"}


# ------------------------------------------------------------------ API dialect (JSONL)


def api_dossier(**changes) -> dict:
    record = {
        "MaHoSo": "H62-0001",
        "MaTTHC": "1.009994",
        "KenhThucHien": 2,
        "ChuHoSo": "Danh Thị Hoa",
        "SoGiayToChuHoSo": "093186777888",
        "SoDienThoai": "0987777888",
        "DiaChi": "Phường IV, Vị Thanh",
        "NgayTiepNhan": "20230104100000",
        "NgayHenTra": "20230125170000",
        "NgayKetThucXuLy": None,
        "NgayTra": None,
        "TrangThaiHoSo": 4,
        "SoLanBoSung": 0,
        "PhieuXinLoi": False,
        "ThanhToanTrucTuyen": True,
        "DuocSoHoa": True,
        "NgayCapNhat": "20230106140000",
    }
    record.update(changes)
    return record


def test_api_dialect_dossiers(tmp_path):
    lines = [
        json.dumps(api_dossier(), ensure_ascii=False),  # line 1
        # line 2: a date without time, a channel by name, non-ASCII escaped as \uXXXX
        json.dumps(api_dossier(MaHoSo="H62-2", NgayTiepNhan="20230104", KenhThucHien="Trực tuyến")),
        "",  # line 3: blank
        '{"MaHoSo": "H62-0004", "ChuHoSo": "Danh Thị Hoa", ',  # line 4: cut short
        "[1, 2]",  # line 5: not an object
        json.dumps(api_dossier(MaHoSo="H62-0006", TrangThaiHoSo=12, NgayTra="2023-01-06")),
        json.dumps(api_dossier(MaHoSo="H62-0007", Extra=1, SoLanBoSung=None, DuocSoHoa="null")),
        json.dumps(api_dossier(MaHoSo="H62-0008", KenhThucHien=[2])),
        json.dumps({k: v for k, v in api_dossier(MaHoSo="H62-0009").items() if k != "MaTTHC"}),
    ]
    file = deliver(tmp_path, "930/dossiers/2023-01-06.jsonl", "\n".join(lines) + "\n")
    batch = parse("dossiers", file)

    loaded = batch.loaded.select(
        "source_row",
        "dossier_code",
        "channel",
        "received_at",
        "status",
        "supplement_count",
        "apology_issued",
        "paid_online",
        "digitized",
        "applicant_id_hash",
        "applicant_id_kind",
    )
    hashed = PSEUDONYMISER.hash_id("093186777888")
    assert loaded.rows() == [
        (1, "H62-0001", 2, datetime(2023, 1, 4, 10), 4, 0, False, True, True, hashed, "citizen_id"),
        (2, "H62-2", 2, datetime(2023, 1, 4), 4, 0, False, True, True, hashed, "citizen_id"),
        (7, "H62-0007", 2, datetime(2023, 1, 4, 10), 4, 0, False, True, None, hashed, "citizen_id"),
    ]
    assert reasons(batch) == {
        4: "line is not valid JSON",
        5: "line is not a JSON object",
        6: "NgayTra / returned_at: not a date; TrangThaiHoSo / status: unknown code",
        8: "KenhThucHien / channel: expected a single value, not an array",
        9: "missing required value procedure_code",
    }
    records = dict(batch.set_aside.select("source_row", "record").iter_rows())
    assert records[4] is None and records[5] is None  # dossier lines that could not be read
    assert orjson.loads(records[6])["applicant_id_hash"] == hashed
    [outcome] = batch.outcomes
    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_set_aside) == (8, 3, 5)
    assert outcome.error == "skipped 1 blank line; ignored unknown key 'Extra'"
    assert not any(p in all_text(batch) for p in ("Danh Thị Hoa", "093186777888", "0987777888"))


def test_api_documents_and_procedures(tmp_path):
    document = {
        "SoKyHieu": "3/UBND", "NgayVanBan": "20230106000000", "LoaiVanBan": "Báo cáo",
        "TrichYeu": "Báo cáo tuần", "NguoiKy": "Lâm Văn Phước", "LoaiNoiNhan": 1,
        "HinhThucGui": 3, "KySo": True, "DoMat": 0, "NgayCapNhat": "20230106160000",
    }  # fmt: skip
    batch = parse(
        "documents", deliver(tmp_path, "31321/documents/2023-01-06.jsonl", json.dumps(document))
    )
    assert batch.loaded.select(
        "document_date", "send_method", "digitally_signed", "classification", "updated_at"
    ).rows() == [(date(2023, 1, 6), 3, True, 0, datetime(2023, 1, 6, 16))]

    procedure = {
        "MaTTHC": "2.000488", "CapThucHien": 2, "MucDo": "TT", "ThoiHanGiaiQuyet": 10,
        "CoPhiLePhi": False, "NgayCongBo": "20220301", "LoaiCongBo": 4, "TrangThai": 0,
    }  # fmt: skip
    batch = parse(
        "procedures", deliver(tmp_path, "930/procedures/2023-01-03.jsonl", json.dumps(procedure))
    )
    assert batch.loaded.select(
        "authority_level", "service_level", "processing_days", "has_fee", "decision_date",
        "change_type", "status", "procedure_name",
    ).rows() == [(2, "TT", 10, False, date(2022, 3, 1), 4, 0, None)]  # fmt: skip


# ------------------------------------------------------------------ XLSX


def test_xlsx_native_cells_read_as_the_book_would_write_them(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Kỳ báo cáo", "Mã chỉ tiêu", "Phạm vi", "Tử số", "Mẫu số", "Tỷ lệ (%)"])
    sheet.append([2022, "A", "Đơn vị", 12345, 12350.0, 99.96])  # native numbers
    sheet.append(["2022-Q4", "B", "Địa bàn", "12.345", None, None])  # book-style text
    sheet.append([None] * 6)  # blank row: skipped
    sheet.append(["2022-Q4", "C", "Địa bàn", 1, 0.1 + 0.2, None])  # binary noise dropped
    workbook.save(tmp_path / "r.xlsx")
    file = deliver(tmp_path, "31324/reports/2023-01-10.xlsx", (tmp_path / "r.xlsx").read_bytes())
    batch = parse("reports", file)
    assert batch.loaded.select(
        "source_row", "period", "numerator", "denominator", "reported_rate"
    ).rows() == [
        (2, "2022", Decimal("12345"), Decimal("12350"), Decimal("99.96")),
        (3, "2022-Q4", Decimal("12345"), None, None),
        (5, "2022-Q4", Decimal("1"), Decimal("0.30"), None),
    ]
    assert batch.outcomes[0].encoding is None
    assert batch.outcomes[0].error == "skipped 1 blank row"


def test_xlsx_dates_booleans_and_stray_values(tmp_path):
    header = DOSSIER_HEADER.split(",")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    values = GOOD_DOSSIER.replace('"Khu vực 4, Phường I"', "Khu vực 4").split(",")
    values = [v or None for v in values]
    values[7] = datetime(2023, 1, 5, 9, 40)  # received_at as a real Excel date
    values[12] = 2  # supplement_count as a number
    values[13] = True  # apology_issued as an Excel boolean
    sheet.append(values)
    sheet.append([*values, "note in a column with no header"])
    workbook.save(tmp_path / "d.xlsx")
    file = deliver(tmp_path, "31324/dossiers/2023-01-06.xlsx", (tmp_path / "d.xlsx").read_bytes())
    batch = parse("dossiers", file)
    assert batch.loaded.select(
        "received_at", "supplement_count", "apology_issued", "updated_at"
    ).rows() == [(datetime(2023, 1, 5, 9, 40), 2, True, datetime(2023, 1, 6, 10, 5))]
    assert reasons(batch) == {3: "row has a value in column 18, which has no header"}
    assert batch.set_aside["record"].to_list() == [None]
    assert not any(p in all_text(batch) for p in PERSONAL)


# ------------------------------------------------------------------ batch plumbing


def test_empty_batch_has_the_raw_schema():
    for feed in ("procedures", "dossiers", "documents", "reports"):
        batch = parse(feed)
        assert batch.loaded.height == 0 and batch.set_aside.height == 0 and not batch.outcomes


def test_batch_rejects_files_of_another_feed(tmp_path):
    file = deliver(tmp_path, "930/reports/2023-01-10.csv", b"")
    with pytest.raises(ValueError, match="another feed"):
        parse_batch("dossiers", [file], {}, PSEUDONYMISER)


def test_a_large_batch_is_typed_in_one_pass(tmp_path):
    # 20,000 rows over 80 files: a per-row Python typing path would take far longer.
    import time

    files = []
    for day in range(1, 41):
        rows = [GOOD_DOSSIER.replace("P1-001", f"P{day}-{i}") for i in range(250)]
        text = "\n".join([DOSSIER_HEADER, *rows])
        name = f"2023-01-{day % 28 + 1:02d}_{day}"
        files.append(deliver(tmp_path, f"31321/dossiers/{name}.csv", text))
        lines = [json.dumps(api_dossier(MaHoSo=f"H{day}-{i}")) for i in range(250)]
        files.append(deliver(tmp_path, f"930/dossiers/{name}.jsonl", "\n".join(lines)))
    start = time.perf_counter()
    batch = parse("dossiers", *files)
    assert batch.loaded.height == 20_000 and batch.set_aside.height == 0
    assert time.perf_counter() - start < 15


def test_text_comes_out_nfc_from_every_format(tmp_path):
    nfd = unicodedata.normalize("NFD", "Đăng ký khai tử")
    assert nfd != "Đăng ký khai tử"
    # JSON can spell decomposed text with \u escapes even in a UTF-8 file.
    line = json.dumps({"MaTTHC": "1.1", "TenTTHC": nfd, "MucDo": "TT", "TrangThai": 1})
    assert "\\u0300" in line or "\\u0301" in line
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã TTHC", "Tên TTHC", "Mức độ DVC", "Trạng thái"])
    workbook.active.append(["1.2", nfd, unicodedata.normalize("NFD", "Toàn trình"), 1])
    workbook.save(tmp_path / "p.xlsx")
    csv_text = f"Mã TTHC,Tên TTHC,Mức độ DVC,Trạng thái\n1.3,{nfd},Toàn trình,1\n"
    batch = parse(
        "procedures",
        deliver(tmp_path, "930/procedures/2023-01-03.jsonl", line),
        deliver(tmp_path, "930/procedures/2023-01-04.xlsx", (tmp_path / "p.xlsx").read_bytes()),
        deliver(tmp_path, "930/procedures/2023-01-05.csv", csv_text.encode("utf-8")),
    )
    assert batch.loaded.select("procedure_code", "procedure_name", "service_level").rows() == [
        ("1.1", "Đăng ký khai tử", "TT"),
        ("1.2", "Đăng ký khai tử", "TT"),
        ("1.3", "Đăng ký khai tử", "TT"),
    ]


def test_semicolon_csv_whose_headers_contain_commas_loads(tmp_path):
    # Excel in a Vietnamese locale separates fields with ';' and the documents header
    # "Số, ký hiệu" holds a comma: the separator must be chosen by the headers it yields.
    import datetime as dt

    from pipelines.lib.landing import LandingFile
    from pipelines.lib.parsing import parse_batch
    from pipelines.lib.pseudonymise import Pseudonymiser

    path = tmp_path / "900" / "documents" / "2022-01-06.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "Số, ký hiệu;Ngày văn bản;Loại văn bản;Trích yếu;Người ký;Nơi nhận;Hình thức gửi;"
        "Ký số;Độ mật;Ngày cập nhật\n"
        "1/UBND-VP;06/01/2022;Công văn;Về việc A;Trần Văn Tâm;Cơ quan nhà nước;Điện tử;Có;"
        "Thường;06/01/2022 16:00:00\n",
        encoding="utf-8",
    )
    file = LandingFile(
        path=path,
        relpath="900/documents/2022-01-06.csv",
        unit_code="900",
        feed="documents",
        export_date=dt.date(2022, 1, 6),
        suffix=None,
        file_format="csv",
    )
    batch = parse_batch("documents", [file], {}, Pseudonymiser(b"k" * 32))
    assert batch.set_aside.height == 0
    assert batch.loaded["document_number"].to_list() == ["1/UBND-VP"]
    assert batch.loaded["send_method"].to_list() == [1]
    assert "';'" in (batch.outcomes[0].error or "")
