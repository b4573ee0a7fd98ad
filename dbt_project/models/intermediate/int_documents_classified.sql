-- The DOC_* rules applied to the latest version of each outgoing document. A document
-- counts for DOC_SENT when it goes to a state agency and is not classified; a blank
-- classification is ordinary (registers leave Độ mật empty for ordinary documents).
--
-- A view, like int_dossiers_classified: a row-by-row projection of
-- stg_ward_exports__documents, which is the incremental table (a run recomputes only the
-- documents its window touched), so nothing here needs recomputing.

{{ config(materialized='view') }}

with

documents as (

    select * from {{ ref('stg_ward_exports__documents') }}

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
    source_row,
    recomputed_in_build

from flagged
