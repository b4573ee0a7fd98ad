"""The GSO lists bundled in `vietnamadminunits` (PyPI, MIT), read from the package's own
files: `data/dataset.db` (SQLite: `admin_units_legacy`, the 63 provinces, their districts
and communes as they stood on 30 June 2025; `admin_units`, the 34 provinces and their
communes from 1 July 2025) and `data/converter_2025.json` (the old-to-new map: which old
provinces make each new one, the old communes that passed whole into one new commune, and
the divided ones, listed apart with every new commune that got a part).

The package itself is not imported: its `__init__` pulls in a geocoder and shapely, and
nothing here needs them. Only its files are read, from where the installed package is, so
nothing is ever downloaded. The map names units by the package's keys (the name without
accents or spaces, e.g. `tinhsoctrang_thanhphosoctrang_phuong2`); this module resolves them
to GSO codes.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = "vietnamadminunits"


@dataclass(frozen=True)
class GsoUnit:
    code: str
    name: str  # NFC
    parent_code: str | None  # the district of an old commune, the province of a district
    # or of a new commune; None for a province


@dataclass(frozen=True)
class GsoData:
    old_provinces: dict[str, GsoUnit]  # by code
    old_districts: dict[str, GsoUnit]
    old_wards: dict[str, GsoUnit]
    new_provinces: dict[str, GsoUnit]
    new_wards: dict[str, GsoUnit]
    # new province code -> the old province codes it was formed from
    province_map: dict[str, tuple[str, ...]]
    # old commune code -> new commune codes it passed into and how: 'whole' or 'part'
    ward_map: dict[str, tuple[tuple[str, str], ...]]
    # old district without communes (an island district) -> the new commune it became
    district_map: dict[str, str]


def data_dir() -> Path:
    """The installed package's data folder, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the package {PACKAGE!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


@cache
def load(folder: Path | None = None) -> GsoData:
    folder = Path(folder) if folder else data_dir()
    with sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True) as db:
        legacy = db.execute(
            "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey, "
            "wardCode, ward, wardKey FROM admin_units_legacy"
        ).fetchall()
        current = db.execute(
            "SELECT provinceCode, province, provinceKey, wardCode, ward, wardKey FROM admin_units"
        ).fetchall()
    converter = json.loads((folder / "converter_2025.json").read_text("utf-8"))

    old_provinces: dict[str, GsoUnit] = {}
    old_districts: dict[str, GsoUnit] = {}
    old_wards: dict[str, GsoUnit] = {}
    old_province_key: dict[str, str] = {}
    old_key: dict[str, tuple[str, str | None]] = {}  # 'p_d_w' -> (district code, ward code)
    for p_code, p_name, p_key, d_code, d_name, d_key, w_code, w_name, w_key in legacy:
        old_provinces[p_code] = GsoUnit(p_code, _nfc(p_name), None)
        old_province_key[p_key] = p_code
        old_districts[d_code] = GsoUnit(d_code, _nfc(d_name), p_code)
        if w_code:
            old_wards[w_code] = GsoUnit(w_code, _nfc(w_name), d_code)
        old_key[f"{p_key}_{d_key}_{w_key or ''}"] = (d_code, w_code)

    new_provinces: dict[str, GsoUnit] = {}
    new_wards: dict[str, GsoUnit] = {}
    new_province_key: dict[str, str] = {}
    new_ward_key: dict[tuple[str, str], str] = {}  # (province key, ward key) -> ward code
    for p_code, p_name, p_key, w_code, w_name, w_key in current:
        new_provinces[p_code] = GsoUnit(p_code, _nfc(p_name), None)
        new_province_key[p_key] = p_code
        new_wards[w_code] = GsoUnit(w_code, _nfc(w_name), p_code)
        new_ward_key[(p_key, w_key)] = w_code

    province_map = {
        new_province_key[new]: tuple(old_province_key[o] for o in olds)
        for new, olds in converter["DICT_PROVINCE"].items()
    }
    ward_map: dict[str, list[tuple[str, str]]] = {}
    district_map: dict[str, str] = {}
    for p_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for w_key, olds in wards.items():
            new_code = new_ward_key[(p_key, w_key)]
            for o in olds:
                d_code, w_code = old_key[o]
                if w_code is None:
                    district_map[d_code] = new_code
                else:
                    ward_map.setdefault(w_code, []).append((new_code, "whole"))
    for p_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, parts in divided.items():
            _d_code, w_code = old_key[o]
            for part in parts:
                new_code = new_ward_key[(p_key, part["newWardKey"])]
                ward_map.setdefault(w_code, []).append((new_code, "part"))
    return GsoData(
        old_provinces=old_provinces,
        old_districts=old_districts,
        old_wards=old_wards,
        new_provinces=new_provinces,
        new_wards=new_wards,
        province_map=province_map,
        ward_map={code: tuple(targets) for code, targets in ward_map.items()},
        district_map=district_map,
    )
