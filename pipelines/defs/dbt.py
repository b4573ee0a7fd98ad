"""The dbt project as Dagster assets: every model and seed an asset, every dbt test a check.

The manifest is prepared at build/test time (`make manifest`), never at import.

A failed dbt test names its first failing rows, in the check's description and metadata.
They are read once dbt has ended (while it runs it holds the build file): from the table
dbt stored them in when the test has `store_failures`, else by running the test's compiled
query again (nothing has changed the file since; the run holds the build lock). Rows of
tests on the marts, intermediate models and seeds are shown whole; rows of tests that read
staging or raw (which carry pseudonymised personal columns) only by the columns that say
where a row is (`FAILING_ROW_KEY_COLUMNS`).
"""

import os
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

from pipelines.defs.ingest import INGEST_LEDGER
from pipelines.defs.partitions import run_window
from pipelines.defs.resources import BUILD_FILE_POOL, DBT_PROJECT, WarehouseResource
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


# Failing rows shown per failed test (in metadata; the description shows the first few).
FAILING_ROWS_SHOWN = 20
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
    build_db: Path, source: str, whole: bool, limit: int = FAILING_ROWS_SHOWN
) -> tuple[list[dict[str, Any]], list[str]]:
    """The first failing rows from `source` (a FROM item: the relation dbt stored them in,
    or the test's query in parentheses), whole or only their key columns; and the columns
    left out."""
    conn = duckdb.connect(str(build_db), read_only=True)
    try:
        cursor = conn.execute(f"SELECT * FROM {source} LIMIT {int(limit)}")
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        conn.close()
    shown = columns if whole else [c for c in columns if c in FAILING_ROW_KEY_COLUMNS]
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
    if run_result.get("message"):
        metadata["dbt_message"] = str(run_result["message"])
    source = _failing_rows_source(run_result)
    if source is None:
        lines.append(
            f"(the test could not run: {run_result.get('message') or 'see the dbt log'})"
            if run_result.get("status") == "error"
            else "(its failing rows could not be found: no stored table, no compiled query)"
        )
    else:
        from_item, where = source
        schemas = _input_schemas(test, manifest)
        whole = bool(schemas) and schemas <= SCHEMAS_SHOWN_WHOLE
        try:
            rows, left_out = read_failing_rows(build_db, from_item, whole)
        except duckdb.Error as error:
            rows, left_out = [], []
            lines.append(f"(its failing rows could not be read from {where}: {error})")
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
    build_db: Path,
    target_path: Path,
) -> Iterator[Any]:
    """`dbt <args>` streamed as Dagster events; the results of failed tests are held back
    until dbt has ended and then given with their failing rows. Raises dbt's error after
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
    if failed:
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
    with dbt_environ(dbt_environment(settings, window)):
        yield from build_naming_failing_rows(
            context, dbt, ["build"], settings.build_db, settings.dbt_target_dir
        )
