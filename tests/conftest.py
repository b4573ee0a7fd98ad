"""The order `make test`'s two workers take the test modules in (`--dist loadfile`, one
module per worker at a time): the longest first, the rest as collected.

pytest-xdist otherwise queues modules by their number of tests, most first, so the few
long modules with one to four tests - the Spark engine's two builds, the nightly runs
against a full build - came last, and one worker ran them alone while the other had
finished (the suite's last minutes). `--no-loadscope-reorder` (Makefile) keeps this order.
"""

from __future__ import annotations

# Each a few minutes or most of one on this machine (pytest --durations); the longest first.
LONGEST_FIRST = (
    "tests/integration/test_spark_engine.py",
    "tests/integration/test_operations.py",
    "tests/integration/test_nightly_incremental.py",
    "tests/unit/test_dbt_materializations.py",
    "tests/unit/test_parsing_properties.py",
    "tests/dbt_fixture/test_incremental_facts.py",
    "tests/integration/test_hostile_delivery.py",
    "tests/integration/test_bench.py",
)


def pytest_collection_modifyitems(session, config, items) -> None:
    rank = {module: index for index, module in enumerate(LONGEST_FIRST)}
    # stable: within a module, and among the modules not named, the collected order stays
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
