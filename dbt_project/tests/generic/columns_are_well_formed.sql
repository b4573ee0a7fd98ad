{#
    Every listed column has a value (not_null) and every coded column holds one of its
    accepted values (accepted_values). A model's per-column checks folded into one test
    (one per model and severity), so dbt runs one node where it ran one per column.

    not_null: the columns that must never be null; an entry {column: c, where: condition}
    checks c only on the rows where the condition holds.
    accepted_values: {column: [values]}; a null is left to not_null, as dbt's own
    accepted_values does; an entry {values: [...], where: condition} checks only the rows
    where the condition holds. The values are compared as string literals (the database
    casts them to the column's type), or as written with quote: false.

    Its failing rows are the tested model's own rows that break a rule, whole, with
    failed_check first saying which rules each breaks ("unit_code is null; status is not
    one of 1, 2, 3"). Portable SQL: CASE, OR, IN and string concatenation only.
#}
{% test columns_are_well_formed(model, not_null=[], accepted_values={}, quote=true) %}

    {%- set rules = [] -%}
    {%- for entry in not_null -%}
        {%- set column = entry['column'] if entry is mapping else entry -%}
        {%- do rules.append({
            'condition': adapter.quote(column) ~ ' is null',
            'where': entry.get('where') if entry is mapping else none,
            'text': column ~ ' is null',
        }) -%}
    {%- endfor -%}
    {%- for column, entry in accepted_values.items() -%}
        {%- set values = entry['values'] if entry is mapping else entry -%}
        {%- set literals = [] -%}
        {%- for value in values -%}
            {%- do literals.append(
                (value | string) if not quote
                else "'" ~ (value | string | replace("'", "''")) ~ "'"
            ) -%}
        {%- endfor -%}
        {%- do rules.append({
            'condition': adapter.quote(column) ~ ' is not null and ' ~ adapter.quote(column)
                ~ ' not in (' ~ literals | join(', ') ~ ')',
            'where': entry.get('where') if entry is mapping else none,
            'text': column ~ ' is not one of ' ~ values | join(', '),
        }) -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error(
            'columns_are_well_formed on ' ~ model ~ ': no not_null or accepted_values given'
        ) }}
    {%- endif %}

    select
        substring(
        {%- for rule in rules %}
            {% if not loop.first %}|| {% endif -%}
            case
                when {{ rule.condition }}
                {%- if rule.where %} and ({{ rule.where }}){% endif %}
                then '; {{ rule.text | replace("'", "''") }}'
                else ''
            end
        {%- endfor %},
            3
        ) as failed_check,
        *
    from {{ model }}
    where
    {%- for rule in rules %}
        {% if not loop.first %}or {% endif -%}
        ({{ rule.condition }}{% if rule.where %} and ({{ rule.where }}){% endif %})
    {%- endfor %}

{% endtest %}
