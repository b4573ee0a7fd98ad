"""Every asset check in the Dagster UI says in one line what it guards: the dbt tests (a
sentence from the test's kind, model and arguments, or its macro's documentation), the Great
Expectations, registry, freshness and ledger checks. Built from the project's own manifest,
as the UI loads it."""

from __future__ import annotations

import pytest

from pipelines.settings import load_settings


@pytest.fixture(scope="module")
def check_specs():
    from pipelines.definitions import build_definitions

    graph = build_definitions(load_settings()).resolve_asset_graph()
    return {key: graph.get_check_spec(key) for key in graph.asset_check_keys}


@pytest.fixture(scope="module")
def manifest():
    from pipelines.reports.warehouse_readme import load_manifest

    return load_manifest()


def test_no_check_lacks_a_description(check_specs):
    assert len(check_specs) > 250  # the dbt tests are there, as checks
    missing = sorted(key.name for key, spec in check_specs.items() if not spec.description)
    assert missing == []
    multi_line = sorted(key.name for key, spec in check_specs.items() if "\n" in spec.description)
    assert multi_line == []


def test_generic_tests_say_their_model_column_and_kind(check_specs):
    by_name = {key.name: spec.description for key, spec in check_specs.items()}
    assert by_name["not_null_fct_dossier_dossier_code"] == (
        "Every row of fct_dossier has a value in dossier_code (not_null)."
    )
    assert by_name["unique_dim_calendar_date_day"] == (
        "No two rows of dim_calendar share a date_day (unique)."
    )
    assert by_name["accepted_values_dim_unit_unit_level__province__city__ward"] == (
        "Every unit_level of dim_unit is one of province, city, ward (accepted_values)."
    )
    assert by_name[
        "relationships_fct_dossier_procedure_version_key__procedure_version_key__ref_dim_procedure_"
    ] == (
        "Every procedure_version_key of fct_dossier is found as procedure_version_key in "
        "dim_procedure (relationships)."
    )
    assert by_name["late_dossiers_are_late"] == (
        "late_dossiers has no rows where days_late < 1 or working_days_late < 0: each one is "
        "a finding (has_no_rows)."
    )


def test_invariant_tests_say_the_invariant_from_their_macro(check_specs, manifest):
    from pipelines.defs.dbt import macro_doc

    tests = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name")
        in {"rate_value_is_rounded_ratio", "traces_to_raw_row", "unit_exists_on_date"}
        and not node.get("description")
    }
    assert tests
    by_name = {key.name: spec.description for key, spec in check_specs.items()}
    for name, test in tests.items():
        if name not in by_name:  # a test on a source is not a check
            continue
        doc = macro_doc(test, manifest)
        assert doc, f"{name}: its macro has no documentation"
        first_sentence = doc.split(". ")[0]
        assert first_sentence in by_name[name], (name, by_name[name])
        model = manifest["nodes"][test["attached_node"]]["name"]
        assert by_name[name].startswith(model)
    # indicator_values' own (indicator_values_rebased has one too; the manifest's order
    # between them is not fixed)
    rounded = by_name["rate_value_is_rounded_ratio_indicator_values_ref_indicator_catalog_"]
    assert rounded.startswith("indicator_values: ") and "rounded half-up" in rounded


def test_a_test_with_its_own_description_keeps_it(manifest):
    from pipelines.defs.dbt import describe_test

    unique_id = next(
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and node["test_metadata"]["name"] == "not_null"
    )
    described = {**manifest["nodes"][unique_id], "description": "Says what it guards.\n"}
    changed = {**manifest, "nodes": {**manifest["nodes"], unique_id: described}}
    assert describe_test(changed, unique_id) == "Says what it guards."


def test_python_checks_have_their_own_descriptions(check_specs):
    by_name = {key.name: spec.description for key, spec in check_specs.items()}
    for name in (
        "every_row_accounted_for",
        "dossiers_rows_look_right",
        "dossiers_delivered_recently",
        "units_rows_fit_the_contract",
    ):
        assert by_name[name].strip(), name
