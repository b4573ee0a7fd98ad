"""Great Expectations imported ahead of the checks (expectations.warm_up): the dbt step starts
it, so that the ~2 s import runs while dbt builds in its own process. It must
start one thread per process, and the checks must then use the context that thread made,
not make a second one; and what the thread's import shares with the caller's thread must be
imported whole before it starts."""

from __future__ import annotations

from tests.unit.test_quality_chunks import probe_says

PROBE = """
import sys, threading
from pipelines.lib import expectations as e

assert 'great_expectations' not in sys.modules  # nothing imports it before the warm-up
e.warm_up()
# what the caller's thread (Dagster's run history) shares with GX's import is whole before
# the thread starts: SQLAlchemy's ORM, whose half-made import once failed a step
orm_exc = sys.modules.get('sqlalchemy.orm.exc')
assert orm_exc is not None and hasattr(orm_exc, 'UnmappedClassError'), orm_exc
e.warm_up()  # asked again (another run in the process): still one thread
warming = [t for t in threading.enumerate() if t.name == 'gx-warm-up']
assert len(warming) == 1, warming
gx, context = e._gx_context()  # a check asking meanwhile waits for the thread's context
warming[0].join()
assert 'great_expectations' in sys.modules
assert e._new_gx_context.cache_info().misses == 1  # made once, by whichever came first
assert e._gx_context()[1] is context
print('ok')
"""


def test_warm_up_imports_gx_once_in_a_thread_and_the_checks_use_its_context():
    assert probe_says(PROBE) == "ok"
