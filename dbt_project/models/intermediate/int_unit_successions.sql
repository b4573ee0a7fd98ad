-- The succession graph: each predecessor-successor pair of a reorganisation with the
-- units (unit_code, unit_valid_from) it joins - the predecessor's registry row on the day
-- before effective_date, the successor's on effective_date.

with

successions as (

    select * from {{ ref('stg_ward_exports__unit_successions') }}

),

units as (

    select * from {{ ref('int_units') }}

)

select
    successions.effective_date,
    successions.predecessor_code,
    predecessors.unit_valid_from as predecessor_valid_from,
    predecessors.unit_name as predecessor_name,
    predecessors.unit_level as predecessor_level,
    successions.successor_code,
    successors.unit_valid_from as successor_valid_from,
    successors.unit_name as successor_name,
    successors.unit_level as successor_level,
    successions.transfer,
    successions.source_file,
    successions.source_row

from successions
left join units as predecessors
    on
        successions.predecessor_code = predecessors.unit_code
        and (
            predecessors.valid_from is null
            or {{ day_before('successions.effective_date') }} >= predecessors.valid_from
        )
        and (
            predecessors.valid_to is null
            or {{ day_before('successions.effective_date') }} <= predecessors.valid_to
        )
left join units as successors
    on
        successions.successor_code = successors.unit_code
        and (successors.valid_from is null or successions.effective_date >= successors.valid_from)
        and (successors.valid_to is null or successions.effective_date <= successors.valid_to)
