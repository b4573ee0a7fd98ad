-- Dossier indicators for each unit's own desk (scope self), per month, quarter and
-- year; only the unit/period/indicator combinations with something to count.
-- Received figures are attributed by received_at, finished figures by finished_at, each
-- to the unit whose registry row is valid that day (roll_up_indicator_events).
-- Which dossiers a unit counts as received - a dossier handed over in a reorganisation
-- is received once, by the unit whose own log had it - is int_dossiers_received's rule
-- (procedure_performance reads it too); finished figures follow finished_at, whoever
-- finished the dossier.

with

dossiers as (

    select * from {{ ref('int_dossier_facts') }}

),

received as (

    select * from {{ ref('int_dossiers_received') }}

),

finished as (

    select * from dossiers
    where is_finished

),

events as (

    select
        unit_code,
        received_date as event_date,
        'DOSSIER_RECEIVED' as indicator_code,
        1 as numerator,
        cast(null as integer) as denominator
    from received

    union all

    select
        unit_code,
        received_date as event_date,
        'DOSSIER_ONLINE_RATE_PARTIAL' as indicator_code,
        case when is_online then 1 else 0 end as numerator,
        1 as denominator
    from received
    where procedure_online_level = 'partial'

    union all

    select
        unit_code,
        received_date as event_date,
        'DOSSIER_ONLINE_RATE_FULL' as indicator_code,
        case when is_online then 1 else 0 end as numerator,
        1 as denominator
    from received
    where procedure_online_level = 'full'

    union all

    select
        unit_code,
        received_date as event_date,
        'DOSSIER_DIGITIZED_RATE' as indicator_code,
        case when digitized then 1 else 0 end as numerator,
        1 as denominator
    from received

    union all

    select
        unit_code,
        finished_date as event_date,
        'DOSSIER_FINISHED' as indicator_code,
        1 as numerator,
        cast(null as integer) as denominator
    from finished

    union all

    select
        unit_code,
        finished_date as event_date,
        'DOSSIER_ONTIME' as indicator_code,
        1 as numerator,
        cast(null as integer) as denominator
    from finished
    where is_on_time

    union all

    select
        unit_code,
        finished_date as event_date,
        'DOSSIER_LATE' as indicator_code,
        1 as numerator,
        cast(null as integer) as denominator
    from finished
    where is_late

    union all

    select
        unit_code,
        finished_date as event_date,
        'DOSSIER_ONTIME_RATE' as indicator_code,
        case when is_on_time then 1 else 0 end as numerator,
        1 as denominator
    from finished

    union all

    select
        unit_code,
        finished_date as event_date,
        'DOSSIER_APOLOGY_RATE' as indicator_code,
        case when apology_issued then 1 else 0 end as numerator,
        1 as denominator
    from finished
    where is_late

    union all

    select
        unit_code,
        finished_date as event_date,
        'DOSSIER_PAID_ONLINE_RATE' as indicator_code,
        case when paid_online then 1 else 0 end as numerator,
        1 as denominator
    from finished
    where procedure_has_fee

),

{{ roll_up_indicator_events('events') }}

select * from rolled_up_by_scope
