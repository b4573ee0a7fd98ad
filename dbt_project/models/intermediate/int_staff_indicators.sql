-- Staff indicators for each unit's own staff list (scope self), per month, quarter and
-- year: stocks read the list in force on the unit's last day in the period (the period
-- end, or its last day if it ceased during the period; int_staff_counts). Sparse like
-- the other sources: a unit and period without a list in force (before the unit's first
-- snapshot) has no row here and becomes 0 / 0 in indicator_values, value null, as
-- PROC_PUBLISHED_RATE does before a unit's first catalogue snapshot.

with

staff_counts as (

    select * from {{ ref('int_staff_counts') }}

),

stocks as (

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        'STAFF_EMAIL_RATE' as indicator_code,
        serving_with_official_email as numerator,
        serving_staff as denominator
    from staff_counts

    union all

    select
        unit_code,
        unit_valid_from,
        period_type,
        period_start,
        period_end,
        'STAFF_LEADER_SIGNING_RATE' as indicator_code,
        serving_leaders_with_certificate as numerator,
        serving_leaders as denominator
    from staff_counts

)

select
    unit_code,
    unit_valid_from,
    'self' as scope,
    period_type,
    period_start,
    period_end,
    indicator_code,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator

from stocks
