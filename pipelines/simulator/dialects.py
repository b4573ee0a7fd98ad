"""The contract's two dialects, from the writer's side.

Rows are generated as canonical dicts (contract names, Python values: codes as ints,
dates, datetimes, bools, None). This module turns a canonical value into what a desk's
tracking book (CSV/XLSX: Vietnamese headers and names, dd/mm/yyyy) or the sync API
(JSONL: keys, numeric codes, yyyyMMddHHmmss, JSON booleans) writes.

The header table is deliberately the simulator's own copy of the contract, not the
ingest's mapping: the simulator is an independent check that the ingest reads the
contract, not itself.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

AUTHORITY_LEVELS = {1: "Cấp tỉnh", 2: "Cấp huyện", 3: "Cấp xã"}
CHANGE_TYPES = {1: "Ban hành mới", 2: "Sửa đổi, bổ sung", 3: "Thay thế", 4: "Bãi bỏ"}
PROCEDURE_STATUS = {1: "Còn hiệu lực", 0: "Đã bãi bỏ"}
CHANNELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
DOSSIER_STATUS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
RECIPIENT_KINDS = {1: "Cơ quan nhà nước", 2: "Tổ chức, cá nhân"}
SEND_METHODS = {1: "Điện tử", 2: "Giấy", 3: "Điện tử và giấy"}
CLASSIFICATIONS = {0: "Thường", 1: "Mật", 2: "Tối mật", 3: "Tuyệt mật"}
SCOPES = {"self": "Đơn vị", "area": "Địa bàn"}
STAFF_STATUS = {1: "Đang công tác", 0: "Đã nghỉ"}
YES_NO = {True: "Có", False: "Không"}


@dataclass(frozen=True)
class Field:
    name: str  # canonical name
    header: str  # CSV/XLSX header
    key: str  # JSONL key
    # text | int | date | datetime | bool | coded | service_level | scope | number
    kind: str
    names: dict | None = None  # code -> Vietnamese name, for coded


def _f(name, header, key, kind="text", names=None) -> Field:
    return Field(name, header, key, kind, names)


FIELDS: dict[str, tuple[Field, ...]] = {
    "procedures": (
        _f("procedure_code", "Mã TTHC", "MaTTHC"),
        _f("procedure_name", "Tên TTHC", "TenTTHC"),
        _f("domain", "Lĩnh vực", "LinhVuc"),
        _f("authority_level", "Cấp thực hiện", "CapThucHien", "coded", AUTHORITY_LEVELS),
        _f("service_level", "Mức độ DVC", "MucDo", "service_level"),
        _f("processing_days", "Thời hạn giải quyết", "ThoiHanGiaiQuyet", "int"),
        _f("has_fee", "Có phí, lệ phí", "CoPhiLePhi", "bool"),
        _f("decision_no", "Số quyết định công bố", "SoQuyetDinh"),
        _f("decision_date", "Ngày công bố", "NgayCongBo", "date"),
        _f("change_type", "Loại công bố", "LoaiCongBo", "coded", CHANGE_TYPES),
        _f("effective_date", "Ngày hiệu lực", "NgayHieuLuc", "date"),
        _f("is_published", "Công khai", "CongKhai", "bool"),
        _f("status", "Trạng thái", "TrangThai", "coded", PROCEDURE_STATUS),
    ),
    "dossiers": (
        _f("dossier_code", "Mã hồ sơ", "MaHoSo"),
        _f("procedure_code", "Mã TTHC", "MaTTHC"),
        _f("channel", "Kênh nộp", "KenhThucHien", "coded", CHANNELS),
        _f("applicant_name", "Chủ hồ sơ", "ChuHoSo"),
        _f("applicant_id_number", "Số giấy tờ", "SoGiayToChuHoSo"),
        _f("applicant_phone", "Số điện thoại", "SoDienThoai"),
        _f("applicant_address", "Địa chỉ", "DiaChi"),
        _f("received_at", "Ngày tiếp nhận", "NgayTiepNhan", "datetime"),
        _f("due_at", "Ngày hẹn trả", "NgayHenTra", "datetime"),
        _f("finished_at", "Ngày có kết quả", "NgayKetThucXuLy", "datetime"),
        _f("returned_at", "Ngày trả kết quả", "NgayTra", "datetime"),
        _f("status", "Trạng thái", "TrangThaiHoSo", "coded", DOSSIER_STATUS),
        _f("supplement_count", "Số lần bổ sung", "SoLanBoSung", "int"),
        _f("apology_issued", "Phiếu xin lỗi", "PhieuXinLoi", "bool"),
        _f("paid_online", "Thanh toán trực tuyến", "ThanhToanTrucTuyen", "bool"),
        _f("digitized", "Số hóa", "DuocSoHoa", "bool"),
        _f("updated_at", "Ngày cập nhật", "NgayCapNhat", "datetime"),
    ),
    "documents": (
        _f("document_number", "Số, ký hiệu", "SoKyHieu"),
        _f("document_date", "Ngày văn bản", "NgayVanBan", "date"),
        _f("document_type", "Loại văn bản", "LoaiVanBan"),
        _f("summary", "Trích yếu", "TrichYeu"),
        _f("signer", "Người ký", "NguoiKy"),
        _f("recipient_kind", "Nơi nhận", "LoaiNoiNhan", "coded", RECIPIENT_KINDS),
        _f("send_method", "Hình thức gửi", "HinhThucGui", "coded", SEND_METHODS),
        _f("digitally_signed", "Ký số", "KySo", "bool"),
        _f("classification", "Độ mật", "DoMat", "coded", CLASSIFICATIONS),
        _f("updated_at", "Ngày cập nhật", "NgayCapNhat", "datetime"),
    ),
    "reports": (
        _f("period", "Kỳ báo cáo", "KyBaoCao"),
        _f("indicator_code", "Mã chỉ tiêu", "MaChiTieu"),
        _f("scope", "Phạm vi", "PhamVi", "scope"),
        _f("numerator", "Tử số", "TuSo", "number"),
        _f("denominator", "Mẫu số", "MauSo", "number"),
        _f("reported_rate", "Tỷ lệ (%)", "TyLe", "number"),
    ),
    "staff": (
        _f("staff_code", "Mã cán bộ", "MaCanBo"),
        _f("staff_name", "Họ và tên", "HoTen"),
        _f("position", "Chức vụ", "ChucVu"),
        _f("is_leader", "Lãnh đạo", "LaLanhDao", "bool"),
        _f("has_official_email", "Hộp thư công vụ", "HopThuCongVu", "bool"),
        _f("has_signing_certificate", "Chữ ký số", "ChuKySo", "bool"),
        _f("status", "Trạng thái", "TrangThai", "coded", STAFF_STATUS),
    ),
}

# Columns the contract makes optional (older exports lack them): a unit's files carry those
# its spec lists in `optional_columns`, after the feed's other columns.
OPTIONAL_FIELDS: dict[str, tuple[Field, ...]] = {
    "dossiers": (_f("late_reason", "Lý do trễ hạn", "LyDoTreHan"),),
}


def unit_fields(unit, feed: str) -> tuple[Field, ...]:
    """The columns of `feed` as `unit`'s software writes them: the contract's, then the
    optional ones the unit's exports carry."""
    extra = tuple(f for f in OPTIONAL_FIELDS.get(feed, ()) if f.name in unit.optional_columns)
    return FIELDS[feed] + extra if extra else FIELDS[feed]


def headers(feed: str) -> list[str]:
    return [f.header for f in FIELDS[feed]]


def keys(feed: str) -> list[str]:
    return [f.key for f in FIELDS[feed]]


# --- values -------------------------------------------------------------------------------


def service_level_book(level: int, style: str) -> str:
    if style == "decree42" and level >= 3:
        return "Một phần" if level == 3 else "Toàn trình"
    return str(level)


def service_level_api(level: int, style: str) -> str:
    if style == "decree42" and level >= 3:
        return "MP" if level == 3 else "TT"
    return str(level)


def vn_number(value: int | Decimal) -> str:
    """Vietnamese locale: '.' groups thousands, ',' marks decimals (5.816, 82,86)."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    text = f"{value:,.2f}"  # 1,234.56
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """100 * n / d rounded half-up to two decimals, as the indicator contract says."""
    if not denominator:
        return None
    return (Decimal(100) * numerator / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _dmy(d) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def format_time(value, time_format: str) -> str:
    """strftime, with the two book formats spelled out (strftime is slow on 100k rows)."""
    if time_format == "%d/%m/%Y %H:%M:%S":
        return f"{_dmy(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if time_format == "%d/%m/%Y %H:%M":
        return f"{_dmy(value)} {value.hour:02d}:{value.minute:02d}"
    return value.strftime(time_format)


def api_time(value) -> str:
    """yyyyMMddHHmmss; a date is midnight."""
    hms = (value.hour, value.minute, value.second) if hasattr(value, "hour") else (0, 0, 0)
    return f"{value.year:04d}{value.month:02d}{value.day:02d}{hms[0]:02d}{hms[1]:02d}{hms[2]:02d}"


def book_value(value, field: Field, *, level_style: str, time_format: str) -> str:
    """A canonical value as text in a desk's tracking book."""
    if value is None:
        return ""
    kind = field.kind
    if kind == "coded":
        return field.names[value]
    if kind == "bool":
        return YES_NO[value]
    if kind == "datetime":
        return format_time(value, time_format)
    if kind == "date":
        return _dmy(value)
    if kind == "service_level":
        return service_level_book(value, level_style)
    if kind == "scope":
        return SCOPES[value]
    if kind == "number":
        return vn_number(value)
    return str(value)


def api_value(value, field: Field, *, level_style: str):
    """A canonical value as the sync API writes it into JSON."""
    if value is None:
        return None
    kind = field.kind
    if kind in ("datetime", "date"):
        return api_time(value)
    if kind == "service_level":
        return service_level_api(value, level_style)
    if kind == "number" and isinstance(value, Decimal):
        return float(value)
    return value


# --- Windows-1258 -------------------------------------------------------------------------

# cp1258 has the base letters with breve, circumflex and horn (ă â ê ô ơ ư) but only the five
# tone marks as combining characters; Windows writes Vietnamese in it as base letter + tone.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _windows_form_slow(text: str) -> str:
    out: list[str] = []
    base: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            (tones if ch in _TONE_MARKS else base).append(ch)
        else:
            if base:
                out.append(unicodedata.normalize("NFC", "".join(base)) + "".join(tones))
            base, tones = [ch], []
    if base:
        out.append(unicodedata.normalize("NFC", "".join(base)) + "".join(tones))
    return "".join(out)


# every precomposed Latin letter (Latin-1 to Latin Extended Additional) that changes form
WINDOWS_1258_FORMS = {
    cp: form
    for cp in range(0xC0, 0x1F00)
    if unicodedata.category(chr(cp)).startswith("L")
    and (form := _windows_form_slow(chr(cp))) != chr(cp)
}


def windows_1258_form(text: str) -> str:
    """Text in the form Windows encodes to cp1258: precomposed base letters, combining tones."""
    return unicodedata.normalize("NFC", text).translate(WINDOWS_1258_FORMS)
