"""Periodic reports the units sent upward, filled in from the ground truth.

They agree with the logs, except the figures a scenario marks as faulty: a rate typed
wrong, or counts that differ from what the unit's own logs give.
"""

from __future__ import annotations

from decimal import Decimal

from pipelines.simulator.dialects import rate
from pipelines.simulator.specs import ReportSpec, Scenario
from pipelines.simulator.truth import Truth
from pipelines.simulator.writers import LandingWriter


def typo(value: Decimal) -> Decimal:
    """The rate as a hurried clerk types it: two digits swapped, or one dropped."""
    digits = f"{value:.2f}"
    whole, frac = digits.split(".")
    if frac[0] != frac[1]:
        wrong = Decimal(f"{whole}.{frac[1]}{frac[0]}")
    elif whole[-1] != frac[0]:
        wrong = Decimal(f"{whole[:-1]}{frac[0]}.{whole[-1]}{frac[1]}")
    else:
        wrong = Decimal(f"{whole[:-1] or '0'}.{whole[-1]}{frac}"[:-1])
    return wrong if wrong != value else value - Decimal("1.00")


def report_rows(spec: ReportSpec, truth: Truth) -> list[dict]:
    rows = []
    for indicator, scope in spec.figures:
        numerator, denominator, value = truth.figure(spec.unit, scope, spec.period, indicator)
        if indicator == spec.fault_indicator:
            if spec.fault == "rate_typo":
                value = typo(value)
            elif spec.fault == "numbers_differ":
                if denominator is None or numerator + 2 <= denominator:
                    numerator += 2
                else:
                    numerator -= 2
                value = numerator if denominator is None else rate(numerator, denominator)
            truth.faults.append(
                {
                    "unit_code": spec.unit,
                    "period": spec.period,
                    "indicator_code": indicator,
                    "scope": scope,
                    "fault": spec.fault,
                    "numerator": numerator,
                    "denominator": denominator,
                    "reported_rate": None if denominator is None else str(value),
                }
            )
        rows.append(
            {
                "period": spec.period,
                "indicator_code": indicator,
                "scope": scope,
                "numerator": numerator,
                "denominator": denominator,
                "reported_rate": value if denominator is not None else None,
            }
        )
    return rows


def write_reports(scenario: Scenario, truth: Truth, writer: LandingWriter) -> None:
    """One file per unit and report day; a day's file may hold several periods."""
    files: dict[tuple[str, object], list[dict]] = {}
    for spec in scenario.reports:
        files.setdefault((spec.unit, spec.export_date), []).extend(report_rows(spec, truth))
    for (unit_code, day), rows in sorted(files.items()):
        writer.write(scenario.unit(unit_code), "reports", day, rows)
