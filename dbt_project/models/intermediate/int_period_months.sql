-- Which periods each month belongs to: its own month, its quarter and its year. Flows
-- are summed by month first, then rolled up through this map, so a year is the sum of
-- its quarters and of its months by construction.

with

periods as (

    select * from {{ ref('int_periods') }}

),

months as (

    select
        period_start as month_start,
        period_end as month_end

    from periods
    where period_type = 'month'

)

select
    months.month_start,
    periods.period_type,
    periods.period_start,
    periods.period_end

from months
inner join periods
    on
        months.month_start >= periods.period_start
        and months.month_end <= periods.period_end
