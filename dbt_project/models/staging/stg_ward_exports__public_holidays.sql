-- Vietnam's public holidays as the ingest wrote them from the `holidays` package, lunar
-- ones included; a day may carry more than one name. The announced swaps are a seed,
-- applied over these in int_calendar_holidays.

with

source as (

    select * from {{ source('ward_exports', 'public_holidays') }}

),

renamed as (

    select
        holiday_date,
        holiday_name

    from source

)

select * from renamed
