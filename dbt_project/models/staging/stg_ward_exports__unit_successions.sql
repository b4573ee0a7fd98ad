-- The reorganisations (unit_successions.csv) as delivered: one row per predecessor and
-- successor pair, transfer conformed to lowercase.

with

source as (

    select * from {{ source('ward_exports', 'unit_successions') }}

),

renamed as (

    select
        effective_date,
        trim(predecessor_code) as predecessor_code,
        trim(successor_code) as successor_code,
        lower(trim(transfer)) as transfer,
        source_file,
        source_row

    from source

)

select * from renamed
