-- The succession graph of the reorganisations: one row per predecessor-successor pair,
-- with the units it joins (unit_code, unit_valid_from, as in indicator_values).

with

successions as (

    select * from {{ ref('int_unit_successions') }}

)

select
    effective_date,
    predecessor_code,
    predecessor_valid_from,
    predecessor_name,
    predecessor_level,
    successor_code,
    successor_valid_from,
    successor_name,
    successor_level,
    transfer

from successions
