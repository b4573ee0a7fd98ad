-- One row per delivered file with what the ingest made of it (stg_ward_exports__ingest_ledger),
-- as the marts read it: marts read only intermediate models. A view.

{{ config(materialized='view') }}

with

ledger as (

    select * from {{ ref('stg_ward_exports__ingest_ledger') }}

)

select
    source_file,
    unit_code,
    feed,
    export_date,
    file_format,
    encoding,
    sha256,
    size_bytes,
    rows_in,
    rows_loaded,
    rows_set_aside,
    file_status,
    is_rejected,
    error_message,
    loaded_at

from ledger
