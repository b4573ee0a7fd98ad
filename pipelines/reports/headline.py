"""The short table `par run` ends with: the city's headline indicators for a year."""

from __future__ import annotations

from pathlib import Path

import duckdb


def headline_rows(published_db: Path, year: int | None = None) -> list[tuple]:
    """(unit, indicator, scope, numerator, denominator, value, target, meets) for the
    top-level units (those without a parent) and the given or latest year: the indicators
    the catalogue marks for the headline (its `headline_scope`), in its display order."""
    conn = duckdb.connect(str(published_db), read_only=True)
    try:
        if year is None:
            year = conn.execute(
                "SELECT max(year(period_start)) FROM indicator_values WHERE period_type = 'year'"
            ).fetchone()[0]
        rows = conn.execute(
            """
            SELECT v.unit_name, v.indicator_code, v.scope, v.numerator, v.denominator,
                   v.value, v.target, v.meets_target
            FROM indicator_values AS v
            JOIN indicator_catalog AS c
              ON c.indicator_code = v.indicator_code AND c.headline_scope = v.scope
            WHERE v.period_type = 'year' AND year(v.period_start) = ?
              AND v.unit_code IN (SELECT unit_code FROM dim_unit WHERE parent_code IS NULL)
            ORDER BY v.unit_code, c.display_order
            """,
            [year],
        ).fetchall()
    finally:
        conn.close()
    return rows


def late_reason_lines(published_db: Path, year: int | None = None) -> list[str]:
    """For each top-level unit, its own desk's late dossiers of the year by reason
    ("Thành phố Sóc Trăng, 2021: 5 hồ sơ trễ hạn: lỗi đường truyền mạng (5)"); none when
    the published file predates late_dossier_reasons."""
    from pipelines.reports.data import late_sentence

    conn = duckdb.connect(str(published_db), read_only=True)
    try:
        tables = {
            name for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if "late_dossier_reasons" not in tables:
            return []
        if year is None:
            year = conn.execute(
                "SELECT max(year(period_start)) FROM indicator_values WHERE period_type = 'year'"
            ).fetchone()[0]
        units = conn.execute(
            "SELECT DISTINCT v.unit_code, v.unit_name FROM indicator_values AS v "
            "WHERE v.period_type = 'year' AND year(v.period_start) = ? "
            "AND v.unit_code IN (SELECT unit_code FROM dim_unit WHERE parent_code IS NULL) "
            "ORDER BY v.unit_code",
            [year],
        ).fetchall()
        lines = []
        for unit_code, unit_name in units:
            counts = conn.execute(
                "SELECT late_reason, sum(dossiers)::BIGINT AS n FROM late_dossier_reasons "
                "WHERE unit_code = ? AND scope = 'self' AND period_type = 'year' "
                "AND year(period_start) = ? GROUP BY late_reason "
                "ORDER BY n DESC, late_reason NULLS LAST",
                [unit_code, year],
            ).fetchall()
            lines.append(f"{unit_name}, {year}: {late_sentence(counts, 'vi')}")
    finally:
        conn.close()
    return lines


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
    late = late_reason_lines(published_db, year)
    if late:
        print("\nLate dossiers of each top-level unit's own desk, by reason:")
        for line in late:
            print(f"  {line}")
