"""dagster-dbt imported without dbt-core (pipelines/lib/dagster_dbt_lean.py): the run's
process loads its definitions without importing dbt, those definitions are the ones
dagster-dbt makes with dbt-core imported, and dbt-core stays importable afterwards.

Each check runs in a fresh interpreter: this one may have imported dbt already."""

from __future__ import annotations

import json
import subprocess
import sys

# The full-build job's shape as the code location defines it: every asset and check, each
# asset's parents, the job's assets; and which dagster-dbt mode made it (dbt-core's version,
# or None without it), and which dbt modules the process holds after loading.
_SHAPE = """
import json, sys
if sys.argv[1] == "dbt-core first":
    import dbt.version  # noqa: F401 - a process that imported dbt-core before
from pipelines.run import FULL_BUILD_JOB, definitions_for
from pipelines.settings import load_settings
import dagster_dbt

definitions = definitions_for(load_settings())
graph = definitions.resolve_asset_graph()
job = definitions.resolve_job_def(FULL_BUILD_JOB)
names = lambda keys: sorted(key.to_user_string() for key in keys)
print(json.dumps({
    "dbt_core": str(dagster_dbt.compat.DBT_PYTHON_VERSION),
    "dbt_modules": sorted(m for m in sys.modules if m == "dbt" or m.startswith("dbt.")),
    "assets": names(graph.get_all_asset_keys()),
    "checks": names(graph.asset_check_keys),
    "parents": {k.to_user_string(): names(graph.get(k).parent_keys)
                for k in graph.get_all_asset_keys()},
    "job": names(job.asset_layer.executable_asset_keys),
}))
"""


def _shape(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _SHAPE, mode], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_definitions_load_without_dbt_core_and_equal_those_made_with_it():
    lean, with_core = _shape("lean"), _shape("dbt-core first")
    assert lean["dbt_core"] == "None"  # dagster-dbt took its no-dbt-core branch
    assert lean["dbt_modules"] == []  # nothing of dbt was imported
    assert with_core["dbt_core"].startswith("1.")  # the other branch, dbt-core's
    # the same assets (the dbt models among them), checks, lineage and job either way
    for part in ("assets", "checks", "parents", "job"):
        assert lean[part] == with_core[part], part
    # the dbt models are among them, with dbt's tests as their checks
    assert "marts/fct_dossier" in lean["assets"]
    assert "marts/fct_dossier:columns_are_well_formed_fct_dossier" in lean["checks"]


def test_dbt_core_is_importable_after_dagster_dbt_was():
    code = (
        "import pipelines.defs, dagster_dbt, dbt.version; "
        "print(dagster_dbt.compat.DBT_PYTHON_VERSION, dbt.version.__version__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    compat_version, dbt_version = done.stdout.split()
    assert compat_version == "None"
    assert dbt_version.startswith("1.")
