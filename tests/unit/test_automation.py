"""The pure parts of nightly automation: day windows, range tags, the late-files cursor."""

import datetime as dt
import os

import dagster as dg

from pipelines.defs.automation import new_files_since
from pipelines.defs.partitions import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    daily,
    range_tags,
    run_window,
)


def test_range_tags_clamp_to_the_calendar():
    first_key = daily.get_first_partition_key()
    tags = range_tags(dt.date(1999, 1, 1), dt.date(2021, 3, 31))
    assert tags == {RANGE_START_TAG: first_key, RANGE_END_TAG: "2021-03-31"}
    future = range_tags(dt.date(2021, 1, 1), dt.date(2999, 1, 1))
    assert future[RANGE_END_TAG] == daily.get_last_partition_key()


def test_day_window_is_open_at_the_calendar_ends():
    from pipelines.defs.partitions import day_window

    @dg.asset(partitions_def=daily)
    def probe(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        window = day_window(context)
        return dg.MaterializeResult(metadata={"first": str(window.first), "last": str(window.last)})

    # Short ranges: a run records one materialization per partition in its range.
    first = daily.get_first_partition_key()
    first_plus_2 = (dt.date.fromisoformat(first) + dt.timedelta(days=2)).isoformat()
    last = daily.get_last_partition_key()
    last_minus_2 = (dt.date.fromisoformat(last) - dt.timedelta(days=2)).isoformat()
    with dg.instance_for_test() as instance:
        for (start, end), expected in [
            (("2021-03-01", "2021-03-03"), ("2021-03-01", "2021-03-03")),
            # the calendar's first day also takes older files, its last day newer ones
            ((first, first_plus_2), ("None", first_plus_2)),
            ((last_minus_2, last), (last_minus_2, "None")),
        ]:
            result = dg.materialize(
                [probe],
                instance=instance,
                tags={RANGE_START_TAG: start, RANGE_END_TAG: end},
            )
            metadata = result.asset_materializations_for_node("probe")[0].metadata
            assert (metadata["first"].value, metadata["last"].value) == expected


def test_new_files_since_reports_days_of_files_written_after_the_cursor(tmp_path):
    (tmp_path / "units.csv").write_text("unit_code\n")
    old = tmp_path / "900" / "dossiers" / "2021-03-01.csv"
    late = tmp_path / "900" / "documents" / "2021-02-10_2.csv"
    for path in (old, late):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    os.utime(old, ns=(1_000, 1_000))
    os.utime(late, ns=(5_000, 5_000))
    # Only the file written after the cursor counts; the cursor moves to its mtime.
    assert new_files_since(tmp_path, 2_000) == ([dt.date(2021, 2, 10)], 5_000)
    assert new_files_since(tmp_path, 5_000) == ([], 5_000)
    assert new_files_since(tmp_path, 0) == ([dt.date(2021, 2, 10), dt.date(2021, 3, 1)], 5_000)


def test_run_window_passes_the_runs_days_to_dbt_open_at_the_calendar_ends():
    first, last = daily.get_first_partition_key(), daily.get_last_partition_key()

    def window(start: str, end: str) -> tuple[str, str]:
        return start, end

    # a nightly run: its one day, both ends
    assert run_window({PARTITION_TAG: "2021-03-04"}) == window("2021-03-04", "2021-03-04")
    # a backfill over a range
    range_tags_ = {RANGE_START_TAG: "2021-03-01", RANGE_END_TAG: "2021-03-31"}
    assert run_window(range_tags_) == window("2021-03-01", "2021-03-31")
    # the calendar's first partition also holds older files, its last newer ones: open ends
    assert run_window({RANGE_START_TAG: first, RANGE_END_TAG: "2021-03-31"}) == window(
        "", "2021-03-31"
    )
    assert run_window({RANGE_START_TAG: "2021-03-01", RANGE_END_TAG: last}) == window(
        "2021-03-01", ""
    )
    # the whole calendar, or a run without partitions: empty, dbt recomputes everything
    assert run_window({RANGE_START_TAG: first, RANGE_END_TAG: last}) == window("", "")
    assert run_window({"par/trigger": "manual"}) == window("", "")
