"""dbt's environment for a fixture build file: the project's one way to hand dbt its
settings (pipelines.settings.dbt_environment), pointed at the test's file."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.settings import Settings, dbt_environment


def dbt_env(db: Path, window: str = "") -> dict[str, str]:
    """This process's environment plus dbt's, for the build file `db` and a one-day window
    (empty: no window, dbt recomputes everything)."""
    settings = Settings.for_folders(db.parent / "landing", db.parent)
    return {**os.environ, **dbt_environment(settings, (window, window), build_db=db)}
