"""Loading the code location settles its heap (pipelines/definitions.py `settle_heap`,
pipelines/lib/heap.py): no collection runs while it loads; what is alive once the
definitions are built is frozen out of the garbage collector's sight, so that neither the
full collections during a run nor the one at exit walk it again, while what the run makes
later is still collected; Great Expectations' import is held and frozen the same way; and
what is alive when the process exits is frozen before Python's collections at shutdown. In
a fresh interpreter, as a run worker."""

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


# What a run makes after loading the definitions (here 200,000 objects, as Great
# Expectations' import and a run's events make) and holds until it ends. A handler
# registered before the definitions runs after theirs (atexit runs handlers last
# registered first): it counts what the collector would still walk at shutdown.
_EXIT_PROBE = """
import atexit, gc, json
atexit.register(lambda: print(json.dumps({
    "tracked_at_exit": len(gc.get_objects()),  # the frozen are not among them
    "made": len(made),
})))
import pipelines.definitions
made = [[n] for n in range(200_000)]  # lists: always tracked (a dict of numbers is not)
"""


def test_what_is_alive_at_exit_is_frozen_before_pythons_last_collections():
    probe = json.loads(probe_says(_EXIT_PROBE))
    assert probe["made"] == 200_000
    # without the handler at least the 200,000 lists made after loading would be walked
    assert probe["tracked_at_exit"] < 1_000


# Every collection while the definitions load, as `par run` loads them: the first is the
# explicit full collection of definitions.py's settle (none ran before it; without the
# hold, importing Dagster and the definitions made hundreds), the last the caller's.
_LOAD_PROBE = """
import gc, json
from pipelines.lib import heap
seen = []
gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(info["generation"]))
with heap.loading():
    import pipelines.definitions
    from pipelines.run import execute_build
gc.callbacks.clear()
print(json.dumps({"collections": seen, "enabled": gc.isenabled()}))
"""


def test_no_collection_runs_while_the_definitions_load():
    probe = json.loads(probe_says(_LOAD_PROBE))
    collections = probe["collections"]
    assert collections[0] == 2 and collections[-1] == 2, collections
    assert len(collections) < 10, collections  # a few young ones between the two settles
    assert probe["enabled"]  # and collections come back after


# Great Expectations imported (as the dbt step's warm-up does): collections come back, and
# its objects (here one of its functions) are frozen with the rest; a failed load leaves
# collections on too.
_GX_PROBE = """
import gc, json
import pipelines.definitions
from pipelines.lib import expectations, heap
gx, _context = expectations._gx_context()
frozen = not any(o is gx.get_context for o in gc.get_objects())
try:
    with heap.loading():
        raise ImportError("a load that fails")
except ImportError:
    pass
print(json.dumps({"gx_frozen": frozen, "enabled": gc.isenabled()}))
"""


def test_great_expectations_is_frozen_once_imported_and_collections_come_back():
    probe = json.loads(probe_says(_GX_PROBE))
    assert probe == {"gx_frozen": True, "enabled": True}
