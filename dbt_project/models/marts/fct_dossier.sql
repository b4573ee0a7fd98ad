-- One row per dossier in its current state, with the attributes of its procedure as
-- they stood on the day it was received (the version in force that day; for a dossier
-- received before the unit's first catalogue snapshot, the procedure's earliest
-- version). The applicant's ID hash stays in the build file and is not published here.

with

dossiers as (

    select * from {{ ref('int_dossiers_classified') }}

),

procedure_versions as (

    select
        *,
        min(valid_from) over (partition by unit_code) as unit_first_snapshot_date

    from {{ ref('int_procedure_versions') }}

),

joined as (

    select
        dossiers.*,
        procedure_versions.procedure_version_key,
        procedure_versions.online_level as procedure_online_level,
        procedure_versions.has_fee as procedure_has_fee

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

)

select
    unit_code,
    dossier_code,
    procedure_code,
    procedure_version_key,
    procedure_online_level,
    procedure_has_fee,
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
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row

from joined
