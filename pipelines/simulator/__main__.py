"""python -m pipelines.simulator --scenario soc-trang-2021 --out <landing> [--seed 2021]
[--dirty --faults-out faults.json]"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pipelines.simulator import SCENARIOS, LandingNotEmptyError, write_scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.simulator",
        description="Write realistic ward and city exports to the ward-exports contract.",
    )
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--out", required=True, type=Path, help="landing folder to write")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--force", action="store_true", help="write into a non-empty folder (overwrites)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes writing units (default: CPUs)"
    )
    parser.add_argument(
        "--units",
        help="comma-separated unit codes to write (same bytes as a full run; no reports)",
    )
    parser.add_argument(
        "--truth-out",
        type=Path,
        help="also write the ground truth (every figure) as JSON here; keep it outside the "
        "landing folder",
    )
    parser.add_argument(
        "--dirty",
        action="store_true",
        help="after the clean files, plant bad input (wrong encoding, renamed header, short "
        "rows, bad dates, duplicates, truncated XLSX, ...) at known files and rows",
    )
    parser.add_argument(
        "--faults-out",
        type=Path,
        help="with --dirty: write the manifest of planted faults as JSON here; keep it outside "
        "the landing folder",
    )
    args = parser.parse_args(argv)
    if args.faults_out and not args.dirty:
        parser.error("--faults-out needs --dirty")

    started = time.perf_counter()  # only to tell the operator how long it took
    try:
        summary = write_scenario(
            args.scenario,
            args.out,
            args.seed,
            force=args.force,
            workers=args.workers,
            units=args.units.split(",") if args.units else None,
            dirty=args.dirty,
        )
    except LandingNotEmptyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started

    truth = summary.pop("truth")
    if args.truth_out:
        args.truth_out.parent.mkdir(parents=True, exist_ok=True)
        args.truth_out.write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    faults = summary.pop("faults", None)
    if faults is not None:
        if args.faults_out:
            args.faults_out.parent.mkdir(parents=True, exist_ok=True)
            args.faults_out.write_text(json.dumps(faults, ensure_ascii=False, indent=1), "utf-8")
        summary["faults"] = len(faults)
    n_files = sum(n for formats in summary["files"].values() for n in formats.values())
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"wrote {n_files} files, {sum(summary['rows'].values())} rows in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
