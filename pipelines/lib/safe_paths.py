"""Paths built from delivered text (a unit code, a period, a file name) stay under their root.

A unit code comes from `units.csv`, which a unit's or a province's system writes: until it is
proven a code, it is text that may say `../../x`, `/etc` or hold a NUL. Every path the
warehouse builds from such text goes through `path_under`, which refuses instead of writing
outside the folder it was meant for.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

_SEPARATORS = ("/", "\\")  # a backslash is a separator on Windows and never part of a code


def _part_problem(part: object) -> str | None:
    """Why `part` cannot be one name inside a folder, or None."""
    if not isinstance(part, str):
        return f"{part!r} is not text"
    if part in ("", ".", ".."):
        return f"{part!r} is not a file or folder name"
    if "\x00" in part:
        return f"{part!r} contains a NUL character"
    if any(sep in part for sep in _SEPARATORS):
        return f"{part!r} contains a path separator"
    if os.path.isabs(part) or (len(part) > 1 and part[1] == ":"):
        return f"{part!r} is an absolute path"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in part):
        return f"{part!r} contains control characters or undecodable bytes"
    return None


def path_under(root: Path | str, *parts: str) -> Path:
    """root/part/part/…, where each part is exactly one file or folder name.

    Raises ValueError when a part is empty, `.` or `..`, absolute, holds a separator, a NUL,
    a control character or an undecodable byte, or when the result would not be inside
    root, also once symbolic links already on disk are followed (a link inside root that
    points elsewhere does not let a write escape). Nothing is created."""
    if not parts:
        raise ValueError("path_under needs at least one name under the root")
    for part in parts:
        if problem := _part_problem(part):
            raise ValueError(f"unsafe path part under {root}: {problem}")
    root_path = Path(root)
    candidate = root_path.joinpath(*parts)
    lexical_root = Path(os.path.abspath(root_path))
    if not Path(os.path.abspath(candidate)).is_relative_to(lexical_root):
        raise ValueError(f"{candidate} is outside {root}")
    resolved_root = root_path.resolve()
    if not candidate.resolve().is_relative_to(resolved_root):
        raise ValueError(f"{candidate} leads outside {root} through a symbolic link")
    return candidate
