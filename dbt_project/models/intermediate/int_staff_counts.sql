-- The staff list in force on each unit's last day in each period, per unit, and what it
-- counts (scope self). Like the procedure stocks: the list in force on day d is the
-- unit's latest snapshot with export_date on or before d; a period is read on the
-- unit's last day in it (int_unit_periods.last_day_in_period: the period end, or the
-- unit's last day if it ceased to exist during the period), and a unit has no list
-- before its first snapshot. Only officials serving on the snapshot date (status 1)
-- count; a yes/no left blank counts as no.

with

unit_periods as (

    select * from {{ ref('int_unit_periods') }}

),

staff as (

    select * from {{ ref('stg_ward_exports__staff') }}

),

snapshot_dates as (

    select distinct
        unit_code,
        export_date

    from staff

),

lists_in_force as (

    select
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        unit_periods.period_end,
        max(snapshot_dates.export_date) as snapshot_date

    from unit_periods
    inner join snapshot_dates
        on
            unit_periods.unit_code = snapshot_dates.unit_code
            and unit_periods.last_day_in_period >= snapshot_dates.export_date
            -- a reused code: only the lists this unit delivered
            and (
                unit_periods.unit_valid_from is null
                or unit_periods.unit_valid_from <= snapshot_dates.export_date
            )
    group by
        unit_periods.unit_code,
        unit_periods.unit_valid_from,
        unit_periods.period_type,
        unit_periods.period_start,
        unit_periods.period_end

)

select
    lists_in_force.unit_code,
    lists_in_force.unit_valid_from,
    lists_in_force.period_type,
    lists_in_force.period_start,
    lists_in_force.period_end,
    lists_in_force.snapshot_date,
    count(*) as listed_staff,
    sum(case when staff.is_serving then 1 else 0 end) as serving_staff,
    sum(case when staff.is_serving and staff.has_official_email then 1 else 0 end)
        as serving_with_official_email,
    sum(case when staff.is_serving and staff.is_leader then 1 else 0 end) as serving_leaders,
    sum(
        case
            when staff.is_serving and staff.is_leader and staff.has_signing_certificate
                then 1
            else 0
        end
    ) as serving_leaders_with_certificate

from lists_in_force
inner join staff
    on
        lists_in_force.unit_code = staff.unit_code
        and lists_in_force.snapshot_date = staff.export_date
group by
    lists_in_force.unit_code,
    lists_in_force.unit_valid_from,
    lists_in_force.period_type,
    lists_in_force.period_start,
    lists_in_force.period_end,
    lists_in_force.snapshot_date
