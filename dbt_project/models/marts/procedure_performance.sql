-- Dossier figures per procedure for each unit's own desk (scope self), per month,
-- quarter and year: "which procedures are most often late?" without fct_dossier and the
-- counting rules. The rules are DOSSIER_*'s (int_dossier_indicators): received figures
-- from int_dossiers_received (counted dossiers only, status not 1, 3 or 7; a dossier
-- handed over in a reorganisation once, by the unit whose own log had it) by the day
-- received; finished, on time and late from int_dossier_facts by the day finished; the
-- online level the procedure had on the day each dossier was received. A unit is
-- (unit_code, unit_valid_from): each event goes to the unit whose registry row is valid
-- on the event day (int_units; none when the code does not exist that day), so a reused
-- code is two units with their own rows, as in indicator_values. Summed by month and
-- rolled up through int_period_months, so a year is the sum of its quarters and months.
-- Sparse: a procedure has a row for a unit and period only with a dossier received or
-- finished in it. The test procedures_add_up_to_dossier_indicators checks that the sums
-- over procedures equal indicator_values' self rows, unit by unit.

with

dossiers as (

    select * from {{ ref('int_dossier_facts') }}

),

received_dossiers as (

    select * from {{ ref('int_dossiers_received') }}

),

units as (

    select * from {{ ref('int_units') }}

),

unit_periods as (

    select * from {{ ref('int_unit_periods') }}

),

period_months as (

    select * from {{ ref('int_period_months') }}

),

procedure_versions as (

    select * from {{ ref('int_procedure_versions') }}

),

events as (

    -- received, by the day received
    select
        unit_code,
        procedure_code,
        received_date as event_date,
        1 as received,
        case when is_online then 1 else 0 end as received_online,
        case when procedure_online_level = 'partial' then 1 else 0 end as received_partial,
        case
            when procedure_online_level = 'partial' and is_online then 1 else 0
        end as received_online_partial,
        case when procedure_online_level = 'full' then 1 else 0 end as received_full,
        case
            when procedure_online_level = 'full' and is_online then 1 else 0
        end as received_online_full,
        0 as finished,
        0 as on_time,
        0 as late

    from received_dossiers

    union all

    -- finished, on time and late, by the day finished
    select
        unit_code,
        procedure_code,
        finished_date as event_date,
        0 as received,
        0 as received_online,
        0 as received_partial,
        0 as received_online_partial,
        0 as received_full,
        0 as received_online_full,
        1 as finished,
        case when is_on_time then 1 else 0 end as on_time,
        case when is_late then 1 else 0 end as late

    from dossiers
    where is_finished

),

-- as indicator_values (roll_up_indicator_events): each event goes to the unit whose
-- registry row is valid on the event day; an event on a day its unit code does not exist
-- is attributed to no unit (the unit_exists_on_date test on fct_dossier reports it)
events_of_existing_units as (

    select
        events.*,
        units.unit_valid_from

    from events
    -- validity rows of one code never overlap: at most one unit per event
    inner join units
        on
            events.unit_code = units.unit_code
            and (units.valid_from is null or events.event_date >= units.valid_from)
            and (units.valid_to is null or events.event_date <= units.valid_to)

),

monthly as (

    select
        unit_code,
        unit_valid_from,
        procedure_code,
        cast({{ dbt.date_trunc('month', 'event_date') }} as date) as month_start,
        sum(received) as received,
        sum(received_online) as received_online,
        sum(received_partial) as received_partial,
        sum(received_online_partial) as received_online_partial,
        sum(received_full) as received_full,
        sum(received_online_full) as received_online_full,
        sum(finished) as finished,
        sum(on_time) as on_time,
        sum(late) as late

    from events_of_existing_units
    group by
        unit_code,
        unit_valid_from,
        procedure_code,
        cast({{ dbt.date_trunc('month', 'event_date') }} as date)

),

rolled_up as (

    select
        monthly.unit_code,
        monthly.unit_valid_from,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        monthly.procedure_code,
        sum(monthly.received) as received,
        sum(monthly.received_online) as received_online,
        sum(monthly.received_partial) as received_partial,
        sum(monthly.received_online_partial) as received_online_partial,
        sum(monthly.received_full) as received_full,
        sum(monthly.received_online_full) as received_online_full,
        sum(monthly.finished) as finished,
        sum(monthly.on_time) as on_time,
        sum(monthly.late) as late

    from monthly
    inner join period_months
        on monthly.month_start = period_months.month_start
    group by
        monthly.unit_code,
        monthly.unit_valid_from,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        monthly.procedure_code

),

-- the procedure as the unit's catalogue described it on the unit's last day in the period
-- (the period end, or the unit's last day if it ended earlier - not a later unit's
-- catalogue under a reused code): its last version from on or before that day; failing
-- that (a period before the unit's first snapshot), its earliest version; none for a code
-- the catalogue never listed
procedure_labels as (

    select
        rolled_up.unit_code,
        rolled_up.unit_valid_from,
        rolled_up.period_type,
        rolled_up.period_start,
        rolled_up.procedure_code,
        procedure_versions.procedure_name,
        procedure_versions.domain,
        procedure_versions.online_level,
        procedure_versions.processing_days,
        row_number() over (
            partition by
                rolled_up.unit_code,
                rolled_up.unit_valid_from,
                rolled_up.period_type,
                rolled_up.period_start,
                rolled_up.procedure_code
            order by
                case
                    when procedure_versions.valid_from <= unit_periods.last_day_in_period
                        then procedure_versions.valid_from
                end desc nulls last,
                procedure_versions.valid_from asc
        ) as version_rank

    from rolled_up
    inner join unit_periods
        on
            rolled_up.unit_code = unit_periods.unit_code
            and rolled_up.unit_valid_from is not distinct from unit_periods.unit_valid_from
            and rolled_up.period_type = unit_periods.period_type
            and rolled_up.period_start = unit_periods.period_start
    inner join procedure_versions
        on
            rolled_up.unit_code = procedure_versions.unit_code
            and rolled_up.procedure_code = procedure_versions.procedure_code

)

select
    cast(rolled_up.unit_code as {{ text_type() }}) as unit_code,
    cast(rolled_up.unit_valid_from as date) as unit_valid_from,
    cast(unit_periods.unit_name as {{ text_type() }}) as unit_name,
    cast('self' as {{ text_type() }}) as scope,
    cast(rolled_up.period_type as {{ text_type() }}) as period_type,
    cast(rolled_up.period_start as date) as period_start,
    cast(rolled_up.period_end as date) as period_end,
    cast(rolled_up.procedure_code as {{ text_type() }}) as procedure_code,
    procedure_labels.procedure_name,
    procedure_labels.domain,
    procedure_labels.online_level,
    procedure_labels.processing_days,
    cast(rolled_up.received as bigint) as dossiers_received,
    cast(rolled_up.received_online as bigint) as dossiers_received_online,
    cast(rolled_up.received_partial as bigint) as dossiers_received_partial,
    cast(rolled_up.received_online_partial as bigint) as dossiers_received_online_partial,
    cast(rolled_up.received_full as bigint) as dossiers_received_full,
    cast(rolled_up.received_online_full as bigint) as dossiers_received_online_full,
    cast(rolled_up.finished as bigint) as dossiers_finished,
    cast(rolled_up.on_time as bigint) as dossiers_on_time,
    cast(rolled_up.late as bigint) as dossiers_late,
    {{ rate_percent('rolled_up.on_time', 'rolled_up.finished') }} as on_time_rate

from rolled_up
-- the unit's name as of the period, as in indicator_values
inner join unit_periods
    on
        rolled_up.unit_code = unit_periods.unit_code
        and rolled_up.unit_valid_from is not distinct from unit_periods.unit_valid_from
        and rolled_up.period_type = unit_periods.period_type
        and rolled_up.period_start = unit_periods.period_start
left join procedure_labels
    on
        rolled_up.unit_code = procedure_labels.unit_code
        and rolled_up.unit_valid_from is not distinct from procedure_labels.unit_valid_from
        and rolled_up.period_type = procedure_labels.period_type
        and rolled_up.period_start = procedure_labels.period_start
        and rolled_up.procedure_code = procedure_labels.procedure_code
        and procedure_labels.version_rank = 1
