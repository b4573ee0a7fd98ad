{#
    Models and seeds land in schemas named exactly as configured (staging, intermediate,
    marts, seeds) rather than dbt's default <target_schema>_<custom_schema>, so the
    published file has the same schema names whatever the target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
