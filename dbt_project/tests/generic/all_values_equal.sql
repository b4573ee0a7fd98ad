{# Every row has column_name = value; the failing rows are listed. #}
{% test all_values_equal(model, column_name, value) %}

    select *
    from {{ model }}
    where {{ column_name }} is distinct from {{ value }}

{% endtest %}
