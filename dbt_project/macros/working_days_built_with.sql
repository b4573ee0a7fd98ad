{#
    Where fct_dossier keeps the working days it was last built with, so that a nightly run
    can tell whether the calendar changed since (then every expected due date is redone).
    In the target's default schema: bookkeeping, not published with the marts.
#}

{% macro working_days_built_with() -%}
    {{ return(api.Relation.create(
        database=this.database, schema=target.schema, identifier='fct_dossier_working_days'
    )) }}
{%- endmacro %}
