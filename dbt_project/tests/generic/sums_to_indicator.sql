{#
    A breakdown adds up to an indicator: for every unit, scope and period, the sum of the
    model's count_column equals the numerator of indicator_code in indicator_values, e.g.
    late dossiers by reason = DOSSIER_LATE. A unit, scope and period with a positive
    numerator and no breakdown rows fails, as do breakdown rows for a unit, scope and
    period indicator_values has no row for.
#}
{% test sums_to_indicator(model, indicator_values, indicator_code, count_column) %}

    with breakdown as (
        select
            unit_code,
            unit_valid_from,
            scope,
            period_type,
            period_start,
            sum({{ count_column }}) as breakdown_sum,
            count(*) as breakdown_rows
        from {{ model }}
        group by unit_code, unit_valid_from, scope, period_type, period_start
    ),

    indicator as (
        select
            unit_code,
            unit_valid_from,
            scope,
            period_type,
            period_start,
            numerator
        from {{ indicator_values }}
        where indicator_code = '{{ indicator_code }}'
    )

    select
        coalesce(indicator.unit_code, breakdown.unit_code) as unit_code,
        coalesce(indicator.unit_valid_from, breakdown.unit_valid_from) as unit_valid_from,
        coalesce(indicator.scope, breakdown.scope) as scope,
        coalesce(indicator.period_type, breakdown.period_type) as period_type,
        coalesce(indicator.period_start, breakdown.period_start) as period_start,
        indicator.numerator as indicator_numerator,
        breakdown.breakdown_sum,
        breakdown.breakdown_rows
    from indicator
    full outer join breakdown
        on indicator.unit_code = breakdown.unit_code
        and indicator.unit_valid_from is not distinct from breakdown.unit_valid_from
        and indicator.scope = breakdown.scope
        and indicator.period_type = breakdown.period_type
        and indicator.period_start = breakdown.period_start
    where
        indicator.unit_code is null
        or indicator.numerator is distinct from coalesce(breakdown.breakdown_sum, 0)

{% endtest %}
