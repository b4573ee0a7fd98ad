-- Every version (registry row) of every unit with its validity, and the unit it belongs
-- to (unit_code, unit_valid_from). A unit code is only meaningful together with a date:
-- codes are reused after mergers.

with

units as (

    select * from {{ ref('int_units') }}

)

select
    unit_version_key,
    unit_code,
    unit_valid_from,
    unit_valid_to,
    unit_key,
    unit_name,
    unit_level,
    parent_code,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    csv_encoding,
    -- order by this for "Phường 1, 2, ... 10" (not 1, 10, 2): the level (province, city,
    -- ward), then the name with a trailing number zero-padded to six digits
    case unit_level when 'province' then '1' when 'city' then '2' else '3' end
    || '|'
    || regexp_replace(unit_name, '[0-9]+$', '')
    || lpad(coalesce(nullif(regexp_extract(unit_name, '([0-9]+)$', 1), ''), ''), 6, '0')
        as unit_sort_key

from units
