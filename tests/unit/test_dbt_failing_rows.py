"""A failed dbt test names its first failing rows (in the check's description and metadata),
and never a personal column of staging or raw: a real dbt build of a tiny project on a real
DuckDB file, streamed through the same code as the project's dbt asset, with the project's
own columns_are_well_formed test (a model's not-null and coded-value checks in one)."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.defs.dbt import build_naming_failing_rows, with_failing_rows

REPO = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))

PROJECT = {
    "dbt_project.yml": """
        name: tiny
        version: "0.1.0"
        profile: tiny
        models:
          tiny:
            staging:
              +schema: staging
              +materialized: view
            marts:
              +schema: marts
              +materialized: table
        data_tests:
          tiny:
            +severity: error
    """,
    "models/staging/stg_dossiers.sql": """
        select '90001' as unit_code, 'D1' as dossier_code, 'Nguyễn Văn Một' as applicant_name
        union all
        select '90002', null, 'Trần Thị Hai'
    """,
    "models/staging/stg_dossiers.yml": """
        models:
          - name: stg_dossiers
            data_tests:
              - columns_are_well_formed:
                  name: columns_are_well_formed_stg_dossiers
                  arguments: {not_null: [dossier_code]}
                  config: {store_failures: true, schema: audit}
    """,
    "models/staging/stg_reports.sql": """
        select 'rows/90001/reports/2021-07-01.csv' as source_file, 2 as source_row,
               '90001' as unit_code, 'self' as scope, 'Nguyễn Văn Một' as applicant_name
        union all select 'rows/90001/reports/2021-07-01.csv', 3, '90001', 'tỉnh', 'x'
        union all select 'rows/90002/reports/2021-07-01.csv', 5, '90002', 'tỉnh', 'y'
        union all select 'rows/90002/reports/2021-07-01.csv', 6, '90002', 'area', 'z'
    """,
    "models/staging/stg_reports.yml": """
        models:
          - name: stg_reports
            data_tests:
              - columns_are_well_formed:
                  name: columns_are_well_formed_stg_reports_warn
                  arguments:
                    not_null: [unit_code, applicant_name]
                    accepted_values: {scope: [self, area]}
                  config: {severity: warn}
    """,
    "models/marts/fct_things.sql": """
        select '90001' as unit_code, 'D1' as dossier_code, 'K1' as procedure_version_key
        union all select '90001', 'D2', null
        union all select '90002', 'D3', 'K3'
        union all select '90002', 'D9', null
    """,
    "models/marts/fct_things.yml": """
        models:
          - name: fct_things
            data_tests:
              - columns_are_well_formed:
                  name: columns_are_well_formed_fct_things_warn
                  arguments:
                    not_null:
                      - unit_code
                      - {column: procedure_version_key, where: "dossier_code <> 'D9'"}
                  config: {severity: warn}
    """,
    "models/marts/indicator_values.sql": """
        select '900' as unit_code, 'DOC_SENT' as indicator_code, 2 as numerator
        union all select '900', 'DOC_SENT', 3
        union all select '90001', 'DOC_SENT', 1
    """,
    "models/marts/indicator_values.yml": """
        models:
          - name: indicator_values
            data_tests:
              - columns_are_well_formed:
                  name: columns_are_well_formed_indicator_values
                  arguments: {not_null: [unit_code], unique: [unit_code]}
    """,
    # a staging model whose key (unit_code, staff_code) two rows share: staff_code is not
    # one of the columns every failing row shows, but a key's columns are
    "models/staging/stg_staff.sql": """
        select '90001' as unit_code, 'S1' as staff_code, 'Nguyễn Văn Một' as staff_name
        union all select '90001', 'S1', 'Trần Thị Hai'
        union all select '90001', 'S2', 'Lê Văn Ba'
        union all select '90002', 'S1', 'Phạm Văn Bốn'
    """,
    "models/staging/stg_staff.yml": """
        models:
          - name: stg_staff
            data_tests:
              - columns_are_well_formed:
                  name: columns_are_well_formed_stg_staff
                  arguments: {not_null: [staff_code], unique: [[unit_code, staff_code]]}
    """,
}


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tiny_dbt")
    build_db = root / "build.duckdb"
    files = {
        **PROJECT,
        "profiles.yml": f"""
            tiny:
              target: dev
              outputs:
                dev:
                  type: duckdb
                  path: "{build_db}"
                  schema: main
                  threads: 1
        """,
        "macros/generate_schema_name.sql": (
            REPO / "dbt_project" / "macros" / "generate_schema_name.sql"
        ).read_text(),
        "tests/generic/columns_are_well_formed.sql": (
            REPO / "dbt_project" / "tests" / "generic" / "columns_are_well_formed.sql"
        ).read_text(),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    subprocess.run(
        [DBT, "parse", "--quiet", "--profiles-dir", str(root)],
        cwd=root,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    return root, build_db


def test_failed_tests_name_their_first_failing_rows_without_personal_columns(tiny_project):
    root, build_db = tiny_project

    @dbt_assets(manifest=root / "target" / "manifest.json")
    def tiny_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from build_naming_failing_rows(context, dbt, ["build"], build_db, root / "target_run")

    result = dg.materialize(
        [tiny_models],
        instance=dg.DagsterInstance.ephemeral(),
        resources={
            "dbt": DbtCliResource(project_dir=str(root), profiles_dir=str(root), dbt_executable=DBT)
        },
        raise_on_error=False,
    )
    # the failing error-severity tests still fail the step, as dbt's own error
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "dbt" in failure.step_failure_data.error.to_string()
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}

    unique = evaluations["columns_are_well_formed_indicator_values"]
    assert not unique.passed
    # a mart's failing rows are shown whole: both rows of unit code 900 (numerators 2 and
    # 3), not 90001's, which has one row
    assert unique.description.splitlines()[0].startswith(
        "dbt test columns_are_well_formed_indicator_values failed: 2 failing rows, first: "
        "failed_check=unit_code is not unique, unit_code=900, indicator_code=DOC_SENT, "
        "numerator="
    )
    table = unique.metadata["failing_rows"].value
    # in the order of their values, the same every run
    assert (
        0
        <= table.index("| unit_code is not unique | 900 | DOC_SENT | 2 |")
        < table.index("| unit_code is not unique | 900 | DOC_SENT | 3 |")
    )
    assert "90001" not in table
    # not stored: the test's query was run again once dbt had ended
    assert unique.metadata["failing_rows_from"].value == (
        "the test's query (target/run_results.json)"
    )

    staff = evaluations["columns_are_well_formed_stg_staff"]
    assert not staff.passed
    # a staging model's rows: the key two rows share (staff_code shown as a key column),
    # never the official's name; 90001's S2 and 90002's S1 are each alone
    table = staff.metadata["failing_rows"].value
    assert "| failed_check | unit_code | staff_code |" in table
    assert table.count("| (unit_code, staff_code) is not unique | 90001 | S1 |") == 2
    assert "S2" not in table and "90002" not in table
    texts = [staff.description] + [str(v.value) for v in staff.metadata.values()]
    assert not any(name in text for text in texts for name in ("Nguyễn", "Trần", "Lê"))
    assert "staff_name" in staff.metadata["columns_not_shown"].value

    not_null = evaluations["columns_are_well_formed_stg_dossiers"]
    assert not not_null.passed
    # a staging model's row: where it is (unit, dossier) and the rule it breaks, never whom
    # it is about
    assert "failed_check=dossier_code is null, unit_code=90002" in not_null.description
    texts = [not_null.description] + [str(v.value) for v in not_null.metadata.values()]
    assert not any("Trần Thị Hai" in text for text in texts)
    assert "applicant_name" in not_null.metadata["columns_not_shown"].value
    # stored by dbt (store_failures: the test's rows, the model's own): read from its table
    assert not_null.metadata["failing_rows_from"].value == (
        '"build"."audit"."columns_are_well_formed_stg_dossiers" of the build file'
    )
    assert "| dossier_code is null | 90002 |  |" in not_null.metadata["failing_rows"].value


def _could_not_run(tmp_path, schema: str, message: str) -> dg.AssetCheckResult:
    result = dg.AssetCheckResult(
        passed=False,
        asset_key=dg.AssetKey(["indicator_values"]),
        check_name="unique_indicator_values_unit_code",
        metadata={"unique_id": "test.tiny.unique_x"},
    )
    manifest = {
        "nodes": {
            "test.tiny.unique_x": {"depends_on": {"nodes": ["model.tiny.tested"]}},
            "model.tiny.tested": {"schema": schema},
        }
    }
    named = with_failing_rows(
        result,
        {"status": "error", "message": message, "compiled_code": "select x"},
        manifest,
        tmp_path / "build.duckdb",
    )
    assert not named.passed and named.check_name == result.check_name
    return named


def test_a_test_that_could_not_run_says_why(tmp_path):
    named = _could_not_run(tmp_path, "marts", "Binder Error: no column x")
    assert named.description.splitlines() == [
        "dbt test unique_indicator_values_unit_code failed",
        "(the test could not run: Binder Error: no column x)",
    ]
    assert named.metadata["dbt_message"].value == "Binder Error: no column x"


def test_an_error_on_staging_or_raw_shows_only_its_kind(tmp_path):
    # the database's message may quote a value of the row, a personal one included
    message = "Conversion Error: Could not convert string 'Nguyễn Văn Một' to INT32"
    named = _could_not_run(tmp_path, "staging", message)
    texts = [named.description] + [str(v.value) for v in named.metadata.values()]
    assert not any("Nguyễn" in text for text in texts)
    assert "(the test could not run: Conversion Error (the rest not shown" in named.description
    assert named.metadata["dbt_message"].value.startswith("Conversion Error (the rest not shown")


def test_a_step_that_stops_early_stops_dbt_too(tiny_project, tmp_path, monkeypatch):
    # The manifest Dagster loaded lacks a test dbt now runs (the project changed after
    # `make manifest`): dagster-dbt raises KeyError mid-stream. dbt must not go on writing
    # the build file after the step (and its hold on the build lock) has ended.
    root, _ = tiny_project
    project = tmp_path / "changed"
    shutil.copytree(root, project, ignore=shutil.ignore_patterns("target*", "*.duckdb*"))
    build_db = tmp_path / "build.duckdb"
    profiles = (
        (project / "profiles.yml").read_text().replace(str(root / "build.duckdb"), str(build_db))
    )
    (project / "profiles.yml").write_text(profiles)
    subprocess.run(
        [DBT, "parse", "--quiet", "--profiles-dir", str(project)],
        cwd=project,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    (project / "models/marts/indicator_values.yml").write_text(
        "models:\n  - name: indicator_values\n    data_tests:\n"
        "      - columns_are_well_formed:\n"
        "          name: columns_are_well_formed_indicator_values_numerator\n"
        "          arguments: {not_null: [unit_code, numerator]}\n"
        "    columns:\n      - name: unit_code\n        data_tests: [unique]\n"
    )
    (project / "models/marts/slow_after.sql").write_text(
        "select count(*) as n from {{ ref('indicator_values') }}, range(4000000000)\n"
    )
    invocations = []
    cli = DbtCliResource.cli

    def recording_cli(self, *args, **kwargs):
        invocations.append(cli(self, *args, **kwargs))
        return invocations[-1]

    monkeypatch.setattr(DbtCliResource, "cli", recording_cli)

    @dbt_assets(manifest=project / "target" / "manifest.json")
    def changed_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from build_naming_failing_rows(
            context, dbt, ["build"], build_db, project / "target_run"
        )

    result = dg.materialize(
        [changed_models],
        instance=dg.DagsterInstance.ephemeral(),
        resources={
            "dbt": DbtCliResource(
                project_dir=str(project), profiles_dir=str(project), dbt_executable=DBT
            )
        },
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "KeyError" in failure.step_failure_data.error.to_string()
    (invocation,) = invocations
    assert invocation.process.poll() is not None  # dbt has ended with the step


def test_warnings_on_columns_list_the_rows_that_fail(tiny_project):
    """columns_are_well_formed returns the tested model's failing rows (dbt's accepted_values
    gave only each wrong value and its count, `n_records=2`; not_null only the null
    column): the warning lists them by file and row or key, with the rule each breaks and
    its coded value, and never a personal column (nor a not-null column's value)."""
    root, build_db = tiny_project

    @dbt_assets(manifest=root / "target" / "manifest.json")
    def reports(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from build_naming_failing_rows(
            context, dbt, ["build"], build_db, root / "target_reports"
        )

    # two models and their tests, selected as Dagster selects a subset of dbt's assets (a
    # `select=` of dbt_assets would need dbt-core in this process: pipelines/lib/
    # dagster_dbt_lean.py)
    result = dg.materialize(
        [reports],
        selection=[dg.AssetKey(["staging", "stg_reports"]), dg.AssetKey(["marts", "fct_things"])],
        instance=dg.DagsterInstance.ephemeral(),
        resources={
            "dbt": DbtCliResource(project_dir=str(root), profiles_dir=str(root), dbt_executable=DBT)
        },
        raise_on_error=False,
    )
    assert result.success  # a warning never fails the step
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    check = checks["columns_are_well_formed_stg_reports_warn"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    table = check.metadata["failing_rows"].value
    assert "| failed_check | source_file | source_row | unit_code | scope |" in table
    wrong = "scope is not one of self, area"
    assert f"| {wrong} | rows/90001/reports/2021-07-01.csv | 3 | 90001 | tỉnh |" in table
    assert f"| {wrong} | rows/90002/reports/2021-07-01.csv | 5 | 90002 | tỉnh |" in table
    assert "| 2 |" not in table and "| 6 |" not in table  # rows with accepted values
    assert (
        f"failed_check={wrong}, source_file=rows/90001/reports/2021-07-01.csv, source_row=3"
    ) in check.description
    texts = [check.description] + [str(v.value) for v in check.metadata.values()]
    assert not any(
        name in text for text in texts for name in ("Nguyễn", "applicant_name=", "| x |")
    )

    # a mart's rows that lack a value are shown whole; a rule with `where` ignores the rows
    # outside it (D9 has no key either)
    nulls = checks["columns_are_well_formed_fct_things_warn"]
    assert not nulls.passed and nulls.severity == dg.AssetCheckSeverity.WARN
    table = nulls.metadata["failing_rows"].value
    assert "| failed_check | unit_code | dossier_code | procedure_version_key |" in table
    assert "| procedure_version_key is null | 90001 | D2 |  |" in table
    assert "D9" not in table
    assert (
        "first: failed_check=procedure_version_key is null, unit_code=90001, dossier_code=D2, "
        "procedure_version_key=None"
    ) in nulls.description
