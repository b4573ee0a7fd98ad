"""A nightly run's new window does not make dbt re-parse the project.

dbt's partial parser re-parses every file that read, while being parsed, an environment
variable whose value has since changed. The window (PAR_WINDOW_START / PAR_WINDOW_END) is
new every night, so the partition-window macros read it only when dbt executes
(dbt_project/macros/partition_window.sql); that the window still applies when executed is
what test_incremental_facts checks. dbt's own log file is off by default
(PAR_DBT_LOG_LEVEL), and its debug level says what dbt re-parsed.

Real dbt parses the real project twice into one target folder, as the nightly runs do.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pipelines.settings import Settings, dbt_environment
from tests.dbt_fixture.dbt_env import DBT, DBT_PROJECT


def parse(tmp: Path, window: str, settings: Settings) -> None:
    env = dbt_environment(settings, (window, window), build_db=tmp / "build.duckdb")
    subprocess.run(
        [
            *(str(DBT), "parse", "--target-path", str(tmp / "target")),
            *("--log-path", str(tmp / "logs"), "--log-format-file", "json"),
        ],
        cwd=DBT_PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        check=True,
    )


def test_a_new_window_reparses_no_file_and_the_log_file_is_off_by_default(tmp_path):
    settings = Settings.for_folders(tmp_path / "landing", tmp_path)
    assert settings.dbt_log_level == "none"
    parse(tmp_path, "2021-02-01", settings)
    assert (tmp_path / "target" / "partial_parse.msgpack").exists()
    assert not (tmp_path / "logs" / "dbt.log").exists()

    # the next night, with dbt's debug log asked for
    parse(tmp_path, "2021-02-02", settings.replace(dbt_log_level="debug"))
    events = [
        json.loads(line)
        for line in (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8").splitlines()
        if line.startswith("{")
    ]
    names = {event["info"]["name"] for event in events}
    assert "UnableToPartialParse" not in names
    [enabled] = [event for event in events if event["info"]["name"] == "PartialParsingEnabled"]
    assert enabled["data"].get("changed", 0) == 0, enabled["info"]["msg"]
    assert enabled["data"].get("added", 0) == enabled["data"].get("deleted", 0) == 0
    assert "PartialParsingFile" not in names
