"""dbt's standby: a dbt process begun with every run on the DuckDB engine, which imports dbt
and parses the project beside the run's start-up and then runs the dbt step's `dbt build`
itself, so that dbt's own start-up is off the run's critical path.

A `dbt build` process spends ~2.5 s before its first node: ~1.5 s importing dbt, ~0.9 s
registering the adapter and loading the manifest from its partial-parse state (a full
parse, with no state or a changed project, ~3 s more). The run's own start-up (Dagster, the
definitions, planning the run) is single-threaded Python, ~3.4 s, so on two cores the
standby does all that on the idle one. dagster-dbt runs `par-dbt`
(`pipelines.lib.dbt_standby_client`) instead of `dbt`; given the standby's address by the
dbt step, it hands the standby the command and its standard streams, and the standby runs
the command with the manifest of its parse, as `dbtRunner(manifest=...)` does but through
dbt's own command-line entry, so that the exit code is the real dbt's. Any other dbt
command, or a build the standby declines, runs the real dbt as before. A mid-bench
nightly's dbt step: 11.8 → 9.2 s.

The standby serves one request, and only a `dbt build` of what it parsed: the same target,
no option that changes a parse, the same folder and the same environment (the dbt step's
variables but the run's window, which the project reads only when dbt executes:
macros/partition_window.sql; every `DBT_*` variable but the two dagster-dbt sets for how
dbt logs and which tests a selection takes; every variable the project's files read while
parsing). If its parse failed, it serves the build without a manifest: dbt then parses for
itself and fails as the real dbt would. It ends once it has served, when its run's process
is gone, or when stopped (SIGTERM): `execute_build` stops it at the run's end, so none
outlives its run. Its parse leaves the partial-parse state in the target folder, as a plain
`dbt parse` would, for any later dbt there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.lib import dbt_standby_client as client
from pipelines.lib import heap
from pipelines.lib.dbt_kept_lines import keep_only_kept_lines
from pipelines.settings import (
    DBT_EXECUTE_TIME_VARIABLES,
    DBT_PROJECT_DIR,
    Settings,
    dbt_environment,
)

_log = logging.getLogger(__name__)

# The variable the dbt step sets to the standby's address for its `dbt build`.
ADDRESS_VARIABLE = client.ADDRESS_VARIABLE

# How a standby ended: its exit status (1 is Python's own, an error in the standby itself).
SERVED = 0  # it ran the build with the manifest of its parse
DECLINED = 3  # it was asked something else: the client ran the real dbt
PARENT_GONE = 4  # its run's process ended before asking
SERVED_PARSING = 5  # its parse had failed: it ran the build, which parsed for itself

# The run's window and the build's number: read by the project only when dbt executes, so
# they are not parsed with.
EXECUTE_ONLY = DBT_EXECUTE_TIME_VARIABLES
# dbt options that change what a parse makes: a build given one is not the standby's.
PARSE_OPTIONS = (
    "--vars",
    "--profile",
    "--project-dir",
    "--profiles-dir",
    "--target-path",
    "--no-partial-parse",
    "--partial-parse-file-path",
    "--use-experimental-parser",
    "--static-parser",
    "--no-static-parser",
)
# The dbt variables dagster-dbt sets for each command that do not change a parse: the
# format of dbt's log lines, and which tests a selection takes.
PER_COMMAND = frozenset({"DBT_LOG_FORMAT", "DBT_INDIRECT_SELECTION"})

_MODULE = "pipelines.lib.dbt_standby"
_PARENT_POLL_SECONDS = 0.2


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment of the dbt step's `dbt build` as far as dbt's parse depends on it
    (dagster-dbt passes the target folder, the profiles and project folders as these); the
    window and the build's number are left empty."""
    target_dir = str(settings.dbt_target_dir)
    return {
        **dbt_environment(settings),
        "DBT_TARGET_PATH": target_dir,
        "DBT_LOG_PATH": target_dir,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
    }


# --- the run's side ---------------------------------------------------------------------


@dataclass
class _Standby:
    process: subprocess.Popen
    address: str
    claimed: bool = False


_lock = threading.Lock()
_standbys: dict[Path, _Standby] = {}


def begin(settings: Settings) -> bool:
    """Begin a standby for this warehouse's dbt target folder (the DuckDB engine only; one
    per folder). Returns whether it was begun."""
    if settings.engine != "duckdb":
        return False
    return begin_for(
        settings.dbt_target_dir, DBT_PROJECT_DIR, settings.dbt_target, dbt_env(settings)
    )


def begin_for(target_dir: Path, project_dir: Path, target: str, env: Mapping[str, str]) -> bool:
    """Begin a standby parsing the dbt project in `project_dir` for `target` with `env` added
    to this process's environment (`begin` for a warehouse; tests for a project of their
    own), keyed by the target folder its build writes."""
    target_dir = Path(target_dir).absolute()
    with _lock:
        if target_dir in _standbys:
            return False
        target_dir.mkdir(parents=True, exist_ok=True)
        # an abstract address (no file: a path under pytest's tmp can pass the 108 bytes a
        # socket's path may have), bound and listening before the standby starts: a client
        # that comes while it still parses waits in the backlog
        address = f"par-dbt-standby-{os.getpid()}-{secrets.token_hex(8)}"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind("\0" + address)
            listener.listen(1)
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    _MODULE,
                    "--listen-fd",
                    str(listener.fileno()),
                    "--parent",
                    str(os.getpid()),
                    "--target",
                    target,
                    "--compare",
                    ",".join(sorted(set(env) - set(EXECUTE_ONLY))),
                ],
                pass_fds=(listener.fileno(),),
                cwd=project_dir,
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            _log.warning("dbt's standby could not begin: %s", error)
            return False
        finally:
            listener.close()  # the standby holds it now: it goes with the standby's end
        _standbys[target_dir] = _Standby(process, address)
    return True


def claim(target_dir: Path) -> str | None:
    """The address of the standby begun for this target folder, for one `dbt build`; None
    when none was begun (another engine, a run started elsewhere), it has ended, or it was
    claimed already (it serves one request)."""
    with _lock:
        standby = _standbys.get(Path(target_dir).absolute())
        if standby is None or standby.claimed or standby.process.poll() is not None:
            return None
        standby.claimed = True
        return standby.address


def outcome(target_dir: Path, timeout: float = 5) -> int | None:
    """How the standby of this target folder ended (SERVED, DECLINED, ...), waiting a little
    for its end (it ends as it sends the build's exit code); None if there is none, or it
    still runs."""
    with _lock:
        standby = _standbys.get(Path(target_dir).absolute())
    if standby is None:
        return None
    try:
        return standby.process.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def describe(code: int | None) -> str:
    """What the dbt step says of how its build ran, given the standby's `outcome`."""
    if code == SERVED:
        return (
            "dbt build was served by the standby begun with the run: dbt imported and the "
            "project parsed beside the run's start-up"
        )
    if code == SERVED_PARSING:
        return (
            "dbt build was served by the standby begun with the run, parsing the project "
            "itself: the standby's parse had failed"
        )
    if code == DECLINED:
        return (
            "dbt build ran as a process of its own: the standby begun with the run declined "
            "it (another command, folder or environment than it parsed with)"
        )
    ended = "" if code is None else f" (it ended with {code})"
    return (
        "dbt build ran as a process of its own: the standby begun with the run did not "
        f"serve it{ended}"
    )


def stop(target_dir: Path, grace_seconds: float = 25) -> int | None:
    """End the standby of this target folder if it still runs, and forget it: SIGTERM ends
    an idle one at once and makes one that is serving cancel dbt (killed after the grace
    period). Its exit status; None if none was begun."""
    with _lock:
        standby = _standbys.pop(Path(target_dir).absolute(), None)
    if standby is None:
        return None
    process = standby.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def standing() -> dict[Path, subprocess.Popen]:
    """The standbys begun and not yet stopped (for tests)."""
    with _lock:
        return {folder: standby.process for folder, standby in _standbys.items()}


# --- the standby's side -----------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    # SIGTERM (`stop`) ends an idle standby at once, even one begun by a process that
    # ignores it: an ignored signal stays ignored in the processes it starts, and Dagster
    # gives SIGTERM whatever SIGINT has, which a job a script starts in the background
    # ignores, as a test worker may (stop then waited its 25 s grace period and killed it)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser(prog=_MODULE, description="dbt's standby (begun by a run)")
    parser.add_argument("--listen-fd", type=int, required=True)
    # the run's process, named by itself: it may be gone before this one asks getppid
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--compare", default="", help="variables to match, comma-separated")
    options = parser.parse_args(argv)
    serving = threading.Event()
    _watch_parent(options.parent, serving)
    listener = socket.socket(fileno=options.listen_fd)
    parsed_with = {"env": dict(os.environ), "cwd": os.getcwd()}

    # what it makes now (dbt's modules, the manifest) lives until it ends: no collection
    # walks it while it is made, and it is frozen out of the collector's sight after, as
    # the run's own process does (pipelines/lib/heap.py); the build's collections then skip
    # it (~0.4 s of a mid-bench nightly's)
    with heap.loading():
        from dbt.cli.main import dbtRunner

        # dbt builds a log line for each debug event only to drop it at dagster-dbt's
        # info level
        keep_only_kept_lines()
        parse = ["parse", "--target", options.target, "--quiet"]
        _as_dbt(parse)
        parsed = dbtRunner().invoke(parse)
    manifest = parsed.result if parsed.success else None
    compared = {name for name in options.compare.split(",") if name}
    if manifest is not None:
        compared |= set(manifest.env_vars)  # what the project's files read while parsing
    conn, _ = listener.accept()
    listener.close()
    os._exit(_answer(conn, options.target, compared, parsed_with, manifest, serving))


def _watch_parent(parent: int, serving: threading.Event) -> None:
    """End this process when the run's process is gone (it would wait for nobody); one that
    is serving cancels dbt instead, as on Ctrl-C (its run's build lock is gone)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_SECONDS)
        if not serving.is_set():
            os._exit(PARENT_GONE)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _answer(
    conn: socket.socket,
    target: str,
    compared: set[str],
    parsed_with: Mapping[str, Any],
    manifest: Any,
    serving: threading.Event,
) -> int:
    """Read the one request and decline it or serve it; the exit status to end with."""
    try:
        # an abstract address has no file permissions: anyone on the machine could ask
        peer = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", peer)
        data, fds, _flags, _address = socket.recv_fds(
            conn, len(client.REQUEST), len(client.STANDARD_FDS)
        )
        requests = conn.makefile("rb")
        length = int.from_bytes(requests.read(client.LENGTH_BYTES), "big")
        request = json.loads(requests.read(length))
        request_fds = data == client.REQUEST and len(fds) == len(client.STANDARD_FDS)
        why = "" if request_fds else "not a request"
        why = why or ("another user" if uid != os.getuid() else "")
        why = why or declined_because(request, target, compared, parsed_with)
        if why:
            conn.sendall(b"%s %s\n" % (client.DECLINED, why.encode()))
            return DECLINED
        conn.sendall(client.ACCEPTED + b"\n")
    except (OSError, ValueError, TypeError, KeyError):
        return DECLINED  # the client went, or sent what is not a request
    code = _serve(request, fds, manifest, requests, serving)
    with contextlib.suppress(OSError):  # the client went: nobody waits for the code
        conn.sendall(b"%s %d\n" % (client.EXIT, code))
    return SERVED if manifest is not None else SERVED_PARSING


def declined_because(
    request: Mapping[str, Any],
    target: str,
    compared: Iterable[str],
    parsed_with: Mapping[str, Any],
) -> str:
    """Why the request is not a `dbt build` of what the standby parsed ('' if it is): the
    command, its target, an option that changes a parse, its folder, or the variables
    that differ (by name only: values may be secrets)."""
    argv = [str(arg) for arg in request["argv"]]
    if not argv or argv[0] != "build":
        return f"not a dbt build: {' '.join(argv[:1]) or 'no command'}"
    if _option_value(argv, "--target", "-t") != target:
        return f"not the target {target}"
    given = sorted({arg.split("=", 1)[0] for arg in argv} & set(PARSE_OPTIONS))
    if given:
        return f"an option that changes the parse: {', '.join(given)}"
    if os.path.realpath(request["cwd"]) != os.path.realpath(parsed_with["cwd"]):
        return "another folder"
    env, parsed_env = request["env"], parsed_with["env"]
    names = set(compared) | {name for name in (*env, *parsed_env) if name.startswith("DBT_")}
    differ = sorted(
        name
        for name in names - PER_COMMAND - set(EXECUTE_ONLY)
        if env.get(name) != parsed_env.get(name)
    )
    return f"another environment: {', '.join(differ)}" if differ else ""


def _option_value(argv: list[str], *names: str) -> str | None:
    value = None
    for number, arg in enumerate(argv):
        if arg in names and number + 1 < len(argv):
            value = argv[number + 1]
        elif arg.split("=", 1)[0] in names and "=" in arg:
            value = arg.split("=", 1)[1]
    return value


def _serve(
    request: Mapping[str, Any],
    fds: list[int],
    manifest: Any,
    requests: Any,
    serving: threading.Event,
) -> int:
    """Run `dbt <argv>` as the real dbt would, in the request's environment and folder,
    writing to the client's streams; its exit code."""
    from dbt.cli.main import cli

    for fd, standard in zip(fds, client.STANDARD_FDS, strict=True):
        os.dup2(fd, standard)
        os.close(fd)
    # dbt writes a line per event: each must reach dagster-dbt's pipe as it is written
    # (the real dbt runs unbuffered)
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=True)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    # an interrupt (the client's, a SIGTERM from `stop`, the run's process gone) is dbt's
    # KeyboardInterrupt, as Ctrl-C is the real dbt's; this process may have been begun
    # with SIGINT ignored (a run in the background)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    serving.set()
    threading.Thread(target=_pass_on_interrupts, args=(requests,), daemon=True).start()
    argv = [str(arg) for arg in request["argv"]]
    _as_dbt(argv)
    code = 128 + signal.SIGINT  # interrupted before dbt's own handling
    try:
        # dbt's command-line entry, as the `dbt` script calls it, given the manifest as
        # dbtRunner gives it: the exit code is the real dbt's (0, 1 a node or test failed,
        # 2 an error) without translating dbtRunner's result
        cli.main(
            args=argv,
            prog_name="dbt",
            standalone_mode=True,
            obj={"manifest": manifest, "callbacks": [], "dbt_runner_command_args": argv},
        )
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        logging.shutdown()  # dbt's log file, if it keeps one
    return code


def _as_dbt(argv: list[str]) -> None:
    """This process's argv as the real dbt's for this command: dbt reads sys.argv besides
    the arguments it is given (the command it records in its artifacts and log, and the
    options it counts as the user's)."""
    sys.argv = [client.real_dbt(), *argv]


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _pass_on_interrupts(requests: Any) -> None:
    """The client's INTERRUPT lines as SIGINT to this process; its end (killed) as one too:
    nobody waits for this build any more."""
    for line in requests:
        if line == client.INTERRUPT:
            os.kill(os.getpid(), signal.SIGINT)
    os.kill(os.getpid(), signal.SIGINT)


if __name__ == "__main__":
    main()
