"""Reporting periods: a year, a quarter or a month, written `2021`, `2021-Q1` or `2021-03`
in file names and on the command line, and `Năm 2021`, `Quý 1/2021`, `Tháng 3/2021` for
readers."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PERIOD_TYPES = ("year", "quarter", "month")

_EN_MONTHS = list(calendar.month_name)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    type: str  # year, quarter or month (indicator_values.period_type)

    @property
    def end(self) -> dt.date:
        months = {"year": 12, "quarter": 3, "month": 1}[self.type]
        last_month = self.start.month + months - 1
        return dt.date(
            self.start.year, last_month, calendar.monthrange(self.start.year, last_month)[1]
        )

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        """`2021`, `2021-Q1`, `2021-03`: for file names and the command line."""
        if self.type == "year":
            return f"{self.year}"
        if self.type == "quarter":
            return f"{self.year}-Q{self.quarter}"
        return f"{self.year}-{self.start.month:02d}"

    def title(self, lang: str = "vi") -> str:
        if lang == "vi":
            if self.type == "year":
                return f"Năm {self.year}"
            if self.type == "quarter":
                return f"Quý {self.quarter}/{self.year}"
            return f"Tháng {self.start.month}/{self.year}"
        if self.type == "year":
            return f"Year {self.year}"
        if self.type == "quarter":
            return f"Q{self.quarter} {self.year}"
        return f"{_EN_MONTHS[self.start.month]} {self.year}"

    def months(self) -> list[Period]:
        """The months of the period's year up to the period's end: a report's trend."""
        return [Period(dt.date(self.year, m, 1), "month") for m in range(1, self.end.month + 1)]

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(?:(\d{4})[-/ ]?[Qq]([1-4])|[Qq]([1-4])[-/ ]?(\d{4}))$")
_MONTH = re.compile(r"^(?:(\d{4})[-/](\d{1,2})|(\d{1,2})[-/](\d{4}))$")


def parse_period(text: str) -> Period:
    """`2021`, `2021-Q1` (also `2021Q1`, `Q1/2021`), `2021-03` (also `03/2021`)."""
    text = text.strip()
    if match := _YEAR.match(text):
        return Period(dt.date(int(match[1]), 1, 1), "year")
    if match := _QUARTER.match(text):
        year, quarter = (match[1], match[2]) if match[1] else (match[4], match[3])
        return Period(dt.date(int(year), 3 * int(quarter) - 2, 1), "quarter")
    if match := _MONTH.match(text):
        year, month = (match[1], match[2]) if match[1] else (match[4], match[3])
        if 1 <= int(month) <= 12:
            return Period(dt.date(int(year), int(month), 1), "month")
    raise ValueError(text)


def describe_periods(periods: list[Period], lang: str = "vi") -> str:
    """What exists, compactly: `năm 2021; quý 2021-Q1 … 2021-Q4; tháng 2021-01 … 2021-12`."""
    words = {
        "vi": {"year": "năm", "quarter": "quý", "month": "tháng"},
        "en": {"year": "years", "quarter": "quarters", "month": "months"},
    }[lang]
    parts = []
    for period_type in PERIOD_TYPES:
        labels = [p.label for p in sorted(periods) if p.type == period_type]
        if not labels:
            continue
        shown = ", ".join(labels) if len(labels) <= 3 else f"{labels[0]} … {labels[-1]}"
        parts.append(f"{words[period_type]} {shown}")
    return "; ".join(parts) if parts else ("(không có)" if lang == "vi" else "(none)")
