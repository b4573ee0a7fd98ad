"""The procedure catalogue (TTHC) of each administrative level for the scale scenario.

The province publishes one catalogue per level; every unit of the level exports it whole on
the first day and on the first of every later month (a snapshot). Each month's publishing
decision adds a few procedures, amends, replaces or abolishes a few, with effect from the
next snapshot: so the snapshot in force on a day says exactly which procedures a desk takes
dossiers for that day, their processing days and online level.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

import numpy as np
import polars as pl

from pipelines.simulator import vocabulary as v
from pipelines.simulator.catalogue import (
    ABOLISHED,
    AMENDED,
    NEW,
    REPLACED,
    decision_number,
    procedure_codes,
    procedure_names,
    weekday_in_years,
)

# procedures at the start, shares of full / partial online level, and the monthly decision's
# counts as (values, weights) for new, amended, replaced and abolished procedures
_LEVELS = {
    "city": dict(
        authority_level=2,
        size=250,
        full=0.55,
        partial=0.12,
        new=((0, 1, 2), (5, 4, 1)),
        amended=((0, 1, 2, 3), (2, 4, 3, 1)),
        replaced=((0, 1), (4, 1)),
        abolished=((0, 1, 2), (4, 4, 2)),
    ),
    "ward": dict(
        authority_level=3,
        size=140,
        full=0.2,
        partial=0.33,
        new=((0, 1), (3, 1)),
        amended=((0, 1, 2), (3, 4, 1)),
        replaced=((0, 1), (6, 1)),
        abolished=((0, 1), (3, 1)),
    ),
}
ONLINE_NONE, ONLINE_PARTIAL, ONLINE_FULL = 0, 1, 2

SNAPSHOT_SCHEMA = {
    "procedure_code": pl.String,
    "procedure_name": pl.String,
    "domain": pl.String,
    "authority_level": pl.Int64,
    "service_level": pl.Int64,
    "processing_days": pl.Int64,
    "has_fee": pl.Boolean,
    "decision_no": pl.String,
    "decision_date": pl.Date,
    "change_type": pl.Int64,
    "effective_date": pl.Date,
    "is_published": pl.Boolean,
    "status": pl.Int64,
}


@dataclass(frozen=True)
class _Row:
    procedure_code: str
    procedure_name: str
    domain: str
    authority_level: int
    service_level: int
    processing_days: int | None
    has_fee: bool
    decision_no: str
    decision_date: date
    change_type: int
    effective_date: date
    is_published: bool
    status: int


@dataclass
class LevelCatalogue:
    """One level's catalogue through the scenario, as arrays over (snapshot, procedure)."""

    level: str
    dates: list[date]  # snapshot export dates, ascending; the first is the scenario's start
    codes: list[str]
    domains: list[str]
    weight: np.ndarray  # (P,) how often citizens come for each procedure
    has_fee: np.ndarray  # (P,) bool
    accepts: np.ndarray  # (S, P) bool: in force, dossiers received for it in that epoch
    days: np.ndarray  # (S, P) processing working days, -1 for a result on the spot
    online: np.ndarray  # (S, P) ONLINE_NONE / ONLINE_PARTIAL / ONLINE_FULL
    snapshots: list[pl.DataFrame]  # the rows of each snapshot (contract names)

    def epoch(self, day_numbers: np.ndarray, epoch_ordinal: int) -> np.ndarray:
        """Snapshot in force on each day (day numbers since 1970)."""
        starts = np.array([d.toordinal() - epoch_ordinal for d in self.dates], dtype=np.int64)
        return np.searchsorted(starts, day_numbers, side="right") - 1

    def active_on(self, d: date) -> int:
        """Procedures in force on d, as the warehouse reads the latest snapshot up to d."""
        s = max(i for i, start in enumerate(self.dates) if start <= d)
        return int(self.accepts[s].sum())


def snapshot_dates(first: date, last: date) -> list[date]:
    """The first day, then the first of every later month up to the last day."""
    out = [first]
    y, m = first.year, first.month
    while True:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        d = date(y, m, 1)
        if d > last:
            return out
        out.append(d)


def _decision_day(rng: random.Random, snapshot: date) -> date:
    """A working weekday between the 5th and the 25th of the month before the snapshot."""
    month_before = snapshot.replace(day=1) - timedelta(days=1)
    while True:
        d = month_before.replace(day=rng.randint(5, 25))
        if d.weekday() < 5:
            return d


@cache
def level_catalogue(level: str, first: date, last: date, seed: int) -> LevelCatalogue:
    spec = _LEVELS[level]
    rng = random.Random(f"{seed}:scale-catalogue:{level}")
    dates = snapshot_dates(first, last)
    draws = {
        kind: [0] + [rng.choices(*spec[kind])[0] for _ in dates[1:]]
        for kind in ("new", "amended", "replaced", "abolished")
    }
    n_base = spec["size"]
    total = n_base + sum(draws["new"])
    codes = procedure_codes(rng, total)
    names = procedure_names(rng, spec["authority_level"], total)

    # decisions published in the four years before, for the catalogue on the first day
    history = sorted(weekday_in_years(rng, first.year - 4, first.year - 1) for _ in range(12))
    history = [d for d in history if d < first - timedelta(days=30)] or [first - timedelta(60)]
    history_no = [decision_number(rng, d) for d in history]

    rows: list[_Row | None] = []
    weight = np.zeros(total)
    for i in range(total):
        domain, name = names[i]
        days_range, fee_share, popularity = v.DOMAIN_PROFILE[domain]
        days = None if days_range is None else rng.randint(*days_range)
        if domain == "Hộ tịch" and rng.random() < 0.15:
            days = None  # given the same day
        roll = rng.random()
        level_ = 4 if roll < spec["full"] else 3 if roll < spec["full"] + spec["partial"] else 2
        if level_ == 2 and rng.random() < 0.2:
            level_ = 1
        h = rng.randrange(len(history))
        weight[i] = popularity * rng.lognormvariate(0, 1.0)
        row = _Row(
            procedure_code=codes[i],
            procedure_name=name,
            domain=domain,
            authority_level=spec["authority_level"],
            service_level=level_,
            processing_days=days,
            has_fee=rng.random() < fee_share,
            decision_no=history_no[h],
            decision_date=history[h],
            change_type=rng.choices((NEW, AMENDED, REPLACED), (6, 3, 1))[0],
            effective_date=history[h] + timedelta(days=rng.choice((0, 0, 10, 15))),
            is_published=rng.random() > 0.01,
            status=1,
        )
        rows.append(row)
    current: list[_Row | None] = rows[:n_base] + [None] * (total - n_base)
    waiting_new = list(range(n_base, total))

    S = len(dates)
    accepts = np.zeros((S, total), dtype=bool)
    days_arr = np.full((S, total), -1, dtype=np.int64)
    online = np.zeros((S, total), dtype=np.int8)
    snapshots = []
    for s, export_date in enumerate(dates):
        if s:
            decided = _decision_day(rng, export_date)
            number = decision_number(rng, decided)
            stamp = dict(decision_no=number, decision_date=decided, effective_date=export_date)
            in_force = [i for i, r in enumerate(current) if r is not None and r.status == 1]
            rng.shuffle(in_force)
            k = 0
            for kind, change in (
                ("abolished", ABOLISHED),
                ("amended", AMENDED),
                ("replaced", REPLACED),
            ):
                for i in in_force[k : k + draws[kind][s]]:
                    r = current[i]
                    if change == ABOLISHED:
                        current[i] = replace(r, change_type=ABOLISHED, status=0, **stamp)
                        continue
                    level_ = r.service_level
                    if level_ in (2, 3) and rng.random() < 0.5:
                        level_ += 1  # the province raises the online level
                    days = r.processing_days
                    if days is not None:
                        days = max(1, days - rng.choice((0, 1, 2, 3)))
                    current[i] = replace(
                        r, change_type=change, service_level=level_, processing_days=days, **stamp
                    )
                k += draws[kind][s]
            for i in waiting_new[: draws["new"][s]]:
                current[i] = replace(rows[i], change_type=NEW, **stamp)
            waiting_new = waiting_new[draws["new"][s] :]
        listed = [r for r in current if r is not None]
        for i, r in enumerate(current):
            if r is None:
                continue
            accepts[s, i] = r.status == 1
            days_arr[s, i] = -1 if r.processing_days is None else r.processing_days
            online[s, i] = (
                ONLINE_FULL
                if r.service_level == 4
                else ONLINE_PARTIAL
                if r.service_level == 3
                else ONLINE_NONE
            )
        snapshots.append(pl.DataFrame([r.__dict__ for r in listed], schema=SNAPSHOT_SCHEMA))
    return LevelCatalogue(
        level=level,
        dates=dates,
        codes=codes,
        domains=[domain for domain, _ in names],
        weight=weight,
        has_fee=np.array([r.has_fee for r in rows]),
        accepts=accepts,
        days=days_arr,
        online=online,
        snapshots=snapshots,
    )
