"""The Great Expectations value sets are the header table's coded values, not a second copy."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.lib import headers as h
from pipelines.lib.expectations import _IN_SET, SUITES, validate_rows
from pipelines.lib.markdown import md_table
from pipelines.lib.pseudonymise import id_kind
from pipelines.lib.schema import FEEDS

# In-set checks on a flag the check's query derives (quality_checks._ROWS_SQL), not a code.
DERIVED_FLAGS = {"procedure_in_catalogue", "indicator_in_catalogue"}
BAD_TEXT = "MP|TT\n5"  # delivered text that would break a Markdown table


def _in_set_specs():
    for feed, specs in SUITES.items():
        for name, class_name, kwargs, _meaning in specs:
            if class_name == _IN_SET:
                yield feed, name, kwargs["column"], kwargs["value_set"]


def _coded_columns(feed: str) -> list[str]:
    return [*h.CODED_COLUMNS[feed], *h.TEXT_CODED_COLUMNS[feed]]


def test_allowed_values_are_the_stored_values_of_the_header_table():
    assert h.allowed_values("dossiers", "status") == list(range(1, 11))
    assert h.allowed_values("documents", "classification") == [0, 1, 2, 3]
    assert h.allowed_values("procedures", "service_level") == ["1", "2", "3", "4", "MP", "TT"]
    assert h.allowed_values("reports", "scope") == ["area", "self"]
    # Every accepted spelling types to one of them, and every one of them is accepted.
    for feed in FEEDS:
        for column in _coded_columns(feed):
            mapping = h.CODED_COLUMNS[feed].get(column) or h.TEXT_CODED_COLUMNS[feed][column]
            assert set(h.coded_lookup(mapping).values()) == set(h.allowed_values(feed, column))
    with pytest.raises(KeyError):
        h.allowed_values("dossiers", "dossier_code")


def test_every_in_set_value_set_is_its_owners_set():
    checked = set()
    for feed, name, column, value_set in _in_set_specs():
        if column in _coded_columns(feed):
            assert value_set == h.allowed_values(feed, column), (feed, name)
            checked.add((feed, column))
        elif column == "applicant_id_kind":
            # The pseudonymiser's kinds except 'other' (an ID of no known shape).
            shapes = {"093085654321", "385123456", "0301234567", "0301234567-001"}
            assert set(value_set) == {id_kind(v) for v in shapes}
            assert id_kind("AB-12") == "other" and "other" not in value_set
        else:
            assert column in DERIVED_FLAGS and value_set == [True], (feed, name)
    # ... and every coded column of every feed is checked.
    assert checked == {(feed, column) for feed in FEEDS for column in _coded_columns(feed)}


def _procedures(bad: bool) -> pd.DataFrame:
    """One row per allowed value of each coded column; with `bad`, one more row holding an
    unknown value in every coded column."""
    coded = _coded_columns("procedures")
    sets = {column: h.allowed_values("procedures", column) for column in coded}
    rows = max(len(values) for values in sets.values())
    records = [
        {column: values[i % len(values)] for column, values in sets.items()} for i in range(rows)
    ]
    if bad:
        records.append(
            {
                column: max(values) + 1 if isinstance(values[0], int) else BAD_TEXT
                for column, values in sets.items()
            }
        )
    day = dt.datetime(2021, 3, 2)
    return pd.DataFrame(
        [
            {
                **record,
                "unit_code": "31522",
                "procedure_code": f"1.00{row:04d}",
                "decision_date": dt.date(2021, 3, 1),
                "export_day_end": day,
                "source_file": "31522/procedures/2021-03-02.csv",
                "source_row": row,
            }
            for row, record in enumerate(records, start=2)
        ]
    )


def test_suite_passes_good_codes_and_flags_an_unknown_code():
    good = validate_rows("procedures", _procedures(bad=False))
    assert [o.name for o in good if not o.success] == []

    frame = _procedures(bad=True)
    outcomes = {o.name: o for o in validate_rows("procedures", frame)}
    last_row = int(frame["source_row"].max())
    for column in _coded_columns("procedures"):
        outcome = outcomes[f"{column}_known"]
        assert (outcome.success, outcome.unexpected_count) == (False, 1), column
        assert [e["source_row"] for e in outcome.examples] == [last_row], column
    assert all(o.success for name, o in outcomes.items() if not name.endswith("_known"))
    # The check's metadata lists the failing rows as one table row each, the value escaped.
    table = md_table(outcomes["service_level_known"].examples)
    assert table.splitlines() == [
        "| source_file | source_row | service_level |",
        "|---|---|---|",
        f"| 31522/procedures/2021-03-02.csv | {last_row} | MP\\|TT 5 |",
    ]


def _staff(rows: list[tuple]) -> pd.DataFrame:
    """Raw staff rows: (source_file, staff_code, is_leader, status)."""
    return pd.DataFrame(
        [
            {
                "unit_code": "31321",
                "source_file": source_file,
                "source_row": row,
                "staff_code": staff_code,
                "is_leader": is_leader,
                "has_official_email": True,
                "has_signing_certificate": False,
                "status": status,
            }
            for row, (source_file, staff_code, is_leader, status) in enumerate(rows, start=2)
        ]
    )


def test_staff_suite():
    # The value set of status is the header table's (Đang công tác 1, Đã nghỉ 0).
    specs = {name: (class_name, kwargs) for name, class_name, kwargs, _ in SUITES["staff"]}
    assert specs["status_known"] == (
        _IN_SET,
        {"column": "status", "value_set": h.allowed_values("staff", "status")},
    )
    assert h.allowed_values("staff", "status") == [0, 1]
    flags = ("is_leader", "has_official_email", "has_signing_certificate")
    assert set(specs) == {
        "staff_code_present",
        "one_row_per_staff_code",
        "status_known",
        *(f"{flag}_known" for flag in flags),
    }

    good = _staff(
        [
            ("31321/staff/2023-01-02.csv", "CB-1", True, 1),
            ("31321/staff/2023-01-02.csv", "CB-2", False, 0),
            ("31321/staff/2023-02-01.csv", "CB-1", True, 1),  # the next snapshot lists it again
        ]
    )
    assert [o.name for o in validate_rows("staff", good) if not o.success] == []

    bad = _staff(
        [
            ("31321/staff/2023-01-02.csv", "CB-1", True, 1),
            ("31321/staff/2023-01-02.csv", "CB-1", False, 1),  # listed twice in one snapshot
            ("31321/staff/2023-01-02.csv", "CB-3", None, 1),  # leader or not: not given
            ("31321/staff/2023-01-02.csv", "CB-4", False, 5),  # no such status
        ]
    )
    outcomes = {o.name: o for o in validate_rows("staff", bad)}
    failed = {
        name: sorted(e["source_row"] for e in o.examples)
        for name, o in outcomes.items()
        if not o.success
    }
    assert failed == {
        "one_row_per_staff_code": [2, 3],
        "is_leader_known": [4],
        "status_known": [5],
    }
