"""A province-scale landing folder, written to the ward-exports contract in minutes.

    python -m pipelines.simulator --scenario province --out /tmp/province_landing

`write_scale` is the same from Python. The `PROVINCE` preset is Sóc Trăng at full size:
100 units (9 districts and 91 wards and communes) over the 365 days of 2021, about
10 million dossier change-log rows and 1 million document rows.

Volumes are per unit and working day on average: `dossiers_per_day` new dossiers (received
at the desk, or submitted online), `documents_per_day` outgoing documents; a district desk
is about 2.5 times a ward's and the wards spread around their mean (`scale_province`).
Each dossier writes 3.35 change-log rows over its life on average (`scale_dossiers`).

Unlike the sample scenarios, which plan row by row with `random`, this generator draws
whole columns with numpy and writes them with polars (`scale_files`, `scale_workbook`),
one unit at a time in a pool of processes: memory is one unit's rows, never the province.
Output is a pure function of the parameters and the seed: every draw comes from a generator
seeded by (seed, unit code, feed), so worker count and order change nothing.

What is not modelled, for now: units merged or renamed, late or corrected file deliveries,
rows delivered days late (every row is in the file of its `updated_at` day), dirty input.
Reports: one per unit and complete quarter, delivered early in the next month when that
falls within the scenario, with figures computed from the generated logs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.simulator import LandingNotEmptyError
from pipelines.simulator.common import day_number
from pipelines.simulator.dialects import rate
from pipelines.simulator.scale_catalogue import level_catalogue
from pipelines.simulator.scale_documents import register
from pipelines.simulator.scale_dossiers import desk_log
from pipelines.simulator.scale_files import DAY, FeedWriter
from pipelines.simulator.scale_province import (
    WARDS_PER_DISTRICT,
    ScaleUnit,
    Workdays,
    numpy_rng,
    province_units,
)
from pipelines.simulator.scenarios import soc_trang_2021
from pipelines.simulator.writers import write_units_csv

__all__ = ["MID", "PROVINCE", "ScaleParams", "check_parameters", "write_scale"]

# 100 units x 250 working days (2021) x 120 new dossiers = 3.0 million dossiers, at 3.35
# change-log rows each = 10.0 million rows; 100 x 250 x 40 = 1.0 million documents.
PROVINCE = dict(units=100, days=365, dossiers_per_day=120, documents_per_day=40)
# The mid size: 20 units x 250 working days x 61 = 305,000 dossiers, ~1.0 million change-log
# rows; 20 x 250 x 4.4 = 22,000 documents.
MID = dict(units=20, days=365, dossiers_per_day=61, documents_per_day=4.4)
NAME = "province"
LATE_SHARE = (0.015, 0.06)  # per unit: share of dossiers with processing days finished late


@dataclass(frozen=True)
class ScaleParams:
    units: int
    days: int
    dossiers_per_day: float
    documents_per_day: float
    start: date
    seed: int

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


@cache
def _calendar(first: date, last: date) -> Workdays:
    return Workdays(first, last)


def _write_unit(params: ScaleParams, out: str, index: int):
    """Everything one unit delivers but its reports; runs in a worker process."""
    unit = province_units(params.units, params.seed)[index]
    cal = _calendar(params.start, params.end)
    catalogue = level_catalogue(unit.level, params.start, params.end, params.seed)
    sample = soc_trang_2021()
    writer = FeedWriter(Path(out))

    snapshots = pl.concat(
        [
            s.with_columns(pl.lit(d).alias(DAY))
            for d, s in zip(catalogue.dates, catalogue.snapshots, strict=True)
        ]
    )
    writer.write(unit, "procedures", snapshots)

    rng = numpy_rng(params.seed, "scale-dossiers", unit.code)
    log = desk_log(
        unit,
        catalogue,
        cal,
        params.dossiers_per_day * unit.size,
        float(rng.uniform(*LATE_SHARE)),
        sample.dossier_shares[unit.level],
        rng,
    )
    writer.write(unit, "dossiers", log.rows)
    n_dossiers, flows = log.dossiers, log.flows
    del log

    docs = register(
        unit,
        cal,
        params.documents_per_day * unit.size,
        sample.document_shares,
        numpy_rng(params.seed, "scale-documents", unit.code),
        params.seed,
    )
    writer.write(unit, "documents", docs.rows)
    flows = flows + docs.flows
    return writer.files, writer.rows, flows, n_dossiers, docs.documents


def _quarters(
    params: ScaleParams, cal: Workdays
) -> list[tuple[str, list[tuple[int, int]], date, date]]:
    """(period, its (year, month)s, last day, report day) of each quarter wholly within the
    scenario whose report (the first working day from the 5th of the next month) is too."""
    out = []
    year, q = params.start.year, (params.start.month - 1) // 3 + 1
    while True:
        first = date(year, 3 * q - 2, 1)
        nxt = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        report = cal.date(cal.index(day_number(nxt.replace(day=5))))
        if report > params.end:
            return out
        if first >= params.start:
            months = [(year, 3 * q - 2 + k) for k in range(3)]
            out.append((f"{year}-Q{q}", months, nxt - timedelta(days=1), report))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)


def _report_rows(
    unit: ScaleUnit,
    units: tuple[ScaleUnit, ...],
    flows: dict[str, Counter],
    months: list[tuple[int, int]],
    period: str,
    proc_total: int,
) -> list[dict]:
    def total(codes: list[str], name: str) -> int:
        return sum(flows[c][(y, m, name)] for c in codes for y, m in months)

    def row(code, scope, numerator, denominator=None):
        value = None if denominator is None else rate(numerator, denominator)
        return {
            "period": period,
            "indicator_code": code,
            "scope": scope,
            "numerator": numerator,
            "denominator": denominator,
            "reported_rate": value,
        }

    own = [unit.code]
    rows = [
        row("PROC_TOTAL", "self", proc_total),
        row("DOSSIER_RECEIVED", "self", total(own, "received")),
        row("DOSSIER_FINISHED", "self", total(own, "finished")),
        row("DOSSIER_ONTIME_RATE", "self", total(own, "ontime"), total(own, "finished")),
        row("DOC_SENT", "self", total(own, "doc_sent")),
        row("DOC_ELECTRONIC_RATE", "self", total(own, "doc_electronic"), total(own, "doc_sent")),
    ]
    area = own + [u.code for u in units if u.spec.parent == unit.code]
    if len(area) > 1:
        rows += [
            row("DOSSIER_RECEIVED", "area", total(area, "received")),
            row("DOSSIER_ONTIME_RATE", "area", total(area, "ontime"), total(area, "finished")),
            row(
                "DOC_ELECTRONIC_RATE",
                "area",
                total(area, "doc_electronic"),
                total(area, "doc_sent"),
            ),
        ]
    # a rate without a denominator (nothing finished or sent) is not reported
    return [r for r in rows if r["denominator"] is None or r["denominator"] > 0]


def check_parameters(
    units: int, days: int, dossiers_per_day: float, documents_per_day: float
) -> None:
    """Raise ValueError for parameters no province can have."""
    if not 1 <= units <= 59 * (WARDS_PER_DISTRICT + 1):
        raise ValueError(f"units must be 1 to {59 * (WARDS_PER_DISTRICT + 1)}")
    if days < 1:
        raise ValueError("days must be at least 1")
    if dossiers_per_day < 0 or documents_per_day < 0:
        raise ValueError("volumes per day cannot be negative")


def write_scale(
    out: Path,
    *,
    units: int = PROVINCE["units"],
    days: int = PROVINCE["days"],
    dossiers_per_day: float = PROVINCE["dossiers_per_day"],
    documents_per_day: float = PROVINCE["documents_per_day"],
    start: date = date(2021, 1, 1),
    seed: int = 2021,
    workers: int | None = None,
    force: bool = False,
) -> dict:
    """Write a province of `units` units over `days` days from `start` into the landing
    folder `out`; return the files and rows written (by feed and format) and the seconds.

    `dossiers_per_day`: new dossiers per unit and working day on average (received at the
    desk or submitted online; each writes 3.35 change-log rows over its life on average);
    `documents_per_day`: outgoing documents per unit and working day on average. Refuses a
    non-empty `out` unless `force`. `workers` processes write units (default: CPUs)."""
    started = time.perf_counter()
    check_parameters(units, days, dossiers_per_day, documents_per_day)
    params = ScaleParams(units, days, dossiers_per_day, documents_per_day, start, seed)
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise LandingNotEmptyError(f"{out} is not empty; pass --force to write into it anyway")
    out.mkdir(parents=True, exist_ok=True)
    registry = province_units(units, seed)
    write_units_csv(out, [u.spec for u in registry])

    # biggest desks first, so that the pool ends evenly
    order = sorted(range(len(registry)), key=lambda i: (-registry[i].size, i))
    workers = max(1, min(workers or os.cpu_count() or 1, len(order)))
    if workers == 1:
        results = {i: _write_unit(params, str(out), i) for i in order}
    else:
        # spawn, not fork: the caller may be a threaded process (pytest, Dagster)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            jobs = {i: pool.submit(_write_unit, params, str(out), i) for i in order}
            results = {i: job.result() for i, job in jobs.items()}

    files: Counter[tuple[str, str]] = Counter()
    rows: Counter[str] = Counter()
    flows: dict[str, Counter] = {}
    n_dossiers = n_documents = 0
    for i, (unit_files, unit_rows, unit_flows, unit_dossiers, unit_documents) in sorted(
        results.items()
    ):
        files.update(unit_files)
        rows.update(unit_rows)
        flows[registry[i].code] = unit_flows
        n_dossiers += unit_dossiers
        n_documents += unit_documents

    cal = _calendar(params.start, params.end)
    writer = FeedWriter(out)
    for period, months, last_day, report_day in _quarters(params, cal):
        for unit in registry:
            catalogue = level_catalogue(unit.level, params.start, params.end, seed)
            report = _report_rows(
                unit, registry, flows, months, period, catalogue.active_on(last_day)
            )
            writer.write_reports(unit, report_day, report)
    files.update(writer.files)
    rows.update(writer.rows)

    by_feed: dict[str, dict[str, int]] = {}
    for (feed, fmt), n in sorted(files.items()):
        by_feed.setdefault(feed, {})[fmt] = n
    return {
        "scenario": NAME,
        "seed": seed,
        "out": str(out),
        "units": len(registry),
        "start": params.start.isoformat(),
        "end": params.end.isoformat(),
        "working_days": cal.n_in,
        "dossiers_per_day": dossiers_per_day,
        "documents_per_day": documents_per_day,
        "dossiers": n_dossiers,
        "documents": n_documents,
        "files": by_feed,
        "rows": dict(sorted(rows.items())),
        "seconds": round(time.perf_counter() - started, 1),
    }
