"""The scenarios the simulator can write, as data.

`soc-trang-2021`: Thành phố Sóc Trăng (941) and its ten wards, the whole of 2021, daily
files, all five feeds. Its city figures are the seed figures of the indicator contract
(258 procedures, 10,122 dossiers finished with 5 late, all five for "Lỗi đường truyền
mạng", 5,816 documents of which 4,819 electronic across the area, every serving official
with an official mailbox and every serving leader with a signing certificate) and one city
dossier is late by the rule but on time in the log (`hidden_late`).

`mini-2021`: the city and two wards, January-February 2021, a few hundred dossier rows in
every format: fast enough for end-to-end tests, dirty ones included (`--dirty`). Its staff
lists fall short of full coverage and change within the quarter; its late dossiers give
varied reasons, or none.

A later `province` preset adds another entry built from the same specs with more units and
larger volumes.
"""

from __future__ import annotations

from datetime import date

from pipelines.simulator import vocabulary as v
from pipelines.simulator.specs import (
    CatalogueSpec,
    DocumentShares,
    DossierShares,
    ReportSpec,
    Scenario,
    StaffChange,
    StaffSpec,
    UnitSpec,
)

# Public-sector days off in 2021: New Year, Tết Tân Sửu (10-16 Feb), Hùng Kings (21 Apr),
# 30 Apr + 1 May (Saturday, made up on Monday 3 May), National Day (2-3 Sep).
HOLIDAYS_2021 = frozenset(
    [date(2021, 1, 1)]
    + [date(2021, 2, d) for d in range(10, 17)]
    + [date(2021, 4, 21), date(2021, 4, 30), date(2021, 5, 3)]
    + [date(2021, 9, 2), date(2021, 9, 3)]
)

# Desk activity by month: the rush before Tết, Tết itself, and the Directive 16 lockdown
# in the Mekong Delta from 19 July to mid September 2021.
MONTH_WEIGHTS_2021 = (1.15, 0.7, 1.05, 1.0, 0.95, 1.0, 0.8, 0.55, 0.7, 1.0, 1.05, 1.1)

CITY = "941"

_FEEDS = ("procedures", "dossiers", "documents", "reports", "staff")
_CSV = dict.fromkeys(_FEEDS, "csv")
_XLSX = dict.fromkeys(_FEEDS, "xlsx")
# desk books kept in Excel, the register exported by the office software as CSV
_XLSX_BOOKS = {**_XLSX, "documents": "csv"}
# the sync API serves the staff list (the personnel software) too
_JSONL = dict.fromkeys(_FEEDS, "jsonl")
# the 2021 exports of every unit's one-stop software carry the late reason
_LATE_REASON = ("late_reason",)
NETWORK_FAILURE, CONSULTING, SITE_CHECK, SICK, SOFTWARE, HIGHER_LEVEL = v.LATE_REASONS


def _city(**volumes) -> UnitSpec:
    """Thành phố Sóc Trăng: the same unit in every scenario, only its volumes differ."""
    return UnitSpec(
        code=CITY,
        name="Thành phố Sóc Trăng",
        level="city",
        parent=None,
        # the city's one-stop desk runs the provincial system (sync API); its register and
        # reports come out of the office software as CSV
        formats={**_JSONL, "documents": "csv", "reports": "csv"},
        csv_encoding="utf-8",
        dossier_code="000.00.10.H60-{ymd}-{seq:04d}",
        optional_columns=volumes.pop("optional_columns", _LATE_REASON),
        **volumes,
    )


def _ward(number: int, code: str, **kw) -> UnitSpec:
    return UnitSpec(
        code=code,
        name=f"Phường {number}",
        level="ward",
        parent=CITY,
        dossier_code=kw.pop("dossier_code", f"P{number}-{{ymd}}-{{seq:03d}}"),
        optional_columns=kw.pop("optional_columns", _LATE_REASON),
        **kw,
    )


def _ward_staff(serving: int, left: int = 0, changes: int = 1) -> StaffSpec:
    """A ward's list with full coverage: the chair and two vice-chairs lead it."""
    return StaffSpec(serving=serving, leaders=3, left=left, random_changes=changes)


def soc_trang_2021() -> Scenario:
    city = _city(
        dossiers_finished=10_122,
        dossiers_late=5,
        late_apologies=3,
        # one dossier whose appointment was set two working days too late: on time in the
        # log (it stays among the 10,117), late by the procedure's processing days
        hidden_late=1,
        docs_sent=2_864,
        docs_electronic=2_461,
        # the provincial system's network was down on the days its five results came late
        late_reasons=(NETWORK_FAILURE,),
        # twelve divisions, each with its head, six deputy heads; two who left long ago
        staff=StaffSpec(serving=60, leaders=18, divisions=12, left=2, random_changes=3),
    )
    # fmt: off
    wards = (
        _ward(1, "31522", formats=_CSV, csv_encoding="utf-8", service_levels="decree42",
              time_format="%d/%m/%Y %H:%M", line_ending="\n",
              dossiers_finished=2_450, dossiers_late=2, late_apologies=2,
              docs_sent=341, docs_electronic=279,
              late_reasons=(CONSULTING, SITE_CHECK), staff=_ward_staff(18, left=1)),
        _ward(2, "31519", formats=_CSV, csv_encoding="cp1258",
              dossiers_finished=2_110, dossiers_late=2, late_apologies=1,
              docs_sent=318, docs_electronic=251,
              late_reasons=(NETWORK_FAILURE, None), staff=_ward_staff(16, changes=2)),
        _ward(3, "31528", formats=_XLSX,
              dossiers_finished=1_760, dossiers_late=3, late_apologies=1,
              docs_sent=296, docs_electronic=238,
              late_reasons=(SITE_CHECK, SICK, None), staff=_ward_staff(15, left=2)),
        _ward(4, "31525", formats=_CSV, csv_encoding="utf-8-sig", service_levels="decree42",
              dossiers_finished=1_320, dossiers_late=1, late_apologies=0,
              docs_sent=287, docs_electronic=226,
              staff=_ward_staff(14)),
        _ward(5, "31507", formats=_CSV, csv_encoding="cp1258", service_levels="decree42",
              time_format="%d/%m/%Y %H:%M",
              dossiers_finished=980, dossiers_late=0, late_apologies=0,
              docs_sent=254, docs_electronic=199,
              staff=_ward_staff(12, left=1)),
        _ward(6, "31516", formats=_JSONL, service_levels="decree42",
              dossier_code="000.06.10.H60-{ymd}-{seq:04d}",
              dossiers_finished=1_890, dossiers_late=2, late_apologies=2,
              docs_sent=322, docs_electronic=262,
              late_reasons=(SOFTWARE,), staff=_ward_staff(16, changes=2)),
        _ward(7, "31510", formats=_XLSX_BOOKS, csv_encoding="utf-8-sig",
              xlsx_dates={"procedures": "native", "dossiers": "native"},
              dossiers_finished=2_870, dossiers_late=4, late_apologies=4,
              docs_sent=365, docs_electronic=301,
              late_reasons=(HIGHER_LEVEL, CONSULTING, NETWORK_FAILURE, None),
              staff=_ward_staff(19, left=1, changes=2)),
        _ward(8, "31513", formats=_CSV, csv_encoding="utf-8-sig",
              dossiers_finished=1_540, dossiers_late=1, late_apologies=1,
              docs_sent=301, docs_electronic=240,
              split_dossier_days=(date(2021, 6, 15),),
              late_reasons=(SICK,), staff=_ward_staff(15)),
        _ward(9, "31531", formats=_XLSX_BOOKS, service_levels="decree42",
              xlsx_dates={"dossiers": "native"},
              dossiers_finished=1_150, dossiers_late=0, late_apologies=0,
              docs_sent=262, docs_electronic=205,
              staff=_ward_staff(13, left=1)),
        _ward(10, "31534", formats=_CSV, csv_encoding="utf-8",
              dossiers_finished=860, dossiers_late=1, late_apologies=0,
              docs_sent=206, docs_electronic=157,
              staff=_ward_staff(12)),
    )
    # fmt: on

    quarterly_city = ("DOSSIER_RECEIVED", "DOSSIER_FINISHED", "DOSSIER_ONTIME_RATE")
    ward_quarter = (
        ("DOSSIER_FINISHED", "self"),
        ("DOSSIER_ONTIME_RATE", "self"),
        ("DOC_ELECTRONIC_RATE", "self"),
    )
    reports = (
        # the city: each quarter early in the next month, the year in early January
        *(
            ReportSpec(
                CITY,
                day,
                f"2021-Q{q}",
                tuple((c, "self") for c in quarterly_city) + (("DOC_ELECTRONIC_RATE", "area"),),
            )
            for q, day in ((1, date(2021, 4, 6)), (2, date(2021, 7, 6)), (3, date(2021, 10, 6)))
        ),
        ReportSpec(
            CITY,
            date(2022, 1, 5),
            "2021",
            (
                ("PROC_TOTAL", "self"),
                ("PROC_CHANGED", "self"),
                ("PROC_ABOLISHED", "self"),
                ("PROC_PUBLISHED_RATE", "self"),
                ("PROC_ONLINE_PARTIAL", "self"),
                ("PROC_ONLINE_FULL", "self"),
                ("DOSSIER_RECEIVED", "self"),
                ("DOSSIER_FINISHED", "self"),
                ("DOSSIER_ONTIME_RATE", "self"),
                ("DOSSIER_ONLINE_RATE_PARTIAL", "area"),
                ("DOSSIER_ONLINE_RATE_FULL", "area"),
                ("DOC_SENT", "area"),
                ("DOC_ELECTRONIC_RATE", "area"),
            ),
        ),
        ReportSpec(
            CITY,
            date(2022, 1, 5),
            "2021-Q4",
            tuple((c, "self") for c in quarterly_city) + (("DOC_ELECTRONIC_RATE", "area"),),
        ),
        # Phường 2 reports every quarter; its Q3 on-time rate was typed with two digits swapped
        ReportSpec("31519", date(2021, 4, 5), "2021-Q1", ward_quarter),
        ReportSpec("31519", date(2021, 7, 5), "2021-Q2", ward_quarter),
        ReportSpec(
            "31519",
            date(2021, 10, 5),
            "2021-Q3",
            ward_quarter,
            fault="rate_typo",
            fault_indicator="DOSSIER_ONTIME_RATE",
        ),
        ReportSpec("31519", date(2022, 1, 5), "2021-Q4", ward_quarter),
        ReportSpec(
            "31528",
            date(2021, 10, 5),
            "2021-Q3",
            (("PROC_TOTAL", "self"),) + ward_quarter[:2],
        ),
        ReportSpec(
            "31516",
            date(2021, 8, 3),
            "2021-07",
            (("DOSSIER_RECEIVED", "self"),) + ward_quarter[:2],
        ),
        ReportSpec("31516", date(2021, 10, 5), "2021-Q3", ward_quarter),
        # Phường 10's annual report counts two more electronic documents than its register
        ReportSpec(
            "31534",
            date(2022, 1, 6),
            "2021",
            (
                ("PROC_TOTAL", "self"),
                ("DOSSIER_FINISHED", "self"),
                ("DOSSIER_ONTIME_RATE", "self"),
                ("DOC_SENT", "self"),
                ("DOC_ELECTRONIC_RATE", "self"),
            ),
            fault="numbers_differ",
            fault_indicator="DOC_ELECTRONIC_RATE",
        ),
    )

    return Scenario(
        name="soc-trang-2021",
        year=2021,
        units=(city, *wards),
        catalogues={
            "city": CatalogueSpec(
                authority_level=2,
                active_at_end=258,
                new=14,
                amended=12,
                replaced=6,
                abolished=18,
                level_raised=1,
                end_partial=28,
                end_full=164,
                unpublished=0,
                decision_months=(1, 3, 6, 7, 9, 12),
            ),
            # every ward handles the same commune-level catalogue, published by the province
            "ward": CatalogueSpec(
                authority_level=3,
                active_at_end=145,
                new=3,
                amended=5,
                replaced=1,
                abolished=4,
                level_raised=1,
                end_partial=48,
                end_full=27,
                unpublished=1,
                decision_months=(4, 8, 11),
            ),
        },
        holidays=HOLIDAYS_2021,
        month_weights=MONTH_WEIGHTS_2021,
        dossier_shares={
            "city": DossierShares(
                online_partial=0.27,
                online_full=0.09,
                postal=0.015,
                unreceived=0.004,
                refused=0.003,
                withdrawn=0.003,
                stopped=0.004,
                supplement=0.035,
                digitized=0.35,
                paid_online_online=0.45,
                paid_online_in_person=0.02,
                late_row_delivery=0.04,
                out_of_order=0.03,
            ),
            "ward": DossierShares(
                online_partial=0.18,
                online_full=0.06,
                postal=0.005,
                unreceived=0.004,
                refused=0.003,
                withdrawn=0.002,
                stopped=0.002,
                supplement=0.03,
                digitized=0.2,
                paid_online_online=0.3,
                paid_online_in_person=0.01,
                late_row_delivery=0.04,
                out_of_order=0.03,
            ),
        },
        document_shares=DocumentShares(
            to_people=0.2,
            classified=0.01,
            corrections=0.005,
            signed_electronic=0.97,
            signed_mixed=0.8,
            signed_paper=0.0,
        ),
        reports=reports,
        area_docs_sent=5_816,
        area_docs_electronic=4_819,
    )


def mini_2021() -> Scenario:
    """A small slice of the same city for fast end-to-end tests: the city and two of its
    wards, January and February 2021 (Tết included), a few hundred dossier rows, every
    format (the city's sync API, a ward's UTF-8 CSV books, a ward's Excel books with a
    cp1258 register), small catalogues that change in both months, and three reports."""
    city = _city(
        dossiers_finished=60,
        dossiers_late=2,
        late_apologies=1,
        hidden_late=1,
        docs_sent=40,
        docs_electronic=33,
        late_reasons=(CONSULTING, None),
        # three divisions; a specialist without a mailbox and the deputy head without a
        # certificate; a recruit waiting for a mailbox from 18 January; the first one
        # given on 8 February; a specialist leaving on 22 February
        staff=StaffSpec(
            serving=14,
            leaders=4,
            divisions=3,
            left=1,
            without_mailbox=1,
            leaders_without_certificate=1,
            changes=(
                StaffChange(date(2021, 1, 18), "join", mailbox=False),
                StaffChange(date(2021, 2, 8), "mailbox"),
                StaffChange(date(2021, 2, 22), "leave"),
            ),
        ),
    )
    # fmt: off
    wards = (
        # a vice-chair leaves on 1 February; the new one (17 February) has no certificate yet
        _ward(1, "31522", formats=_CSV, csv_encoding="utf-8", service_levels="decree42",
              time_format="%d/%m/%Y %H:%M", line_ending="\n",
              dossiers_finished=40, dossiers_late=1, late_apologies=1,
              docs_sent=24, docs_electronic=19,
              late_reasons=(NETWORK_FAILURE,),
              staff=StaffSpec(serving=12, leaders=3, left=1, changes=(
                  StaffChange(date(2021, 2, 1), "leave", leader=True),
                  StaffChange(date(2021, 2, 17), "join", leader=True, certificate=False),
              ))),
        # older one-stop software: its dossier books have no late-reason column; two
        # officials without a mailbox, one given on 25 January
        _ward(2, "31519", formats=_XLSX_BOOKS, csv_encoding="cp1258",
              xlsx_dates={"dossiers": "native"},
              dossiers_finished=30, dossiers_late=1, late_apologies=0,
              docs_sent=20, docs_electronic=15, optional_columns=(),
              staff=StaffSpec(serving=10, leaders=3, without_mailbox=2, changes=(
                  StaffChange(date(2021, 1, 25), "mailbox"),
              ))),
    )
    # fmt: on
    reports = (
        ReportSpec(
            CITY,
            date(2021, 2, 3),
            "2021-01",
            (
                ("DOSSIER_RECEIVED", "self"),
                ("DOSSIER_FINISHED", "self"),
                ("DOSSIER_ONTIME_RATE", "self"),
                ("DOC_ELECTRONIC_RATE", "area"),
            ),
        ),
        ReportSpec("31522", date(2021, 2, 2), "2021-01", (("DOSSIER_FINISHED", "self"),)),
        ReportSpec(
            "31519",
            date(2021, 2, 2),
            "2021-01",
            (("DOSSIER_ONTIME_RATE", "self"), ("DOC_ELECTRONIC_RATE", "self")),
            fault="rate_typo",
            fault_indicator="DOC_ELECTRONIC_RATE",
        ),
    )
    full = soc_trang_2021()
    return Scenario(
        name="mini-2021",
        year=2021,
        units=(city, *wards),
        catalogues={
            "city": CatalogueSpec(
                authority_level=2,
                active_at_end=40,
                new=2,
                amended=3,
                replaced=1,
                abolished=2,
                level_raised=1,
                end_partial=8,
                end_full=16,
                unpublished=1,
                decision_months=(1, 2),
            ),
            "ward": CatalogueSpec(
                authority_level=3,
                active_at_end=24,
                new=1,
                amended=2,
                replaced=0,
                abolished=1,
                level_raised=1,
                end_partial=6,
                end_full=5,
                unpublished=0,
                decision_months=(2,),
            ),
        },
        holidays=HOLIDAYS_2021,
        month_weights=MONTH_WEIGHTS_2021,
        dossier_shares=full.dossier_shares,
        document_shares=full.document_shares,
        reports=reports,
        last_day=date(2021, 2, 28),
    )


SCENARIOS = {"soc-trang-2021": soc_trang_2021, "mini-2021": mini_2021}


def get_scenario(name: str) -> Scenario:
    try:
        scenario = SCENARIOS[name]()
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
    check_scenario(scenario)
    return scenario


def check_scenario(scenario: Scenario) -> None:
    """Catch inconsistent parameters before writing anything."""
    codes = [u.code for u in scenario.units]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate unit codes")
    for unit in scenario.units:
        if unit.parent is not None and unit.parent not in codes:
            raise ValueError(f"{unit.code}: unknown parent {unit.parent}")
        if not 0 <= unit.late_apologies <= unit.dossiers_late <= unit.dossiers_finished:
            raise ValueError(f"{unit.code}: inconsistent dossier volumes")
        if not 0 <= unit.hidden_late <= unit.dossiers_finished - unit.dossiers_late:
            raise ValueError(f"{unit.code}: more hidden-late dossiers than on-time ones")
        if not 0 <= unit.docs_electronic <= unit.docs_sent:
            raise ValueError(f"{unit.code}: inconsistent document volumes")
        if unit.level not in scenario.catalogues or unit.level not in scenario.dossier_shares:
            raise ValueError(f"{unit.code}: no catalogue or shares for level {unit.level}")
    for spec in scenario.catalogues.values():
        if spec.end_partial + spec.end_full > spec.active_at_end:
            raise ValueError("more online procedures than active ones")
        if spec.level_raised > spec.amended:
            raise ValueError("level raises are amendments")
    sent = sum(u.docs_sent for u in scenario.units)
    if scenario.area_docs_sent is not None and sent != scenario.area_docs_sent:
        raise ValueError("units' docs_sent do not add up to the area total")
    electronic = sum(u.docs_electronic for u in scenario.units)
    if scenario.area_docs_electronic is not None and electronic != scenario.area_docs_electronic:
        raise ValueError("units' docs_electronic do not add up to the area total")
    for report in scenario.reports:
        scenario.unit(report.unit)
    for unit in scenario.units:
        check_staff(unit)
        if unit.late_reasons and "late_reason" not in unit.optional_columns:
            raise ValueError(f"{unit.code}: late reasons, but its exports have no such column")
    if scenario.end.year != scenario.year or scenario.end < date(scenario.year, 1, 31):
        raise ValueError("last_day must fall in the scenario's year, January 31 or later")
    months = set(range(1, scenario.end.month + 1))
    for level, spec in scenario.catalogues.items():
        if not set(spec.decision_months) <= months:
            raise ValueError(f"{level} catalogue: decisions after the scenario's last day")


def check_staff(unit: UnitSpec) -> None:
    spec = unit.staff
    if spec is None:
        return
    heads = 1 if unit.level == "ward" else spec.divisions
    if unit.level != "ward" and not 1 <= spec.divisions <= len(v.CITY_DIVISIONS):
        raise ValueError(f"{unit.code}: between 1 and {len(v.CITY_DIVISIONS)} divisions")
    if not heads <= spec.leaders <= spec.serving:
        raise ValueError(f"{unit.code}: a head for every division, and no more leaders than staff")
    if spec.without_mailbox > spec.serving - spec.leaders:
        raise ValueError(f"{unit.code}: more officials without a mailbox than non-leaders")
    if spec.leaders_without_certificate > spec.leaders - heads:
        raise ValueError(f"{unit.code}: more leaders without a certificate than deputies")
    if min(spec.serving, spec.left, spec.random_changes) < 0:
        raise ValueError(f"{unit.code}: negative staff numbers")
