-- Current state of each dossier: the change-log row with the latest updated_at per
-- (unit_code, dossier_code); ties go to the later export, then file, then row.

with

source as (

    select * from {{ source('raw', 'dossiers') }}

),

renamed as (

    select
        unit_code,
        dossier_code,
        procedure_code,
        channel,
        applicant_id_hash,
        applicant_id_kind,
        received_at,
        due_at,
        finished_at,
        returned_at,
        status,
        coalesce(supplement_count, 0) as supplement_count,
        apology_issued,
        paid_online,
        digitized,
        updated_at,
        export_date,
        source_file,
        source_row

    from source

),

ranked as (

    select
        *,
        count(*) over (partition by unit_code, dossier_code) as change_rows,
        row_number() over (
            partition by unit_code, dossier_code
            order by updated_at desc, export_date desc, source_file desc, source_row desc
        ) as row_rank

    from renamed

)

select
    unit_code,
    dossier_code,
    procedure_code,
    channel,
    applicant_id_hash,
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
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row

from ranked
where row_rank = 1
