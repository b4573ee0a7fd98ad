-- What each unit delivered per feed and what became of it, for operators.

with

ledger as (

    select * from {{ ref('int_ingest_files') }}

),

set_aside as (

    select * from {{ ref('int_set_aside_records') }}

),

files as (

    select
        unit_code,
        feed,
        -- bigint, not the wider type sum() gives: pandas and BI tools read it as integers
        cast(count(*) as bigint) as files,
        cast(sum(case when is_rejected then 1 else 0 end) as bigint) as rejected_files,
        cast(coalesce(sum(rows_in), 0) as bigint) as rows_in,
        cast(coalesce(sum(rows_loaded), 0) as bigint) as rows_loaded,
        cast(coalesce(sum(rows_set_aside), 0) as bigint) as rows_set_aside,
        min(export_date) as first_export_date,
        max(export_date) as last_export_date,
        max(loaded_at) as last_loaded_at

    from ledger
    group by unit_code, feed

),

listed as (

    select
        unit_code,
        feed,
        cast(sum(case when source_row is not null then 1 else 0 end) as bigint)
            as set_aside_rows_listed

    from set_aside
    group by unit_code, feed

)

select
    files.unit_code,
    files.feed,
    files.files,
    files.rejected_files,
    files.rows_in,
    files.rows_loaded,
    files.rows_set_aside,
    coalesce(listed.set_aside_rows_listed, 0) as set_aside_rows_listed,
    files.first_export_date,
    files.last_export_date,
    files.last_loaded_at

from files
left join listed
    on
        files.unit_code is not distinct from listed.unit_code
        and files.feed is not distinct from listed.feed
