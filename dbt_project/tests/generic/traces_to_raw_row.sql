{#
    Lineage: every row traces back to a raw row. Its (source_file, source_row) exists in
    raw_relation, with the same values in match_columns (e.g. the row's key), and its
    source_file is in the ingest ledger with file_status 'loaded'. A row without a
    source_file or source_row fails. raw_relation is the staging view with one row per raw
    row (stg_ward_exports__dossier_changes, stg_ward_exports__document_versions), so the
    test reads the raw rows through the staging layer as the models do; ledger defaults to
    the ledger's staging view, ref('stg_ward_exports__ingest_ledger').

    With window_column (the export date, which a row shares with its raw row), a nightly
    run checks only the rows of its partition window: the rows of other days were checked
    on the night they were built, and a re-delivery of their day falls in that night's
    window. Without window vars (a plain `dbt build`) every row is checked.
#}
{#
    How it reads: the model's rows first (in the window, with window_column), then the raw
    rows at their (source_file, source_row) - a semi-join whose hash table holds the
    model's rows, which the change log (ten million rows for a province's year) streams
    past - and only then the rows with no match. Written as one `not exists` against the
    whole raw relation, DuckDB hashed the raw rows instead: ~1 s for each model, even one
    with no rows at all.
#}
{% test traces_to_raw_row(model, raw_relation, match_columns=[], ledger=none, window_column=none) %}

    {%- set ledger_relation = ledger if ledger is not none else ref('stg_ward_exports__ingest_ledger') -%}

    with

    model_rows as (

        select
            source_file,
            source_row
            {%- for column in match_columns %},
            {{ column }}
            {%- endfor %}
        from {{ model }}
        {%- if window_column is not none %}
        where {{ in_partition_window(window_column) }}
        {%- endif %}

    ),

    raw_rows_of_model_rows as (

        select
            raw_rows.source_file,
            raw_rows.source_row
            {%- for column in match_columns %},
            raw_rows.{{ column }}
            {%- endfor %}
        from {{ raw_relation }} as raw_rows
        where
            {% if window_column is not none -%}
                {{ in_partition_window('raw_rows.' ~ window_column) }} and
            {% endif -%}
            exists (
                select 1
                from model_rows
                where
                    model_rows.source_file = raw_rows.source_file
                    and model_rows.source_row = raw_rows.source_row
            )

    )

    select
        model_rows.source_file,
        model_rows.source_row
        {%- for column in match_columns %},
        model_rows.{{ column }}
        {%- endfor %}
    from model_rows
    where
        not exists (
            select 1
            from raw_rows_of_model_rows as raw_rows
            where
                raw_rows.source_file = model_rows.source_file
                and raw_rows.source_row = model_rows.source_row
                {%- for column in match_columns %}
                and raw_rows.{{ column }} = model_rows.{{ column }}
                {%- endfor %}
        )
        or not exists (
            select 1
            from {{ ledger_relation }} as ledger
            where
                ledger.source_file = model_rows.source_file
                and ledger.file_status = 'loaded'
        )

{% endtest %}
