"""Vietnamese number, date and name formatting, and reporting periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pipelines.reports.periods import Period, describe_periods, parse_period
from pipelines.reports.vn_format import fmt_date, fmt_met, fmt_number, sort_key


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (10122, 0, "vi", "10.122"),
        (10122, 0, "en", "10,122"),
        (Decimal("99.95"), 2, "vi", "99,95"),
        (Decimal("99.95"), 2, "en", "99.95"),
        (Decimal("1234567.5"), 2, "vi", "1.234.567,50"),
        (Decimal("0.005"), 2, "vi", "0,01"),  # half-up, like the warehouse
        (Decimal("258.00"), 0, "vi", "258"),
        (999, 0, "vi", "999"),
        (1000, 0, "vi", "1.000"),
        (-1500, 0, "vi", "-1.500"),
        (0, 2, "vi", "0,00"),
        (None, 2, "vi", ""),
    ],
)
def test_fmt_number(value, decimals, lang, expected):
    assert fmt_number(value, decimals, lang) == expected


def test_dates_and_met():
    assert fmt_date(dt.date(2021, 12, 31)) == "31/12/2021"
    assert fmt_date(dt.date(2021, 12, 31), "en") == "2021-12-31"
    assert (fmt_met(True), fmt_met(False), fmt_met(None)) == ("Đạt", "Không đạt", "")
    assert fmt_met(False, "en") == "no"


def test_units_sort_in_vietnamese_order_with_numbers_as_numbers():
    names = ["Phường 10", "Phường 2", "Phường 1", "Đông Hải", "Ân Phú", "An Phú", "Bình Minh",
             "Dương Minh"]  # fmt: skip
    assert sorted(names, key=sort_key) == [
        "An Phú",
        "Ân Phú",  # â after a
        "Bình Minh",
        "Dương Minh",
        "Đông Hải",  # đ after d
        "Phường 1",
        "Phường 2",
        "Phường 10",
    ]


@pytest.mark.parametrize(
    ("text", "label", "start", "end", "title_vi", "title_en"),
    [
        ("2021", "2021", "2021-01-01", "2021-12-31", "Năm 2021", "Year 2021"),
        ("2021-Q3", "2021-Q3", "2021-07-01", "2021-09-30", "Quý 3/2021", "Q3 2021"),
        ("2021q4", "2021-Q4", "2021-10-01", "2021-12-31", "Quý 4/2021", "Q4 2021"),
        ("Q1/2022", "2022-Q1", "2022-01-01", "2022-03-31", "Quý 1/2022", "Q1 2022"),
        ("2021-02", "2021-02", "2021-02-01", "2021-02-28", "Tháng 2/2021", "February 2021"),
        ("2/2024", "2024-02", "2024-02-01", "2024-02-29", "Tháng 2/2024", "February 2024"),
        (" 2021-12 ", "2021-12", "2021-12-01", "2021-12-31", "Tháng 12/2021", "December 2021"),
    ],
)
def test_parse_period(text, label, start, end, title_vi, title_en):
    period = parse_period(text)
    assert period.label == label
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    assert (period.title("vi"), period.title("en")) == (title_vi, title_en)


@pytest.mark.parametrize("text", ["21", "2021-13", "2021-Q5", "năm 2021", "", "2021/00"])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_months_of_a_report_run_from_january_to_the_period_end():
    assert [p.label for p in parse_period("2021-Q2").months()] == [
        f"2021-{m:02d}" for m in range(1, 7)
    ]
    assert Period(dt.date(2021, 1, 1), "year").contains(dt.date(2021, 6, 30))
    assert not Period(dt.date(2021, 1, 1), "month").contains(None)


def test_describe_periods():
    periods = [parse_period(p) for p in ["2021", "2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]]
    periods += [parse_period(f"2021-{m:02d}") for m in range(1, 13)]
    assert describe_periods(periods) == "năm 2021; quý 2021-Q1 … 2021-Q4; tháng 2021-01 … 2021-12"
    assert describe_periods(periods[:3], "en") == "years 2021; quarters 2021-Q1, 2021-Q2"
    assert describe_periods([]) == "(không có)"
