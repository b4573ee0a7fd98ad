-- Latest version of each outgoing document. Numbering restarts every 1 January, so the
-- key is (unit_code, document_number, year of document_date).
--
-- Incremental, like stg_ward_exports__dossiers: a run recomputes only the documents with a
-- row exported in its window or whose current row came from it.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['unit_code', 'document_number', 'document_year'],
        post_hook="{{ delete_rows_gone_from_raw(source('raw', 'documents')) }}",
    )
}}

with

{% if is_incremental() %}

touched as (

    {{ keys_touched_in_window(source('raw', 'documents'), {
        'unit_code': 'unit_code',
        'document_number': 'document_number',
        'document_year': 'cast(extract(year from document_date) as integer)',
    }) }}

),

{% endif %}

source as (

    select raw_documents.*

    from {{ source('raw', 'documents') }} as raw_documents
    {% if is_incremental() %}
        inner join touched
            on
                raw_documents.unit_code = touched.unit_code
                and raw_documents.document_number = touched.document_number
                and cast(extract(year from raw_documents.document_date) as integer)
                = touched.document_year
    {% endif %}

),

renamed as (

    select
        unit_code,
        document_number,
        cast(extract(year from document_date) as integer) as document_year,
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
        source_row

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by unit_code, document_number, document_year
            order by updated_at desc, export_date desc, source_file desc, source_row desc
        ) as row_rank

    from renamed

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
    source_row

from ranked
where row_rank = 1
