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

{# sequence of dates by a day; null bounds give a null sequence, which explodes to no rows #}
{% macro spark__date_series(bounds_relation, start_column, end_column) -%}
    select explode(
        sequence(
            cast(bounds.{{ start_column }} as date),
            cast(bounds.{{ end_column }} as date),
            interval 1 day
        )
    ) as date_day
    from {{ bounds_relation }} as bounds
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

{% macro spark__iso_weekday(date_expr) -%}
    cast(extract(dayofweek_iso from {{ date_expr }}) as integer)
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

{% macro spark__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as int), cast({{ month }} as int), cast({{ day }} as int))
{%- endmacro %}

{% macro default__date_from_parts(year, month, day) -%}
    cast(
        cast({{ year }} as varchar(4)) || '-'
        || lpad(cast({{ month }} as varchar(2)), 2, '0') || '-'
        || lpad(cast({{ day }} as varchar(2)), 2, '0')
        as date
    )
{%- endmacro %}


{# The last day of the month, quarter or year holding a date, as a date; null for null. #}
{% macro last_day_of(date_expr, datepart) -%}
    {{ return(adapter.dispatch('last_day_of', 'par_warehouse')(date_expr, datepart)) }}
{%- endmacro %}

{% macro default__last_day_of(date_expr, datepart) -%}
    {{ dbt.last_day(date_expr, datepart) }}
{%- endmacro %}

{# dbt-spark's last_day goes through unix timestamps and gives null for a timezone-free date #}
{% macro spark__last_day_of(date_expr, datepart) -%}
    {%- set months = {'month': 1, 'quarter': 3, 'year': 12}[datepart] -%}
    date_sub(add_months(cast(date_trunc('{{ datepart }}', {{ date_expr }}) as date), {{ months }}), 1)
{%- endmacro %}


{# The day before a date, as a date; null for null. #}
{% macro day_before(date_expr) -%}
    {{ return(adapter.dispatch('day_before', 'par_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__day_before(date_expr) -%}
    cast({{ dbt.dateadd('day', -1, date_expr) }} as date)
{%- endmacro %}

{# dbt-spark's dateadd fails on a null date (assert_not_null); a missing next snapshot is one #}
{% macro spark__day_before(date_expr) -%}
    date_sub({{ date_expr }}, 1)
{%- endmacro %}


{# Whole days from start_date to end_date, as bigint (DuckDB's date difference type). #}
{% macro days_between(start_date, end_date) -%}
    cast({{ dbt.datediff(start_date, end_date, 'day') }} as bigint)
{%- endmacro %}
