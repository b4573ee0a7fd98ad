"""dbt's parse of the project, begun with the run when the warehouse's dbt target folder
holds no parse state dbt could reuse (a new warehouse, or a project changed since), so
that it runs beside the run's start-up instead of at the start of the dbt step.

A full parse costs dbt ~3 s; the run's own start-up (Dagster, the definitions, planning
the run) is single-threaded Python, so on two cores the parse takes the idle one. The dbt
step waits for it (`wait`) and `dbt build` then finds the state the parse left in the
target folder and skips parsing. The parse opens no database file, so it runs while the
run writes the build file. It is only a head start: if it fails or is not begun (another
engine, a run started elsewhere), `dbt build` parses as it always did.

The parse is begun with the environment the dbt step gives dbt (profile, target, build
file): dbt keeps its state only for the same profile and target. The run's window does not
matter: the project reads it only when dbt executes (macros/partition_window.sql).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, Settings, dbt_environment

_log = logging.getLogger(__name__)

STATE_FILE = "partial_parse.msgpack"
# What dbt reads when it parses: a change to any of these makes the state stale.
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
_PROJECT_FOLDERS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")

_lock = threading.Lock()
_parsing: dict[Path, subprocess.Popen] = {}


def _project_changed_since(mtime_ns: int) -> bool:
    paths = [DBT_PROJECT_DIR / name for name in _PROJECT_FILES]
    for folder in _PROJECT_FOLDERS:
        paths.extend(path for path in (DBT_PROJECT_DIR / folder).rglob("*") if path.is_file())
    return any(path.exists() and path.stat().st_mtime_ns > mtime_ns for path in paths)


def needs_parse(target_dir: Path) -> bool:
    """True when the target folder has no parse state, or one older than a project file.
    (A state of another profile is not caught here: `dbt build` then parses itself.)"""
    try:
        made = (target_dir / STATE_FILE).stat().st_mtime_ns
    except OSError:
        return True
    return _project_changed_since(made)


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment of the dbt step's `dbt build` as far as dbt's parse state depends on
    it (dagster-dbt passes the target folder, the profiles and project folders as these)."""
    target_dir = str(settings.dbt_target_dir)
    return {
        **dbt_environment(settings),
        "DBT_TARGET_PATH": target_dir,
        "DBT_LOG_PATH": target_dir,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
    }


def begin(settings: Settings) -> bool:
    """Begin `dbt parse` for this warehouse in the background if its state needs one (the
    DuckDB engine only). Returns whether it was begun."""
    if settings.engine != "duckdb" or not needs_parse(settings.dbt_target_dir):
        return False
    target_dir = settings.dbt_target_dir.absolute()
    with _lock:
        if target_dir in _parsing:
            return False
        target_dir.mkdir(parents=True, exist_ok=True)
        try:
            _parsing[target_dir] = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("dbt")),
                    "parse",
                    "--target",
                    settings.dbt_target,
                    "--quiet",
                ],
                cwd=DBT_PROJECT_DIR,
                env={**os.environ, **dbt_env(settings)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            _log.warning("dbt parse could not begin ahead of the run: %s", error)
            return False
    return True


def wait(target_dir: Path) -> int | None:
    """Wait for the parse begun for this target folder, if any; its exit code (None if
    none was begun). dbt writes the folder: nothing else may run dbt there before."""
    with _lock:
        process = _parsing.pop(Path(target_dir).absolute(), None)
    if process is None:
        return None
    code = process.wait()
    if code != 0:
        _log.warning("dbt parse ahead of the run ended with %s: dbt build parses itself", code)
    return code


def waiting_for() -> Mapping[Path, subprocess.Popen]:
    """The parses begun and not yet waited for (for tests)."""
    with _lock:
        return dict(_parsing)
