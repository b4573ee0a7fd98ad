{#
    Indicators contract (indicator_values_rebased): a row with basis `own` - the unit
    existed, on the same territory, for the whole period - equals its indicator_values
    area row: numerator, denominator, value, target and meets_target. Lists every `own`
    row that differs or has no area row.
#}
{% test rebased_own_rows_equal_indicator_values(model, indicator_values) %}

    with own_rows as (
        select *
        from {{ model }}
        where basis = 'own'
    ),

    area_rows as (
        select *
        from {{ indicator_values }}
        where scope = 'area'
    )

    select
        own_rows.unit_code,
        own_rows.unit_valid_from,
        own_rows.period_type,
        own_rows.period_start,
        own_rows.indicator_code,
        own_rows.numerator as rebased_numerator,
        area_rows.numerator as area_numerator,
        own_rows.denominator as rebased_denominator,
        area_rows.denominator as area_denominator,
        own_rows.value as rebased_value,
        area_rows.value as area_value
    from own_rows
    left join area_rows
        on own_rows.unit_code = area_rows.unit_code
        and own_rows.unit_valid_from is not distinct from area_rows.unit_valid_from
        and own_rows.period_type = area_rows.period_type
        and own_rows.period_start = area_rows.period_start
        and own_rows.indicator_code = area_rows.indicator_code
    where
        area_rows.unit_code is null
        or own_rows.numerator is distinct from area_rows.numerator
        or own_rows.denominator is distinct from area_rows.denominator
        or own_rows.value is distinct from area_rows.value
        or own_rows.target is distinct from area_rows.target
        or own_rows.meets_target is distinct from area_rows.meets_target

{% endtest %}
