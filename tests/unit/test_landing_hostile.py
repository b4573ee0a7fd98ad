"""Trust under hostile delivery (issue 15, and the registry of issue 17): what a unit or a
province can put under the landing folder must never write outside the warehouse, be
followed out of the landing folder, take other files down, or vanish without a ledger row."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.lib import loader
from pipelines.lib.landing import (
    LandingFile,
    UnitRegistry,
    UnitsRegistryError,
    _name_problem,
    name_text,
    read_registry,
    read_successions,
    read_units,
    scan,
)
from pipelines.lib.loader import (
    connect_build,
    encoding_batches,
    ingest_feed,
    load_registry,
    load_successions,
    record_rejected,
)
from pipelines.lib.parsing import FileOutcome
from pipelines.lib.pseudonymise import Pseudonymiser
from pipelines.lib.safe_paths import path_under
from pipelines.reports.paths import report_files
from pipelines.reports.periods import Period
from pipelines.simulator.dialects import windows_1258_form
from tests.unit.test_parsing import DOSSIER_HEADER, GOOD_DOSSIER

UNITS_HEADER = "unit_code,unit_name,unit_level,parent_code,valid_from,valid_to,csv_encoding\n"
REGISTRY = UNITS_HEADER + (
    "930,Thành phố Vị Thanh,city,,2010-01-01,,utf-8\n31321,Phường I,ward,930,2010-01-01,,utf-8\n"
)
PSEUDONYMISER = Pseudonymiser(b"k" * 32)


def _dossiers(*codes: str, encoding: str = "utf-8") -> bytes:
    rows = [GOOD_DOSSIER.replace("P1-001", code) for code in codes]
    text = "\n".join([DOSSIER_HEADER, *rows]) + "\n"
    return (windows_1258_form(text) if encoding == "cp1258" else text).encode(encoding)


def _put(root: Path, relpath: str | bytes, data: bytes = b"") -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(root), os.fsencode(relpath))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _query(database: Path, sql: str, params=None) -> list[tuple]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def _ingest_all(landing: Path, database: Path, run_id: str = "run-1", feeds=("dossiers",)):
    """What one run does: raw/units (registry + rejected entries), the successions, then
    the feeds; returns the summaries."""
    conn = connect_build(database)
    try:
        registry = load_registry(conn, landing, run_id)
        load_successions(conn, landing, run_id)
        record_rejected(conn, scan(landing).rejected, run_id)
        units = UnitRegistry.from_frame(registry.rows)
        return [
            ingest_feed(conn, landing, feed, PSEUDONYMISER, units, run_id=run_id, workers=1)
            for feed in feeds
        ]
    finally:
        conn.close()


@pytest.fixture
def landing(tmp_path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "units.csv").write_text(REGISTRY, encoding="utf-8")
    return folder


@pytest.fixture
def database(tmp_path) -> Path:
    return tmp_path / "build.duckdb"


# --- 3. a registry row cannot write outside the warehouse --------------------------------


@pytest.mark.parametrize(
    "code",
    ["../../x", "..", "/etc/x", "a/b", "x\x00y", "", ".", "..\\..\\x", "31321\n", "C:x"],
)
def test_path_under_refuses_hostile_parts(tmp_path, code):
    with pytest.raises(ValueError):
        path_under(tmp_path / "reports", code, "2021", "par.xlsx")


def test_path_under_keeps_good_paths_and_refuses_links_out(tmp_path):
    root = tmp_path / "reports"
    assert path_under(root, "31321", "2021", "par_31321_2021.xlsx") == (
        root / "31321" / "2021" / "par_31321_2021.xlsx"
    )
    root.mkdir()
    (root / "31321").symlink_to(tmp_path)  # a link planted inside the root
    with pytest.raises(ValueError, match="symbolic link"):
        path_under(root, "31321", "2021", "x.html")


@pytest.mark.parametrize("code", ["../../x", "../outside", "/tmp/x", "a/../../b"])
def test_report_files_of_a_hostile_unit_code_raise(tmp_path, code):
    # Before: out_dir / code / year put `../../x` two folders above the reports folder.
    with pytest.raises(ValueError):
        report_files(tmp_path / "reports", code, Period(date(2021, 1, 1), "year"))


def test_report_files_of_a_code_are_unchanged(tmp_path):
    workbook, page = report_files(tmp_path, "31321", Period(date(2021, 1, 1), "year"))
    assert workbook == tmp_path / "31321" / "2021" / "par_31321_2021.xlsx"
    assert page == tmp_path / "31321" / "2021" / "par_31321_2021.html"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("../../x,X,ward,930,2010-01-01,,utf-8", "unit_code '../../x' is not a code"),
        ("３１３２２,X,ward,930,2010-01-01,,utf-8", "is not a code (ASCII digits only)"),
        ("3132,X,ward,930,2010-01-01,,utf-8", "unit_code '3132' has 4 digits; a ward code has 5"),
        ("31322,X,district,930,2010-01-01,,utf-8", "unit_level 'district' is not one of"),
        ("31322,X,ward,930,01/01/2010,,utf-8", "valid_from '01/01/2010' is not an ISO date"),
        ("31322,X,ward,930,2010-01-01,2009-12-31,utf-8", "valid_to 2009-12-31 is before"),
        ("31322,X,ward,930,2010-01-01,,latin1", "csv_encoding 'latin1' is not one of"),
        ("31322,,ward,930,2010-01-01,,utf-8", "unit_name is empty"),
        ("31322,X,ward,31321,2010-01-01,,utf-8", "parent_code '31321' is not a province or city"),
        ("31322,X,ward,999,2010-01-01,,utf-8", "parent_code '999' has no row in units.csv"),
        ("93,X,province,92,2010-01-01,,utf-8", "a province has no parent"),
        ("31322,X,ward,930", "4 fields, header has 7"),
        ('31322,"X,ward,930,2010-01-01,,utf-8', "not CSV"),  # an unclosed quote
    ],
)
def test_bad_registry_rows_are_set_aside_and_the_others_load(landing, row, reason):
    (landing / "units.csv").write_text(
        REGISTRY + row + "\n" + "31324,Phường IV,ward,930,2010-01-01,,utf-8\n", encoding="utf-8"
    )
    read = read_registry(landing)
    assert read.status == "loaded" and read.rows_in == 4
    [aside] = read.set_aside
    assert aside.source_row == 4 and reason in aside.reason, aside
    # The rows before and after it load (an unclosed quote does not swallow the next line).
    assert read_units(landing)["unit_code"].to_list() == ["930", "31321", "31324"]


def test_overlapping_validity_sets_the_later_row_aside(landing):
    (landing / "units.csv").write_text(
        UNITS_HEADER + "930,B,city,,2020-01-01,,utf-8\n"  # starts later: set aside
        "930,A,city,,2010-01-01,2025-06-30,utf-8\n"
        "930,A2,city,,2010-01-01,2012-12-31,utf-8\n"  # same start, later in the file
        "31321,Phường I,ward,930,2010-01-01,2015-12-31,utf-8\n",
        encoding="utf-8",
    )
    read = read_registry(landing)
    assert {row.source_row: row.reason for row in read.set_aside} == {
        2: "validity 2020-01-01 to open of unit_code '930' overlaps row 3",
        4: "validity 2010-01-01 to 2012-12-31 of unit_code '930' overlaps row 3",
    }
    assert read.rows.select("unit_name", "source_row").rows() == [("A", 3), ("Phường I", 5)]


def test_a_parent_set_aside_takes_its_children_with_it(landing):
    (landing / "units.csv").write_text(
        UNITS_HEADER + "930,A,city,,2010-01-01,,latin1\n"
        "31321,Phường I,ward,930,2010-01-01,,utf-8\n"
        "31324,Phường IV,ward,,2010-01-01,,utf-8\n",
        encoding="utf-8",
    )
    read = read_registry(landing)
    reasons = {row.source_row: row.reason for row in read.set_aside}
    assert "csv_encoding 'latin1'" in reasons[2]
    assert reasons[3] == "parent_code '930' has no row in units.csv"
    assert read.rows["unit_code"].to_list() == ["31324"]


def test_parent_must_exist_on_every_day_of_the_row(landing):
    (landing / "units.csv").write_text(
        UNITS_HEADER + "930,A,city,,2010-01-01,2025-06-30,utf-8\n"
        "31321,Phường I,ward,930,2010-01-01,,utf-8\n"  # outlives its parent
        "31324,Phường IV,ward,930,2010-01-01,2025-06-30,utf-8\n",
        encoding="utf-8",
    )
    read = read_registry(landing)
    assert [(r.source_row, r.reason) for r in read.set_aside] == [
        (3, "parent_code '930' is not in units.csv on 2025-07-01, within this row's validity")
    ]


def test_reused_code_gets_its_encoding_by_export_date(landing, database):
    (landing / "units.csv").write_text(
        UNITS_HEADER + "930,Thành phố Vị Thanh,city,,2010-01-01,2025-06-30,utf-8\n"
        "92,Thành phố Cần Thơ,province,,2004-01-01,,utf-8\n"
        "31321,Phường III,ward,930,2010-01-01,2025-06-30,cp1258\n"
        "31321,Phường Vị Thanh,ward,92,2025-07-01,,utf-8\n",
        encoding="utf-8",
    )
    _put(landing, "31321/dossiers/2025-06-30.csv", _dossiers("P1-001", encoding="cp1258"))
    _put(landing, "31321/dossiers/2025-07-01.csv", _dossiers("P1-002"))
    registry = UnitRegistry.from_frame(read_units(landing))
    files = scan(landing).files
    # One batch would need two encodings for 31321: the batch ends between the two days.
    assert [enc for _files, enc in encoding_batches(files, registry, 400)] == [
        {"31321": "cp1258"},
        {"31321": "utf-8"},
    ]
    _ingest_all(landing, database)
    # Before: one encoding per code (the latest row: utf-8), so the 2025-06-30 file was read
    # as "declared utf-8, decoded as cp1258".
    assert _query(
        database,
        "SELECT source_file, encoding, error FROM raw.ingest_ledger WHERE feed = 'dossiers'",
    ) == [
        ("31321/dossiers/2025-06-30.csv", "cp1258", None),
        ("31321/dossiers/2025-07-01.csv", "utf-8", None),
    ]


def test_registry_files_are_in_the_ledger_and_bad_rows_in_set_aside(landing, database):
    (landing / "units.csv").write_text(REGISTRY + "../../x,X,ward,930,2010-01-01,,utf-8\n")
    (landing / "unit_successions.csv").write_text(
        "effective_date,predecessor_code,successor_code,transfer\n2025-07-01,31321,31321,whole\n"
    )
    _ingest_all(landing, database)
    ledger = _query(
        database,
        "SELECT source_file, unit_code, feed, export_date, status, rows_in, rows_loaded, "
        "rows_set_aside, error FROM raw.ingest_ledger ORDER BY source_file",
    )
    assert ledger == [
        # 31321 has no row ending on 2025-06-30: the pair is set aside
        ("unit_successions.csv", None, "unit_successions", None, "loaded", 1, 0, 1, None),
        ("units.csv", None, "units", None, "loaded", 3, 2, 1, None),
    ]
    aside = _query(
        database,
        "SELECT source_file, source_row, unit_code, feed, reason FROM raw.set_aside ORDER BY 1",
    )
    assert aside[1][:4] == ("units.csv", 4, None, "units")
    assert "is not a code" in aside[1][4]
    assert aside[0][:4] == ("unit_successions.csv", 2, "31321", "unit_successions")
    assert "no units.csv row ending on 2025-06-30" in aside[0][4]
    assert _query(database, "SELECT source_file, source_row FROM raw.units ORDER BY 2") == [
        ("units.csv", 2),
        ("units.csv", 3),
    ]
    # A second run with the same registry writes nothing again.
    before = _query(database, "SELECT * FROM raw.ingest_ledger ORDER BY source_file")
    _ingest_all(landing, database, "run-2")
    assert _query(database, "SELECT * FROM raw.ingest_ledger ORDER BY source_file") == before


def test_unusable_registry_is_rejected_in_the_ledger_and_raises(landing, database):
    (landing / "units.csv").write_bytes(REGISTRY.encode("utf-16"))
    conn = connect_build(database)
    try:
        with pytest.raises(UnitsRegistryError, match="not UTF-8"):
            load_registry(conn, landing, "run-1")
        rows = conn.execute(
            "SELECT feed, status, rows_in, rows_set_aside, error FROM raw.ingest_ledger"
        ).fetchall()
    finally:
        conn.close()
    assert rows[0][:4] == ("units", "rejected", None, 1) and "not UTF-8" in rows[0][4]


def test_successions_are_judged_against_the_registry(tmp_path):
    (tmp_path / "units.csv").write_text(
        UNITS_HEADER + "92,Cần Thơ,province,,2004-01-01,,utf-8\n"
        "93,Hậu Giang,province,,2004-01-01,2025-06-30,utf-8\n"
        "930,Vị Thanh,city,93,2010-01-01,2025-06-30,utf-8\n"
        "31321,Phường III,ward,930,2010-01-01,2025-06-30,cp1258\n"
        "31324,Phường IV,ward,930,2010-01-01,2025-06-30,utf-8\n"
        "31321,Phường Vị Thanh,ward,92,2025-07-01,,utf-8\n"
        "31333,Phường Vị Tân,ward,92,2025-07-01,,utf-8\n"
    )
    (tmp_path / "unit_successions.csv").write_text(
        "effective_date,predecessor_code,successor_code,transfer\n"
        "2025-07-01,93,92,whole\n"  # 2 good
        "2025-07-01,31324,31333,half\n"  # 3 transfer
        "2025-07-02,930,31321,part\n"  # 4 930 did not end on 2025-07-01
        "2025-07-01,92,31333,part\n"  # 5 92 does not end
        "2025-07-01,930,99999,part\n"  # 6 unknown successor
        "2025-07-01,31321,31321,whole\n"  # 7 good
        "2025-07-01,31321,31321,whole\n"  # 8 repeats 7
        "2025-07-01,31324,31321,whole\n"  # 9 whole ...
        "2025-07-01,31324,31333,part\n"  # 10 ... and another successor
        "2025-07-01,../x,31333,part\n"  # 11 not a code
        "1 July 2025,930,31333,part\n"  # 12 date
    )
    read = read_successions(tmp_path, read_units(tmp_path))
    reasons = {row.source_row: row.reason for row in read.set_aside}
    assert read.rows["source_row"].to_list() == [2, 7]
    assert "transfer 'half' is not whole or part" in reasons[3]
    assert "predecessor '930' has no units.csv row ending on 2025-07-01" in reasons[4]
    assert "predecessor '92' has no units.csv row ending on 2025-06-30" in reasons[5]
    assert "successor_code '99999' has no row in units.csv" in reasons[6]
    assert reasons[8] == "repeats row 7"
    assert "has a 'whole' transfer on 2025-07-01 and other successors" in reasons[9]
    assert "has a 'whole' transfer" in reasons[10]
    assert "predecessor_code '../x' is not a code" in reasons[11]
    assert "effective_date '1 July 2025' is not an ISO date" in reasons[12]
    assert read.rows_in == 11 == read.rows_loaded + read.rows_set_aside


# --- 4. symbolic links and other non-regular entries are never followed or opened ----------


def test_symlinked_file_is_rejected_never_read(landing, database, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_bytes(_dossiers("SECRET-1"))  # a dossiers file the unit has no right to
    folder = landing / "31321" / "dossiers"
    folder.mkdir(parents=True)
    (folder / "2023-01-06.csv").symlink_to(secret)
    (folder / "2023-01-07.csv").symlink_to("/etc/passwd")
    _put(landing, "31321/dossiers/2023-01-08.csv", _dossiers("P1-001"))

    result = scan(landing)
    assert [f.relpath for f in result.files] == ["31321/dossiers/2023-01-08.csv"]
    assert {r.relpath: r.reason for r in result.rejected} == {
        "31321/dossiers/2023-01-06.csv": "symbolic link, not a regular file: not opened",
        "31321/dossiers/2023-01-07.csv": "symbolic link, not a regular file: not opened",
    }
    _ingest_all(landing, database)
    text = str(_query(database, "SELECT * FROM raw.set_aside")) + str(
        _query(database, "SELECT * FROM raw.dossiers")
    )
    assert "SECRET-1" not in text and "root:" not in text
    assert _query(
        database,
        "SELECT source_file, unit_code, feed, export_date, status, sha256, rows_in FROM "
        "raw.ingest_ledger WHERE status = 'rejected' ORDER BY 1",
    ) == [
        ("31321/dossiers/2023-01-06.csv", "31321", "dossiers", None, "rejected", None, None),
        ("31321/dossiers/2023-01-07.csv", "31321", "dossiers", None, "rejected", None, None),
    ]


def test_symlinked_folders_are_not_followed(landing, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    _put(elsewhere, "dossiers/2023-01-06.csv", _dossiers("P1-001"))
    (landing / "31322").symlink_to(elsewhere)  # a unit folder
    (landing / "31321").mkdir()
    (landing / "31321" / "dossiers").symlink_to(elsewhere / "dossiers")  # a feed folder
    result = scan(landing)
    assert result.files == []
    assert [(r.relpath, r.reason) for r in result.rejected] == [
        ("31321/dossiers", "symbolic link, not a regular file: not opened"),
        ("31322", "symbolic link, not a regular file: not opened"),
    ]


def test_fifo_is_rejected_without_being_opened(landing, database):
    folder = landing / "31321" / "dossiers"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "2023-01-06.csv")  # opening it for reading would block forever
    os.mkfifo(landing / "stray.csv")
    _put(landing, "31321/dossiers/2023-01-07.csv", _dossiers("P1-001"))
    _ingest_all(landing, database)
    assert _query(
        database, "SELECT source_file, status, error FROM raw.ingest_ledger ORDER BY 1"
    ) == [
        ("31321/dossiers/2023-01-06.csv", "rejected", "FIFO, not a regular file: not opened"),
        ("31321/dossiers/2023-01-07.csv", "loaded", None),
        ("stray.csv", "rejected", "FIFO, not a regular file: not opened"),
        ("units.csv", "loaded", None),
    ]


def test_symlinked_registry_is_rejected_not_read(landing, tmp_path):
    target = tmp_path / "other_units.csv"
    target.write_text(REGISTRY)
    (landing / "units.csv").unlink()
    (landing / "units.csv").symlink_to(target)
    read = read_registry(landing)
    assert (read.status, read.sha256, read.rows) == ("rejected", None, None)
    assert "symbolic link" in read.error
    with pytest.raises(UnitsRegistryError, match="symbolic link"):
        read_units(landing)
    os.mkfifo(landing / "unit_successions.csv")
    successions = read_successions(landing, read_units_of(REGISTRY, tmp_path))
    assert successions.status == "rejected" and "not a regular file" in successions.error


def read_units_of(text: str, tmp_path: Path):
    folder = tmp_path / "registry_copy"
    folder.mkdir(exist_ok=True)
    (folder / "units.csv").write_text(text)
    return read_units(folder)


# --- 5. a name that is not UTF-8 is one rejected file, not a lost batch ---------------------


def test_non_utf8_file_name_is_rejected_and_the_batch_loads(landing, database):
    _put(landing, b"31321/dossiers/2023-01-06_\xff\xfe.csv", _dossiers("P1-009"))
    _put(landing, "31321/dossiers/2023-01-06.csv", _dossiers("P1-001"))
    _put(landing, "31321/dossiers/2023-01-07.csv", _dossiers("P1-002"))
    _put(landing, b"31321/do\xffssiers/2023-01-07.csv", _dossiers("P1-003"))
    _put(landing, b"313\xe921/dossiers/2023-01-07.csv", _dossiers("P1-004"))

    # Before: the name reached _with_provenance as a surrogate escape and polars raised,
    # taking the other files of its batch (every unit, up to 400 files) down with it.
    [summary] = _ingest_all(landing, database)
    assert summary.files_loaded == 2
    assert _query(database, "SELECT dossier_code FROM raw.dossiers ORDER BY 1") == [
        ("P1-001",),
        ("P1-002",),
    ]
    rejected = dict(
        _query(
            database, "SELECT source_file, error FROM raw.ingest_ledger WHERE status = 'rejected'"
        )
    )
    assert rejected == {
        "31321/dossiers/2023-01-06_\\xff\\xfe.csv": "file name is not valid UTF-8",
        "31321/do\\xffssiers/2023-01-07.csv": "unknown feed folder 'do\\xffssiers'",
        "313\\xe921/dossiers/2023-01-07.csv": "unit folder '313\\xe921' is not a unit code",
    }
    for name in rejected:
        name.encode("utf-8")  # storable text: no surrogates


def test_name_text_shows_odd_bytes_and_control_characters():
    assert name_text(os.fsdecode(b"a\xff.csv")) == "a\\xff.csv"
    assert name_text("2023-01-06\n.csv") == "2023-01-06\\x0a.csv"
    assert name_text("Phu\u031bo\u031b\u0300ng") == "Phường"


def test_every_ascii_character_is_shown_as_is_unless_it_is_a_control_character():
    # every ASCII character, in a name of plain ones (the scan's fast path takes a name of
    # printable ASCII as it is): the control characters (category Cc: 0x00-0x1f, 0x7f)
    # escaped and a name problem, the others (a space included) unchanged and fine
    for code in range(128):
        name = f"2023-01-0{chr(code)}.csv"
        control = unicodedata.category(chr(code)) == "Cc"
        shown = f"2023-01-0\\x{code:02x}.csv" if control else name
        assert name_text(name) == shown, code
        assert (_name_problem(name) is not None) == control, code


def test_control_characters_and_a_trailing_newline_are_not_a_code_or_a_date(landing):
    _put(landing, "31321\n/dossiers/2023-01-06.csv")  # `$` once matched before the \n
    _put(landing, "31321/dossiers/2023-01-06\n.csv")
    _put(landing, "31321/dossiers/2023-01-07_a\tb.csv")
    result = scan(landing)
    assert result.files == []
    assert {r.relpath: r.reason for r in result.rejected} == {
        "31321\\x0a/dossiers/2023-01-06.csv": "unit folder '31321\\x0a' is not a unit code",
        "31321/dossiers/2023-01-06\\x0a.csv": "file name contains control characters",
        "31321/dossiers/2023-01-07_a\\x09b.csv": "file name contains control characters",
    }


def test_ledger_row_survives_a_file_vanishing_after_parsing(tmp_path):
    file = LandingFile(
        path=tmp_path / "gone.csv",
        relpath="31321/dossiers/2023-01-06.csv",
        unit_code="31321",
        feed="dossiers",
        export_date=date(2023, 1, 6),
        suffix=None,
        file_format="csv",
    )
    outcome = FileOutcome(file, "0" * 64, 10, "utf-8", 1, 1, 0, "loaded", None)
    # Before: path.stat() raised FileNotFoundError and the batch's ledger rows were lost.
    frame = loader._ledger_frame([outcome], dt.datetime(2023, 1, 7), "run-1")
    assert frame["modified_ns"].to_list() == [None]


# --- 6. every entry under the landing folder is in the ledger --------------------------------


MISPLACED = {
    "31321/dossiers/2021-02-31.csv": "bad date in file name: '2021-02-31'",
    "31321/dossiers/2021-2-5.csv": "file name is not <YYYY-MM-DD>[_<suffix>]",
    "31321/dossiers/２０２１-０２-０５.csv": "file name is not <YYYY-MM-DD>[_<suffix>]",
    "31321/dossiers/2021-02-05.txt": "unknown extension .txt",
    "31321/letters/2021-02-05.csv": "unknown feed folder 'letters'",
    "31321/notes.csv": "not in a <unit_code>/<feed>/ folder",
    "stray.csv": "not in a <unit_code>/<feed>/ folder",
    "backup/dossiers/2021-02-05.csv": "unit folder 'backup' is not a unit code",
    "31321/dossiers/old/": "unexpected folder inside a feed folder",
    "31321/dossiers/old/2021-02-05.csv": "inside an unexpected folder '31321/dossiers/old/'",
}


def test_misplaced_entries_are_rejected_in_the_ledger(landing, database):
    for relpath in MISPLACED:
        if not relpath.endswith("/"):
            _put(landing, relpath, b"x\n")
    _put(landing, "31321/dossiers/2021-02-05.csv", _dossiers("P1-001"))
    _put(landing, ".rsync-tmp/2021-02-05.csv", b"in flight")  # hidden: not a delivery yet

    # Before: misplaced files were only logged by the units asset.
    _ingest_all(landing, database)
    rows = _query(
        database,
        "SELECT source_file, unit_code, feed, export_date, file_format, sha256, size_bytes, "
        "rows_in, rows_loaded, rows_set_aside, status, error FROM raw.ingest_ledger "
        "WHERE status = 'rejected' ORDER BY source_file",
    )
    assert {row[0] for row in rows} == set(MISPLACED)
    for source_file, unit, feed, day, fmt, sha, size, rows_in, loaded, aside, _s, err in rows:
        assert MISPLACED[source_file] in err, source_file
        assert (day, fmt, sha, size, rows_in, loaded, aside) == (None,) * 5 + (0, 1)
        assert unit == ("31321" if source_file.startswith("31321/") else None), source_file
        expected_feed = "dossiers" if "/dossiers/" in source_file else None
        assert feed == expected_feed, source_file
    aside = _query(database, "SELECT source_file, source_row, reason FROM raw.set_aside")
    # One set-aside row per rejected entry, no row number, the ledger's reason.
    assert sorted(aside) == [(row[0], None, row[11]) for row in rows]
    # Idempotent: the same landing folder writes nothing again.
    conn = connect_build(database)
    try:
        assert record_rejected(conn, scan(landing).rejected, "run-2") == (0, 0)
    finally:
        conn.close()


def test_rejected_entries_follow_the_landing_folder(landing, database):
    _put(landing, "31321/dossiers/2021-2-5.csv", b"x\n")
    _put(landing, "stray.csv", b"x\n")
    _ingest_all(landing, database)
    (landing / "stray.csv").unlink()  # an operator removed it
    os.rename(landing / "31321/dossiers/2021-2-5.csv", landing / "31321/dossiers/2021-02-05.csv")
    (landing / "31321/dossiers/2021-02-05.csv").write_bytes(_dossiers("P1-001"))
    _ingest_all(landing, database, "run-2")
    assert _query(database, "SELECT source_file, status FROM raw.ingest_ledger ORDER BY 1") == [
        ("31321/dossiers/2021-02-05.csv", "loaded"),
        ("units.csv", "loaded"),
    ]
    assert _query(database, "SELECT count(*) FROM raw.set_aside") == [(0,)]


def test_a_loaded_file_swapped_for_a_symlink_loses_its_load(landing, database, tmp_path):
    path = _put(landing, "31321/dossiers/2021-02-05.csv", _dossiers("P1-001"))
    _ingest_all(landing, database)
    path.unlink()
    path.symlink_to("/etc/passwd")
    _ingest_all(landing, database, "run-2")
    assert _query(database, "SELECT count(*) FROM raw.dossiers") == [(0,)]
    assert _query(
        database,
        "SELECT status, error FROM raw.ingest_ledger WHERE source_file = ?",
        ["31321/dossiers/2021-02-05.csv"],
    ) == [("rejected", "symbolic link, not a regular file: not opened")]


def test_units_asset_records_registry_successions_and_rejected_entries(landing, tmp_path):
    import dagster as dg

    from pipelines.defs.ingest import REGISTRY_CHECKS, raw_unit_successions, raw_units
    from pipelines.defs.resources import WarehouseResource
    from pipelines.settings import Settings

    (landing / "units.csv").write_text(REGISTRY + "../../x,X,ward,930,2010-01-01,,utf-8\n")
    (landing / "unit_successions.csv").write_text(
        "effective_date,predecessor_code,successor_code,transfer\n"
    )
    _put(landing, "31321/dossiers/2021-2-5.csv", b"x\n")
    settings = Settings.for_folders(landing, tmp_path / "warehouse")
    result = dg.materialize(
        [raw_units, raw_unit_successions, *REGISTRY_CHECKS],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("raw__units")[0].metadata
    assert (metadata["rejected_entries"].value, metadata["rows_set_aside"].value) == (1, 1)
    assert "2021-2-5.csv" in metadata["rejected"].value
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["units_rows_fit_the_contract"].passed
    assert checks["units_rows_fit_the_contract"].severity == dg.AssetCheckSeverity.WARN
    assert checks["unit_successions_rows_fit_the_contract"].passed
    assert _query(
        settings.build_db, "SELECT source_file, feed, status FROM raw.ingest_ledger ORDER BY 1"
    ) == [
        ("31321/dossiers/2021-2-5.csv", "dossiers", "rejected"),
        ("unit_successions.csv", "unit_successions", "loaded"),
        ("units.csv", "units", "loaded"),
    ]


# --- 11. a unit folder that is not in the registry ----------------------------------------------


def test_unit_not_in_registry_on_its_date_is_rejected_then_loaded_once_registered(
    landing, database
):
    _put(landing, "99999/dossiers/2021-02-10.csv", _dossiers("X-001"))
    _put(landing, "31321/dossiers/2021-02-10.csv", _dossiers("P1-001"))
    # Before: 99999's rows loaded into raw and fct_document, into no indicator.
    [summary] = _ingest_all(landing, database)
    assert (summary.files_loaded, summary.files_rejected) == (1, 1)
    assert _query(database, "SELECT DISTINCT unit_code FROM raw.dossiers") == [("31321",)]
    assert _query(
        database,
        "SELECT unit_code, feed, export_date, status, sha256, rows_in, rows_set_aside, error "
        "FROM raw.ingest_ledger WHERE source_file = '99999/dossiers/2021-02-10.csv'",
    ) == [
        (
            "99999",
            "dossiers",
            date(2021, 2, 10),
            "rejected",
            None,
            None,
            1,
            "unit 99999 is not in units.csv on 2021-02-10",
        )
    ]
    assert _query(
        database,
        "SELECT unit_code, feed, export_date, source_row, reason FROM raw.set_aside",
    ) == [
        (
            "99999",
            "dossiers",
            date(2021, 2, 10),
            None,
            "unit 99999 is not in units.csv on 2021-02-10",
        )
    ]
    # Unchanged: nothing rewritten on the next run.
    [again] = _ingest_all(landing, database, "run-2")
    assert (again.files_skipped, again.files_rejected) == (2, 0)
    # The province registers the unit: the file is tried again and loads.
    (landing / "units.csv").write_text(REGISTRY + "99999,Xã Mới,ward,930,2021-01-01,,utf-8\n")
    [third] = _ingest_all(landing, database, "run-3")
    assert (third.files_loaded, third.files_replaced) == (1, 1)
    assert _query(
        database, "SELECT status, run_id FROM raw.ingest_ledger WHERE unit_code = '99999'"
    ) == [("loaded", "run-3")]
    assert _query(database, "SELECT count(*) FROM raw.set_aside") == [(0,)]


def test_file_dated_outside_its_units_validity_is_rejected(landing, database):
    (landing / "units.csv").write_text(
        UNITS_HEADER + "930,A,city,,2010-01-01,,utf-8\n31321,B,ward,930,2021-01-01,,utf-8\n"
    )
    _put(landing, "31321/dossiers/2020-12-31.csv", _dossiers("P1-001"))
    _ingest_all(landing, database)
    assert _query(
        database, "SELECT status, error FROM raw.ingest_ledger WHERE feed = 'dossiers'"
    ) == [("rejected", "unit 31321 is not in units.csv on 2020-12-31")]


# --- 14. NFD names are stored in NFC -------------------------------------------------------


def test_nfd_file_name_is_stored_nfc_and_opened_by_its_real_name(landing, database):
    nfd = unicodedata.normalize("NFD", "2023-01-06_sửa.csv")
    real = _put(landing, f"31321/dossiers/{nfd}", _dossiers("P1-001"))
    [file] = scan(landing).files
    assert file.relpath == "31321/dossiers/2023-01-06_sửa.csv"
    assert unicodedata.is_normalized("NFC", file.relpath) and file.suffix == "sửa"
    assert file.path == real and file.path.exists()
    _ingest_all(landing, database)
    assert _query(database, "SELECT DISTINCT source_file FROM raw.dossiers") == [
        ("31321/dossiers/2023-01-06_sửa.csv",)
    ]


def test_nfc_and_nfd_twins_do_not_share_a_source_file(landing):
    name = "2023-01-06_sửa.csv"
    _put(landing, f"31321/dossiers/{name}")
    _put(landing, f"31321/dossiers/{unicodedata.normalize('NFD', name)}")
    result = scan(landing)
    assert [f.path.name for f in result.files] == [name]
    [twin] = result.rejected
    assert twin.relpath.isascii() and "\\u031b" in twin.relpath
    assert "in another Unicode form" in twin.reason


def test_misplaced_names_alike_but_for_their_unicode_form_get_a_row_each(landing, database):
    name = "ghi chú.csv"
    _put(landing, f"31321/dossiers/{name}", b"x\n")
    _put(landing, f"31321/dossiers/{unicodedata.normalize('NFD', name)}", b"y\n")
    rejected = scan(landing).rejected
    assert len({entry.relpath for entry in rejected}) == 2
    assert "31321/dossiers/ghi chú.csv" in {entry.relpath for entry in rejected}
    _ingest_all(landing, database)
    assert _query(database, "SELECT count(*) FROM raw.ingest_ledger WHERE status = 'rejected'") == [
        (2,)
    ]


def test_feed_assets_refuse_to_ingest_without_a_usable_registry(landing, database):
    import dagster as dg

    from pipelines.defs.ingest import _registry

    conn = connect_build(database)
    try:
        with pytest.raises(dg.Failure, match="raw.units is empty"):
            _registry(conn)  # raw/units never ran: not every file rejected as unregistered
        load_registry(conn, landing, "run-1")
        assert _registry(conn).encoding_on("31321", date(2021, 1, 1)) == "utf-8"
        (landing / "units.csv").write_bytes(b"\xff\xfe")
        with pytest.raises(UnitsRegistryError):
            load_registry(conn, landing, "run-2")
        with pytest.raises(dg.Failure, match="units.csv is rejected"):
            _registry(conn)
    finally:
        conn.close()
