"""Issue 15's standing hostile-delivery suite: the real pipeline (Dagster, dbt, DuckDB,
reports) on a landing folder holding every fault the issue and the contract's "Bad input"
list name (tests/integration/hostile_landing.py, each file's accounting worked out by hand
there), compared with a clean run of the same base.

It holds the pipeline to the contract: every entry under the landing folder is in the
ledger with the outcome worked out by hand; rows_in counts what was delivered; every reason
names its column or its file-level problem and quotes no delivered value; no name, ID
number, phone or address reaches the published file, the build file, a report or anything
else in the warehouse; nothing is written outside the warehouse folder; a FIFO does not
hang the run; and the units that received no fault file publish what a clean run does.
"""

from __future__ import annotations

import faulthandler
import fcntl
import functools
import html
import os
import re
import signal
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from pipelines.lib.landing import name_text
from pipelines.lib.pseudonymise import Pseudonymiser, load_or_create_key
from pipelines.lib.schema import FEEDS, REGISTRY_TABLES
from pipelines.run import run_outcome
from tests.integration.conftest import PipelineRun, run_full_build, settings_for
from tests.integration.hostile_landing import (
    BAD_VALUES,
    CLEAN_UNITS,
    FAULT_UNITS,
    HOSTILE_APPLICANTS,
    SECRET_LINE,
    Expected,
    HostileLanding,
    personal_values,
    write_clean_base,
    write_hostile_landing,
)

# A run that has not ended after this long is taken for a hang (a FIFO opened for reading
# blocks for ever): SIGALRM interrupts it; if even that cannot, faulthandler dumps every
# thread's stack and ends the process a minute later, so the suite never hangs CI.
RUN_TIMEOUT_SECONDS = 900


def _expected_at_collection() -> dict[str, Expected]:
    # Needed to parametrise; writing the folder takes milliseconds. The fixture writes it
    # again and checks it plants the same files.
    with tempfile.TemporaryDirectory() as tmp:
        return write_hostile_landing(Path(tmp)).expected


EXPECTED = _expected_at_collection()


# --- the runs ----------------------------------------------------------------------------------


class RunTimedOut(BaseException):
    """Raised by SIGALRM in the main thread; BaseException so no `except Exception` in the
    pipeline swallows it."""


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def expire(signum, frame):
        raise RunTimedOut(f"the run did not end within {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds + 60, exit=True)
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def _snapshot(root: Path, skip: Path) -> dict[bytes, tuple]:
    """Every entry under root but `skip` (lstat: links and FIFOs are not followed or
    opened): kind, size of a file, modification time."""
    out = {}
    root_b, skip_b = os.fsencode(root), os.fsencode(skip)
    for dirpath, dirnames, filenames in os.walk(root_b):
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) != skip_b]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            kind = stat.S_IFMT(info.st_mode)
            size = info.st_size if stat.S_ISREG(info.st_mode) else None
            out[os.path.relpath(path, root_b)] = (kind, size, info.st_mtime_ns)
    return out


def _escapees(folders: list[Path], skip: Path) -> set[str]:
    """Entries named `x` or `par_*` (what a report path built from the registry code
    '../../x' or a unit code would be called) in the given folders, and anywhere under the
    first (the tmp root) but `skip` (the warehouse)."""
    found = set()
    for folder in folders[1:]:
        found |= {str(p) for p in folder.iterdir() if p.name == "x" or p.name.startswith("par_")}
    for dirpath, dirnames, filenames in os.walk(folders[0]):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in dirnames + filenames:
            if name == "x" or name.startswith("par_"):
                found.add(os.path.join(dirpath, name))
    return found


@dataclass
class HostileRuns:
    hostile: PipelineRun
    clean: PipelineRun
    planted: HostileLanding
    root: Path
    before: dict[bytes, tuple]
    after: dict[bytes, tuple]
    escapees_before: set[str]
    escapees_after: set[str]
    docs_work_folder: dict[str, str]  # the data dictionary's work folder, after the run
    ledger: dict[str, dict]  # the hostile build file's ledger, by source_file
    clean_ledger: dict[str, dict]
    set_aside: dict[str, dict[int | None, str]]  # source_file -> row -> reason (hostile)
    loaded: dict[str, int]  # source_file -> rows in the raw tables (hostile)
    event_log: list[str]  # the hostile run's event log, entry by entry


LEDGER_COLUMNS = ("status", "rows_in", "rows_loaded", "rows_set_aside", "error", "unit_code")


def _ledger(run: PipelineRun) -> dict[str, dict]:
    rows = run.build_query(
        f"SELECT source_file, {', '.join(LEDGER_COLUMNS)} FROM raw.ingest_ledger"
    )
    ledger = {}
    for source_file, *values in rows:
        assert source_file not in ledger, f"two ledger rows for {source_file}"
        ledger[source_file] = dict(zip(LEDGER_COLUMNS, values, strict=True))
    return ledger


@pytest.fixture(scope="module")
def runs(tmp_path_factory, dagster_instance) -> Iterator[HostileRuns]:
    root = tmp_path_factory.mktemp("hostile")
    planted = write_hostile_landing(root)
    assert planted.expected == EXPECTED
    warehouse = root / "warehouse"
    ancestors = [root, root.parent, root.parent.parent]
    before = _snapshot(root, warehouse)
    escapees_before = _escapees(ancestors, warehouse)
    with _deadline(RUN_TIMEOUT_SECONDS):
        result = run_full_build(
            dagster_instance, settings_for(planted.landing, warehouse), raise_on_error=False
        )
    after = _snapshot(root, warehouse)
    escapees_after = _escapees(ancestors, warehouse)
    docs_work_folder = _docs_work_folder_texts()
    hostile = PipelineRun(landing=planted.landing, warehouse=warehouse, result=result)

    clean_root = tmp_path_factory.mktemp("hostile_clean")
    clean_landing = write_clean_base(clean_root / "landing")
    with _deadline(RUN_TIMEOUT_SECONDS):
        clean_result = run_full_build(
            dagster_instance, settings_for(clean_landing, clean_root / "warehouse")
        )
    clean = PipelineRun(
        landing=clean_landing, warehouse=clean_root / "warehouse", result=clean_result
    )

    set_aside: dict[str, dict[int | None, str]] = {}
    for source_file, row, reason in hostile.build_query(
        "SELECT source_file, source_row, reason FROM raw.set_aside"
    ):
        assert row not in set_aside.get(source_file, {}), (source_file, row)
        set_aside.setdefault(source_file, {})[row] = reason
    union = " UNION ALL ".join(
        f"SELECT source_file FROM raw.{table}" for table in (*FEEDS, *REGISTRY_TABLES)
    )
    loaded = dict(hostile.build_query(f"SELECT source_file, count(*) FROM ({union}) GROUP BY 1"))
    event_log = [repr(entry) for entry in dagster_instance.all_logs(result.run_id)]
    yield HostileRuns(
        hostile=hostile,
        clean=clean,
        planted=planted,
        root=root,
        before=before,
        after=after,
        escapees_before=escapees_before,
        escapees_after=escapees_after,
        docs_work_folder=docs_work_folder,
        ledger=_ledger(hostile),
        clean_ledger=_ledger(clean),
        set_aside=set_aside,
        loaded=loaded,
        event_log=event_log,
    )


def _docs_work_folder_texts() -> dict[str, str]:
    """The one folder the run writes outside the warehouse (by design, pipelines/reports/
    dbt_docs.py): the data dictionary's work folder in the user's cache, holding a
    schema-only copy of the build file, dbt's target and log. Read under its lock, as
    another session may be generating its own dictionary there."""
    from pipelines.reports.paths import cache_dir

    work = cache_dir() / "dbt-docs"
    texts = {}
    with open(work / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for path in sorted(work.rglob("*")):
            if not path.is_file() or path.name == ".lock" or path.name.endswith(".wal"):
                continue
            if path.suffix == ".duckdb":
                texts.update(_database_texts(path))
            else:
                texts[str(path)] = _file_text(path)
    return texts


def _check(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    (found,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return found


def _flagged_rows(evaluation: dg.AssetCheckEvaluation, expectation: str) -> set[tuple[str, int]]:
    """(source_file, source_row) listed in a failed expectation's metadata table."""
    entry = evaluation.metadata.get(expectation)
    if entry is None:
        return set()
    table = [line for line in entry.value.splitlines() if line.startswith("|")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    listed = set()
    for line in table[2:]:
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=False))
        listed.add((cells["source_file"], int(cells["source_row"])))
    return listed


# --- the run -----------------------------------------------------------------------------------


def test_the_run_ends_publishes_and_only_warns(runs):
    """The FIFO did not hang the run (the fixture's deadline), nothing failed, the bad input
    was noticed by warning checks only, and the ledger balances."""
    result = runs.hostile.result
    assert result.success
    assert runs.hostile.published.exists()
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert {e.check_name for e in failed} >= {
        "units_rows_fit_the_contract",
        "dossiers_rows_look_right",
    }
    assert [e.check_name for e in failed if e.severity != dg.AssetCheckSeverity.WARN] == []
    assert _check(result, "every_row_accounted_for").passed
    message = run_outcome(result, runs.hostile.settings)
    assert "succeeded" in message and "published a new" in message
    assert "units_rows_fit_the_contract" in message and "dossiers_rows_look_right" in message
    _assert_no_personal_data({"par run's closing message": message})


# --- the ledger --------------------------------------------------------------------------------


def _landing_entries(landing: Path) -> set[str]:
    """Every file-like entry under the landing folder as the ledger names it: regular
    files, symlinks (to files or folders), FIFOs; hidden entries are not deliveries."""
    entries = set()
    landing_b = os.fsencode(landing)
    for dirpath, dirnames, filenames in os.walk(landing_b):
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in filenames + links:
            relpath = os.path.relpath(os.path.join(dirpath, name), landing_b)
            if not any(part.startswith(b".") for part in relpath.split(b"/")):
                entries.add(name_text(os.fsdecode(relpath)))
    return entries


def test_every_entry_under_the_landing_folder_is_in_the_ledger(runs):
    entries = _landing_entries(runs.hostile.landing)
    assert len(entries) > 40
    assert entries - set(runs.ledger) == set()
    # and the ledger has nothing else: the clean base's files, and the fault files (among
    # them the folder inside a feed folder, which is no file-like entry)
    assert set(runs.ledger) == set(runs.clean_ledger) | set(EXPECTED)
    unbalanced = runs.hostile.build_query(
        "SELECT source_file FROM raw.ingest_ledger "
        "WHERE status = 'loaded' AND rows_in <> rows_loaded + rows_set_aside"
    )
    assert unbalanced == []
    for source_file, ledger in runs.ledger.items():
        assert ledger["rows_loaded"] == runs.loaded.get(source_file, 0), source_file
        assert ledger["rows_set_aside"] == len(runs.set_aside.get(source_file, {})), source_file


@pytest.mark.parametrize("source_file", sorted(EXPECTED))
def test_fault_file_is_accounted_as_worked_out_by_hand(runs, source_file):
    expected = EXPECTED[source_file]
    ledger = runs.ledger[source_file]
    assert (
        ledger["status"],
        ledger["rows_in"],
        ledger["rows_loaded"],
        ledger["rows_set_aside"],
    ) == (expected.status, expected.rows_in, expected.rows_loaded, expected.rows_set_aside)
    if expected.error is None:
        assert ledger["error"] is None
    else:
        assert expected.error in ledger["error"]
    aside = runs.set_aside.get(source_file, {})
    assert set(aside) == set(expected.aside)
    for row, reason in expected.aside.items():
        assert reason in aside[row], (row, aside[row])
    if expected.flagged:
        evaluation = _check(runs.hostile.result, "dossiers_rows_look_right")
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
        for row, expectation in expected.flagged.items():
            assert (source_file, row) in _flagged_rows(evaluation, expectation), (row, expectation)


def test_the_clean_base_files_are_accounted_as_in_the_clean_run(runs):
    for source_file, clean in runs.clean_ledger.items():
        if source_file == "units.csv":
            continue  # the hostile registry has three bad rows more (checked above)
        assert runs.ledger[source_file] == clean, source_file


# --- reasons -----------------------------------------------------------------------------------

# What a reason may say: a column and its problem, or a problem of the row or the file.
_COLUMN = r"[^/;:]+ / [a-z_]+: [^;]+"
REASON_FORMS = [
    re.compile(p)
    for p in (
        _COLUMN,  # 'Kênh nộp / channel: unknown value', 'KenhThucHien / channel: ...'
        r"missing required value [a-z_]+",
        r"file has no column '[^']+' \([a-z_]+\)",
        r"row has \d+ fields, header has \d+",
        r"row has a quote that is never closed",
        r"row has a value in column \d+, which has no header",
        r"duplicate of row \d+",
        r"line is not (valid JSON|a JSON object)",
        r"(formula without a value|error value) in column '[^']+' \([a-z_]+\)",
        # files rejected after reading
        r"the header is that of the [a-z]+ feed, not [a-z]+",
        r"the header names no column of the [a-z]+ feed.*",
        r"file is UTF-16 text.*",
        r"file contains NUL bytes.*",
        r"not valid text in utf-8 or cp1258.*",
        r"cannot read XLSX: .*",
        # entries rejected without being opened
        r"(symbolic link|FIFO), not a regular file: not opened",
        r"file name is not valid UTF-8",
        r"file name is not <YYYY-MM-DD>\[_<suffix>\].*",
        r"bad date in file name: .*",
        r"unknown extension .*",
        r"unknown feed folder .*",
        r"not in a <unit_code>/<feed>/ folder",
        r"unexpected folder inside a feed folder",
        r"inside an unexpected folder .*",
        r"unit \d+ is not in units\.csv on \d{4}-\d{2}-\d{2}",
        # registry rows: the column, then the problem
        r"(unit_code|unit_name|unit_level|parent_code|csv_encoding|valid_from|valid_to) .*",
        r"validity .* of unit_code .* overlaps row .*",
    )
]


def _named(reason: str) -> bool:
    """The reason is one of REASON_FORMS, or several joined by '; '."""

    def one(text: str) -> bool:
        return any(form.fullmatch(text) for form in REASON_FORMS)

    return one(reason) or all(one(part) for part in reason.split("; "))


def test_every_reason_names_its_column_or_problem_and_quotes_no_value(runs):
    published = runs.hostile.query("SELECT source_file, source_row, reason FROM set_aside")
    built = [
        (f, r, why) for f, rows in runs.set_aside.items() for r, why in rows.items()
    ]  # fmt: skip
    assert sorted(published, key=str) == sorted(built, key=str)  # published as built
    assert len(built) > 30
    for source_file, row, reason in built:
        assert _named(reason), (source_file, row, reason)
        if source_file != "units.csv":
            # Registry rows hold no personal data and their reasons quote the code or
            # level at fault (`unit_code '../../x' is not a code`); feed reasons never
            # quote a delivered value.
            quoted = [v for v in BAD_VALUES if v in reason]
            assert quoted == [], (source_file, row, reason)
    _assert_no_personal_data({f"reason {f}:{r}": why for f, r, why in built})
    ledger_errors = {f: e["error"] for f, e in runs.ledger.items() if e["error"]}
    _assert_no_personal_data({f"ledger error {f}": e for f, e in ledger_errors.items()})
    for source_file, error in ledger_errors.items():
        assert not [v for v in BAD_VALUES if v in error], (source_file, error)


# --- personal data -----------------------------------------------------------------------------

PERSONAL = sorted(set(personal_values()), key=len, reverse=True)


def _leaks(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).casefold()
    return [v for v in PERSONAL if unicodedata.normalize("NFC", v).casefold() in text]


def _assert_no_personal_data(texts: dict[str, str]) -> None:
    found = {where: leaks for where, text in texts.items() if (leaks := _leaks(text))}
    assert found == {}


@functools.cache
def _database_texts(path: Path) -> dict[str, str]:
    """Every table and view of a DuckDB file, all columns, as text (read once: the files
    do not change once the fixture's runs are over)."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        relations = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() ORDER BY 1, 2"
        ).fetchall()
        texts = {}
        for schema, table in relations:
            rows = conn.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            texts[f"{path.name} {schema}.{table}"] = "\n".join(
                "\x1f".join("" if v is None else str(v) for v in row) for row in rows
            )
        return texts
    finally:
        conn.close()


def test_no_personal_data_in_the_published_or_the_build_file(runs):
    published = _database_texts(runs.hostile.published)
    built = _database_texts(runs.hostile.warehouse / "build.duckdb")
    assert "par.duckdb main.set_aside" in published
    assert "build.duckdb raw.set_aside" in built
    # the scan finds what it looks for where it was delivered
    assert len(_leaks(_file_text(runs.hostile.landing / "90101/dossiers/2022-02-12.csv"))) > 40
    _assert_no_personal_data({**published, **built})


def test_id_numbers_reach_the_build_file_only_as_their_hash(runs):
    key = load_or_create_key(runs.hostile.warehouse / "secrets" / "pseudonym.key")
    hashes = {
        h
        for (h,) in runs.hostile.build_query(
            "SELECT applicant_id_hash FROM raw.dossiers WHERE unit_code = '90101'"
        )
    }
    pseudonymiser = Pseudonymiser(key)
    # H14 (row 2 of 2022-02-12.csv) and H41 (line 1 of the JSONL file) loaded
    for code in ("H14", "H41"):
        assert pseudonymiser.hash_id(HOSTILE_APPLICANTS[code][1]) in hashes, code


def _file_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith((".xml", ".rels"))
            )
    text = path.read_bytes().decode("utf-8", "replace")
    return html.unescape(text) if path.suffix == ".html" else text


def test_no_personal_data_in_reports_docs_or_any_file_of_the_warehouse(runs):
    warehouse = runs.hostile.warehouse
    reports = sorted(p.relative_to(warehouse).as_posix() for p in warehouse.rglob("par_*"))
    for unit in ("900", "901"):  # the top-level units, one workbook and page each
        assert f"reports/{unit}/2022/par_{unit}_2022.xlsx" in reports
        assert f"reports/{unit}/2022/par_{unit}_2022.html" in reports
    assert (warehouse / "docs" / "index.html").exists()
    files = [
        p
        for p in warehouse.rglob("*")
        if p.is_file() and not p.name.endswith((".duckdb", ".duckdb.wal", ".key"))
    ]
    texts = {p.relative_to(warehouse).as_posix(): _file_text(p) for p in files}
    # the scan reads inside a workbook: the delivered XLSX shows its applicants
    assert _leaks(_file_text(runs.hostile.landing / "90101/dossiers/2022-02-15.xlsx"))
    assert any(name.startswith("reports/") for name in texts)
    _assert_no_personal_data(texts)


def test_no_personal_data_in_the_runs_event_log(runs):
    """What the Dagster UI shows of the run: every entry of its event log (the assets' and
    checks' events with their metadata, and every message the steps logged)."""
    assert len(runs.event_log) > 100
    assert any("rejected landing entry" in entry for entry in runs.event_log)
    _assert_no_personal_data({f"event {i}": e for i, e in enumerate(runs.event_log)})


def test_the_secret_behind_the_symlinks_was_never_read(runs):
    published = _database_texts(runs.hostile.published)
    built = _database_texts(runs.hostile.warehouse / "build.duckdb")
    assert not [k for k, text in {**published, **built}.items() if "SECRET-LINE" in text]
    assert SECRET_LINE in (runs.planted.outside / "secret.csv").read_text(encoding="utf-8")


# --- nothing outside the warehouse ---------------------------------------------------------


def test_nothing_is_written_outside_the_warehouse(runs):
    """The tmp root holds the landing folder, the files the symlinks point to and the
    warehouse: everything but the warehouse is as it was, entry by entry (delivered files
    are never edited, moved or added to), and no `x` or `par_*` appeared above it."""
    assert runs.after == runs.before
    assert runs.escapees_after == runs.escapees_before
    assert runs.hostile.warehouse.is_dir()


def test_the_data_dictionary_work_folder_holds_no_personal_data(runs):
    """Outside the warehouse the run writes only the data dictionary's work folder (a
    schema-only copy of the build file, dbt's target and log, in the user's cache)."""
    assert any(name.startswith("build.duckdb") for name in runs.docs_work_folder)
    _assert_no_personal_data(runs.docs_work_folder)


# --- the other units ---------------------------------------------------------------------------

_INDICATOR_SQL = (
    "SELECT * FROM indicator_values WHERE unit_code IN ({units}) "
    "ORDER BY unit_code, scope, period_type, period_start, indicator_code"
)


def _indicator_rows(run: PipelineRun) -> list[tuple]:
    units = ", ".join(f"'{u}'" for u in CLEAN_UNITS)
    return run.query(_INDICATOR_SQL.format(units=units))


def _periods(rows: list[tuple]) -> set[tuple]:
    return {(row[3], row[4]) for row in rows}  # period_type, period_start


def test_units_without_a_fault_file_publish_what_a_clean_run_does(runs):
    """Row for row, in every period of the clean run: the faults of 901/90101 cost the
    other units nothing."""
    clean = _indicator_rows(runs.clean)
    hostile = _indicator_rows(runs.hostile)
    assert len(clean) > 100
    periods = _periods(clean)
    assert [row for row in hostile if (row[3], row[4]) in periods] == clean
    units = ", ".join(f"'{u}'" for u in CLEAN_UNITS)
    reconciliation = f"SELECT * FROM reconciliation WHERE unit_code IN ({units}) ORDER BY ALL"
    assert runs.hostile.query(reconciliation) == runs.clean.query(reconciliation)


def test_a_date_typed_a_year_ahead_adds_no_period_to_other_units(runs):
    """Row 14 of 90101/dossiers/2022-02-12.csv was received on 08/02/2023 (2023 typed for
    2022): it loads, flagged. The other units' published periods stay the clean run's (an
    event after its export day makes no data year: int_calendar_days)."""
    assert _periods(_indicator_rows(runs.hostile)) == _periods(_indicator_rows(runs.clean))


# --- where an operator sees it -----------------------------------------------------------------


def test_ingest_summary_publishes_the_ledger_per_unit_and_feed(runs):
    """`ingest_summary` in par.duckdb: files, rejected files and rows of every unit and
    feed, the entries with no unit or feed (misplaced, the registry) included."""
    ledger = runs.hostile.build_query(
        "SELECT unit_code, feed, count(*), count(*) FILTER (WHERE status = 'rejected'), "
        "coalesce(sum(rows_in), 0), sum(rows_loaded), sum(rows_set_aside) "
        "FROM raw.ingest_ledger GROUP BY ALL ORDER BY ALL"
    )
    published = runs.hostile.query(
        "SELECT unit_code, feed, files, rejected_files, rows_in, rows_loaded, rows_set_aside "
        "FROM ingest_summary ORDER BY ALL"
    )
    assert published == ledger
    by_key = {(unit, feed): rest for unit, feed, *rest in published}
    # 90101's dossiers: 2022-02-10 .. 2022-02-22 and the misplaced names in its folder
    dossiers = [e for f, e in EXPECTED.items() if f.startswith("90101/dossiers/")]
    assert by_key[("90101", "dossiers")] == [
        len(dossiers),
        sum(e.status == "rejected" for e in dossiers),
        sum(e.rows_in or 0 for e in dossiers),
        sum(e.rows_loaded for e in dossiers),
        sum(e.rows_set_aside for e in dossiers),
    ]
    assert by_key[(None, "units")] == [1, 0, 8, 5, 3]
    assert by_key[("99999", "dossiers")] == [1, 1, 0, 0, 1]


def test_the_units_asset_metadata_lists_the_rejected_entries(runs):
    metadata = runs.hostile.result.asset_materializations_for_node("raw__units")[0].metadata
    unopened = {
        f
        for f, e in EXPECTED.items()
        if e.status == "rejected" and e.rows_in is None and "units.csv on" not in (e.error or "")
        and not f.endswith(".xlsx")
    }  # fmt: skip
    assert metadata["rejected_entries"].value == len(unopened)
    assert metadata["rows_set_aside"].value == 3  # units.csv rows 7-9
    listed = metadata["rejected"].value
    assert all(f.replace("|", "\\|") in listed for f in unopened), listed
    _assert_no_personal_data({"raw/units metadata": repr(metadata)})


def test_the_workbook_warnings_list_the_set_aside_rows_of_its_units(runs):
    """The fault city's workbook lists, as warnings, every set-aside row and rejected file
    of its units dated in its year; entries with no unit or no date (registry rows,
    misplaced names, symlinks, the FIFO) are in the ledger and `set_aside` only."""
    from pipelines.reports.excel import FIRST_DATA_ROW, WARNING_COLUMNS, WARNINGS_SHEET

    path = runs.hostile.warehouse / "reports/901/2022/par_901_2022.xlsx"
    sheet = openpyxl.load_workbook(path, read_only=True)[WARNINGS_SHEET]
    columns = [key for key, _ in WARNING_COLUMNS]
    listed = set()
    for values in sheet.iter_rows(min_row=FIRST_DATA_ROW + 1, values_only=True):
        row = dict(zip(columns, values, strict=False))
        if row["kind"] in ("Dòng dữ liệu bị để riêng", "Tệp không đọc được"):
            listed.add((row["source_file"], row["source_row"]))
    expected = set(
        runs.hostile.query(
            "SELECT source_file, source_row FROM set_aside "
            "WHERE unit_code IN ({}) AND year(export_date) = 2022".format(
                ", ".join(f"'{u}'" for u in FAULT_UNITS)
            )
        )
    )
    assert len(expected) > 15 and listed == expected
    assert not [f for f, _ in listed if f.startswith(("units.csv", "99999/", "901/dossiers"))]
