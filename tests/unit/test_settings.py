"""Settings: one immutable object built from the environment in one place, handed to
everything else; the README's table is generated from it."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from pipelines.defs.resources import WarehouseResource
from pipelines.settings import (
    REPO_ROOT,
    VARIABLES,
    Settings,
    dbt_environment,
    settings_table,
)

SETTINGS_MODULE = REPO_ROOT / "pipelines" / "settings.py"


def test_defaults_resolve_from_the_repository_root():
    settings = Settings.from_env({})
    assert settings.landing_dir == REPO_ROOT / "warehouse" / "landing"
    assert settings.warehouse_dir == REPO_ROOT / "warehouse"
    assert settings.build_db == REPO_ROOT / "warehouse" / "build.duckdb"
    assert settings.published_db == REPO_ROOT / "warehouse" / "par.duckdb"
    assert settings.first_day == dt.date(2020, 1, 1)
    assert (settings.freshness_days, settings.late_files_sensor_seconds) == (7, 300)
    assert settings.ingest_workers >= 1
    assert settings.dbt_memory_limit == "2GB"
    assert settings.dbt_log_level == "none"


def test_the_dagster_home_follows_the_warehouse_folder(tmp_path):
    # `make ui` and `par run` use this home: it moves with PAR_WAREHOUSE_DIR
    settings = Settings.from_env({"PAR_WAREHOUSE_DIR": str(tmp_path)})
    assert settings.dagster_home == tmp_path / "dagster_home"
    assert settings.build_db == tmp_path / "build.duckdb"
    assert settings.dbt_target_dir == tmp_path / "dbt_target"
    own = Settings.from_env({"PAR_WAREHOUSE_DIR": str(tmp_path), "DAGSTER_HOME": "/srv/dh"})
    assert own.dagster_home == Path("/srv/dh")


def test_relative_folders_and_empty_values():
    settings = Settings.from_env({"PAR_LANDING_DIR": "data/in", "PAR_FRESHNESS_DAYS": ""})
    assert settings.landing_dir == REPO_ROOT / "data" / "in"
    assert settings.freshness_days == 7  # empty means unset


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PAR_FIRST_DAY", "2020-13-01"),
        ("PAR_FRESHNESS_DAYS", "seven"),
        ("PAR_INGEST_WORKERS", "0"),
        ("PAR_LATE_FILES_SENSOR_SECONDS", "-5"),
        ("PAR_DBT_LOG_LEVEL", "verbose"),
    ],
)
def test_a_malformed_value_is_refused_naming_its_variable(variable, value):
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})


def test_a_child_process_rebuilds_the_same_settings(tmp_path):
    settings = Settings.for_folders(tmp_path / "in", tmp_path / "wh").replace(
        first_day=dt.date(2021, 1, 1),
        ingest_workers=3,
        dbt_memory_limit="1GB",
        dbt_log_level="debug",
    )
    assert Settings.from_env(settings.to_env()) == settings


def test_the_dagster_resource_carries_every_setting(tmp_path):
    settings = Settings.for_folders(tmp_path / "in", tmp_path / "wh").replace(freshness_days=3)
    assert WarehouseResource.from_settings(settings).settings == settings
    # every field of Settings is a field of the resource, so none is lost on the way
    assert set(WarehouseResource.model_fields) == {v.field for v in VARIABLES}


def test_dbt_environment_is_the_build_file_the_memory_limit_and_the_window(tmp_path):
    settings = Settings.for_folders(tmp_path / "in", tmp_path / "wh")
    env = dbt_environment(settings, ("2021-03-01", ""))
    assert env["PAR_BUILD_DB"] == str(tmp_path / "wh" / "build.duckdb")
    assert env["PAR_DBT_MEMORY_LIMIT"] == "2GB"
    assert (env["PAR_WINDOW_START"], env["PAR_WINDOW_END"]) == ("2021-03-01", "")
    # no dbt.log unless asked for (PAR_DBT_LOG_LEVEL)
    assert env["DBT_LOG_LEVEL_FILE"] == "none"
    assert dbt_environment(settings.replace(dbt_log_level="debug"))["DBT_LOG_LEVEL_FILE"] == "debug"
    # no window: both ends empty, so dbt recomputes everything (and no old window lingers)
    assert dbt_environment(settings)["PAR_WINDOW_START"] == ""
    assert dbt_environment(settings, build_db=tmp_path / "c.duckdb")["PAR_BUILD_DB"] == str(
        tmp_path / "c.duckdb"
    )


def test_every_variable_fills_a_settings_field():
    fields = set(Settings.__dataclass_fields__)
    assert {v.field for v in VARIABLES} == fields


def test_the_readme_lists_every_setting_as_generated():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "README's settings table: paste settings_table()"


# --- nobody else reads the environment for a PAR_* setting --------------------------------


def _par_environment_reads(source: str) -> list[int]:
    """Line numbers where code reads a PAR_* variable from the environment: os.environ[...],
    os.environ.get/pop/setdefault(...), os.getenv(...), with a "PAR_..." literal key."""

    def par_literal(node: ast.AST | None) -> bool:
        return (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("PAR_")
        )

    def is_environ(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id == "environ"
        )

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and is_environ(node.value) and par_literal(node.slice):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args and par_literal(node.args[0]):
            func = node.func
            reads_environ = isinstance(func, ast.Attribute) and (
                (func.attr in ("get", "pop", "setdefault") and is_environ(func.value))
                or func.attr == "getenv"
            )
            if reads_environ or (isinstance(func, ast.Name) and func.id == "getenv"):
                lines.append(node.lineno)
    return lines


def test_the_detector_finds_each_way_of_reading_the_environment():
    source = "\n".join(
        [
            "import os",
            "a = os.environ['PAR_A']",
            "b = os.environ.get('PAR_B', '1')",
            "c = os.getenv('PAR_C')",
            "d = os.environ.get('HOME')",  # not a PAR_* setting
            "e = 'PAR_E is documented here'",  # text, not a read
        ]
    )
    assert _par_environment_reads(source) == [2, 3, 4]


def test_only_the_settings_module_reads_par_variables():
    offenders = []
    for path in sorted((REPO_ROOT / "pipelines").rglob("*.py")):
        if path == SETTINGS_MODULE:
            continue
        for line in _par_environment_reads(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(REPO_ROOT)}:{line}")
    assert offenders == []


def test_tests_pass_settings_instead_of_setting_the_environment():
    offenders = []
    for path in sorted((REPO_ROOT / "tests").rglob("*.py")):
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if "setenv(" in line and '"PAR_' in line:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}")
    assert offenders == []
