-- Current state of each dossier: the change-log row with the latest updated_at per
-- (unit_code, dossier_code); ties go to the later export, then file, then row.
--
-- Found in two steps: each dossier's latest updated_at (an aggregate), then only its rows
-- with that updated_at - one, unless tied - ranked by the tie-breaks. Ranking all ten
-- million rows of a province's year, every column carried through the sort, took twice
-- as long for the same rows. A dossier whose rows have no updated_at keeps them all as
-- candidates (the null is matched as a value), as `updated_at desc` puts nulls last.
--
-- Incremental: the change log grows by millions of rows a year, so a run recomputes only
-- the dossiers it touches, from all their rows: those with a row exported in the run's
-- window, and those whose current row came from it (a corrected re-delivery of a day may
-- have dropped rows). Dossiers left with no row at all are deleted by the post-hook.
-- Without window vars every dossier is touched, so a plain `dbt build` recomputes all.
-- A column added to the model (late_reason) is appended to a table built before it
-- (on_schema_change); the dossiers a run does not touch keep null there.
--
-- recomputed_in_build: the number of the build that last recomputed the row (macro
-- build_sequence), so that the tests of this table and of int_dossiers_classified, a view
-- of it row by row, check only the dossiers recomputed since the last good build
-- (columns_are_well_formed's `stamp`). A row without one (written by a plain `dbt build`,
-- or before the column was added) counts as touched in a pipeline build, which stamps it
-- (macro rows_without_build_stamp).

-- On Spark (Parquet tables, no delete) a whole table, rebuilt every run.

{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='delete+insert',
        unique_key=['unit_code', 'dossier_code'],
        on_schema_change='append_new_columns',
        post_hook=(
            [] if target.type == 'spark'
            else ["{{ delete_rows_gone_from_raw(ref('stg_ward_exports__dossier_changes')) }}"]
        ),
    )
}}

with

{% if is_incremental() %}

touched as (

    {{ keys_touched_in_window(ref('stg_ward_exports__dossier_changes'), {
        'unit_code': 'unit_code',
        'dossier_code': 'dossier_code',
    }, stamped=true) }}

),

{% endif %}

changes as (

    select dossier_changes.*

    from {{ ref('stg_ward_exports__dossier_changes') }} as dossier_changes
    {% if is_incremental() %}
        inner join touched
            on
                dossier_changes.unit_code = touched.unit_code
                and dossier_changes.dossier_code = touched.dossier_code
    {% endif %}

),

latest_updates as (

    select
        unit_code,
        dossier_code,
        count(*) as change_rows,
        max(updated_at) as latest_updated_at

    from changes
    group by unit_code, dossier_code

),

-- the change log itself, not the changes CTE: a CTE read twice is materialised whole by
-- DuckDB, and the join to latest_updates keeps only the dossiers the run recomputes
latest_rows as (

    select
        dossier_changes.*,
        latest_updates.change_rows

    from {{ ref('stg_ward_exports__dossier_changes') }} as dossier_changes
    inner join latest_updates
        on
            dossier_changes.unit_code is not distinct from latest_updates.unit_code
            and dossier_changes.dossier_code is not distinct from latest_updates.dossier_code
            and dossier_changes.updated_at is not distinct from latest_updates.latest_updated_at

),

ranked as (

    select
        *,
        row_number() over (
            partition by unit_code, dossier_code
            order by export_date desc, source_file desc, source_row desc
        ) as row_rank

    from latest_rows

)

select
    unit_code,
    dossier_code,
    procedure_code,
    channel,
    applicant_id_hash,
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
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row,
    {{ build_sequence() }} as recomputed_in_build

from ranked
where row_rank = 1
