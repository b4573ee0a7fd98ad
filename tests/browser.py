"""Headless Chromium for browser tests: Debian's package, installed on demand.

Tests call `chromium()` for the executable; it installs Debian's `chromium` with apt when it
is missing and we are root (CI is), and skips the test with the reason otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

# Flags that keep Chromium quiet on a machine with no network but the package registries.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("Chromium is not installed and installing it needs root")
    apt = ["apt-get", "-qq", "-o", "DPkg::Lock::Timeout=120"]
    update = subprocess.run([*apt, "update"], capture_output=True, text=True)
    install = subprocess.run(
        [*apt, "install", "-y", "--no-install-recommends", "chromium"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    found = shutil.which("chromium")
    if not found:
        pytest.skip(
            "Chromium could not be installed from Debian: "
            f"{(update.stderr + install.stderr).strip()[-500:]}"
        )
    return found


def render(url: str, *, screenshot: Path | None = None, wait_ms: int = 15000) -> str:
    """The page's DOM after wait_ms of (virtual) time; optionally a screenshot too."""
    with tempfile.TemporaryDirectory() as profile:
        base = [chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=1600,1000"]
        base.append(f"--virtual-time-budget={wait_ms}")
        if screenshot:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [*base, f"--screenshot={screenshot}", url], capture_output=True, timeout=120
            )
        dom = subprocess.run(
            [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120
        )
    return dom.stdout


def render_until(url: str, expected: list[str], *, screenshot: Path | None = None) -> str:
    """Render until every expected text is in the DOM, waiting longer each time: the UI
    lays out large graphs in the background, slower on a busy machine."""
    dom = ""
    for wait_ms in (15000, 30000, 60000):
        dom = render(url, screenshot=screenshot, wait_ms=wait_ms)
        if all(text in dom for text in expected):
            break
    return dom
