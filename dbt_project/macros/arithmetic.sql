{#
    Exact arithmetic for published rates. Engine-specific bits (integer division, the
    widest integer type) are dispatched so the project can move to another engine.
#}

{# An integer type wide enough for numerator * 20000 without overflow. #}
{% macro wide_int_type() -%}
    {{ return(adapter.dispatch('wide_int_type', 'par_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__wide_int_type() -%}
    hugeint
{%- endmacro %}

{# Spark's integer division (`div`) takes bigints: 20000 * a count stays far below 2^63,
   and ANSI mode (Spark 4's default) fails loudly rather than wrap. #}
{% macro spark__wide_int_type() -%}
    bigint
{%- endmacro %}

{% macro default__wide_int_type() -%}
    numeric(38, 0)
{%- endmacro %}


{# Floor division of two non-negative integers, exact. #}
{% macro int_div(dividend, divisor) -%}
    {{ return(adapter.dispatch('int_div', 'par_warehouse')(dividend, divisor)) }}
{%- endmacro %}

{% macro duckdb__int_div(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{# Not floor(a / b): Spark divides decimals at a reduced scale, which can round a quotient
   just below an integer up to it. #}
{% macro spark__int_div(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}

{% macro default__int_div(dividend, divisor) -%}
    floor(({{ dividend }}) / ({{ divisor }}))
{%- endmacro %}


{#
    100 * numerator / denominator as decimal(9,2), rounded half-up, computed in integer
    arithmetic so no binary floating point touches a published figure:
        round_half_up(10000 * n / d) = floor((20000 * n + d) / (2 * d))
    and the result is that many hundredths. Null when the denominator is 0 or null.
    Both arguments must be integral (counts).
#}
{% macro rate_percent(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(
            cast(
                {{ par_warehouse.int_div(
                    'cast(' ~ numerator ~ ' as ' ~ par_warehouse.wide_int_type() ~ ') * 20000'
                    ~ ' + cast(' ~ denominator ~ ' as ' ~ par_warehouse.wide_int_type() ~ ')',
                    '2 * cast(' ~ denominator ~ ' as ' ~ par_warehouse.wide_int_type() ~ ')'
                ) }} as decimal(38, 0)
            ) * 0.01 as decimal(9, 2)
        )
    end
{%- endmacro %}


{# expr cast to data_type, or null when it does not convert (instead of an error). #}
{% macro try_cast(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'par_warehouse')(expr, data_type)) }}
{%- endmacro %}

{% macro duckdb__try_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{% macro default__try_cast(expr, data_type) -%}
    {{ dbt.safe_cast(expr, data_type) }}
{%- endmacro %}


{#
    The type of text values in a cast: DuckDB's varchar; Spark knows varchar only with a
    length, and its text type is string.
#}
{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type', 'par_warehouse')()) }}
{%- endmacro %}

{% macro default__text_type() -%}
    varchar
{%- endmacro %}

{% macro spark__text_type() -%}
    string
{%- endmacro %}

