"""The `staff` feed (issue 13) and the dossiers' optional `late_reason` column, in both
dialects and every format: what the contract's tables say, read from the header table."""

import json
import unicodedata

import openpyxl
import polars as pl
import pytest

from pipelines.lib import headers as h
from pipelines.lib.parsing import parse_batch
from pipelines.lib.schema import FEED_COLUMNS, FEEDS, REQUIRED_COLUMNS, feed_table_columns
from tests.unit.test_decoding import cp1258
from tests.unit.test_parsing import (
    DOSSIER_HEADER,
    GOOD_DOSSIER,
    PSEUDONYMISER,
    all_text,
    deliver,
    parse,
    reasons,
)

STAFF_HEADER = [
    "Mã cán bộ",
    "Họ và tên",
    "Chức vụ",
    "Lãnh đạo",
    "Hộp thư công vụ",
    "Chữ ký số",
    "Trạng thái",
]
STAFF_KEYS = ["MaCanBo", "HoTen", "ChucVu", "LaLanhDao", "HopThuCongVu", "ChuKySo", "TrangThai"]
POSITIONS = ("Chủ tịch UBND phường", "Công chức Tư pháp - Hộ tịch", "Công chức Văn phòng")
# One staff list three ways: the book dialect's words, the API's booleans and codes.
STAFF_BOOK = [
    ["CB-01", "Trương Thị Ngọc Hân", POSITIONS[0], "Có", "Có", "Có", "Đang công tác"],
    ["CB-02", "Sơn Văn Khánh", POSITIONS[1], "Không", "Có", "Không", "Đang công tác"],
    ["CB-03", "Huỳnh Minh Luân", POSITIONS[2], "Không", "Không", "Không", "Đã nghỉ"],
]
STAFF_API = [
    ["CB-01", "Trương Thị Ngọc Hân", POSITIONS[0], True, True, True, 1],
    ["CB-02", "Sơn Văn Khánh", POSITIONS[1], False, True, False, 1],
    ["CB-03", "Huỳnh Minh Luân", POSITIONS[2], False, False, False, 0],
]
NAMES = ("Trương Thị Ngọc Hân", "Sơn Văn Khánh", "Huỳnh Minh Luân", "Ngọc Hân", "Khánh", "Luân")
EXPECTED = [
    # staff_code, position, is_leader, has_official_email, has_signing_certificate, status
    ("CB-01", POSITIONS[0], True, True, True, 1),
    ("CB-02", POSITIONS[1], False, True, False, 1),
    ("CB-03", POSITIONS[2], False, False, False, 0),
]
STAFF_COLUMNS = [
    "staff_code",
    "position",
    "is_leader",
    "has_official_email",
    "has_signing_certificate",
    "status",
]


def _csv(header: list[str], rows: list[list]) -> str:
    def field(value) -> str:
        text = "" if value is None else str(value)
        return f'"{text}"' if "," in text else text

    return "\r\n".join(",".join(map(field, line)) for line in [header, *rows]) + "\r\n"


def _jsonl(rows: list[list], keys: list[str] = STAFF_KEYS) -> str:
    return "".join(
        json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False) + "\n" for row in rows
    )


def _no_names(batch) -> None:
    text = all_text(batch)
    for name in NAMES:
        for form in ("NFC", "NFD"):
            assert unicodedata.normalize(form, name) not in text, name


# ------------------------------------------------------------------ the header table


def test_staff_is_a_feed_with_the_agreed_raw_columns():
    assert "staff" in FEEDS
    assert feed_table_columns("staff") == {
        "unit_code": "VARCHAR",
        "export_date": "DATE",
        "source_file": "VARCHAR",
        "source_row": "INTEGER",
        "staff_code": "VARCHAR",
        "position": "VARCHAR",
        "is_leader": "BOOLEAN",
        "has_official_email": "BOOLEAN",
        "has_signing_certificate": "BOOLEAN",
        "status": "SMALLINT",
    }
    assert REQUIRED_COLUMNS["staff"] == ("staff_code", "status")
    # As the contract's table spells them: book header and API key per column.
    assert [(c.header, c.key) for c in h.FEED_HEADERS["staff"]] == list(
        zip(STAFF_HEADER, STAFF_KEYS, strict=True)
    )
    assert "staff_name" in h.PERSONAL_COLUMNS
    assert "staff_name" not in FEED_COLUMNS["staff"]
    assert h.allowed_values("staff", "status") == [0, 1]
    assert h.coded_lookup(h.STAFF_STATUS)[h.match_header("ĐANG CÔNG TÁC")] == 1
    assert h.coded_lookup(h.STAFF_STATUS)[h.match_header("Đã nghỉ")] == 0


def test_late_reason_is_an_optional_dossier_column():
    [column] = [c for c in h.FEED_HEADERS["dossiers"] if c.name == "late_reason"]
    assert (column.header, column.key) == ("Lý do trễ hạn", "LyDoTreHan")
    assert FEED_COLUMNS["dossiers"]["late_reason"] == "VARCHAR"
    assert "late_reason" not in REQUIRED_COLUMNS["dossiers"]
    assert "late_reason" in h.OPTIONAL_COLUMNS["dossiers"]


# ------------------------------------------------------------------ staff: three formats


def test_staff_csv_xlsx_and_jsonl_load_the_same_rows(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(STAFF_HEADER)
    for row in STAFF_BOOK:
        workbook.active.append(row)
    workbook.save(tmp_path / "staff.xlsx")
    files = [
        deliver(tmp_path, "31321/staff/2023-01-02.csv", _csv(STAFF_HEADER, STAFF_BOOK)),
        deliver(tmp_path, "31324/staff/2023-01-02.xlsx", (tmp_path / "staff.xlsx").read_bytes()),
        deliver(tmp_path, "930/staff/2023-01-02.jsonl", _jsonl(STAFF_API)),
    ]
    batch = parse("staff", *files)
    assert batch.set_aside.height == 0
    assert [(o.status, o.rows_in, o.error) for o in batch.outcomes] == [("loaded", 3, None)] * 3
    for unit in ("31321", "31324", "930"):
        rows = batch.loaded.filter(pl.col("unit_code") == unit).sort("source_row")
        assert rows.select(STAFF_COLUMNS).rows() == EXPECTED, unit
    assert batch.loaded.filter(pl.col("unit_code") == "930")["source_row"].to_list() == [1, 2, 3]
    assert batch.loaded.filter(pl.col("unit_code") == "31321")["source_row"].to_list() == [2, 3, 4]
    _no_names(batch)


def test_staff_headers_match_in_any_case_and_unicode_form(tmp_path):
    header = [f" {unicodedata.normalize('NFD', text).upper()}  " for text in STAFF_HEADER]
    rows = [[unicodedata.normalize("NFD", v) for v in row] for row in STAFF_BOOK]
    batch = parse("staff", deliver(tmp_path, "31321/staff/2023-01-02.csv", _csv(header, rows)))
    assert batch.set_aside.height == 0
    assert batch.loaded.select(STAFF_COLUMNS).rows() == EXPECTED
    for text in batch.loaded["position"]:
        assert unicodedata.is_normalized("NFC", text)


def test_cp1258_staff_csv_comes_out_nfc(tmp_path):
    data = cp1258(_csv(STAFF_HEADER, STAFF_BOOK))
    file = deliver(tmp_path, "31321/staff/2023-01-02.csv", data)
    batch = parse("staff", file, encodings={"31321": "cp1258"})
    assert batch.outcomes[0].encoding == "cp1258"
    assert batch.loaded.select(STAFF_COLUMNS).rows() == EXPECTED
    _no_names(batch)


def test_api_keys_in_a_csv_and_api_codes_in_book_cells(tmp_path):
    rows = [["CB-01", "Trương Thị Ngọc Hân", "Chủ tịch", "true", "1", "false", "1"]]
    batch = parse("staff", deliver(tmp_path, "31321/staff/2023-01-02.csv", _csv(STAFF_KEYS, rows)))
    assert batch.loaded.select(STAFF_COLUMNS).rows() == [
        ("CB-01", "Chủ tịch", True, True, False, 1)
    ]


def test_a_staff_file_is_not_taken_for_a_procedures_file(tmp_path):
    """Both feeds have 'Trạng thái' / TrangThai: a staff list in the procedures folder (or a
    catalogue in the staff folder) is another feed's file, rejected whole."""
    staff = deliver(tmp_path, "31321/procedures/2023-01-03.csv", _csv(STAFF_HEADER, STAFF_BOOK))
    batch = parse_batch("procedures", [staff], {}, PSEUDONYMISER)
    [outcome] = batch.outcomes
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("rejected", 3, 0)
    assert outcome.error == "the header is that of the staff feed, not procedures"
    _no_names(batch)
    catalogue = "Mã TTHC,Tên TTHC,Mức độ DVC,Trạng thái\n1.003583,Đăng ký khai tử,TT,1\n"
    file = deliver(tmp_path, "31321/staff/2023-01-03.csv", catalogue)
    [outcome] = parse_batch("staff", [file], {}, PSEUDONYMISER).outcomes
    assert (outcome.status, outcome.error) == (
        "rejected",
        "the header is that of the procedures feed, not staff",
    )


# ------------------------------------------------------------------ staff: bad rows


def test_bad_status_and_bad_booleans_are_set_aside_naming_the_column(tmp_path):
    book = [
        STAFF_BOOK[0],
        ["CB-02", "Sơn Văn Khánh", "Công chức", "Không", "Có", "Không", "Nghỉ hưu"],
        ["CB-03", "Huỳnh Minh Luân", "Công chức", "Phó", "Có", "Không", "Đang công tác"],
        ["CB-04", "Lâm Thị Tuyết", "Công chức", "Không", "Có", "Không", "7"],
        ["", "Lâm Văn Bảy", "Công chức", "Không", "Có", "Không", "Đang công tác"],
        ["CB-06", "Lâm Văn Tám", "Công chức", "Không", "Có", "Không", ""],
    ]
    api = [
        STAFF_API[0],
        ["CB-02", "Sơn Văn Khánh", "Công chức", False, True, False, 9],
        ["CB-03", "Huỳnh Minh Luân", "Công chức", "maybe", True, False, 1],
    ]
    files = [
        deliver(tmp_path, "31321/staff/2023-01-02.csv", _csv(STAFF_HEADER, book)),
        deliver(tmp_path, "930/staff/2023-01-02.jsonl", _jsonl(api)),
    ]
    batch = parse("staff", *files)
    assert batch.loaded["staff_code"].to_list() == ["CB-01", "CB-01"]
    aside = batch.set_aside.sort("source_file", "source_row")
    assert aside.select("source_file", "source_row", "reason").rows() == [
        ("31321/staff/2023-01-02.csv", 3, "Trạng thái / status: unknown value"),
        ("31321/staff/2023-01-02.csv", 4, "Lãnh đạo / is_leader: not Có/Không (or true/false)"),
        ("31321/staff/2023-01-02.csv", 5, "Trạng thái / status: unknown code"),
        ("31321/staff/2023-01-02.csv", 6, "missing required value staff_code"),
        ("31321/staff/2023-01-02.csv", 7, "missing required value status"),
        ("930/staff/2023-01-02.jsonl", 2, "TrangThai / status: unknown code"),
        ("930/staff/2023-01-02.jsonl", 3, "LaLanhDao / is_leader: not Có/Không (or true/false)"),
    ]
    # Neither reasons nor records quote a value that did not type, nor keep a name.
    text = all_text(batch)
    for value in ("Nghỉ hưu", "Phó", "maybe", "Lâm Thị Tuyết", "Lâm Văn Bảy", "Tám"):
        assert value not in text
    records = [json.loads(r) for r in aside["record"]]
    assert records[0]["status"] is None and records[0]["staff_code"] == "CB-02"
    assert all("staff_name" not in r for r in records)
    _no_names(batch)


def test_duplicate_staff_rows_are_set_aside_without_the_name(tmp_path):
    book = [STAFF_BOOK[0], STAFF_BOOK[1], STAFF_BOOK[0]]
    batch = parse(
        "staff", deliver(tmp_path, "31321/staff/2023-01-02.csv", _csv(STAFF_HEADER, book))
    )
    assert reasons(batch) == {4: "duplicate of row 2"}
    _no_names(batch)


def test_rows_that_do_not_fit_the_header_keep_no_staff_name(tmp_path):
    """A row whose fields cannot be tied to columns may have the name in any field, as a
    dossier row may have an applicant's: its record keeps nothing."""
    csv_text = _csv(STAFF_HEADER, STAFF_BOOK[:1]) + "CB-02,Sơn Văn Khánh,Công chức,Không\r\n"
    jsonl_text = _jsonl(STAFF_API[:1]) + '{"MaCanBo": "CB-03", "HoTen": "Huỳnh Minh Luân",\n'
    batch = parse(
        "staff",
        deliver(tmp_path, "31321/staff/2023-01-02.csv", csv_text),
        deliver(tmp_path, "930/staff/2023-01-02.jsonl", jsonl_text),
    )
    assert batch.set_aside.select("source_row", "reason", "record").rows() == [
        (3, "row has 4 fields, header has 7", None),
        (2, "line is not valid JSON", None),
    ]
    _no_names(batch)


# ------------------------------------------------------------------ dossiers: late_reason

LATE = "Lỗi đường truyền mạng khi chuyển hồ sơ"


def test_dossier_csv_with_and_without_late_reason(tmp_path):
    late = GOOD_DOSSIER.replace(",Không,,Không,", ",Có,,Không,")  # apology issued
    with_column = f"{DOSSIER_HEADER},Lý do trễ hạn\n{late},{LATE}\n"
    blank = GOOD_DOSSIER.replace("P1-001", "P1-002") + ","
    with_column += blank + "\n"  # the column there, the cell empty
    batch = parse(
        "dossiers",
        deliver(tmp_path, "31321/dossiers/2023-01-06.csv", f"{DOSSIER_HEADER}\n{GOOD_DOSSIER}\n"),
        deliver(tmp_path, "31321/dossiers/2023-01-07.csv", with_column),
    )
    assert batch.set_aside.height == 0
    assert batch.loaded.select("source_file", "dossier_code", "late_reason").rows() == [
        ("31321/dossiers/2023-01-06.csv", "P1-001", None),
        ("31321/dossiers/2023-01-07.csv", "P1-001", LATE),
        ("31321/dossiers/2023-01-07.csv", "P1-002", None),
    ]


def test_an_older_export_without_late_reason_loads_unchanged(tmp_path):
    """Older exports lack the column: that is no news to an operator, so no note."""
    batch = parse(
        "dossiers",
        deliver(tmp_path, "31321/dossiers/2023-01-06.csv", f"{DOSSIER_HEADER}\n{GOOD_DOSSIER}\n"),
    )
    assert (batch.outcomes[0].status, batch.outcomes[0].error) == ("loaded", None)
    assert batch.loaded["late_reason"].to_list() == [None]


def test_dossier_jsonl_with_and_without_late_reason(tmp_path):
    record = {
        "MaHoSo": "000.00.12.H62-230104-0001",
        "MaTTHC": "1.009994",
        "KenhThucHien": 2,
        "ChuHoSo": "Danh Thị Hoa",
        "SoGiayToChuHoSo": "093186777888",
        "TrangThaiHoSo": 10,
        "PhieuXinLoi": True,
        "NgayCapNhat": "20230106140000",
    }
    older = json.dumps(record, ensure_ascii=False)
    newer = json.dumps({**record, "LyDoTreHan": LATE, "NgayCapNhat": "20230107140000"})
    blank = json.dumps({**record, "LyDoTreHan": None, "NgayCapNhat": "20230108140000"})
    batch = parse(
        "dossiers",
        deliver(tmp_path, "930/dossiers/2023-01-06.jsonl", older + "\n"),
        deliver(tmp_path, "930/dossiers/2023-01-08.jsonl", f"{newer}\n{blank}\n"),
    )
    assert batch.set_aside.height == 0
    assert [o.error for o in batch.outcomes] == [None, None]
    assert batch.loaded.sort("updated_at")["late_reason"].to_list() == [None, LATE, None]
    assert "Danh Thị Hoa" not in all_text(batch)


def test_late_reason_from_cp1258_comes_out_nfc(tmp_path):
    text = f"{DOSSIER_HEADER},Lý do trễ hạn\n{GOOD_DOSSIER},{LATE}\n"
    data = cp1258(text)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == text  # decodes decomposed
    assert data.decode("cp1258") != text
    batch = parse(
        "dossiers",
        deliver(tmp_path, "31321/dossiers/2023-01-06.csv", data),
        encodings={"31321": "cp1258"},
    )
    [late_reason] = batch.loaded["late_reason"].to_list()
    assert late_reason == LATE and unicodedata.is_normalized("NFC", late_reason)


def test_late_reason_in_xlsx(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append([*DOSSIER_HEADER.split(","), "Lý do trễ hạn"])
    values = GOOD_DOSSIER.replace('"Khu vực 4, Phường I"', "Khu vực 4").split(",")
    workbook.active.append([*(v or None for v in values), unicodedata.normalize("NFD", LATE)])
    workbook.save(tmp_path / "d.xlsx")
    file = deliver(tmp_path, "31324/dossiers/2023-01-06.xlsx", (tmp_path / "d.xlsx").read_bytes())
    batch = parse("dossiers", file)
    assert batch.loaded["late_reason"].to_list() == [LATE]


@pytest.mark.parametrize("feed", ["staff", "dossiers"])
def test_personal_columns_never_reach_raw(feed):
    personal = {c.name for c in h.FEED_HEADERS[feed]} & set(h.PERSONAL_COLUMNS)
    assert personal  # each of these feeds delivers some
    assert not personal & set(FEED_COLUMNS[feed])
