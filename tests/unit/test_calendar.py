import datetime as dt

from pipelines.lib.calendar import vietnam_holidays, years_around


def test_lunar_new_year_2021_is_computed():
    days = dict(vietnam_holidays([2021]).iter_rows())
    # Tết Tân Sửu: 12 February 2021 was the first day of the lunar year.
    assert "Lunar New Year" in days[dt.date(2021, 2, 12)]
    # Hùng Kings' day, 10th of the 3rd lunar month: 21 April 2021.
    assert dt.date(2021, 4, 21) in days
    assert dt.date(2021, 9, 2) in days  # National Day
    assert dt.date(2021, 3, 8) not in days  # Women's Day is not a day off


def test_years_around_pads_one_year_each_side():
    assert list(years_around(dt.date(2021, 1, 1), dt.date(2021, 12, 31))) == [2020, 2021, 2022]
