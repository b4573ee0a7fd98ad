"""What a command needs in place before Dagster or dbt starts: the Dagster home with the
project's dagster.yaml, dbt's manifest, and (for `par run` on a fresh clone) a sample
landing folder. Used by `par` and by the benchmark's stages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_MANIFEST, DBT_PROJECT_DIR, REPO_ROOT, Settings, dbt_environment

SAMPLE_SCENARIO = "soc-trang-2021"


def dagster_yaml(home: Path) -> str:
    """The home's dagster.yaml: the project's, and the run history's storage
    (`pipelines.dagster_history`) over the home's own history folder, which Dagster
    needs as an absolute path."""
    import yaml

    from pipelines.dagster_history import event_log_storage_config

    text = (REPO_ROOT / "dagster.yaml").read_text(encoding="utf-8")
    storage = {"event_log_storage": event_log_storage_config(home)}
    return f"{text.rstrip()}\n# Added by par for this home:\n{yaml.safe_dump(storage)}"


def ensure_dagster_home(settings: Settings) -> Path:
    """The settings' Dagster home (run history, logs) with the project's dagster.yaml."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    text = dagster_yaml(home)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return home


def ui_workspace(settings: Settings) -> Path:
    """The project's workspace.yaml for a process started in the Dagster home (`par ui`),
    written into the home: the same code locations, with their working directory made
    absolute (Dagster takes a relative one from the process's folder, not the file's)."""
    import yaml

    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    for location in workspace.get("load_from", []):
        for config in location.values():
            if isinstance(config, dict):
                folder = Path(config.get("working_directory", "."))
                config["working_directory"] = str(
                    folder if folder.is_absolute() else (REPO_ROOT / folder).resolve()
                )
    target = ensure_dagster_home(settings) / "workspace.yaml"
    text = "# Written by `par ui` from the repository's workspace.yaml: do not edit.\n"
    text += yaml.safe_dump(workspace, sort_keys=False)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


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
    # what was written (the ground truth it also returns is for the tests: thousands of
    # figures, not for a terminal)
    rows = ", ".join(f"{feed} {count:,}" for feed, count in summary.get("rows", {}).items())
    print(f"  {summary.get('units')} units; rows written: {rows}")
