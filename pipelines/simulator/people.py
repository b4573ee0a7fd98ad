"""Fake applicants: names, ID numbers, phones and addresses shaped like Sóc Trăng's."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipelines.simulator import vocabulary as v

_FAMILY = [name for name, _ in v.FAMILY_NAMES]
_FAMILY_WEIGHTS = [weight for _, weight in v.FAMILY_NAMES]
# mostly 09x; 08x numbers are newer
PHONE_PREFIXES = ("091", "094", "093", "090", "096", "097", "098", "091", "094", "088", "083")

# Domains whose applicants are often businesses identified by a tax code.
BUSINESS_DOMAINS = frozenset(
    {
        "Đăng ký kinh doanh",
        "Thành lập và hoạt động của hợp tác xã",
        "Lưu thông hàng hóa trong nước",
        "An toàn thực phẩm",
    }
)


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    address: str


def person_name(rng: random.Random) -> str:
    family = rng.choices(_FAMILY, _FAMILY_WEIGHTS)[0]
    if rng.random() < 0.5:
        return f"{family} {rng.choice(v.MALE_MIDDLE)} {rng.choice(v.MALE_GIVEN)}"
    return f"{family} {rng.choice(v.FEMALE_MIDDLE)} {rng.choice(v.FEMALE_GIVEN)}"


def citizen_id(rng: random.Random) -> str:
    """12-digit citizen ID: province 094 (Sóc Trăng), century/sex digit, birth year, serial."""
    born = rng.randint(1940, 2003)
    century_sex = (0 if born < 2000 else 2) + rng.randint(0, 1)
    return f"094{century_sex}{born % 100:02d}{rng.randint(0, 999_999):06d}"


def applicant(rng: random.Random, ward_name: str, domain: str) -> Applicant:
    """An applicant of a dossier received at a desk serving `ward_name` (or the city)."""
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
    if domain in BUSINESS_DOMAINS and rng.random() < 0.4:
        name = (
            f"{rng.choice(v.BUSINESS_FORMS)} {rng.choice(v.BUSINESS_TRADES)} "
            f"{rng.choice(v.BUSINESS_NAMES)}"
        )
        # Sóc Trăng's tax codes start with 22
        id_number = f"22{rng.randint(0, 99_999_999):08d}"
    else:
        name = person_name(rng)
        old_card = rng.random() < 0.15  # the 9-digit ID card, still common in 2021
        id_number = f"365{rng.randint(0, 999_999):06d}" if old_card else citizen_id(rng)
    return Applicant(name, id_number, phone, address(rng, ward_name))


def address(rng: random.Random, ward_name: str) -> str:
    roll = rng.random()
    if roll < 0.45:
        return (
            f"{rng.randint(1, 450)} {rng.choice(v.STREETS)}, {ward_name}, "
            "thành phố Sóc Trăng, tỉnh Sóc Trăng"
        )
    if roll < 0.9:
        return f"Khóm {rng.randint(1, 9)}, {ward_name}, thành phố Sóc Trăng, tỉnh Sóc Trăng"
    district, communes = rng.choice(v.NEARBY_DISTRICTS)
    hamlet = (
        f"{rng.choice(('An', 'Tân', 'Phú', 'Hòa', 'Mỹ'))} {rng.choice(('Lợi', 'Thạnh', 'Hưng'))}"
    )
    return f"Ấp {hamlet}, xã {rng.choice(communes)}, huyện {district}, tỉnh Sóc Trăng"
