# ruff: noqa: E501 - the expected reasons below are kept whole so they read like the ledger
"""A hostile landing folder: small_landing.py's three clean units, plus a city 901 and its
ward 90101 that deliver every kind of bad input issue 15 and the contract's "Bad input"
list name, each file's ledger outcome worked out by hand next to where it is written.

The faults all sit in 901/90101 (and in entries that belong to no unit: a unit folder not
in the registry, a file at the top of the landing folder, bad registry rows), so the units
of small_landing (900, 90001, 90002) receive no fault file: their published figures must
equal those of a clean run of `write_clean_base`. Every export date is in January or
February 2022, the base's own months.

Row numbers are the ones an operator sees: in a CSV or XLSX the header is row 1, in a JSONL
file line 1 is row 1. A file rejected without being opened (a symlink, a FIFO, a name that
is not a date, a unit not in the registry) has rows_in null, no rows loaded and one set-aside
row (its reason, row null); a file rejected after being read (another feed's header, UTF-16,
a truncated XLSX) has its records counted in rows_in where its bytes still show them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter

from pipelines.simulator.dialects import windows_1258_form
from tests.integration.small_landing import APPLICANTS, UNITS_CSV, write_small_landing

FAULT_UNITS = ("901", "90101")  # the city and ward that receive the faults
CLEAN_UNITS = ("900", "90001", "90002")  # small_landing's units: no fault file

# The registry of the clean base: small_landing's, plus the city and ward of the faults.
BASE_UNITS_CSV = UNITS_CSV + (
    "901,Thành phố Kiểm Thử,city,,2010-01-01,,utf-8\n"  # row 5
    "90101,Phường Thử Lỗi,ward,901,2010-01-01,,utf-8\n"  # row 6
)
# Three bad registry rows (rows 7-9 of the hostile units.csv); each is set aside, the six
# good rows load: units.csv loaded, rows_in 8, rows_loaded 5, rows_set_aside 3.
BAD_UNIT_ROWS = (
    "../../x,Đơn vị X,ward,901,2010-01-01,,utf-8\n"  # row 7: a code that is a path
    "90103,Thôn Ngoài,village,901,2010-01-01,,utf-8\n"  # row 8: a level the contract lacks
    "90101,Phường Thử Lỗi (bản trùng),ward,901,2020-01-01,,utf-8\n"  # row 9: overlaps row 6
)
UNIT_ROWS_SET_ASIDE = {
    7: "unit_code '../../x' is not a code",
    8: "unit_level 'village' is not one of province, city, ward",
    9: "overlaps row 6",
}

# --- personal data planted in the hostile files --------------------------------------------

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng")
_MIDDLE = ("Thị", "Văn")
_GIVEN = ("Khiêm", "Diệu", "Quế", "Trúc", "Uyên")


def _applicant(n: int) -> tuple[str, str, str, str]:
    """(name, 12-digit citizen ID, phone, address) of hostile applicant n (1..50)."""
    i = n - 1
    name = f"{_SURNAMES[i % 5]} {_MIDDLE[(i // 5) % 2]} {_GIVEN[(i // 10) % 5]}"
    return (
        name,
        f"0792{n:08d}",
        f"0987{n:06d}",
        f"Số {n} Ngõ Kín Đáo, Tổ {n} Khu Phố Riêng Tư",  # a comma: CSV quotes it
    )


HOSTILE_APPLICANTS = {f"H{n:02d}": _applicant(n) for n in range(1, 51)}
assert len({a[0] for a in HOSTILE_APPLICANTS.values()}) == 50

SECRET_LINE = "SECRET-LINE-HOSTILE-7F3A: mật khẩu hộp thư công vụ"


def personal_values(hostile: bool = True) -> list[str]:
    """Every name, ID number, phone and address delivered to the landing folder (the clean
    base's and, with `hostile`, those of the fault files and of the files outside it that
    symlinks point to), and the parts an unquoted comma splits a hostile address into."""
    values = [v for applicant in APPLICANTS.values() for v in applicant]
    if hostile:
        for name, id_number, phone, address in HOSTILE_APPLICANTS.values():
            values += [name, id_number, phone, address]
            values += [part.strip() for part in address.split(",")]
        values.append(SECRET_LINE)
    return values


# Values that are wrong, planted in feed files: no reason may quote them.
BAD_VALUES = (
    "31/02/2022 08:00",  # a day that does not exist
    "Đã hủy",  # an unknown status
    "Qua Zalo",  # an unknown channel
    "=1+1",  # a formula
    "9.999999",  # a procedure code never in the catalogue (that row loads)
)

# --- the book dialect ------------------------------------------------------------------------

DOSSIER_HEADER = [
    "Mã hồ sơ", "Mã TTHC", "Kênh nộp", "Chủ hồ sơ", "Số giấy tờ", "Số điện thoại", "Địa chỉ",
    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái",
    "Số lần bổ sung", "Phiếu xin lỗi", "Thanh toán trực tuyến", "Số hóa", "Ngày cập nhật",
]  # fmt: skip
DOCUMENT_HEADER = [
    "Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Trích yếu", "Người ký", "Nơi nhận",
    "Hình thức gửi", "Ký số", "Độ mật", "Ngày cập nhật",
]  # fmt: skip
CHANNEL, ADDRESS, RECEIVED, DUE = 2, 6, 7, 8  # positions in DOSSIER_HEADER


def book_row(
    code: str,
    *,
    procedure: str = "1.000002",
    channel: str = "Trực tuyến",
    received: str = "07/02/2022 08:00",
    due: str = "10/02/2022 17:00",
    finished: str = "",
    returned: str = "",
    status: str = "Được tiếp nhận",
    supplements: str = "0",
    updated: str | None = None,
) -> list[str]:
    """A dossier row of hostile applicant `code` (its dossier is HS-<code>), as a ward's
    book writes it; by default a dossier received online on 7 Feb 2022, still open."""
    name, id_number, phone, address = HOSTILE_APPLICANTS[code]
    return [
        f"HS-{code}", procedure, channel, name, id_number, phone, address, received, due,
        finished, returned, status, supplements, "Không", "", "Có", updated or received,
    ]  # fmt: skip


def csv_text(header: list[str], rows: list[list[str] | str], delimiter: str = ",") -> str:
    """CSV as a ward's software writes it; a str row is a line written as is."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(header)
    for row in rows:
        if isinstance(row, str):
            buffer.write(row + "\n")
        else:
            writer.writerow(row)
    return buffer.getvalue()


def api_record(code: str, **changes) -> dict:
    """The same dossier as the sync API sends it (JSONL)."""
    name, id_number, phone, address = HOSTILE_APPLICANTS[code]
    record = {
        "MaHoSo": f"HS-{code}",
        "MaTTHC": "1.000002",
        "KenhThucHien": 2,
        "ChuHoSo": name,
        "SoGiayToChuHoSo": id_number,
        "SoDienThoai": phone,
        "DiaChi": address,
        "NgayTiepNhan": "20220207080000",
        "NgayHenTra": "20220210170000",
        "NgayKetThucXuLy": None,
        "NgayTra": None,
        "TrangThaiHoSo": 2,
        "SoLanBoSung": 0,
        "PhieuXinLoi": False,
        "ThanhToanTrucTuyen": None,
        "DuocSoHoa": True,
        "NgayCapNhat": "20220207080000",
    }
    record.update(changes)
    return record


WARD_PROCEDURES_CSV = (
    'Mã TTHC,Tên TTHC,Lĩnh vực,Cấp thực hiện,Mức độ DVC,Thời hạn giải quyết,"Có phí, lệ phí",'
    "Số quyết định công bố,Ngày công bố,Loại công bố,Ngày hiệu lực,Công khai,Trạng thái\n"
    "1.000001,Chứng thực bản sao,Chứng thực,Cấp xã,Một phần,1,Có,7/QĐ-UBND,05/01/2020,"
    "Ban hành mới,05/01/2020,Có,Còn hiệu lực\n"
    "1.000002,Đăng ký khai sinh,Hộ tịch,Cấp xã,Toàn trình,3,Không,7/QĐ-UBND,05/01/2020,"
    "Ban hành mới,05/01/2020,Có,Còn hiệu lực\n"
)

# --- what the ledger must say ----------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """One ledger row as worked out by hand, and what its set-aside rows must say."""

    source_file: str  # as the ledger shows it: NFC, odd bytes as \xNN, a folder ending '/'
    status: str  # 'loaded' | 'rejected'
    rows_in: int | None
    rows_loaded: int
    rows_set_aside: int
    error: str | None = None  # in the ledger's error (rejected) or notes (loaded); None: no notes
    aside: dict[int | None, str] = field(default_factory=dict)  # row (None: file) -> in reason
    flagged: dict[int, str] = field(default_factory=dict)  # loaded row -> GX check that flags it
    fault: str = ""  # what was planted, in a few words


NOT_OPENED = "not a regular file: not opened"


def _rejected_unopened(source_file: str, reason: str, fault: str) -> Expected:
    # Never opened: rows_in null (nothing was read), nothing loaded, one set-aside row
    # (row null) carrying the ledger's reason.
    return Expected(source_file, "rejected", None, 0, 1, reason, {None: reason}, fault=fault)


@dataclass
class HostileLanding:
    landing: Path
    outside: Path  # files outside the landing folder that symlinks point to
    expected: dict[str, Expected]  # source_file -> outcome, the fault files only

    @property
    def fault_files(self) -> list[str]:
        return sorted(self.expected)


def write_clean_base(landing: Path) -> Path:
    """small_landing plus city 901 and ward 90101 (registered, with a clean catalogue)."""
    write_small_landing(landing)
    (landing / "units.csv").write_text(BASE_UNITS_CSV, encoding="utf-8")
    put(landing, "90101/procedures/2022-01-01.csv", WARD_PROCEDURES_CSV)
    return landing


def put(landing: Path, relpath: str | bytes, data: str | bytes) -> Path:
    """Write a file under the landing folder; a bytes relpath may hold any bytes."""
    if isinstance(relpath, bytes):
        path = Path(os.fsdecode(os.path.join(os.fsencode(landing), relpath)))
    else:
        path = landing / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _xlsx_openpyxl(header: list[str], rows: list[list[str]]) -> bytes:
    """openpyxl writes a formula without a cached value."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_xlsxwriter(header: list[str], rows: list[list], cached: dict | None = None) -> bytes:
    """xlsxwriter, text cells; `cached` maps (row index, column) -> (formula, cached value)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("Sheet1")
    for c, text in enumerate(header):
        sheet.write_string(0, c, text)
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            if cached and (r, c) in cached:
                formula, value = cached[(r, c)]
                sheet.write_formula(r, c, formula, None, value)
            elif text:
                sheet.write_string(r, c, text)
    book.close()
    return buffer.getvalue()


def write_hostile_landing(root: Path) -> HostileLanding:
    """The clean base with every fault planted; `root/landing` and `root/outside`."""
    landing = write_clean_base(root / "landing")
    outside = root / "outside"
    outside.mkdir()
    expected: dict[str, Expected] = {}

    def expect(outcome: Expected) -> None:
        assert outcome.source_file not in expected, outcome.source_file
        expected[outcome.source_file] = outcome

    # 3. Bad registry rows appended to units.csv (rows 7-9): 8 rows in, 5 load, 3 set aside.
    (landing / "units.csv").write_text(BASE_UNITS_CSV + BAD_UNIT_ROWS, encoding="utf-8")
    expect(Expected("units.csv", "loaded", 8, 5, 3, None, UNIT_ROWS_SET_ASIDE,
                    fault="a code that is a path, a level not in the contract, an overlapping validity"))  # fmt: skip

    # 1. An unclosed quote in row 3 of 10: rows 2-11 hold H01-H10; row 3's address opens a
    # quote that no later line closes. Line by line: row 3 set aside, rows 2 and 4-11 load.
    # rows_in 10 = 9 loaded + 1 set aside.
    rows: list[list[str] | str] = [book_row(f"H{n:02d}") for n in range(1, 11)]
    broken = book_row("H02")
    rows[1] = ",".join(broken[:ADDRESS]) + ',"' + ",".join(broken[ADDRESS:])
    put(landing, "90101/dossiers/2022-02-10.csv", csv_text(DOSSIER_HEADER, rows))
    expect(Expected("90101/dossiers/2022-02-10.csv", "loaded", 10, 9, 1, None,
                    {3: "row has a quote that is never closed"},
                    fault="an unclosed quote in row 3 of 10"))  # fmt: skip

    # 2. A dossier export (names, ID numbers, phones, addresses) dropped into documents/:
    # its header is the dossiers feed's, so the file is rejected after reading; its 3
    # records are counted. rows_in 3, nothing loaded, one set-aside row for the file.
    text = csv_text(DOSSIER_HEADER, [book_row(f"H{n}") for n in (11, 12, 13)])
    put(landing, "90101/documents/2022-02-11.csv", text)
    reason = "the header is that of the dossiers feed, not documents"
    expect(Expected("90101/documents/2022-02-11.csv", "rejected", 3, 0, 1, reason,
                    {None: reason}, fault="a dossier export in the documents folder"))  # fmt: skip

    # One fault a row, good rows between (export day 12 Feb 2022; 14 records, rows 2-15):
    rows = [
        book_row("H14"),  # row 2: good -> loads
        book_row("H15", due=HOSTILE_APPLICANTS["H15"][2]),  # row 3: a phone in Ngày hẹn trả
        # row 4: channel empty and an unquoted comma in the address: 18 fields
        ",".join(book_row("H16", channel="")),
        # row 5: the channel left out and an unquoted comma in the address: 17 fields, every
        # value from the name to the address one column to the left; Kênh nộp holds the name
        ",".join(f for i, f in enumerate(book_row("H17")) if i != CHANNEL),
        book_row("H18")[:14],  # row 6: too few fields (14 of 17)
        book_row("H19", received="31/02/2022 08:00", updated="07/02/2022 08:00"),  # row 7
        book_row("H20", status="Đã hủy"),  # row 8: unknown status
        book_row("H21", channel="Qua Zalo"),  # row 9: unknown channel
        book_row("H22", procedure="9.999999"),  # row 10: never in the catalogue -> loads, flagged
        book_row("H23", supplements="-1"),  # row 11: negative Số lần bổ sung
        # row 12: finished two hours before it was received -> loads, flagged
        book_row(
            "H24",
            received="08/02/2022 10:00",
            finished="08/02/2022 08:00",
            status="Đã xử lý xong",
            updated="08/02/2022 10:00",
        ),
        # row 13: received eight days after the day the export covers -> loads, flagged
        book_row(
            "H25", received="20/02/2022 08:00", due="25/02/2022 17:00", updated="12/02/2022 08:00"
        ),
        # row 14: received a year in the future (2023 typed for 2022) -> loads, flagged
        book_row(
            "H26", received="08/02/2023 08:00", due="11/02/2023 17:00", updated="12/02/2022 08:00"
        ),
        book_row("H14"),  # row 15: an exact duplicate of row 2
    ]
    put(landing, "90101/dossiers/2022-02-12.csv", csv_text(DOSSIER_HEADER, rows))
    # rows_in 14; set aside rows 3-9, 11, 15 (9); loaded rows 2, 10, 12, 13, 14 (5).
    expect(Expected("90101/dossiers/2022-02-12.csv", "loaded", 14, 5, 9, None, {
        3: "Ngày hẹn trả / due_at: not a date",
        4: "row has 18 fields, header has 17",
        5: "Kênh nộp / channel: unknown value",
        6: "row has 14 fields, header has 17",
        7: "Ngày tiếp nhận / received_at: not a date",
        8: "Trạng thái / status: unknown value",
        9: "Kênh nộp / channel: unknown value",
        11: "Số lần bổ sung / supplement_count: must not be negative",
        15: "duplicate of row 2",
    }, {
        10: "procedure_in_catalogue",
        12: "finished_not_before_received",
        13: "received_not_after_export_day",
        14: "received_not_after_export_day",
    }, fault="a phone in a date column, two shifted rows, too few fields, a bad date, "
             "unknown status and channel, a procedure never in the catalogue, a negative "
             "count, finished before received, received in the future, a duplicate"))  # fmt: skip

    # A renamed header (Mã hồ sơ -> Số hồ sơ): the file loads, both rows set aside for the
    # missing required column. rows_in 2, loaded 0, set aside 2.
    header = ["Số hồ sơ", *DOSSIER_HEADER[1:]]
    put(landing, "90101/dossiers/2022-02-13.csv",
        csv_text(header, [book_row("H27"), book_row("H28")]))  # fmt: skip
    reason = "file has no column 'Mã hồ sơ' (dossier_code)"
    expect(Expected("90101/dossiers/2022-02-13.csv", "loaded", 2, 0, 2, reason,
                    {2: reason, 3: reason}, fault="a renamed header"))  # fmt: skip

    # A missing header: the first line is a record. The header names no column of the feed,
    # so the file is rejected; its first line is taken for the header (parsing.py: "its
    # first line counts as the header"), so 3 records delivered give rows_in 2.
    put(landing, "90101/dossiers/2022-02-14.csv",
        csv_text([], [book_row(f"H{n}") for n in (29, 30, 31)]))  # fmt: skip
    reason = "the header names no column of the dossiers feed"
    expect(Expected("90101/dossiers/2022-02-14.csv", "rejected", 2, 0, 1, reason,
                    {None: reason}, fault="no header row (3 records)"))  # fmt: skip

    # 9. XLSX by openpyxl: sheet rows 2-4; row 3's Số lần bổ sung is the formula =1+1 with
    # no cached value. rows_in 3, loaded 2, set aside 1 (row 3).
    rows = [book_row(f"H{n}") for n in (32, 33, 34)]
    rows[1][12] = "=1+1"
    put(landing, "90101/dossiers/2022-02-15.xlsx", _xlsx_openpyxl(DOSSIER_HEADER, rows))
    expect(Expected("90101/dossiers/2022-02-15.xlsx", "loaded", 3, 2, 1, None,
                    {3: "formula without a value in column 'Số lần bổ sung' (supplement_count)"},
                    fault="a formula cell without a cached value"))  # fmt: skip

    # 9. XLSX by xlsxwriter: row 2's Số lần bổ sung is =1+1 with its cached value 2: loads.
    # rows_in 2, loaded 2.
    rows = [book_row("H35"), book_row("H36")]
    data = _xlsx_xlsxwriter(DOSSIER_HEADER, rows, cached={(1, 12): ("=1+1", 2)})
    put(landing, "90101/dossiers/2022-02-15_2.xlsx", data)
    expect(Expected("90101/dossiers/2022-02-15_2.xlsx", "loaded", 2, 2, 0, None,
                    fault="a formula cell with its cached value"))  # fmt: skip

    # A truncated XLSX (the upload cut at 40%): cannot be read; rows_in null.
    data = _xlsx_xlsxwriter(DOSSIER_HEADER, [book_row("H37"), book_row("H38")])
    put(landing, "90101/dossiers/2022-02-16.xlsx", data[: len(data) * 2 // 5])
    reason = "cannot read XLSX"
    expect(Expected("90101/dossiers/2022-02-16.xlsx", "rejected", None, 0, 1, reason,
                    {None: reason}, fault="a truncated XLSX"))  # fmt: skip

    # An empty (0-byte) file: loaded with nothing in it.
    put(landing, "90101/dossiers/2022-02-16.csv", b"")
    expect(Expected("90101/dossiers/2022-02-16.csv", "loaded", 0, 0, 0, "empty file",
                    fault="an empty file"))  # fmt: skip

    # Wrong encoding: 90101 declares utf-8, this file is cp1258 (as Windows writes it). It
    # decodes as cp1258 and loads whole: rows_in 2, loaded 2, a note.
    text = csv_text(DOSSIER_HEADER, [book_row("H39"), book_row("H40")])
    put(landing, "90101/dossiers/2022-02-17.csv", windows_1258_form(text).encode("cp1258"))
    expect(Expected("90101/dossiers/2022-02-17.csv", "loaded", 2, 2, 0,
                    "declared utf-8, decoded as cp1258", fault="cp1258 from a utf-8 unit"))  # fmt: skip

    # 14. A UTF-16 register (Excel's "Unicode Text", tab-separated): rejected, its 2 records
    # counted.
    lines = [
        DOCUMENT_HEADER,
        ["1/UBND", "14/02/2022", "Công văn", "Về việc A", "Lý Văn Ký", "Cơ quan nhà nước",
         "Điện tử", "Có", "Thường", "14/02/2022 16:00"],
        ["2/UBND", "14/02/2022", "Công văn", "Về việc B", "Lý Văn Ký", "Cơ quan nhà nước",
         "Giấy", "Không", "Thường", "14/02/2022 16:05"],
    ]  # fmt: skip
    text = "\r\n".join("\t".join(line) for line in lines) + "\r\n"
    put(landing, "90101/documents/2022-02-14.csv", text.encode("utf-16"))
    reason = "file is UTF-16 text"
    expect(Expected("90101/documents/2022-02-14.csv", "rejected", 2, 0, 1, reason,
                    {None: reason}, fault="a UTF-16 file"))  # fmt: skip

    # A JSONL log whose line 2 is cut off mid-record, after the applicant's address: rows_in
    # 3, loaded 2 (lines 1 and 3), set aside 1.
    good = [api_record("H41"), api_record("H42"), api_record("H43")]
    lines = [json.dumps(r, ensure_ascii=False) for r in good]
    cut = lines[1].index(HOSTILE_APPLICANTS["H42"][3]) + len(HOSTILE_APPLICANTS["H42"][3]) + 2
    lines[1] = lines[1][:cut]
    put(landing, "90101/dossiers/2022-02-18.jsonl", "\n".join(lines) + "\n")
    expect(Expected("90101/dossiers/2022-02-18.jsonl", "loaded", 3, 2, 1, None,
                    {2: "line is not valid JSON"}, fault="a JSON line cut off"))  # fmt: skip

    # 10. Reported figures: row 2's Tử số is negative (set aside), row 3 loads.
    put(landing, "90101/reports/2022-02-28.csv",
        "Kỳ báo cáo,Mã chỉ tiêu,Phạm vi,Tử số,Mẫu số,Tỷ lệ (%)\n"
        "2022-02,DOSSIER_RECEIVED,Đơn vị,-5,,\n"
        "2022-02,DOC_SENT,Đơn vị,2,,\n")  # fmt: skip
    expect(Expected("90101/reports/2022-02-28.csv", "loaded", 2, 1, 1, None,
                    {2: "Tử số / numerator: must not be negative"},
                    fault="a negative reported numerator"))  # fmt: skip

    # 14. A file name in NFD (as macOS writes it): one row, loads; the ledger has it in NFC.
    name = unicodedata.normalize("NFD", "2022-02-19_sửa.csv")
    assert name != unicodedata.normalize("NFC", name)
    put(landing, f"90101/dossiers/{name}", csv_text(DOSSIER_HEADER, [book_row("H44")]))
    expect(Expected("90101/dossiers/2022-02-19_sửa.csv", "loaded", 1, 1, 0, None,
                    fault="an NFD file name"))  # fmt: skip

    # 4. A symlink to a file outside the landing folder (a dossier file and a secret line)
    # and a symlinked feed folder: rejected from their listing entries, never followed.
    secret = outside / "secret.csv"
    secret.write_text(csv_text(DOSSIER_HEADER, [book_row("H45"), SECRET_LINE]), encoding="utf-8")
    (landing / "90101/dossiers/2022-02-20.csv").symlink_to(secret)
    expect(_rejected_unopened("90101/dossiers/2022-02-20.csv", "symbolic link, " + NOT_OPENED,
                              "a symlink to a file outside the landing folder"))  # fmt: skip
    elsewhere = outside / "dossiers"
    put(elsewhere, "2022-02-20.csv", csv_text(DOSSIER_HEADER, [book_row("H46"), SECRET_LINE]))
    (landing / "901").mkdir()
    (landing / "901/dossiers").symlink_to(elsewhere, target_is_directory=True)
    expect(_rejected_unopened("901/dossiers", "symbolic link, " + NOT_OPENED,
                              "a symlinked feed folder"))  # fmt: skip

    # 5. A file name that is not UTF-8 (bytes \xff\xfe), shown with its bytes escaped.
    put(landing, b"90101/dossiers/2022-02-21_\xff\xfe.csv",
        csv_text(DOSSIER_HEADER, [book_row("H47")]))  # fmt: skip
    expect(_rejected_unopened("90101/dossiers/2022-02-21_\\xff\\xfe.csv",
                              "file name is not valid UTF-8", "a name that is not UTF-8"))  # fmt: skip

    # 6. Misplaced entries, each holding a dossier row: never opened.
    misplaced = {
        "90101/dossiers/2022-02-31.csv": "bad date in file name",
        "90101/dossiers/2022-2-5.csv": "file name is not <YYYY-MM-DD>[_<suffix>]",
        "90101/dossiers/２０２２-０２-０５.csv": "file name is not <YYYY-MM-DD>[_<suffix>]",
        "90101/dossiers/2022-02-05.txt": "unknown extension .txt",
        "90101/letters/2022-02-05.csv": "unknown feed folder 'letters'",
        "90101/dossiers/old/2022-02-05.csv": "inside an unexpected folder '90101/dossiers/old/'",
        "danh_sach_nguoi_nop.csv": "not in a <unit_code>/<feed>/ folder",
    }
    for relpath, reason in misplaced.items():
        put(landing, relpath, csv_text(DOSSIER_HEADER, [book_row("H48")]))
        expect(_rejected_unopened(relpath, reason, "a misplaced file"))
    expect(_rejected_unopened("90101/dossiers/old/", "unexpected folder inside a feed folder",
                              "a folder inside a feed folder"))  # fmt: skip

    # 11. A unit folder not in units.csv: rejected unopened (tried again once registered).
    put(landing, "99999/dossiers/2022-02-10.csv", csv_text(DOSSIER_HEADER, [book_row("H49")]))
    expect(_rejected_unopened("99999/dossiers/2022-02-10.csv",
                              "unit 99999 is not in units.csv on 2022-02-10",
                              "a unit not in the registry"))  # fmt: skip

    # A FIFO: opening it for reading would block for ever; never opened.
    os.mkfifo(landing / "90101/dossiers/2022-02-22.csv")
    expect(_rejected_unopened("90101/dossiers/2022-02-22.csv", "FIFO, " + NOT_OPENED,
                              "a FIFO"))  # fmt: skip

    return HostileLanding(landing=landing, outside=outside, expected=expected)
