-- Every version of every unit with its validity. A unit code is only meaningful
-- together with a date: codes are reused after mergers.

with

units as (

    select * from {{ ref('int_unit_versions') }}

)

select
    unit_version_key,
    unit_code,
    unit_name,
    unit_level,
    parent_code,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    csv_encoding

from units
