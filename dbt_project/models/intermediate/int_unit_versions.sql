-- Every version of every unit (stg_ward_exports__units), as the marts read it: marts read
-- only intermediate models, and the registry needs no more shaping than staging gave it.
-- A view.

{{ config(materialized='view') }}

with

units as (

    select * from {{ ref('stg_ward_exports__units') }}

)

select
    unit_version_key,
    unit_code,
    unit_name,
    unit_level,
    parent_code,
    valid_from,
    valid_to,
    csv_encoding

from units
