"""What a non-blocking (warning) check reports when it cannot run: a failed WARN result
with the error, never a step failure, so a run is judged by its blocking checks only."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable

import dagster as dg

# Failing rows a failed check lists in its metadata (`failing_rows`): enough to act on
# without SQL; the whole set is in the tables the check names.
FAILING_ROWS_SHOWN = 20


def warning_on_error(check_name: str) -> Callable:
    """For the body of a non-blocking check: an exception inside it becomes a failed WARN
    result with the error in its metadata and description, so that the step succeeds and
    the run is judged by its blocking checks only."""

    def decorate(body: Callable[..., dg.AssetCheckResult]) -> Callable[..., dg.AssetCheckResult]:
        @functools.wraps(body)
        def guarded(*args, **kwargs) -> dg.AssetCheckResult:
            try:
                return body(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - any error is reported, never raised
                return error_result(check_name, error)

        return guarded

    return decorate


def error_result(check_name: str, error: BaseException) -> dg.AssetCheckResult:
    """A failed warning saying that the check could not run and why."""
    summary = f"{type(error).__name__}: {error}"
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{check_name} could not run: {summary}",
        metadata={
            "error": dg.MetadataValue.text(summary),
            "traceback": dg.MetadataValue.text("".join(traceback.format_exception(error))),
        },
    )
