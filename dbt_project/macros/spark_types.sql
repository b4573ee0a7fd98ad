{#
    Types named in the project's YAML on Spark: seeds' column_types and the contracted
    models' data_type say `varchar` (DuckDB's name), which Spark accepts only with a length.
    Spark's `string` is the same type here (and `array<string>` for `varchar[]`); these
    overrides of dbt's and dbt-spark's macros translate the names and hand over.
#}
{% macro spark_type(data_type) -%}
    {%- set normalised = data_type | lower | replace(' ', '') -%}
    {%- if normalised == 'varchar' -%}
        {{ return('string') }}
    {%- elif normalised == 'varchar[]' -%}
        {{ return('array<string>') }}
    {%- endif -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark_seed_column_types(model) -%}
    {%- set types = model['config'].get('column_types', {}) -%}
    {%- for name, data_type in types.items() -%}
        {%- do types.update({name: par_warehouse.spark_type(data_type)}) -%}
    {%- endfor -%}
{%- endmacro %}

{# dbt's cast(), which the contract check uses to type each column declared in YAML #}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ par_warehouse.spark_type(type) }})
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {%- do par_warehouse.spark_seed_column_types(model) -%}
    {{ return(dbt.spark__create_csv_table(model, agate_table)) }}
{%- endmacro %}

{#
    dbt-spark's own loader, with the `session` method, pastes each value into the SQL as
    '<value>' unescaped: a quote in a catalogue name breaks the statement and an empty cell
    becomes the text 'None'. This one writes literals: null, numbers and booleans bare,
    everything else quoted with backslash escapes (Spark's string literal syntax).
#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- do par_warehouse.spark_seed_column_types(model) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                (
                {%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ par_warehouse.spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                ){%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}
