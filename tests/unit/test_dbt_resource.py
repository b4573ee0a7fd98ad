"""The dbt CLI resource (pipelines/defs/resources.py): dagster-dbt's, without asking the dbt
executable its version in a subprocess or opening a dbt adapter in Dagster's process before
every command. The version it reports must be the dbt that runs (the one beside this
Python), and it must stay below 2, the branch dagster-dbt takes for dbt-core."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.defs.resources import ParDbtCliResource, dbt_cli_resource


def test_the_version_is_the_installed_dbt_cores_without_a_subprocess(monkeypatch):
    resource = dbt_cli_resource()
    assert isinstance(resource, ParDbtCliResource)
    dbt = Path(sys.executable).with_name("dbt")
    printed = subprocess.run([str(dbt), "--version"], capture_output=True, text=True).stdout
    calls = []
    monkeypatch.setattr(subprocess, "check_output", lambda *a, **k: calls.append(a))
    reported = resource._cli_version
    assert calls == []
    assert f"installed: {reported}" in printed
    assert reported.major < 2
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_dagster_dbt_runs_par_dbt_beside_this_python():
    """dagster-dbt's dbt is the standby's client (pipelines/lib/dbt_standby_client.py), which
    is the real dbt when no standby serves: installed as a script beside this Python."""
    executable = Path(dbt_cli_resource().dbt_executable)
    assert executable == Path(sys.executable).with_name("par-dbt")
    assert os.access(executable, os.X_OK)


def test_an_environment_without_par_dbt_runs_the_real_dbt(tmp_path, caplog):
    """Installed before `par-dbt` existed (the code updated, `make` not run since): the dbt
    beside the Python, with a warning naming what to run, not dagster-dbt's refusal."""
    from pipelines.defs.resources import dbt_executable

    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    assert dbt_executable(python) == python.with_name("dbt")
    assert "make setup" in caplog.text and "par-dbt" in caplog.text
    python.with_name("par-dbt").touch()
    assert dbt_executable(python) == python.with_name("par-dbt")
