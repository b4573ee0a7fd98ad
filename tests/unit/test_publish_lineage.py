"""Lineage of the published file: `published/par_duckdb` depends on every model it
publishes (every table of the marts schema, as the manifest lists them), not on a few."""

from __future__ import annotations

import json

import dagster as dg

from pipelines.settings import DBT_MANIFEST


def test_the_published_file_depends_on_every_mart():
    from pipelines.defs.publish import published_warehouse

    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    marts = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
    }
    assert {"indicator_values", "late_dossiers", "dim_unit", "set_aside"} <= marts
    deps = {key.path[-1] for key in published_warehouse.dependency_keys}
    assert deps == marts
    assert all(key.path[0] == "marts" for key in published_warehouse.dependency_keys)
    assert dg.AssetKey(["marts", "indicator_values"]) in published_warehouse.dependency_keys


def test_report_asset_descriptions_keep_their_paths_in_code_spans():
    # the UI renders descriptions as Markdown: a bare <unit> is an HTML tag and vanishes
    # ("reports///par__.html"); inside backticks it shows as written
    import re

    from pipelines.defs.reports import REPORT_ASSETS

    for asset in REPORT_ASSETS:
        for description in asset.descriptions_by_key.values():
            outside_code = re.sub(r"`[^`]*`", "", description or "")
            assert "<" not in outside_code, description
