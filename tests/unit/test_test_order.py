"""The test modules `make test` starts first (tests/conftest.py) exist, and go first."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from tests.conftest import LONGEST_FIRST, pytest_collection_modifyitems

ROOT = Path(__file__).resolve().parents[2]


def test_each_module_named_to_go_first_exists():
    # a module renamed or removed would otherwise quietly go back to the end of the queue
    assert all((ROOT / module).is_file() for module in LONGEST_FIRST)


def test_the_longest_modules_go_first_and_the_rest_keep_their_order():
    collected = [
        "tests/unit/test_a.py::test_one",
        LONGEST_FIRST[2] + "::test_x",
        "tests/unit/test_b.py::test_two",
        LONGEST_FIRST[0] + "::test_y",
        "tests/unit/test_a.py::test_three",
        LONGEST_FIRST[0] + "::test_z",
    ]
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in collected]
    pytest_collection_modifyitems(None, None, items)
    assert [item.nodeid for item in items] == [
        LONGEST_FIRST[0] + "::test_y",
        LONGEST_FIRST[0] + "::test_z",
        LONGEST_FIRST[2] + "::test_x",
        "tests/unit/test_a.py::test_one",
        "tests/unit/test_b.py::test_two",
        "tests/unit/test_a.py::test_three",
    ]
