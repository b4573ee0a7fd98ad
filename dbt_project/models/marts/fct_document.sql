-- One row per outgoing document, latest version. A document counts for DOC_SENT when it
-- goes to a state agency and is not classified; a blank classification is ordinary
-- (registers leave Độ mật empty for ordinary documents).
--
-- Incremental, like stg_ward_exports__documents: a run recomputes only the documents with a
-- row exported in its window or whose current row came from it; without window vars, all.

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

documents as (

    select current_documents.*

    from {{ ref('stg_ward_exports__documents') }} as current_documents
    {% if is_incremental() %}
        inner join touched
            on
                current_documents.unit_code = touched.unit_code
                and current_documents.document_number = touched.document_number
                and current_documents.document_year = touched.document_year
    {% endif %}

),

flagged as (

    select
        *,
        coalesce(recipient_kind = 1 and coalesce(classification, 0) = 0, false)
            as is_sent_to_agency

    from documents

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
    is_sent_to_agency,
    coalesce(is_sent_to_agency and send_method = 1, false) as is_sent_electronically,
    coalesce(is_sent_to_agency and digitally_signed, false) as is_sent_signed,
    updated_at,
    export_date,
    source_file,
    source_row

from flagged
