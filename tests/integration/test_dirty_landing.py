"""The real pipeline on a dirty landing folder: `mini-2021` written with `dirty=True`, so
every kind of bad input the contract warns about (and a few more) sits at a known file
and row. Fault by fault, the manifest says what the ingest must make of it; these tests
hold the pipeline to it, and check that the bad rows cost nothing but themselves: the
ledger balances, the good rows of the same files and every row of the clean unit load,
the run publishes, and the indicators are the clean truth less what was set aside.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest

from pipelines.lib.expectations import SUITES
from pipelines.simulator import write_scenario
from tests.integration.conftest import PipelineRun, run_full_build, settings_for
from tests.unit.simulator_truth import (
    delivered_files,
    numbered_records,
    read_landing,
    read_units,
    unit_figures,
)

SCENARIO = "mini-2021"
SEED = 2021
MONTHS = {"2021-01": "2021-01-01", "2021-02": "2021-02-01"}


def _manifest() -> list[dict]:
    # The manifest is needed to parametrise at collection time; writing the scenario takes
    # about a second. The fixture writes it again and checks it plants the same faults.
    with tempfile.TemporaryDirectory() as tmp:
        return write_scenario(SCENARIO, Path(tmp) / "landing", SEED, workers=1, dirty=True)[
            "faults"
        ]


FAULTS = _manifest()


def _fault_id(fault: dict) -> str:
    return f"{fault['kind']}:{fault['source_file']}:{fault['source_row'] or 'file'}"


LEDGER_COLUMNS = ("status", "rows_in", "rows_loaded", "rows_set_aside", "error", "encoding")


@dataclass
class DirtyRun(PipelineRun):
    faults: list[dict]
    truth: dict
    clean_landing: Path  # the same scenario and seed written clean
    # read once from the build file (small data; one connection instead of hundreds)
    ledger: dict[str, dict] = field(default_factory=dict)
    set_aside: dict[str, list[tuple[int | None, str]]] = field(default_factory=dict)
    loaded: dict[str, list[int]] = field(default_factory=dict)  # source_file -> rows

    def read_build_file(self) -> None:
        for source_file, *values in self.build_query(
            f"SELECT source_file, {', '.join(LEDGER_COLUMNS)} FROM raw.ingest_ledger"
        ):
            assert source_file not in self.ledger, source_file
            self.ledger[source_file] = dict(zip(LEDGER_COLUMNS, values, strict=True))
        for source_file, row, reason in self.build_query(
            "SELECT source_file, source_row, reason FROM raw.set_aside "
            "ORDER BY source_file, source_row"
        ):
            self.set_aside.setdefault(source_file, []).append((row, reason))
        loaded = " UNION ALL ".join(
            f"SELECT source_file, source_row FROM raw.{table}"
            for table in (*SUITES, "units", "unit_successions")
        )
        for source_file, row in self.build_query(loaded + " ORDER BY source_file, source_row"):
            self.loaded.setdefault(source_file, []).append(row)

    @property
    def checks(self) -> list[dg.AssetCheckEvaluation]:
        return self.result.get_asset_check_evaluations()

    def check(self, name: str) -> dg.AssetCheckEvaluation:
        (found,) = [e for e in self.checks if e.check_name == name]
        return found


@pytest.fixture(scope="module")
def dirty_run(tmp_path_factory, dagster_instance):
    root = tmp_path_factory.mktemp("dirty")
    landing, warehouse = root / "landing", root / "warehouse"
    summary = write_scenario(SCENARIO, landing, SEED, workers=1, dirty=True)
    assert summary["faults"] == FAULTS  # same seed, same faults, same places
    write_scenario(SCENARIO, root / "clean", SEED, workers=1)
    result = run_full_build(
        dagster_instance, settings_for(landing, warehouse), raise_on_error=False
    )
    run = DirtyRun(
        landing=landing,
        warehouse=warehouse,
        result=result,
        faults=summary["faults"],
        truth=summary["truth"],
        clean_landing=root / "clean",
    )
    run.read_build_file()
    yield run


def _feed(fault: dict) -> str:
    return fault["source_file"].split("/")[1]


def _unit(fault: dict) -> str:
    return fault["source_file"].split("/")[0]


def _ledger(run: DirtyRun, source_file: str) -> dict:
    return run.ledger[source_file]


def _set_aside(run: DirtyRun, source_file: str) -> list[tuple[int | None, str]]:
    return run.set_aside.get(source_file, [])


def _loaded_rows(run: DirtyRun, source_file: str) -> list[int]:
    return run.loaded.get(source_file, [])


def _flagged(evaluation: dg.AssetCheckEvaluation, expectation: str) -> tuple[int, set]:
    """(unexpected rows, {(source_file, source_row)} listed) of one failed expectation."""
    entry = evaluation.metadata.get(expectation)
    if entry is None:
        return 0, set()
    text = entry.value
    count = int(re.search(r"\*\*(\d+) rows\*\*", text).group(1))
    table = [line for line in text.splitlines() if line.startswith("|")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    listed = set()
    for line in table[2:]:
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True))
        listed.add((cells["source_file"], int(cells["source_row"])))
    return count, listed


# --- the run ---------------------------------------------------------------------------------


def test_manifest_covers_the_contracts_bad_input():
    kinds = {f["kind"] for f in FAULTS}
    assert {
        "wrong_encoding",
        "header_renamed",
        "required_column_missing",
        "too_few_fields",
        "date_not_parsed",
        "updated_in_future",
        "received_in_future",
        "finished_before_received",
        "unknown_status",
        "unknown_channel",
        "procedure_not_in_catalogue",
        "duplicate_row",
        "empty_file",
        "header_only_file",
        "truncated_xlsx",
        "invalid_json_line",
        "id_number_malformed",
        "required_value_blank",
    } <= kinds
    for fault in FAULTS:
        if fault["expected"] == "loaded_flagged":
            assert fault["check"] in {name for name, *_ in SUITES[_feed(fault)]}, fault


def test_run_succeeds_and_publishes_with_warnings_only(dirty_run):
    assert dirty_run.result.success
    assert dirty_run.published.exists()
    assert dirty_run.query("SELECT count(*) FROM indicator_values")[0][0] > 0
    failed = [e for e in dirty_run.checks if not e.passed]
    assert failed  # the dirty rows were noticed ...
    errors = [
        (e.asset_key.to_user_string(), e.check_name)
        for e in failed
        if e.severity != dg.AssetCheckSeverity.WARN
    ]
    assert errors == []  # ... and only warned about
    assert dirty_run.check("every_row_accounted_for").passed


# --- fault by fault --------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=_fault_id)
def test_fault_is_handled_as_the_manifest_says(dirty_run, fault):
    source_file, row, expected = fault["source_file"], fault["source_row"], fault["expected"]
    reason = fault["reason_contains"]
    ledger = _ledger(dirty_run, source_file)
    set_aside = _set_aside(dirty_run, source_file)
    feed = _feed(fault)

    if expected == "set_aside" and row is not None:
        matches = [why for r, why in set_aside if r == row]
        assert len(matches) == 1, set_aside
        assert reason in matches[0]
        assert row not in _loaded_rows(dirty_run, source_file)
        assert ledger["status"] == "loaded"
    elif expected == "set_aside":  # the whole file
        assert len(set_aside) == fault["rows"] > 0
        assert all(reason in why for _, why in set_aside), set_aside
        assert ledger["status"] == "loaded"
        assert (ledger["rows_in"], ledger["rows_loaded"]) == (fault["rows"], 0)
    elif expected == "rejected":
        assert ledger["status"] == "rejected"
        assert reason in ledger["error"]
        assert len(set_aside) == 1
        assert set_aside[0][0] is None and reason in set_aside[0][1]
    elif expected == "loaded_note":
        assert ledger["status"] == "loaded"
        assert reason in ledger["error"]
        assert ledger["rows_set_aside"] == 0 and set_aside == []
        assert ledger["rows_loaded"] == ledger["rows_in"] > 0
    elif expected == "loaded_empty":
        assert ledger["status"] == "loaded"
        assert (ledger["rows_in"], ledger["rows_loaded"], ledger["rows_set_aside"]) == (0, 0, 0)
        if reason:
            assert reason in ledger["error"]
    elif expected == "loaded_flagged":
        assert row in _loaded_rows(dirty_run, source_file)  # loaded, not dropped
        assert (row, reason) not in set_aside
        evaluation = dirty_run.check(f"{feed}_rows_look_right")
        assert not evaluation.passed
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
        _, listed = _flagged(evaluation, fault["check"])
        assert (source_file, row) in listed
    else:
        pytest.fail(f"unknown expectation {expected!r}")


def test_each_expectation_flags_exactly_the_planted_rows(dirty_run):
    planted: dict[tuple[str, str], set] = {}
    for fault in FAULTS:
        if fault["expected"] == "loaded_flagged":
            key = (_feed(fault), fault["check"])
            planted.setdefault(key, set()).add((fault["source_file"], fault["source_row"]))
    assert all(len(rows) <= 5 for rows in planted.values())  # all listed as examples
    for feed, suite in SUITES.items():
        evaluation = dirty_run.check(f"{feed}_rows_look_right")
        for name, *_ in suite:
            count, listed = _flagged(evaluation, name)
            assert (count, listed) == (
                len(planted.get((feed, name), ())),
                planted.get((feed, name), set()),
            ), (feed, name)


# --- nothing else lost -----------------------------------------------------------------------


def test_ledger_balances_for_every_file(dirty_run):
    unbalanced = dirty_run.build_query(
        "SELECT source_file, rows_in, rows_loaded, rows_set_aside FROM raw.ingest_ledger "
        "WHERE status = 'loaded' AND rows_in <> rows_loaded + rows_set_aside"
    )
    assert unbalanced == []
    files = [p for p in dirty_run.landing.rglob("*") if p.is_file()]
    assert len(dirty_run.ledger) == len(files)
    for source_file, ledger in dirty_run.ledger.items():
        assert ledger["rows_loaded"] == len(_loaded_rows(dirty_run, source_file)), source_file
        assert ledger["rows_set_aside"] == len(_set_aside(dirty_run, source_file)), source_file


def test_only_the_planted_rows_are_set_aside(dirty_run):
    expected: Counter[str] = Counter()
    for fault in FAULTS:
        if fault["expected"] == "set_aside":
            expected[fault["source_file"]] += fault["rows"] if fault["source_row"] is None else 1
        elif fault["expected"] == "rejected":
            expected[fault["source_file"]] += 1
    actual = {f: len(rows) for f, rows in dirty_run.set_aside.items()}
    assert actual == dict(expected)


def test_good_rows_of_dirty_files_load(dirty_run):
    """Every row of a dirty file that the manifest does not set aside is in the raw table."""
    by_file: dict[str, list[dict]] = {}
    for fault in FAULTS:
        by_file.setdefault(fault["source_file"], []).append(fault)
    for source_file, faults in by_file.items():
        ledger = _ledger(dirty_run, source_file)
        if ledger["status"] == "rejected":
            continue
        aside = {f["source_row"] for f in faults if f["expected"] == "set_aside"}
        if None in aside:
            assert _loaded_rows(dirty_run, source_file) == []
            continue
        loaded = _loaded_rows(dirty_run, source_file)
        assert len(loaded) == ledger["rows_in"] - len(aside) == ledger["rows_loaded"]
        assert not set(loaded) & aside


def _dirty_units() -> set[str]:
    return {_unit(f) for f in FAULTS}


def test_the_clean_unit_loads_whole(dirty_run):
    units = {u["unit_code"]: u for u in read_units(dirty_run.landing)}
    clean_units = set(units) - _dirty_units()
    assert clean_units  # the planter leaves a unit alone
    for f in delivered_files(dirty_run.landing):
        if f.unit not in clean_units:
            continue
        relpath = f.path.relative_to(dirty_run.landing).as_posix()
        _, records = numbered_records(f, units[f.unit]["csv_encoding"])
        assert _loaded_rows(dirty_run, relpath) == [n for n, _ in records], relpath


# --- the indicators count good rows only -----------------------------------------------------


def _indicators(run: DirtyRun, unit: str, scope: str, period_start: str) -> dict:
    rows = run.query(
        "SELECT indicator_code, numerator, denominator FROM indicator_values "
        "WHERE unit_code = ? AND scope = ? AND period_type = 'month' "
        "AND period_start = ?::DATE",
        [unit, scope, period_start],
    )
    return {code: (n, d) for code, n, d in rows}


def _as_ints(pair):
    n, d = pair
    return (None if n is None else int(n), None if d is None else int(d))


def _lost(faults: list[dict]) -> tuple[set[str], set[tuple[str, int]]]:
    """Clean files and rows a fault displaced and the ingest could not load."""
    files, rows = set(), set()
    for fault in faults:
        if fault["expected"] not in ("set_aside", "rejected"):
            continue
        if fault["clean_source"] == "file":
            files.add(fault["source_file"])
        elif fault["clean_source"] == "row":
            rows.add((fault["source_file"], fault["source_row"]))
    return files, rows


def _values_altered(unit: str) -> bool:
    """Whether a fault in the unit's dossiers or documents loaded with altered values."""
    return any(
        f["expected"] == "loaded_flagged" and _feed(f) in ("dossiers", "documents")
        for f in FAULTS
        if _unit(f) == unit
    )


def test_dirty_ward_figures_are_the_clean_truth_less_what_was_set_aside(dirty_run):
    """For a unit whose faults only lose rows (none loads with altered values), every
    monthly figure is what the clean files give without the rows the manifest sets aside."""
    skip_files, skip_rows = _lost(FAULTS)
    clean = read_landing(dirty_run.clean_landing)
    less = read_landing(dirty_run.clean_landing, skip_files, skip_rows)
    units = sorted(u for u in _dirty_units() if not _values_altered(u))
    assert units
    moved = 0
    for unit in units:
        for period, start in MONTHS.items():
            warehouse = _indicators(dirty_run, unit, "self", start)
            expected = unit_figures(less[unit], period)
            for code, pair in expected.items():
                assert _as_ints(warehouse[code]) == pair, (unit, period, code)
            before = unit_figures(clean[unit], period)
            moved += sum(expected[c] != before[c] for c in expected)
    assert moved  # the set-aside rows did change some figure


def test_untouched_figures_equal_the_clean_truth(dirty_run):
    """The clean unit's figures, and the dirty units' figures no fault can reach (the
    register delivered in the wrong encoding, the document dated later in its month)."""
    truth = dirty_run.truth["figures"]
    skip_files, skip_rows = _lost(FAULTS)
    less = read_landing(dirty_run.clean_landing, skip_files, skip_rows)
    for unit in sorted(set(truth) - _dirty_units()):
        for period, start in MONTHS.items():
            warehouse = _indicators(dirty_run, unit, "self", start)
            for code, figure in truth[unit]["self"][period].items():
                if code in warehouse:
                    assert _as_ints(warehouse[code]) == (
                        figure["numerator"],
                        figure["denominator"],
                    ), (unit, period, code)
    register = {_unit(f) for f in FAULTS if f["kind"] == "wrong_encoding"}
    for unit in register:
        for period, start in MONTHS.items():
            warehouse = _indicators(dirty_run, unit, "self", start)
            expected = unit_figures(less[unit], period)
            for code in ("DOC_SENT", "DOC_ELECTRONIC", "DOC_ELECTRONIC_RATE", "DOC_SIGNED_RATE"):
                figure = truth[unit]["self"][period][code]
                assert _as_ints(warehouse[code]) == (figure["numerator"], figure["denominator"])
                assert expected[code] == (figure["numerator"], figure["denominator"])


def test_manifest_round_trips_as_json():
    assert json.loads(json.dumps(FAULTS, ensure_ascii=False)) == FAULTS


def test_set_aside_rows_keep_no_personal_data(dirty_run):
    """Quarantine is masked like raw: no applicant's name, phone, address or ID number."""
    logs = read_landing(dirty_run.clean_landing)
    personal = set()
    for unit in logs.values():
        for _, row in unit.dossier_rows:
            personal |= {row["applicant_name"], row["applicant_phone"], row["applicant_address"]}
            personal.add(row["applicant_id_number"])
    kept = dirty_run.build_query(
        "SELECT coalesce(record, '') || ' ' || reason FROM raw.set_aside WHERE feed = 'dossiers'"
    )
    assert len(kept) > 10
    for (text,) in kept:
        leaked = [p for p in personal if p and p in text]
        assert leaked == [], text


def test_hidden_late_dossier_is_caught_among_dirty_rows(dirty_run):
    """mini-2021 also plants a dossier on time by the log but late by the procedure's
    processing days; the due-date integrity mart lists it, and nothing the faults did."""
    planted = {(h["unit_code"], h["dossier_code"]) for h in dirty_run.truth["hidden_late_dossiers"]}
    assert planted
    flagged = dirty_run.build_query(
        "SELECT unit_code, dossier_code, expected_due_date::VARCHAR FROM marts.due_date_flags"
    )
    assert {(u, d) for u, d, _ in flagged} == planted
    rule = {
        (h["unit_code"], h["dossier_code"]): h["rule_due_date"]
        for h in dirty_run.truth["hidden_late_dossiers"]
    }
    assert {(u, d): due for u, d, due in flagged} == rule
