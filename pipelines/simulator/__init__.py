"""Writes realistic ward and city exports to the ward-exports contract.

Tooling, not runtime: the simulator writes landing folders to the contract for the sample
data, the tests and the benchmark (`pipelines.bench`). The Dagster code location
(`pipelines.definitions` and everything it loads) never imports it, and
`tests/unit/test_runtime_imports.py` keeps it that way; nothing here may be needed to ingest
or publish.

    python -m pipelines.simulator --scenario soc-trang-2021 --out warehouse/landing

`write_scenario` is the same from Python. `dirty=True` (`--dirty`) then plants bad input
at known files and rows and returns its manifest (see `dirty.py`). Output is a pure
function of (scenario, seed, dirty):
every random draw comes from a `random.Random` seeded per unit and feed, and nothing reads
the clock, so the same seed gives byte-identical files, however many worker processes
write them.

`reorg-2025` (`reorg.py`, `reorg_truth.py`) is written on its own: Sóc Trăng city across the
reorganisation of 1 July 2025, its registry built from the GSO lists by `pipelines.registry`.

The sample scenarios (`scenarios.py`) are written row by row (`catalogue`, `dossiers`,
`documents`, `staff`, `reports`, `dirty`); the `province` scenario at scale column by column
(`scale.py` and `scale_*.py`). Both speak the dialects of `dialects.py` and write the bytes
of `writers.py`; `common.py` holds the array helpers the scale modules share. Modules use
only each other's public names.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipelines.simulator.catalogue import build_catalogue, write_procedures
from pipelines.simulator.dirty import plant_faults
from pipelines.simulator.documents import register_signers, write_documents
from pipelines.simulator.dossiers import write_dossiers
from pipelines.simulator.reports import write_reports
from pipelines.simulator.scenarios import SCENARIOS, get_scenario
from pipelines.simulator.staff import write_staff
from pipelines.simulator.truth import Truth
from pipelines.simulator.workdays import WorkCalendar
from pipelines.simulator.writers import LandingWriter, write_units_csv

__all__ = ["SCENARIOS", "LandingNotEmptyError", "write_scenario"]


class LandingNotEmptyError(FileExistsError):
    pass


def _rng(seed: int, *parts: str) -> random.Random:
    # a string seed is hashed with SHA-512 by `random`: stable across runs and processes
    return random.Random(":".join((str(seed), *parts)))


def _write_unit(name: str, seed: int, out: str, unit_code: str):
    """Everything one unit delivers except its reports (which need every unit's truth).

    Runs in a worker process; returns what it wrote and its share of the ground truth.
    """
    scenario = get_scenario(name)
    unit = scenario.unit(unit_code)
    cal = WorkCalendar(scenario.year, scenario.holidays, scenario.end)
    truth = Truth(scenario)
    writer = LandingWriter(Path(out))
    # rebuilt per process from the same seed: identical for every unit of the level
    catalogue = build_catalogue(
        scenario.catalogues[unit.level], scenario.year, cal, _rng(seed, "catalogue", unit.level)
    )
    write_procedures(unit, catalogue, scenario.year, writer, truth, scenario.end)
    write_dossiers(
        scenario,
        unit,
        catalogue,
        cal,
        _rng(seed, "dossiers", unit.code),
        writer,
        truth,
        hidden_rng=_rng(seed, "hidden-late", unit.code),
    )
    write_documents(scenario, unit, cal, _rng(seed, "documents", unit.code), writer, truth)
    if unit.staff is not None:
        # a ward's chair and vice-chairs sign its register: the same names, from a replay of
        # the register's stream; the list's own draws come from a stream of its own
        signers = register_signers(scenario, unit, cal, _rng(seed, "documents", unit.code))
        write_staff(unit, cal, _rng(seed, "staff", unit.code), writer, truth, signers)
    return writer.files, writer.rows, truth.flows, truth.stocks, truth.hidden_late, truth.late


def write_scenario(
    name: str,
    out: Path,
    seed: int = 2021,
    *,
    force: bool = False,
    workers: int | None = None,
    units: list[str] | None = None,
    dirty: bool = False,
) -> dict:
    """Write scenario `name` into the landing folder `out` and return a summary with the
    files and rows written and the ground truth (every indicator figure, every unit).

    `dirty`: after the clean files, plant bad input at known files and rows; the summary's
    `faults` is then the manifest (each fault's file, row, what the ingest must do with it
    and the reason it must give), and `truth` stays the truth of the clean files.

    Refuses a non-empty `out` unless `force` (files of the same name are overwritten,
    others left alone). `workers` processes write units in parallel (default: CPUs).
    `units` limits the run to those unit codes: their files are the same bytes as in a full
    run, but reports (which need every unit) are not written and the truth is partial.
    """
    scenario = get_scenario(name)
    if dirty and units is not None:
        raise ValueError("dirty mode plants faults across units: write every unit")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise LandingNotEmptyError(f"{out} is not empty; pass --force to write into it anyway")
    out.mkdir(parents=True, exist_ok=True)
    write_units_csv(out, scenario.units)

    chosen = scenario.units if units is None else [scenario.unit(code) for code in units]
    # biggest desks first, so that the pool ends evenly
    codes = [u.code for u in sorted(chosen, key=lambda u: -u.dossiers_finished)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(codes)))
    if workers == 1:
        results = [_write_unit(name, seed, str(out), code) for code in codes]
    else:
        # spawn, not fork: the caller may be a threaded process (pytest, Dagster)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            jobs = [pool.submit(_write_unit, name, seed, str(out), code) for code in codes]
            results = [job.result() for job in jobs]

    truth = Truth(scenario)
    files: Counter[tuple[str, str]] = Counter()
    rows: Counter[str] = Counter()
    for unit_files, unit_rows, flows, stocks, hidden_late, late in results:
        files.update(unit_files)
        rows.update(unit_rows)
        truth.flows.update(flows)
        truth.stocks.update(stocks)
        truth.hidden_late.extend(hidden_late)
        truth.late.extend(late)

    if units is None:
        writer = LandingWriter(out)
        write_reports(scenario, truth, writer)
        files.update(writer.files)
        rows.update(writer.rows)

    faults = None
    if dirty:
        hidden = [d["dossier_code"] for d in truth.hidden_late]
        faults, added = plant_faults(scenario, out, seed, exclude_dossiers=hidden)
        files.update(added)

    by_feed: dict[str, dict[str, int]] = {}
    for (feed, fmt), n in sorted(files.items()):
        by_feed.setdefault(feed, {})[fmt] = n
    summary = {
        "scenario": name,
        "seed": seed,
        "out": str(out),
        "units": len(scenario.units),
        "files": by_feed,
        "rows": dict(sorted(rows.items())),  # as generated, before any fault
        "truth": truth.as_dict(),
    }
    if faults is not None:
        summary["faults"] = faults
    return summary
