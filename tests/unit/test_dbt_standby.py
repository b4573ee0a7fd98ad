"""dbt's standby (pipelines/lib/dbt_standby.py) and `par-dbt`, the client dagster-dbt runs as
dbt (pipelines/lib/dbt_standby_client.py), with the real dbt and DuckDB: one standby per run
and none left after it; a build it serves ends as the real dbt's does (exit code, results,
errors) and runs in the standby's process; anything else, or a standby gone, is the real dbt
in the client's own process (it execs dbt: dbt's log lines carry the client's pid). A small
project of the tests' own keeps them fast; that the pipeline's own build is served is
asserted on a real run (tests/integration/test_small_pipeline.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.lib import dbt_standby, dbt_standby_client
from pipelines.lib.dbt_standby_client import ADDRESS_VARIABLE
from pipelines.settings import Settings

PAR_DBT = str(Path(sys.executable).with_name("par-dbt"))
DBT = str(Path(sys.executable).with_name("dbt"))
BUILD = ["build", "--target", "dev"]

PROJECT = {
    "dbt_project.yml": """
        name: tiny
        version: "0.1.0"
        profile: tiny
    """,
    "profiles.yml": """
        tiny:
          target: dev
          outputs:
            dev:
              type: duckdb
              path: "{{ env_var('TINY_DB') }}"
              threads: 1
              settings:
                threads: 1
    """,
    "models/numbers.sql": "select 1 as n union all select 2 as n",
    "tests/no_big_numbers.sql": "select * from {{ ref('numbers') }} where n > 5",
}
VARIANTS = {
    "passing": {},
    # a test that finds rows: dbt ends with 1
    "failing_test": {"tests/no_big_numbers.sql": "select * from {{ ref('numbers') }} where n > 1"},
    # a model dbt cannot parse: dbt ends with 2 (and the standby's own parse fails)
    "compile_error": {"models/broken.sql": "select {{ 1 + }}"},
    # a model held while the file TINY_HOLD names exists: a test's way to catch dbt in a node
    "held": {
        "models/held.py": """
            import os
            import time


            def model(dbt, session):
                hold = os.environ.get("TINY_HOLD", "")
                while hold and os.path.exists(hold):
                    time.sleep(0.05)
                return session.sql("select 1 as x")
        """
    },
    # a model that takes minutes unless cancelled (DuckDB stops a query dbt cancels)
    "slow": {
        "models/slow.sql": "{{ config(materialized='table') }}\n"
        "select max(hash(range)) as h from range(100000000000)"
    },
}


def write_project(root: Path, variant: str = "passing") -> Path:
    for name, text in {**PROJECT, **VARIANTS[variant]}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def env_for(project: Path, **more: str) -> dict[str, str]:
    """What the dbt step gives dbt, for this project: its build file, folders, no log file."""
    target = str(project / "target")
    return {
        "TINY_DB": str(project / "tiny.duckdb"),
        "DBT_TARGET_PATH": target,
        "DBT_LOG_PATH": target,
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_LEVEL_FILE": "none",
        **more,
    }


def begin(project: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    """A standby for the project, claimed for one build: its address and process."""
    assert dbt_standby.begin_for(project / "target", project, "dev", env)
    process = dbt_standby.standing()[(project / "target").absolute()]
    address = dbt_standby.claim(project / "target")
    assert address is not None
    return address, process


@pytest.fixture(autouse=True)
def _no_standby_left():
    yield
    for folder in list(dbt_standby.standing()):
        dbt_standby.stop(folder)


def start(
    executable: str, project: Path, env: dict[str, str], args: list[str], address: str = ""
) -> subprocess.Popen:
    """dbt (or the client) as dagster-dbt starts it: JSON log lines on one pipe, unbuffered."""
    (project / "target" / "run_results.json").unlink(missing_ok=True)
    full_env = {**os.environ, **env, "DBT_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}
    full_env.pop(ADDRESS_VARIABLE, None)
    if address:
        full_env[ADDRESS_VARIABLE] = address
    return subprocess.Popen(
        [executable, *args],
        cwd=project,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def events(process: subprocess.Popen) -> Iterator[dict]:
    """dbt's JSON log lines as they come (other lines as {'text': ...})."""
    for line in process.stdout:
        try:
            yield json.loads(line)
        except ValueError:
            yield {"text": line.decode(errors="replace")}


@dataclass
class Ran:
    code: int
    pid: int  # the process started: the client, or the real dbt
    events: list[dict]
    project: Path

    @property
    def pids(self) -> set[int]:
        """The processes dbt's log lines came from."""
        return {event["info"]["pid"] for event in self.events if "info" in event}

    @property
    def results(self) -> list[tuple] | None:
        """run_results.json: each node's status and failures (None if dbt wrote none)."""
        path = self.project / "target" / "run_results.json"
        if not path.exists():
            return None
        results = json.loads(path.read_text(encoding="utf-8"))["results"]
        return sorted((r["unique_id"], r["status"], r["failures"]) for r in results)

    @property
    def lines(self) -> list[tuple[str, str]]:
        """What dbt said, line by line: each event's name and level, those about its parse
        left out (the standby's build was parsed before it was asked)."""
        return [
            (event["info"]["name"], event["info"]["level"])
            for event in self.events
            if "info" in event and "Pars" not in event["info"]["name"]
        ]

    @property
    def errors(self) -> list[tuple[str, str]]:
        """dbt's error lines: the event and its first line (a node's timing left out)."""
        return [
            (event["info"]["name"], event["info"]["msg"].split(" in ")[0].splitlines()[0])
            for event in self.events
            if event.get("info", {}).get("level") == "error"
        ]


def run(
    executable: str, project: Path, env: dict[str, str], args: list[str], address: str = ""
) -> Ran:
    process = start(executable, project, env, args, address)
    lines = list(events(process))
    return Ran(process.wait(timeout=300), process.pid, lines, project)


def wait_until(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def gone(pid: int) -> bool:
    """The process has ended (a zombie no one reaps counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


# --- a run's standby ---------------------------------------------------------------------


def test_a_run_begins_one_standby_that_parses_and_none_is_left_after_stop(tmp_path):
    settings = Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")
    target = settings.dbt_target_dir
    assert not dbt_standby.begin(settings.replace(engine="spark"))  # Spark: none
    assert dbt_standby.standing() == {}
    assert dbt_standby.begin(settings)
    assert not dbt_standby.begin(settings)  # one per target folder
    process = dbt_standby.standing()[target.absolute()]
    # it parses the project into the folder's partial-parse state, as a plain dbt would
    wait_until((target / "partial_parse.msgpack").exists)
    assert process.poll() is None  # and waits for its one request
    assert not settings.build_db.exists()  # the parse opens no database
    assert dbt_standby.claim(target) is not None
    assert dbt_standby.claim(target) is None  # one build only
    assert dbt_standby.stop(target) == -signal.SIGTERM
    assert dbt_standby.standing() == {}
    assert dbt_standby.stop(target) is None
    assert gone(process.pid)


def test_a_standby_begun_by_a_process_ignoring_sigterm_still_ends_on_it(tmp_path):
    """Dagster gives SIGTERM whatever SIGINT has, and a background run or a test worker
    ignores SIGINT: the standby inherits an ignored SIGTERM, and `stop` then waited its
    grace period and killed it (-9) instead of ending it at once."""
    settings = Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")
    target = settings.dbt_target_dir
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        assert dbt_standby.begin(settings)
    finally:
        signal.signal(signal.SIGTERM, previous)
    wait_until((target / "partial_parse.msgpack").exists)
    assert dbt_standby.stop(target) == -signal.SIGTERM


def test_a_standby_ends_when_its_runs_process_is_gone(tmp_path):
    project = write_project(tmp_path / "p")
    # a run's process that begins a standby, says its pid and is then killed
    code = f"""
import sys, time
from pathlib import Path
from pipelines.lib import dbt_standby
project = Path({str(project)!r})
dbt_standby.begin_for(project / "target", project, "dev", {env_for(project)!r})
print(dbt_standby.standing()[(project / "target").absolute()].pid, flush=True)
time.sleep(120)
"""
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    standby = int(parent.stdout.readline())
    assert not gone(standby)
    parent.kill()
    parent.wait()
    wait_until(lambda: gone(standby), seconds=10)


# --- the client without a standby ----------------------------------------------------------


@pytest.mark.parametrize("address", ["", "par-dbt-standby-nobody-listens-here"])
def test_the_client_without_a_standby_is_the_real_dbt(tmp_path, address):
    project = write_project(tmp_path / "p")
    ran = run(PAR_DBT, project, env_for(project), BUILD, address)
    assert ran.code == 0
    assert ran.pids == {ran.pid}  # dbt itself, in the client's process (exec)
    assert ran.results == [
        ("model.tiny.numbers", "success", None),
        ("test.tiny.no_big_numbers", "pass", 0),
    ]


# --- a build the standby serves --------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "code", "outcome"),
    [
        ("passing", 0, dbt_standby.SERVED),
        ("failing_test", 1, dbt_standby.SERVED),
        # the standby's parse fails: it serves the build, which parses and fails as dbt does
        ("compile_error", 2, dbt_standby.SERVED_PARSING),
    ],
)
def test_a_build_the_standby_serves_ends_as_the_real_dbts(tmp_path, variant, code, outcome):
    real = write_project(tmp_path / "real", variant)
    by_dbt = run(DBT, real, env_for(real), BUILD)
    served = write_project(tmp_path / "served", variant)
    address, standby = begin(served, env_for(served))
    by_standby = run(PAR_DBT, served, env_for(served), BUILD, address)
    assert dbt_standby.outcome(served / "target") == outcome
    assert by_dbt.code == by_standby.code == code
    assert by_dbt.pids == {by_dbt.pid}
    assert by_standby.pids == {standby.pid}  # dbt ran in the standby, not in the client
    assert by_standby.results == by_dbt.results
    assert by_standby.errors == by_dbt.errors
    # the same lines (the standby's dbt builds only those its logger keeps: dbt_kept_lines)
    assert by_standby.lines == by_dbt.lines
    assert (by_dbt.results is not None) == (variant != "compile_error")
    assert bool(by_dbt.errors) == (variant != "passing")
    # the standby has ended with its build
    assert gone(standby.pid)


# --- what the standby declines --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "more_env"),
    [
        (BUILD, {"DBT_STATIC_PARSER": "false"}),  # a dbt variable it did not parse with
        (["run", "--target", "dev"], {}),  # not a build
    ],
)
def test_a_request_the_standby_declines_runs_the_real_dbt(tmp_path, args, more_env):
    project = write_project(tmp_path / "p")
    address, standby = begin(project, env_for(project))
    ran = run(PAR_DBT, project, env_for(project, **more_env), args, address)
    assert ran.code == 0
    assert ran.pids == {ran.pid}  # the real dbt, in the client's process
    assert dbt_standby.outcome(project / "target") == dbt_standby.DECLINED
    assert ("model.tiny.numbers", "success", None) in ran.results


def _dbt_step_request(project: Path, **changes) -> dict:
    env = {
        **env_for(project),
        "PAR_WINDOW_START": "",
        "PAR_WINDOW_END": "",
        "PAR_BUILD_SEQUENCE": "",
        "HOME": "/home/parsed",
    }
    request = {"argv": list(BUILD), "env": env, "cwd": str(project)}
    for key, value in changes.items():
        request[key] = value
    return request


@pytest.mark.parametrize(
    ("argv", "env_changes", "cwd", "declined"),
    [
        # the dbt step's build: what dagster-dbt adds, the run's window and the build's
        # number do not matter
        (BUILD, {}, None, ""),
        (
            [*BUILD, "--select", "numbers"],
            {
                "PAR_WINDOW_START": "2021-03-01",
                "PAR_WINDOW_END": "2021-03-31",
                "PAR_BUILD_SEQUENCE": "12",
                "DBT_LOG_FORMAT": "json",
                "DBT_INDIRECT_SELECTION": "empty",
                "PYTHONUNBUFFERED": "1",
                "HOME": "/home/other",
            },
            None,
            "",
        ),
        (["build", "--target=dev"], {}, None, ""),
        (["build", "-t", "dev"], {}, None, ""),
        (["build"], {}, None, "not the target dev"),
        (["build", "--target", "prod"], {}, None, "not the target dev"),
        (["test", "--target", "dev"], {}, None, "not a dbt build: test"),
        ([], {}, None, "not a dbt build: no command"),
        ([*BUILD, "--vars={n: 1}"], {}, None, "an option that changes the parse: --vars"),
        ([*BUILD, "--profiles-dir", "x"], {}, None, "an option that changes the parse"),
        (BUILD, {}, "/", "another folder"),
        (BUILD, {"DBT_PARTIAL_PARSE": "false"}, None, "another environment: DBT_PARTIAL_PARSE"),
        (BUILD, {"TINY_DB": "x.duckdb"}, None, "another environment: TINY_DB"),
        (BUILD, {"DBT_PROJECT_DIR": None}, None, "another environment: DBT_PROJECT_DIR"),
    ],
)
def test_what_the_standby_serves_and_what_it_declines(tmp_path, argv, env_changes, cwd, declined):
    project = tmp_path
    parsed_with = _dbt_step_request(project)
    request = _dbt_step_request(project, argv=argv, cwd=cwd or str(project))
    for name, value in env_changes.items():
        if value is None:
            request["env"].pop(name)
        else:
            request["env"][name] = value
    # as the run's standby compares (begin_for): the dbt step's variables, the window and the
    # build's number among them, less those read only when dbt executes
    read_when_executing = {"PAR_WINDOW_START", "PAR_WINDOW_END", "PAR_BUILD_SEQUENCE"}
    compared = {*env_for(project), *read_when_executing} - set(dbt_standby.EXECUTE_ONLY)
    why = dbt_standby.declined_because(request, "dev", compared, parsed_with)
    assert why.startswith(declined) and bool(why) == bool(declined), why


# --- a standby gone, a build cancelled ------------------------------------------------------


def test_a_standby_that_dies_before_its_code_leaves_the_build_to_the_real_dbt(tmp_path):
    project = write_project(tmp_path / "p", "held")
    hold = tmp_path / "hold"
    hold.touch()
    env = env_for(project, TINY_HOLD=str(hold))
    address, standby = begin(project, env)
    client = start(PAR_DBT, project, env, BUILD, address)
    seen = []
    for event in events(client):
        seen.append(event)
        if event.get("info", {}).get("name") == "LogStartLine" and "held" in event["info"]["msg"]:
            break
    assert {event["info"]["pid"] for event in seen if "info" in event} == {standby.pid}
    standby.kill()  # serving, before its exit code: the client sees the socket's end
    standby.wait()
    hold.unlink()
    after = list(events(client))
    assert client.wait(timeout=300) == 0
    # the whole build again, by the real dbt in the client's process
    assert {event["info"]["pid"] for event in after if "info" in event} == {client.pid}
    assert any(event.get("info", {}).get("name") == "LogModelResult" for event in after)


def test_sigterm_to_the_client_cancels_the_build_and_ends_the_standby(tmp_path):
    project = write_project(tmp_path / "p", "slow")
    env = env_for(project)
    address, standby = begin(project, env)
    client = start(PAR_DBT, project, env, [*BUILD, "--select", "slow"], address)
    try:
        for event in events(client):
            if event.get("info", {}).get("name") == "LogStartLine":
                break
        time.sleep(0.5)  # the query under way: it takes minutes uncancelled
        client.send_signal(signal.SIGTERM)  # Dagster cancelling the step
        # dbt cancelled as on Ctrl-C, and its code is the real dbt's then (2)
        assert client.wait(timeout=60) == 2
    finally:
        client.kill()  # only if it is still there: the test has failed
    after = list(events(client))
    assert any("CANCEL" in event.get("info", {}).get("msg", "") for event in after)
    assert dbt_standby.outcome(project / "target", timeout=10) == dbt_standby.SERVED
    assert gone(standby.pid)


# The client's `served` in a process of its own, as the user `uid`: the exit code the
# standby sent, or None (declined: the real dbt would run instead). The client is standard
# library only: any Python 3 of the machine runs it, from a copy beside the project.
_ASK = """
import sys
sys.path.insert(0, sys.argv[2])
from dbt_standby_client import served
print("CODE", served(sys.argv[1], ["build", "--target", "dev"]), flush=True)
"""


def _python_for_everyone() -> str | None:
    """A Python other users may run (this one's may live under root's home): one whose
    every folder up from it others may enter."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        path = Path(candidate).resolve()
        if path.exists() and all(p.stat().st_mode & 0o001 for p in [path, *path.parents]):
            return str(path)
    return None


def _ask_as(python: str, uid: int, address: str, project: Path) -> str:
    done = subprocess.run(
        [python, "-c", _ASK, address, str(project.parent)],
        cwd=project,
        env={**os.environ, **env_for(project), "PYTHONDONTWRITEBYTECODE": "1"},
        user=uid,
        capture_output=True,
        text=True,
        timeout=300,
    )
    codes = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("CODE ")]
    assert codes, done.stderr
    return codes[-1]


@pytest.mark.skipif(os.getuid() != 0, reason="asking as another user needs root")
def test_the_standby_serves_only_its_own_user():
    """Its address is an abstract socket, which has no file permissions: any user on the
    machine can connect. The standby checks the peer's user and declines another's (the
    real dbt then runs as that user, with that user's rights); its own user's same request,
    from the same folder and environment, is served."""
    python = _python_for_everyone()
    if python is None:
        pytest.skip("no Python that another user may run")
    # a folder every user can enter: the request names it, and the standby compares it
    root = Path(tempfile.mkdtemp(prefix="standby-user-"))
    root.chmod(0o755)
    try:
        shutil.copy(dbt_standby_client.__file__, root / "dbt_standby_client.py")
        project = write_project(root / "p")
        address, _standby = begin(project, env_for(project))
        assert _ask_as(python, 65534, address, project) == "None"  # nobody: declined
        assert dbt_standby.outcome(project / "target") == dbt_standby.DECLINED
        dbt_standby.stop(project / "target")

        address, _standby = begin(project, env_for(project))
        assert _ask_as(python, os.getuid(), address, project) == "0"  # its own user: served
        assert dbt_standby.outcome(project / "target") == dbt_standby.SERVED
    finally:
        shutil.rmtree(root, ignore_errors=True)
