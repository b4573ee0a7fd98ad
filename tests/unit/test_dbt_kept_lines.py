"""dbt's standby builds only the log lines its loggers keep (pipelines/lib/dbt_kept_lines.py):
the lines written are dbt's own, at every level and in every format, and a line below its
logger's level is never built. With dbt_common's real event manager and loggers."""

from __future__ import annotations

import io
import json

import pytest
from dbt_common.events import logger as dbt_logger
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LineFormat, LoggerConfig
from dbt_common.events.types import Note, PrintEvent

from pipelines.lib.dbt_kept_lines import keep_only_kept_lines

# One event at each level dbt fires, and a print event (kept even by a quiet logger).
FIRED = [
    (Note(msg="a statement"), EventLevel.DEBUG),
    (Note(msg="a node started"), EventLevel.INFO),
    (Note(msg="a deprecation"), EventLevel.WARN),
    (Note(msg="a node failed"), EventLevel.ERROR),
    (PrintEvent(msg="a printed line"), None),
]


@pytest.fixture
def restore_dbt_logger(monkeypatch):
    """The patch is undone after each test (monkeypatch puts dbt's own method back)."""
    monkeypatch.setattr(dbt_logger._Logger, "write_line", dbt_logger._Logger.write_line)


def _log(line_format: LineFormat, level: EventLevel, counted: list[str]) -> str:
    """What a dbt logger of this format and level writes of FIRED; every line dbt built is
    added to `counted`."""
    stream = io.StringIO()
    manager = EventManager()
    config = LoggerConfig(
        name=f"test_{line_format.name}_{level.value}",
        line_format=line_format,
        level=level,
        output_stream=stream,
    )
    manager.add_logger(config)
    logger = manager.loggers[0]
    build = logger.create_line

    def counting(msg):
        counted.append(msg.info.msg)
        return build(msg)

    logger.create_line = counting
    for event, event_level in FIRED:
        manager.fire_event(event, level=event_level)
    return stream.getvalue()


def _without_times(text: str, line_format: LineFormat) -> list[str]:
    """The lines, their time stamps left out (two runs differ in them)."""
    if line_format == LineFormat.Json:
        lines = []
        for line in text.splitlines():
            data = json.loads(line)
            data["info"].pop("ts", None)
            lines.append(json.dumps(data, sort_keys=True))
        return lines
    return [line.split("  ", 1)[-1] for line in text.splitlines()]


@pytest.mark.parametrize("line_format", [LineFormat.Json, LineFormat.PlainText])
@pytest.mark.parametrize(
    ("level", "kept"),
    [
        # dagster-dbt's info level: the statement's debug line is dropped
        (EventLevel.INFO, ["a node started", "a deprecation", "a node failed", "a printed line"]),
        # a dbt log file at debug keeps every line
        (
            EventLevel.DEBUG,
            ["a statement", "a node started", "a deprecation", "a node failed", "a printed line"],
        ),
        # --quiet: errors and printed lines only
        (EventLevel.ERROR, ["a node failed", "a printed line"]),
    ],
)
def test_the_lines_written_are_dbts_and_no_dropped_line_is_built(
    restore_dbt_logger, line_format, level, kept
):
    built_by_dbt: list[str] = []
    as_dbt = _log(line_format, level, built_by_dbt)
    assert keep_only_kept_lines()
    built: list[str] = []
    patched = _log(line_format, level, built)
    # the same lines, in the same order
    assert _without_times(patched, line_format) == _without_times(as_dbt, line_format)
    assert len(patched.splitlines()) == len(kept)
    # dbt itself builds a line for every event, kept or not; patched, only the kept ones
    assert built_by_dbt == [event.msg for event, _ in FIRED]
    assert built == kept


def test_applying_it_twice_wraps_once(restore_dbt_logger):
    assert keep_only_kept_lines()
    once = dbt_logger._Logger.write_line
    assert keep_only_kept_lines()
    assert dbt_logger._Logger.write_line is once
