"""python -m pipelines.bench [--preset province|mid] [--units N --days N --dossiers-per-day N
--documents-per-day N] [--dir warehouse/bench] [--engine duckdb|spark] [--baseline-runs N]: see
`pipelines/bench/run.py`; `make bench` runs it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.bench.run import run_bench
from pipelines.settings import Settings, load_settings
from pipelines.simulator.scale import MID, PROVINCE

PRESETS = {"province": PROVINCE, "mid": MID}
SIZES = ("units", "days", "dossiers_per_day", "documents_per_day")


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    settings = settings or load_settings()
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.bench",
        description="Benchmark the warehouse against plain DuckDB on a generated province "
        "(default: the `province` preset, 100 units x 365 days, ~10M dossier rows; `mid`: "
        "20 units x 365 days, ~1M). A preset's ratios are printed beside their targets; a "
        "size given below overrides the preset's and leaves the targets out.",
    )
    parser.add_argument("--preset", choices=list(PRESETS), default="province")
    parser.add_argument("--units", type=int)
    parser.add_argument("--days", type=int, help="days generated; the last is the night")
    parser.add_argument("--dossiers-per-day", type=float)
    parser.add_argument("--documents-per-day", type=float)
    parser.add_argument("--start", default="2021-01-01", help="first day (ISO)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--dir", type=Path, default=None, help="bench folder (default: <warehouse>/bench)"
    )
    parser.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="spark: also time the full build with PAR_ENGINE=spark, beside DuckDB's (needs "
        "java and the spark extra, which `make bench BENCH_ARGS='--engine spark'` installs)",
    )
    parser.add_argument(
        "--baseline-runs",
        type=int,
        default=3,
        help="runs of the baseline, whose median the ratio divides by (default 3: one before "
        "the full build, the others after it)",
    )
    args = parser.parse_args(argv)
    given = {name: getattr(args, name) for name in SIZES if getattr(args, name) is not None}
    sizes = {**PRESETS[args.preset], **given, "start": args.start, "seed": args.seed}
    if sizes["days"] < 2:
        parser.error("--days must be at least 2: the last day is the nightly run's")
    if args.baseline_runs < 1:
        parser.error("--baseline-runs must be at least 1")
    preset = None if given else args.preset
    engines = ("duckdb", "spark") if args.engine == "spark" else ("duckdb",)
    record = run_bench(
        args.dir or settings.bench_dir, sizes, settings, preset, engines, args.baseline_runs
    )
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
