"""The short table `par run` ends with: the city's headline indicators for a year."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _unit_columns(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """`unit_valid_from` of each table that has it, else NULL (a file published before a
    code could be reused: a code is then one unit)."""
    present = {
        table
        for (table,) in conn.execute(
            "SELECT table_name FROM duckdb_columns() WHERE column_name = 'unit_valid_from'"
        ).fetchall()
    }
    return {
        table: "unit_valid_from" if table in present else "NULL::DATE"
        for table in ("indicator_values", "dim_unit", "late_dossier_reasons")
    }


def latest_year(conn: duckdb.DuckDBPyConnection) -> int | None:
    return conn.execute(
        "SELECT max(year(period_start)) FROM indicator_values WHERE period_type = 'year'"
    ).fetchone()[0]


def headline_rows(conn: duckdb.DuckDBPyConnection, year: int) -> list[tuple]:
    """(unit_code, unit_valid_from, unit, indicator, scope, numerator, denominator, value,
    target, meets) for the top-level units of the year (a unit whose registry row in the
    year has no parent; a unit is its code and first day, so a reused code's other unit
    is never mixed in): the indicators the catalogue marks for the headline (its
    `headline_scope`), in its display order."""
    columns = _unit_columns(conn)
    return conn.execute(
        f"""
        WITH top_units AS (
            SELECT DISTINCT unit_code, {columns["dim_unit"]} AS unit_valid_from
            FROM dim_unit
            WHERE parent_code IS NULL
              AND (valid_from IS NULL OR valid_from <= make_date(?, 12, 31))
              AND (valid_to IS NULL OR valid_to >= make_date(?, 1, 1))
        )
        SELECT v.unit_code, v.{columns["indicator_values"]} AS unit_valid_from, v.unit_name,
               v.indicator_code, v.scope, v.numerator, v.denominator, v.value, v.target,
               v.meets_target
        FROM indicator_values AS v
        JOIN top_units AS t
          ON t.unit_code = v.unit_code
         AND t.unit_valid_from IS NOT DISTINCT FROM v.{columns["indicator_values"]}
        JOIN indicator_catalog AS c
          ON c.indicator_code = v.indicator_code AND c.headline_scope = v.scope
        WHERE v.period_type = 'year' AND year(v.period_start) = ?
        ORDER BY v.unit_code, unit_valid_from NULLS FIRST, c.display_order
        """,
        [year, year, year],
    ).fetchall()


def late_reason_lines(conn: duckdb.DuckDBPyConnection, year: int, units: list[tuple]) -> list[str]:
    """For each (code, unit_valid_from, name) of `units`, its own desk's late dossiers of
    the year by reason ("Thành phố Sóc Trăng, 2021: 5 hồ sơ trễ hạn: lỗi đường truyền mạng
    (5)"); none when the published file predates late_dossier_reasons."""
    from pipelines.reports.data import late_sentence

    tables = {name for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "late_dossier_reasons" not in tables:
        return []
    valid_from = _unit_columns(conn)["late_dossier_reasons"]
    lines = []
    for unit_code, unit_valid_from, unit_name in units:
        counts = conn.execute(
            "SELECT late_reason, sum(dossiers)::BIGINT AS n FROM late_dossier_reasons "
            f"WHERE unit_code = ? AND {valid_from} IS NOT DISTINCT FROM ?::DATE "
            "AND scope = 'self' AND period_type = 'year' "
            "AND year(period_start) = ? GROUP BY late_reason "
            "ORDER BY n DESC, late_reason NULLS LAST",
            [unit_code, unit_valid_from, year],
        ).fetchall()
        lines.append(f"{unit_name}, {year}: {late_sentence(counts, 'vi')}")
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
    conn = duckdb.connect(str(published_db), read_only=True)  # one read, then closed
    try:
        year = year if year is not None else latest_year(conn)
        found = headline_rows(conn, year)
        units = list(dict.fromkeys((row[0], row[1], row[2]) for row in found))
        late = late_reason_lines(conn, year, units)
    finally:
        conn.close()
    rows = [row[2:] for row in found]
    header = ("unit", "indicator", "scope", "numerator", "denominator", "value", "target", "met")
    table = [header] + [tuple(_fmt(v) for v in row) for row in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    print(f"\nHeadline indicators from {published_db}")
    for number, row in enumerate(table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    if late:
        print("\nLate dossiers of each top-level unit's own desk, by reason:")
        for line in late:
            print(f"  {line}")
