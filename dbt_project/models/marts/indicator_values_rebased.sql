-- Today's units, back in time (contract: indicators.md, indicator_values_rebased). For
-- every unit existing on the last day of the data, every period of the data and every
-- catalogue code, scope area: the unit's territory on each day is the set of that day's
-- units now inside it - the unit itself, the units that passed `whole` into it or into a
-- unit now under it (following successions transitively), and every unit under one of
-- those on that day - each counted once with its `self` figures. A flow sums over the
-- period; a stock is read on the period's last day (a unit that does not exist then is
-- left out of it, as a member that ended before its area unit's last day is in
-- indicator_values); rates are recomputed from the sums.
-- basis: `own` when the unit existed for the whole period and no succession into it or
-- into a unit now under it took effect after the period's first day (the row then equals
-- its indicator_values area row, a blocking test); `incomplete` when a unit that passed
-- only `part` of its territory into it (or into a unit now under it) existed in the
-- period and is not inside it by the rule above (left out: its figures cannot be split);
-- else `rebased`. predecessor_codes: the codes of the units reached through successions
-- that are counted in the period (empty for `own`).
-- A unit's membership is read per period, as in int_unit_area: a unit that moved
-- between parents within a period (same unit) counts where it was on its last day.

with recursive

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

periods as (

    select * from {{ ref('int_periods') }}

),

unit_periods as (

    select * from {{ ref('int_unit_periods') }}

),

unit_area as (

    select * from {{ ref('int_unit_area') }}

),

successions as (

    select * from {{ ref('int_unit_successions') }}

),

self_rows as (

    select * from {{ ref('indicator_values') }}
    where scope = 'self'

),

last_day as (

    select max(period_end) as last_day
    from periods

),

-- the units existing on the last day of the data, named as on that day
today_units as (

    select
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.unit_name,
        unit_periods.period_start as last_month_start

    from unit_periods
    inner join last_day
        on unit_periods.period_end = last_day.last_day
    where unit_periods.period_type = 'month' and unit_periods.exists_on_period_end

),

-- each of them with every unit under it on the last day (itself included)
today_members as (

    select
        today_units.unit_code as today_unit_code,
        today_units.unit_valid_from as today_unit_valid_from,
        unit_area.member_unit_code,
        unit_area.member_unit_valid_from

    from today_units
    inner join unit_area
        on
            today_units.unit_code = unit_area.area_unit_code
            and today_units.unit_valid_from is not distinct from unit_area.area_unit_valid_from
            and unit_area.period_type = 'month'
            and today_units.last_month_start = unit_area.period_start
    inner join today_units as members
        on
            unit_area.member_unit_code = members.unit_code
            and unit_area.member_unit_valid_from is not distinct from members.unit_valid_from

),

-- ... and every unit that passed whole into one of those, transitively
inside_walk as (

    select
        today_unit_code,
        today_unit_valid_from,
        member_unit_code,
        member_unit_valid_from,
        0 as succession_steps

    from today_members

    union all

    select
        inside_walk.today_unit_code,
        inside_walk.today_unit_valid_from,
        successions.predecessor_code as member_unit_code,
        successions.predecessor_valid_from as member_unit_valid_from,
        inside_walk.succession_steps + 1 as succession_steps

    from inside_walk
    inner join successions
        on
            inside_walk.member_unit_code = successions.successor_code
            and inside_walk.member_unit_valid_from
            is not distinct from successions.successor_valid_from
    where
        successions.transfer = 'whole'
        -- guards against a cycle in a bad successions file
        and inside_walk.succession_steps < 20

),

inside_units as (

    select
        today_unit_code,
        today_unit_valid_from,
        member_unit_code,
        member_unit_valid_from,
        min(succession_steps) as succession_steps

    from inside_walk
    group by today_unit_code, today_unit_valid_from, member_unit_code, member_unit_valid_from

),

-- per today's unit and period: every unit counted (each once)
territory as (

    select distinct
        inside_units.today_unit_code,
        inside_units.today_unit_valid_from,
        unit_area.period_type,
        unit_area.period_start,
        unit_area.member_unit_code,
        unit_area.member_unit_valid_from

    from inside_units
    inner join unit_area
        on
            inside_units.member_unit_code = unit_area.area_unit_code
            and inside_units.member_unit_valid_from
            is not distinct from unit_area.area_unit_valid_from

),

sums as (

    select
        territory.today_unit_code,
        territory.today_unit_valid_from,
        territory.period_type,
        territory.period_start,
        self_rows.indicator_code,
        sum(self_rows.numerator) as numerator,
        sum(self_rows.denominator) as denominator

    from territory
    inner join self_rows
        on
            territory.member_unit_code = self_rows.unit_code
            and territory.member_unit_valid_from is not distinct from self_rows.unit_valid_from
            and territory.period_type = self_rows.period_type
            and territory.period_start = self_rows.period_start
    inner join catalog
        on self_rows.indicator_code = catalog.indicator_code
    -- a stock counts the units existing on the period's last day only
    inner join unit_periods as member_periods
        on
            territory.member_unit_code = member_periods.unit_code
            and territory.member_unit_valid_from is not distinct from member_periods.unit_valid_from
            and territory.period_type = member_periods.period_type
            and territory.period_start = member_periods.period_start
    where catalog.measure = 'flow' or member_periods.exists_on_period_end
    group by
        territory.today_unit_code,
        territory.today_unit_valid_from,
        territory.period_type,
        territory.period_start,
        self_rows.indicator_code

),

-- the last day a succession formed (part of) the territory
formed as (

    select
        inside_units.today_unit_code,
        inside_units.today_unit_valid_from,
        max(successions.effective_date) as formed_on

    from inside_units
    inner join successions
        on
            inside_units.member_unit_code = successions.successor_code
            and inside_units.member_unit_valid_from
            is not distinct from successions.successor_valid_from
    group by inside_units.today_unit_code, inside_units.today_unit_valid_from

),

-- units that passed only part of their territory in, per period they existed in, and
-- are not inside by the rule (not in the period's territory)
left_out as (

    select distinct
        inside_units.today_unit_code,
        inside_units.today_unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start

    from inside_units
    inner join successions
        on
            inside_units.member_unit_code = successions.successor_code
            and inside_units.member_unit_valid_from
            is not distinct from successions.successor_valid_from
    inner join unit_periods
        on
            successions.predecessor_code = unit_periods.unit_code
            and successions.predecessor_valid_from is not distinct from unit_periods.unit_valid_from
    left join territory
        on
            inside_units.today_unit_code = territory.today_unit_code
            and inside_units.today_unit_valid_from
            is not distinct from territory.today_unit_valid_from
            and unit_periods.period_type = territory.period_type
            and unit_periods.period_start = territory.period_start
            and unit_periods.unit_code = territory.member_unit_code
            and unit_periods.unit_valid_from is not distinct from territory.member_unit_valid_from
    where successions.transfer = 'part' and territory.member_unit_code is null

),

-- the codes reached through successions that are counted in each period
predecessors as (

    select
        inside_units.today_unit_code,
        inside_units.today_unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        {{ sorted_distinct_varchar_list('inside_units.member_unit_code') }} as predecessor_codes

    from inside_units
    inner join unit_periods
        on
            inside_units.member_unit_code = unit_periods.unit_code
            and inside_units.member_unit_valid_from
            is not distinct from unit_periods.unit_valid_from
    where inside_units.succession_steps > 0
    group by
        inside_units.today_unit_code,
        inside_units.today_unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start

),

grid as (

    select
        today_units.unit_code,
        today_units.unit_valid_from,
        today_units.unit_name,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        catalog.indicator_code,
        catalog.kind,
        catalog.direction,
        case
            when
                (
                    today_units.unit_valid_from is null
                    or today_units.unit_valid_from <= periods.period_start
                )
                and (formed.formed_on is null or formed.formed_on <= periods.period_start)
                then 'own'
            when left_out.today_unit_code is not null then 'incomplete'
            else 'rebased'
        end as basis,
        predecessors.predecessor_codes

    from today_units
    cross join periods
    cross join catalog
    left join formed
        on
            today_units.unit_code = formed.today_unit_code
            and today_units.unit_valid_from is not distinct from formed.today_unit_valid_from
    left join left_out
        on
            today_units.unit_code = left_out.today_unit_code
            and today_units.unit_valid_from is not distinct from left_out.today_unit_valid_from
            and periods.period_type = left_out.period_type
            and periods.period_start = left_out.period_start
    left join predecessors
        on
            today_units.unit_code = predecessors.today_unit_code
            and today_units.unit_valid_from is not distinct from predecessors.today_unit_valid_from
            and periods.period_type = predecessors.period_type
            and periods.period_start = predecessors.period_start

),

valued as (

    select
        grid.unit_code,
        grid.unit_valid_from,
        grid.unit_name,
        grid.period_type,
        grid.period_start,
        grid.period_end,
        grid.indicator_code,
        grid.direction,
        grid.basis,
        grid.predecessor_codes,
        cast(coalesce(sums.numerator, 0) as bigint) as numerator,
        case
            when grid.kind = 'rate' then cast(coalesce(sums.denominator, 0) as bigint)
        end as denominator,
        case
            when grid.kind = 'count' then cast(coalesce(sums.numerator, 0) as decimal(9, 2))
            else {{ rate_percent('coalesce(sums.numerator, 0)', 'coalesce(sums.denominator, 0)') }}
        end as indicator_value,
        cast(targets.target as decimal(9, 2)) as target

    from grid
    left join sums
        on
            grid.unit_code = sums.today_unit_code
            and grid.unit_valid_from is not distinct from sums.today_unit_valid_from
            and grid.period_type = sums.period_type
            and grid.period_start = sums.period_start
            and grid.indicator_code = sums.indicator_code
    left join targets
        on
            grid.indicator_code = targets.indicator_code
            and targets.scope = 'area'
            and grid.period_end >= targets.valid_from
            and (targets.valid_to is null or grid.period_end <= targets.valid_to)

)

select
    cast(unit_code as {{ text_type() }}) as unit_code,
    cast(unit_valid_from as date) as unit_valid_from,
    cast(unit_name as {{ text_type() }}) as unit_name,
    cast('area' as {{ text_type() }}) as scope,
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
    end as meets_target,
    cast(basis as {{ text_type() }}) as basis,
    case
        when basis = 'own' then {{ empty_varchar_list() }}
        else coalesce(predecessor_codes, {{ empty_varchar_list() }})
    end as predecessor_codes

from valued
