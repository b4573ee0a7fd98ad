{#
    The number of the build that recomputes a row (pipelines/lib/build_sequence.py): the
    pipeline's dbt step gives each build the next number as PAR_BUILD_SEQUENCE. A row stamped
    with it was recomputed by that build; publishing writes only the rows stamped after the
    build the published file was made from. Without the variable (a plain `dbt build`) the
    stamp is null, which publishing takes as recomputed by a build it does not know.

    Read only when dbt executes, like the window (partition_window.sql): the number changes
    every build, and a value read while parsing would make dbt re-parse the file each time.
#}

{% macro build_sequence() -%}
    {%- set sequence = build_number() -%}
    {%- if sequence -%}
        cast({{ sequence | int }} as bigint)
    {%- else -%}
        cast(null as bigint)
    {%- endif -%}
{%- endmacro %}

{# The build's number as given ('' without one, and while parsing). #}

{% macro build_number() -%}
    {{- return((env_var('PAR_BUILD_SEQUENCE', '') if execute else '') | trim) -}}
{%- endmacro %}

{#
    The condition an incremental model adds to the rows it recomputes: its rows without a
    stamp. A numbered build (the pipeline's) recomputes them, so that every row publishing
    reads has one: rows a plain `dbt build` wrote, or all of a table built before the
    column existed (on_schema_change appends it, with nulls, after the model's query has
    run). A build without a number (a plain `dbt build`, a dbt unit test) recomputes none
    of them: it stays as incremental as it was.
#}

{% macro rows_without_build_stamp(column='recomputed_in_build') -%}
    {%- if not build_number() -%}
        false
    {%- elif column in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) -%}
        {{ column }} is null
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#
    The number of the last good build (PAR_CHECKED_BUILD; '' without one, and while
    parsing): the pipeline gives it when the build file's record of that build is of the
    same code (pipelines/lib/dbt_reach.py). A test given a model's stamp column
    (columns_are_well_formed's `stamp`) then checks the rows recomputed since - stamped
    later, or not stamped - as every row it stamped or left was checked by that build or an
    earlier one, and a failed or partial build leaves no record (the next checks every row).
    Read only when dbt executes, like the build's own number. Not through a macro shared
    with build_number: pipelines/lib/dbt_reach.py finds the variable's name written here,
    and counts any other env_var as volatile.
#}

{% macro checked_build_number() -%}
    {{- return((env_var('PAR_CHECKED_BUILD', '') if execute else '') | trim) -}}
{%- endmacro %}
