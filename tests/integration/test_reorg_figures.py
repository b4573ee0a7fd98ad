"""Issue 17's "Done when" on scenario reorg-2025, through the real pipeline (ingest, dbt build
with its tests, publish; the report assets left out).

The landing folder is the scenario's short variant (`Span`): the same units, successions,
catalogues and rules, but 2024-10-01 to 2025-07-31 and one dossier a unit and working day
(`most_per_day=1`: the draw of 1 to N dossiers becomes exactly one), so the run stays
cheap: the span is kept to what the figures need. That still holds 2024-Q4 (the quarter
compared), the old units' January-June 2025, the reform on 1 July and the new wards' first
month, in which every handed-over dossier finishes (at most 7 working days' processing and 3 late).

Expected values come from two places: the simulator's truth (what it wrote, counted per
registry row and month as the contract counts), and recounts of the delivered CSV files
themselves, done here the way one would by hand (reasoning in the comments).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from pipelines.run import execute_build, failed_checks, landing_range_tags, published_in
from pipelines.simulator.reorg import Span, reorg_registry, write_reorg
from tests.integration.conftest import PipelineRun, settings_for

SPAN = Span(start=date(2024, 10, 1), end=date(2025, 7, 31), most_per_day=1)
OLD = date(2020, 1, 1)  # first day of every old registry row (the warehouse's default)
REFORM = date(2025, 7, 1)
PHU_LOI = "31510"  # Phường Phú Lợi from 2025-07-01, reusing old Phường 2's code
OLD_WARDS_1_TO_4 = {
    "31522": "Phường 1",
    "31510": "Phường 2",
    "31519": "Phường 3",
    "31516": "Phường 4",
}
OLD_CITY = "941"
SOC_TRANG = "31507"  # Phường Sóc Trăng: takes the old city's open dossiers
DIVIDED_SUCCESSOR = "31168"  # Phường Bình Thủy: 31168, 31177 whole; 31178 and 918 only part
FINISHED = "Đã trả kết quả"
RECEIVED = "Được tiếp nhận"


@pytest.fixture(scope="module")
def reorg_run(tmp_path_factory, dagster_instance):
    root = tmp_path_factory.mktemp("reorg_figures")
    landing = root / "landing"
    summary = write_reorg(landing, seed=2021, span=SPAN)
    settings = settings_for(landing, root / "warehouse")
    result = execute_build(dagster_instance, settings, landing_range_tags(settings), reports=False)
    yield PipelineRun(landing=landing, warehouse=root / "warehouse", result=result), summary


@pytest.fixture(scope="module")
def run(reorg_run) -> PipelineRun:
    return reorg_run[0]


@pytest.fixture(scope="module")
def truth(reorg_run):
    return reorg_run[1]["truth"]


# --- reading the delivered files, as one would by hand ------------------------------------


def _records(landing: Path, code: str, first: date, last: date) -> list[tuple[date, dict]]:
    """Every row of the unit code's dossier files dated first..last, decoded with the
    encoding of the registry row of the file's date (cp1258 before the reform, UTF-8 with
    a BOM after)."""
    registry = reorg_registry()
    out = []
    for path in sorted((landing / code / "dossiers").glob("*.csv")):
        day = date.fromisoformat(path.stem)
        if first <= day <= last:
            encoding = registry.row_on(code, day).csv_encoding
            text = unicodedata.normalize("NFC", path.read_bytes().decode(encoding))
            out += [(day, r) for r in csv.DictReader(io.StringIO(text, newline=""))]
    return out


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M:%S")


# --- reading the published file -------------------------------------------------------------


def _value(run, table, code, valid_from, scope, period_type, start, indicator, extra=""):
    rows = run.query(
        f"SELECT numerator{extra} FROM {table} WHERE unit_code = ? AND unit_valid_from = ? "
        "AND scope = ? AND period_type = ? AND period_start = ? AND indicator_code = ?",
        [code, valid_from, scope, period_type, start, indicator],
    )
    assert len(rows) == 1, (table, code, valid_from, scope, period_type, start, indicator, rows)
    return rows[0] if extra else rows[0][0]


def _rebased(run, code, valid_from, period_type, start, indicator):
    numerator, basis, predecessors = _value(
        run, "indicator_values_rebased", code, valid_from, "area", period_type, start,
        indicator, extra=", basis, predecessor_codes",
    )  # fmt: skip
    return numerator, basis, sorted(predecessors)


# --- the run ----------------------------------------------------------------------------------


def test_every_blocking_check_passes_and_the_run_publishes(run):
    failed = failed_checks(run.result)
    assert [c.line() for c in failed if c.blocking] == []
    assert run.result.success and published_in(run.result)
    assert run.published.exists()


def test_the_contract_does_not_warn_about_the_reform(run):
    evaluations = {e.check_name: e for e in run.result.get_asset_check_evaluations()}
    # A handed-over dossier under a reused code (the city's, in Phường Sóc Trăng 31507's log)
    # is judged against the catalogue of the registry row of its file's date - the new
    # ward's first - not old Phường 6's.
    assert evaluations["dossiers_rows_look_right"].passed, evaluations[
        "dossiers_rows_look_right"
    ].metadata
    # Province 92 delivers nothing at all (the contract allows it): it has not "stopped".
    assert evaluations["dossiers_delivered_recently"].passed, evaluations[
        "dossiers_delivered_recently"
    ].metadata
    # The successor's copy of a handed-over dossier takes its procedure from the
    # successor's first catalogue snapshot, so it has a procedure version.
    # (fct_dossier's warn column check: procedure_version_key never null on counted rows)
    key_check = evaluations["columns_are_well_formed_fct_dossier_warn"]
    assert key_check.passed, key_check.description
    assert run.query("SELECT count(*) FROM fct_dossier WHERE procedure_version_key IS NULL") == [
        (0,)
    ]


# --- Phường Phú Lợi, 2024-Q4 ----------------------------------------------------------------


def test_phu_loi_2024_q4_is_the_sum_of_old_wards_1_to_4(run, truth):
    numerator, basis, predecessors = _rebased(
        run, PHU_LOI, REFORM, "quarter", "2024-10-01", "DOSSIER_FINISHED"
    )
    # By hand from the files: a dossier's result is written once, as a row 'Đã trả kết
    # quả' in the file of the day it finished (its 'Ngày có kết quả'). So Phường 1-4's
    # 2024-Q4 DOSSIER_FINISHED is the number of such rows in their folders' files dated
    # 1 October to 31 December 2024 - the folder 31510 then is old Phường 2 (cp1258).
    by_hand = {
        code: sum(
            r["Trạng thái"] == FINISHED
            for _day, r in _records(run.landing, code, date(2024, 10, 1), date(2024, 12, 31))
        )
        for code in OLD_WARDS_1_TO_4
    }
    assert by_hand == {"31522": 65, "31510": 63, "31519": 64, "31516": 63}
    assert numerator == sum(by_hand.values()) == 255
    # the simulator's truth, per old registry row, agrees
    assert numerator == sum(truth.flow(c, OLD, "2024-Q4", "finished") for c in OLD_WARDS_1_TO_4)
    # and so do the four old wards' own published rows
    assert numerator == sum(
        _value(run, "indicator_values", c, OLD, "self", "quarter", "2024-10-01", "DOSSIER_FINISHED")
        for c in OLD_WARDS_1_TO_4
    )
    # Received, from the calendar alone: in this variant every ward receives exactly one
    # dossier each weekday (the simulator knows no holidays), and Q4 2024 has 23 + 21 + 22
    # = 66 weekdays (October, November, December), so 4 x 66 = 264. (Finished is less:
    # those received in the last days of December finish in January.)
    assert _rebased(run, PHU_LOI, REFORM, "quarter", "2024-10-01", "DOSSIER_RECEIVED")[0] == 264
    # The old city 941 passed only part of itself into Phú Lợi (the package lists it as
    # feeding three new wards): its own desk's figures cannot be split, so the row says
    # `incomplete` rather than pretending to be complete; the four wards are listed.
    assert basis == "incomplete"
    assert predecessors == sorted(OLD_WARDS_1_TO_4)


def test_the_divided_communes_successor_is_incomplete_and_lists_who_is_in(run, truth):
    numerator, basis, predecessors = _rebased(
        run, DIVIDED_SUCCESSOR, REFORM, "quarter", "2024-10-01", "DOSSIER_FINISHED"
    )
    # Phường Bình Thủy (new, 31168) = old Phường Bình Thủy (31168) and An Thới (31177),
    # both whole; Bùi Hữu Nghĩa (31178, divided between two new wards) and Quận Bình Thủy
    # (918) passed only part: left out, so `incomplete`, and only those in are listed.
    assert basis == "incomplete"
    assert predecessors == ["31168", "31177"]
    assert numerator == sum(truth.flow(c, OLD, "2024-Q4", "finished") for c in predecessors)
    assert truth.flow("31178", OLD, "2024-Q4", "finished") > 0  # left out, not absent
    # the same for every period before the reform; from its first day on it is its own
    for start in ("2024-01-01", "2025-01-01"):
        assert _rebased(run, DIVIDED_SUCCESSOR, REFORM, "year", start, "DOSSIER_RECEIVED")[1:] == (
            "incomplete",
            ["31168", "31177"],
        )
    assert _rebased(run, DIVIDED_SUCCESSOR, REFORM, "quarter", "2025-07-01", "DOSSIER_FINISHED")[
        1:
    ] == ("own", [])


# --- the old city, 2025 -----------------------------------------------------------------------


def test_the_old_citys_2025_covers_january_to_june_only(run, truth):
    rows = run.query(
        "SELECT DISTINCT period_type, period_start, period_end FROM indicator_values "
        "WHERE unit_code = ? AND unit_valid_from = ? AND year(period_start) = 2025 "
        "ORDER BY period_type, period_start",
        [OLD_CITY, OLD],
    )
    quarters = [(s.isoformat(), e.isoformat()) for t, s, e in rows if t == "quarter"]
    months = [s.month for t, s, _e in rows if t == "month"]
    # it ended on 30 June 2025: Q1 and Q2, January to June, and a year row; no Q3
    assert quarters == [("2025-01-01", "2025-03-31"), ("2025-04-01", "2025-06-30")]
    assert months == [1, 2, 3, 4, 5, 6]
    assert [t for t, _s, _e in rows].count("year") == 1
    for indicator, counter in (("DOSSIER_FINISHED", "finished"), ("DOSSIER_RECEIVED", "received")):
        year = _value(
            run, "indicator_values", OLD_CITY, OLD, "self", "year", "2025-01-01", indicator
        )
        q1, q2 = (
            _value(run, "indicator_values", OLD_CITY, OLD, "self", "quarter", q, indicator)
            for q in ("2025-01-01", "2025-04-01")
        )
        assert year == q1 + q2 == truth.flow(OLD_CITY, OLD, "2025", counter) > 0
    # By hand, from the calendar: one dossier received each weekday, January-March 2025
    # has 23 + 20 + 21 = 64 weekdays and April-June 22 + 22 + 21 = 65: 129 in its 2025.
    assert [
        _value(run, "indicator_values", OLD_CITY, OLD, "self", period, start, "DOSSIER_RECEIVED")
        for period, start in (
            ("quarter", "2025-01-01"),
            ("quarter", "2025-04-01"),
            ("year", "2025-01-01"),
        )
    ] == [64, 65, 129]
    # And from the files: each dossier it received is written once as a row 'Được tiếp
    # nhận' in the file of its received day, and its files stop on 30 June; so its 2025
    # DOSSIER_RECEIVED is the number of such rows in its 2025 files.
    received = sum(
        r["Trạng thái"] == RECEIVED
        for _day, r in _records(run.landing, OLD_CITY, date(2025, 1, 1), date(2025, 12, 31))
    )
    assert received == _value(
        run, "indicator_values", OLD_CITY, OLD, "self", "year", "2025-01-01", "DOSSIER_RECEIVED"
    )


# --- a handed-over dossier ----------------------------------------------------------------------


def test_a_handed_over_dossier_counts_once_received_and_once_finished(run, truth):
    # The city's dossiers still open on 1 July 2025 went to Phường Sóc Trăng (31507, a code
    # old Phường 6 had until 30 June). By hand, from the files:
    # - the city's June files hold each dossier it received in June as one 'Được tiếp
    #   nhận' row (handed-over ones included: the city received them);
    # - 31507's files from 1 July hold the handed-over dossiers again, with their old codes
    #   (no 'CT.' prefix) and June received_at: a row 'Đang xử lý' on 1 July, then the result;
    # - 31507's own new dossiers have 'CT.' codes.
    city_june = _records(run.landing, OLD_CITY, date(2025, 6, 1), date(2025, 6, 30))
    city_received_june = {r["Mã hồ sơ"] for _d, r in city_june if r["Trạng thái"] == RECEIVED}
    new_july = _records(run.landing, SOC_TRANG, date(2025, 7, 1), date(2025, 7, 31))
    handed = {r["Mã hồ sơ"] for _d, r in new_july if r["Mã hồ sơ"] in city_received_june}
    assert handed, "no dossier of the city's was handed over"
    for code in handed:
        rows = [r for _d, r in new_july if r["Mã hồ sơ"] == code]
        assert rows[0]["Trạng thái"] == "Đang xử lý" and _when(rows[0]["Ngày tiếp nhận"]) < (
            datetime(2025, 7, 1)
        )
    finished_july = [r for _d, r in new_july if r["Trạng thái"] == FINISHED]
    new_received_july = {
        r["Mã hồ sơ"]
        for _d, r in new_july
        if r["Trạng thái"] == RECEIVED and _when(r["Ngày tiếp nhận"]).date() >= REFORM
    }
    # received once, by the city, in June ...
    assert _value(
        run, "indicator_values", OLD_CITY, OLD, "self", "month", "2025-06-01", "DOSSIER_RECEIVED"
    ) == len(city_received_june)
    # ... never by Phường Sóc Trăng, whose July receipts are its own new dossiers only ...
    assert _value(
        run,
        "indicator_values",
        SOC_TRANG,
        REFORM,
        "self",
        "month",
        "2025-07-01",
        "DOSSIER_RECEIVED",
    ) == len(new_received_july)
    assert not new_received_july & handed
    # ... and finished once, by Phường Sóc Trăng: every result row in its July files
    # (handed-over ones included) and none of them by the city, which has no July at all
    assert _value(
        run,
        "indicator_values",
        SOC_TRANG,
        REFORM,
        "self",
        "month",
        "2025-07-01",
        "DOSSIER_FINISHED",
    ) == len(finished_july)
    assert {r["Mã hồ sơ"] for r in finished_july} & handed
    assert run.query(
        "SELECT count(*) FROM indicator_values WHERE unit_code = ? AND unit_valid_from = ? "
        "AND period_start >= ?",
        [OLD_CITY, OLD, REFORM],
    ) == [(0,)]
    # Over every unit's own desk, each dossier is received once and finished once: the
    # published totals equal the truth's (which counts a handed-over dossier as received
    # by the old unit and finished by the new one).
    for indicator, counter in (("DOSSIER_RECEIVED", "received"), ("DOSSIER_FINISHED", "finished")):
        published = run.query(
            "SELECT sum(numerator) FROM indicator_values WHERE scope = 'self' "
            "AND period_type = 'month' AND indicator_code = ?",
            [indicator],
        )[0][0]
        assert published == sum(n for (_u, _m, c), n in truth.flows.items() if c == counter)


# --- the merged province ------------------------------------------------------------------------


def test_the_merged_provinces_2024_is_everything_under_both_old_provinces(run, truth):
    # Thành phố Cần Thơ (92) absorbed Tỉnh Sóc Trăng (94) whole on 1 July 2025. For 2024 its
    # territory is 92 itself, 94, and every unit under either then: Quận Bình Thủy (918)
    # and its three wards under 92; the city 941, its nine wards, Huyện Mỹ Xuyên (947) and
    # its two communes under 94. The provinces and districts other than the city deliver
    # nothing, so the sum is that of every old unit that delivers.
    old_units = [u for u in truth.units if u["valid_from"] == OLD.isoformat()]
    assert {u["unit_code"] for u in old_units} >= {"92", "94", "918", "941", "947"}
    for indicator, counter in (("DOSSIER_FINISHED", "finished"), ("DOSSIER_RECEIVED", "received")):
        numerator, basis, predecessors = _rebased(run, "92", OLD, "year", "2024-01-01", indicator)
        expected = sum(truth.flow(u["unit_code"], OLD, "2024", counter) for u in old_units)
        assert expected > 0
        assert numerator == expected
        # the same as the two old provinces' own area rows of 2024 (nothing lost or
        # counted twice)
        assert numerator == sum(
            _value(run, "indicator_values", p, OLD, "area", "year", "2024-01-01", indicator)
            for p in ("92", "94")
        )
        assert basis == "rebased" and "94" in predecessors
