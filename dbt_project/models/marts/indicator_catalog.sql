-- The indicator catalogue (contract: indicators.md), read from the seed that the SQL,
-- the docs and the checks share.

with

catalog as (

    select * from {{ ref('indicator_catalog_seed') }}

)

select
    cast(indicator_code as varchar) as indicator_code,
    cast(name_vi as varchar) as name_vi,
    cast(name_en as varchar) as name_en,
    cast(formula as varchar) as formula,
    cast(kind as varchar) as kind,
    cast(measure as varchar) as measure,
    cast(direction as varchar) as direction,
    cast(source as varchar) as source,
    cast(display_order as integer) as display_order,
    cast(nullif(headline_scope, '') as varchar) as headline_scope

from catalog
