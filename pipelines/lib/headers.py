"""The one table of header mappings and coded values for the two dialects of the contract.

Book dialect (CSV/XLSX from the desk's tracking books): Vietnamese headers, Vietnamese names
for coded values. API dialect (JSONL from the sync API): API keys and numeric codes. Both map
to the canonical names of `schema.FEED_COLUMNS` and store coded values as the numeric code.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple


class FeedColumn(NamedTuple):
    name: str  # canonical name
    header: str  # Vietnamese CSV/XLSX header
    key: str  # JSONL key


FEED_HEADERS: dict[str, tuple[FeedColumn, ...]] = {
    "procedures": (
        FeedColumn("procedure_code", "Mã TTHC", "MaTTHC"),
        FeedColumn("procedure_name", "Tên TTHC", "TenTTHC"),
        FeedColumn("domain", "Lĩnh vực", "LinhVuc"),
        FeedColumn("authority_level", "Cấp thực hiện", "CapThucHien"),
        FeedColumn("service_level", "Mức độ DVC", "MucDo"),
        FeedColumn("processing_days", "Thời hạn giải quyết", "ThoiHanGiaiQuyet"),
        FeedColumn("has_fee", "Có phí, lệ phí", "CoPhiLePhi"),
        FeedColumn("decision_no", "Số quyết định công bố", "SoQuyetDinh"),
        FeedColumn("decision_date", "Ngày công bố", "NgayCongBo"),
        FeedColumn("change_type", "Loại công bố", "LoaiCongBo"),
        FeedColumn("effective_date", "Ngày hiệu lực", "NgayHieuLuc"),
        FeedColumn("is_published", "Công khai", "CongKhai"),
        FeedColumn("status", "Trạng thái", "TrangThai"),
    ),
    "dossiers": (
        FeedColumn("dossier_code", "Mã hồ sơ", "MaHoSo"),
        FeedColumn("procedure_code", "Mã TTHC", "MaTTHC"),
        FeedColumn("channel", "Kênh nộp", "KenhThucHien"),
        FeedColumn("applicant_name", "Chủ hồ sơ", "ChuHoSo"),
        FeedColumn("applicant_id_number", "Số giấy tờ", "SoGiayToChuHoSo"),
        FeedColumn("applicant_phone", "Số điện thoại", "SoDienThoai"),
        FeedColumn("applicant_address", "Địa chỉ", "DiaChi"),
        FeedColumn("received_at", "Ngày tiếp nhận", "NgayTiepNhan"),
        FeedColumn("due_at", "Ngày hẹn trả", "NgayHenTra"),
        FeedColumn("finished_at", "Ngày có kết quả", "NgayKetThucXuLy"),
        FeedColumn("returned_at", "Ngày trả kết quả", "NgayTra"),
        FeedColumn("status", "Trạng thái", "TrangThaiHoSo"),
        FeedColumn("supplement_count", "Số lần bổ sung", "SoLanBoSung"),
        FeedColumn("apology_issued", "Phiếu xin lỗi", "PhieuXinLoi"),
        FeedColumn("paid_online", "Thanh toán trực tuyến", "ThanhToanTrucTuyen"),
        FeedColumn("digitized", "Số hóa", "DuocSoHoa"),
        FeedColumn("updated_at", "Ngày cập nhật", "NgayCapNhat"),
        FeedColumn("late_reason", "Lý do trễ hạn", "LyDoTreHan"),  # optional: see below
    ),
    "documents": (
        FeedColumn("document_number", "Số, ký hiệu", "SoKyHieu"),
        FeedColumn("document_date", "Ngày văn bản", "NgayVanBan"),
        FeedColumn("document_type", "Loại văn bản", "LoaiVanBan"),
        FeedColumn("summary", "Trích yếu", "TrichYeu"),
        FeedColumn("signer", "Người ký", "NguoiKy"),
        FeedColumn("recipient_kind", "Nơi nhận", "LoaiNoiNhan"),
        FeedColumn("send_method", "Hình thức gửi", "HinhThucGui"),
        FeedColumn("digitally_signed", "Ký số", "KySo"),
        FeedColumn("classification", "Độ mật", "DoMat"),
        FeedColumn("updated_at", "Ngày cập nhật", "NgayCapNhat"),
    ),
    "reports": (
        FeedColumn("period", "Kỳ báo cáo", "KyBaoCao"),
        FeedColumn("indicator_code", "Mã chỉ tiêu", "MaChiTieu"),
        FeedColumn("scope", "Phạm vi", "PhamVi"),
        FeedColumn("numerator", "Tử số", "TuSo"),
        FeedColumn("denominator", "Mẫu số", "MauSo"),
        FeedColumn("reported_rate", "Tỷ lệ (%)", "TyLe"),
    ),
    "staff": (
        FeedColumn("staff_code", "Mã cán bộ", "MaCanBo"),
        FeedColumn("staff_name", "Họ và tên", "HoTen"),
        FeedColumn("position", "Chức vụ", "ChucVu"),
        FeedColumn("is_leader", "Lãnh đạo", "LaLanhDao"),
        FeedColumn("has_official_email", "Hộp thư công vụ", "HopThuCongVu"),
        FeedColumn("has_signing_certificate", "Chữ ký số", "ChuKySo"),
        FeedColumn("status", "Trạng thái", "TrangThai"),
    ),
}

# Columns the contract itself calls optional because older exports lack them: a file
# without one is an ordinary export of its time, so the parser loads the column as null
# without a note. (Any other column not in schema.REQUIRED_COLUMNS also loads as null when
# absent, but its absence is noted for the operator: the unit's export may be broken.)
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "dossiers": frozenset({"late_reason"}),
}

# Personal data: never stored, in raw or in a set-aside record. In the dossier log the ID
# number is replaced by a keyed hash and its kind; name, phone and address are dropped. In
# the staff list the official's name is dropped (no figure needs it; staff_code is the key).
PERSONAL_COLUMNS = ("applicant_name", "applicant_phone", "applicant_address", "staff_name")
ID_NUMBER_COLUMN = "applicant_id_number"


def carries_personal_data(feed: str) -> bool:
    """Whether the feed's rows deliver personal data: a row that cannot be tied to its
    header may then hold it in any field, so nothing of such a row is kept."""
    names = {column.name for column in FEED_HEADERS[feed]}
    return bool(names & {*PERSONAL_COLUMNS, ID_NUMBER_COLUMN})


# Coded values: Vietnamese name -> numeric code. The code itself is accepted too.
CHANNEL = {"Trực tiếp": 1, "Trực tuyến": 2, "Bưu chính công ích": 3}
DOSSIER_STATUS = {
    "Mới đăng ký": 1,
    "Được tiếp nhận": 2,
    "Không được tiếp nhận": 3,
    "Đang xử lý": 4,
    "Yêu cầu bổ sung giấy tờ": 5,
    "Yêu cầu thực hiện nghĩa vụ tài chính": 6,
    "Công dân yêu cầu rút hồ sơ": 7,
    "Dừng xử lý": 8,
    "Đã xử lý xong": 9,
    "Đã trả kết quả": 10,
}
PROCEDURE_STATUS = {"Còn hiệu lực": 1, "Đã bãi bỏ": 0}
STAFF_STATUS = {"Đang công tác": 1, "Đã nghỉ": 0}
AUTHORITY_LEVEL = {"Cấp tỉnh": 1, "Cấp huyện": 2, "Cấp xã": 3}
CHANGE_TYPE = {"Ban hành mới": 1, "Sửa đổi, bổ sung": 2, "Thay thế": 3, "Bãi bỏ": 4}
RECIPIENT_KIND = {"Cơ quan nhà nước": 1, "Tổ chức, cá nhân": 2}
SEND_METHOD = {"Điện tử": 1, "Giấy": 2, "Điện tử và giấy": 3}
CLASSIFICATION = {"Thường": 0, "Mật": 1, "Tối mật": 2, "Tuyệt mật": 3}

# Text-coded values: every accepted spelling -> the stored value.
SERVICE_LEVEL = {
    **{level: level for level in ("1", "2", "3", "4", "MP", "TT")},
    "Một phần": "MP",
    "Toàn trình": "TT",
}
SCOPE = {"Đơn vị": "self", "Địa bàn": "area", "self": "self", "area": "area"}
BOOLEAN = {"Có": True, "Không": False, "true": True, "false": False, "1": True, "0": False}

# Which map types which column; columns not listed here are typed by their DuckDB type.
CODED_COLUMNS: dict[str, dict[str, dict[str, int]]] = {
    "procedures": {
        "authority_level": AUTHORITY_LEVEL,
        "change_type": CHANGE_TYPE,
        "status": PROCEDURE_STATUS,
    },
    "dossiers": {"channel": CHANNEL, "status": DOSSIER_STATUS},
    "documents": {
        "recipient_kind": RECIPIENT_KIND,
        "send_method": SEND_METHOD,
        "classification": CLASSIFICATION,
    },
    "reports": {},
    "staff": {"status": STAFF_STATUS},
}
TEXT_CODED_COLUMNS: dict[str, dict[str, dict[str, str]]] = {
    "procedures": {"service_level": SERVICE_LEVEL},
    "dossiers": {},
    "documents": {},
    "reports": {"scope": SCOPE},
    "staff": {},
}


def allowed_values(feed: str, column: str) -> list:
    """The values raw.<feed>.<column> can hold, sorted: the numeric codes of a coded column
    or the stored spellings of a text-coded one. The one source for checks that judge them
    (Great Expectations value sets). KeyError for a column without a value set."""
    mapping = CODED_COLUMNS[feed].get(column) or TEXT_CODED_COLUMNS[feed].get(column)
    if mapping is None:
        raise KeyError(f"{feed}.{column} is not a coded column")
    return sorted(set(mapping.values()))


@lru_cache(maxsize=4096)  # the same few dozen headers and keys come in every file
def match_header(text: str) -> str:
    """Key for comparing headers and coded names: NFC, casefolded, trimmed, single-spaced."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return unicodedata.normalize("NFC", " ".join(folded.split()))


@cache
def header_lookup(feed: str) -> dict[str, str]:
    """match_header(any accepted spelling) -> canonical name, for one feed (shared: do not
    modify the returned dict).

    A column is recognised by its Vietnamese header, its API key or its canonical name in
    either format: a CSV carrying API keys still maps (its values are read as book dialect).
    """
    lookup: dict[str, str] = {}
    for column in FEED_HEADERS[feed]:
        for spelling in (column.header, column.key, column.name):
            lookup.setdefault(match_header(spelling), column.name)
    return lookup


def coded_lookup(mapping: dict[str, int] | dict[str, str]) -> dict:
    """match_header(name) and str(code) -> stored value, for one coded-value map."""
    lookup: dict = {match_header(name): value for name, value in mapping.items()}
    for value in mapping.values():
        if isinstance(value, int) and not isinstance(value, bool):
            lookup.setdefault(str(value), value)
    return lookup
