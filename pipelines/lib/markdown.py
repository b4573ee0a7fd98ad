"""A small Markdown table writer for Dagster metadata (no extra dependency)."""

from __future__ import annotations

import polars as pl


def md_table(frame: pl.DataFrame, max_rows: int = 50) -> str:
    """Render a frame as a Markdown table, at most max_rows rows, saying how many were cut."""
    shown = frame.head(max_rows)
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    body = [
        "| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |"
        for row in shown.iter_rows()
    ]
    cut = frame.height - shown.height
    tail = [f"\n… {cut} more rows"] if cut > 0 else []
    return "\n".join([header, rule, *body, *tail])
