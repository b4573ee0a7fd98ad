"""Build a small hand-written raw DuckDB to develop and test the dbt project against.

The tables are created from pipelines/lib/schema.py, so they have exactly the columns the
Python ingest writes; the rows (raw_rows.sql) are a city and two wards with a handful of
procedures, dossiers, documents, reported figures and staff lists chosen to exercise the
tricky rules (change-log dedupe, procedure history, on-time by calendar date, month
boundaries, a renamed ward, a report that disagrees, appointments moved past the
working-day rule, staff lists read at the period end, late reasons).
raw.public_holidays gets Vietnam's holidays for 2020-2023 from pipelines/lib/calendar.py
(the `holidays` package), as the ingest writes them.

Usage (from the repository root):
    uv run python tests/dbt_fixture/build_raw.py /tmp/par_fixture.duckdb [--empty]
    cd dbt_project && PAR_BUILD_DB=/tmp/par_fixture.duckdb uv run dbt build

--empty creates the tables without rows (the first night, before any delivery).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from pipelines.lib import schema
from pipelines.lib.calendar import vietnam_holidays

HERE = Path(__file__).resolve().parent
ROWS_SQL = HERE / "raw_rows.sql"


def raw_tables() -> dict[str, dict[str, str]]:
    """Every raw table with its columns, as the ingest creates them."""
    tables = {
        "units": schema.UNITS_TABLE_COLUMNS,
        "unit_successions": schema.UNIT_SUCCESSIONS_TABLE_COLUMNS,
    }
    tables.update({feed: schema.feed_table_columns(feed) for feed in schema.FEEDS})
    tables["ingest_ledger"] = schema.LEDGER_COLUMNS
    tables["set_aside"] = schema.SET_ASIDE_COLUMNS
    tables["public_holidays"] = schema.PUBLIC_HOLIDAYS_COLUMNS
    return tables


def build(
    path: Path,
    *,
    empty: bool = False,
    rows_sql: Path = ROWS_SQL,
    holiday_years: range = range(2020, 2024),
) -> None:
    """(Re)create the raw schema in the DuckDB file at path and fill it with the fixture
    (`rows_sql`: raw_rows.sql, or raw_rows_reorg.sql for the reorganisation fixture) and
    the holidays of `holiday_years`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        for table, columns in raw_tables().items():
            cols = ", ".join(f"{name} {type_}" for name, type_ in columns.items())
            con.execute(f"create table raw.{table} ({cols})")
        if not empty:
            con.execute(rows_sql.read_text(encoding="utf-8"))
            holidays = vietnam_holidays(holiday_years).to_arrow()  # noqa: F841 - scanned
            con.execute("insert into raw.public_holidays select * from holidays")


def main(argv: list[str]) -> int:
    args = [arg for arg in argv[1:] if arg != "--empty"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    build(Path(args[0]), empty="--empty" in argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
