"""Vietnam's public holidays, from the maintained `holidays` package.

Lunar holidays (Tết, Hùng Kings) move every year, so they are computed, not typed in; the
government's announced swaps of working days are a dbt seed (holiday_overrides) on top.
"""

from __future__ import annotations

import datetime as dt

import holidays
import polars as pl


def vietnam_holidays(years: range | list[int]) -> pl.DataFrame:
    """One row per public holiday (and observed day off) in the given years."""
    days = holidays.country_holidays("VN", years=list(years))
    rows = sorted(days.items())
    return pl.DataFrame(
        {
            "holiday_date": [day for day, _ in rows],
            "holiday_name": [name for _, name in rows],
        },
        schema={"holiday_date": pl.Date, "holiday_name": pl.Utf8},
    )


def years_around(first: dt.date | None, last: dt.date | None) -> range:
    """The years a calendar must cover for data between first and last: one more year on
    each side, since due dates run past the year's end and late data arrive."""
    today = dt.date.today()
    first = first or today
    last = last or today
    return range(first.year - 1, last.year + 2)
