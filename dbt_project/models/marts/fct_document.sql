-- One row per outgoing document, latest version, with what it counts for (DOC_SENT to a
-- state agency and not classified; a blank classification is ordinary).
--
-- A view of int_documents_classified, itself a view of the incremental
-- stg_ward_exports__documents: a run recomputes only the documents its window touched, and
-- publishing copies the rows into par.duckdb as a table.

-- On Spark a table: publishing reads the marts' Parquet files, and a view has none.
{{ config(materialized=('table' if target.type == 'spark' else 'view')) }}

with

documents as (

    select * from {{ ref('int_documents_classified') }}

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
    is_sent_electronically,
    is_sent_signed,
    updated_at,
    export_date,
    source_file,
    source_row,
    -- for publishing, which leaves it out of the published table (build_stamp in the yml)
    recomputed_in_build

from documents
