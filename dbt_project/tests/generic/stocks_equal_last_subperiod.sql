{#
    Indicators contract: for stock indicators (the catalogue as it stood on a day) a year
    equals its last quarter and its last month, and a quarter its last month: the
    sub-period ending on the same day. A unit that no longer exists on that day has no
    such sub-period row and must show zero for the longer period too.
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
            parents.numerator as parent_numerator,
            parents.denominator as parent_denominator,
            last_child.numerator as child_numerator,
            last_child.denominator as child_denominator
        from parents
        inner join child_types
            on parents.period_type = child_types.parent_period_type
        left join stocks as last_child
            on parents.unit_code = last_child.unit_code
            and parents.unit_valid_from is not distinct from last_child.unit_valid_from
            and parents.scope = last_child.scope
            and parents.indicator_code = last_child.indicator_code
            and last_child.period_type = child_types.child_period_type
            and last_child.period_end = parents.period_end
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
