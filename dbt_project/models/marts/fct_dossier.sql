-- One row per dossier in its current state, with the attributes of its procedure as
-- they stood on the day it was received (the version in force that day; for a dossier
-- received before the unit's first catalogue snapshot, the procedure's earliest
-- version). The applicant's ID hash stays in the build file and is not published here.
--
-- Expected due date (TTHC rule): processing time counts working days and the day received
-- is not counted, so the result is due on the processing_days-th working day after
-- date(received_at); with no processing time (null or 0) it is due the same day. With
-- dim_calendar's working_day_number that is one equi-join, no loop.
--
-- Incremental: a nightly run recomputes only the dossiers whose row or procedure may have
-- changed - those with a change-log row exported in the run's window or whose current row
-- came from it (as in stg_ward_exports__dossiers), and, for each unit that delivered a
-- catalogue snapshot in the window, those received on or after that snapshot's date or
-- before the unit's first snapshot (the only ones a new snapshot can move to another
-- version). If the working days differ from those of the last build, every dossier is
-- recomputed: a holiday moves expected due dates anywhere. Without window vars every
-- dossier is touched, so a plain `dbt build` recomputes all.
-- depends_on: {{ ref('stg_ward_exports__procedures') }}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['unit_code', 'dossier_code'],
        post_hook=[
            "{{ delete_rows_gone_from_raw(source('raw', 'dossiers')) }}",
            "create or replace table {{ working_days_built_with() }}"
            ~ " as select date_day, is_working_day from {{ ref('dim_calendar') }}",
        ],
    )
}}

with

procedure_versions as (

    select
        *,
        min(valid_from) over (partition by unit_code) as unit_first_snapshot_date

    from {{ ref('int_procedure_versions') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

all_dossiers as (

    select * from {{ ref('int_dossiers_classified') }}

),

{% if is_incremental() %}

snapshots_in_window as (

    select
        snapshots.unit_code,
        min(snapshots.export_date) as first_snapshot_date_in_window,
        min(unit_snapshots.unit_first_snapshot_date) as unit_first_snapshot_date

    from {{ ref('stg_ward_exports__procedures') }} as snapshots
    inner join (
        select distinct
            unit_code,
            unit_first_snapshot_date
        from procedure_versions
    ) as unit_snapshots
        on snapshots.unit_code = unit_snapshots.unit_code
    where {{ in_partition_window('snapshots.export_date') }}
    group by snapshots.unit_code

),

{% set working_days_relation = working_days_built_with() %}
{% set built_with = adapter.get_relation(
    database=working_days_relation.database,
    schema=working_days_relation.schema,
    identifier=working_days_relation.identifier,
) %}

working_days_changed as (

    {% if built_with is none %}
        select true as changed
    {% else %}
        select exists (
            (
                select
                    date_day,
                    is_working_day
                from calendar
                except
                select
                    date_day,
                    is_working_day
                from {{ built_with }}
            )
            union all
            (
                select
                    date_day,
                    is_working_day
                from {{ built_with }}
                except
                select
                    date_day,
                    is_working_day
                from calendar
            )
        ) as changed
    {% endif %}

),

touched as (

    {{ keys_touched_in_window(source('raw', 'dossiers'), {
        'unit_code': 'unit_code',
        'dossier_code': 'dossier_code',
    }) }}

    union

    select
        all_dossiers.unit_code,
        all_dossiers.dossier_code

    from all_dossiers
    inner join snapshots_in_window
        on all_dossiers.unit_code = snapshots_in_window.unit_code
    where
        all_dossiers.received_date >= snapshots_in_window.first_snapshot_date_in_window
        or all_dossiers.received_date < snapshots_in_window.unit_first_snapshot_date

    union

    select
        unit_code,
        dossier_code

    from all_dossiers
    where (select changed from working_days_changed)

),

{% endif %}

dossiers as (

    select all_dossiers.*

    from all_dossiers
    {% if is_incremental() %}
        inner join touched
            on
                all_dossiers.unit_code = touched.unit_code
                and all_dossiers.dossier_code = touched.dossier_code
    {% endif %}

),

joined as (

    select
        dossiers.*,
        procedure_versions.procedure_version_key,
        procedure_versions.online_level as procedure_online_level,
        procedure_versions.has_fee as procedure_has_fee,
        procedure_versions.processing_days as procedure_processing_days

    from dossiers
    left join procedure_versions
        on
            dossiers.unit_code = procedure_versions.unit_code
            and dossiers.procedure_code = procedure_versions.procedure_code
            and (
                (
                    dossiers.received_date >= procedure_versions.valid_from
                    and (
                        procedure_versions.valid_to is null
                        or dossiers.received_date <= procedure_versions.valid_to
                    )
                )
                or (
                    dossiers.received_date < procedure_versions.unit_first_snapshot_date
                    and procedure_versions.version_number = 1
                )
            )

),

due_dates as (

    select
        joined.*,
        case
            when joined.received_date is null then null
            -- the catalogue never listed the procedure then: processing time unknown
            when joined.procedure_version_key is null then null
            when coalesce(joined.procedure_processing_days, 0) <= 0 then joined.received_date
            else expected_day.date_day
        end as expected_due_date,
        cast(joined.due_at as date) as recorded_due_date

    from joined
    left join calendar as received_day
        on joined.received_date = received_day.date_day
    left join calendar as expected_day
        on
            expected_day.is_working_day
            and joined.procedure_processing_days > 0
            and expected_day.working_day_number
            = received_day.working_day_number + joined.procedure_processing_days

),

compared as (

    select
        due_dates.*,
        due_dates.recorded_due_date > due_dates.expected_due_date as due_date_moved,
        recorded_day.working_day_number - expected_day.working_day_number
            as due_date_days_moved

    from due_dates
    left join calendar as expected_day
        on due_dates.expected_due_date = expected_day.date_day
    left join calendar as recorded_day
        on due_dates.recorded_due_date = recorded_day.date_day

)

select
    unit_code,
    dossier_code,
    procedure_code,
    procedure_version_key,
    procedure_online_level,
    procedure_has_fee,
    procedure_processing_days,
    channel,
    is_online,
    applicant_id_kind,
    received_at,
    due_at,
    finished_at,
    returned_at,
    status,
    supplement_count,
    apology_issued,
    paid_online,
    digitized,
    received_date,
    due_date,
    finished_date,
    is_counted,
    is_finished,
    timeliness,
    timeliness in ('early', 'on_time') as is_on_time,
    timeliness = 'late' as is_late,
    expected_due_date,
    due_date_moved,
    due_date_days_moved,
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row

from compared
