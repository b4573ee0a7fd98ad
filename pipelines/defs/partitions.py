"""Daily partitions by export date, in the units' local time.

The ingest assets are partitioned: a run for a range of days ingests the files whose export
date is in it. The first partition also takes anything dated before the calendar starts and
the last (yesterday) anything dated after it, so no delivered file is ever out of reach.
Everything downstream (dbt, publish) is unpartitioned, but the run's window still reaches
dbt (`run_window`): the large staging models recompute only what the window touched.
"""

import datetime as dt
from collections.abc import Mapping

import dagster as dg

from pipelines.lib.loader import DayWindow
from pipelines.settings import load_settings

TIMEZONE = "Asia/Ho_Chi_Minh"

# The calendar is part of the definitions: fixed when the code location loads (PAR_FIRST_DAY).
daily = dg.DailyPartitionsDefinition(
    start_date=load_settings().first_day.isoformat(), timezone=TIMEZONE
)

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def day_window(context: dg.AssetExecutionContext) -> DayWindow:
    """The export dates this run ingests, open-ended at the calendar's first and last day."""
    keys = context.partition_key_range
    first_key, last_key = daily.get_first_partition_key(), daily.get_last_partition_key()
    return DayWindow(
        first=None if keys.start == first_key else dt.date.fromisoformat(keys.start),
        last=None if keys.end == last_key else dt.date.fromisoformat(keys.end),
    )


def range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    """Run tags asking for one run over the partitions first..last (clamped to the calendar)."""
    first_key, last_key = daily.get_first_partition_key(), daily.get_last_partition_key()
    start = max(first.isoformat(), first_key)
    end = min(last.isoformat(), last_key)
    start = min(start, end)
    return {RANGE_START_TAG: start, RANGE_END_TAG: end}


PARTITION_TAG = "dagster/partition"


def run_window(tags: Mapping[str, str]) -> tuple[str, str]:
    """The export-date window for dbt (start, end as ISO dates), from a run's partition or
    range (its tags); `settings.dbt_environment` hands it to dbt.

    Open-ended like `day_window`: the first partition has no start and the last no end, so a
    run over the whole calendar, or a run without partitions, passes empty values (dbt then
    recomputes everything). Both are always set, so no window outlives its run.
    """
    start = end = ""
    if PARTITION_TAG in tags:
        start = end = tags[PARTITION_TAG]
    elif RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        start, end = tags[RANGE_START_TAG], tags[RANGE_END_TAG]
    if start == daily.get_first_partition_key():
        start = ""
    if end == daily.get_last_partition_key():
        end = ""
    return start, end
