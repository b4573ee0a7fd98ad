-- The calendar as analysts read it: every day of the data's years and the year after, with
-- Vietnamese working days (int_calendar_working_days, the same days the due dates in
-- fct_dossier were computed with).

with

calendar as (

    select * from {{ ref('int_calendar_working_days') }}

)

select
    date_day,
    calendar_year,
    calendar_quarter,
    calendar_month,
    month_start,
    quarter_start,
    year_start,
    iso_weekday,
    is_in_data_years,
    is_weekend,
    is_holiday,
    is_working_day,
    holiday_description,
    working_day_number

from calendar
