-- One row per day of every year the data touches and the year after, with Vietnamese
-- working days: Saturday and Sunday off, public holidays off, announced swaps applied.
-- working_day_number counts working days from the first day of the calendar, so "the
-- Nth working day after day d" is the working day numbered d's number + N: a join.
--
-- The working days the models compute with: int_dossier_facts takes its due dates from
-- here (and recomputes what a change of them moves), dim_calendar publishes it.

with

days as (

    select * from {{ ref('int_calendar_days') }}

),

holidays as (

    select * from {{ ref('int_calendar_holidays') }}

),

flagged as (

    select
        days.date_day,
        days.calendar_year,
        days.calendar_quarter,
        days.calendar_month,
        days.month_start,
        days.quarter_start,
        days.year_start,
        days.iso_weekday,
        days.is_in_data_years,
        days.iso_weekday in (6, 7) as is_weekend,
        coalesce(holidays.kind = 'holiday', false) as is_holiday,
        -- the holiday table has the overrides applied: a `workday` override makes a
        -- weekend day (or a statutory holiday) a working day, a `holiday` one a day off
        case
            when holidays.kind = 'workday' then true
            when holidays.kind = 'holiday' then false
            else days.iso_weekday not in (6, 7)
        end as is_working_day,
        holidays.description as holiday_description

    from days
    left join holidays
        on days.date_day = holidays.holiday_date

)

select
    *,
    -- a day off carries the number of the last working day before it (0 before any)
    cast(sum(case when is_working_day then 1 else 0 end) over (
        order by date_day rows between unbounded preceding and current row
    ) as integer) as working_day_number

from flagged
