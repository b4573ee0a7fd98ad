"""Great Expectations suites for the raw feeds: rows that loaded but look wrong.

Rows that cannot load at all are set aside by the parser; these expectations judge the
rows that did load, so that implausible values (a finish before the receipt, a date after
the export day, an unknown procedure) are flagged with their file and row, never dropped.
Value sets are not typed here: the contract's codes come from the header table that types
them (`headers.allowed_values`), the ID shapes from the pseudonymiser, so a code added
there reaches these checks.

GX is imported when there are rows to validate, not before: importing it costs seconds
and it must stay out of Dagster's definitions load. It has no polars support, so it
validates a pandas view.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from pipelines.lib import heap
from pipelines.lib.headers import allowed_values
from pipelines.lib.pseudonymise import ID_KINDS

# (name, GX expectation class name, keyword arguments, what it means to an operator)
Spec = tuple[str, str, dict[str, Any], str]

_IN_SET = "ExpectColumnValuesToBeInSet"
_NOT_NULL = "ExpectColumnValuesToNotBeNull"
_A_AFTER_B = "ExpectColumnPairValuesAToBeGreaterThanB"
_UNIQUE = "ExpectCompoundColumnsToBeUnique"


def _spoken(values: list) -> str:
    """'1, 2 or 3'; a run of four or more whole numbers as '1-10'."""
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if len(values) >= 4 and whole and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}"
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _known(feed: str, column: str, label: str) -> Spec:
    """`<column>_known`: the column holds one of the values the contract allows, as the
    header table that types the column knows them (headers.allowed_values)."""
    values = allowed_values(feed, column)
    return (
        f"{column}_known",
        _IN_SET,
        {"column": column, "value_set": values},
        f"{label} is {_spoken(values)}",
    )


def _given(column: str, label: str) -> Spec:
    """`<column>_known` for a yes/no column: raw's BOOLEAN type already holds only true or
    false, so the one value that is not known is a blank one."""
    return (f"{column}_known", _NOT_NULL, {"column": column}, f"{label} is given (Có or Không)")


# The staff list's yes/no columns, which the coverage indicators count.
_STAFF_FLAGS = {
    "is_leader": "leader or not",
    "has_official_email": "official mailbox",
    "has_signing_certificate": "signing certificate",
}


# ID numbers the pseudonymiser recognises ('other' is an ID of no known shape).
WELL_FORMED_ID_KINDS = list(ID_KINDS)


def _order(later: str, earlier: str) -> dict[str, Any]:
    return {
        "column_A": later,
        "column_B": earlier,
        "or_equal": True,
        "ignore_row_if": "either_value_is_missing",
    }


SUITES: dict[str, list[Spec]] = {
    "dossiers": [
        (
            "dossier_code_present",
            _NOT_NULL,
            {"column": "dossier_code"},
            "every row names its dossier",
        ),
        _known("dossiers", "status", "status"),
        _known("dossiers", "channel", "channel"),
        (
            "one_row_per_update",
            _UNIQUE,
            {"column_list": ["unit_code", "dossier_code", "updated_at", "source_file"]},
            "a dossier appears once per update within a file",
        ),
        (
            "due_not_before_received",
            _A_AFTER_B,
            _order("due_at", "received_at"),
            "received_at <= due_at",
        ),
        (
            "finished_not_before_received",
            _A_AFTER_B,
            _order("finished_at", "received_at"),
            "received_at <= finished_at",
        ),
        (
            "returned_not_before_finished",
            _A_AFTER_B,
            _order("returned_at", "finished_at"),
            "finished_at <= returned_at",
        ),
        (
            "updated_not_after_export_day",
            _A_AFTER_B,
            _order("export_day_end", "updated_at"),
            "nothing is updated after the day the export covers",
        ),
        (
            "received_not_after_export_day",
            _A_AFTER_B,
            _order("export_day_end", "received_at"),
            "nothing is received after the day the export covers",
        ),
        (
            "id_number_well_formed",
            _IN_SET,
            {"column": "applicant_id_kind", "value_set": WELL_FORMED_ID_KINDS},
            "before hashing, the ID number had the shape of a citizen ID (12 digits), "
            "an old ID (9) or a tax code",
        ),
        (
            "procedure_in_catalogue",
            _IN_SET,
            {"column": "procedure_in_catalogue", "value_set": [True]},
            "the procedure was in the unit's catalogue on the received date (the catalogue "
            "of the registry row of the export date; a dossier handed over in a "
            "reorganisation: that unit's first catalogue)",
        ),
    ],
    "documents": [
        _known("documents", "send_method", "send method"),
        _known("documents", "recipient_kind", "recipient kind"),
        _known("documents", "classification", "classification"),
        (
            "one_row_per_update",
            _UNIQUE,
            {
                "column_list": [
                    "unit_code",
                    "document_number",
                    "document_year",
                    "updated_at",
                    "source_file",
                ]
            },
            "a document appears once per update within a file",
        ),
        (
            "dated_not_after_export_day",
            _A_AFTER_B,
            _order("export_day_end", "document_date"),
            "no document is dated after the day the export covers",
        ),
    ],
    "procedures": [
        _known("procedures", "change_type", "change type"),
        _known("procedures", "status", "status"),
        _known("procedures", "service_level", "online service level"),
        _known("procedures", "authority_level", "authority level"),
        (
            "one_row_per_procedure",
            _UNIQUE,
            {"column_list": ["unit_code", "source_file", "procedure_code"]},
            "a snapshot lists each procedure once",
        ),
        (
            "decision_not_after_export_day",
            _A_AFTER_B,
            _order("export_day_end", "decision_date"),
            "no decision is dated after the day the export covers",
        ),
    ],
    "reports": [
        _known("reports", "scope", "scope"),
        (
            "indicator_in_catalogue",
            _IN_SET,
            {"column": "indicator_in_catalogue", "value_set": [True]},
            "the indicator code is in the catalogue",
        ),
        (
            "numerator_within_denominator",
            _A_AFTER_B,
            _order("denominator", "numerator"),
            "numerator <= denominator",
        ),
        ("numerator_not_negative", _A_AFTER_B, _order("numerator", "zero"), "numerator >= 0"),
    ],
    "staff": [
        (
            "staff_code_present",
            _NOT_NULL,
            {"column": "staff_code"},
            "every row names its official",
        ),
        (
            "one_row_per_staff_code",
            _UNIQUE,
            {"column_list": ["unit_code", "source_file", "staff_code"]},
            "a staff list names each official once",
        ),
        _known("staff", "status", "status"),
        *(_given(flag, label) for flag, label in _STAFF_FLAGS.items()),
    ],
}


def suite_columns(feed: str) -> list[str]:
    """The columns the feed's suite reads, plus source_file and source_row (which name a
    failing row). Validating only these halves the time of a large run: both the pandas
    conversion and GX itself cost per column."""
    columns = ["source_file", "source_row"]
    for _name, _class_name, kwargs, _meaning in SUITES[feed]:
        named = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
        columns += [c for c in named + kwargs.get("column_list", []) if c not in columns]
    return columns


@dataclass
class ExpectationOutcome:
    name: str
    meaning: str
    success: bool
    unexpected_count: int
    examples: list[dict[str, Any]] = field(default_factory=list)  # source_file, source_row, value
    # GX could not evaluate the expectation (it then reports a failure with no rows): why
    error: str | None = None


def _exception_message(exception_info: Any) -> str | None:
    """The first error GX caught while evaluating an expectation, if any. GX 1.x gives one
    {raised_exception, exception_message, ...} dict, or one such dict per metric."""
    if not isinstance(exception_info, dict):
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    for info in infos:
        if isinstance(info, dict) and info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error").strip()
    return None


_log = logging.getLogger(__name__)
_context_lock = threading.Lock()  # held while the context is made
_warming_lock = threading.Lock()
_warming: threading.Thread | None = None


def warm_up() -> None:
    """Import GX and make its context in a thread, once per process. The dbt step calls
    this as it starts: the feed checks run after it, and the import (about 2 s, mostly GX's
    own dependencies) runs while this process waits for dbt's own. Not a daemon: a process
    that ends first waits for it rather than stopping it inside an import."""
    global _warming
    with _warming_lock:
        if _warming is not None:
            return
        _warming = threading.Thread(target=_warm, name="gx-warm-up")
    # Imported here, before the thread: GX imports SQLAlchemy's ORM, whose first import
    # registers an inspection hook for every object before its exceptions module is made,
    # and Dagster's run history (SQLAlchemy, in this thread) met it half made meanwhile
    # ("partially initialized module 'sqlalchemy.orm.exc'": a failed step). ~0.06 s.
    import sqlalchemy.orm  # noqa: F401

    _warming.start()


def _warm() -> None:
    try:
        _gx_context()
    except Exception as exc:  # the check makes the context again and reports what fails
        _log.warning("importing Great Expectations ahead of the checks failed: %s", exc)


def _gx_context():
    """GX and its context, made once per process whichever thread asks first."""
    with _context_lock:
        return _new_gx_context()


@functools.cache
def _new_gx_context():
    """GX and one ephemeral context per process: making a context costs most of a second,
    and a run validates each feed (tests run many runs in one process)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # GX and its context live as long as the process (~300,000 objects): no collection
    # walks them while they are made, and none after (pipelines/lib/heap.py)
    with heap.loading():
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


@functools.cache
def _validation(feed: str):
    """The feed's suite on a pandas frame as one GX validation definition, made once per
    process in the process's context (the names are unique in it). Running it takes the
    frame once, where `batch.validate` took it a second time, and GX fingerprints every
    frame it takes by hashing all of it. (A run's result stays in the ephemeral context's
    store: a few kB, as the summary lists at most max_examples rows.)"""
    gx, context = _gx_context()
    suite = gx.ExpectationSuite(name=f"raw_{feed}")
    for name, class_name, kwargs, _meaning in SUITES[feed]:
        suite.add_expectation(getattr(gx.expectations, class_name)(**kwargs, meta={"name": name}))
    batch_definition = (
        context.data_sources.add_pandas(f"raw_{feed}")
        .add_dataframe_asset(feed)
        .add_batch_definition_whole_dataframe("rows")
    )
    return context.validation_definitions.add(
        gx.ValidationDefinition(
            name=f"raw_{feed}", data=batch_definition, suite=context.suites.add(suite)
        )
    )


def validate_rows(feed: str, frame, max_examples: int = 5) -> list[ExpectationOutcome]:
    """Validate a pandas frame of raw rows (with source_file and source_row) against the
    feed's suite; each outcome lists up to max_examples failing rows by file and row."""
    return validate_row_chunks(feed, [frame], max_examples)


def _result_format(max_examples: int) -> dict[str, Any]:
    """GX's SUMMARY: every expectation's verdict and count, and the positions of its first
    max_examples failing rows, all the examples keep. COMPLETE lists every failing value
    and position too, which a validation definition then keeps: with half of a chunk of
    500,000 rows failing, six times the validation."""
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": max(max_examples, 1),
        "return_unexpected_index_query": False,
    }


def validate_row_chunks(feed: str, frames, max_examples: int = 5) -> list[ExpectationOutcome]:
    """`validate_rows` over frames given one after another (chunks of one set of rows), so
    that memory holds one chunk at a time, not a province's year; the counts add up and the
    examples are the first failing rows found. GX is imported at the first chunk with
    rows: a run that loaded nothing for the feed does not pay for it."""
    specs = SUITES[feed]
    outcomes = {
        name: ExpectationOutcome(name=name, meaning=meaning, success=True, unexpected_count=0)
        for name, _class_name, _kwargs, meaning in specs
    }
    for chunk in frames:
        if chunk.empty:
            continue
        frame = chunk.reset_index(drop=True)  # GX reports failing rows by position
        result = _validation(feed).run(
            batch_parameters={"dataframe": frame}, result_format=_result_format(max_examples)
        )
        by_name = {item.expectation_config.meta["name"]: item for item in result.results}
        for name, _class_name, kwargs, _meaning in specs:
            _add_chunk(outcomes[name], by_name[name], frame, kwargs, max_examples)
    return list(outcomes.values())


def _add_chunk(outcome, item, frame, kwargs: dict[str, Any], max_examples: int) -> None:
    """Add one chunk's result of an expectation to its outcome: verdict, count, and failing
    rows (file, row and the values judged) until the outcome holds max_examples."""
    outcome.success = outcome.success and bool(item.success)
    outcome.error = outcome.error or _exception_message(item.exception_info)
    outcome.unexpected_count += int(item.result.get("unexpected_count") or 0)
    room = max(max_examples - len(outcome.examples), 0)
    positions = list(item.result.get("partial_unexpected_index_list") or [])[:room]
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    columns += kwargs.get("column_list", [])
    for position in positions:
        row = frame.iloc[int(position)]
        outcome.examples.append(
            {
                "source_file": row["source_file"],
                "source_row": int(row["source_row"]),
                **{c: str(row[c]) for c in columns if c in row.index},
            }
        )
