-- Dossier indicators for each unit's own desk (scope self), per month, quarter and
-- year; only the unit/period/indicator combinations with something to count.
-- Received figures are attributed by received_at, finished figures by finished_at, each
-- to the unit whose registry row is valid that day (roll_up_indicator_events).
-- Which dossiers a unit counts as received - a dossier handed over in a reorganisation
-- is received once, by the unit whose own log had it - is int_dossiers_received's rule
-- (procedure_performance reads it too); finished figures follow finished_at, whoever
-- finished the dossier.
--
-- The dossiers are counted per unit code and day in one pass over each source, and each
-- indicator's events are those daily counts (a dossier counts 1 in a count and in a
-- rate's denominator, 1 or 0 in its numerator; a day without a dossier that a rate
-- counts has no event of it): one row per code, day and indicator for
-- roll_up_indicator_events, where an event per dossier and indicator made ~18 million
-- rows for a province's year.

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

received_by_day as (

    select
        unit_code,
        received_date as event_date,
        count(*) as received,
        sum(case when procedure_online_level = 'partial' then 1 else 0 end) as partial_level,
        sum(
            case when procedure_online_level = 'partial' and is_online then 1 else 0 end
        ) as partial_level_online,
        sum(case when procedure_online_level = 'full' then 1 else 0 end) as full_level,
        sum(
            case when procedure_online_level = 'full' and is_online then 1 else 0 end
        ) as full_level_online,
        sum(case when digitized then 1 else 0 end) as digitized

    from received
    group by unit_code, received_date

),

finished_by_day as (

    select
        unit_code,
        finished_date as event_date,
        count(*) as finished,
        sum(case when is_on_time then 1 else 0 end) as on_time,
        sum(case when is_late then 1 else 0 end) as late,
        sum(case when is_late and apology_issued then 1 else 0 end) as late_with_apology,
        sum(case when procedure_has_fee then 1 else 0 end) as with_fee,
        sum(case when procedure_has_fee and paid_online then 1 else 0 end) as paid_online

    from finished
    group by unit_code, finished_date

),

events as (

    select
        unit_code,
        event_date,
        'DOSSIER_RECEIVED' as indicator_code,
        received as numerator,
        cast(null as bigint) as denominator
    from received_by_day

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_ONLINE_RATE_PARTIAL' as indicator_code,
        partial_level_online as numerator,
        partial_level as denominator
    from received_by_day
    where partial_level > 0

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_ONLINE_RATE_FULL' as indicator_code,
        full_level_online as numerator,
        full_level as denominator
    from received_by_day
    where full_level > 0

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_DIGITIZED_RATE' as indicator_code,
        digitized as numerator,
        received as denominator
    from received_by_day

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_FINISHED' as indicator_code,
        finished as numerator,
        cast(null as bigint) as denominator
    from finished_by_day

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_ONTIME' as indicator_code,
        on_time as numerator,
        cast(null as bigint) as denominator
    from finished_by_day
    where on_time > 0

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_LATE' as indicator_code,
        late as numerator,
        cast(null as bigint) as denominator
    from finished_by_day
    where late > 0

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_ONTIME_RATE' as indicator_code,
        on_time as numerator,
        finished as denominator
    from finished_by_day

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_APOLOGY_RATE' as indicator_code,
        late_with_apology as numerator,
        late as denominator
    from finished_by_day
    where late > 0

    union all

    select
        unit_code,
        event_date,
        'DOSSIER_PAID_ONLINE_RATE' as indicator_code,
        paid_online as numerator,
        with_fee as denominator
    from finished_by_day
    where with_fee > 0

),

{{ roll_up_indicator_events('events') }}

select * from rolled_up_by_scope
