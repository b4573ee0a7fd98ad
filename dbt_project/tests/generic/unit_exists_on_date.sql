{#
    Each row's unit code existed (in the units registry) on the row's date. Rows that
    fail cannot be attributed to a unit as of the period and are left out of
    indicator_values; this test lists them.
#}
{% test unit_exists_on_date(model, column_name, units, date_column) %}

    select model_rows.*
    from {{ model }} as model_rows
    where
        model_rows.{{ date_column }} is not null
        and not exists (
            select 1
            from {{ units }} as units
            where
                units.unit_code = model_rows.{{ column_name }}
                and (units.valid_from is null or units.valid_from <= model_rows.{{ date_column }})
                and (units.valid_to is null or units.valid_to >= model_rows.{{ date_column }})
        )

{% endtest %}
