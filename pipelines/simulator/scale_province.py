"""The province of the scale scenario: its units, the dialect each one writes, its desk
volumes, and the public desks' working days.

Units are Sóc Trăng's districts (cấp huyện, written as `city` units with 3-digit codes) and
about ten wards and communes under each (cấp xã, `ward` units with 5-digit codes). Every
unit writes its files in one of the sample scenario's dialects (`soc-trang-2021`: the
district desks run the provincial sync API, most wards keep CSV books in one of the three
encodings, some keep Excel books, one in ten syncs), and some CSV books use `;` as Excel in
a Vietnamese locale does.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np

from pipelines.simulator.common import EPOCH_ORDINAL
from pipelines.simulator.scenarios import soc_trang_2021
from pipelines.simulator.specs import UnitSpec

PROVINCE = "tỉnh Sóc Trăng"
WARDS_PER_DISTRICT = 10  # about; the last districts take what is left
# relative desk size of a district against a ward, before the spread between units
DISTRICT_WEIGHT = 2.5

# (GSO code, name, its wards and communes); beyond these the province grows synthetic ones
DISTRICTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("941", "Thành phố Sóc Trăng", tuple(f"Phường {n}" for n in range(1, 11))),
    (
        "942",
        "Huyện Châu Thành",
        ("Thị trấn Châu Thành", "Xã Hồ Đắc Kiện", "Xã Phú Tâm", "Xã Thuận Hòa", "Xã Phú Tân")
        + ("Xã Thiện Mỹ", "Xã An Hiệp", "Xã An Ninh"),
    ),
    (
        "943",
        "Huyện Kế Sách",
        ("Thị trấn Kế Sách", "Thị trấn An Lạc Thôn", "Xã Xuân Hòa", "Xã Phong Nẫm")
        + ("Xã An Lạc Tây", "Xã Trinh Phú", "Xã Ba Trinh", "Xã Thới An Hội", "Xã Nhơn Mỹ")
        + ("Xã Kế Thành", "Xã Kế An", "Xã Đại Hải", "Xã An Mỹ"),
    ),
    (
        "944",
        "Huyện Mỹ Tú",
        ("Thị trấn Huỳnh Hữu Nghĩa", "Xã Long Hưng", "Xã Hưng Phú", "Xã Mỹ Hương")
        + ("Xã Mỹ Tú", "Xã Mỹ Phước", "Xã Thuận Hưng", "Xã Mỹ Thuận", "Xã Phú Mỹ"),
    ),
    (
        "945",
        "Huyện Cù Lao Dung",
        ("Thị trấn Cù Lao Dung", "Xã An Thạnh 1", "Xã An Thạnh Tây", "Xã An Thạnh Đông")
        + ("Xã Đại Ân 1", "Xã An Thạnh 2", "Xã An Thạnh 3", "Xã An Thạnh Nam"),
    ),
    (
        "946",
        "Huyện Long Phú",
        ("Thị trấn Long Phú", "Xã Song Phụng", "Thị trấn Đại Ngãi", "Xã Hậu Thạnh")
        + ("Xã Long Đức", "Xã Trường Khánh", "Xã Phú Hữu", "Xã Tân Hưng", "Xã Châu Khánh")
        + ("Xã Tân Thạnh", "Xã Long Phú"),
    ),
    (
        "947",
        "Huyện Mỹ Xuyên",
        ("Thị trấn Mỹ Xuyên", "Xã Đại Tâm", "Xã Tham Đôn", "Xã Thạnh Phú", "Xã Ngọc Đông")
        + ("Xã Thạnh Quới", "Xã Hòa Tú 1", "Xã Gia Hòa 1", "Xã Ngọc Tố", "Xã Gia Hòa 2")
        + ("Xã Hòa Tú II",),
    ),
    (
        "948",
        "Thị xã Ngã Năm",
        ("Phường 1", "Phường 2", "Phường 3", "Xã Vĩnh Quới", "Xã Tân Long", "Xã Long Bình")
        + ("Xã Mỹ Bình", "Xã Mỹ Quới"),
    ),
    (
        "949",
        "Huyện Thạnh Trị",
        ("Thị trấn Phú Lộc", "Thị trấn Hưng Lợi", "Xã Lâm Tân", "Xã Thạnh Tân", "Xã Lâm Kiết")
        + ("Xã Tuân Tức", "Xã Vĩnh Thành", "Xã Thạnh Trị", "Xã Vĩnh Lợi", "Xã Châu Hưng"),
    ),
    (
        "950",
        "Thị xã Vĩnh Châu",
        ("Phường 1", "Phường 2", "Xã Vĩnh Phước", "Xã Khánh Hòa", "Xã Vĩnh Hiệp")
        + ("Xã Hòa Đông", "Xã Vĩnh Hải", "Xã Lạc Hòa", "Xã Lai Hòa", "Xã Vĩnh Tân"),
    ),
    (
        "951",
        "Huyện Trần Đề",
        ("Thị trấn Trần Đề", "Thị trấn Lịch Hội Thượng", "Xã Liêu Tú", "Xã Lịch Hội Thượng")
        + ("Xã Trung Bình", "Xã Tài Văn", "Xã Viên An", "Xã Thạnh Thới An")
        + ("Xã Thạnh Thới Thuận", "Xã Viên Bình", "Xã Đại Ân 2"),
    ),
)
_NAME_PARTS = (
    ("An", "Tân", "Phú", "Hòa", "Mỹ", "Long", "Thạnh", "Vĩnh", "Hưng", "Thuận"),
    ("Lợi", "Thạnh", "Hưng", "Bình", "Phước", "Hiệp", "Thuận", "Đông", "Tây", "Khánh"),
)
FIRST_WARD_CODE = 31471  # GSO commune codes of the province start about here, in steps of 3


@dataclass(frozen=True)
class ScaleUnit:
    """One unit of the province: its spec (identity and dialect, as the sample's units) and
    what the scale generator needs besides."""

    spec: UnitSpec
    separator: str  # CSV field separator: ',' or ';'
    size: float  # desk volume relative to the province's mean unit (mean 1)
    district: str  # name of the district, for applicants' addresses
    places: tuple[str, ...]  # where the desk's applicants live: the ward, or the district's
    code_prefix: str  # dossier codes are <prefix>-<yymmdd>-<seq>
    code_width: int  # digits of the day's sequence number

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def level(self) -> str:
        return self.spec.level


def stable_seed(*parts: object) -> int:
    """A 128-bit seed from the parts' text: the same in every process and on every run."""
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "little")


def numpy_rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(stable_seed(*parts))


def _district_names(n: int) -> list[tuple[str, str, tuple[str, ...]]]:
    out = list(DISTRICTS[:n])
    for k in range(len(out), n):
        a, b = _NAME_PARTS[0][k % 10], _NAME_PARTS[1][(k // 10 + k) % 10]
        out.append((str(941 + k), f"Huyện {a} {b} {k - len(DISTRICTS) + 1}", ()))
    return out


def _ward_names(real: tuple[str, ...], n: int) -> list[str]:
    names = list(real[:n])
    k = 0
    while len(names) < n:
        a, b = _NAME_PARTS[0][k % 10], _NAME_PARTS[1][(k // 10 + 3 * k) % 10]
        name = f"Xã {a} {b}"
        if name in names:
            name = f"{name} {k // 100 + 2}"
        if name not in names:
            names.append(name)
        k += 1
    return names


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def lowercase_kind(name: str) -> str:
    """'Huyện Châu Thành' -> 'huyện Châu Thành', as inside an address."""
    for kind in ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Xã", "Phường"):
        if name.startswith(kind + " "):
            return kind.lower() + name[len(kind) :]
    return name


# What the sample's units have that the province at scale does not write: the late-reason
# column of the dossier books, and the staff lists.
_SAMPLE_ONLY = {"optional_columns": (), "late_reasons": (), "staff": None}


@cache
def province_units(units: int, seed: int) -> tuple[ScaleUnit, ...]:
    """The registry: districts first, each followed by its wards."""
    if units < 1:
        raise ValueError("a province has at least one unit")
    n_districts = max(1, round(units / (WARDS_PER_DISTRICT + 1)))
    if n_districts > 59:
        raise ValueError("at most 59 districts (3-digit codes 941-999): fewer units")
    ward_counts = _split(units - n_districts, n_districts)
    sample = soc_trang_2021()
    city_dialect = sample.units[0]
    ward_dialects = list(sample.units[1:])  # ten wards: six CSV, three Excel, one sync API
    rng = random.Random(f"{seed}:scale-province")
    nprng = numpy_rng(seed, "scale-province-sizes")

    out: list[ScaleUnit] = []
    ward_no = 0
    for d, ((code, name, real_wards), n_wards) in enumerate(
        zip(_district_names(n_districts), ward_counts, strict=True)
    ):
        ward_names = _ward_names(real_wards, n_wards)
        district_place = lowercase_kind(name)
        spec = replace(
            city_dialect,
            code=code,
            name=name,
            dossier_code=f"000.00.{d + 10:02d}.H60-{{ymd}}-{{seq:04d}}",
            **_SAMPLE_ONLY,
        )
        out.append(
            ScaleUnit(
                spec=spec,
                separator=",",
                size=DISTRICT_WEIGHT * float(nprng.lognormal(0.0, 0.2)),
                district=district_place,
                places=tuple(ward_names) or (name,),
                code_prefix=f"000.00.{d + 10:02d}.H60",
                code_width=4,
            )
        )
        # each district's wards take the sample's ten dialects in a shuffled order
        dialects = []
        while len(dialects) < n_wards:
            batch = list(ward_dialects)
            rng.shuffle(batch)
            dialects.extend(batch)
        for w, (ward_name, dialect) in enumerate(zip(ward_names, dialects, strict=False)):
            ward_code = str(FIRST_WARD_CODE + 3 * ward_no)
            ward_no += 1
            api = dialect.formats["dossiers"] == "jsonl"
            prefix = f"000.{w + 1:02d}.{d + 10:02d}.H60" if api else f"HS{ward_code}"
            spec = replace(
                dialect,
                code=ward_code,
                name=ward_name,
                parent=code,
                dossier_code=prefix + "-{ymd}-{seq:04d}",
                split_dossier_days=(),
                **_SAMPLE_ONLY,
            )
            csv_books = "csv" in (dialect.formats["dossiers"], dialect.formats["documents"])
            # Excel on a Vietnamese Windows saves CSV with ';': about a third of CSV books
            separator = ";" if csv_books and rng.random() < 0.3 else ","
            out.append(
                ScaleUnit(
                    spec=spec,
                    separator=separator,
                    size=float(nprng.lognormal(0.0, 0.35)),
                    district=district_place,
                    places=(ward_name,),
                    code_prefix=prefix,
                    code_width=4,
                )
            )
    mean = sum(u.size for u in out) / len(out)
    return tuple(replace(u, size=u.size / mean) for u in out)


class Workdays:
    """Working days of the public desks (Monday to Friday less Vietnam's public holidays,
    as the `holidays` package has them: the warehouse reads its calendar from the same
    package) as day numbers since 1970, from the first day to well beyond the last."""

    def __init__(self, first: date, last: date):
        self.first, self.last = first, last
        beyond = last + timedelta(days=400)  # appointments and results after the last day
        off = set(holidays.country_holidays("VN", years=range(first.year, beyond.year + 1)))
        days = []
        d = first
        while d <= beyond:
            if d.weekday() < 5 and d not in off:
                days.append(d.toordinal() - EPOCH_ORDINAL)
            d += timedelta(days=1)
        self.days = np.array(days, dtype=np.int64)
        self.first_day = first.toordinal() - EPOCH_ORDINAL
        self.last_day = last.toordinal() - EPOCH_ORDINAL
        # working days inside [first, last]: positions 0 .. n_in - 1
        self.n_in = int(np.searchsorted(self.days, self.last_day, side="right"))

    def index(self, day: int) -> int:
        """Position of the first working day on or after `day` (a day number)."""
        return int(np.searchsorted(self.days, day, side="left"))

    def date(self, position: int) -> date:
        return date.fromordinal(int(self.days[position]) + EPOCH_ORDINAL)
