-- Procedure indicators for each unit's own catalogue (scope self).
-- Stocks read the catalogue as it stood on the unit's last day in the period
-- (int_unit_periods.last_day_in_period: the period end, or the unit's last day if it
-- ceased to exist during the period, so a year reads the same day as the unit's last
-- quarter and month in it): a procedure is active on day d when, in the unit's latest
-- snapshot up to d, it is in force (status 1) and not abolished with effect on or
-- before d.
-- Flows count distinct (procedure, decision date) publications seen in any snapshot,
-- by decision_date.

with

unit_periods as (

    select * from {{ ref('int_unit_periods') }}

),

procedure_versions as (

    select * from {{ ref('int_procedure_versions') }}

),

snapshots as (

    select * from {{ ref('stg_ward_exports__procedures') }}

),

in_force as (

    select
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        unit_periods.period_end,
        procedure_versions.is_published,
        procedure_versions.online_level

    from unit_periods
    inner join procedure_versions
        on
            unit_periods.unit_code = procedure_versions.unit_code
            and unit_periods.last_day_in_period >= procedure_versions.valid_from
            and (
                procedure_versions.valid_to is null
                or unit_periods.last_day_in_period <= procedure_versions.valid_to
            )
    where
        procedure_versions.status = 1
        and not coalesce(
            procedure_versions.change_type = 4
            and procedure_versions.effective_date <= unit_periods.last_day_in_period,
            false
        )

),

stock_counts as (

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        count(*) as active_procedures,
        sum(case when is_published then 1 else 0 end) as published_procedures,
        sum(case when online_level = 'partial' then 1 else 0 end) as partial_procedures,
        sum(case when online_level = 'full' then 1 else 0 end) as full_procedures

    from in_force
    group by unit_code, unit_valid_from, period_type, period_start, period_end

),

stocks as (

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        'PROC_TOTAL' as indicator_code,
        active_procedures as numerator,
        cast(null as bigint) as denominator
    from stock_counts

    union all

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        'PROC_PUBLISHED_RATE' as indicator_code,
        published_procedures as numerator,
        active_procedures as denominator
    from stock_counts

    union all

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        'PROC_ONLINE_PARTIAL' as indicator_code,
        partial_procedures as numerator,
        cast(null as bigint) as denominator
    from stock_counts

    union all

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        'PROC_ONLINE_FULL' as indicator_code,
        full_procedures as numerator,
        cast(null as bigint) as denominator
    from stock_counts

),

publications as (

    select distinct
        unit_code,
        procedure_code,
        decision_date,
        case when change_type in (1, 2, 3) then 'PROC_CHANGED' else 'PROC_ABOLISHED' end
            as indicator_code

    from snapshots
    where change_type in (1, 2, 3, 4) and decision_date is not null

),

events as (

    select
        unit_code,
        decision_date as event_date,
        indicator_code,
        1 as numerator,
        cast(null as integer) as denominator

    from publications

),

{{ roll_up_indicator_events('events') }}

select
    unit_code,
    unit_valid_from,
    'self' as scope,
    period_type,
    period_start,
    period_end,
    indicator_code,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator
from stocks

union all

select * from rolled_up_by_scope
