"""What a command needs in place before Dagster or dbt starts: the Dagster home with the
project's dagster.yaml, dbt's manifest, and (for `par run` on a fresh clone) a sample
landing folder. Used by `par` and by the benchmark's stages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_MANIFEST, DBT_PROJECT_DIR, REPO_ROOT, Settings, dbt_environment

SAMPLE_SCENARIO = "soc-trang-2021"


def ensure_dagster_home(settings: Settings) -> Path:
    """The settings' Dagster home (run history, logs) with the project's dagster.yaml."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    source = REPO_ROOT / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    return home


def dagster_instance(settings: Settings):
    """The Dagster instance of the settings' home (not whatever $DAGSTER_HOME says)."""
    import dagster as dg

    return dg.DagsterInstance.from_config(str(ensure_dagster_home(settings)))


def ensure_manifest(settings: Settings, *, force: bool = False) -> Path:
    """dbt's manifest, prepared before Dagster loads the project, never at import."""
    if DBT_MANIFEST.exists() and not force:
        return DBT_MANIFEST
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        check=True,
        env={**os.environ, **dbt_environment(settings)},
    )
    return DBT_MANIFEST


def ensure_landing(settings: Settings, scenario: str = SAMPLE_SCENARIO) -> None:
    """Write the sample scenario into an empty landing folder (one without units.csv)."""
    if settings.units_csv.exists():
        return
    from pipelines.simulator import write_scenario

    print(f"{settings.landing_dir} has no units.csv: writing the {scenario} sample scenario there")
    summary = write_scenario(scenario, settings.landing_dir)
    print(f"  {summary}")
