"""`par-dbt`: what dagster-dbt runs instead of `dbt` (pipelines/defs/resources.py). When
the dbt step names a standby (`pipelines.lib.dbt_standby`: a dbt process begun with the
run, dbt already imported and the project parsed), it hands the command to it; in every
other case it becomes the real dbt, so that behaves exactly as `dbt` itself.

It imports only the standard library: it starts in ~40 ms, where dbt's own start-up is
~2.5 s. To be served, it passes the standby its standard input, output and error (so dbt's
log lines go straight into dagster-dbt's pipe, as the real dbt's would), its arguments,
environment and folder, and exits with the exit code the standby sends back: the one the
real `dbt` gives (0 success, 1 a node or test failed, 2 an error). A SIGINT or SIGTERM
(Dagster cancelling the step) is passed on to the standby, whose dbt then cancels as on
Ctrl-C. The real dbt runs instead (`os.execv`, same arguments) when no standby is named,
it cannot be reached, it declines the command (another command, or another environment than
the one it parsed with), or it ends before sending a code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys

# The one environment variable read outside pipelines/settings.py: the dbt step sets it to
# the standby's address for its `dbt build`, and this process must start in milliseconds
# without importing the project's settings (nor anything else but the standard library).
# An abstract socket's name (Linux), without its leading NUL, which no environment value
# may hold.
ADDRESS_VARIABLE = "PAR_DBT_STANDBY"
# The name pyproject.toml's [project.scripts] installs this client under, beside the Python.
SCRIPT = "par-dbt"

# The conversation, on one Unix stream socket. The client sends REQUEST with its three
# standard file descriptors, then the request's length (8 bytes, big-endian) and the
# request (JSON: argv, env, cwd); the standby answers a line, ACCEPTED or DECLINED (and
# why); when accepted, the client may send INTERRUPT lines (a signal it received), and the
# standby ends with the line `exit <code>` and then its own end (the socket's EOF).
REQUEST = b"R"
ACCEPTED = b"accepted"
DECLINED = b"declined"
EXIT = b"exit"
INTERRUPT = b"interrupt\n"
LENGTH_BYTES = 8
STANDARD_FDS = (0, 1, 2)


def real_dbt() -> str:
    """The dbt installed beside this Python (the venv's), whether or not its bin is on PATH."""
    return os.path.join(os.path.dirname(sys.executable), "dbt")


def main() -> None:
    argv = sys.argv[1:]
    address = os.environ.pop(ADDRESS_VARIABLE, "")
    if address:
        code = served(address, argv)
        if code is not None:
            sys.exit(code)
    dbt = real_dbt()
    os.execv(dbt, [dbt, *argv])


def served(address: str, argv: list[str]) -> int | None:
    """The exit code of `dbt <argv>` as the standby at `address` ran it, or None when it
    did not (unreachable, declined, or it ended before sending a code). If a signal came
    and the command was not run to its end, this process ends by that signal."""
    signals: list[int] = []
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    def forward(signum: int, _frame) -> None:
        signals.append(signum)
        # not connected yet, or the standby is gone: the code (or none) decides below
        with contextlib.suppress(OSError):
            conn.sendall(INTERRUPT)

    previous = {
        number: signal.signal(number, forward) for number in (signal.SIGINT, signal.SIGTERM)
    }
    code = None
    try:
        conn.connect("\0" + address)
        request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()})
        payload = request.encode()
        socket.send_fds(conn, [REQUEST], list(STANDARD_FDS))
        conn.sendall(len(payload).to_bytes(LENGTH_BYTES, "big") + payload)
        replies = conn.makefile("rb")
        if replies.readline().startswith(ACCEPTED):
            code = _exit_code(replies.readline())
            # the standby's end closes the socket: wait for it, so that when this process
            # ends dbt has let go of the build file and of dagster-dbt's pipe (the command
            # has run: nothing here may make it run again)
            if code is not None:
                with contextlib.suppress(OSError):
                    replies.read()
    except (OSError, ValueError):
        code = None  # refused, reset, or a reply that is not one
    finally:
        conn.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    if code is None and signals:
        # cancelled, and the standby did not run the command to its end: not the real dbt
        # now, but the end a signal would have brought
        signal.signal(signals[0], signal.SIG_DFL)
        os.kill(os.getpid(), signals[0])
    return code


def _exit_code(line: bytes) -> int | None:
    words = line.split()
    if len(words) == 2 and words[0] == EXIT:
        return int(words[1])
    return None


if __name__ == "__main__":
    main()
