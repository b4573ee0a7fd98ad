"""The dbt project as Dagster assets: every model and seed an asset, every dbt test a check.

The manifest is prepared at build/test time (`make manifest`), never at import.
"""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines.defs.ingest import BUILD_FILE_POOL, INGEST_LEDGER
from pipelines.defs.partitions import window_env
from pipelines.lib.config import DBT_PROJECT_DIR, paths

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# Sources written by the ingest ledger asset rather than by one feed asset.
_LEDGER_SOURCES = {"ingest_ledger", "set_aside"}


class ParDbtTranslator(DagsterDbtTranslator):
    """raw.<feed> sources are the ingest assets' keys (raw/<feed>) — dagster-dbt's default —
    and both ledger tables map to the ledger asset, so lineage runs file → feed → model."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if (
            dbt_resource_props["resource_type"] == "source"
            and dbt_resource_props["name"] in _LEDGER_SOURCES
        ):
            return INGEST_LEDGER
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


translator = ParDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=BUILD_FILE_POOL,
)
def par_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # dbt reads the build file's path from the environment (profiles.yml).
    os.environ["PAR_BUILD_DB"] = str(paths().build_db)
    # the run's days: the incremental staging models recompute only what they touched
    window = window_env(context.run.tags)
    os.environ.update(window)
    context.log.info("dbt window: %s", window)
    # One target folder per warehouse, reused run after run: dbt's partial parse state there
    # matches this build file's profile, and nothing piles up (dagster-dbt's default is a
    # new folder per run in dbt_project/target/).
    target = paths().warehouse / "dbt_target"
    yield from dbt.cli(["build"], context=context, target_path=target).stream()


# The dbt installed beside this Python, whether or not the venv's bin is on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

dbt_resource = DbtCliResource(
    project_dir=dbt_project,
    profiles_dir=str(DBT_PROJECT_DIR),
    dbt_executable=str(DBT_EXECUTABLE),
)
