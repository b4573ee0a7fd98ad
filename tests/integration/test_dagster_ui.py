"""The operators' UI, started as `make ui` starts it (`par ui`): no misleading warning in its
log; the lineage of indicator_values back to the feeds, with its checks, each saying what it
guards; the report assets' descriptions. Rendered by headless Chromium."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.bootstrap import dagster_yaml
from tests.browser import ARTIFACTS, render_until

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """The UI as `make ui` starts it: `par ui` (`dagster dev`: webserver, daemon and code
    server) on a warehouse folder of its own; its log is kept for the tests."""
    warehouse = tmp_path_factory.mktemp("ui_warehouse")
    log = warehouse / "par_ui.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env |= {"PAR_WAREHOUSE_DIR": str(warehouse), "PAR_LANDING_DIR": str(warehouse / "landing")}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("par")), "ui", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped by PID below
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"par ui did not start:\n{log.read_text(errors='replace')}")
                time.sleep(1)
        yield base, log, warehouse
    finally:
        # `dagster dev` stops its webserver, daemon and code server on SIGINT; whatever
        # is left of the group (all started in the same session) is then killed.
        os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def webserver(ui):
    return ui[0]


def test_par_ui_uses_the_warehouse_home_without_a_misleading_warning(ui):
    """`dagster dev` in the repository (where dagster.yaml lies) with DAGSTER_HOME elsewhere
    warned "dagster.yaml ... will not be used": `par ui` now runs in the Dagster home, which
    holds the project's dagster.yaml (the one it does use) with the storage of its history."""
    base, log, warehouse = ui
    text = log.read_text(errors="replace")
    assert "Launching Dagster services" in text
    assert "will not be used" not in text
    home = warehouse / "dagster_home"
    # the project's dagster.yaml, with the run history's storage over this home's folder
    # (the webserver would not have started had it failed to load that storage)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == dagster_yaml(home)
    # the instance it serves is that home's: its run storage is created there
    assert (home / "history").is_dir() or (home / "storage").is_dir()


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


def test_every_check_of_indicator_values_says_what_it_guards(webserver):
    """The checks page showed "No description provided" for every dbt test: each says in
    one line what it guards (pipelines/defs/dbt.py, describe_test)."""
    guarded = "Every row of indicator_values has a value in unit_code, unit_name, scope,"
    dom = render_until(
        f"{webserver}/assets/marts/indicator_values?view=checks"
        "&checkDetail=columns_are_well_formed_indicator_values",
        [guarded],
        screenshot=ARTIFACTS / "dagster_check_description.png",
    )
    assert guarded in dom
    assert "No description provided" not in dom


def test_the_html_report_description_shows_its_path(webserver):
    """Rendered as Markdown, `reports/<unit>/<year>/par_<unit>_<year>.html` once showed as
    `reports///par__.html`: the path stays whole in a code span."""
    path = "reports/&lt;unit&gt;/&lt;year&gt;/par_&lt;unit&gt;_&lt;year&gt;.html"
    dom = render_until(
        f"{webserver}/assets/reports/html",
        [path],
        screenshot=ARTIFACTS / "dagster_reports_html_description.png",
    )
    assert path in dom
    assert "reports///par__.html" not in dom
