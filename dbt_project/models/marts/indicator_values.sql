-- The analysts' table (contract: indicators.md). Dense: every unit (unit_code,
-- unit_valid_from: a reused code is two units) that exists in a period gets a row for
-- both scopes and every catalogue code, zeros included; only the periods it existed in,
-- and only its days in them. An area row sums the self numerators and denominators of
-- the unit and all units under it, and its rate is recomputed from those sums: for a
-- flow, under it on each event's day (int_indicator_area_flows); for a stock, under it on
-- the unit's last day in the period, the day stocks are read (int_unit_area, the members
-- that count_in_stock in the unit's month holding that day).

with

catalog as (

    select
        indicator_code,
        kind,
        measure,
        direction

    from {{ ref('indicator_catalog_seed') }}

),

targets as (

    select * from {{ ref('indicator_targets') }}

),

unit_periods as (

    select * from {{ ref('int_unit_periods') }}

),

unit_area as (

    select * from {{ ref('int_unit_area') }}

),

self_figures as (

    select * from {{ ref('int_indicator_values_self') }}

),

area_flow_figures as (

    select * from {{ ref('int_indicator_area_flows') }}

),

self_dense as (

    select
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        unit_periods.period_end,
        catalog.indicator_code,
        coalesce(self_figures.numerator, 0) as numerator,
        case
            when catalog.kind = 'rate' then coalesce(self_figures.denominator, 0)
        end as denominator

    from unit_periods
    cross join catalog
    left join self_figures
        on
            unit_periods.unit_code = self_figures.unit_code
            and unit_periods.unit_valid_from is not distinct from self_figures.unit_valid_from
            and unit_periods.period_type = self_figures.period_type
            and unit_periods.period_start = self_figures.period_start
            and catalog.indicator_code = self_figures.indicator_code

),

area_flows as (

    select
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        unit_periods.period_end,
        catalog.indicator_code,
        coalesce(area_flow_figures.numerator, 0) as numerator,
        case
            when catalog.kind = 'rate' then coalesce(area_flow_figures.denominator, 0)
        end as denominator

    from unit_periods
    inner join catalog
        on catalog.measure = 'flow'
    left join area_flow_figures
        on
            unit_periods.unit_code = area_flow_figures.unit_code
            and unit_periods.unit_valid_from is not distinct from area_flow_figures.unit_valid_from
            and unit_periods.period_type = area_flow_figures.period_type
            and unit_periods.period_start = area_flow_figures.period_start
            and catalog.indicator_code = area_flow_figures.indicator_code

),

-- a month's area stock: the units under the unit on its last day in the month, each read
-- that day (their own last day in the month is the unit's: counts_in_stock)
monthly_area_stocks as (

    select
        unit_area.area_unit_code as unit_code,
        unit_area.area_unit_valid_from as unit_valid_from,
        unit_area.period_start,
        unit_area.period_end,
        self_dense.indicator_code,
        sum(self_dense.numerator) as numerator,
        sum(self_dense.denominator) as denominator

    from unit_area
    inner join self_dense
        on
            unit_area.member_unit_code = self_dense.unit_code
            and unit_area.member_unit_valid_from is not distinct from self_dense.unit_valid_from
            and unit_area.period_type = self_dense.period_type
            and unit_area.period_start = self_dense.period_start
    inner join catalog
        on
            self_dense.indicator_code = catalog.indicator_code
            and catalog.measure = 'stock'
    where unit_area.period_type = 'month' and unit_area.counts_in_stock
    group by
        unit_area.area_unit_code,
        unit_area.area_unit_valid_from,
        unit_area.period_start,
        unit_area.period_end,
        self_dense.indicator_code

),

-- any period's area stock is that of the unit's month holding its last day in the period
-- (the day it is read): the same units, read the same day. For a unit existing on the
-- period end this is the sum of the period's self rows of the units under it then; for
-- one that ended earlier in the period, a unit under it on its last day that moved on
-- to another parent (the same unit) is read on that day too, as in its own last month.
area_stocks as (

    select
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        unit_periods.period_end,
        last_month.indicator_code,
        last_month.numerator,
        last_month.denominator

    from unit_periods
    inner join monthly_area_stocks as last_month
        on
            unit_periods.unit_code = last_month.unit_code
            and unit_periods.unit_valid_from is not distinct from last_month.unit_valid_from
            and unit_periods.last_day_in_period >= last_month.period_start
            and unit_periods.last_day_in_period <= last_month.period_end

),

scoped as (

    select
        'self' as scope,
        *
    from self_dense

    union all

    select
        'area' as scope,
        *
    from area_flows

    union all

    select
        'area' as scope,
        *
    from area_stocks

),

valued as (

    select
        scoped.unit_code,
        scoped.unit_valid_from,
        unit_periods.unit_name,
        scoped.scope,
        scoped.period_type,
        scoped.period_start,
        scoped.period_end,
        scoped.indicator_code,
        catalog.direction,
        cast(scoped.numerator as bigint) as numerator,
        cast(scoped.denominator as bigint) as denominator,
        case
            when catalog.kind = 'count' then cast(scoped.numerator as decimal(9, 2))
            else {{ rate_percent('scoped.numerator', 'scoped.denominator') }}
        end as indicator_value,
        cast(targets.target as decimal(9, 2)) as target

    from scoped
    inner join unit_periods
        on
            scoped.unit_code = unit_periods.unit_code
            and scoped.unit_valid_from is not distinct from unit_periods.unit_valid_from
            and scoped.period_type = unit_periods.period_type
            and scoped.period_start = unit_periods.period_start
    inner join catalog
        on scoped.indicator_code = catalog.indicator_code
    left join targets
        on
            scoped.indicator_code = targets.indicator_code
            and scoped.scope = targets.scope
            and scoped.period_end >= targets.valid_from
            and (targets.valid_to is null or scoped.period_end <= targets.valid_to)

)

select
    cast(unit_code as {{ text_type() }}) as unit_code,
    cast(unit_valid_from as date) as unit_valid_from,
    cast(unit_name as {{ text_type() }}) as unit_name,
    cast(scope as {{ text_type() }}) as scope,
    cast(period_type as {{ text_type() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(indicator_code as {{ text_type() }}) as indicator_code,
    numerator,
    denominator,
    indicator_value as value,
    target,
    case
        when target is null or indicator_value is null then null
        when direction = 'higher' then indicator_value >= target
        when direction = 'lower' then indicator_value <= target
    end as meets_target

from valued
