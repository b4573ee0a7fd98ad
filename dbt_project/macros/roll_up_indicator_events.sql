{#
    Turns indicator events into per-period figures for the unit's own desk (scope self).

    `events` names a relation or CTE with columns unit_code, event_date, indicator_code,
    numerator (an event's contribution, 0 or 1, or the sum of several events' on that
    code and day) and denominator (a rate's base, 1 per event, or their sum; null for a
    count). The macro emits these CTEs, to follow a `with ... ,`:
      - events_by_day: the events summed per unit code, day and indicator (a count's
        denominator stays null). Everything below depends on an event only through its
        code and day, so it reads one row per code, day and indicator - a few hundred
        thousand for a province's year - instead of one per event (tens of millions for
        the dossiers), and gives the same sums,
      - events_of_existing_units: events on days the unit code existed, with the unit
        (unit_valid_from, int_units) whose registry row is valid on the event day: a
        reused code is two units (others cannot be attributed to a unit as of the
        period and are reported by the unit_exists_on_date test),
      - monthly: sums per unit, indicator and month,
      - rolled_up: sums per unit, indicator and month/quarter/year period (scope self),
      - area_monthly, area_rolled_up: the same for scope area - each event counted, on its
        day, for its unit and every unit its unit is under that day (int_unit_hierarchy),
        so the area follows the hierarchy of each day,
      - rolled_up_by_scope: rolled_up and area_rolled_up with their `scope`, the
        intermediate indicator models' output.
    Summing months first and rolling up through int_period_months makes every flow of a
    year the sum of its quarters and of its months by construction.
#}
{% macro roll_up_indicator_events(events) -%}
events_by_day as (

    select
        unit_code,
        event_date,
        indicator_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator

    from {{ events }}
    group by unit_code, event_date, indicator_code

),

events_of_existing_units as (

    select
        events.unit_code,
        units.unit_valid_from,
        events.event_date,
        events.indicator_code,
        events.numerator,
        events.denominator

    from events_by_day as events
    -- validity rows of one code never overlap: at most one row per event
    inner join {{ ref('int_units') }} as units
        on
            events.unit_code = units.unit_code
            and (units.valid_from is null or units.valid_from <= events.event_date)
            and (units.valid_to is null or units.valid_to >= events.event_date)

),

monthly as (

    select
        unit_code,
        unit_valid_from,
        indicator_code,
        cast({{ dbt.date_trunc('month', 'event_date') }} as date) as month_start,
        sum(numerator) as numerator,
        sum(denominator) as denominator

    from events_of_existing_units
    group by
        unit_code,
        unit_valid_from,
        indicator_code,
        cast({{ dbt.date_trunc('month', 'event_date') }} as date)

),

rolled_up as (

    select
        monthly.unit_code,
        monthly.unit_valid_from,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        monthly.indicator_code,
        cast(sum(monthly.numerator) as bigint) as numerator,
        cast(sum(monthly.denominator) as bigint) as denominator

    from monthly
    inner join {{ ref('int_period_months') }} as period_months
        on monthly.month_start = period_months.month_start
    group by
        monthly.unit_code,
        monthly.unit_valid_from,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        monthly.indicator_code

),

area_monthly as (

    select
        hierarchy.area_unit_code as unit_code,
        hierarchy.area_unit_valid_from as unit_valid_from,
        events.indicator_code,
        cast({{ dbt.date_trunc('month', 'events.event_date') }} as date) as month_start,
        sum(events.numerator) as numerator,
        sum(events.denominator) as denominator

    from events_of_existing_units as events
    inner join {{ ref('int_unit_hierarchy') }} as hierarchy
        on
            events.unit_code = hierarchy.member_unit_code
            and events.unit_valid_from is not distinct from hierarchy.member_unit_valid_from
            and (hierarchy.valid_from is null or hierarchy.valid_from <= events.event_date)
            and (hierarchy.valid_to is null or hierarchy.valid_to >= events.event_date)
    group by
        hierarchy.area_unit_code,
        hierarchy.area_unit_valid_from,
        events.indicator_code,
        cast({{ dbt.date_trunc('month', 'events.event_date') }} as date)

),

area_rolled_up as (

    select
        area_monthly.unit_code,
        area_monthly.unit_valid_from,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        area_monthly.indicator_code,
        cast(sum(area_monthly.numerator) as bigint) as numerator,
        cast(sum(area_monthly.denominator) as bigint) as denominator

    from area_monthly
    inner join {{ ref('int_period_months') }} as period_months
        on area_monthly.month_start = period_months.month_start
    group by
        area_monthly.unit_code,
        area_monthly.unit_valid_from,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        area_monthly.indicator_code

),

rolled_up_by_scope as (

    select
        unit_code,
        unit_valid_from,
        'self' as scope,
        period_type,
        period_start,
        period_end,
        indicator_code,
        numerator,
        denominator
    from rolled_up

    union all

    select
        unit_code,
        unit_valid_from,
        'area' as scope,
        period_type,
        period_start,
        period_end,
        indicator_code,
        numerator,
        denominator
    from area_rolled_up

)
{%- endmacro %}
