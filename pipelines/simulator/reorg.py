"""Scenario `reorg-2025`: Sóc Trăng city across the reorganisation of 1 July 2025.

Every day from 2024-01-01 to 2026-06-30. The registry and the successions are not typed
here: they are the province-92 registry `pipelines.registry` builds from the GSO lists of
`vietnamadminunits`, restricted to the units below (each succession keeps its transfer from
the whole map: a district that fed other communes too stays `part`).

- Before: Tỉnh Sóc Trăng (94) > Thành phố Sóc Trăng (941) and its wards as the package lists
  them on 30 June 2025 (Phường 1-8 and 10: no Phường 9); Huyện Mỹ Xuyên (947) > Thị trấn Mỹ
  Xuyên (31684) and Xã Đại Tâm (31690); Thành phố Cần Thơ (92) > Quận Bình Thủy (918) >
  Phường Bình Thủy (31168), An Thới (31177) and Bùi Hữu Nghĩa (31178), the commune the
  package lists as divided (part to Phường Bình Thủy, part to Phường Cái Khế, which is left
  out here).
- After, under Thành phố Cần Thơ (92, which absorbed Sóc Trăng 94 whole): the new wards
  the city's wards went into (Phường Phú Lợi 31510, Phường Sóc Trăng 31507, Phường Mỹ
  Xuyên 31684) and the divided commune's default new ward (Phường Bình Thủy 31168); each
  reuses an old code, so each of those codes has two registry rows.

The city and every commune-level unit deliver a procedure catalogue (on their first day)
and a daily dossier log as CSV; provinces and districts other than the city deliver
nothing. Old units write CSV in cp1258, new ones in UTF-8 with a BOM (the registry says so,
row by row). A dossier still open on 1 July 2025 is handed over: the old unit's log stops
at its last change before the reform; from 1 July its successor's log carries it (a row
`Đang xử lý` at 07:30 that day, then its result) with the original dossier_code and
received_at. The city's open dossiers go to Phường Sóc Trăng, the ward that carries its name.

`write_reorg` writes it and returns a summary with the truth (`reorg_truth.ReorgTruth`).
With a `Span` it writes a shorter or thinner variant for tests (`python -m
pipelines.simulator --scenario reorg-2025 --start 2024-10-01 --end 2025-07-31
--dossiers-per-day 1`): the same registry, successions, catalogues and rules over fewer
days (the old catalogues delivered on the span's first day) and at most that many
dossiers a unit and working day; the truth counts what was written. `par simulate
--scenario reorg-2025` writes the full scenario.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pipelines.registry import REFORM_DAY, Registry, UnitRow, build_registry
from pipelines.registry.write import write_registry
from pipelines.simulator import vocabulary as v
from pipelines.simulator.people import applicant
from pipelines.simulator.reorg_truth import ReorgTruth, UnitKey
from pipelines.simulator.specs import UnitSpec
from pipelines.simulator.writers import LandingWriter

NAME = "reorg-2025"
START = date(2024, 1, 1)
END = date(2026, 6, 30)
PROVINCE = "92"
OLD_CITY = "941"
DIVIDED_COMMUNE = "31178"  # Phường Bùi Hữu Nghĩa: in the package's divided list
DIVIDED_INTO = "31168"  # Phường Bình Thủy, the new ward that got its default part
CITY_HANDOVER = "31507"  # Phường Sóc Trăng takes the city's open dossiers
OLD_ENCODING = "cp1258"
NEW_ENCODING = "utf-8-sig"
HANDOVER_AT = time(7, 30)
_FORMATS = {"procedures": "csv", "dossiers": "csv"}


def scenario_codes(registry: Registry) -> list[str]:
    """The scenario's units, derived from the map: the old city, its wards, the new wards
    they went into and every commune that went whole into those, the divided commune and
    the new ward of its default part with that ward's whole predecessors, and their parents."""
    city_wards = [r.unit_code for r in registry.units if r.parent_code == OLD_CITY]
    new_wards = sorted({s.successor_code for s in registry.successors(OLD_CITY)})
    if CITY_HANDOVER not in new_wards:
        raise ValueError(f"{CITY_HANDOVER} is not a successor of {OLD_CITY} in the package")
    if DIVIDED_INTO not in {s.successor_code for s in registry.successors(DIVIDED_COMMUNE)}:
        raise ValueError(f"{DIVIDED_COMMUNE} did not pass part of itself into {DIVIDED_INTO}")
    new_wards.append(DIVIDED_INTO)
    codes = {OLD_CITY, *city_wards, *new_wards, DIVIDED_COMMUNE}
    for new in new_wards:
        codes |= {
            s.predecessor_code
            for s in registry.predecessors(new)
            if s.transfer == "whole" and len(s.predecessor_code) == 5
        }
    # parents, up to the provinces
    while True:
        parents = {r.parent_code for r in registry.units if r.unit_code in codes and r.parent_code}
        if parents <= codes:
            return sorted(codes)
        codes |= parents


def reorg_registry() -> Registry:
    """The scenario's registry: old rows from the warehouse's default first day."""
    full = build_registry(PROVINCE, old_valid_from=date(2020, 1, 1))
    small = full.restrict(scenario_codes(full))
    return small.recoded(lambda r: NEW_ENCODING if r.valid_from >= REFORM_DAY else OLD_ENCODING)


def delivering(registry: Registry) -> list[UnitRow]:
    """The registry rows that deliver files: the old city and every commune-level row."""
    return [r for r in registry.units if r.unit_level == "ward" or r.unit_code == OLD_CITY]


# --- catalogues ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    domain: str
    service_level: int
    processing_days: int
    has_fee: bool


def _procedures(rng: random.Random, names: dict[str, list[str]], n: int, first: str):
    pairs = [(domain, name) for domain, items in names.items() for name in items][:n]
    return [
        Procedure(
            code=f"{first}.{100_000 + 7 * i:06d}",
            name=name,
            domain=domain,
            service_level=rng.choice((2, 3, 3, 4, 4)),
            processing_days=rng.randint(1, 7),
            has_fee=rng.random() < 0.3,
        )
        for i, (domain, name) in enumerate(pairs)
    ]


def catalogues(seed: int) -> dict[str, list[Procedure]]:
    """'ward' and 'city' before the reform; 'new' after it: a new ward took over the
    commune procedures and the district's (so a handed-over dossier of the city's finds its
    procedure in its successor's first catalogue)."""
    rng = random.Random(f"{seed}:reorg:catalogue")
    ward = _procedures(rng, v.COMMUNE_PROCEDURES, 10, "1")
    city = _procedures(rng, v.DISTRICT_PROCEDURES, 8, "2")
    return {"ward": ward, "city": city, "new": ward + city}


def _catalogue_rows(procedures: list[Procedure], row: UnitRow) -> list[dict]:
    new = row.valid_from >= REFORM_DAY
    decided = date(2025, 6, 27) if new else date(2023, 12, 15)
    effective = REFORM_DAY if new else date(2024, 1, 1)
    return [
        {
            "procedure_code": p.code,
            "procedure_name": p.name,
            "domain": p.domain,
            "authority_level": 3 if new or row.unit_level == "ward" else 2,
            "service_level": p.service_level,
            "processing_days": p.processing_days,
            "has_fee": p.has_fee,
            "decision_no": f"{'1520' if new else '2875'}/QĐ-UBND",
            "decision_date": decided,
            "change_type": 1,
            "effective_date": effective,
            "is_published": True,
            "status": 1,
        }
        for p in procedures
    ]


# --- dossiers -----------------------------------------------------------------------------


def _add_workdays(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _at(day: date, rng: random.Random, earliest: int = 450, latest: int = 990) -> datetime:
    minutes = rng.randint(earliest, latest)  # 07:30 to 16:30 by default
    return datetime.combine(day, time(minutes // 60, minutes % 60))


@dataclass
class Dossier:
    code: str
    receiver: UnitRow
    procedure: Procedure
    channel: int
    person: object
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None  # None: still open on the scenario's last day
    digitized: bool
    paid_online: bool | None

    def received_row(self) -> dict:
        return self._row(status=2, updated_at=self.received_at)

    def handover_row(self) -> dict:
        return self._row(status=4, updated_at=datetime.combine(REFORM_DAY, HANDOVER_AT))

    def finished_row(self) -> dict:
        late = self.finished_at.date() > self.due_at.date()
        return self._row(
            status=10,
            updated_at=self.finished_at,
            finished_at=self.finished_at,
            returned_at=self.finished_at,
            apology_issued=late,
        )

    def _row(self, **values) -> dict:
        row = {
            "dossier_code": self.code,
            "procedure_code": self.procedure.code,
            "channel": self.channel,
            "applicant_name": self.person.name,
            "applicant_id_number": self.person.id_number,
            "applicant_phone": self.person.phone,
            "applicant_address": self.person.address,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "finished_at": None,
            "returned_at": None,
            "supplement_count": 0,
            "apology_issued": False,
            "paid_online": self.paid_online,
            "digitized": self.digitized,
        }
        row.update(values)
        return row


@dataclass(frozen=True)
class Span:
    """The days a variant covers and how many dossiers a unit receives a working day at
    most (the full scenario: 2024-01-01 to 2026-06-30, the city 1-2 and a ward 1-3; a
    smaller `most_per_day` caps both)."""

    start: date = START
    end: date = END
    most_per_day: int | None = None

    def __post_init__(self) -> None:
        if not self.start < REFORM_DAY <= self.end:
            raise ValueError(
                f"the span must contain the reform: {REFORM_DAY} in ({self.start}, {self.end}]"
            )
        if self.most_per_day is not None and self.most_per_day < 1:
            raise ValueError("most_per_day must be at least 1")

    def most(self, row: UnitRow) -> int:
        most = 2 if row.unit_level == "city" else 3
        return most if self.most_per_day is None else min(most, self.most_per_day)


FULL = Span()


def _dossiers_of(
    row: UnitRow, procedures: list[Procedure], seed: int, span: Span = FULL
) -> list[Dossier]:
    """A few dossiers a working day over the row's days within the span; one in eight
    finishes one to three working days late; one finishing after the span's end is still
    open on its last day."""
    rng = random.Random(f"{seed}:reorg:dossiers:{row.unit_code}:{row.valid_from}")
    first = max(row.valid_from, span.start)
    last = min(row.valid_to or span.end, span.end)
    prefix = "CT." if row.valid_from >= REFORM_DAY else ""
    out: list[Dossier] = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            for seq in range(1, rng.randint(1, span.most(row)) + 1):
                p = rng.choice(procedures)
                online = p.service_level >= 3 and rng.random() < 0.3
                received = _at(day, rng)
                due_day = _add_workdays(day, p.processing_days)
                finish_day = _add_workdays(day, rng.randint(1, p.processing_days))
                if rng.random() < 0.125:
                    finish_day = _add_workdays(due_day, rng.randint(1, 3))
                out.append(
                    Dossier(
                        code=f"{prefix}{row.unit_code}-{day:%y%m%d}-{seq:04d}",
                        receiver=row,
                        procedure=p,
                        channel=2 if online else 1,
                        person=applicant(rng, row.unit_name, p.domain),
                        received_at=received,
                        due_at=datetime.combine(due_day, time(16, 30)),
                        finished_at=_at(finish_day, rng, 510) if finish_day <= span.end else None,
                        digitized=rng.random() < 0.6,
                        paid_online=(online and rng.random() < 0.5) if p.has_fee else None,
                    )
                )
        day += timedelta(days=1)
    return out


def handover_target(registry: Registry, row: UnitRow) -> UnitRow:
    """The successor row that takes an old unit's open dossiers on 1 July 2025."""
    successors = sorted({s.successor_code for s in registry.successors(row.unit_code)})
    code = CITY_HANDOVER if row.unit_code == OLD_CITY else successors[0]
    if code not in successors:
        raise ValueError(f"{row.unit_code} has no successor {code}")
    return registry.row_on(code, REFORM_DAY)


def _spec(row: UnitRow) -> UnitSpec:
    new = row.valid_from >= REFORM_DAY
    return UnitSpec(
        code=row.unit_code,
        name=row.unit_name,
        level=row.unit_level,
        parent=row.parent_code,
        formats=_FORMATS,
        csv_encoding=row.csv_encoding,
        service_levels="decree42" if new else "decree43",
        line_ending="\r\n" if row.csv_encoding == "cp1258" else "\n",
    )


def write_reorg(out: Path, seed: int = 2021, *, force: bool = False, span: Span = FULL) -> dict:
    """Write the scenario into the landing folder `out`; return what was written and the
    truth. Refuses a non-empty folder unless `force`. `span` writes a shorter or thinner
    variant (tests): the same units, catalogues and rules over fewer days or dossiers;
    the truth counts what it wrote."""
    from pipelines.simulator import LandingNotEmptyError

    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise LandingNotEmptyError(f"{out} is not empty; pass --force to write into it anyway")
    registry = reorg_registry()
    write_registry(registry, out)
    truth = ReorgTruth.of_registry(registry)
    writer = LandingWriter(out)
    cats = catalogues(seed)
    logs: dict[UnitKey, dict[date, list[dict]]] = {}
    specs: dict[UnitKey, UnitSpec] = {}
    for row in delivering(registry):
        key = UnitKey.of(row)
        specs[key] = _spec(row)
        logs[key] = {}
        procedures = cats["new" if row.valid_from >= REFORM_DAY else row.unit_level]
        writer.write(
            specs[key],
            "procedures",
            max(row.valid_from, span.start),
            _catalogue_rows(procedures, row),
        )
        truth.catalogue_size[key.text] = len(procedures)
    for row in delivering(registry):
        key = UnitKey.of(row)
        procedures = cats["new" if row.valid_from >= REFORM_DAY else row.unit_level]
        for d in _dossiers_of(row, procedures, seed, span):
            logs[key].setdefault(d.received_at.date(), []).append(d.received_row())
            truth.count(key, d.received_at.date(), "received")
            # open on 1 July 2025 (finished later, or still open on the span's last day):
            # handed over to the successor, whose log carries it from then on
            open_at_reform = row.valid_to is not None and (
                d.finished_at is None or d.finished_at.date() > row.valid_to
            )
            finisher = key
            if open_at_reform and row.valid_to < span.end:
                target = handover_target(registry, row)
                finisher = UnitKey.of(target)
                logs[finisher].setdefault(REFORM_DAY, []).append(d.handover_row())
                truth.handed_over.append(
                    {
                        "dossier_code": d.code,
                        "from": key.text,
                        "to": finisher.text,
                        "received_at": d.received_at.isoformat(),
                        "finished_at": d.finished_at.isoformat() if d.finished_at else None,
                    }
                )
            if d.finished_at is None:
                continue
            logs[finisher].setdefault(d.finished_at.date(), []).append(d.finished_row())
            late = d.finished_at.date() > d.due_at.date()
            truth.count(finisher, d.finished_at.date(), "finished")
            truth.count(finisher, d.finished_at.date(), "late" if late else "ontime")
    for key, days in logs.items():
        for day in sorted(days):
            rows = sorted(days[day], key=lambda r: (r["updated_at"], r["dossier_code"]))
            writer.write(specs[key], "dossiers", day, rows)
    files: dict[str, dict[str, int]] = {}
    for (feed, fmt), n in sorted(writer.files.items()):
        files.setdefault(feed, {})[fmt] = n
    return {
        "scenario": NAME,
        "seed": seed,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "out": str(out),
        "units": len(registry.units),
        "successions": len(registry.successions),
        "handed_over": len(truth.handed_over),
        "files": files,
        "rows": dict(sorted(Counter(writer.rows).items())),
        "truth": truth,
    }
