"""The dbt project as Dagster assets: every model and seed an asset, every dbt test a check.

Every check says in one line what it guards (`describe_test`): the test's own description,
or a sentence made from its kind, model and arguments, or for the project's invariant tests
the first sentence of their macro's documentation.

The manifest is prepared at build/test time (`make manifest`), never at import.

A failed dbt test names its first failing rows, in the check's description and metadata.
They are read once dbt has ended (while it runs it holds the build file): from the table
dbt stored them in when the test has `store_failures`, else by running the test's compiled
query again (nothing has changed the file since; the run holds the build lock). Rows of
tests on the marts, intermediate models and seeds are shown whole; rows of tests that read
staging or raw (which carry pseudonymised personal columns) only by the columns that say
where a row is (`FAILING_ROW_KEY_COLUMNS`), the rule it breaks, its coded values and its key.
A model's not-null, coded-value and unique-key checks are one test, columns_are_well_formed,
whose query returns the model's failing rows themselves with `failed_check` naming the
rules broken.
"""

import os
import re
import signal
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

from pipelines.defs.check_results import FAILING_ROWS_SHOWN
from pipelines.defs.ingest import INGEST_LEDGER
from pipelines.defs.partitions import run_window
from pipelines.defs.resources import BUILD_FILE_POOL, DBT_PROJECT, WarehouseResource
from pipelines.lib import build_sequence, dbt_reach, dbt_standby, dbt_standby_client
from pipelines.lib.expectations import warm_up as warm_up_expectations
from pipelines.lib.headers import ID_NUMBER_COLUMN
from pipelines.lib.headers import PERSONAL_COLUMNS as _PERSONAL
from pipelines.lib.spark_engine import export_raw
from pipelines.run_plan import build_fingerprint
from pipelines.settings import dbt_environment

# Sources written by the ingest ledger asset rather than by one feed asset.
_LEDGER_SOURCES = {"ingest_ledger", "set_aside"}


class ParDbtTranslator(DagsterDbtTranslator):
    """The dbt source `ward_exports` (schema raw) is the ingest assets' tables: each of its
    tables maps to the asset that writes it (raw/<table>), and both ledger tables to the
    ledger asset, so lineage runs file → feed → model."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["name"] in _LEDGER_SOURCES:
                return INGEST_LEDGER
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        """dagster-dbt's check, with a one-line description of what the test guards (the
        Dagster UI otherwise says "No description provided")."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_test(manifest, unique_id))


# ---------------------------------------------------------------- check descriptions

# The dbt generic tests whose meaning follows from their arguments. Fields: model, column,
# the test's arguments (kwargs, refs shown as the model's name) and `where`. A model's
# not-null, coded-value and unique-key checks are one columns_are_well_formed test
# (`_well_formed`); dbt's own unique is described for a project that uses it.
_TEST_TEMPLATES = {
    "unique": "No two rows of {model} share a {column} (unique){where}.",
    "relationships": "Every {column} of {model} is found as {field} in {to} "
    "(relationships){where}.",
    "all_values_equal": "Every row of {model} has {column} = {value} (all_values_equal){where}.",
    "has_no_rows": "{model} has no rows{where_rows}: each one is a finding (has_no_rows).",
}
_REF = re.compile(
    r"""^\s*(?:ref|source)\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?\s*\)\s*$"""
)
_FIRST_SENTENCE = re.compile(r"(.+?(?<!e\.g)(?<!i\.e)\.)(?:\s|$)")
_JINJA_COMMENT = re.compile(r"^\s*\{#(.*?)#\}", re.DOTALL)


def _argument_text(value: Any) -> str:
    """An argument as a reader would name it: a ref or source by its table's name, a list
    as its items."""
    if isinstance(value, list | tuple):
        return ", ".join(_argument_text(item) for item in value)
    text = str(value)
    ref = _REF.match(text.replace("{{", "").replace("}}", ""))
    if ref:
        return ref.group(2) or ref.group(1)
    return text


def _tested_relation(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    """The name of the model, seed or source table the test is attached to."""
    node_id = test.get("attached_node") or next(
        iter(test.get("depends_on", {}).get("nodes", [])), ""
    )
    node = manifest.get("nodes", {}).get(node_id) or manifest.get("sources", {}).get(node_id)
    return node["name"] if node else str(node_id).rsplit(".", 1)[-1]


def macro_doc(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    """The documentation of a generic test's macro: its description in the dbt YAML, or else
    the Jinja comment that opens its file, on one line."""
    name = (test.get("test_metadata") or {}).get("name", "")
    namespace = (test.get("test_metadata") or {}).get("namespace") or test.get("package_name")
    macro = manifest.get("macros", {}).get(f"macro.{namespace}.test_{name}") or {}
    text = macro.get("description") or ""
    if not text.strip() and macro.get("original_file_path"):
        path = DBT_PROJECT.project_dir / macro["original_file_path"]
        try:
            comment = _JINJA_COMMENT.match(path.read_text(encoding="utf-8"))
        except OSError:
            comment = None
        text = comment.group(1) if comment else ""
    return " ".join(text.split())


def _conditional(entry: Any, name_key: str) -> tuple[Any, str]:
    """A columns_are_well_formed entry (a column, or a mapping with `where`) as (the column
    or values, " (rows where …)" or "")."""
    if isinstance(entry, Mapping):
        where = entry.get("where")
        return entry.get(name_key), f" (rows where {where})" if where else ""
    return entry, ""


def _well_formed(model: str, kwargs: Mapping[str, Any], where: str | None) -> str:
    """columns_are_well_formed in words: the columns never null, each coded column's
    accepted values, the keys no two rows share, the references found ("Every row of
    fct_dossier has a value in unit_code, dossier_code; every timeliness is one of early,
    on_time, late; no two rows share the same (unit_code, dossier_code); every
    procedure_version_key is found as procedure_version_key in dim_procedure
    (columns_are_well_formed)")."""
    parts = []
    not_null = [_conditional(entry, "column") for entry in kwargs.get("not_null") or []]
    of = "" if not_null else f" of {model}"
    if not_null:
        columns = ", ".join(f"{column}{rows}" for column, rows in not_null)
        parts.append(f"Every row of {model} has a value in {columns}")
    for column, entry in (kwargs.get("accepted_values") or {}).items():
        values, rows = _conditional(entry, "values")
        parts.append(f"every {column}{of} is one of {_argument_text(values)}{rows}")
    for entry in kwargs.get("unique") or []:
        key, rows = _conditional(entry, "column")
        if isinstance(key, list | tuple):  # a combination of columns
            parts.append(f"no two rows{of} share the same ({_argument_text(key)}){rows}")
        else:
            parts.append(f"no two rows{of} share a {key}{rows}")
    for column, entry in (kwargs.get("relationships") or {}).items():
        where = f" (rows where {entry['where']})" if entry.get("where") else ""
        parts.append(
            f"every {column}{of} is found as {entry.get('field')} in "
            f"{_argument_text(entry.get('to'))}{where}"
        )
    text = "; ".join(parts) or f"{model}'s columns are well formed"
    among = f", among rows where {where}" if where else ""
    return f"{text[0].upper()}{text[1:]} (columns_are_well_formed){among}."


def describe_test(manifest: Mapping[str, Any], unique_id: str) -> str:
    """One line saying what a dbt test guards: its own description if it has one; for the
    generic tests whose arguments say it all, a sentence made from them ("No two rows of
    dim_calendar share a date_day (unique)."); for columns_are_well_formed, the columns never
    null, each coded column's accepted values and the keys no two rows share; for the
    project's invariant tests, the first sentence of their macro's documentation, naming the
    model and arguments."""
    test = manifest.get("nodes", {}).get(unique_id, {})
    own = " ".join(str(test.get("description") or "").split())
    if own:
        return own
    metadata = test.get("test_metadata") or {}
    kind = metadata.get("name") or test.get("name", "test")
    kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
    model = _tested_relation(test, manifest)
    column = kwargs.get("column_name") or test.get("column_name") or ""
    where = (test.get("config") or {}).get("where")
    if kind == "columns_are_well_formed":
        return _well_formed(model, kwargs, where)
    template = _TEST_TEMPLATES.get(kind)
    if template:
        fields = dict.fromkeys(("field", "to", "value", "values"), "")
        fields |= {key: _argument_text(value) for key, value in kwargs.items()}
        try:
            return template.format(
                **{
                    **fields,
                    "model": model,
                    "column": column,
                    "where": f", among rows where {where}" if where else "",
                    "where_rows": f" where {where}" if where else "",
                }
            )
        except (KeyError, IndexError, ValueError):
            pass
    doc = macro_doc(test, manifest)
    sentence = _FIRST_SENTENCE.match(doc)
    guards = (sentence.group(1) if sentence else doc) or f"the dbt test {kind} passes."
    arguments = "; ".join(
        f"{key}: {_argument_text(value)}"
        for key, value in kwargs.items()
        if value not in (None, [], "") and key != "column_name"
    )
    on = f"{model}.{column}" if column else model
    return f"{on}: {guards} ({kind}{': ' + arguments if arguments else ''}" + (
        f"; rows where {where})" if where else ")"
    )


translator = ParDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


@contextmanager
def dbt_environ(env: Mapping[str, str]) -> Iterator[None]:
    """dagster-dbt hands dbt this process's environment (it takes no env argument): set
    dbt's variables for the one invocation and put the old values back afterwards, so no
    build file or window outlives its run."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Columns that hold (or stand for) personal data: never shown, whatever the test.
PERSONAL_COLUMNS = frozenset({*_PERSONAL, ID_NUMBER_COLUMN, "applicant_id_hash"})

# Failing rows shown per failed test (in metadata; the description shows the first few):
# FAILING_ROWS_SHOWN, as for every check.
FAILING_ROWS_IN_DESCRIPTION = 3
# Failed tests whose rows are read (a broken build can fail hundreds; each read may run the
# test's query again).
FAILED_TESTS_READ = 20
# A test whose every input is in these schemas shows its failing rows whole: they hold
# indicators, codes and counts, no personal data.
SCHEMAS_SHOWN_WHOLE = frozenset({"marts", "intermediate", "seeds"})
# Otherwise only these columns are shown: they say where a row is, never who it is about.
FAILING_ROW_KEY_COLUMNS = (
    "source_file",
    "source_row",
    "feed",
    "unit_code",
    "export_date",
    "dossier_code",
    "document_number",
    "procedure_code",
    "indicator_code",
    "period_type",
    "period_start",
    "valid_from",
    "unique_field",
    "n_records",
    # columns_are_well_formed: the rules the row breaks (column names and accepted values)
    "failed_check",
)


def _input_schemas(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> set[str]:
    schemas = set()
    for unique_id in test.get("depends_on", {}).get("nodes", []):
        node = manifest.get("nodes", {}).get(unique_id) or manifest.get("sources", {}).get(
            unique_id
        )
        schemas.add(node.get("schema", "?") if node else "?")
    return schemas


def read_failing_rows(
    build_db: Path,
    source: str,
    whole: bool,
    limit: int = FAILING_ROWS_SHOWN,
    also_shown: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], list[str]]:
    """The first failing rows from `source` (a FROM item: the relation dbt stored them in,
    or the test's query in parentheses) in the order of their values, whole or only their
    key columns (and also_shown, the coded columns a columns_are_well_formed test checks);
    and the columns left out."""
    conn = duckdb.connect(str(build_db), read_only=True)
    try:
        # ordered (by every column, a top-n, not a sort of them all): the same first rows
        # every run, where a query's own order varies with DuckDB's threads
        cursor = conn.execute(f"SELECT * FROM {source} ORDER BY ALL LIMIT {int(limit)}")
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        conn.close()
    keys = (*FAILING_ROW_KEY_COLUMNS, *also_shown)
    shown = columns if whole else [c for c in columns if c in keys]
    left_out = [c for c in columns if c not in shown]
    return [{c: row[columns.index(c)] for c in shown} for row in rows], left_out


def _failing_rows_source(run_result: Mapping[str, Any]) -> tuple[str, str] | None:
    """Where a failed test's rows are: (FROM item, how to say it). The table dbt stored
    them in (store_failures), else the test's compiled query, run again: dbt has ended and
    the run holds the build file, so it sees what the test saw."""
    if run_result.get("relation_name"):
        relation = str(run_result["relation_name"])
        return relation, f"{relation} of the build file"
    query = str(run_result.get("compiled_code") or "").strip().rstrip(";")
    if query and run_result.get("status") in ("fail", "warn"):
        return f"({query}\n) AS failing_rows", "the test's query (target/run_results.json)"
    return None


def _coded_columns(test: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns whose values a columns_are_well_formed test checks against a list, another
    model or for uniqueness: a wrong value, or the key two rows share, says what to fix, so they are
    shown beside the key columns of a staging or raw row (never a personal column). Its
    not-null columns are not: a row failing another rule would show their values."""
    metadata = test.get("test_metadata") or {}
    if metadata.get("name") != "columns_are_well_formed":
        return ()
    kwargs = metadata.get("kwargs") or {}
    columns = [str(column) for column in kwargs.get("accepted_values") or {}]
    columns += [str(column) for column in kwargs.get("relationships") or {}]
    for entry in kwargs.get("unique") or []:
        key = entry.get("column") if isinstance(entry, Mapping) else entry
        columns += [str(column) for column in (key if isinstance(key, list | tuple) else [key])]
    return tuple(dict.fromkeys(column for column in columns if column not in PERSONAL_COLUMNS))


# What a check says of a test that could not run and whose result has no message: dbt's own
# log file is kept only when PAR_DBT_LOG_LEVEL asks for one (settings).
NO_MESSAGE = "see dbt's output in the step's log, or dbt_target/dbt.log with PAR_DBT_LOG_LEVEL"


def _error_text(message: Any, whole: bool) -> str:
    """An error message as a check may show it: whole for a test that reads only schemas
    shown whole; else only its kind ("Conversion Error"), since the database's message may
    quote a value of a row, a personal one included."""
    text = " ".join(str(message).split())
    if whole or text.startswith("Got ") or text == NO_MESSAGE:
        return text
    kind = text.split(":", 1)[0][:60]
    return f"{kind} (the rest not shown: it may quote a value of staging or raw)"


def _row_text(row: Mapping[str, Any]) -> str:
    return ", ".join(f"{column}={value}" for column, value in row.items())


def with_failing_rows(
    result: dg.AssetCheckResult,
    run_result: Mapping[str, Any] | None,
    manifest: Mapping[str, Any],
    build_db: Path,
) -> dg.AssetCheckResult:
    """A failed dbt test's check result, its description and metadata naming its first
    failing rows (FAILING_ROWS_SHOWN in metadata, a few in the description), or why
    they cannot be shown."""
    from pipelines.lib.markdown import md_table

    unique_id = str(getattr(result.metadata.get("unique_id"), "value", ""))
    test = manifest.get("nodes", {}).get(unique_id, {})
    run_result = run_result or {}
    failures = run_result.get("failures")
    name = test.get("name") or result.check_name
    metadata: dict[str, Any] = {}
    head = f"dbt test {name} failed"
    head += f": {failures} failing row{'' if failures == 1 else 's'}" if failures else ""
    lines: list[str] = []
    schemas = _input_schemas(test, manifest)
    whole = bool(schemas) and schemas <= SCHEMAS_SHOWN_WHOLE
    if run_result.get("message"):
        metadata["dbt_message"] = _error_text(run_result["message"], whole)
    source = _failing_rows_source(run_result)
    also_shown = _coded_columns(test)
    if source is None:
        lines.append(
            "(the test could not run: "
            f"{_error_text(run_result.get('message') or NO_MESSAGE, whole)})"
            if run_result.get("status") == "error"
            else "(its failing rows could not be found: no stored table, no compiled query)"
        )
    else:
        from_item, where = source
        try:
            rows, left_out = read_failing_rows(build_db, from_item, whole, also_shown=also_shown)
        except duckdb.Error as error:
            rows, left_out = [], []
            text = _error_text(f"{type(error).__name__}: {error}", whole)
            lines.append(f"(its failing rows could not be read from {where}: {text})")
        metadata["failing_rows_from"] = where
        if rows and rows[0]:
            metadata["failing_rows"] = dg.MetadataValue.md(md_table(rows))
            shown = "; ".join(_row_text(row) for row in rows[:FAILING_ROWS_IN_DESCRIPTION])
            more = " …" if len(rows) > FAILING_ROWS_IN_DESCRIPTION else ""
            head += f", first: {shown}{more}"
        if left_out:
            note = (
                f"columns not shown ({', '.join(left_out)}): the test reads "
                f"{', '.join(sorted(schemas - SCHEMAS_SHOWN_WHOLE))}, which may hold personal "
                f"data; the whole rows: {where}"
            )
            metadata["columns_not_shown"] = note
            lines.append(f"({note})")
    return dg.AssetCheckResult(
        passed=result.passed,
        asset_key=result.asset_key,
        check_name=result.check_name,
        severity=result.severity,
        metadata={**result.metadata, **metadata},
        description="\n".join([head, *lines]),
    )


def build_naming_failing_rows(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    args: list[str],
    build_db: Path | None,
    target_path: Path,
) -> Iterator[Any]:
    """`dbt <args>` streamed as Dagster events; the results of failed tests are held back
    until dbt has ended and then given with their failing rows (read from the DuckDB build
    file `build_db`; None, as on the Spark engine, whose tables are not there: the results
    are given as dbt made them, and no stale DuckDB table is ever read). Raises dbt's error after
    them, as `stream()` would."""
    invocation = dbt.cli(args, context=context, target_path=target_path, raise_on_error=False)
    failed: list[dg.AssetCheckResult] = []
    streamed = False
    try:
        for event in invocation.stream():
            if isinstance(event, dg.AssetCheckResult) and not event.passed:
                failed.append(event)
            else:
                yield event
        streamed = True
    finally:
        if not streamed:
            # The stream stopped early (an error turning dbt's output into events, the step
            # interrupted): dbt would go on writing the build file after the run has ended
            # and given back the build lock. Stop it first.
            _stop(invocation.process, context)
    if failed and build_db is None:
        yield from failed
    elif failed:
        yield from _named(failed, invocation, build_db, context)
    error = invocation.get_error()
    if error is not None:
        raise error


def _stop(process: subprocess.Popen, context, grace_seconds: float = 25) -> None:
    """End a dbt process that is still running: interrupt it (dbt then closes its
    connections), and kill it if it does not end within the grace period."""
    if process.poll() is not None:
        return
    context.log.warning("stopping dbt (pid %d): the step ended before it did", process.pid)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _named(
    failed: Iterable[dg.AssetCheckResult], invocation, build_db: Path, context
) -> Iterator[dg.AssetCheckResult]:
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except (OSError, ValueError) as error:
        context.log.warning("dbt's run_results.json could not be read: %s", error)
        results = []
    by_id = {result.get("unique_id"): result for result in results}
    for number, result in enumerate(failed):
        if number >= FAILED_TESTS_READ:  # a broken build fails hundreds: name the first
            yield result
            continue
        unique_id = str(getattr(result.metadata.get("unique_id"), "value", ""))
        try:
            yield with_failing_rows(result, by_id.get(unique_id), invocation.manifest, build_db)
        except Exception as error:  # noqa: BLE001 - the failure itself must still be told
            context.log.warning("failing rows of %s not read: %s", unique_id, error)
            yield result


# The pipeline's dbt build: models, seeds and the data tests (every check). dbt's unit tests
# check the models' SQL on fixed inputs, not the data: they run in `make test` (the fixture
# build, tests/dbt_fixture), not in every nightly run.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=translator,
    pool=BUILD_FILE_POOL,
)
def par_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    settings = warehouse.settings
    # the run's days: the incremental models recompute only what they touched
    window = run_window(context.run.tags)
    context.log.info("dbt window: %s to %s", window[0] or "(open)", window[1] or "(open)")
    # The feed checks come after this step (quality_checks.LAST): Great Expectations is
    # imported for them now, in a thread, while this process mostly waits for dbt's lines.
    warm_up_expectations()
    if settings.engine == "spark":
        # Spark reads the raw tables as Parquet: the months the window touched, and any
        # that no longer match the build file, are written again
        exported = export_raw(settings.build_db, settings.spark_dir, window)
        context.log.info("raw tables exported for Spark: %s", exported)
    # the engine's dbt target (profiles.yml): dev (DuckDB) or spark
    args = [*BUILD_ARGS, "--target", settings.dbt_target]
    manifest, _translator, _project = get_manifest_and_translator_from_dbt_assets(
        [context.assets_def]
    )
    reach, build = _begin_build(settings, manifest, _whole_step(context))
    if build is not None:
        context.log.info(
            "dbt build number %s (the stamp of the rows it recomputes)", build.sequence
        )
    if reach is not None:
        context.log.info("dbt nodes: %s", reach.why)
        if reach.checked_build is not None:
            context.log.info(
                "tests given a build stamp check the rows recomputed since build %s, the "
                "last good one",
                reach.checked_build,
            )
        args += reach.exclude_args(manifest)
        # first: Dagster takes a multi-asset's results in the order of its graph, and what
        # dbt builds may read them (no node left reads a node built)
        yield from _left_as_they_are(manifest, reach)
        yield from _left_blocking_checks(context, manifest, reach)
    env = dbt_environment(
        settings,
        window,
        build_sequence=build.sequence if build else None,
        checked_build=reach.checked_build if reach else None,
    )
    # the standby begun with this run (pipelines/lib/dbt_standby.py), if any: dagster-dbt's
    # `par-dbt` hands it the build (an environment without `par-dbt` runs dbt itself:
    # resources.dbt_executable)
    served = Path(dbt.dbt_executable).name == dbt_standby_client.SCRIPT
    standby = dbt_standby.claim(settings.dbt_target_dir) if served else None
    if standby is not None:
        env[dbt_standby.ADDRESS_VARIABLE] = standby
    try:
        with dbt_environ(env):
            yield from build_naming_failing_rows(
                context,
                dbt,
                args,
                settings.build_db if settings.engine == "duckdb" else None,
                settings.dbt_target_dir,
            )
    finally:
        if standby is not None:
            context.log.info(dbt_standby.describe(dbt_standby.outcome(settings.dbt_target_dir)))
    # dbt ended without error: every blocking test passed
    if reach is not None:
        _record_good_build(settings, reach, build)


def _left_blocking_checks(
    context: dg.AssetExecutionContext, manifest: Mapping[str, Any], reach: dbt_reach.Reach
) -> Iterator[dg.AssetCheckResult]:
    """The blocking checks of the tests left, as passed and not run: the last good build
    ran them on the same tables, and a build is good only when every blocking test passed
    (Dagster would otherwise let publishing proceed with a warning that they "emitted no
    result", every night). A warning test left gets no result: it may have warned then (as
    may an error test with its own thresholds)."""
    nodes = manifest.get("nodes", {})
    left = {
        nodes[unique_id]["name"]
        for unique_id in reach.left
        if unique_id.startswith("test.") and _fails_only_as_error(nodes[unique_id])
    }
    for spec in context.assets_def.check_specs:
        if spec.blocking and spec.name in left:
            yield dg.AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=True,
                metadata={
                    "run": False,
                    "why": "nothing its table reads changed since the last good build, in "
                    "which it passed: the table is that build's",
                },
                description="Not run: passed in the last good build, on the same table.",
            )


def _fails_only_as_error(test: Mapping[str, Any]) -> bool:
    """Whether any failing row fails the test as an error (severity error, dbt's default
    thresholds), so that it passed in a build dbt ended without error."""
    config = test.get("config") or {}
    return (
        str(config.get("severity", "")).lower() == "error"
        and str(config.get("warn_if", "!= 0")).strip() == "!= 0"
        and str(config.get("error_if", "!= 0")).strip() == "!= 0"
    )


def _whole_step(context: dg.AssetExecutionContext) -> bool:
    """Whether the run asks for every model, seed and test (a nightly or full run); one
    that asks for some (a model materialized from the UI) gets exactly those."""
    # the whole definition (the context's is the run's subset of it)
    return set(context.selected_asset_keys) == set(par_dbt_models.keys) and set(
        context.selected_asset_check_keys
    ) == set(par_dbt_models.check_keys)


def _begin_build(
    settings, manifest: Mapping[str, Any], whole: bool
) -> tuple[dbt_reach.Reach | None, build_sequence.Build | None]:
    """What this build runs (`pipelines.lib.dbt_reach`), the record of the last good build
    deleted either way, and its number (`pipelines.lib.build_sequence`). On the Spark
    engine neither (its tables are Parquet folders the build file's record cannot vouch
    for, and publishing reads them whole) and dbt runs what the run asks for, as it does
    when the run asks for only some nodes (the next whole build then runs every node)."""
    conn = duckdb.connect(str(settings.build_db))
    try:
        if settings.engine != "duckdb":
            dbt_reach.forget(conn)
            return None, None
        build = build_sequence.begin(conn)
        if not whole:
            dbt_reach.forget(conn)
            return None, build
        return dbt_reach.reach(conn, manifest, build_fingerprint(settings)), build
    finally:
        conn.close()


def _record_good_build(
    settings, reach: dbt_reach.Reach, build: build_sequence.Build | None
) -> None:
    conn = duckdb.connect(str(settings.build_db))
    try:
        dbt_reach.record(conn, reach.code, reach.fingerprints, build.sequence if build else None)
    finally:
        conn.close()


def _left_as_they_are(
    manifest: Mapping[str, Any], reach: dbt_reach.Reach
) -> Iterator[dg.MaterializeResult]:
    """The marts this build left as they are, reported as such: publishing reads every mart,
    and Dagster runs it only once each has a result in the run."""
    nodes = manifest.get("nodes", {})
    for unique_id in sorted(reach.left):
        node = nodes[unique_id]
        if node.get("resource_type") != "model":
            continue
        key = translator.get_asset_key(node)
        if key.path[0] != "marts":
            continue
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rebuilt": False,
                "why": "nothing it reads changed since the last good build: its table is "
                "that build's",
            },
        )
