-- Latest version of each outgoing document. Numbering restarts every 1 January, so the
-- key is (unit_code, document_number, year of document_date).
--
-- Incremental, like stg_ward_exports__dossiers: a run recomputes only the documents with a
-- row exported in its window or whose current row came from it. The latest row is found
-- as there: the latest updated_at first, then the tie-breaks among its rows only.
--
-- recomputed_in_build: the number of the build that last recomputed the row (macro
-- build_sequence), which fct_document carries for publishing, so that it writes only the
-- documents recomputed since the published file's build. A row without one (written by a
-- plain `dbt build`, or before the column was added: on_schema_change appends it) counts
-- as touched in a pipeline build, which stamps it (macro rows_without_build_stamp).

-- On Spark (Parquet tables, no delete) a whole table, rebuilt every run.

{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='delete+insert',
        unique_key=['unit_code', 'document_number', 'document_year'],
        on_schema_change='append_new_columns',
        post_hook=(
            [] if target.type == 'spark'
            else ["{{ delete_rows_gone_from_raw(ref('stg_ward_exports__document_versions')) }}"]
        ),
    )
}}

with

{% if is_incremental() %}

touched as (

    {{ keys_touched_in_window(ref('stg_ward_exports__document_versions'), {
        'unit_code': 'unit_code',
        'document_number': 'document_number',
        'document_year': 'document_year',
    }, stamped=true) }}

),

{% endif %}

versions as (

    select document_versions.*

    from {{ ref('stg_ward_exports__document_versions') }} as document_versions
    {% if is_incremental() %}
        inner join touched
            on
                document_versions.unit_code = touched.unit_code
                and document_versions.document_number = touched.document_number
                and document_versions.document_year = touched.document_year
    {% endif %}

),

latest_updates as (

    select
        unit_code,
        document_number,
        document_year,
        max(updated_at) as latest_updated_at

    from versions
    group by unit_code, document_number, document_year

),

latest_rows as (

    select document_versions.*

    from {{ ref('stg_ward_exports__document_versions') }} as document_versions
    inner join latest_updates
        on
            document_versions.unit_code is not distinct from latest_updates.unit_code
            and document_versions.document_number
            is not distinct from latest_updates.document_number
            and document_versions.document_year is not distinct from latest_updates.document_year
            and document_versions.updated_at is not distinct from latest_updates.latest_updated_at

),

ranked as (

    select
        *,
        row_number() over (
            partition by unit_code, document_number, document_year
            order by export_date desc, source_file desc, source_row desc
        ) as row_rank

    from latest_rows

)

select
    unit_code,
    document_number,
    document_year,
    document_date,
    document_type,
    summary,
    signer,
    recipient_kind,
    send_method,
    digitally_signed,
    classification,
    updated_at,
    export_date,
    source_file,
    source_row,
    {{ build_sequence() }} as recomputed_in_build

from ranked
where row_rank = 1
