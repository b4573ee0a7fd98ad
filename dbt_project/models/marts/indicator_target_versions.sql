-- Targets with their validity and legal basis, as published for analysts (the seed
-- indicator_targets is the one place they are kept).

with

targets as (

    select * from {{ ref('indicator_targets') }}

)

select
    cast(indicator_code as {{ text_type() }}) as indicator_code,
    cast(scope as {{ text_type() }}) as scope,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(target as decimal(9, 2)) as target,
    cast(legal_reference as {{ text_type() }}) as legal_reference

from targets
