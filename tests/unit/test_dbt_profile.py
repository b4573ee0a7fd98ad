"""dbt's profile (dbt_project/profiles.yml) as DuckDB sees it, through the real dbt: the
memory limit the settings name (PAR_DBT_MEMORY_LIMIT) is in force in dbt's connection to the
build file. It is given when dbt connects (`config_options`), not set again on each node's
cursor (`settings`: a SET for every one of a build's 165 nodes, ~0.3 s)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, Settings, dbt_environment

DBT = str(Path(sys.executable).with_name("dbt"))


def test_the_memory_limit_of_the_settings_is_dbts_duckdbs(tmp_path):
    settings = Settings.for_folders(tmp_path / "in", tmp_path / "wh").replace(
        dbt_memory_limit="123MB"
    )
    settings.warehouse_dir.mkdir(parents=True)
    env = {
        **os.environ,
        **dbt_environment(settings),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "target"),
    }
    shown = subprocess.run(
        [
            DBT,
            "show",
            "--target",
            "dev",
            "--output",
            "json",
            "--log-format",
            "text",
            "--inline",
            "select current_setting('memory_limit') as memory_limit",
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stdout[-3000:] + shown.stderr[-3000:]
    start = shown.stdout.index("{")
    rows = json.loads(shown.stdout[start : shown.stdout.rindex("}") + 1])["show"]
    # 123 MB = 123,000,000 bytes = 117.3 MiB, as DuckDB shows it (not its default, 80% of
    # the machine's memory)
    assert rows == [{"memory_limit": "117.3 MiB"}]
