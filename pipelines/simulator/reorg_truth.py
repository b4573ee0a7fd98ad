"""The ground truth of `reorg-2025`, as the contract counts it.

A unit is a registry row's (code, valid_from): a reused code is two units. Dossier flows
are counted per unit and month: `received` by the unit that received the dossier (in its
own log), by received_at; `finished`, `ontime` and `late` by the unit whose log has the
result, by finished_at. A handed-over dossier is therefore received once (old unit) and
finished once (new unit); `handed_over` lists each with both units.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

COUNTERS = ("received", "finished", "ontime", "late")


@dataclass(frozen=True)
class UnitKey:
    code: str
    valid_from: date

    @classmethod
    def of(cls, row) -> UnitKey:
        return cls(row.unit_code, row.valid_from)

    @property
    def text(self) -> str:
        return f"{self.code}@{self.valid_from.isoformat()}"


def period_months(period: str) -> list[str]:
    """'2024' | '2024-Q4' | '2024-10' -> the months it covers, as 'YYYY-MM'."""
    year, _, part = period.partition("-")
    if not part:
        months = range(1, 13)
    elif part.startswith("Q"):
        q = int(part[1:])
        months = range(3 * q - 2, 3 * q + 1)
    else:
        months = [int(part)]
    return [f"{year}-{m:02d}" for m in months]


@dataclass
class ReorgTruth:
    units: list[dict] = field(default_factory=list)  # the registry rows, as written
    successions: list[dict] = field(default_factory=list)
    # (unit key text, 'YYYY-MM', counter) -> dossiers
    flows: Counter = field(default_factory=Counter)
    handed_over: list[dict] = field(default_factory=list)
    catalogue_size: dict[str, int] = field(default_factory=dict)  # by unit key text

    @classmethod
    def of_registry(cls, registry) -> ReorgTruth:
        return cls(
            units=[
                {
                    "unit_code": r.unit_code,
                    "unit_name": r.unit_name,
                    "unit_level": r.unit_level,
                    "parent_code": r.parent_code,
                    "valid_from": r.valid_from.isoformat(),
                    "valid_to": r.valid_to.isoformat() if r.valid_to else None,
                    "csv_encoding": r.csv_encoding,
                }
                for r in registry.units
            ],
            successions=[
                {
                    "effective_date": s.effective_date.isoformat(),
                    "predecessor_code": s.predecessor_code,
                    "successor_code": s.successor_code,
                    "transfer": s.transfer,
                }
                for s in registry.successions
            ],
        )

    def count(self, unit: UnitKey, day: date, counter: str) -> None:
        self.flows[(unit.text, f"{day:%Y-%m}", counter)] += 1

    def flow(self, code: str, valid_from: date | str, period: str, counter: str) -> int:
        """A unit's own (`self`) count of `counter` in a period ('2024', '2024-Q4',
        '2024-10')."""
        if counter not in COUNTERS:
            raise KeyError(counter)
        key = f"{code}@{valid_from if isinstance(valid_from, str) else valid_from.isoformat()}"
        return sum(self.flows[(key, month, counter)] for month in period_months(period))

    def unit_keys(self) -> list[str]:
        return [f"{u['unit_code']}@{u['valid_from']}" for u in self.units]

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "successions": self.successions,
            "flows": [
                {"unit": unit, "month": month, "counter": counter, "dossiers": n}
                for (unit, month, counter), n in sorted(self.flows.items())
            ],
            "handed_over": self.handed_over,
            "catalogue_size": self.catalogue_size,
        }
