-- The indicator rules applied to each dossier's current state (ward-exports and
-- indicators contracts): what counts, what is finished, and whether it was on time.
-- Timeliness compares calendar dates in local time, so a dossier finished at 20:00 on
-- its due date is on time. Without an appointment the result was due on the day the
-- dossier was received.
--
-- A view, not a table: it is a row-by-row projection of the current state, and the
-- incremental int_dossier_facts reads only the dossiers a run touches from it.

{{ config(materialized='view') }}

with

dossiers as (

    select * from {{ ref('stg_ward_exports__dossiers') }}

),

flagged as (

    select
        *,
        cast(received_at as date) as received_date,
        cast(finished_at as date) as finished_date,
        -- when neither an appointment nor a receipt date exists the result counts as
        -- given on the spot, so every finished dossier is either on time or late
        coalesce(
            cast(due_at as date), cast(received_at as date), cast(finished_at as date)
        ) as due_date,
        coalesce(status not in (1, 3, 7), false) as is_counted,
        coalesce(status in (8, 9, 10) and finished_at is not null, false) as is_finished

    from dossiers

)

select
    unit_code,
    dossier_code,
    procedure_code,
    channel,
    coalesce(channel = 2, false) as is_online,
    applicant_id_hash,
    applicant_id_kind,
    received_at,
    due_at,
    finished_at,
    returned_at,
    status,
    supplement_count,
    apology_issued,
    late_reason,
    paid_online,
    digitized,
    received_date,
    due_date,
    finished_date,
    is_counted,
    is_finished,
    case
        when not is_finished then null
        when finished_date < due_date then 'early'
        when finished_date = due_date then 'on_time'
        else 'late'
    end as timeliness,
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row,
    recomputed_in_build

from flagged
