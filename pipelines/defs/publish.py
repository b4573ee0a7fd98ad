"""The publish asset: the last step, run only when everything upstream (ingest, dbt models
and their blocking tests) succeeded."""

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import dagster as dg

from pipelines.defs.dbt import par_dbt_models
from pipelines.defs.resources import BUILD_FILE_POOL, DBT_PROJECT, WarehouseResource
from pipelines.lib.dbt_reach import volatile_nodes
from pipelines.lib.markdown import md_table
from pipelines.lib.publish import BuildStamp, publish
from pipelines.lib.spark_engine import spark_marts_dir
from pipelines.run_plan import build_fingerprint

# publish copies every table of the marts schema: lineage names every one of them
PUBLISHED_MODELS = sorted(
    (key for key in par_dbt_models.keys if key.path[0] == "marts"), key=lambda k: k.path
)


def published_keys(manifest: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each mart's key, for publishing it row by row: the first entry of `unique` in its
    blocking (error) columns_are_well_formed test that holds on every row - a combination
    of columns (a null is a value), or one column that is also never null (dbt's unique
    leaves nulls out); not one limited by a `where`. The test has passed when publish
    runs, so no two rows of the build's table share it."""
    keys: dict[str, tuple[str, ...]] = {}
    nodes = manifest.get("nodes", {})
    for test in nodes.values():
        metadata = test.get("test_metadata") or {}
        config = test.get("config") or {}
        model = nodes.get(test.get("attached_node") or "", {})
        if (
            test.get("resource_type") != "test"
            or metadata.get("name") != "columns_are_well_formed"
            or str(config.get("severity", "")).lower() != "error"
            or config.get("where")
            or model.get("config", {}).get("schema") != "marts"
        ):
            continue
        kwargs = metadata.get("kwargs") or {}
        never_null = {entry for entry in kwargs.get("not_null") or [] if isinstance(entry, str)}
        for entry in kwargs.get("unique") or []:
            if isinstance(entry, list):
                keys[model["name"]] = tuple(entry)
            elif isinstance(entry, str) and entry in never_null:
                keys[model["name"]] = (entry,)
            else:
                continue
            break
    return keys


# Models whose rows are stored, each as it was written: the end of a stamp's chain.
_STORED = frozenset({"table", "incremental"})


def published_stamps(manifest: Mapping[str, Any]) -> dict[str, BuildStamp]:
    """Each mart's build stamp (meta `build_stamp`: the column saying which build last
    recomputed a row; `pipelines.lib.build_sequence`), and whether it vouches for the mart's
    rows: the mart is a view of one model, itself a view of one model, and so on down to a
    stored table that stamps its rows (macro build_sequence), none of the views reading the
    clock or the environment. Then a mart's row is a projection of one stamped row, and
    changes only when that row is recomputed. A mart that joins anything else, however
    stamped, does not: its rows are compared whole."""
    nodes = manifest.get("nodes", {})
    volatile = volatile_nodes(manifest)
    stamps: dict[str, BuildStamp] = {}
    for unique_id, node in nodes.items():
        config = node.get("config") or {}
        column = (config.get("meta") or {}).get("build_stamp")
        if node.get("resource_type") == "model" and config.get("schema") == "marts" and column:
            stamps[node["name"]] = BuildStamp(
                str(column), stamp_vouches(nodes, unique_id, volatile)
            )
    return stamps


def stamp_vouches(nodes: Mapping[str, Any], unique_id: str, volatile: set[str]) -> bool:
    """Whether a model's build stamp changes whenever one of its rows does (the chain of
    published_stamps; also what a test given a `stamp` needs: its generic test)."""
    seen: set[str] = set()
    while unique_id not in seen:
        seen.add(unique_id)
        node = nodes.get(unique_id) or {}
        materialized = (node.get("config") or {}).get("materialized")
        depends_on = node.get("depends_on") or {}
        if materialized in _STORED:
            return "macro.par_warehouse.build_sequence" in (depends_on.get("macros") or [])
        parents = depends_on.get("nodes") or []
        if (
            materialized != "view"
            or unique_id in volatile
            or len(parents) != 1
            or not parents[0].startswith("model.")
        ):
            return False
        unique_id = parents[0]
    return False


@cache
def _manifest() -> dict[str, Any]:
    return json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))


@dg.asset(
    key=dg.AssetKey(["published", "par_duckdb"]),
    deps=PUBLISHED_MODELS,
    group_name="publish",
    pool=BUILD_FILE_POOL,
    kinds={"duckdb"},
    description="The file analysts read (warehouse/par.duckdb): every mart published into a "
    "new file that atomically replaces the old one (with PAR_ENGINE=spark, from Spark's "
    "Parquet tables); the new file starts as a copy of the old one, and only the rows that "
    "changed are written - for fct_dossier and fct_document, those recomputed since the "
    "build the old file was made from (metadata `tables`: how each table was written). "
    "Dagster runs it "
    "only after the dbt build, with its blocking tests, succeeded; otherwise the last good "
    "file stays.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    import polars as pl

    where = warehouse.settings
    publication = publish(
        where.build_db,
        where.published_db,
        run_id=context.run.run_id,
        code_fingerprint=build_fingerprint(where),
        # the Spark engine's marts are its Parquet tables, not the build file's
        marts_dir=spark_marts_dir(where.spark_dir) if where.engine == "spark" else None,
        keys=published_keys(_manifest()),
        stamps=published_stamps(_manifest()),
    )
    tables = pl.DataFrame(
        {
            "table": list(publication.tables),
            "rows": list(publication.tables.values()),
            "written": [publication.written.get(name, "") for name in publication.tables],
        }
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "published_at": publication.published_at.isoformat(),
            "tables": dg.MetadataValue.md(md_table(tables)),
            "dagster/row_count": publication.tables.get("indicator_values", 0),
        }
    )
