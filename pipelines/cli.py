"""`par`: the command-line entry point.

par run        ingest the landing folder, build, check and publish (writes the sample
               scenario first if the landing folder has no units.csv)
par headline   print the city's headline indicators from the published file
par report     print one unit's indicators for a period; write its Excel and HTML reports
par simulate   write a simulated landing folder
par bench      benchmark the warehouse against plain DuckDB on a generated province
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.lib.config import DBT_PROJECT_DIR, REPO_ROOT, paths

SAMPLE_SCENARIO = "soc-trang-2021"


def ensure_dagster_home() -> Path:
    """A project-local Dagster home (run history, logs) with the project's dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or paths().warehouse / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    source = REPO_ROOT / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def ensure_manifest() -> None:
    """dbt's manifest is prepared before Dagster loads the project, never at import."""
    if (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        return
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        check=True,
        env={**os.environ, "PAR_BUILD_DB": str(paths().build_db)},
    )


def ensure_landing(scenario: str = SAMPLE_SCENARIO) -> None:
    where = paths()
    if where.units_csv.exists():
        return
    from pipelines.simulator import write_scenario

    print(f"{where.landing} has no units.csv: writing the {scenario} sample scenario there")
    summary = write_scenario(scenario, where.landing)
    print(f"  {summary}")


def run_pipeline() -> bool:
    """Run the full-build job in this process on the project's Dagster instance."""
    ensure_dagster_home()
    ensure_manifest()
    from dagster import DagsterInstance

    from pipelines.run import execute_full_build

    with DagsterInstance.get() as instance:
        # INFO on the terminal (progress, problems); the full DEBUG log is in the Dagster UI.
        result = execute_full_build(instance, raise_on_error=False, log_level="INFO")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"FAILED {event.step_key}: {event.event_specific_data.error.message}")
    return result.success


def cmd_run(args: argparse.Namespace) -> int:
    ensure_landing()
    ok = run_pipeline()
    if not ok:
        print("The run failed; the last good published file (if any) was left in place.")
        return 1
    from pipelines.headline import print_headline

    print_headline(paths().published_db)
    print_report_files()
    return 0


def print_report_files() -> None:
    """Where the run's reports and data dictionary are."""
    from pipelines.reports.paths import docs_dir, reports_dir

    files = sorted(reports_dir().glob("*/*/par_*.*")) if reports_dir().exists() else []
    index = docs_dir() / "index.html"
    if files or index.exists():
        print("\nReports (Excel, HTML) and the data dictionary:")
        for path in [*files, *([index] if index.exists() else [])]:
            print(f"  {path}")


def cmd_headline(args: argparse.Namespace) -> int:
    from pipelines.headline import print_headline

    print_headline(paths().published_db, year=args.year)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.reports.terminal import run

    return run(
        paths().published_db,
        unit=args.unit,
        period_text=args.period,
        lang=args.lang,
        scope=args.scope,
        excel=args.excel,
        html=args.html,
        out_dir=Path(args.out) if args.out else None,
    )


def cmd_simulate(args: argparse.Namespace) -> int:
    from pipelines.simulator.__main__ import PROVINCE, run_province, scale_arguments_given

    if args.scenario == PROVINCE:
        return run_province(args.parser, args)
    if args.units is not None or scale_arguments_given(args):
        args.parser.error(
            "--units, --days, --dossiers-per-day, --documents-per-day and --start "
            "are for --scenario province"
        )
    from pipelines.simulator import write_scenario

    print(write_scenario(args.scenario, Path(args.out), seed=args.seed))
    return 0


def cmd_bench(bench_args: list[str]) -> int:
    ensure_manifest()
    from pipelines.bench.__main__ import main as bench_main

    return bench_main(bench_args)


def cmd_docs(args: argparse.Namespace) -> int:
    ensure_manifest()
    from pipelines.docs import write_readme

    print(f"wrote {write_readme()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="par", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="ingest, build, check and publish").set_defaults(func=cmd_run)
    headline = sub.add_parser("headline", help="print the headline indicators")
    headline.add_argument("--year", type=int, default=None, help="default: the latest year")
    headline.set_defaults(func=cmd_headline)
    report = sub.add_parser(
        "report",
        help="print a unit's indicators for a period; write Excel/HTML reports on request",
        description="Print the indicator table of one unit and period from the published "
        "file (no SQL needed); with --excel/--html also write the report files.",
    )
    report.add_argument(
        "--period", help="2021 (year), 2021-Q1 (quarter) or 2021-03 (month); default: latest year"
    )
    report.add_argument("--unit", help="unit code, e.g. 941; default: the top-level unit")
    report.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    report.add_argument(
        "--scope", choices=("area", "self"), help="default: both, for a unit with units under it"
    )
    report.add_argument("--excel", action="store_true", help="also write the Excel workbook")
    report.add_argument("--html", action="store_true", help="also write the HTML charts page")
    report.add_argument("--out", help="folder for the files (default: $PAR_WAREHOUSE_DIR/reports)")
    report.set_defaults(func=cmd_report)
    from pipelines.simulator.__main__ import add_scale_arguments

    simulate = sub.add_parser("simulate", help="write a simulated landing folder")
    simulate.add_argument("--scenario", default=SAMPLE_SCENARIO)
    simulate.add_argument("--out", default=str(paths().landing))
    simulate.add_argument("--seed", type=int, default=2021)
    simulate.add_argument("--units", help="--scenario province: how many units (default 100)")
    simulate.add_argument(
        "--workers", type=int, help="--scenario province: processes (default: CPUs)"
    )
    simulate.add_argument(
        "--force", action="store_true", help="--scenario province: write into a non-empty folder"
    )
    add_scale_arguments(simulate)
    simulate.set_defaults(func=cmd_simulate, parser=simulate)
    sub.add_parser("docs", help="regenerate warehouse/README.md").set_defaults(func=cmd_docs)
    # `par bench ...` hands every later argument to the benchmark's own parser
    sub.add_parser("bench", help="benchmark against plain DuckDB (par bench --help)")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        return cmd_bench(argv[1:])
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
