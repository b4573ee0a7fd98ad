"""A one-stop desk's year of dossiers, planned in memory per unit, then written as a
change log: one row each time a dossier changes, in the daily file of the day it was
written (a few days later for some update rows).

Planning is per unit so that the unit's exact figures (finished, late) can be met before
anything is written; memory is one unit's dossiers, never the whole scenario.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from pipelines.simulator.catalogue import Catalogue, Version
from pipelines.simulator.people import Applicant, applicant
from pipelines.simulator.specs import DossierShares, Scenario, UnitSpec
from pipelines.simulator.truth import Truth
from pipelines.simulator.workdays import WorkCalendar
from pipelines.simulator.writers import LandingWriter

CLOSE_OF_DAY = time(17, 0)


@dataclass
class Plan:
    version: Version  # the procedure as it stood on the day of receipt
    channel: int
    outcome: str  # finished | open | unreceived | refused | withdrawn
    submitted: datetime | None = None  # online submission (status 1 row)
    received: datetime | None = None
    due: datetime | None = None  # current appointment (moved by a pause)
    first_due: datetime | None = None  # the appointment given at receipt
    processing: datetime | None = None  # status 4 row
    pause: tuple[datetime, datetime, int] | None = None  # requested, resumed, days added
    obligation: datetime | None = None  # status 6 row
    finished: datetime | None = None
    returned: datetime | None = None
    refused: datetime | None = None
    withdrawn: datetime | None = None
    stopped: bool = False
    late: bool = False
    apology: bool = False
    late_reason: str | None = None  # as the desk wrote it on the late result
    digitized: bool = False
    paid_online: bool | None = None
    dropped: bool = False
    hidden_late: bool = False  # appointment later than the rule allows, finished after the rule
    rule_due: date | None = None  # the rule's due date, for a hidden_late dossier
    code: str = ""
    who: Applicant | None = None


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    short = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[:short]:
        parts[i] += 1
    return parts


def desk_time(rng: random.Random, day: date) -> datetime:
    """A moment in the desk's opening hours (7:30-11:00, 13:30-16:30)."""
    minute = rng.randint(0, 209 + 179)
    start = 7 * 60 + 30 if minute < 210 else 13 * 60 + 30 - 210
    total = start + minute
    return datetime.combine(day, time(total // 60, total % 60, rng.randint(0, 59)))


class DeskPlanner:
    """Plans one unit's dossiers for the year."""

    def __init__(
        self,
        scenario: Scenario,
        unit: UnitSpec,
        catalogue: Catalogue,
        cal: WorkCalendar,
        rng: random.Random,
        hidden_rng: random.Random | None = None,
    ):
        self.unit = unit
        # a stream of its own, so that planting hidden-late dossiers leaves every other draw
        # (and so every other row) as it was
        self.hidden_rng = hidden_rng or random.Random(0)
        self.catalogue = catalogue
        self.cal = cal
        self.rng = rng
        self.shares: DossierShares = scenario.dossier_shares[unit.level]
        self.year_end = cal.last
        self.day_weights = [
            scenario.month_weights[d.month - 1]
            * (1.15 if d.weekday() == 0 else 0.9 if d.weekday() == 4 else 1.0)
            * rng.uniform(0.75, 1.25)
            for d in cal.days_in_year
        ]

    # --- one dossier ----------------------------------------------------------------------

    def _procedure(self, day: date) -> Version:
        versions, cum = self.catalogue.eligible(day)
        return versions[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def _channel(self, version: Version) -> int:
        online_share = {"partial": self.shares.online_partial, "full": self.shares.online_full}
        if self.rng.random() < online_share.get(version.online, 0.0):
            return 2
        return 3 if self.rng.random() < self.shares.postal else 1

    def _online_submission(self, day: date) -> datetime:
        """Citizens submit online at any hour, up to two days before the desk receives."""
        moment = datetime.combine(day, time(7, 0)) - timedelta(minutes=self.rng.randint(5, 2880))
        return max(moment, datetime(self.cal.year, 1, 1, 0, 5))

    def counted(self, day: date) -> Plan:
        """A dossier received on `day` and processed (finished, or still open at year end)."""
        rng, cal = self.rng, self.cal
        version = self._procedure(day)
        plan = Plan(version=version, channel=self._channel(version), outcome="finished")
        plan.received = desk_time(rng, day)
        if plan.channel == 2:
            plan.submitted = min(self._online_submission(day), plan.received)
        days = version.processing_days
        plan.digitized = rng.random() < self.shares.digitized
        if version.has_fee:
            share = (
                self.shares.paid_online_online
                if plan.channel == 2
                else self.shares.paid_online_in_person
            )
            plan.paid_online = rng.random() < share
        if days is None:  # on the spot
            plan.due = plan.first_due = datetime.combine(day, CLOSE_OF_DAY)
            plan.finished = min(
                plan.received + timedelta(minutes=rng.randint(10, 120)),
                datetime.combine(day, time(16, 59)),
            )
            plan.returned = plan.finished + timedelta(minutes=rng.randint(0, 5))
            return plan
        due_day = due_day_at_receipt = cal.add(day, days)
        finish_day = cal.add(day, max(1, round(days * rng.uniform(0.35, 1.0))))
        plan.processing = min(
            plan.received + timedelta(minutes=rng.randint(20, 240)),
            datetime.combine(day, time(16, 55)),
        )
        if days >= 3 and rng.random() < self.shares.supplement:
            asked = cal.add(day, rng.randint(1, 2))
            added = rng.randint(2, 8)
            resumed = cal.add(asked, added)
            plan.pause = (desk_time(rng, asked), desk_time(rng, resumed), added)
            due_day = cal.add(due_day, added)
            finish_day = max(cal.add(finish_day, added), resumed + timedelta(days=1))
            finish_day = cal.add(finish_day, 0)
        plan.due = datetime.combine(due_day, CLOSE_OF_DAY)
        plan.first_due = datetime.combine(due_day_at_receipt, CLOSE_OF_DAY)
        if finish_day > self.year_end:
            plan.outcome = "open"
            return plan
        plan.finished = desk_time(rng, finish_day)
        if version.has_fee and version.domain == "Đất đai" and rng.random() < 0.6:
            # asked to pay fees and taxes the working day before the result is ready
            before = desk_time(rng, cal.add(finish_day, -1))
            if before > (plan.pause[1] if plan.pause else plan.processing):
                plan.obligation = before
        self._set_return(plan)
        return plan

    def _set_return(self, plan: Plan, rng: random.Random | None = None) -> None:
        rng = rng or self.rng
        if plan.channel == 2 and plan.version.online == "full":
            plan.returned = plan.finished + timedelta(minutes=rng.randint(1, 30))
        else:
            wait = rng.choices((0, 1, 2, 3, 5), (60, 25, 7, 5, 3))[0]
            day = self.cal.add(plan.finished.date(), wait)
            plan.returned = max(desk_time(rng, day), plan.finished + timedelta(minutes=10))
        if plan.returned.date() > self.year_end:
            plan.returned = None  # still waiting to be collected at year end

    def uncounted(self, kind: str, day: date) -> Plan:
        """Dossiers the indicators leave out: never received, refused, withdrawn."""
        rng, cal = self.rng, self.cal
        if kind == "withdrawn":
            plan = self.counted(day)
            plan.outcome = "withdrawn"
            last = plan.finished or datetime.combine(self.year_end, time(16, 0))
            when = cal.add(day, 1 if plan.version.processing_days else 0)
            plan.withdrawn = max(desk_time(rng, when), plan.received + timedelta(minutes=5))
            plan.withdrawn = min(plan.withdrawn, last - timedelta(minutes=1))
            if plan.processing and plan.processing >= plan.withdrawn:
                plan.processing = None
            if plan.pause and plan.pause[0] >= plan.withdrawn:
                plan.pause = None
            plan.obligation = plan.finished = plan.returned = None
            return plan
        versions = [v for v in self.catalogue.eligible(day)[0] if v.online != "none"]
        version = rng.choice(versions)
        plan = Plan(version=version, channel=2, outcome=kind)
        plan.submitted = datetime.combine(day, time(rng.randint(6, 22), rng.randint(0, 59)))
        plan.digitized = False
        plan.paid_online = False if version.has_fee else None
        if kind == "refused":
            plan.refused = desk_time(rng, cal.add(day, 1))
            if plan.refused.date() > self.year_end:
                plan.outcome = "unreceived"
                plan.refused = None
        return plan

    # --- the year -------------------------------------------------------------------------

    def plan_year(self) -> list[Plan]:
        rng, unit, shares = self.rng, self.unit, self.shares
        days = self.cal.days_in_year
        target = unit.dossiers_finished
        per_day = allocate(round(target * 1.015), self.day_weights)
        plans = [self.counted(d) for d, n in zip(days, per_day, strict=True) for _ in range(n)]
        finished = [p for p in plans if p.outcome == "finished"]
        if len(finished) > target:
            for i in rng.sample(range(len(finished)), len(finished) - target):
                finished[i].dropped = True
            plans = [p for p in plans if not p.dropped]
            finished = [p for p in finished if not p.dropped]
        # top up on days early enough for any procedure to finish within the period: its
        # first three quarters (January to September for a whole year)
        last_early_month = max(1, self.year_end.month * 3 // 4)
        early = [i for i, d in enumerate(days) if d.month <= last_early_month]
        early_cum = list(accumulate(self.day_weights[i] for i in early))
        while len(finished) < target:
            d = days[rng.choices(early, cum_weights=early_cum)[0]]
            plan = self.counted(d)
            plans.append(plan)
            if plan.outcome == "finished":
                finished.append(plan)

        self._stop_some(finished, round(target * shares.stopped))
        self._make_late(finished, unit.dossiers_late, unit.late_apologies)
        self._hide_late(finished, unit.hidden_late)

        counted = len(plans)
        cum = list(accumulate(self.day_weights))
        for kind, share in (
            ("unreceived", shares.unreceived),
            ("refused", shares.refused),
            ("withdrawn", shares.withdrawn),
        ):
            for _ in range(max(1, round(counted * share))):
                day = days[rng.choices(range(len(days)), cum_weights=cum)[0]]
                plans.append(self.uncounted(kind, day))
        return plans

    def _stop_some(self, finished: list[Plan], n: int) -> None:
        candidates = [p for p in finished if p.version.processing_days]
        for plan in self.rng.sample(candidates, min(n, len(candidates))):
            plan.stopped = True
            plan.returned = None

    def _make_late(self, finished: list[Plan], n: int, apologies: int) -> None:
        """Push n finished dossiers past their due date, staying within the year."""
        cal, rng = self.cal, self.rng
        candidates = [
            p
            for p in finished
            if p.version.processing_days
            and not p.stopped
            and p.pause is None
            and cal.add(p.due.date(), 3) <= self.year_end
        ]
        # reasons take no random draw: every other row stays as it was without them
        reasons = self.unit.late_reasons
        for k, plan in enumerate(rng.sample(candidates, n)):
            plan.late = True
            plan.apology = k < apologies
            plan.late_reason = reasons[k % len(reasons)] if reasons else None
            plan.finished = desk_time(rng, cal.add(plan.due.date(), rng.randint(1, 3)))
            if plan.obligation and plan.obligation >= plan.finished:
                plan.obligation = None
            self._set_return(plan)

    def _hide_late(self, finished: list[Plan], n: int) -> None:
        """Give n on-time dossiers an appointment two working days later than the procedure's
        processing days allow, and finish them the day after the rule's due date: on time by
        the log, late by the rule. Their finishing month stays, so every figure stays."""
        cal, rng = self.cal, self.hidden_rng
        candidates = []
        for p in finished:
            if p.late or p.stopped or p.pause is not None or p.returned is None:
                continue
            if (p.version.processing_days or 0) < 2:
                continue
            rule_due = p.due.date()  # no pause: the processing days from the received date
            finish_day = cal.add(rule_due, 1)
            if finish_day.month == p.finished.month and cal.add(rule_due, 2) <= self.year_end:
                candidates.append(p)
        for plan in rng.sample(candidates, n):
            rule_due = plan.due.date()
            plan.hidden_late, plan.rule_due = True, rule_due
            plan.due = plan.first_due = datetime.combine(cal.add(rule_due, 2), CLOSE_OF_DAY)
            plan.finished = desk_time(rng, cal.add(rule_due, 1))
            if plan.obligation and plan.obligation >= plan.finished:
                plan.obligation = None
            self._set_return(plan, rng)


# --- the change log -------------------------------------------------------------------------


def assign_codes(unit: UnitSpec, places: list[str], plans: list[Plan], rng: random.Random) -> None:
    """Number dossiers per day in order of their first event, as the desk's system does,
    and give each an applicant living in one of `places`."""
    plans.sort(key=lambda p: (p.submitted or p.received, p.version.procedure_code))
    seq, last_day = 0, None
    for plan in plans:
        first = plan.submitted or plan.received
        if first.date() != last_day:
            seq, last_day = 0, first.date()
        seq += 1
        plan.code = unit.dossier_code.format(ymd=first.strftime("%y%m%d"), seq=seq)
        plan.who = applicant(rng, rng.choice(places), plan.version.domain)


def dossier_rows(plan: Plan, year_end: date) -> list[dict]:
    """The change log of one dossier: its state after each change, oldest first, up to the
    end of the year (a dossier still open then simply has no later rows)."""
    who = plan.who
    state = {
        "dossier_code": plan.code,
        "procedure_code": plan.version.procedure_code,
        "channel": plan.channel,
        "applicant_name": who.name,
        "applicant_id_number": who.id_number,
        "applicant_phone": who.phone,
        "applicant_address": who.address,
        "received_at": None,
        "due_at": None,
        "finished_at": None,
        "returned_at": None,
        "status": 1,
        "supplement_count": 0,
        "apology_issued": False,
        "paid_online": plan.paid_online,
        "digitized": plan.digitized,
        "updated_at": None,
        "late_reason": None,  # written only by units whose exports have the column
    }
    rows: list[dict] = []

    def emit(when: datetime, **changes) -> None:
        state.update(changes, updated_at=when)
        rows.append(dict(state))

    if plan.submitted is not None:
        emit(plan.submitted, status=1)
    if plan.refused is not None:
        emit(plan.refused, status=3)
    if plan.received is not None:
        _processing_rows(plan, emit)
    return [r for r in rows if r["updated_at"].date() <= year_end]


def _processing_rows(plan: Plan, emit) -> None:
    emit(plan.received, status=2, received_at=plan.received, due_at=plan.first_due)
    if plan.processing is not None:
        emit(plan.processing, status=4)
    if plan.pause is not None:
        asked, resumed, _ = plan.pause
        emit(asked, status=5)
        if plan.withdrawn is None or resumed < plan.withdrawn:
            # processing resumes with the appointment moved by the pause
            emit(resumed, status=4, supplement_count=1, due_at=plan.due)
    if plan.withdrawn is not None:
        emit(plan.withdrawn, status=7)
        return
    if plan.obligation is not None:
        emit(plan.obligation, status=6)
    if plan.finished is None:
        return
    if plan.stopped:
        emit(plan.finished, status=8, finished_at=plan.finished)
        return
    if plan.version.processing_days is None and plan.returned is not None:
        # on the spot: finished and handed back in one go
        emit(plan.returned, status=10, finished_at=plan.finished, returned_at=plan.returned)
        return
    emit(
        plan.finished,
        status=9,
        finished_at=plan.finished,
        apology_issued=plan.apology,
        late_reason=plan.late_reason,
    )
    if plan.returned is not None:
        emit(plan.returned, status=10, returned_at=plan.returned)


def write_dossiers(
    scenario: Scenario,
    unit: UnitSpec,
    catalogue: Catalogue,
    cal: WorkCalendar,
    rng: random.Random,
    writer: LandingWriter,
    truth: Truth,
    hidden_rng: random.Random | None = None,
) -> None:
    planner = DeskPlanner(scenario, unit, catalogue, cal, rng, hidden_rng)
    plans = planner.plan_year()
    # a ward's applicants live in the ward; the city's anywhere in its wards
    places = [child.name for child in scenario.children(unit.code)] or [unit.name]
    assign_codes(unit, places, plans, rng)
    record_truth(unit, plans, truth, cal)

    shares = planner.shares
    year_end = cal.last
    by_day: dict[date, tuple[list, list]] = {}  # export day -> (on-time rows, late rows)
    for plan in plans:
        for k, row in enumerate(dossier_rows(plan, year_end)):
            written = row["updated_at"].date()
            if k and rng.random() < shares.late_row_delivery:
                delivered = min(written + timedelta(days=rng.randint(1, 5)), year_end)
                by_day.setdefault(delivered, ([], []))[written < delivered].append(row)
            else:
                by_day.setdefault(written, ([], []))[0].append(row)
    del plans

    for day in sorted(by_day):
        on_time, late = by_day.pop(day)
        on_time.sort(key=lambda r: (r["updated_at"], r["dossier_code"]))
        for row in sorted(late, key=lambda r: (r["updated_at"], r["dossier_code"])):
            on_time.insert(rng.randint(0, len(on_time)), row)
        for i in range(len(on_time) - 1):
            if rng.random() < shares.out_of_order:
                on_time[i], on_time[i + 1] = on_time[i + 1], on_time[i]
        if day in unit.split_dossier_days and len(on_time) > 1:
            half = len(on_time) // 2
            writer.write(unit, "dossiers", day, on_time[:half])
            writer.write(unit, "dossiers", day, on_time[half:], suffix="2")
        else:
            writer.write(unit, "dossiers", day, on_time)


def record_truth(
    unit: UnitSpec, plans: list[Plan], truth: Truth, cal: WorkCalendar | None = None
) -> None:
    """Count what the warehouse must count, straight from the plans."""
    code = unit.code
    for plan in plans:
        if plan.outcome not in ("finished", "open"):
            continue  # status 1, 3, 7: not counted
        received = plan.received.date()
        version = plan.version
        if plan.hidden_late:
            truth.hidden_late.append(
                {
                    "unit_code": code,
                    "dossier_code": plan.code,
                    "procedure_code": version.procedure_code,
                    "processing_days": version.processing_days,
                    "received_at": plan.received.isoformat(sep=" "),
                    "recorded_due_at": plan.due.isoformat(sep=" "),
                    "rule_due_date": plan.rule_due.isoformat(),
                    "finished_at": plan.finished.isoformat(sep=" "),
                }
            )
        truth.add(code, received, "received")
        if version.online != "none":
            truth.add(code, received, f"received_{version.online}")
            if plan.channel == 2:
                truth.add(code, received, f"received_{version.online}_online")
        if plan.digitized:
            truth.add(code, received, "digitized")
        if plan.finished is None:
            continue
        finished = plan.finished.date()
        truth.add(code, finished, "finished")
        if finished <= plan.due.date():
            truth.add(code, finished, "ontime")
        else:
            truth.add(code, finished, "late")
            if plan.apology:
                truth.add(code, finished, "late_apology")
            truth.add_late(code, plan, cal)
        if version.has_fee:
            truth.add(code, finished, "fee_finished")
            if plan.paid_online:
                truth.add(code, finished, "paid_online")
