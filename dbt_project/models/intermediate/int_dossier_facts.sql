-- One row per dossier in its current state, with the attributes of its procedure as
-- they stood on the day it was received (the version in force that day; for a dossier
-- received before the unit's first catalogue snapshot, the procedure's earliest version;
-- for a dossier handed over in a reorganisation - in the log of a unit that began after
-- its received_at, also under a reused code - the version in force on that unit's first
-- catalogue snapshot, as the contract says)
-- and its expected due date by the TTHC rule (macro due_dates_by_rule, working days from
-- int_calendar_working_days). The rows of fct_dossier, which publishes them; the
-- applicant's ID hash stays in int_dossiers_classified.
--
-- Incremental: a nightly run recomputes only the dossiers whose row or procedure may have
-- changed - those with a change-log row exported in the run's window or whose current row
-- came from it (as in stg_ward_exports__dossiers), and, for each unit that delivered a
-- catalogue snapshot in the window, those received on or after that snapshot's date or
-- before the unit's first snapshot (the only ones a new snapshot can move to another
-- version). Without window vars every dossier is touched, so a plain `dbt build`
-- recomputes all.
--
-- The working days: a holiday added or a year appended moves expected due dates
-- anywhere, so when the working days differ from those the table was built with, every
-- dossier is recomputed. What they were built with is not kept in a side table: this
-- table's own rows are the record. Each row holds the inputs of the rule (received_date,
-- whether a version was found, procedure_processing_days, date(due_at)) next to what the
-- rule gave then (expected_due_date, due_date_moved, due_date_days_moved); an incremental
-- run applies the same rule with today's int_calendar_working_days to each distinct
-- combination of inputs in the table and recomputes every dossier if any result differs.
-- The only state read is the model's own previous rows; the calendar is an ordinary parent
-- in the DAG; a run that fails leaves the rows - so the difference - for the next run to
-- see; and a change of the rule itself is caught the same way.
--
-- A column added to the model (late_reason) is appended to a table built before it
-- (on_schema_change); the dossiers a run does not touch keep null there until recomputed.
--
-- recomputed_in_build: the number of the build that last recomputed the row (macro
-- build_sequence), which fct_dossier carries for publishing, so that it writes only the
-- dossiers recomputed since the published file's build. A row without one (written by a
-- plain `dbt build`, or before the column was added) counts as touched in a pipeline
-- build, which stamps it (macro rows_without_build_stamp).
-- depends_on: {{ ref('stg_ward_exports__procedures') }}
-- depends_on: {{ ref('stg_ward_exports__dossier_changes') }}

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

procedure_versions as (

    select
        *,
        min(valid_from) over (partition by unit_code) as unit_first_snapshot_date

    from {{ ref('int_procedure_versions') }}

),

calendar as (

    select * from {{ ref('int_calendar_working_days') }}

),

-- each unit's first catalogue snapshot on or after its first day: the catalogue a
-- handed-over dossier's procedure is read from
unit_catalogues as (

    select
        units.unit_code,
        units.valid_from,
        units.valid_to,
        units.unit_valid_from,
        min(snapshots.export_date) as first_catalogue_date

    from {{ ref('int_units') }} as units
    left join {{ ref('stg_ward_exports__procedures') }} as snapshots
        on
            units.unit_code = snapshots.unit_code
            and (units.unit_valid_from is null or units.unit_valid_from <= snapshots.export_date)
            and (units.unit_valid_to is null or units.unit_valid_to >= snapshots.export_date)
    group by units.unit_code, units.valid_from, units.valid_to, units.unit_valid_from

),

all_dossiers as (

    select * from {{ ref('int_dossiers_classified') }}

),

{% if is_incremental() %}

snapshots_in_window as (

    select
        snapshots.unit_code,
        min(snapshots.export_date) as first_snapshot_date_in_window,
        min(unit_snapshots.unit_first_snapshot_date) as unit_first_snapshot_date

    from {{ ref('stg_ward_exports__procedures') }} as snapshots
    inner join (
        select distinct
            unit_code,
            unit_first_snapshot_date
        from procedure_versions
    ) as unit_snapshots
        on snapshots.unit_code = unit_snapshots.unit_code
    where {{ in_partition_window('snapshots.export_date') }}
    group by snapshots.unit_code

),

built_due_dates as (

    -- the rule's inputs and results as this table holds them, each combination once
    select distinct
        received_date,
        procedure_version_key is not null as has_procedure_version,
        procedure_processing_days,
        cast(due_at as date) as recorded_due_date,
        expected_due_date as built_expected_due_date,
        due_date_moved as built_due_date_moved,
        due_date_days_moved as built_due_date_days_moved

    from {{ this }}

),

rebuilt_due_dates as (

    {{ due_dates_by_rule('built_due_dates', 'calendar') }}

),

working_days_changed as (

    select exists (
        select 1
        from rebuilt_due_dates
        where
            expected_due_date is distinct from built_expected_due_date
            or due_date_moved is distinct from built_due_date_moved
            or due_date_days_moved is distinct from built_due_date_days_moved
    ) as changed

),

-- The branches below read int_dossiers_classified itself, not the all_dossiers CTE: a CTE
-- read more than once is materialised whole by DuckDB (every column of every dossier,
-- ~0.3 s a night at the province scale), while each branch needs four columns.
touched as (

    {{ keys_touched_in_window(ref('stg_ward_exports__dossier_changes'), {
        'unit_code': 'unit_code',
        'dossier_code': 'dossier_code',
    }, stamped=true) }}

    union

    select
        all_dossiers.unit_code,
        all_dossiers.dossier_code

    from {{ ref('int_dossiers_classified') }} as all_dossiers
    inner join snapshots_in_window
        on all_dossiers.unit_code = snapshots_in_window.unit_code
    where
        all_dossiers.received_date >= snapshots_in_window.first_snapshot_date_in_window
        or all_dossiers.received_date < snapshots_in_window.unit_first_snapshot_date

    union

    -- handed over: read from the first catalogue of its unit, which a new snapshot of
    -- that unit may be
    select
        all_dossiers.unit_code,
        all_dossiers.dossier_code

    from {{ ref('int_dossiers_classified') }} as all_dossiers
    inner join snapshots_in_window
        on all_dossiers.unit_code = snapshots_in_window.unit_code
    inner join unit_catalogues
        on
            all_dossiers.unit_code = unit_catalogues.unit_code
            and (
                unit_catalogues.valid_from is null
                or all_dossiers.export_date >= unit_catalogues.valid_from
            )
            and (
                unit_catalogues.valid_to is null
                or all_dossiers.export_date <= unit_catalogues.valid_to
            )
    where all_dossiers.received_date < unit_catalogues.unit_valid_from

    union

    select
        unit_code,
        dossier_code

    from {{ ref('int_dossiers_classified') }} as all_dossiers
    where (select changed from working_days_changed)

),

{% endif %}

dossiers as (

    select
        all_dossiers.*,
        -- the day whose catalogue gives the procedure's attributes: received_date, or
        -- for a dossier received before the unit of its current row began (handed over)
        -- that unit's first catalogue snapshot
        case
            when
                all_dossiers.received_date < unit_catalogues.unit_valid_from
                and unit_catalogues.first_catalogue_date is not null
                then unit_catalogues.first_catalogue_date
            else all_dossiers.received_date
        end as catalogue_date

    from all_dossiers
    left join unit_catalogues
        on
            all_dossiers.unit_code = unit_catalogues.unit_code
            and (
                unit_catalogues.valid_from is null
                or all_dossiers.export_date >= unit_catalogues.valid_from
            )
            and (
                unit_catalogues.valid_to is null
                or all_dossiers.export_date <= unit_catalogues.valid_to
            )
    {% if is_incremental() %}
        inner join touched
            on
                all_dossiers.unit_code = touched.unit_code
                and all_dossiers.dossier_code = touched.dossier_code
    {% endif %}

),

joined as (

    select
        dossiers.*,
        procedure_versions.procedure_version_key,
        procedure_versions.procedure_version_key is not null as has_procedure_version,
        procedure_versions.online_level as procedure_online_level,
        procedure_versions.has_fee as procedure_has_fee,
        procedure_versions.processing_days as procedure_processing_days,
        cast(dossiers.due_at as date) as recorded_due_date

    from dossiers
    left join procedure_versions
        on
            dossiers.unit_code = procedure_versions.unit_code
            and dossiers.procedure_code = procedure_versions.procedure_code
            and (
                (
                    dossiers.catalogue_date >= procedure_versions.valid_from
                    and (
                        procedure_versions.valid_to is null
                        or dossiers.catalogue_date <= procedure_versions.valid_to
                    )
                )
                or (
                    dossiers.catalogue_date < procedure_versions.unit_first_snapshot_date
                    and procedure_versions.version_number = 1
                )
            )

),

due_dates as (

    {{ due_dates_by_rule('joined', 'calendar') }}

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
    timeliness in ('early', 'on_time') as is_on_time,
    timeliness = 'late' as is_late,
    expected_due_date,
    due_date_moved,
    due_date_days_moved,
    updated_at,
    change_rows,
    export_date,
    source_file,
    source_row,
    {{ build_sequence() }} as recomputed_in_build

from due_dates
