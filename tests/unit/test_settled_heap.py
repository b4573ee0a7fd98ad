"""Loading the code location settles its heap (pipelines/definitions.py `settle_heap`): what
is alive once the definitions are built is frozen out of the garbage collector's sight, so
that neither the full collections during a run nor the one at exit walk it again, while
what the run makes later is still collected. In a fresh interpreter, as a run worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import gc, json
import pipelines.definitions
frozen = gc.get_freeze_count()
cycle = []
cycle.append(cycle)
del cycle
print(json.dumps({"frozen": frozen, "enabled": gc.isenabled(), "collected": gc.collect()}))
"""


def test_loading_the_definitions_freezes_them_and_collects_what_comes_after():
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1", "GX_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["frozen"] > 100_000  # Dagster, dbt, polars, DuckDB and the definitions
    assert probe["enabled"]
    assert probe["collected"] >= 1  # the cycle made afterwards
