"""A small Markdown table writer for Dagster metadata (no extra dependency)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl


def _cell(value: Any) -> str:
    """A value as table-cell text: empty for None; '|' escaped and line breaks made spaces,
    so a delivered value can never end its cell or its row."""
    if value is None:
        return ""
    text = str(value).replace("|", "\\|")
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def md_table(frame: pl.DataFrame | Sequence[Mapping[str, Any]], max_rows: int = 50) -> str:
    """Render a frame as a Markdown table, at most max_rows rows, saying how many were cut.

    Rows given as dicts (such as failing-row examples) render the same way without a frame:
    their columns are the keys in first-seen order, a missing key an empty cell."""
    if isinstance(frame, pl.DataFrame):
        columns, total = frame.columns, frame.height
        rows = list(frame.head(max_rows).iter_rows())
    else:
        columns, total = list(dict.fromkeys(key for row in frame for key in row)), len(frame)
        rows = [[row.get(c) for c in columns] for row in frame[:max_rows]]
    header = "| " + " | ".join(_cell(c) for c in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    cut = total - len(rows)
    tail = [f"\n… {cut} more rows"] if cut > 0 else []
    return "\n".join([header, rule, *body, *tail])
