{# Date helpers; DuckDB-specific syntax stays here. #}

{#
    One row per day, in a column named date_day, from start_column to end_column
    (inclusive) of every row of bounds_relation (a CTE name or relation). No rows when
    the bounds are null.
#}
{% macro date_series(bounds_relation, start_column, end_column) -%}
    {{ return(adapter.dispatch('date_series', 'par_warehouse')(bounds_relation, start_column, end_column)) }}
{%- endmacro %}

{% macro duckdb__date_series(bounds_relation, start_column, end_column) -%}
    select cast(generated.day_ts as date) as date_day
    from {{ bounds_relation }} as bounds,
        generate_series(
            cast(bounds.{{ start_column }} as timestamp),
            cast(bounds.{{ end_column }} as timestamp),
            interval 1 day
        ) as generated (day_ts)
{%- endmacro %}

{% macro default__date_series(bounds_relation, start_column, end_column) -%}
    {{ exceptions.raise_compiler_error(
        "date_series is not implemented for adapter " ~ adapter.type()
        ~ "; add a <adapter>__date_series macro in macros/dates.sql"
    ) }}
{%- endmacro %}


{# ISO day of the week: 1 Monday .. 7 Sunday. #}
{% macro iso_weekday(date_expr) -%}
    {{ return(adapter.dispatch('iso_weekday', 'par_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expr) -%}
    cast(extract(isodow from {{ date_expr }}) as integer)
{%- endmacro %}


{# The date with the given year, month and day (integer expressions). #}
{% macro date_from_parts(year, month, day) -%}
    {{ return(adapter.dispatch('date_from_parts', 'par_warehouse')(year, month, day)) }}
{%- endmacro %}

{% macro duckdb__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as bigint), cast({{ month }} as bigint), cast({{ day }} as bigint))
{%- endmacro %}

{% macro default__date_from_parts(year, month, day) -%}
    cast(
        cast({{ year }} as varchar(4)) || '-'
        || lpad(cast({{ month }} as varchar(2)), 2, '0') || '-'
        || lpad(cast({{ day }} as varchar(2)), 2, '0')
        as date
    )
{%- endmacro %}


{# The day before a date, as a date. #}
{% macro day_before(date_expr) -%}
    cast({{ dbt.dateadd('day', -1, date_expr) }} as date)
{%- endmacro %}
