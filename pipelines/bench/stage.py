"""One measured stage of the benchmark, in its own process (so its memory is its own).

    python -m pipelines.bench.stage baseline --landing L --database B.duckdb --out R.json
    python -m pipelines.bench.stage build --first 2021-01-01 --last 2021-12-31 --out R.json
    python -m pipelines.bench.stage build --day 2022-01-01 --out R.json
    python -m pipelines.bench.stage par-run --out R.json

`build` runs the real `par_full_build` job in this process with the Settings of its
environment (the benchmark sets the run's landing, warehouse and Dagster home there):
ingest, GX and ledger checks, dbt build (models and tests), publish. The report assets are
left out: they read the published file and do not grow with the data (one workbook and one
page per top-level unit). The result file has the run's step timings and the rows it loaded.

`par-run` is `par run` as an operator types it, after the nightly run: it decides what is
new (`pipelines.run_plan`); with nothing new it must do no model work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path


def _baseline(args: argparse.Namespace) -> dict:
    from pipelines.bench.baseline import run_baseline

    result = run_baseline(args.landing, args.database)
    return {
        "seconds": result.seconds,
        "rows": result.rows,
        "files": result.files,
        "steps": result.timings,
        "ontime_rows": result.ontime.height,
    }


def _process_started_at() -> float | None:
    """Wall-clock time this process started (Linux /proc), or None elsewhere: the time
    before the first step includes the interpreter's and Dagster's start-up.

    /proc gives the start in clock ticks since boot. Added to the boot time of /proc/stat
    (`btime`, whole seconds) it was up to a second early, and the start-up read up to a
    second long (the time after the last step came out negative): the process's age is
    taken from the clock since boot instead."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        since_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
    except (OSError, IndexError, ValueError, AttributeError):
        return None
    return time.time() - (since_boot - ticks / os.sysconf("SC_CLK_TCK"))


def _step_timings(instance, run_id: str) -> tuple[dict[str, float], float | None, float | None]:
    """(seconds from each step's start to its end, first step's start, last step's end),
    from the run's event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    ended: list[float] = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds[event.step_key] = round(entry.timestamp - started[event.step_key], 2)
            ended.append(entry.timestamp)
    first = min(started.values(), default=None)
    return seconds, first, max(ended, default=None)


def _run_results(target_dir: Path) -> dict:
    """dbt's last invocation's run_results.json; empty when there is none to read."""
    try:
        return json.loads((target_dir / "run_results.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _dbt_costs(results: dict) -> dict[str, float]:
    """What dbt's last invocation spent (its `_run_results`): its own elapsed time, and the
    time in its model and test nodes. The dbt step's time less `elapsed` is dbt's start-up
    (interpreter, project and manifest load, adapter), paid by every run."""
    if not results:
        return {}
    nodes = results.get("results", [])

    def spent(kind: str) -> float:
        return sum(n["execution_time"] for n in nodes if n["unique_id"].startswith(kind + "."))

    costs: dict[str, float] = {
        "elapsed": round(results.get("elapsed_time", 0.0), 2),
        "nodes": len(nodes),
        "models": round(spent("model"), 2),
        "tests": round(spent("test"), 2),
        "seeds": round(spent("seed"), 2),
    }
    # What the nodes would cost if each took only as long as the fastest of its kind (a
    # test of a few rows: dbt's own Python, ~8 ms a test, ~15 ms a model): what dbt's
    # nodes cost whatever the data (run.floor)
    fastest: dict[str, float] = {}
    for node in nodes:
        kind = node["unique_id"].split(".", 1)[0]
        fastest[kind] = min(fastest.get(kind, node["execution_time"]), node["execution_time"])
    costs["nodes_at_fastest"] = round(
        sum(fastest[n["unique_id"].split(".", 1)[0]] for n in nodes), 2
    )
    return costs


def _dbt_slowest(results: dict, top: int = 8) -> list[tuple[str, float]]:
    """dbt's slowest nodes in its last invocation (its `_run_results`), slowest first: each
    as (name and kind, seconds). Where a night's dbt time goes beyond what every node pays."""
    # a unique id is kind.project.name[.hash] (a test's hash tells apart tests of one name)
    named = [
        (f"{n['unique_id'].split('.')[2]} ({n['unique_id'].split('.')[0]})", n["execution_time"])
        for n in results.get("results", [])
        if n["unique_id"].count(".") >= 2
    ]
    return [(name, round(s, 2)) for name, s in sorted(named, key=lambda ns: -ns[1])[:top]]


def _fixed_costs(
    process_started: float | None,
    first_step: float | None,
    last_step: float | None,
    steps: dict[str, float],
) -> dict[str, float]:
    """Time that does not grow with the data: before the first step (imports, definitions,
    Dagster instance, run planning), between steps (Dagster's own bookkeeping) and after
    the last (event-log reads, process exit are outside: measured by the caller)."""
    costs: dict[str, float] = {}
    if process_started is not None and first_step is not None:
        costs["before_first_step"] = round(first_step - process_started, 2)
    if process_started is not None and last_step is not None:
        # the time after the last step is the stage's less this (run.fixed_costs), not less
        # the steps' rounded durations summed
        costs["until_last_step"] = round(last_step - process_started, 2)
    if first_step is not None and last_step is not None:
        costs["between_steps"] = round(max(0.0, last_step - first_step - sum(steps.values())), 2)
    return costs


def _loaded_by(settings, run_id: str) -> dict[str, int]:
    import duckdb

    conn = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        rows = conn.execute(
            "SELECT feed, sum(rows_loaded) FROM raw.ingest_ledger WHERE run_id = ? GROUP BY feed",
            [run_id],
        ).fetchall()
    finally:
        conn.close()
    return {feed: int(n or 0) for feed, n in rows}


def _build(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    from pipelines.lib import heap

    with heap.loading():  # as `par run` loads them (pipelines/cli.py run_pipeline)
        import pipelines.definitions  # noqa: F401
        from pipelines.bootstrap import dagster_instance, ensure_manifest
        from pipelines.defs.partitions import range_tags
        from pipelines.run import execute_build
        from pipelines.settings import load_settings

    settings = load_settings()
    ensure_manifest(settings)
    if args.day:
        day = dt.date.fromisoformat(args.day)
        tags = range_tags(day, day)  # its month, narrowed to the day (par/days)
    else:
        tags = range_tags(dt.date.fromisoformat(args.first), dt.date.fromisoformat(args.last))
    with dagster_instance(settings) as instance:
        result = execute_build(
            instance, settings, tags, reports=False, raise_on_error=False, log_level="INFO"
        )
        steps, first_step, last_step = _step_timings(instance, result.run_id)
    dbt_results = _run_results(settings.dbt_target_dir)
    return {
        "success": result.success,
        "run_id": result.run_id,
        "seconds": time.perf_counter() - started,
        "rows": _loaded_by(settings, result.run_id),
        "steps": steps,
        "fixed": _fixed_costs(_process_started_at(), first_step, last_step, steps),
        "dbt": _dbt_costs(dbt_results),
        "dbt_slowest": _dbt_slowest(dbt_results),
    }


def _par_run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    from pipelines.run_plan import plan_run
    from pipelines.settings import load_settings

    plan = plan_run(load_settings())
    if not plan.nothing_to_do:
        from pipelines import cli

        code = cli.main(["run"])
        return {"success": code == 0, "seconds": time.perf_counter() - started, "ran": True}
    print(plan.why)
    return {"success": True, "seconds": time.perf_counter() - started, "ran": False}


STAGES = {"baseline": _baseline, "build": _build, "par-run": _par_run}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench.stage")
    parser.add_argument("stage", choices=list(STAGES))
    parser.add_argument("--out", type=Path, required=True, help="where to write the result")
    parser.add_argument("--landing", type=Path, help="baseline: the landing folder")
    parser.add_argument("--database", type=Path, help="baseline: the DuckDB file to write")
    parser.add_argument("--first", help="build: first export day (ISO)")
    parser.add_argument("--last", help="build: last export day (ISO)")
    parser.add_argument("--day", help="build: the one day of a nightly run (ISO)")
    args = parser.parse_args(argv)
    result = STAGES[args.stage](args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), "utf-8")
    return 0 if result.get("success", True) else 1


if __name__ == "__main__":
    sys.exit(main())
