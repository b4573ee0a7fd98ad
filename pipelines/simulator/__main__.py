"""python -m pipelines.simulator --scenario soc-trang-2021 --out <landing> [--seed 2021]
[--dirty --faults-out faults.json]

python -m pipelines.simulator --scenario reorg-2025 --out <landing> [--truth-out truth.json]
[--start 2024-10-01 --end 2025-07-31 --dossiers-per-day 1]

python -m pipelines.simulator --scenario province --out <landing> [--units 100 --days 365
--dossiers-per-day 120 --documents-per-day 40 --start 2021-01-01]"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from pipelines.simulator import SCENARIOS, LandingNotEmptyError, write_scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.simulator",
        description="Write realistic ward and city exports to the ward-exports contract.",
    )
    parser.add_argument("--scenario", required=True, choices=sorted([*SCENARIOS, PROVINCE, REORG]))
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
        help="comma-separated unit codes to write (same bytes as a full run; no reports); "
        "for --scenario province: how many units (default 100)",
    )
    add_scale_arguments(parser)
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
    if args.scenario == PROVINCE:
        if args.dirty or args.truth_out:
            parser.error("--dirty and --truth-out are not available for the province scenario")
        return run_province(parser, args)
    if args.scenario == REORG:
        if args.dirty or args.units or args.days is not None or args.documents_per_day is not None:
            parser.error("--dirty, --units, --days and --documents-per-day are not for reorg-2025")
        return run_reorg(args, parser)
    if args.end is not None:
        parser.error("--end is for --scenario reorg-2025")
    if scale_arguments_given(args):
        parser.error(
            "--days, --dossiers-per-day, --documents-per-day and --start are for "
            "--scenario province"
        )

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


PROVINCE = "province"
REORG = "reorg-2025"
_SCALE_OPTIONS = ("days", "dossiers_per_day", "documents_per_day", "start")


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    """The province scenario's volumes (its preset when left out)."""
    scale = parser.add_argument_group("province scenario (defaults: the preset)")
    scale.add_argument("--days", type=int, help="days from --start (default 365)")
    scale.add_argument(
        "--dossiers-per-day",
        type=float,
        help="new dossiers per unit and working day on average (default 120)",
    )
    scale.add_argument(
        "--documents-per-day",
        type=float,
        help="outgoing documents per unit and working day on average (default 40)",
    )
    scale.add_argument(
        "--start",
        type=date.fromisoformat,
        help="first day, YYYY-MM-DD (default 2021-01-01; reorg-2025: 2024-01-01)",
    )
    reorg = parser.add_argument_group(
        "reorg-2025 variants for tests (defaults: the full scenario); also --start, and "
        "--dossiers-per-day as the most a unit receives a working day (whole number)"
    )
    reorg.add_argument(
        "--end", type=date.fromisoformat, help="last day, YYYY-MM-DD (default 2026-06-30)"
    )


def scale_arguments_given(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) is not None for name in _SCALE_OPTIONS)


def scale_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict:
    """Keyword arguments for write_scale from the command line."""
    options = {k: getattr(args, k) for k in _SCALE_OPTIONS if getattr(args, k) is not None}
    if args.units is not None:
        try:
            options["units"] = int(args.units)
        except ValueError:
            parser.error("--units for the province scenario is a number of units")
    return options


def run_province(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from pipelines.simulator.scale import PROVINCE as PRESET
    from pipelines.simulator.scale import check_parameters, write_scale

    options = scale_options(parser, args)
    try:
        check_parameters(
            **{k: options.get(k, PRESET[k]) for k in PRESET},
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        summary = write_scale(
            args.out, seed=args.seed, workers=args.workers, force=args.force, **options
        )
    except LandingNotEmptyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    n_files = sum(n for formats in summary["files"].values() for n in formats.values())
    print(
        f"wrote {n_files} files, {sum(summary['rows'].values())} rows in {summary['seconds']:.1f} s"
    )
    return 0


def run_reorg(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    """Scenario reorg-2025 (pipelines.simulator.reorg); its truth to --truth-out if given.
    --start, --end and --dossiers-per-day write a shorter or thinner variant."""
    from pipelines.simulator.reorg import FULL, Span, write_reorg

    def error(message: str):
        if parser is None:
            print(f"error: {message}", file=sys.stderr)
            raise SystemExit(2)
        parser.error(message)

    most = getattr(args, "dossiers_per_day", None)
    if most is not None and most != int(most):
        error("--dossiers-per-day for reorg-2025 is a whole number")
    try:
        span = Span(
            start=getattr(args, "start", None) or FULL.start,
            end=getattr(args, "end", None) or FULL.end,
            most_per_day=None if most is None else int(most),
        )
    except ValueError as exc:
        error(str(exc))
    started = time.perf_counter()  # only to tell the operator how long it took
    try:
        summary = write_reorg(Path(args.out), seed=args.seed, force=args.force, span=span)
    except LandingNotEmptyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    truth = summary.pop("truth")
    truth_out = getattr(args, "truth_out", None)
    if truth_out:
        truth_out.parent.mkdir(parents=True, exist_ok=True)
        truth_out.write_text(json.dumps(truth.as_dict(), ensure_ascii=False, indent=1), "utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    n_files = sum(n for formats in summary["files"].values() for n in formats.values())
    elapsed = time.perf_counter() - started
    print(f"wrote {n_files} files, {sum(summary['rows'].values())} rows in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
