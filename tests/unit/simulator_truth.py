"""Read a landing folder back, independently of the simulator, and compute the figures the
warehouse must publish, under the semantics of the indicator contract.

Deliberately written from the contract text only (own header tables, own value names,
plain csv/json, and fastexcel for XLSX because openpyxl needs ~15 s for the scenario's
1,200 workbooks), so that it checks the simulator's files rather than echoing the
simulator's own code.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path

import fastexcel

# fastexcel logs a warning for every all-empty column it cannot type; they are expected
logging.getLogger("fastexcel").setLevel(logging.ERROR)

FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:_([A-Za-z0-9]+))?\.(csv|xlsx|jsonl)$")

# feed -> [(CSV/XLSX header, JSONL key, canonical name)], in the contract's order
CONTRACT: dict[str, list[tuple[str, str, str]]] = {
    "procedures": [
        ("Mã TTHC", "MaTTHC", "procedure_code"),
        ("Tên TTHC", "TenTTHC", "procedure_name"),
        ("Lĩnh vực", "LinhVuc", "domain"),
        ("Cấp thực hiện", "CapThucHien", "authority_level"),
        ("Mức độ DVC", "MucDo", "service_level"),
        ("Thời hạn giải quyết", "ThoiHanGiaiQuyet", "processing_days"),
        ("Có phí, lệ phí", "CoPhiLePhi", "has_fee"),
        ("Số quyết định công bố", "SoQuyetDinh", "decision_no"),
        ("Ngày công bố", "NgayCongBo", "decision_date"),
        ("Loại công bố", "LoaiCongBo", "change_type"),
        ("Ngày hiệu lực", "NgayHieuLuc", "effective_date"),
        ("Công khai", "CongKhai", "is_published"),
        ("Trạng thái", "TrangThai", "status"),
    ],
    "dossiers": [
        ("Mã hồ sơ", "MaHoSo", "dossier_code"),
        ("Mã TTHC", "MaTTHC", "procedure_code"),
        ("Kênh nộp", "KenhThucHien", "channel"),
        ("Chủ hồ sơ", "ChuHoSo", "applicant_name"),
        ("Số giấy tờ", "SoGiayToChuHoSo", "applicant_id_number"),
        ("Số điện thoại", "SoDienThoai", "applicant_phone"),
        ("Địa chỉ", "DiaChi", "applicant_address"),
        ("Ngày tiếp nhận", "NgayTiepNhan", "received_at"),
        ("Ngày hẹn trả", "NgayHenTra", "due_at"),
        ("Ngày có kết quả", "NgayKetThucXuLy", "finished_at"),
        ("Ngày trả kết quả", "NgayTra", "returned_at"),
        ("Trạng thái", "TrangThaiHoSo", "status"),
        ("Số lần bổ sung", "SoLanBoSung", "supplement_count"),
        ("Phiếu xin lỗi", "PhieuXinLoi", "apology_issued"),
        ("Thanh toán trực tuyến", "ThanhToanTrucTuyen", "paid_online"),
        ("Số hóa", "DuocSoHoa", "digitized"),
        ("Ngày cập nhật", "NgayCapNhat", "updated_at"),
        ("Lý do trễ hạn", "LyDoTreHan", "late_reason"),  # optional: older exports lack it
    ],
    "documents": [
        ("Số, ký hiệu", "SoKyHieu", "document_number"),
        ("Ngày văn bản", "NgayVanBan", "document_date"),
        ("Loại văn bản", "LoaiVanBan", "document_type"),
        ("Trích yếu", "TrichYeu", "summary"),
        ("Người ký", "NguoiKy", "signer"),
        ("Nơi nhận", "LoaiNoiNhan", "recipient_kind"),
        ("Hình thức gửi", "HinhThucGui", "send_method"),
        ("Ký số", "KySo", "digitally_signed"),
        ("Độ mật", "DoMat", "classification"),
        ("Ngày cập nhật", "NgayCapNhat", "updated_at"),
    ],
    "reports": [
        ("Kỳ báo cáo", "KyBaoCao", "period"),
        ("Mã chỉ tiêu", "MaChiTieu", "indicator_code"),
        ("Phạm vi", "PhamVi", "scope"),
        ("Tử số", "TuSo", "numerator"),
        ("Mẫu số", "MauSo", "denominator"),
        ("Tỷ lệ (%)", "TyLe", "reported_rate"),
    ],
    "staff": [
        ("Mã cán bộ", "MaCanBo", "staff_code"),
        ("Họ và tên", "HoTen", "staff_name"),
        ("Chức vụ", "ChucVu", "position"),
        ("Lãnh đạo", "LaLanhDao", "is_leader"),
        ("Hộp thư công vụ", "HopThuCongVu", "has_official_email"),
        ("Chữ ký số", "ChuKySo", "has_signing_certificate"),
        ("Trạng thái", "TrangThai", "status"),
    ],
}
# (feed, canonical name) of the columns the contract makes optional
OPTIONAL = {("dossiers", "late_reason")}


def contract_headers(feed: str, dialect: str = "book") -> tuple[list[str], list[str]]:
    """(every column, the required ones only) of a feed: the headers, or the JSONL keys."""
    k = 0 if dialect == "book" else 1
    every = [c[k] for c in CONTRACT[feed]]
    required = [c[k] for c in CONTRACT[feed] if (feed, c[2]) not in OPTIONAL]
    return every, required


NAMES: dict[str, dict[str, int | str]] = {
    "authority_level": {"Cấp tỉnh": 1, "Cấp huyện": 2, "Cấp xã": 3},
    "change_type": {"Ban hành mới": 1, "Sửa đổi, bổ sung": 2, "Thay thế": 3, "Bãi bỏ": 4},
    "status_procedures": {"Còn hiệu lực": 1, "Đã bãi bỏ": 0},
    "channel": {"Trực tiếp": 1, "Trực tuyến": 2, "Bưu chính công ích": 3},
    "status_dossiers": {
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
    },
    "recipient_kind": {"Cơ quan nhà nước": 1, "Tổ chức, cá nhân": 2},
    "send_method": {"Điện tử": 1, "Giấy": 2, "Điện tử và giấy": 3},
    "classification": {"Thường": 0, "Mật": 1, "Tối mật": 2, "Tuyệt mật": 3},
    "scope": {"Đơn vị": "self", "Địa bàn": "area", "self": "self", "area": "area"},
    "status_staff": {"Đang công tác": 1, "Đã nghỉ": 0},
}
CODED = {"authority_level", "change_type", "channel", "recipient_kind", "send_method"}
CODED |= {"classification", "status"}
BOOLS = {"has_fee", "is_published", "apology_issued", "paid_online", "digitized"}
BOOLS |= {"digitally_signed", "is_leader", "has_official_email", "has_signing_certificate"}
DATES = {"decision_date", "effective_date", "document_date"}
TIMES = {"received_at", "due_at", "finished_at", "returned_at", "updated_at"}
INTS = {"processing_days", "supplement_count"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def header_key(text: str) -> str:
    return nfc(text).strip().casefold()


@dataclass
class DeliveredFile:
    unit: str
    feed: str
    export_date: date
    suffix: str | None
    fmt: str
    path: Path


def read_units(landing: Path) -> list[dict]:
    with open(landing / "units.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def delivered_files(landing: Path) -> list[DeliveredFile]:
    out = []
    for path in sorted(landing.glob("*/*/*")):
        unit, feed = path.parent.parent.name, path.parent.name
        m = FILE_NAME.match(path.name)
        if not m:
            raise AssertionError(f"file name off contract: {path}")
        out.append(DeliveredFile(unit, feed, date.fromisoformat(m[1]), m[2], m[3], path))
    return out


def raw_records(f: DeliveredFile, encoding: str) -> tuple[list[str], list[dict]]:
    """(header as delivered, records keyed by canonical name with raw cell values)."""
    header, numbered = numbered_records(f, encoding)
    return header, [record for _, record in numbered]


def numbered_records(f: DeliveredFile, encoding: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """raw_records with each record's row number as an operator sees it (CSV/XLSX header
    row 1, JSONL line 1 = row 1)."""
    if f.fmt == "jsonl":
        by_key = {key: name for _, key, name in CONTRACT[f.feed]}
        lines = f.path.read_text("utf-8").splitlines()
        objs = [(n, json.loads(line)) for n, line in enumerate(lines, start=1) if line.strip()]
        header = list(objs[0][1]) if objs else []
        return header, [(n, {by_key[k]: v for k, v in o.items()}) for n, o in objs]
    by_header = {header_key(h): name for h, _, name in CONTRACT[f.feed]}
    if f.fmt == "csv":
        text = f.path.read_bytes().decode(encoding)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header, body = [nfc(h) for h in rows[0]], rows[1:]
    else:
        sheet = fastexcel.read_excel(f.path).load_sheet(0, header_row=0)  # first sheet
        header = [nfc(c.name) for c in sheet.available_columns()]
        body = [list(r.values()) for r in sheet.to_arrow().to_pylist()]
    names = [by_header[header_key(h)] for h in header]
    records = []
    for number, row in enumerate(body, start=2):
        records.append(
            (
                number,
                {n: (nfc(v) if isinstance(v, str) else v) for n, v in zip(names, row, strict=True)},
            )
        )
    return header, records


_BOOK_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _when(value) -> datetime | None:
    """A date or timestamp in either dialect (strptime is too slow for 100k rows)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if len(text) == 14 and text.isdigit():
        parts = (text[:4], text[4:6], text[6:8], text[8:10], text[10:12], text[12:])
        return datetime(*map(int, parts))
    m = _BOOK_TIME.fullmatch(text)
    if not m:
        raise ValueError(f"unparseable date {value!r}")
    day, month, year, hour, minute, second = m.groups()
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
    )


def vn_number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    return Decimal(str(value).replace(".", "").replace(",", "."))


def parse(feed: str, record: dict) -> dict:
    out = {}
    for name, value in record.items():
        if value == "":
            value = None
        if value is None:
            out[name] = None
        elif name == "status":
            names = NAMES[f"status_{feed}"]
            out[name] = value if isinstance(value, int) else names[value]
        elif name == "scope":
            out[name] = NAMES["scope"][value]
        elif name in CODED:
            out[name] = value if isinstance(value, int) else NAMES[name][value]
        elif name in BOOLS:
            out[name] = value if isinstance(value, bool) else {"Có": True, "Không": False}[value]
        elif name in TIMES:
            out[name] = _when(value)
        elif name in DATES:
            out[name] = _when(value).date()
        elif name in INTS:
            out[name] = int(float(value))
        elif name in ("numerator", "denominator", "reported_rate"):
            out[name] = vn_number(value)
        elif name == "service_level":
            out[name] = {"MP": "partial", "Một phần": "partial", "3": "partial"}.get(
                str(value), {"TT": "full", "Toàn trình": "full", "4": "full"}.get(str(value))
            ) or ("none" if str(value) in ("1", "2") else f"?{value}")
        else:
            out[name] = value
    return out


def rate(n: int, d: int) -> Decimal | None:
    if not d:
        return None
    return (Decimal(100) * n / Decimal(d)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class UnitLogs:
    code: str
    snapshots: list[tuple[date, dict[str, dict]]] = field(default_factory=list)
    dossier_rows: list[tuple[date, dict]] = field(default_factory=list)
    document_rows: list[dict] = field(default_factory=list)
    report_rows: list[dict] = field(default_factory=list)
    staff_snapshots: list[tuple[date, dict[str, dict]]] = field(default_factory=list)

    def staff_on(self, d: date) -> dict[str, dict]:
        """The staff list as it stood on d: the latest snapshot exported on or before d."""
        current: dict[str, dict] = {}
        for day, snap in self.staff_snapshots:
            if day <= d:
                current = snap
        return current

    def catalogue_on(self, d: date) -> dict[str, dict]:
        current: dict[str, dict] = {}
        for day, snap in self.snapshots:
            if day <= d:
                current = snap
        return current

    def active_on(self, d: date) -> list[dict]:
        return [
            p
            for p in self.catalogue_on(d).values()
            if p["status"] == 1 and not (p["change_type"] == 4 and p["effective_date"] <= d)
        ]

    @cached_property
    def latest_dossiers(self) -> dict[str, dict]:
        latest: dict[str, dict] = {}
        for _, row in self.dossier_rows:
            seen = latest.get(row["dossier_code"])
            if seen is None or row["updated_at"] > seen["updated_at"]:
                latest[row["dossier_code"]] = row
        return latest

    @cached_property
    def latest_documents(self) -> dict[tuple[str, int], dict]:
        latest: dict[tuple[str, int], dict] = {}
        for row in self.document_rows:
            key = (row["document_number"], row["document_date"].year)
            if key not in latest or row["updated_at"] > latest[key]["updated_at"]:
                latest[key] = row
        return latest


def read_landing(
    landing: Path,
    skip_files: set[str] = frozenset(),
    skip_rows: set[tuple[str, int]] = frozenset(),
) -> dict[str, UnitLogs]:
    """Every unit's logs. `skip_files` (paths relative to the landing folder) and
    `skip_rows` ((path, row number)) leave out what a warehouse could not load."""
    units = {u["unit_code"]: u for u in read_units(landing)}
    logs = {code: UnitLogs(code) for code in units}
    snaps: dict[str, dict[date, dict[str, dict]]] = defaultdict(dict)
    staff: dict[str, dict[date, dict[str, dict]]] = defaultdict(dict)
    for f in delivered_files(landing):
        relpath = f.path.relative_to(landing).as_posix()
        if relpath in skip_files:
            continue
        _, numbered = numbered_records(f, units[f.unit]["csv_encoding"])
        rows = [parse(f.feed, r) for n, r in numbered if (relpath, n) not in skip_rows]
        unit = logs[f.unit]
        if f.feed == "procedures":
            snaps[f.unit].setdefault(f.export_date, {}).update(
                {r["procedure_code"]: r for r in rows}
            )
        elif f.feed == "dossiers":
            unit.dossier_rows.extend((f.export_date, r) for r in rows)
        elif f.feed == "documents":
            unit.document_rows.extend(rows)
        elif f.feed == "staff":
            staff[f.unit].setdefault(f.export_date, {}).update({r["staff_code"]: r for r in rows})
        else:
            unit.report_rows.extend(rows)
    for code, by_day in snaps.items():
        logs[code].snapshots = sorted(by_day.items())
    for code, by_day in staff.items():
        logs[code].staff_snapshots = sorted(by_day.items())
    return logs


def _months(period: str) -> tuple[date, date]:
    year, _, part = period.partition("-")
    y = int(year)
    if not part:
        first, last = 1, 12
    elif part.startswith("Q"):
        q = int(part[1:])
        first, last = 3 * q - 2, 3 * q
    else:
        first = last = int(part)
    end = date(y + (last == 12), last % 12 + 1, 1)
    return date(y, first, 1), date.fromordinal(end.toordinal() - 1)


def unit_figures(logs: UnitLogs, period: str) -> dict[str, tuple[int, int | None]]:
    """Every indicator of one unit (self scope) for one period, from its files."""
    start, end = _months(period)
    c: Counter[str] = Counter()

    active = logs.active_on(end)
    c["proc_active"] = len(active)
    c["proc_published"] = sum(bool(p["is_published"]) for p in active)
    c["proc_partial"] = sum(p["service_level"] == "partial" for p in active)
    c["proc_full"] = sum(p["service_level"] == "full" for p in active)
    events = {
        (p["procedure_code"], p["decision_date"], p["change_type"] == 4)
        for _, snap in logs.snapshots
        for p in snap.values()
        if p["decision_date"] and start <= p["decision_date"] <= end
    }
    c["proc_changed"] = sum(not abolished for *_, abolished in events)
    c["proc_abolished"] = sum(abolished for *_, abolished in events)

    for d in logs.latest_dossiers.values():
        if d["status"] in (1, 3, 7):
            continue
        received = d["received_at"]
        if received and start <= received.date() <= end:
            c["received"] += 1
            level = logs.catalogue_on(received.date())[d["procedure_code"]]["service_level"]
            if level in ("partial", "full"):
                c[f"received_{level}"] += 1
                c[f"received_{level}_online"] += d["channel"] == 2
            c["digitized"] += bool(d["digitized"])
        finished = d["finished_at"]
        if d["status"] in (8, 9, 10) and finished and start <= finished.date() <= end:
            c["finished"] += 1
            if finished.date() <= d["due_at"].date():
                c["ontime"] += 1
            else:
                c["late"] += 1
                c["late_apology"] += bool(d["apology_issued"])
            proc = logs.catalogue_on(received.date())[d["procedure_code"]]
            if proc["has_fee"]:
                c["fee_finished"] += 1
                c["paid_online"] += bool(d["paid_online"])

    for doc in logs.latest_documents.values():
        counted = doc["recipient_kind"] == 1 and doc["classification"] == 0
        if counted and start <= doc["document_date"] <= end:
            c["doc_sent"] += 1
            c["doc_electronic"] += doc["send_method"] == 1
            c["doc_signed"] += bool(doc["digitally_signed"])

    serving = [p for p in logs.staff_on(end).values() if p["status"] == 1]
    leaders = [p for p in serving if p["is_leader"]]
    c["staff_serving"] = len(serving)
    c["staff_email"] = sum(bool(p["has_official_email"]) for p in serving)
    c["staff_leaders"] = len(leaders)
    c["staff_leader_signing"] = sum(bool(p["has_signing_certificate"]) for p in leaders)

    spec = {
        "PROC_TOTAL": ("proc_active", None),
        "PROC_CHANGED": ("proc_changed", None),
        "PROC_ABOLISHED": ("proc_abolished", None),
        "PROC_PUBLISHED_RATE": ("proc_published", "proc_active"),
        "PROC_ONLINE_PARTIAL": ("proc_partial", None),
        "PROC_ONLINE_FULL": ("proc_full", None),
        "DOSSIER_RECEIVED": ("received", None),
        "DOSSIER_FINISHED": ("finished", None),
        "DOSSIER_ONTIME": ("ontime", None),
        "DOSSIER_LATE": ("late", None),
        "DOSSIER_ONTIME_RATE": ("ontime", "finished"),
        "DOSSIER_ONLINE_RATE_PARTIAL": ("received_partial_online", "received_partial"),
        "DOSSIER_ONLINE_RATE_FULL": ("received_full_online", "received_full"),
        "DOSSIER_APOLOGY_RATE": ("late_apology", "late"),
        "DOSSIER_PAID_ONLINE_RATE": ("paid_online", "fee_finished"),
        "DOSSIER_DIGITIZED_RATE": ("digitized", "received"),
        "DOC_SENT": ("doc_sent", None),
        "DOC_ELECTRONIC": ("doc_electronic", None),
        "DOC_ELECTRONIC_RATE": ("doc_electronic", "doc_sent"),
        "DOC_SIGNED_RATE": ("doc_signed", "doc_sent"),
        "STAFF_EMAIL_RATE": ("staff_email", "staff_serving"),
        "STAFF_LEADER_SIGNING_RATE": ("staff_leader_signing", "staff_leaders"),
    }
    return {code: (c[n], None if d is None else c[d]) for code, (n, d) in spec.items()}


def late_dossiers(logs: UnitLogs, period: str) -> list[dict]:
    """The unit's dossiers finished late in the period (current state), with their reason
    (None when blank or when the unit's exports have no such column)."""
    start, end = _months(period)
    out = []
    for d in logs.latest_dossiers.values():
        finished = d["finished_at"]
        if d["status"] not in (8, 9, 10) or not finished or not start <= finished.date() <= end:
            continue
        if finished.date() > d["due_at"].date():
            reason = (d.get("late_reason") or "").strip() or None
            out.append({**d, "late_reason": reason})
    return sorted(out, key=lambda d: d["dossier_code"])


def late_reasons(units: list[UnitLogs], period: str) -> Counter:
    """Late dossiers by reason (None: none given) over the units, for the period."""
    return Counter(d["late_reason"] for u in units for d in late_dossiers(u, period))
