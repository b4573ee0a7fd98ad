"""What `par run` has to do, decided before Dagster starts.

- Nothing new (every landing entry is in the ledger with the bytes it has now, the ledger
  is the one the published file was built on, and so is the code): no run; the published
  file stays, and `par run` says what it checked.
- Only daily files are new: one run over the days from the first to the last new file's
  export date; the dbt models recompute only that window.
- Anything else (first build, code or settings changed, a registry file changed, a run
  loaded files since the last publication, `--full`): one run over every day of the
  landing folder.

Dagster is not imported here: deciding that nothing is new costs a directory scan, a hash
per file and two read-only queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.build_inputs import code_fingerprint, landing_changes
from pipelines.settings import REPO_ROOT, Settings


@dataclass(frozen=True)
class RunPlan:
    days: tuple[dt.date, dt.date] | None  # first and last day to run; None: nothing to do
    why: str  # one line for the terminal

    @property
    def nothing_to_do(self) -> bool:
        return self.days is None


@dataclass(frozen=True)
class PublishedFrom:
    code_fingerprint: str | None
    ledger_digest: str | None
    run_id: str | None
    published_at: dt.datetime | None


def build_fingerprint(settings: Settings) -> str:
    """The code fingerprint of a build with these settings: the code, and the settings that
    change what a build makes from the same files, or with what (the engine: a file the
    other engine published is rebuilt; not where the files are: the ledger and the landing
    folder are compared on their own)."""
    decisive = f"{settings.first_day}|{settings.freshness_days}|{settings.engine}"
    return code_fingerprint(REPO_ROOT, decisive)


def published_from(published_db: Path) -> PublishedFrom | None:
    """What the published file says it was built from; None when there is no published file
    or it is too old to say."""
    if not published_db.exists():
        return None
    try:
        conn = duckdb.connect(str(published_db), read_only=True)
        try:
            row = conn.execute(
                "SELECT code_fingerprint, ledger_digest, run_id, published_at FROM publication"
            ).fetchone()
        finally:
            conn.close()
    except duckdb.Error:
        return None
    return PublishedFrom(*row) if row else None


def landing_days(settings: Settings) -> tuple[dt.date, dt.date]:
    """The first and last export date of the landing folder's delivered files."""
    from pipelines.lib.landing import discover

    files, _rejected = discover(settings.landing_dir)
    if not files:
        raise SystemExit(f"{settings.landing_dir}: no delivered files to ingest")
    days = [file.export_date for file in files]
    return min(days), max(days)


def _all_days(settings: Settings, why: str) -> RunPlan:
    return RunPlan(days=landing_days(settings), why=why)


def plan_run(settings: Settings, full: bool = False) -> RunPlan:
    """What this `par run` does (see the module's docstring)."""
    changes, digest = landing_changes(settings.landing_dir, settings.build_db)
    published = published_from(settings.published_db)
    if full:
        return _all_days(settings, "every day of the landing folder (--full)")
    if published is None:
        return _all_days(settings, "every day of the landing folder (first build)")
    if published.code_fingerprint != build_fingerprint(settings):
        why = "every day of the landing folder (the code or settings changed since publication)"
        return _all_days(settings, why)
    if digest is None or published.ledger_digest != digest:
        why = "every day of the landing folder (files were loaded since the last publication)"
        return _all_days(settings, why)
    if changes.other:
        shown = ", ".join(changes.other[:3]) + (" …" if len(changes.other) > 3 else "")
        return _all_days(settings, f"every day of the landing folder (new: {shown})")
    if changes.new_days:
        first, last = min(changes.new_days), max(changes.new_days)
        days = len(changes.new_days)
        why = f"{days} day(s) with new files: {first.isoformat()} to {last.isoformat()}"
        return RunPlan(days=(first, last), why=why)
    when = published.published_at.isoformat(sep=" ") if published.published_at else "?"
    why = (
        f"Nothing new: {changes.checked} landing entries checked against the ledger, every "
        f"one already loaded as it is; the published file {settings.published_db} "
        f"(run {published.run_id} at {when}) is current. Nothing was rebuilt "
        "(par run --full rebuilds anyway)."
    )
    return RunPlan(days=None, why=why)
