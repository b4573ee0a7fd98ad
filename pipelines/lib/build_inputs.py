"""What a build reads, compared with what the last publication was built from.

A published file records two fingerprints (`pipelines.lib.publish`): the code that built it
(the pipeline's Python, the dbt project, the locked dependencies and the settings) and the
ingest ledger it was built on. `par run` compares them, and the landing folder against the
ledger, before it starts Dagster: when nothing differs there is no model work to do and the
published file is already what a build would make. When only some days got new files, the
run covers those days (the dbt models recompute only their window).

Nothing here writes: the build file is opened read-only, the landing files are only hashed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.lib.file_hash import file_sha256
from pipelines.lib.landing import REGISTRY_FILES, scan

# What the code fingerprint covers, relative to the repository root: every file under these
# folders whose name ends with one of the suffixes, and these single files.
_CODE_FOLDERS = ("pipelines", "dbt_project")
_CODE_SUFFIXES = (".py", ".sql", ".yml", ".yaml", ".csv", ".md")
_CODE_FILES = ("uv.lock", "pyproject.toml")
_SKIPPED_PARTS = frozenset({"target", "dbt_packages", "logs", "__pycache__"})

# The ledger as one digest: every row's file, outcome and bytes, in a fixed order. A run
# that loaded, replaced or rejected anything since the publication changes it.
LEDGER_DIGEST_SQL = """
SELECT coalesce(md5(string_agg(
    concat_ws('|', source_file, status, coalesce(sha256, ''), coalesce(size_bytes, -1),
              coalesce(rows_loaded, -1), coalesce(rows_set_aside, -1)),
    chr(10) ORDER BY source_file, status, sha256, size_bytes
)), '') FROM {ledger}
"""


def code_fingerprint(repo_root: Path, settings_text: str) -> str:
    """sha256 over the code a build runs and the settings it runs with: a change to any
    model, macro, seed, parser or dependency makes the next run rebuild."""
    digest = hashlib.sha256(settings_text.encode())
    paths = [repo_root / name for name in _CODE_FILES]
    for folder in _CODE_FOLDERS:
        paths += [
            path
            for path in (repo_root / folder).rglob("*")
            if path.suffix in _CODE_SUFFIXES
            and not _SKIPPED_PARTS.intersection(path.relative_to(repo_root).parts)
        ]
    for path in sorted(paths):
        if path.is_file():
            digest.update(path.relative_to(repo_root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def ledger_digest(conn: duckdb.DuckDBPyConnection, ledger: str = "raw.ingest_ledger") -> str:
    """The digest of the ledger table `ledger` (LEDGER_DIGEST_SQL)."""
    return conn.execute(LEDGER_DIGEST_SQL.format(ledger=ledger)).fetchone()[0]


@dataclass(frozen=True)
class LandingChanges:
    """The landing folder against the ledger."""

    checked: int  # entries looked at
    new_days: frozenset[date] = field(default_factory=frozenset)  # export dates of new files
    other: tuple[str, ...] = ()  # new or changed entries that are not a daily file

    @property
    def nothing_new(self) -> bool:
        return not self.new_days and not self.other


Signature = tuple[int | None, str | None, str | None]  # size_bytes, sha256, status


def _signatures(build_db: Path) -> tuple[dict[str, Signature], str]:
    """source_file -> (size_bytes, sha256, status) of the latest ledger row per file, and
    the ledger's digest."""
    conn = duckdb.connect(str(build_db), read_only=True)
    try:
        rows = conn.execute(
            "SELECT source_file, arg_max(size_bytes, loaded_at), arg_max(sha256, loaded_at), "
            "arg_max(status, loaded_at) FROM raw.ingest_ledger GROUP BY source_file"
        ).fetchall()
        return {name: (size, sha, status) for name, size, sha, status in rows}, ledger_digest(conn)
    finally:
        conn.close()


def _same_bytes(path: Path, signature: Signature) -> bool:
    """Whether the file holds the bytes its ledger row records."""
    size, sha256, _status = signature
    try:
        return path.stat().st_size == size and file_sha256(path) == sha256
    except OSError:
        return False  # unreadable now: let the ingest look and record why


def landing_changes(landing: Path, build_db: Path) -> tuple[LandingChanges, str | None]:
    """Which landing entries the ledger does not already hold as they are now, and the
    ledger's digest (None when the build file or its ledger does not exist yet)."""
    found = scan(landing)
    try:
        known, digest = _signatures(build_db) if build_db.exists() else ({}, None)
    except duckdb.CatalogException:  # a build file without a ledger yet
        known, digest = {}, None
    new_days: set[date] = set()
    other: list[str] = []
    for file in found.files:
        signature = known.get(file.relpath)
        if signature is None or not _same_bytes(file.path, signature):
            new_days.add(file.export_date)
    registries = [name for name in REGISTRY_FILES if (landing / name).exists() or name in known]
    for registry in registries:
        signature = known.get(registry)
        if signature is None or not _same_bytes(landing / registry, signature):
            other.append(registry)
    # an entry the ingest rejects (misplaced, not a regular file) is in the ledger by name,
    # as rejected: one the ledger holds otherwise (a loaded file swapped for a link) is new
    other += [
        entry.relpath
        for entry in found.rejected
        if known.get(entry.relpath, (None, None, None))[2] != "rejected"
    ]
    checked = len(found.files) + len(found.rejected) + len(registries)
    changes = LandingChanges(checked=checked, new_days=frozenset(new_days), other=tuple(other))
    return changes, digest
