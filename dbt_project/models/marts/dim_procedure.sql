-- Procedure history per unit: one row per version, valid from the snapshot that first
-- showed it to the day before the snapshot that no longer did (null: still current).

with

versions as (

    select * from {{ ref('int_procedure_versions') }}

)

select
    procedure_version_key,
    unit_code,
    procedure_code,
    version_number,
    valid_from,
    valid_to,
    is_current,
    procedure_name,
    domain,
    authority_level,
    service_level,
    online_level,
    processing_days,
    has_fee,
    decision_no,
    decision_date,
    change_type,
    effective_date,
    is_published,
    status,
    snapshot_count,
    last_seen_export_date,
    first_source_file

from versions
