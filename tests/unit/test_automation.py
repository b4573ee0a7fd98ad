"""The pure parts of nightly automation: monthly partitions narrowed to days, range tags,
the nightly schedule's day, the late-files cursor."""

import datetime as dt
import os

import dagster as dg
import pytest

from pipelines.defs.automation import new_files_since, nightly_day, nightly_schedule
from pipelines.defs.partitions import (
    DAYS_TAG,
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    RunDaysError,
    monthly,
    range_tags,
    run_window,
)


def test_range_tags_name_the_months_and_the_days_clamped_to_the_calendar():
    first_key, last_key = monthly.get_first_partition_key(), monthly.get_last_partition_key()
    # one day: its month, narrowed to the day
    assert range_tags(dt.date(2021, 3, 4), dt.date(2021, 3, 4)) == {
        RANGE_START_TAG: "2021-03-01",
        RANGE_END_TAG: "2021-03-01",
        DAYS_TAG: "2021-03-04",
    }
    # days across months: every month between, the days as a range
    assert range_tags(dt.date(2021, 3, 30), dt.date(2021, 5, 2)) == {
        RANGE_START_TAG: "2021-03-01",
        RANGE_END_TAG: "2021-05-01",
        DAYS_TAG: "2021-03-30..2021-05-02",
    }
    # a file dated before the calendar is in its first month, from that month's first day
    tags = range_tags(dt.date(1999, 1, 1), dt.date(2021, 3, 31))
    assert tags == {
        RANGE_START_TAG: first_key,
        RANGE_END_TAG: "2021-03-01",
        DAYS_TAG: f"{first_key}..2021-03-31",
    }
    # one dated after it, in its last month (the current one) up to that month's last day
    future = range_tags(dt.date(2021, 1, 1), dt.date(2999, 1, 1))
    assert future[RANGE_END_TAG] == last_key
    assert run_window(future)[1] == ""  # open: the file is within reach


def test_day_window_is_the_runs_days_open_at_the_calendar_ends():
    from pipelines.defs.partitions import day_window

    @dg.asset(partitions_def=monthly)
    def probe(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        window = day_window(context)
        return dg.MaterializeResult(metadata={"first": str(window.first), "last": str(window.last)})

    first = monthly.get_first_partition_key()
    last = monthly.get_last_partition_key()

    def month_end(key: str) -> dt.date:
        following = (dt.date.fromisoformat(key) + dt.timedelta(days=31)).replace(day=1)
        return following - dt.timedelta(days=1)

    with dg.instance_for_test() as instance:
        for tags, expected in [
            # a month launched from the UI: the whole month
            ({PARTITION_TAG: "2021-03-01"}, ("2021-03-01", "2021-03-31")),
            # re-running one day: its month with the tag par/days
            ({PARTITION_TAG: "2021-03-01", DAYS_TAG: "2021-03-04"}, ("2021-03-04", "2021-03-04")),
            # a backfill of two months, and one of them narrowed to days
            (
                {RANGE_START_TAG: "2021-03-01", RANGE_END_TAG: "2021-04-01"},
                ("2021-03-01", "2021-04-30"),
            ),
            (range_tags(dt.date(2021, 3, 30), dt.date(2021, 4, 2)), ("2021-03-30", "2021-04-02")),
            # the calendar's first month also takes older files, its last month newer ones
            ({PARTITION_TAG: first}, ("None", str(month_end(first)))),
            ({PARTITION_TAG: last}, (last, "None")),
            # ... but not when the run is narrowed to days inside them
            ({PARTITION_TAG: last, DAYS_TAG: last}, (last, last)),
        ]:
            result = dg.materialize(
                [probe], instance=instance, tags=tags, partition_key=tags.get(PARTITION_TAG)
            )
            metadata = result.asset_materializations_for_node("probe")[0].metadata
            assert (metadata["first"].value, metadata["last"].value) == expected, tags
        # days outside the run's months fail the run, saying why
        result = dg.materialize(
            [probe],
            instance=instance,
            partition_key="2021-03-01",
            tags={DAYS_TAG: "2021-04-04"},
            raise_on_error=False,
        )
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert "outside the run's months 2021-03..2021-03" in str(failure.step_failure_data.error)


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
    first, last = monthly.get_first_partition_key(), monthly.get_last_partition_key()
    # a nightly run: its one day, both ends
    assert run_window(range_tags(dt.date(2021, 3, 4), dt.date(2021, 3, 4))) == (
        "2021-03-04",
        "2021-03-04",
    )
    # a month launched from the UI, and a backfill over months
    assert run_window({PARTITION_TAG: "2021-03-01"}) == ("2021-03-01", "2021-03-31")
    range_tags_ = {RANGE_START_TAG: "2021-02-01", RANGE_END_TAG: "2021-03-01"}
    assert run_window(range_tags_) == ("2021-02-01", "2021-03-31")
    # the calendar's first month also holds older files, its last newer ones: open ends
    assert run_window({RANGE_START_TAG: first, RANGE_END_TAG: "2021-03-01"}) == ("", "2021-03-31")
    assert run_window({RANGE_START_TAG: "2021-03-01", RANGE_END_TAG: last}) == ("2021-03-01", "")
    # the whole calendar, or a run without partitions: empty, dbt recomputes everything
    assert run_window({RANGE_START_TAG: first, RANGE_END_TAG: last}) == ("", "")
    assert run_window({"par/trigger": "manual"}) == ("", "")
    # a day tag that cannot be read, or ends before it starts, is refused with the reason
    for bad in ("yesterday", "2021-03-05..2021-03-01"):
        with pytest.raises(RunDaysError, match="par/days"):
            run_window({PARTITION_TAG: "2021-03-01", DAYS_TAG: bad})


def test_the_nightly_schedule_runs_yesterdays_month_narrowed_to_yesterday():
    # 01:00 on 1 March in Vietnam is 18:00 UTC on 28 February: yesterday is 28 February,
    # in February's partition
    scheduled = dt.datetime(2021, 2, 28, 18, 0, tzinfo=dt.UTC)
    assert nightly_day(scheduled) == dt.date(2021, 2, 28)
    context = dg.build_schedule_context(scheduled_execution_time=scheduled)
    request = nightly_schedule(context)
    assert request.tags[RANGE_START_TAG] == request.tags[RANGE_END_TAG] == "2021-02-01"
    assert request.tags[DAYS_TAG] == "2021-02-28"
    assert run_window(request.tags) == ("2021-02-28", "2021-02-28")
