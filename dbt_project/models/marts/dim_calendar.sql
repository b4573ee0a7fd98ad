-- One row per day of every year the data touches, with Vietnamese working days:
-- Saturday and Sunday off, public holidays off, announced swaps applied.

with

days as (

    select * from {{ ref('int_calendar_days') }}

),

holidays as (

    select * from {{ ref('int_calendar_holidays') }}

)

select
    days.date_day,
    days.calendar_year,
    days.calendar_quarter,
    days.calendar_month,
    days.month_start,
    days.quarter_start,
    days.year_start,
    days.iso_weekday,
    days.iso_weekday in (6, 7) as is_weekend,
    coalesce(holidays.kind = 'holiday', false) as is_holiday,
    case
        when holidays.kind = 'workday' then true
        when holidays.kind = 'holiday' then false
        else days.iso_weekday not in (6, 7)
    end as is_working_day,
    holidays.description as holiday_description

from days
left join holidays
    on days.date_day = holidays.holiday_date
