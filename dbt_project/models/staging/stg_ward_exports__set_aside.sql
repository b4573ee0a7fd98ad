with

source as (

    select * from {{ source('ward_exports', 'set_aside') }}

),

renamed as (

    select
        source_file,
        source_row,
        unit_code,
        feed,
        export_date,
        reason,
        record

    from source

)

select * from renamed
