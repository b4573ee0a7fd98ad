-- Late dossiers by the reason the desk gave, per unit, scope and period - "5 late,
-- because of network failures" next to DOSSIER_LATE. By finished_at, as DOSSIER_LATE:
-- counted by month and rolled up to quarters and years through int_period_months. Each
-- dossier belongs to the unit (unit_code, unit_valid_from) whose registry row is valid on
-- the day it finished; an `area` row counts it for that unit and every unit it is under
-- on that day (int_unit_hierarchy, as indicator_values' flows). Sparse: only reasons with
-- late dossiers; a dossier without a reason counts under late_reason null. The test
-- late_reasons_add_up_to_dossier_late checks the sums against indicator_values.

with

late_dossiers as (

    select * from {{ ref('late_dossiers') }}

),

period_months as (

    select * from {{ ref('int_period_months') }}

),

unit_periods as (

    select * from {{ ref('int_unit_periods') }}

),

units as (

    select * from {{ ref('int_units') }}

),

hierarchy as (

    select * from {{ ref('int_unit_hierarchy') }}

),

late_of_units as (

    select
        late_dossiers.unit_code,
        units.unit_valid_from,
        late_dossiers.finished_date,
        late_dossiers.late_reason

    from late_dossiers
    inner join units
        on
            late_dossiers.unit_code = units.unit_code
            and (units.valid_from is null or late_dossiers.finished_date >= units.valid_from)
            and (units.valid_to is null or late_dossiers.finished_date <= units.valid_to)

),

attributed as (

    select
        unit_code,
        unit_valid_from,
        'self' as scope,
        finished_date,
        late_reason

    from late_of_units

    union all

    select
        hierarchy.area_unit_code as unit_code,
        hierarchy.area_unit_valid_from as unit_valid_from,
        'area' as scope,
        late_of_units.finished_date,
        late_of_units.late_reason

    from late_of_units
    inner join hierarchy
        on
            late_of_units.unit_code = hierarchy.member_unit_code
            and late_of_units.unit_valid_from
            is not distinct from hierarchy.member_unit_valid_from
            and (
                hierarchy.valid_from is null
                or late_of_units.finished_date >= hierarchy.valid_from
            )
            and (hierarchy.valid_to is null or late_of_units.finished_date <= hierarchy.valid_to)

),

scoped as (

    select
        attributed.unit_code,
        attributed.unit_valid_from,
        attributed.scope,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        attributed.late_reason,
        count(*) as dossiers

    from attributed
    inner join period_months
        on
            cast({{ dbt.date_trunc('month', 'attributed.finished_date') }} as date)
            = period_months.month_start
    group by
        attributed.unit_code,
        attributed.unit_valid_from,
        attributed.scope,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        attributed.late_reason

)

select
    scoped.unit_code,
    scoped.unit_valid_from,
    unit_periods.unit_name,
    scoped.scope,
    scoped.period_type,
    scoped.period_start,
    scoped.period_end,
    scoped.late_reason,
    cast(scoped.dossiers as bigint) as dossiers

from scoped
-- the unit's name as of the period, as in indicator_values
inner join unit_periods
    on
        scoped.unit_code = unit_periods.unit_code
        and scoped.unit_valid_from is not distinct from unit_periods.unit_valid_from
        and scoped.period_type = unit_periods.period_type
        and scoped.period_start = unit_periods.period_start
