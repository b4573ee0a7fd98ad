"""The tests' dbt process (tests/dbt_process.py) ends each command as the dbt program ends
it: the same exit code for a success, a failed node and an error; the command's output;
the build file free for the test between commands; and only the request's environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.dbt_process import DBT
from tests.unit.test_dbt_materializations import PROJECT as TINY_PROJECT

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
    root = tmp_path / "tiny"
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def env_for(project: Path, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "TINY_DB": str(project / "tiny.duckdb"),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_LEVEL_FILE": "none",
        **more,
    }


def numbers(project: Path) -> list[tuple]:
    # another process's connection, as the tests read the build file between commands
    conn = duckdb.connect(str(project / "tiny.duckdb"), read_only=True)
    try:
        return conn.execute("SELECT n FROM numbers").fetchall()
    finally:
        conn.close()


def test_a_command_ends_with_the_dbt_programs_exit_code_and_output(project):
    outputs = project.parent / "out"
    done = DBT.run(["run"], project, env_for(project, TINY_N="5"), outputs)
    assert done.returncode == 0 and "Completed successfully" in done.stdout
    assert numbers(project) == [(5,)]  # the file is free between commands
    # a node that fails: 1, dbt's error in the output, the other node built
    failed = DBT.run(["run", "--vars", '{"fail": true}'], project, env_for(project), outputs)
    assert failed.returncode == 1 and "asked to fail" in failed.stdout
    # the environment is the request's alone: TINY_N is not left from the first command
    assert numbers(project) == [(1,)]
    # an error dbt raises before any node (a reference to no model): 2, as the program
    args = ["compile", "--inline", "select * from {{ ref('missing') }}"]
    program = subprocess.run(
        [DBT_PROGRAM, *args],
        cwd=project,
        env=env_for(project),
        capture_output=True,
        text=True,
        timeout=300,
    )
    served = DBT.run(args, project, env_for(project), outputs)
    assert program.returncode == 2
    assert served.returncode == program.returncode
    assert "missing" in served.stdout
