-- The dossiers a unit counts as received: every counted dossier with a received_at
-- (int_dossier_facts' current rows), except a successor's copy of a dossier handed over
-- in a reorganisation. A handed-over dossier appears in the successor's log with its
-- original received_at: it counts as received only by a unit whose own log holds it on
-- a day of that unit (the current row's exporting unit, or a change row exported while
-- the unit existed), so the successor's copy is never received a second time - also when
-- the successor reuses the code of the unit that received it (one current row for both
-- logs) or of another one. A copy under a code that did not exist on the day received
-- is kept here and attributed to no unit by the readers (no registry row that day).
-- Received figures read this model (int_dossier_indicators, procedure_performance);
-- finished figures read int_dossier_facts, whoever finished the dossier.

{{ config(materialized='view') }}

with

dossiers as (

    select * from {{ ref('int_dossier_facts') }}

),

units as (

    select * from {{ ref('int_units') }}

),

dossier_changes as (

    select * from {{ ref('stg_ward_exports__dossier_changes') }}

),

received_with_units as (

    select
        dossiers.*,
        receiving.unit_valid_from as receiving_unit_valid_from,
        receiving.unit_valid_to as receiving_unit_valid_to,
        delivering.unit_valid_from as delivering_unit_valid_from

    from dossiers
    -- the unit of the code on the day received, and the one that exported the current row
    left join units as receiving
        on
            dossiers.unit_code = receiving.unit_code
            and (receiving.valid_from is null or dossiers.received_date >= receiving.valid_from)
            and (receiving.valid_to is null or dossiers.received_date <= receiving.valid_to)
    left join units as delivering
        on
            dossiers.unit_code = delivering.unit_code
            and (delivering.valid_from is null or dossiers.export_date >= delivering.valid_from)
            and (delivering.valid_to is null or dossiers.export_date <= delivering.valid_to)
    where dossiers.is_counted and dossiers.received_date is not null

),

-- the current row came from another unit than the one of the day received (a code
-- reused by a successor): did the receiving unit's own log have the dossier?
received_in_own_log as (

    select distinct
        received_with_units.unit_code,
        received_with_units.dossier_code

    from received_with_units
    inner join dossier_changes
        on
            received_with_units.unit_code = dossier_changes.unit_code
            and received_with_units.dossier_code = dossier_changes.dossier_code
    where
        received_with_units.receiving_unit_valid_from
        is distinct from received_with_units.delivering_unit_valid_from
        and (
            received_with_units.receiving_unit_valid_from is null
            or dossier_changes.export_date >= received_with_units.receiving_unit_valid_from
        )
        and (
            received_with_units.receiving_unit_valid_to is null
            or dossier_changes.export_date <= received_with_units.receiving_unit_valid_to
        )

)

select received_with_units.*

from received_with_units
left join received_in_own_log
    on
        received_with_units.unit_code = received_in_own_log.unit_code
        and received_with_units.dossier_code = received_in_own_log.dossier_code
where
    -- the usual case: the unit that received it delivered the current row
    received_with_units.receiving_unit_valid_from
    is not distinct from received_with_units.delivering_unit_valid_from
    -- handed over under a reused code: the receiving unit's own log had it
    or received_in_own_log.unit_code is not null
