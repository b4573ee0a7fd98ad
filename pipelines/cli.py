"""`par`: the command-line entry point. It parses arguments, builds the Settings once and
hands them to the command; the work is done elsewhere.

par run        ingest the landing folder, build, check and publish (writes the sample
               scenario first if the landing folder has no units.csv)
par headline   print the city's headline indicators from the published file
par report     print one unit's indicators for a period; write its Excel and HTML reports
par simulate   write a simulated landing folder
par units      write units.csv and unit_successions.csv for a province from the GSO lists
par bench      benchmark the warehouse against plain DuckDB on a generated province
par docs       regenerate warehouse/README.md (from the dbt models' documentation) and
               docs/input-format.md (from the ingest's header table)
par manifest   parse the dbt project (what `make manifest` runs)
par ui         the Dagster UI on this warehouse's Dagster home
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path

from pipelines.bootstrap import (
    SAMPLE_SCENARIO,
    dagster_instance,
    ensure_dagster_home,
    ensure_landing,
    ensure_manifest,
    ui_workspace,
)
from pipelines.lib.decoding import ENCODINGS
from pipelines.reports.vn_format import LANGS
from pipelines.settings import Settings, load_settings

# `par run` while another run holds the warehouse's build file: "try again later"
# (sysexits EX_TEMPFAIL), so that a scheduler can tell it from a failed run (1).
EXIT_BUSY = 75


def run_pipeline(settings: Settings, days: tuple, run_id: str | None = None):
    """Run the full-build job over `days` (first, last) in this process on the settings'
    Dagster instance; returns its ExecuteInProcessResult."""
    ensure_manifest(settings)
    from pipelines.lib import heap

    with heap.loading():  # Dagster and the definitions, loaded for the rest of the process
        import pipelines.definitions  # noqa: F401
        from pipelines.defs.partitions import range_tags
        from pipelines.run import execute_build

    with dagster_instance(settings) as instance:
        # INFO on the terminal (progress, problems); the full DEBUG log is in the Dagster UI.
        return execute_build(
            instance,
            settings,
            range_tags(*days),
            raise_on_error=False,
            log_level="INFO",
            run_id=run_id,
        )


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Refuse at once if another run holds the build file (nothing is touched); otherwise
    run, and end by saying truthfully what was published and which checks failed."""
    from pipelines.lib import build_lock

    run_id = str(uuid.uuid4())
    try:
        build_lock.acquire(settings.warehouse_dir, run_id)
    except build_lock.BuildFileBusy as busy:
        print(f"par run: {busy}", file=sys.stderr)
        return EXIT_BUSY
    try:
        ensure_landing(settings)
        from pipelines.run_plan import plan_run

        plan = plan_run(settings, full=args.full)
        if plan.nothing_to_do:
            print(plan.why)
            return 0
        print(f"par run: {plan.why}", flush=True)
        if args.full:
            from pipelines.lib.dbt_reach import forget_in

            forget_in(settings.build_db)  # rebuilt as asked: every dbt node runs
        result = run_pipeline(settings, plan.days, run_id)
    finally:
        build_lock.release(settings.warehouse_dir)
    from pipelines.run import published_in, run_outcome

    if published_in(result):
        from pipelines.reports.headline import print_headline

        print_headline(settings.published_db)
        print_report_files(settings)
    print()
    print(run_outcome(result, settings))
    return 0 if result.success else 1


def print_report_files(settings: Settings) -> None:
    """Where the run's reports and data dictionary are."""
    reports = settings.reports_dir
    files = sorted(reports.glob("*/*/par_*.*")) if reports.exists() else []
    index = settings.docs_dir / "index.html"
    if files or index.exists():
        print("\nReports (Excel, HTML) and the data dictionary:")
        for path in [*files, *([index] if index.exists() else [])]:
            print(f"  {path}")


def cmd_headline(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.reports.headline import print_headline

    print_headline(settings.published_db, year=args.year)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.reports.terminal import run

    return run(
        settings.published_db,
        unit=args.unit,
        period_text=args.period,
        lang=args.lang,
        scope=args.scope,
        excel=args.excel,
        html=args.html,
        out_dir=Path(args.out) if args.out else settings.reports_dir,
        stale_after_days=settings.freshness_days,
    )


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.simulator.__main__ import (
        PROVINCE,
        REORG,
        run_province,
        run_reorg,
        scale_arguments_given,
    )

    args.out = args.out or str(settings.landing_dir)
    if args.scenario == PROVINCE:
        return run_province(args.parser, args)
    if args.scenario == REORG:
        if args.units is not None or args.days is not None or args.documents_per_day is not None:
            args.parser.error(
                "--scenario reorg-2025 takes --start, --end and --dossiers-per-day only"
            )
        return run_reorg(args, args.parser)
    if args.units is not None or scale_arguments_given(args):
        args.parser.error(
            "--units, --days, --dossiers-per-day, --documents-per-day and --start "
            "are for --scenario province"
        )
    from pipelines.simulator import write_scenario

    print(write_scenario(args.scenario, Path(args.out), seed=args.seed))
    return 0


def cmd_units(args: argparse.Namespace, settings: Settings) -> int:
    """The registry of a province across the July 2025 reform, from vietnamadminunits."""
    from datetime import date

    from pipelines.registry import build_registry, write_registry

    try:
        old_valid_from = (
            date.fromisoformat(args.old_valid_from) if args.old_valid_from else settings.first_day
        )
    except ValueError:
        args.parser.error(f"--old-valid-from {args.old_valid_from!r}: expected YYYY-MM-DD")
    try:
        registry = build_registry(
            args.province,
            old_valid_from=old_valid_from,
            csv_encoding=args.csv_encoding,
            new_csv_encoding=args.new_csv_encoding,
        )
    except (KeyError, ValueError) as exc:
        args.parser.error(str(exc).strip("'\""))
    out = Path(args.out or settings.landing_dir)
    units, successions = write_registry(registry, out)
    print(f"wrote {units} ({len(registry.units)} rows)")
    print(f"wrote {successions} ({len(registry.successions)} rows)")
    return 0


def cmd_bench(bench_args: list[str], settings: Settings) -> int:
    ensure_manifest(settings)
    from pipelines.bench.__main__ import main as bench_main

    return bench_main(bench_args, settings)


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    ensure_manifest(settings)
    from pipelines.reports.input_format import write_doc
    from pipelines.reports.warehouse_readme import write_readme

    print(f"wrote {write_readme()}")
    print(f"wrote {write_doc()}")
    return 0


def cmd_manifest(args: argparse.Namespace, settings: Settings) -> int:
    print(f"wrote {ensure_manifest(settings, force=True)}")
    return 0


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    """`dagster dev` on this warehouse: DAGSTER_HOME is the settings' (it follows
    PAR_WAREHOUSE_DIR), and the code location reads the same environment. It runs in the
    Dagster home, whose dagster.yaml (the project's, copied) is the one it uses: started in
    the repository, it would warn that the repository's dagster.yaml "will not be used"."""
    ensure_manifest(settings)
    home = ensure_dagster_home(settings).resolve()
    workspace = ui_workspace(settings)
    dagster = str(Path(sys.executable).with_name("dagster"))
    command = [dagster, "dev", "-w", str(workspace)]
    command += ["-h", args.host, "-p", str(args.port)]
    env = {**os.environ, **settings.to_env(), "DAGSTER_HOME": str(home)}
    os.chdir(home)
    os.execve(dagster, command, env)
    return 0  # not reached


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="par", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest, build, check and publish what is new")
    run.add_argument(
        "--full",
        action="store_true",
        help="run every day of the landing folder even when nothing is new, every dbt node rebuilt",
    )
    run.set_defaults(func=cmd_run)
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
    report.add_argument(
        "--unit",
        help="unit code, e.g. 941; default: the top-level unit. A code reused by a later unit "
        "means the unit existing at the period's end; CODE@DATE names the unit of that code "
        "on that day, e.g. 31510@2024-01-01",
    )
    report.add_argument("--lang", choices=LANGS, default=LANGS[0], help="default: vi")
    report.add_argument(
        "--scope", choices=("area", "self"), help="default: both, for a unit with units under it"
    )
    report.add_argument("--excel", action="store_true", help="also write the Excel workbook")
    report.add_argument("--html", action="store_true", help="also write the HTML charts page")
    report.add_argument("--out", help=f"folder for the files (default: {settings.reports_dir})")
    report.set_defaults(func=cmd_report)
    from pipelines.simulator.__main__ import add_scale_arguments

    simulate = sub.add_parser("simulate", help="write a simulated landing folder")
    simulate.add_argument("--scenario", default=SAMPLE_SCENARIO)
    simulate.add_argument("--out", help=f"default: {settings.landing_dir}")
    simulate.add_argument("--seed", type=int, default=2021)
    simulate.add_argument("--units", help="--scenario province: how many units (default 100)")
    simulate.add_argument(
        "--workers", type=int, help="--scenario province: processes (default: CPUs)"
    )
    simulate.add_argument(
        "--force",
        action="store_true",
        help="--scenario province or reorg-2025: write into a non-empty folder",
    )
    add_scale_arguments(simulate)
    simulate.set_defaults(func=cmd_simulate, parser=simulate)
    units = sub.add_parser(
        "units",
        help="write units.csv and unit_successions.csv for a province from the GSO lists",
        description="The registry of one province (a code of the 34 from 1 July 2025) and of "
        "everything it was formed from, from the lists the vietnamadminunits package ships.",
    )
    units.add_argument("--province", required=True, help="e.g. 92 (Thành phố Cần Thơ)")
    units.add_argument("--out", help=f"folder to write into (default: {settings.landing_dir})")
    units.add_argument(
        "--old-valid-from",
        help=f"first day of the old units' rows, YYYY-MM-DD (default: {settings.first_day})",
    )
    units.add_argument(
        "--csv-encoding", choices=ENCODINGS, default="utf-8", help="every row (default: utf-8)"
    )
    units.add_argument(
        "--new-csv-encoding",
        choices=ENCODINGS,
        help="the rows from 1 July 2025 (default: --csv-encoding)",
    )
    units.set_defaults(func=cmd_units, parser=units)
    sub.add_parser(
        "docs", help="regenerate warehouse/README.md and docs/input-format.md"
    ).set_defaults(func=cmd_docs)
    sub.add_parser("manifest", help="parse the dbt project").set_defaults(func=cmd_manifest)
    ui = sub.add_parser("ui", help="the Dagster UI (default http://127.0.0.1:3000)")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    # `par bench ...` hands every later argument to the benchmark's own parser
    sub.add_parser("bench", help="benchmark against plain DuckDB (par bench --help)")
    return parser


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """`settings` default to this process's environment (tests pass their own)."""
    settings = settings or load_settings()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        return cmd_bench(argv[1:], settings)
    args = _parser(settings).parse_args(argv)
    return args.func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
