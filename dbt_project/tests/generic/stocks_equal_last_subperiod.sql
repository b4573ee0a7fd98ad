{#
    Indicators contract: for stock indicators (the catalogue or staff list as it stood on
    a day) a year equals its last quarter and its last month, and a quarter its last
    month. A unit's period is cut to its days and its stock read on its last day in it,
    so the comparison is with the unit's last existing sub-period in the period (the
    calendar's last one, unless the unit ceased to exist earlier: a ward that ended on
    30 June compares its year with its Q2 and its June). A parent row without any
    sub-period row must show zero.
#}
{% test stocks_equal_last_subperiod(model, catalog) %}

    with stocks as (
        select model_rows.*
        from {{ model }} as model_rows
        inner join {{ catalog }} as catalog
            on model_rows.indicator_code = catalog.indicator_code
        where catalog.measure = 'stock'
    ),

    parents as (
        select *
        from stocks
        where period_type in ('year', 'quarter')
    ),

    child_types as (
        select 'quarter' as child_period_type, 'year' as parent_period_type
        union all
        select 'month' as child_period_type, 'year' as parent_period_type
        union all
        select 'month' as child_period_type, 'quarter' as parent_period_type
    ),

    last_children as (
        select
            parents.unit_code,
            parents.unit_valid_from,
            parents.scope,
            parents.indicator_code,
            parents.period_type,
            parents.period_start,
            child_types.child_period_type,
            max(children.period_start) as child_period_start
        from parents
        inner join child_types
            on parents.period_type = child_types.parent_period_type
        inner join stocks as children
            on parents.unit_code = children.unit_code
            and parents.unit_valid_from is not distinct from children.unit_valid_from
            and parents.scope = children.scope
            and parents.indicator_code = children.indicator_code
            and children.period_type = child_types.child_period_type
            and children.period_start >= parents.period_start
            and children.period_end <= parents.period_end
        group by
            parents.unit_code,
            parents.unit_valid_from,
            parents.scope,
            parents.indicator_code,
            parents.period_type,
            parents.period_start,
            child_types.child_period_type
    ),

    comparisons as (
        select
            parents.unit_code,
            parents.unit_valid_from,
            parents.scope,
            parents.indicator_code,
            parents.period_type,
            parents.period_start,
            parents.period_end,
            child_types.child_period_type,
            last_child.period_start as child_period_start,
            parents.numerator as parent_numerator,
            parents.denominator as parent_denominator,
            last_child.numerator as child_numerator,
            last_child.denominator as child_denominator
        from parents
        inner join child_types
            on parents.period_type = child_types.parent_period_type
        left join last_children
            on parents.unit_code = last_children.unit_code
            and parents.unit_valid_from is not distinct from last_children.unit_valid_from
            and parents.scope = last_children.scope
            and parents.indicator_code = last_children.indicator_code
            and parents.period_type = last_children.period_type
            and parents.period_start = last_children.period_start
            and child_types.child_period_type = last_children.child_period_type
        left join stocks as last_child
            on last_children.unit_code = last_child.unit_code
            and last_children.unit_valid_from is not distinct from last_child.unit_valid_from
            and last_children.scope = last_child.scope
            and last_children.indicator_code = last_child.indicator_code
            and last_child.period_type = last_children.child_period_type
            and last_child.period_start = last_children.child_period_start
    )

    select *
    from comparisons
    where
        (
            child_numerator is not null
            and (
                parent_numerator <> child_numerator
                or parent_denominator is distinct from child_denominator
            )
        )
        or (
            child_numerator is null
            and (parent_numerator <> 0 or coalesce(parent_denominator, 0) <> 0)
        )

{% endtest %}
