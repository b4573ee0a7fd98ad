-- Every unit code that exists on at least one day of each period, described by its
-- version as of the period end (or its last version in the period if it ended before).
-- Stocks are read on the period end, so a unit that ceased to exist during the period
-- has a zero stock for it (exists_on_period_end false).

with

units as (

    select * from {{ ref('stg_ward_exports__units') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

overlapping as (

    select
        units.unit_code,
        units.unit_name,
        units.unit_level,
        units.parent_code,
        units.valid_from as unit_valid_from,
        units.valid_to as unit_valid_to,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        row_number() over (
            partition by units.unit_code, periods.period_type, periods.period_start
            order by units.valid_from desc nulls last
        ) as version_rank

    from units
    inner join periods
        on
            (units.valid_from is null or units.valid_from <= periods.period_end)
            and (units.valid_to is null or units.valid_to >= periods.period_start)

)

select
    unit_code,
    unit_name,
    unit_level,
    parent_code,
    unit_valid_from,
    unit_valid_to,
    period_type,
    period_start,
    period_end,
    (unit_valid_to is null or unit_valid_to >= period_end) as exists_on_period_end

from overlapping
where version_rank = 1
