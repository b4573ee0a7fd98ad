"""Loading the code location settles its heap (pipelines/definitions.py `settle_heap`): what
is alive once the definitions are built is frozen out of the garbage collector's sight, so
that neither the full collections during a run nor the one at exit walk it again, while
what the run makes later is still collected. In a fresh interpreter, as a run worker."""

from __future__ import annotations

import json

from tests.unit.test_quality_chunks import probe_says

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
    probe = json.loads(probe_says(_PROBE))
    assert probe["frozen"] > 100_000  # Dagster, dbt, polars, DuckDB and the definitions
    assert probe["enabled"]
    assert probe["collected"] >= 1  # the cycle made afterwards
