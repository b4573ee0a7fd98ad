{#
    Turns indicator events into per-period figures for the unit's own desk (scope self).

    `events` names a relation or CTE with columns unit_code, event_date, indicator_code,
    numerator (contribution, 0 or 1) and denominator (1 for a rate's base, null for a
    count). The macro emits three CTEs, to follow a `with ... ,`:
      - events_of_existing_units: events on days the unit code existed (others cannot
        be attributed to a unit as of the period and are reported by the
        unit_exists_on_date test),
      - monthly: sums per unit, indicator and month,
      - rolled_up: sums per unit, indicator and month/quarter/year period.
    Summing months first and rolling up through int_period_months makes every flow of a
    year the sum of its quarters and of its months by construction.
#}
{% macro roll_up_indicator_events(events) -%}
events_of_existing_units as (

    select
        events.unit_code,
        events.event_date,
        events.indicator_code,
        events.numerator,
        events.denominator

    from {{ events }} as events
    where exists (
        select 1
        from {{ ref('stg_ward_exports__units') }} as units
        where
            units.unit_code = events.unit_code
            and (units.valid_from is null or units.valid_from <= events.event_date)
            and (units.valid_to is null or units.valid_to >= events.event_date)
    )

),

monthly as (

    select
        unit_code,
        indicator_code,
        cast({{ dbt.date_trunc('month', 'event_date') }} as date) as month_start,
        sum(numerator) as numerator,
        sum(denominator) as denominator

    from events_of_existing_units
    group by
        unit_code,
        indicator_code,
        cast({{ dbt.date_trunc('month', 'event_date') }} as date)

),

rolled_up as (

    select
        monthly.unit_code,
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
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        monthly.indicator_code

)
{%- endmacro %}
