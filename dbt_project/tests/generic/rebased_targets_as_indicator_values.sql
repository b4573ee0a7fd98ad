{#
    Indicators contract (indicator_values_rebased): targets and meets_target as in
    indicator_values - the target is the one indicator_values shows for the code, scope
    `area` and period (the same for every unit), and meets_target compares value and
    target in the catalogue's direction (null without either).
#}
{% test rebased_targets_as_indicator_values(model, indicator_values, catalog) %}

    with area_targets as (
        select distinct indicator_code, period_type, period_start, target
        from {{ indicator_values }}
        where scope = 'area'
    ),

    expected as (
        select
            model_rows.unit_code,
            model_rows.unit_valid_from,
            model_rows.period_type,
            model_rows.period_start,
            model_rows.indicator_code,
            model_rows.value,
            model_rows.target,
            model_rows.meets_target,
            area_targets.target as expected_target,
            case
                when area_targets.target is null or model_rows.value is null then null
                when catalog.direction = 'higher' then model_rows.value >= area_targets.target
                when catalog.direction = 'lower' then model_rows.value <= area_targets.target
            end as expected_meets_target
        from {{ model }} as model_rows
        inner join {{ catalog }} as catalog
            on model_rows.indicator_code = catalog.indicator_code
        left join area_targets
            on model_rows.indicator_code = area_targets.indicator_code
            and model_rows.period_type = area_targets.period_type
            and model_rows.period_start = area_targets.period_start
    )

    select *
    from expected
    where
        target is distinct from expected_target
        or meets_target is distinct from expected_meets_target

{% endtest %}
