-- Every delivered record that could not load, or every file that could not be read
-- (source_row null), with the reason. raw.set_aside holds no personal data.

with

set_aside as (

    select * from {{ ref('int_set_aside_records') }}

)

select
    unit_code,
    feed,
    export_date,
    source_file,
    source_row,
    reason,
    record

from set_aside
