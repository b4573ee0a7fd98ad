-- Procedure history per unit, built from the catalogue snapshots. A snapshot row is in
-- force from its export_date to the day before the unit's next snapshot (open-ended for
-- the last one). Consecutive snapshots that list a procedure with identical attributes
-- are merged into one version, so the history only grows when something changes.

with

snapshots as (

    select * from {{ ref('stg_ward_exports__procedures') }}

),

distinct_snapshot_dates as (

    select distinct
        unit_code,
        export_date

    from snapshots

),

snapshot_dates as (

    select
        unit_code,
        export_date,
        row_number() over (partition by unit_code order by export_date) as snapshot_seq,
        lead(export_date) over (partition by unit_code order by export_date) as next_export_date

    from distinct_snapshot_dates

),

attributed as (

    select
        snapshots.*,
        snapshot_dates.snapshot_seq,
        snapshot_dates.next_export_date,
        {{ dbt.hash(dbt.concat([
            "coalesce(snapshots.procedure_name, '~')",
            "'|'", "coalesce(snapshots.domain, '~')",
            "'|'", "coalesce(cast(snapshots.authority_level as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(snapshots.service_level, '~')",
            "'|'", "coalesce(cast(snapshots.processing_days as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(cast(snapshots.has_fee as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(snapshots.decision_no, '~')",
            "'|'", "coalesce(cast(snapshots.decision_date as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(cast(snapshots.change_type as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(cast(snapshots.effective_date as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(cast(snapshots.is_published as " ~ text_type() ~ "), '~')",
            "'|'", "coalesce(cast(snapshots.status as " ~ text_type() ~ "), '~')",
        ])) }} as attributes_hash

    from snapshots
    inner join snapshot_dates
        on
            snapshots.unit_code = snapshot_dates.unit_code
            and snapshots.export_date = snapshot_dates.export_date

),

islands as (

    select
        *,
        snapshot_seq - row_number() over (
            partition by unit_code, procedure_code, attributes_hash
            order by snapshot_seq
        ) as island_id

    from attributed

),

island_bounds as (

    select
        *,
        row_number() over (
            partition by unit_code, procedure_code, attributes_hash, island_id
            order by snapshot_seq
        ) as seq_in_island,
        max(snapshot_seq) over (
            partition by unit_code, procedure_code, attributes_hash, island_id
        ) as last_snapshot_seq

    from islands

),

versions as (

    select
        first_row.unit_code,
        first_row.procedure_code,
        first_row.export_date as valid_from,
        {{ day_before('last_row.next_export_date') }} as valid_to,
        first_row.procedure_name,
        first_row.domain,
        first_row.authority_level,
        first_row.service_level,
        first_row.online_level,
        first_row.processing_days,
        first_row.has_fee,
        first_row.decision_no,
        first_row.decision_date,
        first_row.change_type,
        first_row.effective_date,
        first_row.is_published,
        first_row.status,
        -- bigint on every engine (row_number is an integer on Spark, a bigint on DuckDB)
        cast(last_row.snapshot_seq - first_row.snapshot_seq + 1 as bigint) as snapshot_count,
        last_row.export_date as last_seen_export_date,
        first_row.source_file as first_source_file

    from island_bounds as first_row
    inner join island_bounds as last_row
        on
            first_row.unit_code = last_row.unit_code
            and first_row.procedure_code = last_row.procedure_code
            and first_row.attributes_hash = last_row.attributes_hash
            and first_row.island_id = last_row.island_id
            and first_row.last_snapshot_seq = last_row.snapshot_seq
    where first_row.seq_in_island = 1

)

select
    unit_code || '|' || procedure_code || '|' || cast(valid_from as {{ text_type() }})
        as procedure_version_key,
    *,
    cast(row_number() over (
        partition by unit_code, procedure_code order by valid_from
    ) as bigint) as version_number,
    valid_to is null as is_current

from versions
