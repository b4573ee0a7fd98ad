"""Nightly automation: the 01:00 schedule for yesterday, and a sensor for late files."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.defs.jobs import full_build_job
from pipelines.defs.partitions import TIMEZONE, range_tags
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.landing import discover
from pipelines.settings import load_settings


@dg.schedule(
    job=full_build_job,
    cron_schedule="0 1 * * *",
    execution_timezone=TIMEZONE,
    name="nightly_at_0100",
    description="Every night at 01:00 Asia/Ho_Chi_Minh: ingest yesterday's files, rebuild, "
    "check and publish (yesterday's month, narrowed to the day by the tag par/days).",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    yesterday = nightly_day(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"nightly-{yesterday.isoformat()}",
        tags={**range_tags(yesterday, yesterday), "par/trigger": "nightly"},
    )


def nightly_day(scheduled: dt.datetime) -> dt.date:
    """The day a run scheduled at `scheduled` ingests: the day before, in local time."""
    return (scheduled.astimezone(ZoneInfo(TIMEZONE)) - dt.timedelta(days=1)).date()


# Part of the definitions: fixed when the code location loads.
SENSOR_INTERVAL_SECONDS = load_settings().late_files_sensor_seconds


def new_files_since(landing: Path, cursor_ns: int) -> tuple[list[dt.date], int]:
    """Export dates of landing files written after cursor_ns (mtime), and the new cursor.

    The cursor is the newest modification time seen: a file delivered or re-delivered after
    the last evaluation is newer, whatever day it covers. The sensor never opens the build
    file, so it never waits for (or blocks) a running writer.
    """
    files, _misplaced = discover(landing)
    newest = cursor_ns
    days: set[dt.date] = set()
    for file in files:
        mtime = file.path.stat().st_mtime_ns
        if mtime > cursor_ns:
            days.add(file.export_date)
            newest = max(newest, mtime)
    return sorted(days), newest


@dg.sensor(
    job=full_build_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Notices files delivered late or re-delivered for earlier days and runs just "
    "those days (one run over their date range) through to publication.",
)
def late_files_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    landing = warehouse.settings.landing_dir
    if not landing.exists():
        return dg.SkipReason(f"no landing folder at {landing}")
    cursor = int(context.cursor or 0)
    days, newest = new_files_since(landing, cursor)
    if cursor == 0:
        # First evaluation: remember where we are; history is the schedule's or a backfill's.
        context.update_cursor(str(newest))
        return dg.SkipReason("initialised: files delivered from now on will be picked up")
    context.update_cursor(str(newest))
    if not days:
        return dg.SkipReason("no new or re-delivered files")
    return dg.RunRequest(
        run_key=f"late-files-{newest}",
        tags={**range_tags(days[0], days[-1]), "par/trigger": "late_files"},
    )
