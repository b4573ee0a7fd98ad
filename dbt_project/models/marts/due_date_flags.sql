-- Due-date integrity: dossiers whose recorded appointment, date(due_at), is later than
-- the TTHC rule allows (fct_dossier.expected_due_date, from the procedure version in
-- force when received) with no supplement request to explain it. A supplement request
-- legitimately moves the appointment; those dossiers are counted in
-- due_date_flag_summary, not listed here. Counted dossiers only, in their current state.

with

dossiers as (

    select * from {{ ref('fct_dossier') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

flagged as (

    select *
    from dossiers
    where
        is_counted
        and due_date_moved
        and supplement_count = 0

)

select
    flagged.unit_code,
    units.unit_name,
    flagged.dossier_code,
    flagged.procedure_code,
    flagged.received_at,
    flagged.procedure_processing_days as processing_days,
    flagged.expected_due_date,
    cast(flagged.due_at as date) as recorded_due_date,
    flagged.due_date_days_moved as days_moved,
    flagged.finished_at,
    flagged.timeliness as timeliness_as_logged,
    case
        when not flagged.is_finished then null
        when flagged.finished_date < flagged.expected_due_date then 'early'
        when flagged.finished_date = flagged.expected_due_date then 'on_time'
        else 'late'
    end as timeliness_by_rule,
    flagged.source_file,
    flagged.source_row

from flagged
-- the unit's name as it was on the day received
left join units
    on
        flagged.unit_code = units.unit_code
        and (units.valid_from is null or flagged.received_date >= units.valid_from)
        and (units.valid_to is null or flagged.received_date <= units.valid_to)
