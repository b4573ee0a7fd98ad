# ruff: noqa: E501 - the CSV rows below are kept whole so they read like the files
"""A small landing folder written row by row, so that every expected indicator in the
integration tests can be worked out by hand from the rows below.

Units: city 900 (JSONL procedures and dossiers, CSV documents and reports), ward 90001
(CSV utf-8), ward 90002 (CSV cp1258, written decomposed as Windows software does).
Everything happens in January and February 2022.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.simulator.dialects import windows_1258_form

UNITS_CSV = """unit_code,unit_name,unit_level,parent_code,valid_from,valid_to,csv_encoding
900,Thành phố Thử Nghiệm,city,,2010-01-01,,utf-8
90001,Phường An Hòa,ward,900,2010-01-01,,utf-8
90002,Phường Bình Minh,ward,900,2010-01-01,,cp1258
"""

# Personal data that must never reach the published file.
APPLICANTS = {
    "D1": ("Nguyễn Văn Một", "094100000001", "0911000001", "12 Lê Lợi, Phường An Hòa"),
    "D2": ("Trần Thị Hai", "094100000002", "0911000002", "34 Hùng Vương, Phường Bình Minh"),
    "D3": ("Lê Văn Ba", "094100000003", "0911000003", "56 Trần Hưng Đạo, Phường An Hòa"),
    "D4": ("Phạm Thị Bốn", "094100000004", "0911000004", "78 Nguyễn Huệ, Phường Bình Minh"),
    "D5": ("Võ Văn Năm", "094100000005", "0911000005", "9 Phú Lợi, Phường An Hòa"),
    "D6": ("Đặng Thị Sáu", "094100000006", "0911000006", "10 Mạc Đĩnh Chi, Phường An Hòa"),
    "W1": ("Thạch Văn Bảy", "094100000007", "0911000007", "Khóm 1, Phường An Hòa"),
    "W2": ("Lâm Thị Tám", "094100000008", "0911000008", "Khóm 2, Phường An Hòa"),
    "W3": ("Huỳnh Văn Chín", "094100000009", "0911000009", "Khóm 3, Phường Bình Minh"),
}


def _procedure_api(code, name, level, fee, published, change, decision, effective, status):
    return {
        "MaTTHC": code,
        "TenTTHC": name,
        "LinhVuc": "Hộ tịch",
        "CapThucHien": 2,
        "MucDo": level,
        "ThoiHanGiaiQuyet": 5,
        "CoPhiLePhi": fee,
        "SoQuyetDinh": "1/QĐ-UBND",
        "NgayCongBo": decision,
        "LoaiCongBo": change,
        "NgayHieuLuc": effective,
        "CongKhai": published,
        "TrangThai": status,
    }


# City catalogue. On 2022-01-01: 2.000001 full (TT) with a fee; 2.000002 partial (level 3),
# amended on 2022-01-01; 2.000003 level 2, not yet published; 2.000004 abolished 2022-01-01.
# On 2022-02-10: 2.000002 amended again and now full; 2.000003 published.
CITY_PROCEDURES = {
    "2022-01-01": [
        _procedure_api(
            "2.000001", "Cấp phép A", "TT", True, True, 1, "20210501000000", "20210515000000", 1
        ),
        _procedure_api(
            "2.000002", "Cấp phép B", "3", False, True, 2, "20220101000000", "20220101000000", 1
        ),
        _procedure_api(
            "2.000003", "Xác nhận C", "2", False, False, 1, "20200101000000", "20200101000000", 1
        ),
        _procedure_api(
            "2.000004", "Cấp phép D", "4", False, True, 4, "20220101000000", "20220101000000", 0
        ),
    ],
    "2022-02-10": [
        _procedure_api(
            "2.000001", "Cấp phép A", "TT", True, True, 1, "20210501000000", "20210515000000", 1
        ),
        _procedure_api(
            "2.000002", "Cấp phép B", "TT", False, True, 2, "20220210000000", "20220210000000", 1
        ),
        _procedure_api(
            "2.000003", "Xác nhận C", "2", False, True, 1, "20200101000000", "20200101000000", 1
        ),
        _procedure_api(
            "2.000004", "Cấp phép D", "4", False, True, 4, "20220101000000", "20220101000000", 0
        ),
    ],
}


def _dossier_api(
    code,
    procedure,
    channel,
    received,
    due,
    finished,
    returned,
    status,
    updated,
    apology=False,
    paid=None,
    digitized=True,
):
    name, id_number, phone, address = APPLICANTS[code]
    return {
        "MaHoSo": code,
        "MaTTHC": procedure,
        "KenhThucHien": channel,
        "ChuHoSo": name,
        "SoGiayToChuHoSo": id_number,
        "SoDienThoai": phone,
        "DiaChi": address,
        "NgayTiepNhan": received,
        "NgayHenTra": due,
        "NgayKetThucXuLy": finished,
        "NgayTra": returned,
        "TrangThaiHoSo": status,
        "SoLanBoSung": 0,
        "PhieuXinLoi": apology,
        "ThanhToanTrucTuyen": paid,
        "DuocSoHoa": digitized,
        "NgayCapNhat": updated,
    }


# City dossier log, by export day. D1's final state arrives on 01-11, and a stale row for
# D1 (updated 01-05, status 4) arrives late on 01-12: the latest updated_at must win.
CITY_DOSSIERS = {
    "2022-01-04": [
        _dossier_api(
            "D1",
            "2.000001",
            2,
            "20220104090000",
            "20220110170000",
            None,
            None,
            2,
            "20220104090000",
            paid=True,
        ),
    ],
    "2022-01-06": [
        _dossier_api(
            "D2",
            "2.000001",
            1,
            "20220105090000",
            "20220107170000",
            None,
            None,
            4,
            "20220106080000",
            paid=False,
            digitized=False,
        ),
        _dossier_api(
            "D5",
            "2.000001",
            2,
            "20220106090000",
            "20220112170000",
            None,
            None,
            3,
            "20220106100000",
            paid=None,
        ),
        _dossier_api(
            "D6", "2.000003", 1, "20220106090000", "20220112170000", None, None, 7, "20220106110000"
        ),
    ],
    "2022-01-11": [
        _dossier_api(
            "D1",
            "2.000001",
            2,
            "20220104090000",
            "20220110170000",
            "20220110200000",
            "20220111080000",
            10,
            "20220111080000",
            paid=True,
        ),
    ],
    "2022-01-12": [
        _dossier_api(
            "D2",
            "2.000001",
            1,
            "20220105090000",
            "20220107170000",
            "20220112100000",
            None,
            9,
            "20220112100000",
            apology=True,
            paid=False,
            digitized=False,
        ),
        _dossier_api(
            "D1",
            "2.000001",
            2,
            "20220104090000",
            "20220110170000",
            None,
            None,
            4,
            "20220105090000",
            paid=True,
        ),
    ],
    "2022-01-28": [
        _dossier_api(
            "D3", "2.000002", 2, "20220128090000", "20220203170000", None, None, 2, "20220128090000"
        ),
    ],
    "2022-02-02": [
        _dossier_api(
            "D3",
            "2.000002",
            2,
            "20220128090000",
            "20220203170000",
            "20220202150000",
            None,
            9,
            "20220202150000",
        ),
    ],
    "2022-02-15": [
        _dossier_api(
            "D4", "2.000002", 1, "20220215090000", "20220222170000", None, None, 4, "20220215090000"
        ),
    ],
}

CITY_DOCUMENTS_CSV = """Số, ký hiệu,Ngày văn bản,Loại văn bản,Trích yếu,Người ký,Nơi nhận,Hình thức gửi,Ký số,Độ mật,Ngày cập nhật
1/UBND-VP,06/01/2022,Công văn,Về việc A,Trần Văn Tâm,Cơ quan nhà nước,Điện tử,Có,Thường,06/01/2022 16:00:00
2/UBND-VP,06/01/2022,Công văn,Về việc B,Trần Văn Tâm,Cơ quan nhà nước,Điện tử,Có,Thường,06/01/2022 16:05:00
3/UBND-VP,06/01/2022,Thông báo,Về việc C,Trần Văn Tâm,"Tổ chức, cá nhân",Giấy,Không,Thường,06/01/2022 16:10:00
"""
# The first header needs quoting because it contains a comma.
CITY_DOCUMENTS_CSV = CITY_DOCUMENTS_CSV.replace("Số, ký hiệu,", '"Số, ký hiệu",', 1)

# A correction of 2/UBND-VP the next day: it went out with a parallel paper copy after all.
CITY_DOCUMENTS_FIX_CSV = """"Số, ký hiệu",Ngày văn bản,Loại văn bản,Trích yếu,Người ký,Nơi nhận,Hình thức gửi,Ký số,Độ mật,Ngày cập nhật
2/UBND-VP,06/01/2022,Công văn,Về việc B,Trần Văn Tâm,Cơ quan nhà nước,Điện tử và giấy,Không,Thường,07/01/2022 09:00:00
"""

CITY_REPORTS_CSV = """Kỳ báo cáo,Mã chỉ tiêu,Phạm vi,Tử số,Mẫu số,Tỷ lệ (%)
2022-01,DOSSIER_ONTIME_RATE,Đơn vị,1,2,"50,00"
2022-01,DOC_SENT,Đơn vị,2,,
"""

WARD_PROCEDURE_HEADER = (
    'Mã TTHC,Tên TTHC,Lĩnh vực,Cấp thực hiện,Mức độ DVC,Thời hạn giải quyết,"Có phí, lệ phí",'
    "Số quyết định công bố,Ngày công bố,Loại công bố,Ngày hiệu lực,Công khai,Trạng thái\n"
)
WARD_A_PROCEDURES_CSV = WARD_PROCEDURE_HEADER + (
    "1.000001,Chứng thực bản sao,Chứng thực,Cấp xã,Một phần,1,Có,5/QĐ-UBND,05/01/2020,"
    "Ban hành mới,05/01/2020,Có,Còn hiệu lực\n"
    "1.000002,Đăng ký khai sinh,Hộ tịch,Cấp xã,Toàn trình,3,Không,5/QĐ-UBND,05/01/2020,"
    "Ban hành mới,05/01/2020,Có,Còn hiệu lực\n"
)
WARD_B_PROCEDURES_CSV = WARD_PROCEDURE_HEADER + (
    "1.000001,Chứng thực bản sao,Chứng thực,Cấp xã,MP,1,Có,6/QĐ-UBND,05/01/2020,"
    "Ban hành mới,05/01/2020,Có,Còn hiệu lực\n"
)

WARD_DOSSIER_HEADER = (
    "Mã hồ sơ,Mã TTHC,Kênh nộp,Chủ hồ sơ,Số giấy tờ,Số điện thoại,Địa chỉ,Ngày tiếp nhận,"
    "Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái,Số lần bổ sung,Phiếu xin lỗi,"
    "Thanh toán trực tuyến,Số hóa,Ngày cập nhật\n"
)


def _ward_dossier(
    code,
    procedure,
    channel,
    received,
    due,
    finished,
    returned,
    status,
    updated,
    apology="Không",
    paid="",
    digitized="Có",
):
    name, id_number, phone, address = APPLICANTS[code]
    return (
        f'{code},{procedure},{channel},{name},{id_number},{phone},"{address}",{received},'
        f"{due},{finished},{returned},{status},0,{apology},{paid},{digitized},{updated}\n"
    )


# Ward A: W1 online, full procedure, finished on time in January; W2 in person, partial,
# finished late in February without an apology. Row 4 has an unknown status and row 5 too
# few fields: both must be set aside, not loaded.
WARD_A_DOSSIERS_CSV = WARD_DOSSIER_HEADER + (
    _ward_dossier(
        "W1",
        "1.000002",
        "Trực tuyến",
        "10/01/2022 08:00",
        "13/01/2022 17:00",
        "11/01/2022 10:00",
        "11/01/2022 15:00",
        "Đã trả kết quả",
        "11/01/2022 15:00",
    )
    + _ward_dossier(
        "W2",
        "1.000001",
        "Trực tiếp",
        "01/02/2022 08:00",
        "10/02/2022 17:00",
        "20/02/2022 10:00",
        "",
        "Đã xử lý xong",
        "20/02/2022 10:00",
        paid="Không",
    )
    + _ward_dossier(
        "W1",
        "1.000002",
        "Trực tuyến",
        "10/01/2022 08:00",
        "13/01/2022 17:00",
        "",
        "",
        "Không rõ",
        "12/01/2022 08:00",
    )
    + "W9,1.000002,Trực tuyến\n"
)

# Ward B (cp1258): W3 in person, partial, finished on time in January.
WARD_B_DOSSIERS_CSV = WARD_DOSSIER_HEADER + _ward_dossier(
    "W3",
    "1.000001",
    "Trực tiếp",
    "15/01/2022 08:00",
    "17/01/2022 17:00",
    "17/01/2022 09:00",
    "17/01/2022 10:00",
    "Đã trả kết quả",
    "17/01/2022 10:00",
    paid="Có",
    digitized="Không",
)

# Ward A's documents: one to a state agency, electronic; one classified (not counted).
WARD_A_DOCUMENTS_CSV = (
    '"Số, ký hiệu",Ngày văn bản,Loại văn bản,Trích yếu,Người ký,Nơi nhận,Hình thức gửi,'
    "Ký số,Độ mật,Ngày cập nhật\n"
    "1/UBND,20/02/2022,Báo cáo,Báo cáo tháng,Lâm Văn Phước,Cơ quan nhà nước,Điện tử,Có,"
    "Thường,20/02/2022 16:00\n"
    "2/UBND,21/02/2022,Báo cáo,Báo cáo mật,Lâm Văn Phước,Cơ quan nhà nước,Điện tử,Có,"
    "Mật,21/02/2022 16:00\n"
)

# Ward A reports 5 finished dossiers for January; its log says 1: counts differ.
WARD_A_REPORTS_CSV = """Kỳ báo cáo,Mã chỉ tiêu,Phạm vi,Tử số,Mẫu số,Tỷ lệ (%)
2022-01,DOSSIER_FINISHED,Đơn vị,5,,
"""


def _write_cp1258(path: Path, text: str) -> None:
    # Precomposed base letters with combining tone marks, as Windows writes cp1258.
    path.write_bytes(windows_1258_form(text).encode("cp1258"))


def write_small_landing(landing: Path) -> Path:
    """Write the folder; returns it."""

    def put(relpath: str, text: str, encoding: str = "utf-8") -> None:
        path = landing / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if encoding == "cp1258":
            _write_cp1258(path, text)
        else:
            path.write_text(text, encoding=encoding)

    def put_jsonl(relpath: str, records: list[dict]) -> None:
        put(relpath, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))

    put("units.csv", UNITS_CSV)
    for day, records in CITY_PROCEDURES.items():
        put_jsonl(f"900/procedures/{day}.jsonl", records)
    for day, records in CITY_DOSSIERS.items():
        put_jsonl(f"900/dossiers/{day}.jsonl", records)
    put("900/documents/2022-01-06.csv", CITY_DOCUMENTS_CSV)
    put("900/documents/2022-01-06_fix.csv", CITY_DOCUMENTS_FIX_CSV)
    put("900/reports/2022-02-28.csv", CITY_REPORTS_CSV)
    put("90001/procedures/2022-01-01.csv", WARD_A_PROCEDURES_CSV)
    put("90001/dossiers/2022-02-20.csv", WARD_A_DOSSIERS_CSV)
    put("90001/documents/2022-02-21.csv", WARD_A_DOCUMENTS_CSV)
    put("90001/reports/2022-02-28.csv", WARD_A_REPORTS_CSV)
    put("90002/procedures/2022-01-01.csv", WARD_B_PROCEDURES_CSV, encoding="cp1258")
    put("90002/dossiers/2022-01-17.csv", WARD_B_DOSSIERS_CSV, encoding="cp1258")
    return landing
