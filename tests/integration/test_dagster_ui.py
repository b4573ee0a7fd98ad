"""The operators' UI: the Dagster webserver on the project's workspace shows the lineage of
indicator_values back to the four feeds, with its checks. Rendered by headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, render_until

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            *("-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)),
        ],
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, stopped by PID below
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the Dagster webserver did not start")
                time.sleep(1)
        yield base
    finally:
        # `dagster-webserver` may ignore SIGTERM in some shells: kill the whole group.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


# The node labels of the upstream graph: the ingest assets and an intermediate model.
UPSTREAM = ["units", "procedures", "dossiers", "documents", "reports", "ingest_ledger"]


def test_lineage_of_indicator_values_shows_the_feeds(webserver):
    expected = [f">{name}<" for name in UPSTREAM] + ["int_unit_area"]
    dom = render_until(
        f"{webserver}/assets/marts/indicator_values?view=lineage&lineageScope=upstream"
        "&lineageDepth=20",
        expected,
        screenshot=ARTIFACTS / "dagster_lineage_indicator_values.png",
    )
    assert [text for text in expected if text not in dom] == []


# The contract's invariants, as dbt generic tests turned into Dagster asset checks.
INVARIANT_CHECKS = [
    "rate_value_is_rounded_ratio",
    "codes_sum_to_code_indicator_values_DOSSIER_ONTIME",
    "area_equals_sum_of_self",
    "flows_add_up_over_periods",
    "stocks_equal_last_subperiod",
]


def test_checks_of_indicator_values_are_listed(webserver):
    dom = render_until(
        f"{webserver}/assets/marts/indicator_values?view=checks",
        INVARIANT_CHECKS,
        screenshot=ARTIFACTS / "dagster_checks_indicator_values.png",
    )
    assert [check for check in INVARIANT_CHECKS if check not in dom] == []
