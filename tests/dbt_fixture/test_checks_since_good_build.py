"""A well-formed test given a build stamp (columns_are_well_formed's `stamp`) checks, when
the pipeline gives it the last good build's number (PAR_CHECKED_BUILD), the rows recomputed
since: stamped later, or not stamped. Its relationships still look at every row, and a
key's older rows still count for its uniqueness. Without the number it checks every row.

Real dbt on a copy of the fixture's build file, with its stamps set by hand: every
dossier as recomputed in build 1, the last good build. Then, in stg_ward_exports__dossiers
(four dossiers, the first four by key):
  OLD_BAD     status 99, stamp 1 - changed by hand, not recomputed: not checked again
  UNSTAMPED   status 98, no stamp - as a plain `dbt build` leaves it: checked
  DUPLICATED  a copy of it stamped 2 (recomputed since) - its key is now held twice
and in int_dossier_facts, which fct_dossier (a view of it) shows:
  ORPHAN      procedure_version_key 'no-such-version', stamp 1 - found in no
              dim_procedure row: relationships look at every row
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.dbt_fixture.conftest import copy_of
from tests.dbt_fixture.dbt_env import run_dbt

DOSSIERS = "staging.stg_ward_exports__dossiers"
FACTS = "intermediate.int_dossier_facts"
KEY = "unit_code = ? AND dossier_code = ?"
TESTS = [
    "columns_are_well_formed_stg_ward_exports__dossiers",
    "columns_are_well_formed_int_dossiers_classified",
    "columns_are_well_formed_fct_dossier",
]


def _failing(db: Path, tmp: Path, checked_build: int | None) -> dict[str, list[tuple]]:
    """test name -> its failing rows' (unit_code, dossier_code, failed_check), sorted."""
    tested = run_dbt(
        ["test", "--select", *TESTS, "--store-failures"], db, tmp, checked_build=checked_build
    )
    assert "Done." in tested.stdout, tested.stdout[-3000:] + tested.stderr[-2000:]
    results = json.loads((tmp / "target" / "run_results.json").read_text("utf-8"))
    found: dict[str, list[tuple]] = {}
    with duckdb.connect(str(db), read_only=True) as conn:
        for result in results["results"]:
            if not result["unique_id"].startswith("test."):
                continue  # the project's on-run-start hook
            name = result["unique_id"].split(".")[2]
            if result["status"] == "pass":
                found[name] = []
                continue
            assert result["status"] == "fail", result
            found[name] = sorted(
                conn.execute(
                    f"SELECT unit_code, dossier_code, failed_check FROM {result['relation_name']}"
                ).fetchall()
            )
    assert set(found) == set(TESTS)
    return found


@pytest.fixture(scope="module")
def corrupted(fixture_build, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("checks_since_good_build")
    db = copy_of(fixture_build, tmp)
    with duckdb.connect(str(db)) as conn:
        first = conn.execute(
            f"SELECT unit_code, dossier_code FROM {DOSSIERS} ORDER BY ALL LIMIT 4"
        ).fetchall()
        old_bad, unstamped, orphan, _ = first  # (unit_code, dossier_code) each
        conn.execute(f"UPDATE {DOSSIERS} SET recomputed_in_build = 1")
        conn.execute(f"UPDATE {FACTS} SET recomputed_in_build = 1")
        conn.execute(f"UPDATE {DOSSIERS} SET status = 99 WHERE {KEY}", old_bad)
        conn.execute(
            f"UPDATE {DOSSIERS} SET status = 98, recomputed_in_build = NULL WHERE {KEY}",
            unstamped,
        )
        conn.execute(
            f"INSERT INTO {DOSSIERS} SELECT * REPLACE (2 AS recomputed_in_build) "
            f"FROM {DOSSIERS} WHERE {KEY}",
            unstamped,
        )
        conn.execute(
            f"UPDATE {FACTS} SET procedure_version_key = 'no-such-version' WHERE {KEY}",
            orphan,
        )
    return db, tmp, (old_bad, unstamped, orphan)


def test_since_the_last_good_build_only_the_rows_recomputed_since_are_checked(corrupted):
    db, tmp, (old_bad, unstamped, orphan) = corrupted
    found = _failing(db, tmp / "since", checked_build=1)
    not_unique = "(unit_code, dossier_code) is not unique"
    # OLD_BAD (stamp 1) is not listed. UNSTAMPED, with no stamp, is: its status, and its key
    # (the copy stamped 2 holds it too). The copy is listed for its key alone (its status
    # 98 is checked too: it is recomputed since).
    assert found["columns_are_well_formed_stg_ward_exports__dossiers"] == sorted(
        [
            (*unstamped, f"status is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10; {not_unique}"),
            (*unstamped, f"status is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10; {not_unique}"),
        ]
    )
    # the view of it row by row: the same two rows, for their key (status is not its rule)
    assert found["columns_are_well_formed_int_dossiers_classified"] == [
        (*unstamped, not_unique),
        (*unstamped, not_unique),
    ]
    # ORPHAN is stamped 1, yet listed: a relationship is checked on every row
    assert found["columns_are_well_formed_fct_dossier"] == [
        (*orphan, "procedure_version_key is not found in dim_procedure.procedure_version_key")
    ]


def test_without_a_good_build_every_row_is_checked(corrupted):
    db, tmp, (old_bad, unstamped, orphan) = corrupted
    found = _failing(db, tmp / "every", checked_build=None)
    status = "status is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
    assert found["columns_are_well_formed_stg_ward_exports__dossiers"] == sorted(
        [
            (*old_bad, status),
            (*unstamped, f"{status}; (unit_code, dossier_code) is not unique"),
            (*unstamped, f"{status}; (unit_code, dossier_code) is not unique"),
        ]
    )
