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


def test_each_mart_is_published_by_the_key_its_blocking_test_holds_unique():
    """publish updates a mart row by row on a key no two of its rows share: the first
    `unique` entry of the mart's error columns_are_well_formed test that covers every row."""
    from pipelines.defs.publish import published_keys

    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    keys = published_keys(manifest)
    assert keys["fct_dossier"] == ("unit_code", "dossier_code")
    assert keys["indicator_values"] == (
        "unit_code",
        "unit_valid_from",
        "scope",
        "period_type",
        "period_start",
        "indicator_code",
    )
    # date_day, never null; not working_day_number, unique only among working days
    assert keys["dim_calendar"] == ("date_day",)
    # every mart has one but set_aside, which is copied whole
    assert _marts(manifest) - keys.keys() == {"set_aside"}


def test_a_key_must_cover_every_row_of_a_mart():
    from pipelines.defs.publish import published_keys

    def test(unique, not_null=(), severity="error", schema="marts"):
        return {
            "resource_type": "test",
            "attached_node": "model.p.m",
            "config": {"severity": severity},
            "test_metadata": {
                "name": "columns_are_well_formed",
                "kwargs": {"not_null": list(not_null), "unique": unique},
            },
        }, {"name": "m", "config": {"schema": schema}}

    def keys(*args, **kwargs):
        node, model = test(*args, **kwargs)
        return published_keys({"nodes": {"test.p.t": node, "model.p.m": model}})

    assert keys([["a", "b"]]) == {"m": ("a", "b")}  # a combination: a null is a value
    assert keys(["a"]) == {}  # one column that may be null: dbt's unique leaves nulls out
    assert keys(["a"], not_null=["a"]) == {"m": ("a",)}
    assert keys([{"column": "a", "where": "x"}, ["b", "c"]]) == {"m": ("b", "c")}
    assert keys([["a", "b"]], severity="warn") == {}  # a warning does not block publishing
    assert keys([["a", "b"]], schema="intermediate") == {}  # not published


def _marts(manifest) -> set[str]:
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
    }


def test_a_build_stamp_vouches_only_for_a_chain_of_views_down_to_the_stamped_table():
    """publish writes only the rows recomputed since the published build for a mart whose
    rows change only with their stamp: views of one model each, down to a stored table
    that stamps its rows (macro build_sequence)."""
    from pipelines.defs.publish import published_stamps

    real = published_stamps(json.loads(DBT_MANIFEST.read_text(encoding="utf-8")))
    # fct_dossier, a view of int_dossier_facts (incremental, stamped); fct_document, a view
    # of int_documents_classified, a view of stg_ward_exports__documents (the same)
    assert set(real) == {"fct_dossier", "fct_document"}
    assert all(s.column == "recomputed_in_build" and s.vouches for s in real.values())

    def model(materialized, parents=(), macros=(), raw_code="select 1", schema="views"):
        return {
            "resource_type": "model",
            "config": {"materialized": materialized, "schema": schema, "meta": {}},
            "depends_on": {"nodes": list(parents), "macros": list(macros)},
            "raw_code": raw_code,
        }

    stamping = ["macro.par_warehouse.build_sequence"]

    def vouches(**nodes) -> bool:
        mart = model("view", ["model.p.middle"], schema="marts")
        mart["config"]["meta"]["build_stamp"] = "recomputed_in_build"
        chain = {"model.p.mart": {**mart, "name": "mart"}}
        chain.update({f"model.p.{name}": {**node, "name": name} for name, node in nodes.items()})
        return published_stamps({"nodes": chain, "macros": {}})["mart"].vouches

    base = model("incremental", ["source.p.raw.x"], stamping)
    assert vouches(middle=model("view", ["model.p.base"]), base=base)
    assert vouches(middle=model("table", macros=stamping))  # a table stamps all its rows
    # the stored table does not stamp its rows
    assert not vouches(middle=model("view", ["model.p.base"]), base=model("incremental"))
    # a view joining a second model: its rows change with that model's too
    assert not vouches(
        middle=model("view", ["model.p.base", "model.p.other"]), base=base, other=base
    )
    # a view reading the clock
    assert not vouches(
        middle=model("view", ["model.p.base"], raw_code="select current_date"), base=base
    )
    # an ephemeral model, or a view of a source or seed
    assert not vouches(middle=model("ephemeral", ["model.p.base"]), base=base)
    assert not vouches(middle=model("view", ["seed.p.codes"]))


def test_only_error_tests_of_models_their_stamp_vouches_for_check_recomputed_rows_only():
    """A test given a build stamp (columns_are_well_formed's `stamp`) checks only the rows
    recomputed since the last good build: sound only on a model whose row changes only
    with its stamp (the chain published_stamps trusts), and for a test that passed in that
    build (severity error, dbt's thresholds: a warning test may have warned on rows it
    must warn on again)."""
    from pipelines.defs.dbt import _fails_only_as_error
    from pipelines.defs.publish import stamp_vouches
    from pipelines.lib.dbt_reach import volatile_nodes

    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    volatile = volatile_nodes(manifest)
    stamped = {}
    for node in nodes.values():
        kwargs = (node.get("test_metadata") or {}).get("kwargs") or {}
        if node["resource_type"] == "test" and kwargs.get("stamp"):
            model = node["attached_node"]
            stamped[node["name"]] = nodes[model]["name"]
            assert stamp_vouches(nodes, model, volatile), node["name"]
            assert _fails_only_as_error(node), node["name"]
            assert kwargs["stamp"] in nodes[model]["columns"], node["name"]
    # the tests of the dossier and document chains that grouped every row by key
    assert stamped == {
        "columns_are_well_formed_stg_ward_exports__dossiers": "stg_ward_exports__dossiers",
        "columns_are_well_formed_int_dossiers_classified": "int_dossiers_classified",
        "columns_are_well_formed_fct_dossier": "fct_dossier",
        "columns_are_well_formed_stg_ward_exports__documents": "stg_ward_exports__documents",
        "columns_are_well_formed_fct_document": "fct_document",
    }
    # the warning test of fct_dossier reads every row
    assert "columns_are_well_formed_fct_dossier_warn" not in stamped
