"""Write report files: which reports, where, and progress while they are written.

By default (the nightly run): for every top-level unit (no parent) and every year in the
published file, one workbook and one page covering the unit and every unit under it.
Months and quarters are written on request (`par report --period 2021-03 --excel`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.reports.data import STALE_AFTER_DAYS, Report, Snapshot, build_report
from pipelines.reports.paths import report_files
from pipelines.reports.periods import Period

KINDS = ("excel", "html")


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    kind: str  # excel or html
    unit_code: str
    period: Period
    rows: int  # indicator figures the file shows
    seconds: float


@dataclass
class Progress:
    """Files done out of total, rows written and their rate, as the files are written."""

    total: int
    started: float = field(default_factory=time.perf_counter)
    files: list[WrittenFile] = field(default_factory=list)
    previews: dict[Path, dict[str, dict]] = field(default_factory=dict)  # page -> chart specs

    @property
    def done(self) -> int:
        return len(self.files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        last = self.files[-1] if self.files else None
        where = f" {last.path.name}" if last else ""
        return (
            f"reports: {self.done}/{self.total} files{where}, {self.rows:,} rows, "
            f"{self.rows_per_second:,.0f} rows/s"
        )


def default_targets(snapshot: Snapshot) -> list[tuple[str, Period]]:
    """Every top-level unit for every year in the published file: (its code, or `code@day`
    for a unit whose code another unit reuses within the year, see Snapshot.pick; year)."""
    targets = []
    for period in snapshot.periods():
        if period.type != "year":
            continue
        units = snapshot.units_in(period)
        for key in snapshot.top_units(period):
            unit = units[key]
            default = snapshot.pick(unit.code, period).key == key
            targets.append((unit.code if default else unit.selector, period))
    return targets


def file_code(report: Report) -> str:
    """The unit part of the report's file names: its code; `code@day` for the unit of a
    reused code that is not the one existing at the period's end (two units, two files)."""
    root = report.root
    later = [
        u
        for u in report.same_code
        if (u.valid_from or dt.date.min) > (root.valid_from or dt.date.min)
    ]
    if not later:
        return root.code
    day = root.valid_from or root.valid_to
    return f"{root.code}@{day.isoformat()}" if day else root.code


def write_report(
    report: Report,
    out_dir: Path,
    kinds: Iterable[str],
    progress: Progress,
    on_file: Callable[[Progress], None] | None = None,
) -> None:
    from pipelines.reports.charts import write_html
    from pipelines.reports.excel import write_workbook

    workbook, page = report_files(out_dir, file_code(report), report.period)
    for kind in kinds:
        started = time.perf_counter()
        if kind == "excel":
            rows = write_workbook(report, workbook)
            path = workbook
        elif kind == "html":
            progress.previews[page] = write_html(
                report, page, workbook_name=workbook.name if "excel" in kinds else None
            )
            rows = report.rows.height + report.trend.height
            path = page
        else:
            raise ValueError(f"unknown report kind {kind!r}; known: {', '.join(KINDS)}")
        progress.files.append(
            WrittenFile(
                path=path,
                kind=kind,
                unit_code=report.root.code,
                period=report.period,
                rows=rows,
                seconds=time.perf_counter() - started,
            )
        )
        if on_file:
            on_file(progress)


def write_reports(
    snapshot: Snapshot,
    out_dir: Path,
    targets: list[tuple[str, Period]] | None = None,
    kinds: tuple[str, ...] = KINDS,
    on_file: Callable[[Progress], None] | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> Progress:
    """Write the workbook and/or page of every (unit, period) in targets (default: every
    top-level unit, every year). on_file is called after each file with the progress. A
    unit whose daily feed is more than stale_after_days behind is warned about (callers
    with settings pass Settings.freshness_days)."""
    targets = default_targets(snapshot) if targets is None else targets
    progress = Progress(total=len(targets) * len(kinds))
    for unit, period in targets:
        report = build_report(snapshot, unit, period, stale_after_days)
        write_report(report, out_dir, kinds, progress, on_file)
    return progress
