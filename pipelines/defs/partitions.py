"""Monthly partitions by export date, in the units' local time, and the days a run covers.

The ingest assets are partitioned by month: a run for a range of months ingests the files
whose export date is in it. A run may narrow its months to a window of days with the tag
`par/days` ("2021-12-31" or "2021-12-01..2021-12-15"): the nightly schedule, the late-files
sensor and `par run` ingest only the days that got files, and in the UI a day is re-run by
launching its month with that tag. The first month also takes anything dated before the
calendar starts and the last (the current month) anything dated after it, so no delivered
file is ever out of reach. Everything downstream (dbt, publish) is unpartitioned, but the
run's days still reach dbt (`run_window`): the large staging models recompute only what the
window touched.

Why months and not days: Dagster records a planned and a materialization event per
partition and asset, and stores each one in SQLite on its own. A year of daily partitions
over six ingest assets was ~4,400 events, about 25 s of every full build; months are 12 a
year, and a day's run costs the same either way.
"""

import datetime as dt
from collections.abc import Mapping

import dagster as dg

from pipelines.lib.loader import DayWindow
from pipelines.settings import load_settings

TIMEZONE = "Asia/Ho_Chi_Minh"

# The calendar is part of the definitions: fixed when the code location loads (PAR_FIRST_DAY;
# its month is the first partition). end_offset=1: the current month is a partition too, so
# yesterday always has one, even on the first of a month.
monthly = dg.MonthlyPartitionsDefinition(
    start_date=load_settings().first_day.replace(day=1).isoformat(),
    timezone=TIMEZONE,
    end_offset=1,
)

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
DAYS_TAG = "par/days"


class RunDaysError(ValueError):
    """A run's `par/days` tag that cannot be read or lies outside the run's months."""


def month_key(day: dt.date) -> str:
    """The partition key of the month a day is in."""
    return day.replace(day=1).isoformat()


def _month_end(key: str) -> dt.date:
    start = dt.date.fromisoformat(key)
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _calendar_keys() -> tuple[str, str]:
    return monthly.get_first_partition_key(), monthly.get_last_partition_key()


def format_days(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


def parse_days(text: str) -> tuple[dt.date, dt.date]:
    """`2021-12-31` or `2021-12-01..2021-12-15` as (first, last)."""
    first_text, _, last_text = text.strip().partition("..")
    try:
        first = dt.date.fromisoformat(first_text.strip())
        last = dt.date.fromisoformat((last_text or first_text).strip())
    except ValueError:
        raise RunDaysError(
            f"tag {DAYS_TAG}={text!r}: expected a day (2021-12-31) or a range of days "
            "(2021-12-01..2021-12-15)"
        ) from None
    if last < first:
        raise RunDaysError(f"tag {DAYS_TAG}={text!r}: the range ends before it starts")
    return first, last


def range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    """Run tags asking for one run over the days first..last: the months that hold them
    (clamped to the calendar) and, in `par/days`, the days themselves (clamped likewise: a
    file dated before the calendar is in its first month, one dated after in its last)."""
    first_key, last_key = _calendar_keys()
    start = min(max(month_key(first), first_key), last_key)
    end = max(min(month_key(last), last_key), start)
    span_first, span_last = dt.date.fromisoformat(start), _month_end(end)
    days_first = min(max(first, span_first), span_last)
    days_last = max(min(last, span_last), days_first)
    return {
        RANGE_START_TAG: start,
        RANGE_END_TAG: end,
        DAYS_TAG: format_days(days_first, days_last),
    }


def _window(start_key: str, end_key: str, days_tag: str | None) -> DayWindow:
    """The export dates of a run over the months start_key..end_key, narrowed by its
    `par/days` tag; open at the calendar's ends (None: older or newer files included)."""
    span_first, span_last = dt.date.fromisoformat(start_key), _month_end(end_key)
    first, last = span_first, span_last
    if days_tag:
        first, last = parse_days(days_tag)
        if first < span_first or last > span_last:
            raise RunDaysError(
                f"tag {DAYS_TAG}={days_tag!r} lies outside the run's months "
                f"{start_key[:7]}..{end_key[:7]}: launch the months that hold those days"
            )
    first_key, last_key = _calendar_keys()
    return DayWindow(
        first=None if start_key == first_key and first == span_first else first,
        last=None if end_key == last_key and last == span_last else last,
    )


def day_window(context: dg.AssetExecutionContext) -> DayWindow:
    """The export dates this run ingests: its months, narrowed by `par/days`."""
    keys = context.partition_key_range
    try:
        return _window(keys.start, keys.end, context.run.tags.get(DAYS_TAG))
    except RunDaysError as error:
        raise dg.Failure(str(error)) from None


def run_window(tags: Mapping[str, str]) -> tuple[str, str]:
    """The export-date window for dbt (start, end as ISO dates), from a run's months and
    days (its tags); `settings.dbt_environment` hands it to dbt.

    Open-ended like `day_window`: a run over the calendar's first month has no start and one
    over its last month no end, so a run over the whole calendar, or a run without
    partitions, passes empty values (dbt then recomputes everything). Both are always set,
    so no window outlives its run."""
    if PARTITION_TAG in tags:
        start_key = end_key = tags[PARTITION_TAG]
    elif RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        start_key, end_key = tags[RANGE_START_TAG], tags[RANGE_END_TAG]
    else:
        return "", ""
    window = _window(start_key, end_key, tags.get(DAYS_TAG))
    return (
        window.first.isoformat() if window.first else "",
        window.last.isoformat() if window.last else "",
    )
