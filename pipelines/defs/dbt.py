"""The dbt project as Dagster assets: every model and seed an asset, every dbt test a check.

The manifest is prepared at build/test time (`make manifest`), never at import.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.defs.ingest import INGEST_LEDGER
from pipelines.defs.partitions import run_window
from pipelines.defs.resources import BUILD_FILE_POOL, DBT_PROJECT, WarehouseResource
from pipelines.settings import dbt_environment

# Sources written by the ingest ledger asset rather than by one feed asset.
_LEDGER_SOURCES = {"ingest_ledger", "set_aside"}


class ParDbtTranslator(DagsterDbtTranslator):
    """The dbt source `ward_exports` (schema raw) is the ingest assets' tables: each of its
    tables maps to the asset that writes it (raw/<table>), and both ledger tables to the
    ledger asset, so lineage runs file → feed → model."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["name"] in _LEDGER_SOURCES:
                return INGEST_LEDGER
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


translator = ParDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


@contextmanager
def dbt_environ(env: Mapping[str, str]) -> Iterator[None]:
    """dagster-dbt hands dbt this process's environment (it takes no env argument): set
    dbt's variables for the one invocation and put the old values back afterwards, so no
    build file or window outlives its run."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=translator,
    pool=BUILD_FILE_POOL,
)
def par_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    settings = warehouse.settings
    # the run's days: the incremental models recompute only what they touched
    window = run_window(context.run.tags)
    context.log.info("dbt window: %s to %s", window[0] or "(open)", window[1] or "(open)")
    with dbt_environ(dbt_environment(settings, window)):
        yield from dbt.cli(["build"], context=context, target_path=settings.dbt_target_dir).stream()
