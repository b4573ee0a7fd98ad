-- The reporting periods: every month, quarter and year of the calendar, with inclusive
-- bounds and the label units use in their reports ('2021-07', '2021-Q3', '2021').

with

days as (

    -- the data's years only: the calendar runs on past them for due dates
    select * from {{ ref('int_calendar_days') }}
    where is_in_data_years

),

months as (

    select
        'month' as period_type,
        month_start as period_start,
        max(date_day) as period_end,
        cast(min(calendar_year) as {{ text_type() }}) || '-'
        || lpad(cast(min(calendar_month) as {{ text_type() }}), 2, '0') as period_label

    from days
    group by month_start

),

quarters as (

    select
        'quarter' as period_type,
        quarter_start as period_start,
        max(date_day) as period_end,
        cast(min(calendar_year) as {{ text_type() }}) || '-Q'
        || cast(min(calendar_quarter) as {{ text_type() }}) as period_label

    from days
    group by quarter_start

),

years as (

    select
        'year' as period_type,
        year_start as period_start,
        max(date_day) as period_end,
        cast(min(calendar_year) as {{ text_type() }}) as period_label

    from days
    group by year_start

)

select * from months
union all
select * from quarters
union all
select * from years
