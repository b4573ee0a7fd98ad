{#
    The export-date window of the run: Dagster passes the partition range as the
    environment variables PAR_WINDOW_START / PAR_WINDOW_END (ISO dates; environment rather
    than --vars, because a change of --vars makes dbt re-parse the whole project, and a
    nightly run's window changes every night). Either may be empty: the window is then open
    on that side, and with neither it covers everything, so a plain `dbt build` recomputes all.

    The variables are read only when dbt executes (`execute`); at parse time the window is
    open. dbt's partial parser records every env_var() read while parsing, with its value,
    and re-parses the files that read one whose value has changed: read at parse time, a
    new window every night re-parsed the seven files that use it (~0.6 s of CPU a run). No
    parse-time result depends on the window (the SQL is rendered again when executed).
#}

{% macro in_partition_window(column) -%}
    {%- set window_start = env_var('PAR_WINDOW_START', '') if execute else '' -%}
    {%- set window_end = env_var('PAR_WINDOW_END', '') if execute else '' -%}
    (true
    {%- if window_start %} and {{ column }} >= cast('{{ window_start }}' as date){% endif %}
    {%- if window_end %} and {{ column }} <= cast('{{ window_end }}' as date){% endif %})
{%- endmacro %}

{#
    Post-hook of the incremental models: delete current-state rows whose raw row is gone
    (its file was replaced by a corrected re-delivery) and which the run did not recompute,
    i.e. keys left with no raw row at all. Only the window's rows are checked. raw_relation
    is the staging view with one row per raw row (stg_ward_exports__dossier_changes,
    stg_ward_exports__document_versions).

    The raw rows are read in the window too: a current row is a copy of a raw row, export
    date included, and a file's export date is in its name (source_file), so a row of the
    window can only be found among the window's raw rows. A nightly run then reads one
    day's raw rows instead of the whole change log (~1 s a model at the province scale).
#}

{% macro delete_rows_gone_from_raw(raw_relation) -%}
    delete from {{ this }} as current_state
    where {{ in_partition_window('current_state.export_date') }}
        and not exists (
            select 1
            from {{ raw_relation }} as raw_rows
            where raw_rows.source_file = current_state.source_file
                and raw_rows.source_row = current_state.source_row
                and {{ in_partition_window('raw_rows.export_date') }}
        )
{%- endmacro %}

{#
    The keys an incremental model recomputes in a run: those with a raw row exported in the
    window, and those whose current row came from it (a corrected re-delivery of a day may
    have dropped that row). `keys` maps each key column of the model to its expression over
    raw_relation (a staging view with one row per raw row), in key order. A model that
    stamps its rows with the build (`stamped`: build_sequence.sql) also recomputes its rows
    without a stamp (rows_without_build_stamp).
#}

{% macro keys_touched_in_window(raw_relation, keys, stamped=false) -%}
    select
        {%- for name, raw_expression in keys.items() %}
        {{ raw_expression }} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ raw_relation }}
    where {{ in_partition_window('export_date') }}

    union

    select
        {%- for name in keys %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ this }}
    where {{ in_partition_window('export_date') }}
    {%- if stamped %} or {{ rows_without_build_stamp() }}{% endif %}
{%- endmacro %}
