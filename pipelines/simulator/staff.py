"""A unit's staff list (feed `staff`) through the year: a snapshot of the whole list early in
January, then a new snapshot on every day the list changes.

A ward's list holds its People's Committee: the chair and vice-chairs (the leaders, the
same people who sign its document register), the commune-level civil servants and the heads
of the mass organisations. The city's holds its specialised divisions: each division's head,
some deputy heads, and specialists. Officials who left stay on the list as 'Đã nghỉ'.

Every draw comes from the unit's own `staff` stream, so that the staff feed leaves every
other feed's files as they were. Names are personal data that no figure needs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from pipelines.simulator import vocabulary as v
from pipelines.simulator.catalogue import month_ends
from pipelines.simulator.people import person_name
from pipelines.simulator.specs import StaffChange, StaffSpec, UnitSpec
from pipelines.simulator.truth import Truth
from pipelines.simulator.workdays import WorkCalendar
from pipelines.simulator.writers import LandingWriter

SERVING, LEFT = 1, 0


@dataclass
class Official:
    staff_code: str
    staff_name: str
    position: str
    is_leader: bool
    has_official_email: bool
    has_signing_certificate: bool
    status: int = SERVING
    # 'chair' (a ward's chair, a city division's head), 'deputy' or 'staff': who may leave
    role: str = "staff"

    def row(self) -> dict:
        return {
            "staff_code": self.staff_code,
            "staff_name": self.staff_name,
            "position": self.position,
            "is_leader": self.is_leader,
            "has_official_email": self.has_official_email,
            "has_signing_certificate": self.has_signing_certificate,
            "status": self.status,
        }


class StaffList:
    """One unit's list, changed in place; `rows()` is its snapshot."""

    def __init__(self, unit: UnitSpec, rng: random.Random, signers: list[str]):
        self.unit, self.rng = unit, rng
        self.people: list[Official] = []
        self._signers = list(signers)

    # --- positions --------------------------------------------------------------------------

    def _leader_positions(self, spec: StaffSpec) -> list[tuple[str, str]]:
        """(position, role) of the first list's leaders."""
        if self.unit.level == "ward":
            chair, vice = v.WARD_LEADER_TITLES
            return [(chair, "chair")] + [(vice, "deputy")] * (spec.leaders - 1)
        heads = [(head, "chair") for head, _, _ in v.CITY_DIVISIONS[: spec.divisions]]
        deputies = [
            (v.CITY_DIVISIONS[k % spec.divisions][1], "deputy")
            for k in range(spec.leaders - spec.divisions)
        ]
        return heads + deputies

    def _staff_position(self, k: int | None = None) -> str:
        """The k-th non-leader's position on the first list; a random one when k is None."""
        if self.unit.level == "ward":
            titles = v.WARD_STAFF_TITLES
            return titles[k % len(titles)] if k is not None else self.rng.choice(titles)
        led = max(1, min(self._heads(), len(v.CITY_DIVISIONS)))
        return v.CITY_DIVISIONS[self.rng.randrange(led)][2]

    def _heads(self) -> int:
        return sum(p.role == "chair" for p in self.people)

    def _deputy_position(self) -> str:
        if self.unit.level == "ward":
            return v.WARD_LEADER_TITLES[1]
        led = max(1, min(self._heads(), len(v.CITY_DIVISIONS)))
        return v.CITY_DIVISIONS[self.rng.randrange(led)][1]

    def _name(self) -> str:
        return self._signers.pop(0) if self._signers else person_name(self.rng)

    def _add(self, position: str, role: str, *, email: bool, certificate: bool) -> Official:
        leader = role != "staff"
        official = Official(
            staff_code=f"CB{len(self.people) + 1:03d}",
            staff_name=self._name() if leader else person_name(self.rng),
            position=position,
            is_leader=leader,
            has_official_email=email,
            has_signing_certificate=certificate,
            role=role,
        )
        self.people.append(official)
        return official

    # --- the first list ---------------------------------------------------------------------

    def first_list(self, spec: StaffSpec) -> None:
        rng = self.rng
        for position, role in self._leader_positions(spec):
            self._add(position, role, email=True, certificate=True)
        self._signers = []  # the register's signers are the first list's leaders only
        for k in range(spec.serving - spec.leaders):
            # specialists who sign for their division (văn thư, kế toán) hold certificates too
            self._add(self._staff_position(k), "staff", email=True, certificate=rng.random() < 0.2)
        staff = [p for p in self.people if p.role == "staff"]
        for p in rng.sample(staff, spec.without_mailbox):
            p.has_official_email = False
            p.has_signing_certificate = False
        deputies = [p for p in self.people if p.role == "deputy"]
        for p in rng.sample(deputies, min(spec.leaders_without_certificate, len(deputies))):
            p.has_signing_certificate = False
        for k in range(spec.left):
            # a former vice-chair (or deputy head) first, then former staff
            leader = k == 0 and spec.left >= 2
            position = self._deputy_position() if leader else self._staff_position()
            former = self._add(
                position, "deputy" if leader else "staff", email=False, certificate=False
            )
            former.status = LEFT

    # --- changes ----------------------------------------------------------------------------

    def apply(self, change: StaffChange) -> None:
        if change.kind == "join":
            self.join(change)
        elif change.kind == "leave":
            self.leave(change.leader)
        elif change.kind == "mailbox":
            who = next(p for p in self.serving() if not p.has_official_email)
            who.has_official_email = True
        elif change.kind == "certificate":
            who = next(p for p in self.serving() if p.is_leader and not p.has_signing_certificate)
            who.has_signing_certificate = True
        else:
            raise ValueError(f"{self.unit.code}: unknown staff change {change.kind!r}")

    def serving(self) -> list[Official]:
        return [p for p in self.people if p.status == SERVING]

    def join(self, change: StaffChange, position: str | None = None) -> Official:
        if change.leader:
            return self._add(
                position or self._deputy_position(),
                "deputy",
                email=change.mailbox,
                certificate=change.certificate,
            )
        return self._add(
            position or self._staff_position(),
            "staff",
            email=change.mailbox,
            certificate=change.mailbox and self.rng.random() < 0.2,
        )

    def leave(self, leader: bool) -> Official | None:
        """A serving official with every tool of the role leaves; None if there is none."""
        role = "deputy" if leader else "staff"
        candidates = [
            p
            for p in self.serving()
            if p.role == role
            and p.has_official_email
            and (p.has_signing_certificate or not p.is_leader)
        ]
        if not candidates:
            return None
        who = self.rng.choice(candidates)
        who.status = LEFT
        # the mailbox is usually closed at once; a revoked certificate always is
        who.has_official_email = self.rng.random() < 0.3
        who.has_signing_certificate = False
        return who

    def random_change(self) -> None:
        """A join, a leave, or a replacement (a leave and a join to the same position) that
        keeps everyone's tools: a newcomer has a mailbox, and a leader a certificate, on the
        first day."""
        rng = self.rng
        kind = rng.choices(("join", "leave", "replace"), (3, 3, 4))[0]
        leader = rng.random() < 0.25
        if kind in ("leave", "replace"):
            gone = self.leave(leader)
            if gone is None or kind == "leave":
                return
            self.join(StaffChange(date.min, "join", leader=leader), position=gone.position)
            return
        self.join(StaffChange(date.min, "join", leader=leader))

    def rows(self) -> list[dict]:
        return [p.row() for p in self.people]


def staff_days(spec: StaffSpec, cal: WorkCalendar, rng: random.Random) -> tuple[date, list[date]]:
    """(first export day, days of the random changes)."""
    first = cal.add(cal.first, rng.randint(0, 3))  # the first working days of January
    later = [d for d in cal.days_in_year if d.month >= 2]
    if not later:
        later = [d for d in cal.days_in_year if d > first]
    changes = sorted(rng.sample(later, min(spec.random_changes, len(later))))
    return first, changes


def write_staff(
    unit: UnitSpec,
    cal: WorkCalendar,
    rng: random.Random,
    writer: LandingWriter,
    truth: Truth,
    signers: list[str] = (),
) -> None:
    """The unit's staff snapshots, and the list's figures at every month end."""
    spec = unit.staff
    if spec is None:
        return
    staff = StaffList(unit, rng, list(signers) if unit.level == "ward" else [])
    staff.first_list(spec)
    first, random_days = staff_days(spec, cal, rng)
    by_day: dict[date, list[StaffChange | None]] = {first: []}
    for day in random_days:
        by_day.setdefault(day, []).append(None)  # None: a random change
    for change in spec.changes:
        if not first < change.day <= cal.last:
            raise ValueError(f"{unit.code}: staff change on {change.day} outside the year")
        by_day.setdefault(change.day, []).append(change)

    snapshots: list[tuple[date, list[dict]]] = []
    for day in sorted(by_day):
        for change in by_day[day]:
            if change is None:
                staff.random_change()
            else:
                staff.apply(change)
        rows = staff.rows()
        writer.write(unit, "staff", day, rows)
        snapshots.append((day, rows))

    for end in month_ends(cal.year, cal.last):
        current: list[dict] = []
        for day, rows in snapshots:
            if day <= end:
                current = rows
        serving = [r for r in current if r["status"] == SERVING]
        leaders = [r for r in serving if r["is_leader"]]
        truth.set_stock(unit.code, end, "staff_serving", len(serving))
        truth.set_stock(
            unit.code, end, "staff_email", sum(r["has_official_email"] for r in serving)
        )
        truth.set_stock(unit.code, end, "staff_leaders", len(leaders))
        truth.set_stock(
            unit.code,
            end,
            "staff_leader_signing",
            sum(r["has_signing_certificate"] for r in leaders),
        )
