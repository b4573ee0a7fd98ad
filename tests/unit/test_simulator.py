"""The simulator writes the contract, deterministically, with the scenario's figures.

The scenario is generated once per module; every figure is then recomputed from the
written files by `simulator_truth` (its own reading of the contract), never taken from
the generator's memory, except where the test is that the two agree.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from pipelines.simulator import LandingNotEmptyError, write_scenario
from tests.unit.simulator_truth import (
    CONTRACT,
    DeliveredFile,
    UnitLogs,
    contract_headers,
    delivered_files,
    late_dossiers,
    late_reasons,
    rate,
    raw_records,
    read_landing,
    read_units,
    unit_figures,
)

SCENARIO = "soc-trang-2021"
CITY = "941"
TWIN_UNITS = (CITY, "31519", "31510")  # the city, a cp1258 ward, a ward keeping Excel books
REPO = Path(__file__).resolve().parents[2]
YEAR_PERIODS = (
    ["2021"] + [f"2021-Q{q}" for q in range(1, 5)] + [f"2021-{m:02d}" for m in range(1, 13)]
)


@dataclass
class Generated:
    landing: Path
    summary: dict
    twin: Path  # some units of the same scenario and seed, written by another process
    twin_process: subprocess.Popen


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Generated:
    root = tmp_path_factory.mktemp("simulator")
    twin = root / "twin"
    # The twin runs as a separate interpreter with another hash seed and one worker while
    # this process writes with two, both at once: same bytes expected regardless. To stay
    # fast it writes only the biggest unit and two wards (files are per unit, so theirs
    # must be identical to the full run's).
    twin_process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.simulator", "--scenario", SCENARIO]
        + ["--out", str(twin), "--seed", "2021", "--workers", "1"]
        + ["--units", ",".join(TWIN_UNITS)],
        cwd=REPO,
        env={**os.environ, "PYTHONHASHSEED": "4242"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    landing = root / "landing"
    summary = write_scenario(SCENARIO, landing, seed=2021, workers=2)
    return Generated(landing, summary, twin, twin_process)


@pytest.fixture(scope="module")
def logs(generated) -> dict[str, UnitLogs]:
    return read_landing(generated.landing)


@pytest.fixture(scope="module")
def units(generated) -> dict[str, dict]:
    return {u["unit_code"]: u for u in read_units(generated.landing)}


def _area(logs: dict[str, UnitLogs], units: dict[str, dict], code: str, period: str) -> dict:
    members = [code] + [c for c, u in units.items() if u["parent_code"] == code]
    total: dict[str, list] = {}
    for member in members:
        for indicator, (n, d) in unit_figures(logs[member], period).items():
            acc = total.setdefault(indicator, [0, None])
            acc[0] += n
            if d is not None:
                acc[1] = (acc[1] or 0) + d
    return {k: tuple(v) for k, v in total.items()}


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- determinism and the CLI ---------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(generated):
    out, err = generated.twin_process.communicate(timeout=300)
    assert generated.twin_process.returncode == 0, err
    assert "wrote" in out
    mine, theirs = _hashes(generated.landing), _hashes(generated.twin)
    assert len(theirs) > 1000
    assert not any("/reports/" in p for p in theirs)  # a partial run writes no reports

    def in_twin(path: str) -> bool:
        unit = path.split("/")[0]
        return path == "units.csv" or (unit in TWIN_UNITS and "/reports/" not in path)

    assert {p: h for p, h in mine.items() if in_twin(p)} == theirs


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "something.txt").write_text("x")
    with pytest.raises(LandingNotEmptyError):
        write_scenario(SCENARIO, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.simulator", "--scenario", SCENARIO]
        + ["--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not empty" in result.stderr


def test_summary_counts_files_and_rows(generated):
    summary = generated.summary
    files = [p for p in generated.landing.rglob("*") if p.is_file() and p.name != "units.csv"]
    assert sum(n for fmts in summary["files"].values() for n in fmts.values()) == len(files)
    assert set(summary["files"]) == {"procedures", "dossiers", "documents", "reports", "staff"}
    assert {"csv", "xlsx", "jsonl"} <= {f for fmts in summary["files"].values() for f in fmts}
    assert summary["rows"]["dossiers"] > 50_000


# --- the contract's shape ------------------------------------------------------------------


def test_units_registry(units):
    assert list(next(iter(units.values()))) == [
        "unit_code",
        "unit_name",
        "unit_level",
        "parent_code",
        "valid_from",
        "valid_to",
        "csv_encoding",
    ]
    city = units[CITY]
    assert (city["unit_name"], city["unit_level"], city["parent_code"]) == (
        "Thành phố Sóc Trăng",
        "city",
        "",
    )
    wards = [u for u in units.values() if u["unit_level"] == "ward"]
    assert sorted(u["unit_name"] for u in wards) == sorted(f"Phường {n}" for n in range(1, 11))
    for u in wards:
        assert re.fullmatch(r"\d{5}", u["unit_code"])
        assert u["parent_code"] == CITY
    for u in units.values():
        assert u["valid_from"] == "2010-01-01" and u["valid_to"] == ""
        assert u["csv_encoding"] in ("utf-8", "utf-8-sig", "cp1258")
    encodings = [u["csv_encoding"] for u in wards]
    assert encodings.count("cp1258") >= 2 and "utf-8-sig" in encodings


def test_file_names_and_headers_follow_the_contract(generated, units):
    files = delivered_files(generated.landing)  # raises on a name off the contract
    assert {f.feed for f in files} == set(CONTRACT)
    assert {f.unit for f in files} == set(units)
    seen_formats = set()
    for f in files:
        assert f.export_date.year in (2021, 2022)
        _check_header(f, units[f.unit]["csv_encoding"])
        seen_formats.add((f.unit, f.feed, f.fmt))
    # the city's dossier log comes from the sync API
    assert {fmt for unit, feed, fmt in seen_formats if (unit, feed) == (CITY, "dossiers")} == {
        "jsonl"
    }
    assert any(f.suffix for f in files)  # a day delivered in two files


def _check_header(f: DeliveredFile, encoding: str) -> list[str]:
    """The file's columns are the contract's (optional ones at the end, or none of them);
    returns them."""
    if f.fmt == "jsonl":
        every, required = contract_headers(f.feed, "api")
        lines = f.path.read_text("utf-8").splitlines()
        for line in lines:
            assert list(json.loads(line)) in (every, required), f.path
        return list(json.loads(lines[0])) if lines else every
    every, required = contract_headers(f.feed)
    header, _ = raw_records(f, encoding)
    assert header in (every, required), f.path
    return header


def test_xlsx_is_first_sheet_with_header_on_row_one(generated):
    books = [f for f in delivered_files(generated.landing) if f.fmt == "xlsx"]
    assert len({f.unit for f in books}) >= 3
    native = 0
    for f in books[:: max(1, len(books) // 40)]:  # a spread sample: openpyxl is slow
        sheet = openpyxl.load_workbook(f.path, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) in contract_headers(f.feed)
        for row in rows[1:]:
            native += any(hasattr(v, "hour") for v in row)
            code = row[1] if f.feed == "dossiers" else row[0]
            assert isinstance(code, str)  # codes like 1.004227 stay text
    assert native  # some books hold real Excel datetimes


def test_csv_encodings_are_what_the_registry_says(generated, units):
    files = [f for f in delivered_files(generated.landing) if f.fmt == "csv"]
    for f in files:
        data = f.path.read_bytes()
        encoding = units[f.unit]["csv_encoding"]
        if encoding == "cp1258":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            text = data.decode("cp1258")
            # Windows writes tone marks as combining characters
            assert "\u0301" in text or "\u0300" in text or "\u0323" in text
            assert unicodedata.normalize("NFC", text) != text
        elif encoding == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")
            data.decode("utf-8")
        else:
            assert not data.startswith(b"\xef\xbb\xbf")
            data.decode("utf-8")
    cp1258_units = {f.unit for f in files if units[f.unit]["csv_encoding"] == "cp1258"}
    assert len(cp1258_units) >= 2


# --- procedures ----------------------------------------------------------------------------


def test_city_catalogue_figures(logs):
    city = unit_figures(logs[CITY], "2021")
    assert city["PROC_TOTAL"] == (258, None)
    assert city["PROC_CHANGED"] == (32, None)
    assert city["PROC_ABOLISHED"] == (18, None)
    assert city["PROC_PUBLISHED_RATE"] == (258, 258)
    assert city["PROC_ONLINE_PARTIAL"] == (28, None)
    assert city["PROC_ONLINE_FULL"] == (164, None)


def test_every_ward_has_145_active_procedures(logs, units):
    for code, unit in units.items():
        if unit["unit_level"] == "ward":
            assert len(logs[code].active_on(date(2021, 12, 31))) == 145, code
            assert unit_figures(logs[code], "2021")["PROC_TOTAL"] == (145, None)


def test_catalogue_history_is_plausible(logs):
    city = logs[CITY]
    first_day, first = city.snapshots[0]
    assert first_day == date(2021, 1, 1)
    for p in first.values():
        assert re.fullmatch(r"[12]\.\d{6}", p["procedure_code"])
        assert p["authority_level"] == 2
        assert 2017 <= p["decision_date"].year <= 2020
    # a procedure raised from partial to full mid-year by an amending decision
    latest = city.catalogue_on(date(2021, 12, 31))
    raised = [
        code
        for code, p in first.items()
        if p["service_level"] == "partial"
        and latest[code]["service_level"] == "full"
        and latest[code]["change_type"] == 2
        and 4 <= latest[code]["decision_date"].month <= 9
    ]
    assert raised
    decisions = {
        p["decision_no"]
        for _, snap in city.snapshots
        for p in snap.values()
        if p["decision_date"].year == 2021
    }
    assert 3 <= len(decisions) <= 8
    assert all(re.fullmatch(r"\d+/QĐ-UBND", d) for d in decisions)
    # abolished procedures stay in the catalogue, marked
    abolished = [p for p in latest.values() if p["change_type"] == 4]
    assert len(abolished) == 18 and all(p["status"] == 0 for p in abolished)
    ward = logs["31507"].snapshots[0][1]
    assert {p["authority_level"] for p in ward.values()} == {3}
    assert any(p["processing_days"] is None for p in ward.values())


# --- dossiers ------------------------------------------------------------------------------


def test_city_dossier_figures(logs):
    city = unit_figures(logs[CITY], "2021")
    assert city["DOSSIER_FINISHED"] == (10_122, None)
    assert city["DOSSIER_ONTIME"] == (10_117, None)
    assert city["DOSSIER_LATE"] == (5, None)
    assert city["DOSSIER_ONTIME_RATE"] == (10_117, 10_122)
    assert str(rate(10_117, 10_122)) == "99.95"
    apologised, late = city["DOSSIER_APOLOGY_RATE"]
    assert late == 5 and 0 < apologised < 5


def test_online_shares_stay_below_targets(logs, units):
    for figures in (unit_figures(logs[CITY], "2021"), _area(logs, units, CITY, "2021")):
        online, received = figures["DOSSIER_ONLINE_RATE_PARTIAL"]
        assert received > 300 and 0 < online / received < 0.40
        online, received = figures["DOSSIER_ONLINE_RATE_FULL"]
        assert received > 1000 and 0 < online / received < 0.15


def test_ward_volumes_are_plausible(logs, units):
    for code, unit in units.items():
        if unit["unit_level"] != "ward":
            continue
        figures = unit_figures(logs[code], "2021")
        assert 800 <= figures["DOSSIER_RECEIVED"][0] <= 3_000, code
        assert figures["DOSSIER_LATE"][0] <= 6


def test_dossier_log_behaves_like_a_change_log(logs):
    late_rows = out_of_order = 0
    for unit in logs.values():
        active_by_day: dict[date, set[str]] = {}
        for d in unit.latest_dossiers.values():
            if d["received_at"] is None:
                assert d["status"] in (1, 3)
                continue
            day = d["received_at"].date()
            assert day.year == 2021
            if day not in active_by_day:
                active_by_day[day] = {p["procedure_code"] for p in unit.active_on(day)}
            assert d["procedure_code"] in active_by_day[day]
            if d["finished_at"] is not None:
                assert d["finished_at"].year == 2021 and d["finished_at"] >= d["received_at"]
        previous = None
        for export_date, row in unit.dossier_rows:
            late_rows += export_date > row["updated_at"].date()
            if previous and previous[0] == export_date and row["updated_at"] < previous[1]:
                out_of_order += 1
            previous = (export_date, row["updated_at"])
    assert late_rows > 100
    assert out_of_order > 100
    statuses = {d["status"] for u in logs.values() for d in u.latest_dossiers.values()}
    assert {1, 3, 7, 8, 9, 10} <= statuses


def test_applicants_look_real(logs):
    city = logs[CITY]
    ids = [row["applicant_id_number"] for _, row in city.dossier_rows]
    citizen = [i for i in ids if re.fullmatch(r"094\d{9}", i)]
    old = [i for i in ids if re.fullmatch(r"\d{9}", i)]
    tax = [i for i in ids if re.fullmatch(r"\d{10}", i)]
    assert len(citizen) > len(ids) / 2 and old and tax
    assert len(citizen) + len(old) + len(tax) == len(ids)
    assert all(re.fullmatch(r"0[89]\d{8}", row["applicant_phone"]) for _, row in city.dossier_rows)
    # paid_online is blank exactly when the procedure has no fee
    for d in city.latest_dossiers.values():
        moment = d["received_at"] or d["updated_at"]
        proc = city.catalogue_on(moment.date())[d["procedure_code"]]
        assert (d["paid_online"] is None) == (not proc["has_fee"])


# --- documents -----------------------------------------------------------------------------


def test_area_documents(logs, units):
    area = _area(logs, units, CITY, "2021")
    assert area["DOC_SENT"] == (5_816, None)
    assert area["DOC_ELECTRONIC"] == (4_819, None)
    mixed = sum(
        1
        for u in logs.values()
        for doc in u.latest_documents.values()
        if doc["recipient_kind"] == 1 and doc["classification"] == 0 and doc["send_method"] == 3
    )
    assert mixed == 997
    everything = [doc for u in logs.values() for doc in u.latest_documents.values()]
    assert any(doc["recipient_kind"] == 2 and doc["send_method"] == 2 for doc in everything)
    assert any(doc["classification"] != 0 for doc in everything)
    corrected = sum(len(u.document_rows) - len(u.latest_documents) for u in logs.values())
    assert corrected >= len(logs)
    for u in logs.values():
        numbers = sorted(int(number.split("/")[0]) for number, _ in u.latest_documents)
        assert numbers == list(range(1, len(numbers) + 1))  # one sequence for the year


# --- reports -------------------------------------------------------------------------------


def test_city_annual_report(logs):
    rows = {
        (r["indicator_code"], r["scope"]): r
        for r in logs[CITY].report_rows
        if r["period"] == "2021"
    }
    assert rows[("PROC_TOTAL", "self")]["numerator"] == 258
    ontime = rows[("DOSSIER_ONTIME_RATE", "self")]
    assert (ontime["numerator"], ontime["denominator"]) == (10_117, 10_122)
    assert str(ontime["reported_rate"]) == "99.95"
    electronic = rows[("DOC_ELECTRONIC_RATE", "area")]
    assert (electronic["numerator"], electronic["denominator"]) == (4_819, 5_816)
    assert str(electronic["reported_rate"]) == "82.86"
    assert rows[("DOSSIER_FINISHED", "self")]["numerator"] == 10_122


def test_reports_agree_with_the_logs_except_two_planted_faults(generated, logs, units):
    rate_faults, number_faults, checked = [], [], 0
    for code, unit in logs.items():
        for r in unit.report_rows:
            if r["scope"] == "area":
                n, d = _area(logs, units, code, r["period"])[r["indicator_code"]]
            else:
                n, d = unit_figures(unit, r["period"])[r["indicator_code"]]
            checked += 1
            if r["denominator"] is not None:
                own = rate(int(r["numerator"]), int(r["denominator"]))
                if own != r["reported_rate"]:
                    rate_faults.append((code, r["period"], r["indicator_code"]))
            if (r["numerator"], r["denominator"]) != (n, d):
                number_faults.append((code, r["period"], r["indicator_code"]))
    assert checked > 40
    assert len(rate_faults) == 1 and rate_faults[0][0] != CITY
    assert len(number_faults) == 1 and number_faults[0][0] != CITY
    planted = generated.summary["truth"]["report_faults"]
    assert set(rate_faults + number_faults) == {
        (f["unit_code"], f["period"], f["indicator_code"]) for f in planted
    }


# --- staff lists ---------------------------------------------------------------------------

MONTH_ENDS = [date(2021, m + 1, 1) - timedelta(days=1) for m in range(1, 12)] + [date(2021, 12, 31)]


def test_every_unit_delivers_staff_snapshots_in_its_own_format(generated, logs, units):
    files = delivered_files(generated.landing)
    for code in units:
        staff = [f for f in files if (f.unit, f.feed) == (code, "staff")]
        # the whole list early in January, then again on the days it changed
        assert staff[0].export_date <= date(2021, 1, 8), code
        assert len(staff) >= 2, code
        # the unit's software: the sync API's JSONL, or its books' CSV or Excel
        dossiers = {f.fmt for f in files if (f.unit, f.feed) == (code, "dossiers")}
        assert {f.fmt for f in staff} == dossiers, code
        snapshots = logs[code].staff_snapshots
        assert any(a != b for (_, a), (_, b) in zip(snapshots, snapshots[1:], strict=False)), code
        first = snapshots[0][1]
        leaders = [p for p in first.values() if p["is_leader"] and p["status"] == 1]
        if units[code]["unit_level"] == "ward":
            assert 10 <= len(first) <= 22, code
            assert [p["position"] for p in leaders] == [
                "Chủ tịch UBND phường",
                "Phó Chủ tịch UBND phường",
                "Phó Chủ tịch UBND phường",
            ], code
            # the chair and vice-chairs are the signers of the ward's register
            signers = {d["signer"] for d in logs[code].latest_documents.values()}
            assert {p["staff_name"] for p in leaders} <= signers, code
        else:
            heads = [p for p in leaders if not p["position"].startswith("Phó")]
            assert len(heads) == 12 and len(leaders) > 12
            assert 50 <= len(first) <= 80
        for _, snapshot in snapshots:
            assert all(re.fullmatch(r"CB\d{3}", staff_code) for staff_code in snapshot)
    statuses = {
        p["status"] for u in logs.values() for _, s in u.staff_snapshots for p in s.values()
    }
    assert statuses == {0, 1}  # officials who left stay on the list


def test_every_serving_official_has_the_tools_all_year(logs, units):
    for code in units:
        for end in MONTH_ENDS:
            period = f"2021-{end.month:02d}"
            figures = unit_figures(logs[code], period)
            email, serving = figures["STAFF_EMAIL_RATE"]
            signing, leaders = figures["STAFF_LEADER_SIGNING_RATE"]
            assert email == serving > 0 and signing == leaders > 0, (code, period)
    # some who left lack them: they do not count
    gone = [
        p
        for u in logs.values()
        for _, s in u.staff_snapshots
        for p in s.values()
        if p["status"] == 0 and not p["has_official_email"]
    ]
    assert gone


def test_city_staff_coverage_in_2021(generated, logs, units):
    area = _area(logs, units, CITY, "2021")
    email, serving = area["STAFF_EMAIL_RATE"]
    signing, leaders = area["STAFF_LEADER_SIGNING_RATE"]
    assert email == serving > 150 and signing == leaders >= 12 + 10 * 3 - 2
    truth = generated.summary["truth"]["figures"][CITY]["area"]["2021"]
    assert truth["STAFF_EMAIL_RATE"] == {
        "numerator": serving,
        "denominator": serving,
        "value": "100.00",
    }
    assert truth["STAFF_LEADER_SIGNING_RATE"] == {
        "numerator": leaders,
        "denominator": leaders,
        "value": "100.00",
    }


# --- late reasons ---------------------------------------------------------------------------

NETWORK_FAILURE = "Lỗi đường truyền mạng"


def test_city_late_dossiers_give_network_failure(generated, logs):
    assert late_reasons([logs[CITY]], "2021") == {NETWORK_FAILURE: 5}
    late = {d["dossier_code"] for d in late_dossiers(logs[CITY], "2021")}
    assert len(late) == 5
    # the desk's other dossiers give no reason, in any row
    for _, row in logs[CITY].dossier_rows:
        if row["dossier_code"] not in late:
            assert row["late_reason"] is None, row["dossier_code"]
    truth = generated.summary["truth"]
    assert truth["late_reasons"][CITY]["self"]["2021"] == [
        {"late_reason": NETWORK_FAILURE, "dossiers": 5}
    ]


def test_late_reasons_add_up_to_the_late_dossiers(generated, logs, units):
    """Every unit's dossier export has the column; by unit, scope and period the late
    dossiers by reason are the late dossiers, and the truth says the same."""
    truth = generated.summary["truth"]
    for f in delivered_files(generated.landing):
        if f.feed == "dossiers":
            assert _check_header(f, units[f.unit]["csv_encoding"])[-1] in (
                "Lý do trễ hạn",
                "LyDoTreHan",
            )
    for code in units:
        members = [code] + [c for c, u in units.items() if u["parent_code"] == code]
        for scope in ("self", "area") if len(members) > 1 else ("self",):
            chosen = [logs[m] for m in (members if scope == "area" else [code])]
            for period in YEAR_PERIODS:
                reasons = late_reasons(chosen, period)
                late = truth["figures"][code][scope][period]["DOSSIER_LATE"]["numerator"]
                assert sum(reasons.values()) == late, (code, scope, period)
                assert {
                    r["late_reason"]: r["dossiers"]
                    for r in truth["late_reasons"][code][scope][period]
                } == dict(reasons), (code, scope, period)
    area = late_reasons([logs[c] for c in units], "2021")
    assert area[NETWORK_FAILURE] > 5 and area[None] > 0 and len(area) >= 5
    listed = {(d["unit_code"], d["dossier_code"], d["late_reason"]) for d in truth["late_dossiers"]}
    assert listed == {
        (code, d["dossier_code"], d["late_reason"])
        for code in units
        for d in late_dossiers(logs[code], "2021")
    }
    for d in truth["late_dossiers"]:
        assert 1 <= d["working_days_late"] <= d["days_late"]


# --- the returned ground truth -------------------------------------------------------------


def test_returned_truth_matches_the_files(generated, logs, units):
    truth = generated.summary["truth"]["figures"]
    for code in units:
        for period in YEAR_PERIODS:
            from_files = unit_figures(logs[code], period)
            for indicator, (n, d) in from_files.items():
                expected = truth[code]["self"][period][indicator]
                assert (expected["numerator"], expected["denominator"]) == (n, d), (
                    code,
                    period,
                    indicator,
                )
    area = _area(logs, units, CITY, "2021")
    for indicator, (n, d) in area.items():
        expected = truth[CITY]["area"]["2021"][indicator]
        assert (expected["numerator"], expected["denominator"]) == (n, d), indicator


# --- the hidden-late dossier ---------------------------------------------------------------

HOLIDAY_OVERRIDES = REPO / "dbt_project" / "seeds" / "holiday_overrides.csv"


@functools.cache
def _days_off_and_swapped_workdays() -> tuple[frozenset[date], frozenset[date]]:
    import csv

    import holidays

    off = set(holidays.country_holidays("VN", years=range(2020, 2024)))
    on: set[date] = set()
    with open(HOLIDAY_OVERRIDES, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            (off if row["kind"] == "holiday" else on).add(date.fromisoformat(row["date"]))
    return frozenset(off), frozenset(on)


def _rule_due_date(received: date, processing_days: int) -> date:
    """The processing_days-th working day after the received date (received day not
    counted); working days skip weekends and Vietnam's public holidays (the `holidays`
    package), with the announced swaps of the holiday_overrides seed on top."""
    off, on = _days_off_and_swapped_workdays()
    day, left = received, processing_days
    while left:
        day = date.fromordinal(day.toordinal() + 1)
        left -= day in on or (day.weekday() < 5 and day not in off)
    return day


def _hidden_late(logs: dict[str, UnitLogs]) -> list[tuple[str, dict, date]]:
    """Dossiers whose recorded appointment is later than the rule allows, with no pause."""
    found = []
    for code, unit in sorted(logs.items()):
        for d in unit.latest_dossiers.values():
            if d["received_at"] is None or d["due_at"] is None or d["supplement_count"]:
                continue
            received = d["received_at"].date()
            days = unit.catalogue_on(received)[d["procedure_code"]]["processing_days"]
            if days is None:
                continue
            rule_due = _rule_due_date(received, days)
            if d["due_at"].date() > rule_due:
                found.append((code, d, rule_due))
    return found


def _check_hidden_late(truth: dict, logs: dict[str, UnitLogs]) -> None:
    planted = truth["hidden_late_dossiers"]
    found = _hidden_late(logs)
    assert [(code, d["dossier_code"]) for code, d, _ in found] == [
        (h["unit_code"], h["dossier_code"]) for h in planted
    ]
    for (_, d, rule_due), h in zip(found, planted, strict=True):
        assert d["status"] in (9, 10) and d["supplement_count"] == 0
        # late by the rule, on time by the log
        assert rule_due < d["finished_at"].date() <= d["due_at"].date()
        assert h["procedure_code"] == d["procedure_code"]
        assert h["received_at"] == d["received_at"].isoformat(sep=" ")
        assert h["recorded_due_at"] == d["due_at"].isoformat(sep=" ")
        assert h["rule_due_date"] == rule_due.isoformat()


def test_one_city_dossier_is_late_by_the_rule_only(generated, logs):
    planted = generated.summary["truth"]["hidden_late_dossiers"]
    assert [h["unit_code"] for h in planted] == [CITY]
    assert set(planted[0]) >= {
        "unit_code",
        "dossier_code",
        "procedure_code",
        "received_at",
        "recorded_due_at",
        "rule_due_date",
    }
    _check_hidden_late(generated.summary["truth"], logs)
    # it is among the on-time dossiers: the seed figures hold (test_city_dossier_figures)
    assert unit_figures(logs[CITY], "2021")["DOSSIER_ONTIME"] == (10_117, None)


# --- mini-2021 -----------------------------------------------------------------------------

MINI = "mini-2021"
MINI_MONTHS = ("2021-01", "2021-02")


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> tuple[Path, dict]:
    landing = tmp_path_factory.mktemp("mini") / "landing"
    return landing, write_scenario(MINI, landing, seed=2021, workers=1)


def test_mini_is_small_and_has_every_format(mini):
    landing, summary = mini
    units = {u["unit_code"]: u for u in read_units(landing)}
    assert [u["unit_level"] for u in units.values()] == ["city", "ward", "ward"]
    assert "cp1258" in {u["csv_encoding"] for u in units.values()}
    files = delivered_files(landing)
    assert {f.fmt for f in files} == {"csv", "xlsx", "jsonl"}
    assert {f.feed for f in files} == set(CONTRACT)
    assert {(f.export_date.year, f.export_date.month) for f in files} == {(2021, 1), (2021, 2)}
    assert 200 <= summary["rows"]["dossiers"] <= 1_000
    cp1258 = [f for f in files if f.fmt == "csv" and units[f.unit]["csv_encoding"] == "cp1258"]
    assert cp1258
    for f in files:
        _check_header(f, units[f.unit]["csv_encoding"])


def test_mini_truth_matches_its_files(mini):
    landing, summary = mini
    logs = read_landing(landing)
    truth = summary["truth"]["figures"]
    for code in logs:
        assert set(truth[code]["self"]) == set(MINI_MONTHS)  # only periods it covers whole
        for period in MINI_MONTHS:
            for indicator, (n, d) in unit_figures(logs[code], period).items():
                expected = truth[code]["self"][period][indicator]
                assert (expected["numerator"], expected["denominator"]) == (n, d), (
                    code,
                    period,
                    indicator,
                )
        figures = unit_figures(logs[code], "2021-01")
        assert figures["DOSSIER_FINISHED"][0] > 10 and figures["DOC_SENT"][0] > 5
        assert figures["PROC_TOTAL"][0] > 20
    _check_hidden_late(summary["truth"], logs)


# mini-2021's staff coverage, worked by hand from its scenario (scenarios.mini_2021):
# the city: 14 serving (4 leaders: 3 division heads, a deputy without a certificate), one
# specialist without a mailbox; a recruit without a mailbox on 18 January, the first one
# given on 8 February, a specialist leaving on 22 February. Phường 1: 12 serving, all
# equipped; a vice-chair leaves on 1 February, the new one (17 February) has no certificate.
# Phường 2: 10 serving, two without a mailbox, one given on 25 January.
MINI_STAFF = {
    # unit, scope, period: (mailboxes, serving), (certificates, leaders)
    (CITY, "self", "2021-01"): ((13, 15), (3, 4)),
    (CITY, "self", "2021-02"): ((13, 14), (3, 4)),
    ("31522", "self", "2021-01"): ((12, 12), (3, 3)),
    ("31522", "self", "2021-02"): ((12, 12), (2, 3)),
    ("31519", "self", "2021-01"): ((9, 10), (3, 3)),
    ("31519", "self", "2021-02"): ((9, 10), (3, 3)),
    (CITY, "area", "2021-01"): ((34, 37), (9, 10)),
    (CITY, "area", "2021-02"): ((34, 36), (8, 10)),
}
MINI_RATES = {  # the same, as the published values
    (CITY, "area", "2021-01"): ("91.89", "90.00"),
    (CITY, "area", "2021-02"): ("94.44", "80.00"),
    (CITY, "self", "2021-01"): ("86.67", "75.00"),
    (CITY, "self", "2021-02"): ("92.86", "75.00"),
    ("31522", "self", "2021-02"): ("100.00", "66.67"),
    ("31519", "self", "2021-01"): ("90.00", "100.00"),
}


def test_mini_staff_coverage_worked_by_hand(mini):
    landing, summary = mini
    logs = read_landing(landing)
    units = {u["unit_code"]: u for u in read_units(landing)}
    truth = summary["truth"]["figures"]
    for (code, scope, period), (email, signing) in MINI_STAFF.items():
        figures = (
            _area(logs, units, code, period)
            if scope == "area"
            else unit_figures(logs[code], period)
        )
        assert figures["STAFF_EMAIL_RATE"] == email, (code, scope, period)
        assert figures["STAFF_LEADER_SIGNING_RATE"] == signing, (code, scope, period)
        expected = truth[code][scope][period]
        assert (
            expected["STAFF_EMAIL_RATE"]["numerator"],
            expected["STAFF_EMAIL_RATE"]["denominator"],
        ) == email
        assert (
            expected["STAFF_LEADER_SIGNING_RATE"]["numerator"],
            expected["STAFF_LEADER_SIGNING_RATE"]["denominator"],
        ) == signing
    for (code, scope, period), values in MINI_RATES.items():
        expected = truth[code][scope][period]
        assert (
            expected["STAFF_EMAIL_RATE"]["value"],
            expected["STAFF_LEADER_SIGNING_RATE"]["value"],
        ) == values
    # one of the lists changes within the quarter more than once; every format is used
    staff = [f for f in delivered_files(landing) if f.feed == "staff"]
    assert {f.fmt for f in staff} == {"csv", "xlsx", "jsonl"}
    assert len([f for f in staff if f.unit == CITY]) == 4


def test_mini_late_reasons_vary_and_some_are_blank(mini):
    landing, summary = mini
    logs = read_landing(landing)
    units = {u["unit_code"]: u for u in read_units(landing)}
    assert late_reasons([logs[CITY]], "2021-01") == {None: 1}
    assert late_reasons([logs[CITY]], "2021-02") == {
        "Chờ ý kiến phối hợp của cơ quan có liên quan": 1
    }
    assert late_reasons([logs["31522"]], "2021-01") == {NETWORK_FAILURE: 1}
    # Phường 2's older software has no late-reason column: its late dossier gives none
    assert late_reasons([logs["31519"]], "2021-01") == {None: 1}
    for f in delivered_files(landing):
        if f.feed == "dossiers":
            header = _check_header(f, units[f.unit]["csv_encoding"])
            has_column = header[-1] in ("Lý do trễ hạn", "LyDoTreHan")
            assert has_column == (f.unit != "31519"), f.path
    reasons = summary["truth"]["late_reasons"][CITY]["area"]
    assert reasons["2021-01"] == [
        {"late_reason": None, "dossiers": 2},
        {"late_reason": NETWORK_FAILURE, "dossiers": 1},
    ]
    assert reasons["2021-02"] == [
        {"late_reason": "Chờ ý kiến phối hợp của cơ quan có liên quan", "dossiers": 1}
    ]


# --- dirty mode ----------------------------------------------------------------------------


@dataclass
class Dirty:
    landing: Path
    clean: Path
    faults: list[dict]


@pytest.fixture(scope="module")
def dirty(tmp_path_factory, mini) -> Dirty:
    landing = tmp_path_factory.mktemp("mini_dirty") / "landing"
    summary = write_scenario(MINI, landing, seed=2021, workers=1, dirty=True)
    assert summary["truth"] == mini[1]["truth"]  # the truth of the clean files
    return Dirty(landing, mini[0], summary["faults"])


def test_dirty_manifest_is_well_formed(dirty):
    from pipelines.lib.expectations import SUITES
    from pipelines.simulator.dirty import EXPECTED

    assert len(dirty.faults) >= 30
    for fault in dirty.faults:
        assert set(fault) >= {
            "kind",
            "source_file",
            "source_row",
            "expected",
            "reason_contains",
            "check",
        }
        assert fault["expected"] in EXPECTED
        assert (dirty.landing / fault["source_file"]).is_file()
        assert "\\" not in fault["source_file"] and not fault["source_file"].startswith("/")
        row = fault["source_row"]
        assert row is None or (isinstance(row, int) and row >= 1)
        feed = fault["source_file"].split("/")[1]
        if fault["expected"] == "loaded_flagged":
            assert row is not None
            assert fault["check"] in {name for name, *_ in SUITES[feed]}
        else:
            assert fault["check"] is None
        if fault["expected"] in ("set_aside", "rejected", "loaded_note"):
            assert fault["reason_contains"]
        if fault["expected"] in ("rejected", "loaded_note", "loaded_empty"):
            assert row is None
    places = [(f["source_file"], f["source_row"]) for f in dirty.faults if f["source_row"]]
    assert len(places) == len(set(places))  # one fault per row


def test_dirty_mode_is_deterministic(dirty, tmp_path):
    again = write_scenario(MINI, tmp_path / "again", seed=2021, workers=1, dirty=True)
    assert again["faults"] == dirty.faults
    assert _hashes(tmp_path / "again") == _hashes(dirty.landing)


def test_dirty_mode_leaves_other_files_and_a_unit_alone(dirty):
    touched = {f["source_file"] for f in dirty.faults}
    clean, dirty_hashes = _hashes(dirty.clean), _hashes(dirty.landing)
    assert set(clean) <= set(dirty_hashes)
    changed = {p for p in clean if clean[p] != dirty_hashes[p]}
    added = set(dirty_hashes) - set(clean)
    assert changed | added == touched
    assert all(f["clean_source"] is None for f in dirty.faults if f["source_file"] in added)
    units = {p.split("/")[0] for p in clean if "/" in p}
    assert units - {p.split("/")[0] for p in touched}  # at least one unit stays clean


def _parse_landing(landing: Path):
    """The real ingest's parser over every file: (set-aside rows, outcomes, loaded rows)."""
    from pipelines.lib.landing import discover
    from pipelines.lib.landing import read_units as ingest_units
    from pipelines.lib.loader import unit_encodings
    from pipelines.lib.parsing import parse_batch
    from pipelines.lib.pseudonymise import Pseudonymiser

    encodings = unit_encodings(ingest_units(landing))
    pseudonymiser = Pseudonymiser(b"k" * 32)
    aside, outcomes, loaded = [], {}, set()
    for feed in CONTRACT:
        files, misplaced = discover(landing, feeds=(feed,))
        assert misplaced == []
        batch = parse_batch(feed, files, encodings, pseudonymiser)
        aside += batch.set_aside.select("source_file", "source_row", "reason").rows()
        outcomes.update({o.file.relpath: o for o in batch.outcomes})
        loaded |= set(batch.loaded.select("source_file", "source_row").rows())
    return aside, outcomes, loaded


def test_dirty_faults_meet_the_ingest_as_the_manifest_says(dirty):
    """The manifest's promises against the ingest's parser (GX checks and the whole
    pipeline: tests/integration/test_dirty_landing.py)."""
    aside, outcomes, loaded = _parse_landing(dirty.landing)
    for fault in dirty.faults:
        source_file, row = fault["source_file"], fault["source_row"]
        reason = fault["reason_contains"]
        outcome = outcomes[source_file]
        mine = [(r, why) for f, r, why in aside if f == source_file]
        expected = fault["expected"]
        if expected == "set_aside" and row is not None:
            assert [why for r, why in mine if r == row] != [], fault
            assert reason in next(why for r, why in mine if r == row), fault
        elif expected == "set_aside":
            assert len(mine) == fault["rows"] and all(reason in why for _, why in mine), fault
        elif expected == "rejected":
            assert outcome.status == "rejected" and reason in outcome.error, fault
            assert mine == [(None, outcome.error)]
        elif expected == "loaded_note":
            assert outcome.status == "loaded" and reason in outcome.error, fault
            assert mine == [] and outcome.rows_loaded == outcome.rows_in > 0
        elif expected == "loaded_empty":
            assert (outcome.status, outcome.rows_in) == ("loaded", 0), fault
            assert reason is None or reason in outcome.error
        else:
            assert (source_file, row) in loaded, fault
    # nothing else is set aside
    planted = {(f["source_file"], f["source_row"]) for f in dirty.faults}
    whole = {f["source_file"] for f in dirty.faults if f["source_row"] is None}
    assert [a for a in aside if a[0] not in whole and a[:2] not in planted] == []
    _, clean_outcomes, _ = _parse_landing(dirty.clean)
    assert all(o.rows_set_aside == 0 and o.error is None for o in clean_outcomes.values())


def test_dirty_cli_writes_the_manifest(dirty, tmp_path):
    out, faults = tmp_path / "landing", tmp_path / "faults.json"
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.simulator", "--scenario", MINI]
        + ["--out", str(out), "--workers", "1", "--dirty", "--faults-out", str(faults)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(faults.read_text("utf-8")) == dirty.faults
    assert json.loads(result.stdout[: result.stdout.rindex("}") + 1])["faults"] == len(dirty.faults)
    refused = subprocess.run(
        [sys.executable, "-m", "pipelines.simulator", "--scenario", MINI]
        + ["--out", str(tmp_path / "x"), "--faults-out", str(faults)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "--dirty" in refused.stderr


def test_dirty_mode_plants_in_the_full_scenario_too(generated, tmp_path):
    """The planter picks its units by role, so it works on soc-trang-2021 as well (on a copy
    of the city and the ward it dirties)."""
    import shutil

    from pipelines.simulator.dirty import plant_faults
    from pipelines.simulator.scenarios import get_scenario

    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(generated.landing / "units.csv", landing)
    for unit in (CITY, "31522"):
        shutil.copytree(generated.landing / unit, landing / unit)
    hidden = [h["dossier_code"] for h in generated.summary["truth"]["hidden_late_dossiers"]]
    faults, added = plant_faults(get_scenario(SCENARIO), landing, 2021, exclude_dossiers=hidden)
    assert len(faults) >= 30 and added
    aside, outcomes, loaded = _parse_landing(landing)
    aside_at = {(f, r): why for f, r, why in aside}
    for fault in faults:
        if fault["expected"] == "set_aside" and fault["source_row"] is not None:
            assert fault["reason_contains"] in aside_at[(fault["source_file"], fault["source_row"])]
        elif fault["expected"] == "loaded_flagged":
            assert (fault["source_file"], fault["source_row"]) in loaded
        elif fault["expected"] == "loaded_note":
            assert fault["reason_contains"] in outcomes[fault["source_file"]].error
