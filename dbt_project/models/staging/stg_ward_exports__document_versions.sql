-- Every row of the outgoing document register as delivered, renamed: a corrected row
-- repeats the key (unit_code, document_number, document_year) with a later updated_at.
-- A view over raw.documents, one row per raw row: the latest version of each document
-- (stg_ward_exports__documents) is built from it.

with

source as (

    select * from {{ source('ward_exports', 'documents') }}

),

renamed as (

    select
        unit_code,
        document_number,
        cast(extract(year from document_date) as integer) as document_year,
        document_date,
        document_type,
        summary,
        signer,
        recipient_kind,
        send_method,
        digitally_signed,
        classification,
        updated_at,
        export_date,
        source_file,
        source_row

    from source

)

select * from renamed
