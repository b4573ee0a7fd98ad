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
    assert len(check_specs) > 100  # the dbt tests are there, as checks
    missing = sorted(key.name for key, spec in check_specs.items() if not spec.description)
    assert missing == []
    multi_line = sorted(key.name for key, spec in check_specs.items() if "\n" in spec.description)
    assert multi_line == []


def test_generic_tests_say_their_model_column_and_kind(check_specs):
    by_name = {key.name: spec.description for key, spec in check_specs.items()}
    assert by_name["columns_are_well_formed_fct_dossier"] == (
        "Every row of fct_dossier has a value in unit_code, dossier_code, procedure_code, "
        "is_online, status, is_counted, is_finished; every timeliness is one of early, "
        "on_time, late; no two rows share the same (unit_code, dossier_code); every "
        "procedure_version_key is found as procedure_version_key in dim_procedure "
        "(columns_are_well_formed)."
    )
    assert by_name["columns_are_well_formed_fct_dossier_warn"] == (
        "Every row of fct_dossier has a value in procedure_version_key (rows where "
        "is_counted), expected_due_date (rows where is_counted and received_at is not null "
        "and procedure_version_key is not null) (columns_are_well_formed)."
    )
    assert by_name["columns_are_well_formed_dim_calendar"] == (
        "Every row of dim_calendar has a value in date_day, is_in_data_years, is_weekend, "
        "is_holiday, is_working_day, working_day_number; no two rows share a date_day; no "
        "two rows share a working_day_number (rows where is_working_day) "
        "(columns_are_well_formed)."
    )
    assert by_name["columns_are_well_formed_stg_ward_exports__reports_warn"] == (
        "Every scope of stg_ward_exports__reports is one of self, area (columns_are_well_formed)."
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


def _well_formed_tests(manifest) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "columns_are_well_formed"
    }


def test_column_checks_are_one_test_per_model_and_severity(manifest):
    """dbt's cost is per node: a model's not-null, coded-value and unique-key checks are one
    columns_are_well_formed test per model (seed, source table) and severity, named after
    it, never one test per column or key."""
    kinds = {
        (node.get("test_metadata") or {}).get("name")
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }
    assert not kinds & {"not_null", "accepted_values", "unique", "unique_combination_of_columns"}
    tests = _well_formed_tests(manifest)
    assert len(tests) > 50
    seen = set()
    for test in tests.values():
        tested = test.get("attached_node") or test["depends_on"]["nodes"][0]
        severity = test["config"]["severity"].lower()
        assert (tested, severity) not in seen, test["name"]
        seen.add((tested, severity))
        node = manifest["nodes"].get(tested) or manifest["sources"][tested]
        relation = (
            node["name"]
            if node["resource_type"] != "source"
            else (f"source_{node['source_name']}_{node['name']}")
        )
        suffix = "_warn" if severity == "warn" else ""
        assert test["name"] == f"columns_are_well_formed_{relation}{suffix}"


def test_a_well_formed_check_names_every_column_and_accepted_value(manifest):
    """The check's one line is the guarantee: every column that must have a value, every
    coded column with its accepted values, every key no two rows share, and the rows a
    `where` limits a rule to."""
    from pipelines.defs.dbt import describe_test

    for unique_id, test in _well_formed_tests(manifest).items():
        kwargs = test["test_metadata"]["kwargs"]
        line = describe_test(manifest, unique_id)
        assert line.endswith("(columns_are_well_formed)."), line
        for entry in kwargs.get("not_null", []):
            if isinstance(entry, dict):
                assert f"{entry['column']} (rows where {entry['where']})" in line, line
            else:
                assert entry in line, (entry, line)
        for column, entry in (kwargs.get("accepted_values") or {}).items():
            values = entry["values"] if isinstance(entry, dict) else entry
            assert f"{column}" in line, (column, line)
            assert f" is one of {', '.join(str(v) for v in values)}" in line, (column, line)
        for entry in kwargs.get("unique", []):
            key = entry["column"] if isinstance(entry, dict) else entry
            rows = f" (rows where {entry['where']})" if isinstance(entry, dict) else ""
            if isinstance(key, list):
                assert f"share the same ({', '.join(key)}){rows}" in line, (key, line)
            else:
                assert f"share a {key}{rows}" in line, (key, line)


def test_a_test_with_its_own_description_keeps_it(manifest):
    from pipelines.defs.dbt import describe_test

    unique_id = next(iter(_well_formed_tests(manifest)))
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
