-- Every day of every calendar year from the earliest to the latest event in the data:
-- dossier received and finished dates, document dates and procedure and staff-list
-- snapshot dates. An event dated after the day its export covers cannot have happened
-- (a mistyped year: the ingest's checks flag it) and makes no year a data year: one
-- ward's 2023 typed for 2022 must not add a year of rows for every unit.
-- Whole years, so every year has all its months and quarters. The spine runs on for
-- var par_calendar_years_ahead more years (default 1), flagged as outside the data's
-- years, so that due dates past the last event resolve to a working day; periods use
-- only the data's years.

with

event_dates as (

    select cast(received_at as date) as event_date
    from {{ ref('stg_ward_exports__dossiers') }}
    where cast(received_at as date) <= export_date
    union all
    select cast(finished_at as date) as event_date
    from {{ ref('stg_ward_exports__dossiers') }}
    where cast(finished_at as date) <= export_date
    union all
    select document_date as event_date
    from {{ ref('stg_ward_exports__documents') }}
    where document_date <= export_date
    union all
    select export_date as event_date from {{ ref('stg_ward_exports__procedures') }}
    union all
    select export_date as event_date from {{ ref('stg_ward_exports__staff') }}

),

bounds as (

    select
        {{ date_from_parts('extract(year from min(event_date))', 1, 1) }} as calendar_start,
        {{ date_from_parts('extract(year from max(event_date))', 12, 31) }} as data_end,
        {{ date_from_parts(
            'extract(year from max(event_date)) + '
            ~ var('par_calendar_years_ahead', 1),
            12, 31
        ) }} as calendar_end

    from event_dates

),

days as (

    {{ date_series('bounds', 'calendar_start', 'calendar_end') }}

)

select
    days.date_day,
    cast(extract(year from days.date_day) as integer) as calendar_year,
    cast(extract(quarter from days.date_day) as integer) as calendar_quarter,
    cast(extract(month from days.date_day) as integer) as calendar_month,
    cast({{ dbt.date_trunc('month', 'days.date_day') }} as date) as month_start,
    cast({{ dbt.date_trunc('quarter', 'days.date_day') }} as date) as quarter_start,
    cast({{ dbt.date_trunc('year', 'days.date_day') }} as date) as year_start,
    {{ iso_weekday('days.date_day') }} as iso_weekday,
    days.date_day <= bounds.data_end as is_in_data_years

from days
cross join bounds
