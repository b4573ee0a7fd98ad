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


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its end, from the run's event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds[event.step_key] = round(entry.timestamp - started[event.step_key], 2)
    return seconds


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
        steps = _step_seconds(instance, result.run_id)
    return {
        "success": result.success,
        "run_id": result.run_id,
        "seconds": time.perf_counter() - started,
        "rows": _loaded_by(settings, result.run_id),
        "steps": steps,
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
