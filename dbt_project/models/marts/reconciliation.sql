-- Every figure a unit reported upward, checked twice: its rate against its own
-- numerator and denominator, and its numbers against the warehouse's figure for the
-- same unit (the file's unit), scope, period and indicator. Disagreements are listed
-- with both sides; they warn, they do not block publication.

with

reports as (

    select * from {{ ref('int_reported_figures') }}

),

catalog as (

    select * from {{ ref('indicator_catalog_seed') }}

),

warehouse as (

    select * from {{ ref('indicator_values') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

compared as (

    select
        reports.unit_code,
        reports.source_file,
        reports.source_row,
        reports.export_date,
        reports.period,
        reports.period_type,
        reports.period_start,
        reports.period_end,
        reports.indicator_code,
        reports.scope,
        catalog.kind,
        reports.numerator as reported_numerator,
        reports.denominator as reported_denominator,
        reports.reported_rate,
        -- reported numbers carry two decimals: scale by 100 to keep the ratio exact
        {{ rate_percent('reports.numerator * 100', 'reports.denominator * 100') }}
            as recomputed_rate,
        warehouse.numerator as computed_numerator,
        warehouse.denominator as computed_denominator,
        case when catalog.kind = 'rate' then warehouse.value end as computed_rate,
        -- the unit as named on the day the report was delivered (the registry's row then)
        coalesce(warehouse.unit_name, units.unit_name) as unit_name,
        catalog.name_vi as indicator_name_vi,
        catalog.name_en as indicator_name_en,
        catalog.indicator_code is not null as is_known_indicator,
        warehouse.unit_code is not null as has_warehouse_figure

    from reports
    left join catalog
        on reports.indicator_code = catalog.indicator_code
    left join units
        on
            reports.unit_code = units.unit_code
            and reports.export_date >= coalesce(units.valid_from, reports.export_date)
            and reports.export_date <= coalesce(units.valid_to, reports.export_date)
    -- the unit that sent the report (a reused code is two units): the registry's row on
    -- its export date
    left join warehouse
        on
            reports.unit_code = warehouse.unit_code
            and units.unit_valid_from is not distinct from warehouse.unit_valid_from
            and reports.scope = warehouse.scope
            and reports.period_type = warehouse.period_type
            and reports.period_start = warehouse.period_start
            and reports.indicator_code = warehouse.indicator_code

),

checked as (

    select
        *,
        case
            when kind = 'rate'
                then (reported_rate is not distinct from recomputed_rate)
        end as rate_is_consistent,
        case
            when has_warehouse_figure
                then
                    reported_numerator = computed_numerator
                    and (
                        kind <> 'rate'
                        or reported_denominator is not distinct from computed_denominator
                    )
        end as counts_agree

    from compared

)

select
    unit_code,
    unit_name,
    source_file,
    source_row,
    export_date,
    period,
    period_type,
    period_start,
    period_end,
    indicator_code,
    indicator_name_vi,
    indicator_name_en,
    scope,
    kind,
    reported_numerator,
    reported_denominator,
    reported_rate,
    recomputed_rate,
    computed_numerator,
    computed_denominator,
    computed_rate,
    rate_is_consistent,
    counts_agree,
    case
        when not is_known_indicator then 'unknown_indicator'
        when not has_warehouse_figure then 'unknown_period'
        when rate_is_consistent = false then 'rate_mismatch'
        when not counts_agree then 'counts_differ'
        else 'agrees'
    end as status

from checked
