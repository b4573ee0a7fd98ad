-- Every row of the dossier change log as delivered, renamed: a dossier appears again each
-- time it changes. A view over raw.dossiers, one row per raw row: the current state
-- (stg_ward_exports__dossiers) is built from it, and the incremental models downstream
-- read it for the rows a run's window delivered and to tell which rows are gone.
-- late_reason is an optional column of the contract (older exports lack it), and raw
-- tables made before it was added lack it too: then it is null here.

with

source as (

    select * from {{ source('ward_exports', 'dossiers') }}

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
        {{ clean_text(optional_column(source('ward_exports', 'dossiers'), 'late_reason')) }}
            as late_reason,
        paid_online,
        digitized,
        updated_at,
        export_date,
        source_file,
        source_row

    from source

)

select * from renamed
