{#
    Indicators contract: for flow indicators a year equals the sum of its quarters and
    the sum of its months (and a quarter the sum of its months), for the numerator and
    the denominator, for every unit and scope.
#}
{% test flows_add_up_over_periods(model, catalog) %}

    with flows as (
        select model_rows.*
        from {{ model }} as model_rows
        inner join {{ catalog }} as catalog
            on model_rows.indicator_code = catalog.indicator_code
        where catalog.measure = 'flow'
    ),

    comparisons as (
        select
            parent.unit_code,
            parent.unit_valid_from,
            parent.scope,
            parent.indicator_code,
            parent.period_type as parent_period_type,
            parent.period_start,
            child.period_type as child_period_type,
            max(parent.numerator) as parent_numerator,
            sum(child.numerator) as children_numerator,
            max(parent.denominator) as parent_denominator,
            sum(child.denominator) as children_denominator
        from flows as parent
        inner join flows as child
            on parent.unit_code = child.unit_code
            and parent.unit_valid_from is not distinct from child.unit_valid_from
            and parent.scope = child.scope
            and parent.indicator_code = child.indicator_code
            and child.period_start >= parent.period_start
            and child.period_end <= parent.period_end
            and (
                (parent.period_type = 'year' and child.period_type in ('quarter', 'month'))
                or (parent.period_type = 'quarter' and child.period_type = 'month')
            )
        group by
            parent.unit_code,
            parent.unit_valid_from,
            parent.scope,
            parent.indicator_code,
            parent.period_type,
            parent.period_start,
            child.period_type
    )

    select *
    from comparisons
    where
        parent_numerator <> children_numerator
        or parent_denominator is distinct from children_denominator

{% endtest %}
