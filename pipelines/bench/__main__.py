"""python -m pipelines.bench [--units N --days N --dossiers-per-day N --documents-per-day N]
[--dir warehouse/bench]: see `pipelines/bench/run.py`; `make bench` runs it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.bench.run import run_bench
from pipelines.settings import Settings, load_settings
from pipelines.simulator.scale import PROVINCE


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    settings = settings or load_settings()
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.bench",
        description="Benchmark the warehouse against plain DuckDB on a generated province "
        "(default: the `province` preset, 100 units x 365 days, ~10M dossier rows).",
    )
    parser.add_argument("--units", type=int, default=PROVINCE["units"])
    parser.add_argument(
        "--days", type=int, default=PROVINCE["days"], help="days generated; the last is the night"
    )
    parser.add_argument("--dossiers-per-day", type=float, default=PROVINCE["dossiers_per_day"])
    parser.add_argument("--documents-per-day", type=float, default=PROVINCE["documents_per_day"])
    parser.add_argument("--start", default="2021-01-01", help="first day (ISO)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--dir", type=Path, default=None, help="bench folder (default: <warehouse>/bench)"
    )
    args = parser.parse_args(argv)
    if args.days < 2:
        parser.error("--days must be at least 2: the last day is the nightly run's")
    sizes = {
        "units": args.units,
        "days": args.days,
        "dossiers_per_day": args.dossiers_per_day,
        "documents_per_day": args.documents_per_day,
        "start": args.start,
        "seed": args.seed,
    }
    record = run_bench(args.dir or settings.bench_dir, sizes, settings)
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
