"""The README's Layout table matches the tree: every path it names exists, and every module
and package directly under pipelines/ (and every top-level entry) is named."""

from __future__ import annotations

import re
import subprocess

from pipelines.settings import REPO_ROOT


def layout_paths() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= {name.rstrip("/") for name in re.findall(r"`([^`]+)`", first_cell)}
    return names


def test_every_path_in_the_layout_exists():
    missing = sorted(name for name in layout_paths() if not (REPO_ROOT / name).exists())
    assert missing == []


def test_the_layout_names_everything_in_pipelines_and_at_the_top():
    named = layout_paths()
    pipelines = REPO_ROOT / "pipelines"
    entries = {
        f"pipelines/{path.name}"
        for path in pipelines.iterdir()
        if not path.name.startswith(("_", "."))
        and (path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()))
    }
    assert sorted(entries - named) == []
    # what the repository holds at its top (not what runs leave there: .venv, test-artifacts)
    listed = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    tracked_top = {path.split("/", 1)[0] for path in listed}
    tracked_top -= {"pipelines", "README.md"}
    tracked_top = {name for name in tracked_top if not name.startswith(".")}
    assert sorted(tracked_top - named) == []
