"""The real dbt, invoked one command after another by one Python process of the tests.

A `dbt` command started as its own program pays dbt's import (~2.5 s on these machines)
before it reads the project; the tests run dozens of commands. This process imports dbt
once and runs each command with dbt's programmatic entry (`dbtRunner`, the one dbt
documents for calling it from Python), as the command line would run it: the arguments,
the environment and the working folder are the request's; dbt's console output (stdout and
stderr) goes to files the request names; the exit code is the command line's (0; 1 a node
or test failed; 2 an error dbt raised). dbt still parses the project on each command as the
program does (its partial parse file in the target folder).

dbt-duckdb keeps its environment, and the build file's connection with it, for the
process's next command: it is closed after each one, so the tests read and change the file
in between, as they do between two dbt programs. One process per test process (xdist
worker), begun on the first command and ended with the test process.
"""

from __future__ import annotations

import atexit
import json
import select
import subprocess
import sys
import threading
from pathlib import Path

# Longer than any command of the tests takes (the fixture's whole build: ~10 s): a command
# still running then is stuck, and its process is killed.
TIMEOUT_SECONDS = 300

_SERVE = """
import json, os, sys
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

replies = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    request = json.loads(line)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    outputs = [os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
               for name in ("stdout", "stderr")]
    for fd, output in zip((1, 2), outputs):
        os.dup2(output, fd)
        os.close(output)
    try:
        result = dbtRunner().invoke(request["args"])
        code = 0 if result.success else 2 if result.exception is not None else 1
    except BaseException as error:  # dbtRunner returns dbt's errors; this is anything else
        print(repr(error), file=sys.stderr)
        code = 2
    finally:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
        sys.stdout.flush()
        sys.stderr.flush()
    replies.write(json.dumps({"code": code}) + "\\n")
    replies.flush()
"""


class DbtProcess:
    """One Python process running dbt commands in turn (see the module's docstring)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def run(
        self, args: list[str], cwd: Path, env: dict[str, str], outputs: Path
    ) -> subprocess.CompletedProcess:
        """dbt `args` in `cwd` with exactly `env`; its stdout and stderr kept in files under
        `outputs` and returned as a finished program's, whatever its exit code."""
        outputs.mkdir(parents=True, exist_ok=True)
        stdout, stderr = outputs / "dbt-stdout.txt", outputs / "dbt-stderr.txt"
        request = {"args": args, "cwd": str(cwd), "env": env}
        request |= {"stdout": str(stdout), "stderr": str(stderr)}
        with self._lock:
            process = self._started()
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            # one reply line per request: nothing is left buffered from the last one
            if not select.select([process.stdout], [], [], TIMEOUT_SECONDS)[0]:
                process.kill()
                self._process = None
                raise TimeoutError(
                    f"dbt {' '.join(args)} ran over {TIMEOUT_SECONDS} s: its process was "
                    f"killed; its output: {stdout}"
                )
            reply = process.stdout.readline()
            if not reply:
                self._process = None
                raise RuntimeError(
                    f"the dbt process ended (exit code {process.wait(timeout=60)}) running "
                    f"dbt {' '.join(args)}; its output: {stderr}"
                )
            # read before the next command may write the same files
            return subprocess.CompletedProcess(
                ["dbt", *args],
                json.loads(reply)["code"],
                stdout.read_text(encoding="utf-8", errors="replace"),
                stderr.read_text(encoding="utf-8", errors="replace"),
            )

    def _started(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SERVE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        return self._process

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._process.stdin is not None:
                self._process.stdin.close()
                self._process.wait(timeout=60)
            self._process = None


DBT = DbtProcess()
atexit.register(DBT.close)
