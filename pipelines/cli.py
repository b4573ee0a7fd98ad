"""`par`: the command-line entry point.

par run        ingest the landing folder, build, check and publish (writes the sample
               scenario first if the landing folder has no units.csv)
par headline   print the city's headline indicators from the published file
par simulate   write a simulated landing folder
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
    return 0


def cmd_headline(args: argparse.Namespace) -> int:
    from pipelines.headline import print_headline

    print_headline(paths().published_db, year=args.year)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from pipelines.simulator import write_scenario

    print(write_scenario(args.scenario, Path(args.out), seed=args.seed))
    return 0


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
    simulate = sub.add_parser("simulate", help="write a simulated landing folder")
    simulate.add_argument("--scenario", default=SAMPLE_SCENARIO)
    simulate.add_argument("--out", default=str(paths().landing))
    simulate.add_argument("--seed", type=int, default=2021)
    simulate.set_defaults(func=cmd_simulate)
    sub.add_parser("docs", help="regenerate warehouse/README.md").set_defaults(func=cmd_docs)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
