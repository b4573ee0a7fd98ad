import re
from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.lib.landing import (
    LandingFile,
    UnitsRegistryError,
    discover,
    read_registry,
    read_units,
    scan,
)

UNITS_HEADER = "unit_code,unit_name,unit_level,parent_code,valid_from,valid_to,csv_encoding\n"


def touch(root, relpath):
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_discover_finds_files_and_reports_misplaced(tmp_path):
    for rel in [
        "930/reports/2023-01-10.csv",
        "31321/dossiers/2023-01-06_fix.csv",
        "31321/dossiers/2023-01-06.jsonl",
        "31321/dossiers/2023-01-05.XLSX",
        "31321/dossiers/2023-01-06.txt",  # unknown extension
        "31321/dossiers/2023-02-30.csv",  # no such day
        "31321/dossiers/report.csv",  # name is not a date
        "31321/letters/2023-01-06.csv",  # unknown feed
        "31321/notes.csv",  # no feed folder
        "stray.csv",  # at the top
        "31321/dossiers/.~lock.2023-01-06.csv#",  # hidden: ignored
        ".cache/x",  # hidden folder: ignored
        "units.csv",  # the registry: not a delivery
    ]:
        touch(tmp_path, rel)
    (tmp_path / "31321" / "dossiers" / "old").mkdir()

    files, misplaced = discover(tmp_path)

    assert [f.relpath for f in files] == [
        # sorted by (feed, unit, export_date, relpath)
        "31321/dossiers/2023-01-05.XLSX",
        "31321/dossiers/2023-01-06.jsonl",
        "31321/dossiers/2023-01-06_fix.csv",
        "930/reports/2023-01-10.csv",
    ]
    assert files[2] == LandingFile(
        path=tmp_path / "31321/dossiers/2023-01-06_fix.csv",
        relpath="31321/dossiers/2023-01-06_fix.csv",
        unit_code="31321",
        feed="dossiers",
        export_date=date(2023, 1, 6),
        suffix="fix",
        file_format="csv",
    )
    assert files[0].file_format == "xlsx" and files[0].suffix is None
    reasons = dict(misplaced)
    assert set(reasons) == {
        "31321/dossiers/2023-01-06.txt",
        "31321/dossiers/2023-02-30.csv",
        "31321/dossiers/report.csv",
        "31321/letters/2023-01-06.csv",
        "31321/notes.csv",
        "31321/dossiers/old/",
        "stray.csv",
    }
    assert "unknown extension .txt" in reasons["31321/dossiers/2023-01-06.txt"]
    assert "bad date" in reasons["31321/dossiers/2023-02-30.csv"]
    assert "unknown feed" in reasons["31321/letters/2023-01-06.csv"]


def test_discover_many_files_quickly(tmp_path):
    import time

    for day in range(1, 29):
        for unit in range(20):
            touch(tmp_path, f"{31300 + unit}/dossiers/2023-02-{day:02d}.csv")
    start = time.perf_counter()
    files, misplaced = discover(tmp_path)
    assert len(files) == 560 and not misplaced
    assert time.perf_counter() - start < 1.0


def write_units(tmp_path, body: str, bom: bool = False):
    data = (UNITS_HEADER + body).encode("utf-8")
    (tmp_path / "units.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def test_read_units(tmp_path):
    write_units(
        tmp_path,
        "930,Thành phố Vị Thanh,city,,2010-01-01,,utf-8\n"
        "31321,Phường I,ward,930,2010-01-01,2025-06-30,CP1258\n",
        bom=True,
    )
    units = read_units(tmp_path)
    assert units.schema == pl.Schema(
        {
            "unit_code": pl.Utf8,
            "unit_name": pl.Utf8,
            "unit_level": pl.Utf8,
            "parent_code": pl.Utf8,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "csv_encoding": pl.Utf8,
        }
    )
    assert units.rows() == [
        ("930", "Thành phố Vị Thanh", "city", None, date(2010, 1, 1), None, "utf-8"),
        ("31321", "Phường I", "ward", "930", date(2010, 1, 1), date(2025, 6, 30), "cp1258"),
    ]


def test_read_units_header_is_case_and_space_insensitive_and_nfc(tmp_path):
    header = " Unit_Code ,UNIT_NAME,unit_level,parent_code,valid_from,valid_to,csv_encoding\n"
    nfd_name = "Phu\u031bo\u031b\u0300ng I"  # 'Phường I' decomposed
    # no parent: a parent must now have a row of its own (see test_landing_hostile.py)
    (tmp_path / "units.csv").write_text(header + f"31321,{nfd_name},ward,,2010-01-01,,utf-8\n")
    assert read_units(tmp_path)["unit_name"].to_list() == ["Phường I"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("930,X,city,,2010-13-01,,utf-8", "valid_from '2010-13-01' is not an ISO date"),
        (
            "930,X,province,,2010-01-01,,utf-8",
            "unit_code '930' has 3 digits; a province code has 2",
        ),
        ("930,X,city,,2010-01-01,,latin1", "csv_encoding 'latin1' is not one of"),
        ("930,X,city,,2010-01-01,someday,utf-8", "valid_to 'someday' is not an ISO date"),
    ],
)
def test_read_units_sets_bad_rows_aside_naming_row_and_reason(tmp_path, row, message):
    # A bad row no longer takes the whole registry down (issue 15/17): it is set aside with
    # its row number and reason. Its child (31321 under 930) loses its parent and follows.
    write_units(tmp_path, "31321,Phường I,ward,930,2010-01-01,,utf-8\n" + row + "\n")
    registry = read_registry(tmp_path)
    assert registry.status == "loaded" and registry.rows_in == 2
    aside = {r.source_row: r.reason for r in registry.set_aside}
    assert message in aside[3]
    assert aside[2] == "parent_code '930' has no row in units.csv"
    assert read_units(tmp_path).height == 0


def test_read_units_missing_column(tmp_path):
    (tmp_path / "units.csv").write_text("unit_code,unit_name,unit_level\n930,X,city\n")
    with pytest.raises(UnitsRegistryError, match="row 1: missing column 'parent_code'"):
        read_units(tmp_path)
    assert issubclass(UnitsRegistryError, ValueError)


# Names a feed folder may hold: days inside and outside any window, impossible days, other
# digits, suffixes, other extensions, short and odd names.
_NAME_STEMS = st.one_of(
    st.dates(date(2020, 12, 25), date(2021, 1, 10)).map(date.isoformat),
    st.sampled_from(["2021-02-30", "2021-13-01", "2021-1-05", "２０２１-01-03", "2021_01_03"]),
    st.text(alphabet="0123456789-_ab", min_size=0, max_size=12),
)
_NAMES = st.builds(
    lambda stem, suffix, ext: f"{stem}{suffix}{ext}",
    _NAME_STEMS,
    st.sampled_from(["", "_v2", "_2021-01-05", "_ñ"]),
    st.sampled_from([".csv", ".xlsx", ".jsonl", ".CSV", ".txt", ""]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(_NAMES, max_size=25, unique=True),
    first=st.none() | st.dates(date(2020, 12, 28), date(2021, 1, 8)),
    last=st.none() | st.dates(date(2020, 12, 28), date(2021, 1, 8)),
)
def test_a_scan_of_some_days_keeps_the_files_a_whole_scan_finds_for_them(
    tmp_path_factory, names, first, last
):
    """The scan given days (a feed's ingest window) passes over entries named for other
    days before looking at them; the files it keeps are exactly those of a whole scan whose
    export date is among the days."""
    root = tmp_path_factory.mktemp("landing")
    folder = root / "31471" / "dossiers"
    folder.mkdir(parents=True)
    for name in names:
        if name not in {"", ".", ".."} and "/" not in name:
            (folder / name).write_bytes(b"")
    whole = [
        f
        for f in scan(root, ("dossiers",)).files
        if (first is None or f.export_date >= first) and (last is None or f.export_date <= last)
    ]
    some_days = scan(root, ("dossiers",), first, last)
    assert some_days.files == whole
    # and what is named for another day is passed over, not rejected: not looked at
    for entry in some_days.rejected:
        day = entry.relpath.rsplit("/", 1)[-1][:10]
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
            assert (first is None or day >= first.isoformat()) and (
                last is None or day <= last.isoformat()
            )
