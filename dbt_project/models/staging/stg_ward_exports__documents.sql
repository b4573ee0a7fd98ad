-- Latest version of each outgoing document. Numbering restarts every 1 January, so the
-- key is (unit_code, document_number, year of document_date).

with

source as (

    select * from {{ source('raw', 'documents') }}

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

),

ranked as (

    select
        *,
        row_number() over (
            partition by unit_code, document_number, document_year
            order by updated_at desc, export_date desc, source_file desc, source_row desc
        ) as row_rank

    from renamed

)

select
    unit_code,
    document_number,
    document_year,
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

from ranked
where row_rank = 1
