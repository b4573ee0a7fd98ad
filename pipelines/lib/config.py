"""Where things live. Every path the pipeline uses is derived here from two settings.

PAR_LANDING_DIR  the landing folder the units' systems deliver into (default warehouse/landing)
PAR_WAREHOUSE_DIR  the warehouse folder: build file, published file, secret key, Dagster home
                   (default warehouse)
Relative settings are taken from the repository root, so commands work from any folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _setting(name: str, default: str) -> Path:
    path = Path(os.environ.get(name) or default)
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class Paths:
    landing: Path
    warehouse: Path

    @property
    def build_db(self) -> Path:
        """The pipeline's own file: raw tables and every dbt model. Analysts never read it."""
        return self.warehouse / "build.duckdb"

    @property
    def published_db(self) -> Path:
        """The file analysts read; replaced whole, atomically, after the blocking checks pass."""
        return self.warehouse / "par.duckdb"

    @property
    def secret_key(self) -> Path:
        """HMAC key for ID numbers; generated on first run, owner-only, never in git."""
        return self.warehouse / "secrets" / "pseudonym.key"

    @property
    def units_csv(self) -> Path:
        return self.landing / "units.csv"


def paths() -> Paths:
    """The paths in force now (read from the environment on every call, so tests can point
    the pipeline at their own folders)."""
    return Paths(
        landing=_setting("PAR_LANDING_DIR", "warehouse/landing"),
        warehouse=_setting("PAR_WAREHOUSE_DIR", "warehouse"),
    )
