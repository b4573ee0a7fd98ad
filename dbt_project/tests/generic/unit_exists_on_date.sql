{#
    Each row's unit code existed (in the units registry) on the row's date. Rows that
    fail cannot be attributed to a unit as of the period and are left out of
    indicator_values; this test lists them.

    The registry is looked up once per distinct (code, date) - a few tens of thousands
    for a province's year of dossiers - and the model's rows of the codes and dates not
    found are then listed whole. Looked up row by row, DuckDB first copied every column
    of every row (~1 s a run for fct_dossier at the province scale). A row whose code is
    null matches no registry row, as before: the join back is null-safe.
#}
{% test unit_exists_on_date(model, column_name, units, date_column) %}

    with

    codes_and_dates as (

        select distinct
            {{ column_name }} as unit_code,
            {{ date_column }} as event_date
        from {{ model }}
        where {{ date_column }} is not null

    ),

    codes_not_existing_on_date as (

        select
            codes_and_dates.unit_code,
            codes_and_dates.event_date
        from codes_and_dates
        where not exists (
            select 1
            from {{ units }} as units
            where
                units.unit_code = codes_and_dates.unit_code
                and (units.valid_from is null or units.valid_from <= codes_and_dates.event_date)
                and (units.valid_to is null or units.valid_to >= codes_and_dates.event_date)
        )

    )

    select model_rows.*
    from {{ model }} as model_rows
    inner join codes_not_existing_on_date
        on
            model_rows.{{ column_name }} is not distinct from codes_not_existing_on_date.unit_code
            and model_rows.{{ date_column }} = codes_not_existing_on_date.event_date

{% endtest %}
