{# Text helpers for free text the desks type; engine-specific functions are dispatched. #}

{# The expression in Unicode NFC (cp1258 exports decode to decomposed tone marks). #}
{% macro nfc(expr) -%}
    {{ return(adapter.dispatch('nfc', 'par_warehouse')(expr)) }}
{%- endmacro %}

{% macro duckdb__nfc(expr) -%}
    nfc_normalize({{ expr }})
{%- endmacro %}

{#
    Spark has no normalisation function; ICU4J ships with it (its collations), and its static
    Normalizer.compose(text, false) is NFC, reached through reflect. reflect turns a null
    result into the text 'null', hence the guard.
#}
{% macro spark__nfc(expr) -%}
    case
        when {{ expr }} is not null
            then reflect('com.ibm.icu.text.Normalizer', 'compose', {{ expr }}, false)
    end
{%- endmacro %}

{% macro default__nfc(expr) -%}
    {{ exceptions.raise_compiler_error(
        "nfc is not implemented for adapter " ~ adapter.type()
        ~ "; add a <adapter>__nfc macro in macros/text.sql"
    ) }}
{%- endmacro %}


{#
    Free text as a value: NFC, surrounding spaces trimmed, and blank (empty or only spaces)
    as null - the ward-exports contract's "blank means no value".
#}
{% macro clean_text(expr) -%}
    nullif(trim({{ par_warehouse.nfc(expr) }}), '')
{%- endmacro %}


{#
    The column `column_name` of `relation` if the relation has it, else a typed null: for
    an optional column that raw tables made before it existed lack (e.g. raw.dossiers
    before late_reason). The relation's columns are read from the database when the model
    runs; at parse time (no database) the null is rendered.
#}
{% macro optional_column(relation, column_name, data_type='varchar') -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.name | lower == column_name | lower -%}
                {%- do present.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if present -%}
        {{ column_name }}
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
