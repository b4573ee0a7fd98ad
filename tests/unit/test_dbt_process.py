"""The tests' dbt process (tests/dbt_process.py) ends each command as the dbt program ends
it: the same exit code for a success, a failed node and an error; the command's output;
the build file free for the test between commands; and only the request's environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.dbt_process import DBT
from tests.unit.test_dbt_materializations import PROJECT as TINY_PROJECT
from tests.unit.test_dbt_materializations import tiny_env, write_project

DBT_PROGRAM = str(Path(sys.executable).with_name("dbt"))

PROJECT = {
    # the materialization tests' tiny project: tables, a DuckDB file named by TINY_DB
    "dbt_project.yml": TINY_PROJECT["dbt_project.yml"],
    "profiles.yml": TINY_PROJECT["profiles.yml"],
    # its value from an environment variable, so a test sees which environment dbt had
    "models/numbers.sql": "select {{ env_var('TINY_N', '1') }} as n",
    # fails when asked to
    "models/failing.sql": "select {{ 'error(''asked to fail'')' if var('fail', false) "
    "else '1' }} as n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "tiny", PROJECT)


def numbers(project: Path) -> list[tuple]:
    # another process's connection, as the tests read the build file between commands
    conn = duckdb.connect(str(project / "tiny.duckdb"), read_only=True)
    try:
        return conn.execute("SELECT n FROM numbers").fetchall()
    finally:
        conn.close()


def test_a_command_ends_with_the_dbt_programs_exit_code_and_output(project):
    outputs = project.parent / "out"
    done = DBT.run(["run"], project, tiny_env(project, TINY_N="5"), outputs)
    assert done.returncode == 0 and "Completed successfully" in done.stdout
    assert numbers(project) == [(5,)]  # the file is free between commands
    # a node that fails: 1, dbt's error in the output, the other node built
    failed = DBT.run(["run", "--vars", '{"fail": true}'], project, tiny_env(project), outputs)
    assert failed.returncode == 1 and "asked to fail" in failed.stdout
    # the environment is the request's alone: TINY_N is not left from the first command
    assert numbers(project) == [(1,)]
    # an error dbt raises before any node (a reference to no model): 2, as the program
    args = ["compile", "--inline", "select * from {{ ref('missing') }}"]
    program = subprocess.run(
        [DBT_PROGRAM, *args],
        cwd=project,
        env=tiny_env(project),
        capture_output=True,
        text=True,
        timeout=300,
    )
    served = DBT.run(args, project, tiny_env(project), outputs)
    assert program.returncode == 2
    assert served.returncode == program.returncode
    assert "missing" in served.stdout
