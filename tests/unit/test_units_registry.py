"""`par units`: a province's registry across the 1 July 2025 reform, built from the GSO
lists of the vietnamadminunits package (1.0.4), checked against the package's own counts
and against rows worked out by hand from its lists, and loaded by the project's own
registry validation with nothing set aside."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest

from pipelines.cli import main
from pipelines.lib.landing import read_registry, read_successions
from pipelines.registry import REFORM_DAY, build_registry, write_registry
from pipelines.registry.build import Succession, UnitRow
from pipelines.registry.gso_data import load
from pipelines.settings import Settings

OLD_FROM = date(2020, 1, 1)
LAST_OLD = date(2025, 6, 30)


@pytest.fixture(scope="module")
def all_provinces():
    return {code: build_registry(code, old_valid_from=OLD_FROM) for code in load().new_provinces}


@pytest.fixture(scope="module")
def can_tho(all_provinces):
    return all_provinces["92"]


def test_the_package_counts(all_provinces):
    # The package's lists: 63 provinces, 696 districts and 10,040 rows of communes before
    # the reform, of which 5 are island districts without communes (Bạch Long Vĩ, Cồn Cỏ,
    # Hoàng Sa, Lý Sơn, Côn Đảo): 10,035 communes; 34 provinces and 3,321 communes after.
    # Every one of them is in exactly one province's registry.
    old = Counter()
    new = Counter()
    for registry in all_provinces.values():
        for row in registry.units:
            if row.valid_from == OLD_FROM:
                old[row.unit_level] += 1
            if row.valid_to is None:
                new[row.unit_level] += 1
    assert old == {"province": 63, "city": 696, "ward": 10_035}
    assert new == {"province": 34, "ward": 3_321}
    # Of the 63 old provinces, 27 kept their code and name and continue in one open row
    # (both counters count them); the 7 new provinces that reuse another's code (Lào Cai
    # with Yên Bái's 15, ...) start a row of their own on 1 July 2025.
    continuing = sum(
        1
        for r in all_provinces.values()
        for row in r.units
        if row.unit_level == "province" and row.valid_to is None and row.valid_from == OLD_FROM
    )
    assert continuing == 27


def test_every_province_loads_with_nothing_set_aside(all_provinces, tmp_path):
    for code, registry in all_provinces.items():
        folder = tmp_path / code
        write_registry(registry, folder)
        units = read_registry(folder)
        assert units.status == "loaded" and units.set_aside == [], (code, units.set_aside[:3])
        assert units.rows_loaded == len(registry.units)
        successions = read_successions(folder, units.rows)
        assert successions.status == "loaded", code
        assert successions.set_aside == [], (code, successions.set_aside[:3])
        assert successions.rows_loaded == len(registry.successions)


def test_every_old_commune_and_district_ends_in_a_succession_or_continues(can_tho):
    # An old unit of Cần Thơ, Hậu Giang or Sóc Trăng either has successions or is a
    # commune that only moved under the province (a second row of its own code, no row).
    old = [r for r in can_tho.units if r.valid_to == LAST_OLD]
    for row in old:
        if can_tho.successors(row.unit_code):
            continue
        assert row.unit_level == "ward", row
        later = can_tho.row_on(row.unit_code, REFORM_DAY)
        assert later is not None and later.parent_code == "92", row
        assert can_tho.predecessors(row.unit_code) == [], row


def test_soc_trang_city_and_its_wards_by_hand(can_tho):
    # From the package's lists: Thành phố Sóc Trăng (941) had nine wards on 30 June 2025
    # (Phường 1-8 and 10; no Phường 9). The map sends Phường 1-4 to Phường Phú Lợi
    # (31510, Phường 2's code), Phường 5-8 to Phường Sóc Trăng (31507, Phường 6's) and
    # Phường 10 with Thị trấn Mỹ Xuyên (31684) and Xã Đại Tâm (31690) of Huyện Mỹ Xuyên
    # (947) to Phường Mỹ Xuyên (31684, Thị trấn Mỹ Xuyên's code), all undivided.
    assert can_tho.rows_of("941") == [
        UnitRow("941", "Thành phố Sóc Trăng", "city", "94", OLD_FROM, LAST_OLD, "utf-8")
    ]
    wards_of_941 = sorted(r.unit_name for r in can_tho.units if r.parent_code == "941")
    assert wards_of_941 == [f"Phường {n}" for n in (1, 10, 2, 3, 4, 5, 6, 7, 8)]
    # a reused code: two rows that meet without overlapping, other name, other parent
    assert can_tho.rows_of("31510") == [
        UnitRow("31510", "Phường 2", "ward", "941", OLD_FROM, LAST_OLD, "utf-8"),
        UnitRow("31510", "Phường Phú Lợi", "ward", "92", REFORM_DAY, None, "utf-8"),
    ]
    assert can_tho.predecessors("31510") == [
        Succession(REFORM_DAY, "31510", "31510", "whole"),  # Phường 2
        Succession(REFORM_DAY, "31516", "31510", "whole"),  # Phường 4
        Succession(REFORM_DAY, "31519", "31510", "whole"),  # Phường 3
        Succession(REFORM_DAY, "31522", "31510", "whole"),  # Phường 1
        # the city fed three new wards: part into each
        Succession(REFORM_DAY, "941", "31510", "part"),
    ]
    assert [(s.predecessor_code, s.transfer) for s in can_tho.predecessors("31507")] == [
        ("31498", "whole"),  # Phường 5
        ("31501", "whole"),  # Phường 7
        ("31504", "whole"),  # Phường 8
        ("31507", "whole"),  # Phường 6
        ("941", "part"),
    ]
    assert [(s.predecessor_code, s.transfer) for s in can_tho.predecessors("31684")] == [
        ("31525", "whole"),  # Phường 10
        ("31684", "whole"),  # Thị trấn Mỹ Xuyên
        ("31690", "whole"),  # Xã Đại Tâm
        ("941", "part"),
        ("947", "part"),  # Huyện Mỹ Xuyên fed other new communes too
    ]
    assert {s.successor_code for s in can_tho.successors("941")} == {"31507", "31510", "31684"}


def test_provinces_merged_into_can_tho_by_hand(can_tho):
    # DICT_PROVINCE: Cần Thơ = Cần Thơ (92) + Hậu Giang (93) + Sóc Trăng (94). Cần Thơ keeps
    # its code and name: one open row, as in the contract's example; the others end whole.
    assert can_tho.rows_of("92") == [
        UnitRow("92", "Thành phố Cần Thơ", "province", None, OLD_FROM, None, "utf-8")
    ]
    assert can_tho.predecessors("92") == [
        Succession(REFORM_DAY, "93", "92", "whole"),
        Succession(REFORM_DAY, "94", "92", "whole"),
    ]
    assert can_tho.rows_of("94")[0].valid_to == LAST_OLD


def test_a_divided_commune_by_hand(can_tho):
    # The divided list: Phường Bùi Hữu Nghĩa (31178, Quận Bình Thủy 918) went in part to
    # Phường Bình Thủy (31168, the default new ward) and in part to Phường Cái Khế (31120).
    assert can_tho.successors("31178") == [
        Succession(REFORM_DAY, "31178", "31120", "part"),
        Succession(REFORM_DAY, "31178", "31168", "part"),
    ]
    # Bình Thủy: Phường Bình Thủy (31168) and An Thới (31177) whole, Bùi Hữu Nghĩa part,
    # and its district part.
    assert [(s.predecessor_code, s.transfer) for s in can_tho.predecessors("31168")] == [
        ("31168", "whole"),
        ("31177", "whole"),
        ("31178", "part"),
        ("918", "part"),
    ]


def test_a_commune_that_only_moved_continues(can_tho):
    # Phường Tân Lộc (31213, Quận Thốt Nốt 923) is its new ward's only commune and keeps its
    # code and name: a second row under the province and no succession row, so that it
    # stays one unit; its district's part rows skip it.
    assert [(r.parent_code, r.valid_from, r.valid_to) for r in can_tho.rows_of("31213")] == [
        ("923", OLD_FROM, LAST_OLD),
        ("92", REFORM_DAY, None),
    ]
    assert can_tho.predecessors("31213") == []
    assert can_tho.successors("31213") == []


def test_a_province_that_reuses_another_provinces_code():
    # New Tỉnh Lào Cai (15) = old Lào Cai (10) + Yên Bái (15): code 15 is Yên Bái's, another
    # name, so two rows of 15 and both old provinces end whole in the new one.
    lao_cai = build_registry("15", old_valid_from=OLD_FROM)
    assert [(r.unit_name, r.valid_from, r.valid_to) for r in lao_cai.rows_of("15")] == [
        ("Tỉnh Yên Bái", OLD_FROM, LAST_OLD),
        ("Tỉnh Lào Cai", REFORM_DAY, None),
    ]
    assert [(s.predecessor_code, s.transfer) for s in lao_cai.predecessors("15")] == [
        ("10", "whole"),
        ("15", "whole"),
    ]


def test_an_island_district_passes_whole():
    # Huyện Côn Đảo (755, Bà Rịa - Vũng Tàu) had no communes; it became Đặc khu Côn Đảo
    # (26732) of Thành phố Hồ Chí Minh (79), all of it.
    hcm = build_registry("79", old_valid_from=OLD_FROM)
    assert hcm.successors("755") == [Succession(REFORM_DAY, "755", "26732", "whole")]


def test_restrict_keeps_the_whole_maps_transfers(can_tho):
    small = can_tho.restrict(["92", "94", "941", "31510", "31522"])
    assert [(s.predecessor_code, s.successor_code, s.transfer) for s in small.successions] == [
        ("31510", "31510", "whole"),
        ("31522", "31510", "whole"),
        ("94", "92", "whole"),
        ("941", "31510", "part"),  # still part: it fed 31507 and 31684 too
    ]
    with pytest.raises(ValueError, match="parents left out: 94"):
        can_tho.restrict(["941"])


def test_par_units_writes_both_files(tmp_path, capsys):
    settings = Settings.from_env({"PAR_WAREHOUSE_DIR": str(tmp_path / "wh")})
    out = tmp_path / "landing"
    code = main(
        ["units", "--province", "92", "--out", str(out), "--new-csv-encoding", "utf-8-sig"],
        settings,
    )
    assert code == 0
    with (out / "units.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # 3 provinces rows (92 open, 93 and 94 ended), 28 districts, 263 old and 103 new
    # communes (the package's lists for Cần Thơ, Hậu Giang and Sóc Trăng)
    assert len(rows) == 3 + 28 + 263 + 103
    first = {r["unit_code"]: r for r in rows if r["valid_from"] == "2020-01-01"}
    assert first["92"]["valid_to"] == "" and first["92"]["csv_encoding"] == "utf-8"
    new = [r for r in rows if r["valid_from"] == "2025-07-01"]
    assert len(new) == 103 and {r["csv_encoding"] for r in new} == {"utf-8-sig"}
    assert "unit_successions.csv (399 rows)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["units", "--province", "94", "--out", str(out)], settings)


def test_the_package_is_read_not_imported():
    # its data files are read in place; importing the package would pull in a geocoder
    import sys

    load()
    assert "vietnamadminunits" not in sys.modules
