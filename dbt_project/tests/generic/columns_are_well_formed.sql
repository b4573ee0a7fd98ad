{#
    Every listed column has a value (not_null), every coded column holds one of its
    accepted values (accepted_values), and no two rows share a key (unique). A model's
    per-column checks folded into one test (one per model and severity), so dbt runs one
    node where it ran one per column and one per key.

    not_null: the columns that must never be null; an entry {column: c, where: condition}
    checks c only on the rows where the condition holds.
    accepted_values: {column: [values]}; a null is left to not_null, as dbt's own
    accepted_values does; an entry {values: [...], where: condition} checks only the rows
    where the condition holds. The values are compared as string literals (the database
    casts them to the column's type), or as written with quote: false.
    unique: keys no two rows may share. A column name is dbt's unique (a null is left to
    not_null); a list of columns is a combination, whose values no two rows share all of,
    a null counting as a value (as in a GROUP BY); an entry {column: c or [columns],
    where: condition} looks only at the rows where the condition holds.
    relationships: {column: {to: ref(...), field: f}}: every non-null value of the column
    is found as f in the model `to` (dbt's relationships); a `where` in the entry looks
    only at the tested rows where the condition holds.

    stamp: the model's build stamp column (macros/build_sequence.sql), on a model whose
    rows each depend on their stamped row alone (the stamped table, or a row-by-row view of
    it). When the pipeline gives the last good build's number (checked_build_number), the
    not_null, accepted_values and unique rules look only at the rows recomputed since
    (stamped later, or not stamped) - a key's other rows still counted for its uniqueness,
    though only the recomputed ones are listed - while relationships look at every row (the model referred to may have changed). Every
    other row was in the table as it is when a good build checked it. A row changed by
    hand in the build file without a new stamp is not checked again (the next build with
    no record of a good build checks every row: `par run --full`). Only for a test of
    severity error with dbt's thresholds: it passed in the good build, where a warning
    test may have warned on rows it must warn on again.

    Its failing rows are the tested model's own rows that break a rule, whole, with
    failed_check first saying which rules each breaks ("unit_code is null; status is not
    one of 1, 2, 3"; "(unit_code, dossier_code) is not unique": every row of a key that
    more than one row has; "procedure_version_key is not found in
    dim_procedure.procedure_version_key"). Portable SQL: CASE, OR, IN, GROUP BY, left joins (IS NOT
    DISTINCT FROM), EXISTS and string concatenation only.
#}
{% test columns_are_well_formed(
    model, not_null=[], accepted_values={}, unique=[], relationships={}, quote=true,
    stamp=none
) %}

    {#- the rows a rule on a row's own values looks at: all, or those recomputed since -#}
    {%- set since = checked_build_number() if stamp else '' -%}
    {%- set recent = (
        '(' ~ adapter.quote(stamp) ~ ' is null or ' ~ adapter.quote(stamp) ~ ' > '
        ~ (since | int) ~ ')'
    ) if since else none -%}
    {%- set rules = [] -%}
    {%- for entry in not_null -%}
        {%- set column = entry['column'] if entry is mapping else entry -%}
        {%- do rules.append({
            'condition': adapter.quote(column) ~ ' is null',
            'where': entry.get('where') if entry is mapping else none,
            'text': column ~ ' is null',
            'recent': recent,
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
            'recent': recent,
        }) -%}
    {%- endfor -%}
    {#-
        Each key's values that more than one row has, in a CTE duplicated_keys_<n> whose
        columns are named so that no rule's column or condition can mean one of them; the
        rule is a left join to it, so a row of a duplicated key is found by an equi-join,
        null-safe for a combination.
    -#}
    {%- set keys = [] -%}
    {%- for entry in unique -%}
        {%- set columns = entry['column'] if entry is mapping else entry -%}
        {%- set combination = columns is not string -%}
        {%- set name = 'duplicated_keys_' ~ loop.index -%}
        {%- do keys.append({
            'name': name,
            'columns': columns if combination else [columns],
            'combination': combination,
            'where': entry.get('where') if entry is mapping else none,
            'recent': recent,
        }) -%}
        {%- do rules.append({
            'condition': name ~ '.is_duplicated_key',
            'where': entry.get('where') if entry is mapping else none,
            'text': ('(' ~ columns | join(', ') ~ ')' if combination else columns)
                ~ ' is not unique',
            'recent': recent,
        }) -%}
    {%- endfor -%}
    {#-
        Each relationship's parent values in a CTE referenced_keys_<n> (distinct, so the
        left join keeps one row per tested row); a tested value with no match is a finding.
    -#}
    {%- set parents = [] -%}
    {%- for column, entry in relationships.items() -%}
        {%- set name = 'referenced_keys_' ~ loop.index -%}
        {%- do parents.append({
            'name': name, 'column': column, 'to': entry['to'], 'field': entry['field'],
        }) -%}
        {%- do rules.append({
            'condition': adapter.quote(column) ~ ' is not null and '
                ~ name ~ '.is_referenced_key is null',
            'where': entry.get('where'),
            'text': column ~ ' is not found in '
                ~ (entry['to'].identifier or entry['to']) ~ '.' ~ entry['field'],
        }) -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error(
            'columns_are_well_formed on ' ~ model
            ~ ': no not_null, accepted_values, unique or relationships given'
        ) }}
    {%- endif %}

    {%- if keys or parents %}
    with
    {%- endif %}
    {%- for key in keys %}

    {{ key.name }} as (

        select
            {%- for column in key.columns %}
            {{ adapter.quote(column) }} as duplicated_key_column_{{ loop.index }},
            {%- endfor %}
            true as is_duplicated_key
        from (select * from {{ model }}) as keyed_rows
        where
            {%- if key.combination %} true
            {%- else %} {{ adapter.quote(key.columns[0]) }} is not null
            {%- endif %}
            {%- if key.where %} and ({{ key.where }}){% endif %}
            {%- if key.recent %}
            -- the keys of the rows recomputed since the last good build: a key only older
            -- rows have was unique then, and they are as they were
            and exists (
                select 1
                from (select * from {{ model }}) as recomputed_rows
                where {{ key.recent }}
                    {%- if key.where %} and ({{ key.where }}){% endif %}
                    {%- for column in key.columns %}
                    and recomputed_rows.{{ adapter.quote(column) }} {{ 'is not distinct from' if key.combination else '=' }} keyed_rows.{{ adapter.quote(column) }}
                    {%- endfor %}
            )
            {%- endif %}
        group by
            {%- for column in key.columns %}
            {{ adapter.quote(column) }}{{ "," if not loop.last }}
            {%- endfor %}
        having count(*) > 1

    ){{ "," if not loop.last or parents }}
    {%- endfor %}
    {%- for parent in parents %}

    {{ parent.name }} as (

        select distinct
            {{ adapter.quote(parent.field) }} as referenced_key_value,
            true as is_referenced_key
        from {{ parent.to }}
        where {{ adapter.quote(parent.field) }} is not null

    ){{ "," if not loop.last }}
    {%- endfor %}

    select
        substring(
        {%- for rule in rules %}
            {% if not loop.first %}|| {% endif -%}
            case
                when {{ rule.condition }}
                {%- if rule.where %} and ({{ rule.where }}){% endif %}
                {%- if rule.recent %} and {{ rule.recent }}{% endif %}
                then '; {{ rule.text | replace("'", "''") }}'
                else ''
            end
        {%- endfor %},
            3
        ) as failed_check,
        tested_rows.*
    -- in parentheses: with a `where` config, dbt passes the model as a subquery with its own
    -- alias
    from (select * from {{ model }}) as tested_rows
    {%- for key in keys %}
    left join {{ key.name }}
        on
        {%- for column in key.columns %}
            {% if not loop.first %}and {% endif -%}
            tested_rows.{{ adapter.quote(column) }} {{ 'is not distinct from' if key.combination else '=' }} {{ key.name }}.duplicated_key_column_{{ loop.index }}
        {%- endfor %}
    {%- endfor %}
    {%- for parent in parents %}
    left join {{ parent.name }}
        on tested_rows.{{ adapter.quote(parent.column) }} = {{ parent.name }}.referenced_key_value
    {%- endfor %}
    where
    {%- for rule in rules %}
        {% if not loop.first %}or {% endif -%}
        ({{ rule.condition }}{% if rule.where %} and ({{ rule.where }}){% endif %}
        {%- if rule.recent %} and {{ rule.recent }}{% endif %})
    {%- endfor %}

{% endtest %}
