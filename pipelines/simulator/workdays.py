"""Working days of a public desk: Monday to Friday, less the year's public holidays."""

from __future__ import annotations

import bisect
from datetime import date, timedelta


class WorkCalendar:
    def __init__(self, year: int, holidays: frozenset[date], last: date | None = None):
        self.year = year
        self.first = date(year, 1, 1)
        # the last day the exports cover: the year's end, or earlier for a short scenario
        self.last = last or date(year, 12, 31)
        # a little beyond the year so that due dates of late-December dossiers exist
        end = date(year + 1, 3, 31)
        days: list[date] = []
        d = self.first
        while d <= end:
            if d.weekday() < 5 and d not in holidays:
                days.append(d)
            d += timedelta(days=1)
        self.days = days
        self.days_in_year = [d for d in days if d.year == year and d <= self.last]

    def index(self, d: date) -> int:
        """Position of the first working day on or after d."""
        return bisect.bisect_left(self.days, d)

    def add(self, d: date, n: int) -> date:
        """The n-th working day after d (n = 0: d itself if it is a working day)."""
        return self.days[self.index(d) + n]

    def between(self, a: date, b: date) -> int:
        """Working days after a up to and including b."""
        return self.index(b + timedelta(days=1)) - self.index(a + timedelta(days=1))

    def is_workday(self, d: date) -> bool:
        i = self.index(d)
        return i < len(self.days) and self.days[i] == d
