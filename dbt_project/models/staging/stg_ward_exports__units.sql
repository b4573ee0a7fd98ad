with

source as (

    select * from {{ source('ward_exports', 'units') }}

),

renamed as (

    select
        unit_code,
        unit_name,
        unit_level,
        nullif(trim(parent_code), '') as parent_code,
        valid_from,
        valid_to,
        csv_encoding,
        unit_code || '@' || coalesce(cast(valid_from as {{ text_type() }}), 'always')
            as unit_version_key

    from source

)

select * from renamed
