"""A province's registry rows and successions across the 1 July 2025 reorganisation,
derived from the GSO lists (`gso_data`), as the ward-exports contract lays them out.

- Old units, valid from `old_valid_from` to 30 June 2025: the provinces the new province
  was formed from, their districts (level `city`, under the province) and their communes
  (level `ward`, under the district). The package knows the units as they stood before the
  reform, not since when: `old_valid_from` is the caller's choice.
- New units, valid from 1 July 2025: the province and its communes (level `ward`, directly
  under the province).
- A province that keeps its code and name and absorbs others continues: one open row, as
  the contract's example has it (no succession row into it from itself).
- A commune that was only moved under the province (or renamed): the new commune has the old
  one's code, the old one went whole into it and nothing else of commune level did. It
  continues: a second row of its code from 1 July 2025 (its parent changed) and no
  succession row into it at all (the contract: "a unit that was only renamed or moved under
  a new parent has no row"; a district's `part` row into it would make it a new unit).
- Any other new unit that reuses an old code gets a second validity row of that code (rows
  of one code never overlap), and successions say where it came from.
- Successions, effective 1 July 2025: an old commune to each new one it passed into,
  `whole` from the package's undivided list, `part` from its divided list; an old district
  to every new commune its communes (or, for an island district without communes, the
  district itself) passed into, except a continuing one, `whole` only when all of it went
  to one new commune; every old province but a continuing one to the new province, `whole`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipelines.registry.gso_data import GsoData, load

REFORM_DAY = date(2025, 7, 1)
LAST_OLD_DAY = REFORM_DAY - timedelta(days=1)


@dataclass(frozen=True)
class UnitRow:
    unit_code: str
    unit_name: str
    unit_level: str  # 'province', 'city' or 'ward'
    parent_code: str | None
    valid_from: date
    valid_to: date | None
    csv_encoding: str


@dataclass(frozen=True)
class Succession:
    effective_date: date
    predecessor_code: str
    successor_code: str
    transfer: str  # 'whole' or 'part'


@dataclass(frozen=True)
class Registry:
    province_code: str
    units: tuple[UnitRow, ...]
    successions: tuple[Succession, ...]

    def rows_of(self, code: str) -> list[UnitRow]:
        return [row for row in self.units if row.unit_code == code]

    def row_on(self, code: str, day: date) -> UnitRow | None:
        for row in self.rows_of(code):
            if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to):
                return row
        return None

    def predecessors(self, code: str) -> list[Succession]:
        return [s for s in self.successions if s.successor_code == code]

    def successors(self, code: str) -> list[Succession]:
        return [s for s in self.successions if s.predecessor_code == code]

    def restrict(self, codes: Iterable[str]) -> Registry:
        """Only these codes' rows, and the successions between two of them (each keeping
        the transfer of the whole map: a district that fed other communes too stays `part`).
        Every parent of a kept row must be kept too."""
        keep = set(codes)
        units = tuple(row for row in self.units if row.unit_code in keep)
        missing = {row.parent_code for row in units if row.parent_code} - keep
        if missing:
            raise ValueError(f"parents left out: {', '.join(sorted(missing))}")
        successions = tuple(
            s for s in self.successions if s.predecessor_code in keep and s.successor_code in keep
        )
        return replace(self, units=units, successions=successions)

    def recoded(self, encoding_of) -> Registry:
        """The same rows with csv_encoding = encoding_of(row)."""
        units = tuple(replace(row, csv_encoding=encoding_of(row)) for row in self.units)
        return replace(self, units=units)


def build_registry(
    province_code: str,
    *,
    old_valid_from: date,
    csv_encoding: str = "utf-8",
    new_csv_encoding: str | None = None,
    data: GsoData | None = None,
) -> Registry:
    """The registry of new province `province_code` (one of the 34) and of everything it
    was formed from. `csv_encoding` for every row, `new_csv_encoding` (default the same) for
    the rows that start on 1 July 2025."""
    data = data or load()
    if province_code not in data.new_provinces:
        known = ", ".join(sorted(data.new_provinces))
        raise KeyError(f"no province {province_code!r} after 1 July 2025; known: {known}")
    if old_valid_from >= REFORM_DAY:
        raise ValueError(f"old_valid_from {old_valid_from} must be before {REFORM_DAY}")
    new_encoding = new_csv_encoding or csv_encoding
    province = data.new_provinces[province_code]
    old_province_codes = data.province_map[province_code]
    districts = sorted(
        c for c, d in data.old_districts.items() if d.parent_code in old_province_codes
    )
    district_set = set(districts)
    old_wards = sorted(c for c, w in data.old_wards.items() if w.parent_code in district_set)
    new_wards = sorted(c for c, w in data.new_wards.items() if w.parent_code == province_code)

    # where each old unit went: {new commune: transfer}
    ward_targets = {code: dict(data.ward_map.get(code, ())) for code in old_wards}
    unmapped = [code for code, targets in ward_targets.items() if not targets]
    if unmapped:
        raise ValueError(f"old communes the package does not map: {', '.join(unmapped)}")
    district_targets: dict[str, dict[str, str]] = {}
    by_district: dict[str, list[str]] = defaultdict(list)
    for code in old_wards:
        by_district[data.old_wards[code].parent_code].append(code)
    for district in districts:
        targets: dict[str, set[str]] = defaultdict(set)
        for ward in by_district[district]:
            for new, transfer in ward_targets[ward].items():
                targets[new].add(transfer)
        if district in data.district_map:
            targets[data.district_map[district]].add("whole")
        whole = len(targets) == 1 and next(iter(targets.values())) == {"whole"}
        district_targets[district] = {new: "whole" if whole else "part" for new in targets}

    predecessors: dict[str, dict[str, str]] = defaultdict(dict)
    for old, targets in list(ward_targets.items()) + list(district_targets.items()):
        for new, transfer in targets.items():
            predecessors[new][old] = transfer

    old_ward_set = set(old_wards)

    def continues(new_code: str) -> bool:
        # the old commune of this code went whole into it, and no other commune went into it
        communes = {p for p in predecessors[new_code] if p in old_ward_set}
        return communes == {new_code} and ward_targets[new_code] == {new_code: "whole"}

    units: list[UnitRow] = []
    successions: list[Succession] = []

    def old(code: str, name: str, level: str, parent: str | None) -> UnitRow:
        return UnitRow(code, name, level, parent, old_valid_from, LAST_OLD_DAY, csv_encoding)

    def new(code: str, name: str, level: str, parent: str | None) -> UnitRow:
        return UnitRow(code, name, level, parent, REFORM_DAY, None, new_encoding)

    # provinces: the one that kept its code and name continues in one open row
    continuing_province = (
        province_code in old_province_codes
        and data.old_provinces[province_code].name == province.name
    )
    for code in old_province_codes:
        if code == province_code and continuing_province:
            units.append(replace(old(code, province.name, "province", None), valid_to=None))
            continue
        units.append(old(code, data.old_provinces[code].name, "province", None))
        successions.append(Succession(REFORM_DAY, code, province_code, "whole"))
    if not continuing_province:
        units.append(new(province_code, province.name, "province", None))
    for code in districts:
        d = data.old_districts[code]
        units.append(old(code, d.name, "city", d.parent_code))
    for code in old_wards:
        w = data.old_wards[code]
        units.append(old(code, w.name, "ward", w.parent_code))
    for code in new_wards:
        w = data.new_wards[code]
        units.append(new(code, w.name, "ward", province_code))
        if continues(code):
            continue
        for pred, transfer in sorted(predecessors[code].items()):
            successions.append(Succession(REFORM_DAY, pred, code, transfer))
    successions.sort(key=lambda s: (s.effective_date, s.predecessor_code, s.successor_code))
    return Registry(province_code, tuple(units), tuple(successions))
