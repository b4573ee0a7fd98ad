"""dagster-dbt imported without dbt-core: a second off every run's start-up.

dagster-dbt imports dbt-core as it is imported (its `compat` module: dbt's version, a few
enums and type hints). That import costs ~1.1 s of the run's start-up, one core of Python
while the other core parses the project for dbt's standby (most of it dbt's classes
compiling their serialisers). The run's own process never needs dbt-core: dbt runs in a
process of its own (the standby, or the dbt executable), the CLI resource takes dbt's
version from the package metadata and opens no adapter here (`ParDbtCliResource`), and the
dbt assets select the whole manifest, which dagster-dbt then reads from the manifest rather
than through dbt's selector. So dagster-dbt is imported as it is where dbt-core is absent
(the dbt Fusion engine's way): with its own stand-ins for dbt's status enums, which are
strings equal to the statuses in dbt's JSON log lines.

What needs dbt-core here: a `@dbt_assets(select=..., exclude=...)` (dbt's selector; dagster-dbt
then raises DagsterDbtCoreNotInstalledError when the definitions load). Select in the dbt
command, or as Dagster selects a subset of the dbt assets (from the manifest), instead.

dbt-core stays importable: only the import of dagster-dbt runs with `dbt.version` hidden.
A process that imported dagster-dbt (or dbt) before keeps that import; both ways give the
same definitions (tests/unit/test_dagster_dbt_lean.py)."""

from __future__ import annotations

import sys

_DBT_VERSION = "dbt.version"  # what dagster_dbt.compat imports first to find dbt-core


def import_dagster_dbt() -> None:
    """Import dagster_dbt without dbt-core, unless this process already holds one of them."""
    if "dagster_dbt" in sys.modules or _DBT_VERSION in sys.modules:
        return
    sys.modules[_DBT_VERSION] = None  # type: ignore[assignment]  # `import` raises ImportError
    try:
        import dagster_dbt  # noqa: F401 - imported for its side: dagster-dbt without dbt-core
    finally:
        if sys.modules.get(_DBT_VERSION, ...) is None:
            del sys.modules[_DBT_VERSION]
