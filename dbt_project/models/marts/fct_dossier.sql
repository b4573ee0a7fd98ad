-- One row per dossier in its current state, with the attributes of its procedure as
-- they stood on the day it was received and the due date the TTHC rule gives next to the
-- recorded one. The applicant's ID hash stays in the build file and is not published here.
--
-- A view: the rows are int_dossier_facts, the incremental table that recomputes only what
-- a night can change (see there). Publishing copies them into par.duckdb as a table; a
-- second copy in the build file would only cost a rewrite every night.

-- On Spark a table: publishing reads the marts' Parquet files, and a view has none.
{{ config(materialized=('table' if target.type == 'spark' else 'view')) }}

with

dossier_facts as (

    select * from {{ ref('int_dossier_facts') }}

)

select
    unit_code,
    dossier_code,
    procedure_code,
    procedure_version_key,
    procedure_online_level,
    procedure_has_fee,
    procedure_processing_days,
    channel,
    is_online,
    applicant_id_kind,
    received_at,
    due_at,
    finished_at,
    returned_at,
    status,
    supplement_count,
    apology_issued,
    late_reason,
    paid_online,
    digitized,
    received_date,
    due_date,
    finished_date,
    is_counted,
    is_finished,
    timeliness,
    is_on_time,
    is_late,
    expected_due_date,
    due_date_moved,
    due_date_days_moved,
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row,
    -- for publishing, which leaves it out of the published table (build_stamp in the yml)
    recomputed_in_build

from dossier_facts
