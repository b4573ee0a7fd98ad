"""A level's catalogue of administrative procedures and how it changes over the year.

Each procedure is a list of versions, each in force from an export date. The catalogue is
exported whole (a snapshot) on 1 January, on the first day of every quarter and on every
day it changes: a publishing decision's date, and an abolition's effective date.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from pipelines.simulator import vocabulary as v
from pipelines.simulator.specs import CatalogueSpec
from pipelines.simulator.workdays import WorkCalendar

NEW, AMENDED, REPLACED, ABOLISHED = 1, 2, 3, 4

# Domains that went online early, and those that stay at the desk (a weight for ordering).
_ONLINE_FRIENDLY = {
    "Đăng ký kinh doanh": 0.6,
    "Hộ tịch": 0.5,
    "Xây dựng": 0.4,
    "Lưu thông hàng hóa trong nước": 0.5,
    "An toàn thực phẩm": 0.4,
    "Thông tin và truyền thông": 0.4,
    "Văn hóa": 0.3,
    "Chứng thực": -0.6,
    "Giải quyết khiếu nại, tố cáo": -0.8,
    "Tư pháp": -0.4,
    "Tín ngưỡng, tôn giáo": -0.3,
}


def online_category(service_level: int) -> str:
    return "full" if service_level == 4 else "partial" if service_level == 3 else "none"


@dataclass(frozen=True)
class Version:
    """One procedure's row in a snapshot (canonical contract names)."""

    procedure_code: str
    procedure_name: str
    domain: str
    authority_level: int
    service_level: int  # 1..4; written as Decree 42 names by some units
    processing_days: int | None
    has_fee: bool
    decision_no: str
    decision_date: date
    change_type: int
    effective_date: date
    is_published: bool
    status: int

    def active_on(self, d: date) -> bool:
        """The warehouse's rule: in force, and not an abolition that has taken effect."""
        return self.status == 1 and not (self.change_type == ABOLISHED and self.effective_date <= d)

    def accepts_dossiers_on(self, d: date) -> bool:
        # a newly published procedure takes dossiers from its effective date
        return self.active_on(d) and not (self.change_type == NEW and self.effective_date > d)

    @property
    def online(self) -> str:
        return online_category(self.service_level)

    @cached_property
    def row(self) -> dict:
        return asdict(self)


@dataclass
class Procedure:
    code: str
    weight: float  # how often citizens come for it
    starts: list[date]  # ascending export dates from which each version is in force
    versions: list[Version]

    def version_on(self, d: date) -> Version | None:
        i = bisect.bisect_right(self.starts, d) - 1
        return self.versions[i] if i >= 0 else None


@dataclass(frozen=True)
class Event:
    """A publishing decision's effect on one procedure, as counted by the indicators."""

    code: str
    decision_date: date
    change_type: int


class Catalogue:
    def __init__(self, procedures: list[Procedure], snapshot_dates: list[date], events):
        self.procedures = procedures
        self.snapshot_dates = snapshot_dates
        self.events: list[Event] = events  # changes published during the year
        self._eligible: dict[int, tuple[list[Version], list[float]]] = {}

    def snapshot(self, d: date) -> list[dict]:
        rows = []
        for proc in self.procedures:
            version = proc.version_on(d)
            if version is not None:
                rows.append(version.row)
        return rows

    def active(self, d: date) -> list[Version]:
        """Active procedures on d, as the warehouse reads the latest snapshot."""
        out = []
        for proc in self.procedures:
            version = proc.version_on(d)
            if version is not None and version.active_on(d):
                out.append(version)
        return out

    def eligible(self, d: date) -> tuple[list[Version], list[float]]:
        """Procedures a dossier can be received for on d, with cumulative popularity weights."""
        epoch = bisect.bisect_right(self._change_days, d)
        cached = self._eligible.get(epoch)
        if cached is None:
            versions, cum, total = [], [], 0.0
            for proc in self.procedures:
                version = proc.version_on(d)
                if version is not None and version.accepts_dossiers_on(d):
                    versions.append(version)
                    total += proc.weight
                    cum.append(total)
            cached = self._eligible[epoch] = (versions, cum)
        return cached

    @cached_property
    def _change_days(self) -> list[date]:
        days = set(self.snapshot_dates)
        for proc in self.procedures:
            for version in proc.versions:
                days.add(version.effective_date)
        return sorted(days)


def procedure_codes(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    codes = []
    while len(codes) < n:
        code = f"{rng.choices((1, 2), (7, 3))[0]}.{rng.randint(100, 12_999):06d}"
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def procedure_names(rng: random.Random, authority_level: int, n: int) -> list[tuple[str, str]]:
    """(domain, name) pairs; beyond the vocabulary, names repeat with a sub-case qualifier."""
    source = v.DISTRICT_PROCEDURES if authority_level <= 2 else v.COMMUNE_PROCEDURES
    plain = [(domain, name) for domain, names in source.items() for name in names]
    rng.shuffle(plain)
    out = plain[:n]
    round_ = 0
    while len(out) < n:
        qualifier = v.CASE_QUALIFIERS[round_ % len(v.CASE_QUALIFIERS)]
        extra = [(d, name + qualifier) for d, name in plain]
        rng.shuffle(extra)
        out.extend(extra[: n - len(out)])
        round_ += 1
    return out


def _decision_day(rng: random.Random, cal: WorkCalendar, year: int, month: int) -> date:
    days = [d for d in cal.days_in_year if d.month == month and 5 <= d.day <= 25]
    return rng.choice(days)


def weekday_in_years(rng: random.Random, first_year: int, last_year: int) -> date:
    """A Monday-to-Friday date, other than 1 January, in the given years."""
    while True:
        d = date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))
        if d.weekday() < 5 and (d.month, d.day) != (1, 1):
            return d


def decision_number(rng: random.Random, d: date) -> str:
    # provincial decisions are numbered through the year: roughly 8 a day
    return f"{d.timetuple().tm_yday * 8 + rng.randint(0, 7)}/QĐ-UBND"


def build_catalogue(
    spec: CatalogueSpec, year: int, cal: WorkCalendar, rng: random.Random
) -> Catalogue:
    year_start, year_end = date(year, 1, 1), cal.last
    n_base = spec.active_at_end - spec.new + spec.abolished
    total = n_base + spec.new
    codes = procedure_codes(rng, total)
    names = procedure_names(rng, spec.authority_level, total)

    base = list(range(n_base))
    rng.shuffle(base)
    abolished = base[: spec.abolished]
    amended = base[spec.abolished : spec.abolished + spec.amended]
    replaced_ = base[spec.abolished + spec.amended :][: spec.replaced]
    untouched = sorted(set(base) - set(abolished) - set(amended) - set(replaced_))
    new = list(range(n_base, total))
    raised = amended[: spec.level_raised]

    # online level at year end: exactly end_full / end_partial among the active ones
    end_active = sorted(set(range(total)) - set(abolished))
    order = sorted(
        (i for i in end_active if i not in raised),
        key=lambda i: -(_ONLINE_FRIENDLY.get(names[i][0], 0.0) + rng.random()),
    )
    n_full = spec.end_full - len(raised)
    end_level = dict.fromkeys(raised, 4)
    for rank, i in enumerate(order):
        if rank < n_full:
            end_level[i] = 4
        elif rank < n_full + spec.end_partial:
            end_level[i] = 3
        else:
            end_level[i] = rng.choices((1, 2), (1, 4))[0]
    for i in abolished:
        end_level[i] = rng.choice((2, 3, 4))
    unpublished = set(rng.sample(untouched, spec.unpublished))

    # decisions published in the four years before, for the catalogue as it stood on 1 January
    history = sorted(weekday_in_years(rng, year - 4, year - 1) for _ in range(12))
    history_no = [decision_number(rng, d) for d in history]

    # the year's decisions; the level raise lands on the one nearest mid-year
    decisions = [_decision_day(rng, cal, year, m) for m in spec.decision_months]
    decision_nos = [decision_number(rng, d) for d in decisions]
    mid = min(range(len(decisions)), key=lambda k: abs(decisions[k].month - 6.5))
    changes = (
        [(i, NEW) for i in new]
        + [(i, AMENDED) for i in amended]
        + [(i, REPLACED) for i in replaced_]
        + [(i, ABOLISHED) for i in abolished]
    )
    rng.shuffle(changes)
    decision_of: dict[int, int] = {}
    for k, (i, _) in enumerate(changes):
        decision_of[i] = k if k < len(decisions) else rng.randrange(len(decisions))
    for i in raised:
        decision_of[i] = mid

    procedures: list[Procedure] = []
    events: list[Event] = []
    for i in range(total):
        domain, name = names[i]
        days_range, fee_share, popularity = v.DOMAIN_PROFILE[domain]
        days = None if days_range is None else rng.randint(*days_range)
        if domain == "Hộ tịch" and rng.random() < 0.15:
            days = None  # given the same day
        start_level = 3 if i in raised else end_level[i]
        h = rng.randrange(len(history))
        first = Version(
            procedure_code=codes[i],
            procedure_name=name,
            domain=domain,
            authority_level=spec.authority_level,
            service_level=start_level,
            processing_days=days,
            has_fee=rng.random() < fee_share,
            decision_no=history_no[h],
            decision_date=history[h],
            change_type=rng.choices((NEW, AMENDED, REPLACED), (6, 3, 1))[0],
            effective_date=history[h] + timedelta(days=rng.choice((0, 0, 10, 15))),
            is_published=i not in unpublished,
            status=1,
        )
        proc = Procedure(codes[i], popularity * rng.lognormvariate(0, 1.0), [], [])
        procedures.append(proc)
        if i in new:
            k = decision_of[i]
            d = decisions[k]
            proc.starts.append(d)
            proc.versions.append(
                replace(
                    first,
                    decision_no=decision_nos[k],
                    decision_date=d,
                    change_type=NEW,
                    effective_date=d,
                )
            )
            events.append(Event(codes[i], d, NEW))
            continue
        proc.starts.append(year_start)
        proc.versions.append(first)
        if i not in decision_of:
            continue
        k = decision_of[i]
        d = decisions[k]
        if i in abolished:
            takes_effect = min(d + timedelta(days=rng.choice((0, 0, 5, 10, 15))), year_end)
            abolition = replace(
                first,
                decision_no=decision_nos[k],
                decision_date=d,
                change_type=ABOLISHED,
                effective_date=takes_effect,
            )
            if takes_effect > d:
                # announced now, in force until it takes effect
                proc.starts.append(d)
                proc.versions.append(abolition)
            proc.starts.append(takes_effect)
            proc.versions.append(replace(abolition, status=0))
            events.append(Event(codes[i], d, ABOLISHED))
        else:
            change = AMENDED if i in amended else REPLACED
            faster = None if days is None else max(1, days - rng.choice((0, 1, 2, 3)))
            proc.starts.append(d)
            proc.versions.append(
                replace(
                    first,
                    service_level=end_level[i],
                    processing_days=faster,
                    decision_no=decision_nos[k],
                    decision_date=d,
                    change_type=change,
                    effective_date=d,
                )
            )
            events.append(Event(codes[i], d, change))

    quarter_starts = [date(year, m, 1) for m in (1, 4, 7, 10)]
    snapshot_dates = sorted(
        d for d in set(quarter_starts) | {s for p in procedures for s in p.starts} if d <= year_end
    )
    events.sort(key=lambda e: (e.decision_date, e.code))
    return Catalogue(procedures, snapshot_dates, events)


def month_ends(year: int, last: date | None = None) -> list[date]:
    """The month ends of the year, up to the month of `last` (default: all twelve)."""
    ends = [date(year, m + 1, 1) - timedelta(days=1) for m in range(1, 12)] + [date(year, 12, 31)]
    return ends if last is None else ends[: last.month]


def write_procedures(unit, catalogue: Catalogue, year: int, writer, truth, last=None) -> None:
    """Every snapshot of the unit's catalogue, and the figures the warehouse must read."""
    for d in catalogue.snapshot_dates:
        writer.write(unit, "procedures", d, catalogue.snapshot(d))
    for end in month_ends(year, last):
        active = catalogue.active(end)
        truth.set_stock(unit.code, end, "proc_active", len(active))
        truth.set_stock(unit.code, end, "proc_published", sum(p.is_published for p in active))
        truth.set_stock(unit.code, end, "proc_partial", sum(p.online == "partial" for p in active))
        truth.set_stock(unit.code, end, "proc_full", sum(p.online == "full" for p in active))
    for event in catalogue.events:
        name = "proc_abolished" if event.change_type == ABOLISHED else "proc_changed"
        truth.add(unit.code, event.decision_date, name)
