-- Late dossiers by the reason the desk gave, per unit, scope and period - "5 late,
-- because of network failures" next to DOSSIER_LATE. By finished_at, as DOSSIER_LATE:
-- counted by month and rolled up to quarters and years through int_period_months. An
-- `area` row sums the `self` rows of the unit and every unit under it in the period
-- (int_unit_area, as indicator_values). Sparse: only reasons with late dossiers; a
-- dossier without a reason counts under late_reason null. The test
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

unit_area as (

    select * from {{ ref('int_unit_area') }}

),

self_counts as (

    select
        late_dossiers.unit_code,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        late_dossiers.late_reason,
        count(*) as dossiers

    from late_dossiers
    inner join period_months
        on
            cast({{ dbt.date_trunc('month', 'late_dossiers.finished_date') }} as date)
            = period_months.month_start
    group by
        late_dossiers.unit_code,
        period_months.period_type,
        period_months.period_start,
        period_months.period_end,
        late_dossiers.late_reason

),

area_counts as (

    select
        unit_area.area_unit_code as unit_code,
        unit_area.period_type,
        unit_area.period_start,
        unit_area.period_end,
        self_counts.late_reason,
        sum(self_counts.dossiers) as dossiers

    from unit_area
    inner join self_counts
        on
            unit_area.member_unit_code = self_counts.unit_code
            and unit_area.period_type = self_counts.period_type
            and unit_area.period_start = self_counts.period_start
    group by
        unit_area.area_unit_code,
        unit_area.period_type,
        unit_area.period_start,
        unit_area.period_end,
        self_counts.late_reason

),

scoped as (

    select
        'self' as scope,
        *
    from self_counts

    union all

    select
        'area' as scope,
        *
    from area_counts

)

select
    scoped.unit_code,
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
        and scoped.period_type = unit_periods.period_type
        and scoped.period_start = unit_periods.period_start
