{#
    The table is dense: every unit (unit_code, unit_valid_from) that exists in a period
    (from `unit_periods`) has one
    row per scope and catalogue code, and no row exists for any other unit and period.
#}
{% test has_every_indicator(model, unit_periods, catalog, scopes=['self', 'area']) %}

    with expected as (
        select
            unit_periods.unit_code,
            unit_periods.unit_valid_from,
            unit_periods.period_type,
            unit_periods.period_start,
            unit_periods.period_end,
            scopes.scope,
            catalog.indicator_code
        from {{ unit_periods }} as unit_periods
        cross join {{ catalog }} as catalog
        cross join (
            {% for scope in scopes -%}
            select '{{ scope }}' as scope{% if not loop.last %} union all {% endif %}
            {%- endfor %}
        ) as scopes
    )

    select
        coalesce(expected.unit_code, model_rows.unit_code) as unit_code,
        coalesce(expected.unit_valid_from, model_rows.unit_valid_from) as unit_valid_from,
        coalesce(expected.period_type, model_rows.period_type) as period_type,
        coalesce(expected.period_start, model_rows.period_start) as period_start,
        coalesce(expected.scope, model_rows.scope) as scope,
        coalesce(expected.indicator_code, model_rows.indicator_code) as indicator_code,
        case when model_rows.unit_code is null then 'missing' else 'unexpected' end as problem
    from expected
    full outer join {{ model }} as model_rows
        on expected.unit_code = model_rows.unit_code
        and expected.unit_valid_from is not distinct from model_rows.unit_valid_from
        and expected.period_type = model_rows.period_type
        and expected.period_start = model_rows.period_start
        and expected.period_end = model_rows.period_end
        and expected.scope = model_rows.scope
        and expected.indicator_code = model_rows.indicator_code
    where expected.unit_code is null or model_rows.unit_code is null

{% endtest %}
