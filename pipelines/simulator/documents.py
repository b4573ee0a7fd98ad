"""A unit's outgoing document register (sổ văn bản đi) for the year.

Exactly `docs_sent` documents go to state agencies unclassified, `docs_electronic` of them
fully electronically and the rest electronically with a paper copy. Around them: documents
to organisations and people (any method, paper included) and a few classified ones, which
the indicators leave out. A few documents are registered again with a correction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from pipelines.simulator import vocabulary as v
from pipelines.simulator.dossiers import allocate
from pipelines.simulator.people import person_name
from pipelines.simulator.specs import Scenario, UnitSpec
from pipelines.simulator.truth import Truth
from pipelines.simulator.workdays import WorkCalendar
from pipelines.simulator.writers import LandingWriter

# December closes the year with reports and plans; Tết and the lockdown write less.
_MONTH_FACTOR = (1.1, 0.7, 1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.95, 1.0, 1.1, 1.35)


@dataclass(frozen=True)
class Document:
    document_number: str
    document_date: date
    document_type: str
    summary: str
    signer: str
    recipient_kind: int
    send_method: int
    digitally_signed: bool
    classification: int
    updated_at: datetime

    def row(self) -> dict:
        return dict(self.__dict__)


def _kinds(unit: UnitSpec, scenario: Scenario, rng: random.Random) -> list[tuple[int, int, int]]:
    """(recipient_kind, send_method, classification) of every document of the year."""
    shares = scenario.document_shares
    kinds = [(1, 1, 0)] * unit.docs_electronic + [(1, 3, 0)] * (
        unit.docs_sent - unit.docs_electronic
    )
    for _ in range(round(unit.docs_sent * shares.to_people)):
        kinds.append((2, rng.choices((1, 2, 3), (3, 5, 2))[0], 0))
    for _ in range(max(1, round(unit.docs_sent * shares.classified))):
        # classified documents travel on paper, whoever receives them
        kinds.append((rng.choice((1, 1, 2)), 2, rng.choices((1, 2), (9, 1))[0]))
    rng.shuffle(kinds)
    return kinds


def _summary(rng: random.Random, doc_type: str, month: int) -> str:
    topics = [t for t, months in v.DOCUMENT_TOPICS if not months or month in months]
    topic = rng.choice(topics)
    return {
        "Công văn": f"V/v {topic}",
        "Quyết định": f"Quyết định về việc {topic}",
        "Báo cáo": f"Báo cáo kết quả {topic}",
        "Kế hoạch": f"Kế hoạch thực hiện {topic}",
        "Thông báo": f"Thông báo về {topic}",
        "Tờ trình": f"Tờ trình về việc {topic}",
        "Giấy mời": f"Mời họp về {topic}",
    }[doc_type]


def _register_start(
    scenario: Scenario, unit: UnitSpec, cal: WorkCalendar, rng: random.Random
) -> tuple[list[tuple[int, int, int]], list[int], list[str]]:
    """The register's first draws: (kinds, documents per working day, signers)."""
    kinds = _kinds(unit, scenario, rng)
    per_day = allocate(
        len(kinds), [_MONTH_FACTOR[d.month - 1] * rng.uniform(0.5, 1.5) for d in cal.days_in_year]
    )
    signers = [person_name(rng) for _ in v.SIGNER_TITLES]  # the chair first, then deputies
    return kinds, per_day, signers


def register_signers(
    scenario: Scenario, unit: UnitSpec, cal: WorkCalendar, rng: random.Random
) -> list[str]:
    """The chair and vice-chairs who sign the unit's register, for its staff list: `rng`
    seeded as the register's own stream replays the register's first draws (the register
    itself is not touched)."""
    return _register_start(scenario, unit, cal, rng)[2]


def plan_register(
    scenario: Scenario, unit: UnitSpec, cal: WorkCalendar, rng: random.Random
) -> list[Document]:
    shares = scenario.document_shares
    kinds, per_day, signers = _register_start(scenario, unit, cal, rng)
    days = cal.days_in_year
    types = [t for t, *_ in v.DOCUMENT_TYPES]
    type_weights = [w for _, w, *_ in v.DOCUMENT_TYPES]
    suffix = {t: (city if unit.level == "city" else ward) for t, _, city, ward in v.DOCUMENT_TYPES}
    signed_share = {1: shares.signed_electronic, 3: shares.signed_mixed, 2: shares.signed_paper}

    docs: list[Document] = []
    number = 0
    it = iter(kinds)
    for day, n in zip(days, per_day, strict=True):
        # numbers are taken in the order documents are registered during the afternoon
        times = sorted(time(rng.randint(14, 17), rng.randint(0, 59)) for _ in range(n))
        for moment in times:
            recipient, method, classification = next(it)
            number += 1
            doc_type = rng.choices(types, type_weights)[0]
            # the chair signs most decisions; deputies most of the rest
            signer = (
                signers[0]
                if doc_type == "Quyết định" and rng.random() < 0.6
                else (rng.choice(signers))
            )
            updated = datetime.combine(day, moment)
            if rng.random() < 0.1 and cal.add(day, 1) <= cal.last:
                # registered the next morning
                updated = datetime.combine(cal.add(day, 1), time(8, rng.randint(0, 59)))
            docs.append(
                Document(
                    document_number=f"{number}/{suffix[doc_type]}",
                    document_date=day,
                    document_type=doc_type,
                    summary=_summary(rng, doc_type, day.month),
                    signer=signer,
                    recipient_kind=recipient,
                    send_method=method,
                    digitally_signed=method != 2
                    and classification == 0
                    and rng.random() < signed_share[method],
                    classification=classification,
                    updated_at=updated,
                )
            )
    return docs


def _mistaken(doc: Document, rng: random.Random) -> Document:
    """What the clerk first registered before correcting it."""
    fix = rng.choice(("summary", "method", "recipient", "signer"))
    if fix == "summary":
        return replace(doc, summary=doc.summary.rsplit(" ", 2)[0])  # cut short
    if fix == "method" and doc.send_method != 2:
        return replace(doc, send_method=2, digitally_signed=False)
    if fix == "recipient":
        return replace(doc, recipient_kind=3 - doc.recipient_kind)
    return replace(doc, signer=doc.signer.rsplit(" ", 1)[0])


def write_documents(
    scenario: Scenario,
    unit: UnitSpec,
    cal: WorkCalendar,
    rng: random.Random,
    writer: LandingWriter,
    truth: Truth,
) -> None:
    docs = plan_register(scenario, unit, cal, rng)
    for doc in docs:
        if doc.recipient_kind == 1 and doc.classification == 0:
            truth.add(unit.code, doc.document_date, "doc_sent")
            if doc.send_method == 1:
                truth.add(unit.code, doc.document_date, "doc_electronic")
            if doc.digitally_signed:
                truth.add(unit.code, doc.document_date, "doc_signed")

    # corrections: the mistaken version first, the right one a few working days later
    rows_by_day: dict[date, list[dict]] = {}
    n_fix = max(1, round(len(docs) * scenario.document_shares.corrections))
    early = [i for i, d in enumerate(docs) if cal.add(d.updated_at.date(), 7) <= cal.last]
    corrected = set(rng.sample(early, n_fix))
    for i, doc in enumerate(docs):
        if i in corrected:
            first = _mistaken(doc, rng)
            rows_by_day.setdefault(first.updated_at.date(), []).append(first.row())
            later = cal.add(doc.updated_at.date(), rng.randint(1, 7))
            doc = replace(doc, updated_at=datetime.combine(later, time(9, rng.randint(0, 59))))
        rows_by_day.setdefault(doc.updated_at.date(), []).append(doc.row())
    for day in sorted(rows_by_day):
        rows = sorted(rows_by_day[day], key=lambda r: r["updated_at"])
        writer.write(unit, "documents", day, rows)
