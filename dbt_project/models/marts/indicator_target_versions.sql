-- Targets with their validity and legal basis, as published for analysts (the seed
-- indicator_targets is the one place they are kept).

with

targets as (

    select * from {{ ref('indicator_targets') }}

)

select
    cast(indicator_code as varchar) as indicator_code,
    cast(scope as varchar) as scope,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(target as decimal(9, 2)) as target,
    cast(legal_reference as varchar) as legal_reference

from targets
