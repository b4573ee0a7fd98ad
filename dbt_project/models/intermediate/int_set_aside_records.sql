-- Every record (or whole file) the ingest could not load, with the reason
-- (stg_ward_exports__set_aside), as the marts read it: marts read only intermediate
-- models. A view.

{{ config(materialized='view') }}

with

set_aside as (

    select * from {{ ref('stg_ward_exports__set_aside') }}

)

select
    source_file,
    source_row,
    unit_code,
    feed,
    export_date,
    reason,
    record

from set_aside
