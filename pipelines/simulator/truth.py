"""The ground truth of a generated scenario, kept as small monthly counters.

Flows (dossiers, documents, procedure changes, late dossiers by reason) are counted per unit
and month; stocks (the catalogue, the staff list) are recorded at every month end. Every
period the contract knows (year, quarter, month) is a union of months, so any figure can be
answered from these, for one unit (`self`) or a unit and all units under it (`area`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from pipelines.simulator.dialects import rate
from pipelines.simulator.specs import Scenario

# indicator code -> (measure: flow or stock, numerator counter, denominator counter or None)
INDICATORS: dict[str, tuple[str, str, str | None]] = {
    "PROC_TOTAL": ("stock", "proc_active", None),
    "PROC_CHANGED": ("flow", "proc_changed", None),
    "PROC_ABOLISHED": ("flow", "proc_abolished", None),
    "PROC_PUBLISHED_RATE": ("stock", "proc_published", "proc_active"),
    "PROC_ONLINE_PARTIAL": ("stock", "proc_partial", None),
    "PROC_ONLINE_FULL": ("stock", "proc_full", None),
    "DOSSIER_RECEIVED": ("flow", "received", None),
    "DOSSIER_FINISHED": ("flow", "finished", None),
    "DOSSIER_ONTIME": ("flow", "ontime", None),
    "DOSSIER_LATE": ("flow", "late", None),
    "DOSSIER_ONTIME_RATE": ("flow", "ontime", "finished"),
    "DOSSIER_ONLINE_RATE_PARTIAL": ("flow", "received_partial_online", "received_partial"),
    "DOSSIER_ONLINE_RATE_FULL": ("flow", "received_full_online", "received_full"),
    "DOSSIER_APOLOGY_RATE": ("flow", "late_apology", "late"),
    "DOSSIER_PAID_ONLINE_RATE": ("flow", "paid_online", "fee_finished"),
    "DOSSIER_DIGITIZED_RATE": ("flow", "digitized", "received"),
    "DOC_SENT": ("flow", "doc_sent", None),
    "DOC_ELECTRONIC": ("flow", "doc_electronic", None),
    "DOC_ELECTRONIC_RATE": ("flow", "doc_electronic", "doc_sent"),
    "DOC_SIGNED_RATE": ("flow", "doc_signed", "doc_sent"),
    "STAFF_EMAIL_RATE": ("stock", "staff_email", "staff_serving"),
    "STAFF_LEADER_SIGNING_RATE": ("stock", "staff_leader_signing", "staff_leaders"),
}
# flow counters of late dossiers by the reason the desk gave ('' for none): prefix + reason
LATE_REASON = "late_reason:"


def period_months(period: str) -> tuple[int, list[int]]:
    """(year, months) of '2021', '2021-Q3' or '2021-07'."""
    year, _, part = period.partition("-")
    if not part:
        return int(year), list(range(1, 13))
    if part.startswith("Q"):
        q = int(part[1:])
        return int(year), [3 * q - 2, 3 * q - 1, 3 * q]
    return int(year), [int(part)]


def periods(year: int, last_month: int = 12) -> list[str]:
    """The periods wholly covered by data up to the end of `last_month`."""
    return (
        ([str(year)] if last_month == 12 else [])
        + [f"{year}-Q{q}" for q in range(1, last_month // 3 + 1)]
        + [f"{year}-{m:02d}" for m in range(1, last_month + 1)]
    )


class Truth:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.flows: Counter[tuple[str, int, int, str]] = Counter()  # (unit, year, month, name)
        self.stocks: Counter[tuple[str, int, int, str]] = Counter()  # at the month's end
        self.faults: list[dict] = []  # report figures that are wrong on purpose
        self.hidden_late: list[dict] = []  # dossiers on time by the log, late by the rule
        self.late: list[dict] = []  # every late dossier, with its reason

    def add(self, unit: str, d: date, name: str, n: int = 1) -> None:
        self.flows[(unit, d.year, d.month, name)] += n

    def add_late(self, unit: str, plan, cal=None) -> None:
        """A dossier finished late (a `dossiers.Plan`): its reason counted in its finishing
        month, and its row for the list of late dossiers. Days late are calendar days from
        the recorded due date to the finishing date; working days late the working days
        after the due date up to and including the finishing date."""
        finished, due = plan.finished.date(), plan.due.date()
        self.add(unit, finished, LATE_REASON + (plan.late_reason or ""))
        self.late.append(
            {
                "unit_code": unit,
                "dossier_code": plan.code,
                "procedure_code": plan.version.procedure_code,
                "received_at": plan.received.isoformat(sep=" "),
                "due_at": plan.due.isoformat(sep=" "),
                "finished_at": plan.finished.isoformat(sep=" "),
                "days_late": (finished - due).days,
                "working_days_late": None if cal is None else cal.between(due, finished),
                "late_reason": plan.late_reason,
            }
        )

    def set_stock(self, unit: str, month_end: date, name: str, n: int) -> None:
        self.stocks[(unit, month_end.year, month_end.month, name)] = n

    def _units(self, unit: str, scope: str) -> list[str]:
        if scope == "self":
            return [unit]
        out, todo = [], [unit]
        while todo:
            code = todo.pop()
            out.append(code)
            todo.extend(c.code for c in self.scenario.children(code))
        return out

    def _count(self, units: list[str], year: int, months: list[int], name: str, kind: str):
        if kind == "stock":
            months = months[-1:]  # the catalogue as it stood on the period's last day
            counter = self.stocks
        else:
            counter = self.flows
        return sum(counter[(u, year, m, name)] for u in units for m in months)

    def figure(self, unit: str, scope: str, period: str, indicator: str):
        """(numerator, denominator or None, value) as the warehouse should compute it."""
        kind, num_name, den_name = INDICATORS[indicator]
        units = self._units(unit, scope)
        year, months = period_months(period)
        numerator = self._count(units, year, months, num_name, kind)
        if den_name is None:
            return numerator, None, numerator
        denominator = self._count(units, year, months, den_name, kind)
        return numerator, denominator, rate(numerator, denominator)

    def late_reasons(self, unit: str, scope: str, period: str) -> list[tuple[str | None, int]]:
        """[(reason or None, late dossiers)] finished in the period, most first, then by
        reason (none last)."""
        units = set(self._units(unit, scope))
        year, months = period_months(period)
        counts: Counter[str] = Counter()
        for (u, y, m, name), n in self.flows.items():
            if u in units and y == year and m in months and name.startswith(LATE_REASON):
                counts[name[len(LATE_REASON) :]] += n
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0]))
        return [(reason or None, n) for reason, n in ordered if n]

    def as_dict(self) -> dict:
        """Every figure of every unit, both scopes, every period: JSON-ready."""
        out: dict = {}
        reasons: dict = {}
        for unit in self.scenario.units:
            scopes = ("self", "area") if self.scenario.children(unit.code) else ("self",)
            for scope in scopes:
                for period in periods(self.scenario.year, self.scenario.end.month):
                    reasons.setdefault(unit.code, {}).setdefault(scope, {})[period] = [
                        {"late_reason": reason, "dossiers": n}
                        for reason, n in self.late_reasons(unit.code, scope, period)
                    ]
                    for indicator in INDICATORS:
                        num, den, value = self.figure(unit.code, scope, period, indicator)
                        out.setdefault(unit.code, {}).setdefault(scope, {}).setdefault(period, {})[
                            indicator
                        ] = {
                            "numerator": num,
                            "denominator": den,
                            "value": None if value is None else str(value),
                        }
        hidden = sorted(self.hidden_late, key=lambda d: (d["unit_code"], d["dossier_code"]))
        late = sorted(self.late, key=lambda d: (d["unit_code"], d["dossier_code"]))
        return {
            "figures": out,
            "report_faults": self.faults,
            "hidden_late_dossiers": hidden,
            # every late dossier, and their count by reason (unit, scope, period), as the
            # published late_dossiers and late_dossier_reasons tables must give them
            "late_dossiers": late,
            "late_reasons": reasons,
        }
