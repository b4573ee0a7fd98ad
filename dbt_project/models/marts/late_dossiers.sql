-- Every late dossier, as DOSSIER_LATE counts it: finished (status 8, 9 or 10 with
-- finished_at) after its due date, by calendar date, on a day its unit code exists (a
-- dossier finished on another day cannot be attributed to a unit, and is not counted
-- either). How late in calendar days and in working days (dim_calendar: the working
-- days after the due date up to the day finished), and the reason the desk gave. No
-- personal data: the applicant's ID kind and hash stay out.

with

dossiers as (

    select * from {{ ref('fct_dossier') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

procedures as (

    select * from {{ ref('dim_procedure') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

late as (

    select *
    from dossiers
    where is_finished and is_late

)

select
    late.unit_code,
    units.unit_name,
    late.dossier_code,
    late.procedure_code,
    procedures.procedure_name,
    late.received_date,
    late.due_date,
    late.finished_date,
    {{ days_between('late.due_date', 'late.finished_date') }} as days_late,
    -- a day off carries the number of the working day before it, so the difference counts
    -- the working days d with due_date < d <= finished_date
    finished_day.working_day_number - due_day.working_day_number as working_days_late,
    late.late_reason,
    late.source_file,
    late.source_row

from late
-- the unit's version on the day finished: its name then, and only days the code exists
inner join units
    on
        late.unit_code = units.unit_code
        and (units.valid_from is null or late.finished_date >= units.valid_from)
        and (units.valid_to is null or late.finished_date <= units.valid_to)
left join procedures
    on late.procedure_version_key = procedures.procedure_version_key
left join calendar as due_day
    on late.due_date = due_day.date_day
left join calendar as finished_day
    on late.finished_date = finished_day.date_day
