{#
    For every unit (unit_code, unit_valid_from), scope and period the numerators of the part codes add up to the
    numerator of the total code, e.g. DOSSIER_ONTIME + DOSSIER_LATE = DOSSIER_FINISHED.
#}
{% test codes_sum_to_code(model, parts, total) %}

    with per_period as (
        select
            unit_code,
            unit_valid_from,
            scope,
            period_type,
            period_start,
            sum(case when indicator_code in ('{{ parts | join("', '") }}') then numerator else 0 end)
                as parts_sum,
            sum(case when indicator_code = '{{ total }}' then numerator else 0 end) as total,
            sum(case when indicator_code = '{{ total }}' then 1 else 0 end) as total_rows,
            sum(case when indicator_code in ('{{ parts | join("', '") }}') then 1 else 0 end)
                as part_rows
        from {{ model }}
        group by unit_code, unit_valid_from, scope, period_type, period_start
    )

    select *
    from per_period
    where
        parts_sum <> total
        or total_rows <> 1
        or part_rows <> {{ parts | length }}

{% endtest %}
