with

source as (

    select * from {{ source('ward_exports', 'ingest_ledger') }}

),

renamed as (

    select
        source_file,
        unit_code,
        feed,
        export_date,
        file_format,
        encoding,
        sha256,
        size_bytes,
        rows_in,
        rows_loaded,
        rows_set_aside,
        status as file_status,
        status = 'rejected' as is_rejected,
        error as error_message,
        loaded_at

    from source

)

select * from renamed
