-- The indicator catalogue (contract: indicators.md), read from the seed that the SQL,
-- the docs and the checks share.

with

catalog as (

    select * from {{ ref('indicator_catalog_seed') }}

)

select
    cast(indicator_code as {{ text_type() }}) as indicator_code,
    cast(name_vi as {{ text_type() }}) as name_vi,
    cast(name_en as {{ text_type() }}) as name_en,
    cast(formula as {{ text_type() }}) as formula,
    cast(kind as {{ text_type() }}) as kind,
    cast(measure as {{ text_type() }}) as measure,
    cast(direction as {{ text_type() }}) as direction,
    cast(source as {{ text_type() }}) as source,
    cast(display_order as integer) as display_order,
    cast(nullif(headline_scope, '') as {{ text_type() }}) as headline_scope

from catalog
