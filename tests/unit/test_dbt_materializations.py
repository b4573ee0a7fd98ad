"""The project's table and view materializations on DuckDB (dbt_project/macros/
materializations.sql), run by the real dbt on a small project that uses the same macro file:
a rebuild replaces the relation in one statement; a rebuild that fails leaves the old rows;
a view that becomes a table (and back) is replaced; a table with an enforced contract is
made by dbt-duckdb's create_table_as (its columns checked, their constraints declared). The
pipeline's own models built both ways hold the same rows: checked on a mid bench build when
this was written (59 relations, EXCEPT ALL both ways empty); the dbt fixture and
integration tests build them through it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import DBT_PROJECT_DIR
from tests.dbt_process import DBT
from tests.unit.test_dbt_standby import PROJECT as STANDBY_PROJECT

MACROS = DBT_PROJECT_DIR / "macros" / "materializations.sql"

PROJECT = {
    "dbt_project.yml": """
        name: tiny
        version: "0.1.0"
        profile: tiny
        models:
          tiny:
            +materialized: table
    """,
    # a DuckDB file named by TINY_DB, as dbt's standby's tests use
    "profiles.yml": STANDBY_PROJECT["profiles.yml"],
    # a table, its value from a variable; `fail` makes its query raise
    "models/numbers.sql": """
        {% if var('fail', false) %}
        select error('this rebuild fails') as n
        {% else %}
        select {{ var('n', 1) }} as n
        {% endif %}
    """,
    "models/numbers_view.sql": """
        {{ config(materialized='view') }}
        select n * 10 as n10 from {{ ref('numbers') }}
    """,
    # a view or a table, as the variable says
    "models/either.sql": """
        {{ config(materialized=var('kind', 'view')) }}
        {% if var('fail', false) %}
        select error('this rebuild fails') as seven
        {% else %}
        select 7 as seven
        {% endif %}
    """,
    # a table with an enforced contract: n an integer, never null
    "models/contracted.sql": """
        select {{ var('n', 1) }} as {{ var('column', 'n') }}
    """,
    "models/contracted.yml": """
        models:
          - name: contracted
            config:
              contract:
                enforced: true
            columns:
              - name: n
                data_type: integer
                constraints:
                  - type: not_null
          - name: contracted_view
            config:
              materialized: view
              contract:
                enforced: true
            columns:
              - name: n
                data_type: integer
    """,
    # a view with an enforced contract: refused, not built unchecked
    "models/contracted_view.sql": """
        select 1 as n
    """,
}


def write_project(root: Path, files: dict[str, str]) -> Path:
    """A tiny dbt project's `files` (path: text, indented as written here) under `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def tiny_env(project: Path, **more: str) -> dict[str, str]:
    """This process's environment plus what the tiny project's dbt needs: its DuckDB file
    (TINY_DB), its profiles, no tracking and no log file."""
    return {
        **os.environ,
        "TINY_DB": str(project / "tiny.duckdb"),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_LEVEL_FILE": "none",
        **more,
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "tiny", PROJECT)
    (root / "macros").mkdir()
    shutil.copy(MACROS, root / "macros" / MACROS.name)
    return root


def build(project: Path, select: str, **variables) -> subprocess.CompletedProcess:
    """`dbt run` of `select` in the tiny project, given `variables`: run by the test
    process's dbt process (tests/dbt_process.py), dbt imported once for the module's 14
    commands."""
    args = ["run", "--select", select, "--vars", json.dumps(variables)]
    return DBT.run(args, cwd=project, env=tiny_env(project), outputs=project.parent / "dbt-output")


def query(project: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(project / "tiny.duckdb"), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def kind(project: Path, name: str) -> str:
    return query(
        project, f"SELECT table_type FROM information_schema.tables WHERE table_name = '{name}'"
    )[0][0]


def test_a_rebuild_replaces_the_table_in_one_statement_and_a_failed_one_keeps_it(project):
    assert build(project, "numbers numbers_view", n=1).returncode == 0
    assert build(project, "numbers numbers_view", n=2).returncode == 0
    assert query(project, "SELECT n FROM numbers") == [(2,)]
    assert query(project, "SELECT n10 FROM numbers_view") == [(20,)]  # reads the new table
    compiled = (project / "target" / "run" / "tiny" / "models" / "numbers.sql").read_text()
    assert "create or replace table" in compiled  # this materialization, not the adapter's
    assert "__dbt_backup" not in compiled and "__dbt_tmp" not in compiled
    # a rebuild whose query fails: dbt reports it, the old rows stay
    failed = build(project, "numbers", fail=True)
    assert failed.returncode == 1 and "this rebuild fails" in failed.stdout
    assert query(project, "SELECT n FROM numbers") == [(2,)]
    # no relation left behind under another name
    names = {row[0] for row in query(project, "SELECT table_name FROM information_schema.tables")}
    assert names == {"numbers", "numbers_view"}


def test_a_view_that_becomes_a_table_and_back_is_replaced_and_a_failed_switch_keeps_it(
    project,
):
    assert build(project, "either", kind="view").returncode == 0
    assert kind(project, "either") == "VIEW"
    assert build(project, "either", kind="table").returncode == 0
    assert kind(project, "either") == "BASE TABLE"
    assert build(project, "either", kind="view").returncode == 0
    assert kind(project, "either") == "VIEW"
    assert query(project, "SELECT seven FROM either") == [(7,)]
    # a view that would become a table but whose query fails: the view is dropped in the
    # same transaction as the failed create, so it is still there
    assert build(project, "either", kind="table", fail=True).returncode == 1
    assert kind(project, "either") == "VIEW"
    assert query(project, "SELECT seven FROM either") == [(7,)]


def test_a_contracted_table_has_its_columns_checked_and_its_constraints(project):
    assert build(project, "contracted", n=1).returncode == 0
    assert build(project, "contracted", n=3).returncode == 0  # rebuilt: dropped, created
    assert query(project, "SELECT n FROM contracted") == [(3,)]
    constraints = query(
        project,
        "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'contracted'",
    )
    assert constraints == [("NOT NULL",)]
    # a column the contract does not name: dbt's check refuses it, the table stays
    wrong = build(project, "contracted", n=4, column="m")
    assert wrong.returncode == 1 and "contract" in wrong.stdout.lower()
    assert query(project, "SELECT n FROM contracted") == [(3,)]
    # a view's contract is not checked by this materialization: refused
    refused = build(project, "contracted_view")
    assert refused.returncode == 1 and "does not check contracts" in refused.stdout
    names = {row[0] for row in query(project, "SELECT table_name FROM information_schema.tables")}
    assert "contracted_view" not in names
