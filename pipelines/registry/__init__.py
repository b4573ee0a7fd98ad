"""The units registry of a province across the 1 July 2025 reorganisation, built from the
GSO lists the PyPI package `vietnamadminunits` ships (MIT), never typed by hand.

    par units --province 92 --out <folder>     # units.csv and unit_successions.csv

`gso_data` reads the package's bundled files (nothing is downloaded), `build` turns them
into the contract's registry rows and successions, `write` writes the two CSV files.
"""

from pipelines.registry.build import (
    REFORM_DAY,
    Registry,
    Succession,
    UnitRow,
    build_registry,
)
from pipelines.registry.write import write_registry

__all__ = [
    "REFORM_DAY",
    "Registry",
    "Succession",
    "UnitRow",
    "build_registry",
    "write_registry",
]
