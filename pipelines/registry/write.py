"""units.csv and unit_successions.csv as the ward-exports contract lays them out: UTF-8,
a header row, ISO dates, empty for no value."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.registry.build import Registry

UNITS_HEADER = (
    "unit_code",
    "unit_name",
    "unit_level",
    "parent_code",
    "valid_from",
    "valid_to",
    "csv_encoding",
)
SUCCESSIONS_HEADER = ("effective_date", "predecessor_code", "successor_code", "transfer")


def _csv(header, rows) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_registry(registry: Registry, folder: Path) -> tuple[Path, Path]:
    """Write <folder>/units.csv and <folder>/unit_successions.csv; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    units = folder / "units.csv"
    units.write_bytes(
        _csv(
            UNITS_HEADER,
            (
                (
                    r.unit_code,
                    r.unit_name,
                    r.unit_level,
                    r.parent_code or "",
                    r.valid_from.isoformat(),
                    r.valid_to.isoformat() if r.valid_to else "",
                    r.csv_encoding,
                )
                for r in registry.units
            ),
        )
    )
    successions = folder / "unit_successions.csv"
    successions.write_bytes(
        _csv(
            SUCCESSIONS_HEADER,
            (
                (s.effective_date.isoformat(), s.predecessor_code, s.successor_code, s.transfer)
                for s in registry.successions
            ),
        )
    )
    return units, successions
