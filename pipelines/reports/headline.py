"""The short table `par run` ends with: the city's headline indicators for a year."""

from __future__ import annotations

from pathlib import Path

import duckdb

HEADLINE_CODES = (
    ("PROC_TOTAL", "self"),
    ("PROC_CHANGED", "self"),
    ("PROC_ABOLISHED", "self"),
    ("PROC_ONLINE_PARTIAL", "self"),
    ("PROC_ONLINE_FULL", "self"),
    ("DOSSIER_FINISHED", "self"),
    ("DOSSIER_ONTIME", "self"),
    ("DOSSIER_LATE", "self"),
    ("DOSSIER_ONTIME_RATE", "self"),
    ("DOSSIER_ONLINE_RATE_PARTIAL", "area"),
    ("DOSSIER_ONLINE_RATE_FULL", "area"),
    ("DOC_SENT", "area"),
    ("DOC_ELECTRONIC", "area"),
    ("DOC_ELECTRONIC_RATE", "area"),
)


def headline_rows(published_db: Path, year: int | None = None) -> list[tuple]:
    """(unit, indicator, scope, numerator, denominator, value, target, meets) for the
    top-level units (those without a parent) and the given or latest year."""
    conn = duckdb.connect(str(published_db), read_only=True)
    try:
        if year is None:
            year = conn.execute(
                "SELECT max(year(period_start)) FROM indicator_values WHERE period_type = 'year'"
            ).fetchone()[0]
        rows = conn.execute(
            """
            SELECT v.unit_code, v.unit_name, v.indicator_code, v.scope, v.numerator,
                   v.denominator, v.value, v.target, v.meets_target
            FROM indicator_values AS v
            WHERE v.period_type = 'year' AND year(v.period_start) = ?
              AND v.unit_code IN (SELECT unit_code FROM dim_unit WHERE parent_code IS NULL)
            """,
            [year],
        ).fetchall()
    finally:
        conn.close()
    wanted = {key: position for position, key in enumerate(HEADLINE_CODES)}
    picked = [row for row in rows if (row[2], row[3]) in wanted]
    picked.sort(key=lambda row: (row[0], wanted[(row[2], row[3])]))
    return [row[1:] for row in picked]


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_headline(published_db: Path, year: int | None = None) -> None:
    rows = headline_rows(published_db, year)
    header = ("unit", "indicator", "scope", "numerator", "denominator", "value", "target", "met")
    table = [header] + [tuple(_fmt(v) for v in row) for row in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    print(f"\nHeadline indicators from {published_db}")
    for number, row in enumerate(table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
