"""The shapes of a scenario: which units exist, how each one writes its files, and how much.

Plain frozen dataclasses so that a scenario reads as data (see `scenarios.py`). Every
volume is a parameter here; nothing in the generator assumes the size of one city.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

FEEDS = ("procedures", "dossiers", "documents", "reports", "staff")


@dataclass(frozen=True)
class StaffChange:
    """One change to a unit's staff list; the unit exports its whole list again that day.

    `join`: a new official (a leader if `leader`: a ward's vice-chair, a city division's
    deputy head), with an official mailbox and, for a leader, a signing certificate from the
    first day unless `mailbox` / `certificate` say otherwise. `leave`: a serving official
    (a leader if `leader`, never the chair or a division's head) who has the tools leaves;
    the row stays on the list as 'Đã nghỉ', the mailbox closed and the certificate revoked.
    `mailbox`: the first serving official without a mailbox gets one; `certificate`: the
    first serving leader without a certificate gets one.
    """

    day: date
    kind: str  # 'join' | 'leave' | 'mailbox' | 'certificate'
    leader: bool = False
    mailbox: bool = True
    certificate: bool = True


@dataclass(frozen=True)
class StaffSpec:
    """A unit's staff list (feed `staff`): its first export early in January, then one
    export on every day it changes. Names come from the people helpers and no figure needs
    them; the ward's chair and vice-chairs are the signers of its document register."""

    serving: int  # serving officials on the first list, leaders included
    # leaders among them: a ward's chair, then vice-chairs; the city's division heads (one per
    # division, in vocabulary order), then deputy heads
    leaders: int
    divisions: int = 12  # the city: divisions on the list, each with its head (ward: unused)
    left: int = 0  # officials who left before the year, still listed: no mailbox, no certificate
    without_mailbox: int = 0  # serving non-leaders without an official mailbox on the first list
    leaders_without_certificate: int = 0  # serving deputies without a signing certificate
    # changes drawn at random in the year's later months, each a join, a leave or a
    # replacement (both, same position), that keep everyone's tools as they are
    random_changes: int = 0
    changes: tuple[StaffChange, ...] = ()  # on top of the random ones


@dataclass(frozen=True)
class UnitSpec:
    """One People's Committee: identity, the dialect its systems write, and its volumes."""

    code: str
    name: str
    level: str  # 'city' or 'ward'
    parent: str | None
    # file format per feed: 'csv', 'xlsx' or 'jsonl'
    formats: dict[str, str]
    csv_encoding: str = "utf-8"  # 'utf-8', 'utf-8-sig' or 'cp1258'
    # 'decree43': levels written as 1..4; 'decree42': 3/4 as Một phần/Toàn trình (MP/TT in JSONL)
    service_levels: str = "decree43"
    # book dialect timestamp format; dates are always dd/mm/yyyy
    time_format: str = "%d/%m/%Y %H:%M:%S"
    # XLSX dates per feed: 'text' (typed as dd/mm/yyyy strings) or 'native' (Excel datetimes);
    # feeds not listed use 'text'
    xlsx_dates: dict[str, str] = field(default_factory=dict)
    line_ending: str = "\r\n"  # CSV line terminator of the unit's software
    # dossier code pattern; {ymd} is yymmdd of the first event, {seq} the day's sequence number
    dossier_code: str = "{ymd}-{seq:04d}"
    # dossier volumes: finished in the year (exact), of which late, of those with an apology
    dossiers_finished: int = 1000
    dossiers_late: int = 0
    late_apologies: int = 0
    # finished dossiers whose recorded appointment is later than the procedure's processing
    # days allow, finished after the rule's due date but by the recorded one: on time in the
    # log, late by the rule (counted in dossiers_finished, not in dossiers_late)
    hidden_late: int = 0
    # outgoing documents to state agencies, not classified (exact), of which fully electronic
    docs_sent: int = 300
    docs_electronic: int = 240
    # export days whose dossier log is delivered as two files (<day>.ext and <day>_2.ext)
    split_dossier_days: tuple[date, ...] = ()
    # optional contract columns the unit's exports carry (dialects.OPTIONAL_FIELDS), e.g.
    # 'late_reason' (Lý do trễ hạn / LyDoTreHan); older software writes none
    optional_columns: tuple[str, ...] = ()
    # the reasons the desk gives for its late results: the k-th late dossier (in planning
    # order) gets late_reasons[k % len]; None is a late result without a reason; empty: none
    late_reasons: tuple[str | None, ...] = ()
    staff: StaffSpec | None = None  # None: the unit delivers no staff feed
    valid_from: date = date(2010, 1, 1)
    valid_to: date | None = None


@dataclass(frozen=True)
class CatalogueSpec:
    """A level's procedure catalogue and its changes during the year (exact counts)."""

    authority_level: int  # 2 district/city, 3 commune/ward
    active_at_end: int
    new: int  # published as new during the year
    amended: int  # amended (Sửa đổi, bổ sung), including the level raises below
    replaced: int  # replaced (Thay thế) in place, keeping the code
    abolished: int
    level_raised: int  # amendments that raise the online level from 3 to 4 mid-year
    end_partial: int  # active at year end with online level partial (3 / Một phần)
    end_full: int  # ... full (4 / Toàn trình)
    unpublished: int  # active at year end but not published on the portal
    decision_months: tuple[int, ...]  # months of the year's publishing decisions


@dataclass(frozen=True)
class ReportSpec:
    """One periodic report a unit sent upward: which figures, for what period.

    `fault` makes exactly this report's figure `fault_indicator` wrong on purpose:
    'rate_typo' (rate disagrees with its own numerator/denominator) or 'numbers_differ'
    (numerator/denominator disagree with the logs; the rate matches them).
    """

    unit: str
    export_date: date
    period: str  # '2021', '2021-Q3', '2021-07'
    figures: tuple[tuple[str, str], ...]  # (indicator_code, scope 'self'|'area')
    fault: str | None = None
    fault_indicator: str | None = None


@dataclass(frozen=True)
class DossierShares:
    """Behaviour shares of dossiers; probabilities unless said otherwise."""

    online_partial: float  # online submissions among dossiers of partial-level procedures
    online_full: float  # ... of full-level procedures
    postal: float  # public postal service among the rest
    unreceived: float  # online submissions never received (stay status 1), per counted dossier
    refused: float  # refused at intake (status 3), per counted dossier
    withdrawn: float  # withdrawn by the applicant after receipt (status 7)
    stopped: float  # stopped by the desk (status 8, counted as finished)
    supplement: float  # paused for missing papers (status 5) among multi-day procedures
    digitized: float
    paid_online_online: float  # paid online, online dossiers of fee-bearing procedures
    paid_online_in_person: float
    late_row_delivery: float  # update rows delivered 1-5 days late
    out_of_order: float  # adjacent rows swapped within a file


@dataclass(frozen=True)
class DocumentShares:
    to_people: float  # extra documents to organisations/people, per counted document
    classified: float  # extra classified documents, per counted document
    corrections: float  # documents re-registered with a correction
    signed_electronic: float  # digitally signed among fully electronic documents
    signed_mixed: float  # ... among electronic + paper
    signed_paper: float


@dataclass(frozen=True)
class Scenario:
    name: str
    year: int
    units: tuple[UnitSpec, ...]
    catalogues: dict[str, CatalogueSpec]  # by unit level
    holidays: frozenset[date]
    month_weights: tuple[float, ...]  # 12 relative desk-activity weights
    dossier_shares: dict[str, DossierShares]  # by unit level
    document_shares: DocumentShares
    reports: tuple[ReportSpec, ...]
    # area totals the unit figures must add up to (checked when the scenario is built)
    area_docs_sent: int | None = None
    area_docs_electronic: int | None = None
    # last day the exports cover (a short scenario); None: the whole year
    last_day: date | None = None

    @property
    def end(self) -> date:
        return self.last_day or date(self.year, 12, 31)

    def unit(self, code: str) -> UnitSpec:
        for spec in self.units:
            if spec.code == code:
                return spec
        raise KeyError(code)

    def children(self, code: str) -> list[UnitSpec]:
        return [u for u in self.units if u.parent == code]
