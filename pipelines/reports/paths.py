"""What report files are called, and where slow-to-build helpers are cached.

<reports folder>/<unit>/<year>/par_<unit>_<period>.xlsx and .html, with <period> `2021`,
`2021-Q1` or `2021-03`; the folder is `Settings.reports_dir` unless the caller names another.
Slow-to-build helpers (the charts' JavaScript bundle, dbt's parse state) are cached per user.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pipelines.lib.safe_paths import path_under
from pipelines.reports.periods import Period


def report_stem(unit_code: str, period: Period) -> str:
    return f"par_{unit_code}_{period.label}"


def report_files(out_dir: Path, unit_code: str, period: Period) -> tuple[Path, Path]:
    """(workbook, page) of one unit and period under out_dir. The unit code is delivered
    text (units.csv): ValueError when it would put a file anywhere but inside out_dir."""
    stem = report_stem(unit_code, period)
    year = str(period.year)
    return (
        path_under(out_dir, unit_code, year, f"{stem}.xlsx"),
        path_under(out_dir, unit_code, year, f"{stem}.html"),
    )


def cache_dir() -> Path:
    """The user's cache folder for this project (created), or one in the temp folder when
    the home folder is not writable."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (
        Path(root) / "par-warehouse",
        Path(tempfile.gettempdir()) / f"par-warehouse-{os.getuid()}",
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise OSError("no writable cache folder (tried $XDG_CACHE_HOME, ~/.cache, the temp folder)")
