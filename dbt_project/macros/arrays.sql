{# Lists of varchar (indicator_values_rebased.predecessor_codes). #}

{# The distinct values of a varchar expression in a group, sorted, as varchar[]. #}
{% macro sorted_distinct_varchar_list(expr) -%}
    {{ return(adapter.dispatch('sorted_distinct_varchar_list')(expr)) }}
{%- endmacro %}

{% macro duckdb__sorted_distinct_varchar_list(expr) -%}
    cast(list(distinct {{ expr }} order by {{ expr }}) as varchar [])
{%- endmacro %}

{# collect_set drops nulls, as the callers' codes never are. #}
{% macro spark__sorted_distinct_varchar_list(expr) -%}
    array_sort(collect_set({{ expr }}))
{%- endmacro %}

{% macro default__sorted_distinct_varchar_list(expr) -%}
    array_agg(distinct {{ expr }} order by {{ expr }})
{%- endmacro %}


{# An empty varchar[]. #}
{% macro empty_varchar_list() -%}
    {{ return(adapter.dispatch('empty_varchar_list')()) }}
{%- endmacro %}

{% macro duckdb__empty_varchar_list() -%}
    cast([] as varchar [])
{%- endmacro %}

{% macro spark__empty_varchar_list() -%}
    cast(array() as array<string>)
{%- endmacro %}

{% macro default__empty_varchar_list() -%}
    cast(array[] as varchar [])
{%- endmacro %}
