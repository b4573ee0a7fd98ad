{#
    A breakdown's columns add up to indicators: for every unit and period, the sum over
    the model's rows of each listed column equals the numerator or denominator of an
    indicator in indicator_values, in one scope (default self) - e.g. dossiers received
    summed over procedures = DOSSIER_RECEIVED. `sums` is a list of
    {column, indicator_code, part}, part `numerator` or `denominator`.

    A unit is named by `unit_columns` (default unit_code and unit_valid_from, as in
    indicator_values: a code can be reused by a later unit), which both sides must have;
    they are compared null-safe. Both sides are summed per unit, period_type and
    period_start. A unit and period whose figures are not all zero but that has no
    breakdown rows fails, as do breakdown rows for a unit and period indicator_values has
    no row for, and a listed indicator missing from indicator_values. One failing row per
    unit and period, with both sides of every listed sum.
#}
{% test columns_sum_to_indicators(
    model, indicator_values, sums, scope='self', unit_columns=['unit_code', 'unit_valid_from']
) %}

    {% for item in sums %}
        {% if item['part'] not in ('numerator', 'denominator') %}
            {{ exceptions.raise_compiler_error(
                "columns_sum_to_indicators: part must be numerator or denominator, not "
                ~ item['part']) }}
        {% endif %}
    {% endfor %}

    {% set keys = unit_columns + ['period_type', 'period_start'] %}

    with breakdown as (
        select
            {% for key in keys %}
                {{ key }},
            {% endfor %}
            {% for item in sums %}
                sum({{ item['column'] }}) as breakdown_{{ loop.index }},
            {% endfor %}
            count(*) as breakdown_rows
        from {{ model }}
        where scope = '{{ scope }}'
        group by {{ keys | join(', ') }}
    ),

    indicator as (
        select
            {% for key in keys %}
                {{ key }},
            {% endfor %}
            {% for item in sums %}
                sum(
                    case when indicator_code = '{{ item["indicator_code"] }}'
                    then {{ item['part'] }} end
                ) as indicator_{{ loop.index }},
            {% endfor %}
            count(*) as indicator_rows
        from {{ indicator_values }}
        where scope = '{{ scope }}'
        group by {{ keys | join(', ') }}
    )

    select
        {% for key in keys %}
            coalesce(indicator.{{ key }}, breakdown.{{ key }}) as {{ key }},
        {% endfor %}
        {% for item in sums %}
            indicator.indicator_{{ loop.index }}
                as {{ item['indicator_code'] | lower }}_{{ item['part'] }},
            breakdown.breakdown_{{ loop.index }} as {{ item['column'] }},
        {% endfor %}
        breakdown.breakdown_rows
    from indicator
    full outer join breakdown
        on
        {% for key in keys %}
            indicator.{{ key }} is not distinct from breakdown.{{ key }}
            {{ "and" if not loop.last }}
        {% endfor %}
    where
        indicator.indicator_rows is null
        {% for item in sums %}
            or indicator.indicator_{{ loop.index }}
                is distinct from coalesce(breakdown.breakdown_{{ loop.index }}, 0)
        {% endfor %}

{% endtest %}
