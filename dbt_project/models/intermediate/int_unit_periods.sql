-- Every unit (unit_code, unit_valid_from) that exists on at least one day of each period,
-- described by its registry row as of the period end (or its last row in the period if it
-- ended before), with its first and last day in the period and the unit above it on that
-- last day. A unit's rows cover only the periods it existed in: a ward that ended on
-- 30 June has a year row and Q1-Q2 rows, no Q3. Its period is cut to its days, so its
-- stocks are read on last_day_in_period (the period end, or its last day if it ceased
-- to exist during the period): a year, its last existing quarter and month read the
-- same day.

with

units as (

    select * from {{ ref('int_units') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

overlapping as (

    select
        units.unit_code,
        units.unit_valid_from,
        units.unit_valid_to,
        units.unit_name,
        units.unit_level,
        units.parent_code,
        units.valid_from as version_valid_from,
        units.valid_to as version_valid_to,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        row_number() over (
            partition by
                units.unit_code, units.unit_valid_from, periods.period_type, periods.period_start
            order by units.valid_from desc nulls last
        ) as version_rank,
        min(coalesce(units.parent_code, '')) over (
            partition by
                units.unit_code, units.unit_valid_from, periods.period_type, periods.period_start
        ) as first_parent_code,
        max(coalesce(units.parent_code, '')) over (
            partition by
                units.unit_code, units.unit_valid_from, periods.period_type, periods.period_start
        ) as last_parent_code

    from units
    inner join periods
        on
            (units.valid_from is null or units.valid_from <= periods.period_end)
            and (units.valid_to is null or units.valid_to >= periods.period_start)

),

unit_periods as (

    select
        *,
        case
            when unit_valid_from is null or unit_valid_from < period_start then period_start
            else unit_valid_from
        end as first_day_in_period,
        case
            when unit_valid_to is null or unit_valid_to > period_end then period_end
            else unit_valid_to
        end as last_day_in_period

    from overlapping
    where version_rank = 1

)

select
    unit_periods.unit_code,
    unit_periods.unit_valid_from,
    unit_periods.unit_valid_to,
    unit_periods.unit_name,
    unit_periods.unit_level,
    unit_periods.parent_code,
    parents.unit_valid_from as parent_valid_from,
    unit_periods.version_valid_from,
    unit_periods.version_valid_to,
    unit_periods.period_type,
    unit_periods.period_start,
    unit_periods.period_end,
    unit_periods.first_day_in_period,
    unit_periods.last_day_in_period,
    (
        unit_periods.unit_valid_to is null
        or unit_periods.unit_valid_to >= unit_periods.period_end
    ) as exists_on_period_end,
    -- moved under another parent within the period (the same unit)
    unit_periods.first_parent_code <> unit_periods.last_parent_code as parent_changed_in_period

from unit_periods
-- the unit above on the unit's last day in the period (parent codes are reused too)
left join units as parents
    on
        unit_periods.parent_code = parents.unit_code
        and (parents.valid_from is null or unit_periods.last_day_in_period >= parents.valid_from)
        and (parents.valid_to is null or unit_periods.last_day_in_period <= parents.valid_to)
