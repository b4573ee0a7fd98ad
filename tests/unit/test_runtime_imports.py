"""The runtime (the Dagster code location) never imports the tooling.

The simulator and the benchmark write and measure landing folders; the nightly run must not
depend on them or pay for importing them. Each case imports in a fresh interpreter, so what
other tests have imported in this process does not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLING = ("pipelines.simulator", "pipelines.bench")

# imports the modules named on its command line, then prints every module it has loaded
_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def tooling_loaded_after_importing(*modules: str) -> list[str]:
    """The simulator and bench modules loaded in a fresh interpreter that imports `modules`."""
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1", "GX_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return [m for m in loaded if m in TOOLING or m.startswith(tuple(t + "." for t in TOOLING))]


def test_definitions_import_no_tooling():
    assert tooling_loaded_after_importing("pipelines.definitions") == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("pipelines.simulator.scale", "pipelines.simulator.scale"),
        ("pipelines.bench", "pipelines.bench"),
    ],
)
def test_the_probe_sees_tooling_when_it_is_imported(module, expected):
    # the same probe, fed a tooling import: it must report it, or the test above proves nothing
    assert expected in tooling_loaded_after_importing(module)
