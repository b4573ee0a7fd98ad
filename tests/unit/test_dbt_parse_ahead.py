"""dbt's parse begun with a run (pipelines/lib/dbt_parse_ahead.py): only when the
warehouse's dbt target folder has no usable state, never twice at once for one folder,
and the state it leaves is what a later run finds. (That `dbt build` then skips parsing
is asserted on a real run: tests/integration/test_small_pipeline.py.)"""

from __future__ import annotations

import os
import time

from pipelines.lib import dbt_parse_ahead
from pipelines.settings import Settings


def test_a_folder_needs_a_parse_without_state_or_with_state_older_than_the_project(tmp_path):
    assert dbt_parse_ahead.needs_parse(tmp_path)  # no state at all
    state = tmp_path / dbt_parse_ahead.STATE_FILE
    state.write_bytes(b"")
    later = time.time() + 86_400  # newer than every project file
    os.utime(state, (later, later))
    assert not dbt_parse_ahead.needs_parse(tmp_path)
    os.utime(state, (0, 0))  # older than every project file
    assert dbt_parse_ahead.needs_parse(tmp_path)


def test_the_parse_runs_once_per_folder_and_leaves_its_state(tmp_path):
    settings = Settings.for_folders(tmp_path / "landing", tmp_path / "warehouse")
    assert not dbt_parse_ahead.begin(settings.replace(engine="spark"))
    assert dbt_parse_ahead.begin(settings)
    assert not dbt_parse_ahead.begin(settings)  # one is under way for the folder
    assert dbt_parse_ahead.wait(settings.dbt_target_dir) == 0
    assert dbt_parse_ahead.wait(settings.dbt_target_dir) is None  # nothing left to wait for
    assert (settings.dbt_target_dir / dbt_parse_ahead.STATE_FILE).is_file()
    assert not dbt_parse_ahead.needs_parse(settings.dbt_target_dir)
    assert not dbt_parse_ahead.begin(settings)  # the state is there now
    assert dbt_parse_ahead.waiting_for() == {}
    # it parsed without a build file: the parse opens no database
    assert not settings.build_db.exists()
