"""Applicants for many dossiers at once: the shapes of `people.py`, drawn as arrays."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.simulator import vocabulary as v
from pipelines.simulator.common import concat
from pipelines.simulator.people import PHONE_PREFIXES
from pipelines.simulator.scale_province import PROVINCE

_FAMILY = [name for name, _ in v.FAMILY_NAMES]
_FAMILY_P = np.array([w for _, w in v.FAMILY_NAMES], dtype=float)
_FAMILY_P /= _FAMILY_P.sum()
_NEARBY_COMMUNES = [c for _, communes in v.NEARBY_DISTRICTS for c in communes[:4]]
_HAMLETS = [f"{a} {b}" for a in ("An", "Tân", "Phú", "Hòa", "Mỹ") for b in ("Lợi", "Thạnh", "Hưng")]


def _pick(rng: np.random.Generator, words, n: int) -> pl.Series:
    return pl.Series(list(words)).gather(rng.integers(0, len(words), n))


def _digits(rng: np.random.Generator, n: int, width: int) -> pl.Series:
    return pl.Series(rng.integers(0, 10**width, n)).cast(pl.String).str.zfill(width)


def _choose(mask: np.ndarray, yes: pl.Series, no: pl.Series) -> pl.Series:
    return pl.select(pl.when(pl.Series(mask)).then(yes).otherwise(no)).to_series()


def applicants(
    rng: np.random.Generator,
    business: np.ndarray,
    places: tuple[str, ...],
    district: str,
) -> pl.DataFrame:
    """Name, ID number, phone and address of each dossier's applicant; `business` marks the
    dossiers filed by a business (identified by its tax code), `places` the wards or
    communes the desk's applicants live in, `district` their district as in an address."""
    n = len(business)
    male = rng.random(n) < 0.5
    family = pl.Series(_FAMILY).gather(rng.choice(len(_FAMILY), n, p=_FAMILY_P))
    middle = _choose(male, _pick(rng, v.MALE_MIDDLE, n), _pick(rng, v.FEMALE_MIDDLE, n))
    given = _choose(male, _pick(rng, v.MALE_GIVEN, n), _pick(rng, v.FEMALE_GIVEN, n))
    person = concat([family, middle, given], separator=" ")
    company = concat(
        [
            _pick(rng, v.BUSINESS_FORMS, n),
            _pick(rng, v.BUSINESS_TRADES, n),
            _pick(rng, v.BUSINESS_NAMES, n),
        ],
        separator=" ",
    )

    # 12-digit citizen ID: province 094, century/sex digit, birth year, serial; the 9-digit
    # ID card (still common in 2021); Sóc Trăng's tax codes start with 22
    born = rng.integers(1940, 2004, n)
    century_sex = np.where(born < 2000, 0, 2) + rng.integers(0, 2, n)
    citizen = concat(
        [
            pl.lit("094"),
            pl.Series(century_sex).cast(pl.String),
            pl.Series(born % 100).cast(pl.String).str.zfill(2),
            _digits(rng, n, 6),
        ]
    )
    old_card = concat([pl.lit("365"), _digits(rng, n, 6)])
    tax_code = concat([pl.lit("22"), _digits(rng, n, 8)])
    old = rng.random(n) < 0.15
    id_number = _choose(business, tax_code, _choose(old, old_card, citizen))
    phone = concat([_pick(rng, PHONE_PREFIXES, n), _digits(rng, n, 7)])

    place = _pick(rng, places, n)
    where = concat([place, pl.lit(f", {district}, {PROVINCE}")])
    roll = rng.random(n)
    urban = place.str.starts_with("Phường") | place.str.starts_with("Thị trấn")
    street = concat(
        [
            pl.Series(rng.integers(1, 451, n)).cast(pl.String),
            pl.lit(" "),
            _pick(rng, v.STREETS, n),
            pl.lit(", "),
            where,
        ]
    )
    hamlet = pl.select(
        pl.when(urban)
        .then(concat([pl.lit("Khóm "), pl.Series(rng.integers(1, 10, n)).cast(pl.String)]))
        .otherwise(concat([pl.lit("Ấp "), _pick(rng, _HAMLETS, n)]))
    ).to_series()
    local = concat([hamlet, pl.lit(", "), where])
    nearby = rng.integers(0, len(v.NEARBY_DISTRICTS), n)
    commune = pl.Series(_NEARBY_COMMUNES).gather(nearby * 4 + rng.integers(0, 4, n))
    elsewhere = concat(
        [
            pl.lit("Ấp "),
            _pick(rng, _HAMLETS, n),
            pl.lit(", xã "),
            commune,
            pl.lit(", huyện "),
            pl.Series([d for d, _ in v.NEARBY_DISTRICTS]).gather(nearby),
            pl.lit(f", {PROVINCE}"),
        ]
    )
    # a street address in a town; a khóm (town) or ấp (countryside); someone from nearby
    on_street = (roll < 0.45) & urban.to_numpy()
    address = _choose(on_street, street, _choose(roll < 0.9, local, elsewhere))
    return pl.DataFrame(
        {
            "applicant_name": _choose(business, company, person),
            "applicant_id_number": id_number,
            "applicant_phone": phone,
            "applicant_address": address,
        }
    )
