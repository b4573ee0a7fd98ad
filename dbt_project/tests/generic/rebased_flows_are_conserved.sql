{#
    Indicators contract (indicator_values_rebased): for any flow and period, over the
    set of today's top-level units whose history is all `whole` (no row `incomplete`),
    the rebased sum equals the sum of the indicator_values area rows of the units that
    covered that territory then - the period's top-level units whose territory went,
    following `whole` successions, into a unit now under one of them. Nothing lost or
    counted twice. Walked here from the registry (`unit_periods`: int_unit_periods) and
    the succession graph (`successions`: int_unit_successions), independently of the
    model's own territory logic.
#}
{% test rebased_flows_are_conserved(model, indicator_values, unit_periods, successions, catalog) %}

    with recursive

    last_day as (
        select max(period_end) as last_day
        from {{ unit_periods }}
    ),

    units_today as (
        select unit_periods.unit_code, unit_periods.unit_valid_from,
            unit_periods.parent_code, unit_periods.parent_valid_from
        from {{ unit_periods }} as unit_periods
        inner join last_day on unit_periods.period_end = last_day.last_day
        where unit_periods.period_type = 'month' and unit_periods.exists_on_period_end
    ),

    -- each unit existing today with its top ancestor today
    root_walk as (
        select unit_code, unit_valid_from, unit_code as root_code,
            unit_valid_from as root_valid_from, parent_code, parent_valid_from, 0 as depth
        from units_today

        union all

        select root_walk.unit_code, root_walk.unit_valid_from, parents.unit_code as root_code,
            parents.unit_valid_from as root_valid_from, parents.parent_code,
            parents.parent_valid_from, root_walk.depth + 1 as depth
        from root_walk
        inner join units_today as parents
            on root_walk.parent_code = parents.unit_code
            and root_walk.parent_valid_from is not distinct from parents.unit_valid_from
        where root_walk.depth < 10
    ),

    today_roots as (
        select unit_code, unit_valid_from, root_code, root_valid_from
        from (
            select *, row_number() over (
                partition by unit_code, unit_valid_from order by depth desc
            ) as depth_rank
            from root_walk
        ) as ranked
        where depth_rank = 1
    ),

    -- where each unit's territory went, following whole successions
    forward_walk as (
        select distinct unit_code, unit_valid_from, unit_code as to_code,
            unit_valid_from as to_valid_from, 0 as steps
        from {{ unit_periods }}

        union all

        select forward_walk.unit_code, forward_walk.unit_valid_from,
            successions.successor_code as to_code,
            successions.successor_valid_from as to_valid_from, forward_walk.steps + 1 as steps
        from forward_walk
        inner join {{ successions }} as successions
            on forward_walk.to_code = successions.predecessor_code
            and forward_walk.to_valid_from is not distinct from successions.predecessor_valid_from
        where successions.transfer = 'whole' and forward_walk.steps < 20
    ),

    destinations as (
        select distinct forward_walk.unit_code, forward_walk.unit_valid_from,
            today_roots.root_code, today_roots.root_valid_from
        from forward_walk
        inner join today_roots
            on forward_walk.to_code = today_roots.unit_code
            and forward_walk.to_valid_from is not distinct from today_roots.unit_valid_from
    ),

    -- today's top-level units whose history is all whole
    whole_roots as (
        select distinct root_code, root_valid_from
        from today_roots
        where
            root_code = unit_code
            and root_valid_from is not distinct from unit_valid_from
            and not exists (
                select 1
                from {{ model }} as model_rows
                where model_rows.basis = 'incomplete'
                    and model_rows.unit_code = today_roots.root_code
                    and model_rows.unit_valid_from is not distinct from today_roots.root_valid_from
            )
    ),

    -- the top-level units of each period (no parent existing in the period)
    period_roots as (
        select children.unit_code, children.unit_valid_from, children.period_type,
            children.period_start
        from {{ unit_periods }} as children
        left join {{ unit_periods }} as parents
            on children.parent_code = parents.unit_code
            and children.parent_valid_from is not distinct from parents.unit_valid_from
            and children.period_type = parents.period_type
            and children.period_start = parents.period_start
        where parents.unit_code is null
    ),

    flows as (
        select indicator_code
        from {{ catalog }}
        where measure = 'flow'
    ),

    then_sums as (
        select area_rows.period_type, area_rows.period_start, area_rows.indicator_code,
            sum(area_rows.numerator) as numerator, sum(area_rows.denominator) as denominator
        from period_roots
        inner join destinations
            on period_roots.unit_code = destinations.unit_code
            and period_roots.unit_valid_from is not distinct from destinations.unit_valid_from
        inner join whole_roots
            on destinations.root_code = whole_roots.root_code
            and destinations.root_valid_from is not distinct from whole_roots.root_valid_from
        inner join {{ indicator_values }} as area_rows
            on area_rows.scope = 'area'
            and area_rows.unit_code = period_roots.unit_code
            and area_rows.unit_valid_from is not distinct from period_roots.unit_valid_from
            and area_rows.period_type = period_roots.period_type
            and area_rows.period_start = period_roots.period_start
        inner join flows on area_rows.indicator_code = flows.indicator_code
        group by area_rows.period_type, area_rows.period_start, area_rows.indicator_code
    ),

    rebased_sums as (
        select model_rows.period_type, model_rows.period_start, model_rows.indicator_code,
            sum(model_rows.numerator) as numerator, sum(model_rows.denominator) as denominator
        from {{ model }} as model_rows
        inner join whole_roots
            on model_rows.unit_code = whole_roots.root_code
            and model_rows.unit_valid_from is not distinct from whole_roots.root_valid_from
        inner join flows on model_rows.indicator_code = flows.indicator_code
        group by model_rows.period_type, model_rows.period_start, model_rows.indicator_code
    )

    select
        coalesce(rebased_sums.period_type, then_sums.period_type) as period_type,
        coalesce(rebased_sums.period_start, then_sums.period_start) as period_start,
        coalesce(rebased_sums.indicator_code, then_sums.indicator_code) as indicator_code,
        rebased_sums.numerator as rebased_numerator,
        then_sums.numerator as then_numerator,
        rebased_sums.denominator as rebased_denominator,
        then_sums.denominator as then_denominator
    from rebased_sums
    full outer join then_sums
        on rebased_sums.period_type = then_sums.period_type
        and rebased_sums.period_start = then_sums.period_start
        and rebased_sums.indicator_code = then_sums.indicator_code
    where
        coalesce(rebased_sums.numerator, 0) <> coalesce(then_sums.numerator, 0)
        or coalesce(rebased_sums.denominator, 0) <> coalesce(then_sums.denominator, 0)

{% endtest %}
