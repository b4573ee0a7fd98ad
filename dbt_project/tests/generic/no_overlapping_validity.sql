{#
    Rows of the same key must not have overlapping [valid_from, valid_to] intervals
    (valid_to null: open-ended), so "the version in force on a day" is always unique.
#}
{% test no_overlapping_validity(model, key_columns, from_column='valid_from', to_column='valid_to') %}

    {%- set key_match -%}
        {%- for column in key_columns %}
        earlier.{{ column }} = later.{{ column }}{% if not loop.last %} and{% endif %}
        {%- endfor %}
    {%- endset %}

    with rows_numbered as (
        select
            *,
            row_number() over (order by {{ key_columns | join(', ') }}, {{ from_column }}) as row_id
        from {{ model }}
    )

    select
        {% for column in key_columns %}earlier.{{ column }}, {% endfor %}
        earlier.{{ from_column }} as earlier_from,
        earlier.{{ to_column }} as earlier_to,
        later.{{ from_column }} as later_from
    from rows_numbered as earlier
    inner join rows_numbered as later
        on {{ key_match }}
        and earlier.row_id <> later.row_id
        and earlier.{{ from_column }} <= later.{{ from_column }}
        and (earlier.{{ to_column }} is null or earlier.{{ to_column }} >= later.{{ from_column }})

{% endtest %}
