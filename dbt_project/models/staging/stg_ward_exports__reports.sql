-- Reported figures with their period parsed: '2021' is a year, '2021-Q3' a quarter,
-- '2021-07' a month. Anything else keeps a null period_type (reconciled as unknown).

with

source as (

    select * from {{ source('ward_exports', 'reports') }}

),

renamed as (

    select
        unit_code,
        period,
        upper(trim(period)) as period_clean,
        indicator_code,
        scope,
        numerator,
        denominator,
        reported_rate,
        export_date,
        source_file,
        source_row

    from source

),

parsed as (

    select
        *,
        case
            when length(period_clean) = 4
                then 'year'
            when length(period_clean) = 7 and substr(period_clean, 5, 2) = '-Q'
                then 'quarter'
            when length(period_clean) = 7 and substr(period_clean, 5, 1) = '-'
                then 'month'
        end as period_shape,
        {{ try_cast('substr(period_clean, 1, 4)', 'integer') }} as period_year,
        {{ try_cast('substr(period_clean, 7, 1)', 'integer') }} as period_quarter,
        {{ try_cast('substr(period_clean, 6, 2)', 'integer') }} as period_month

    from renamed

),

typed as (

    select
        *,
        case
            when period_year is null or period_year not between 1900 and 2999 then null
            when period_shape = 'year' then 'year'
            when period_shape = 'quarter' and period_quarter between 1 and 4 then 'quarter'
            when period_shape = 'month' and period_month between 1 and 12 then 'month'
        end as period_type

    from parsed

),

bounded as (

    select
        *,
        case period_type
            when 'year' then {{ date_from_parts('period_year', 1, 1) }}
            when 'quarter' then {{ date_from_parts('period_year', '3 * period_quarter - 2', 1) }}
            when 'month' then {{ date_from_parts('period_year', 'period_month', 1) }}
        end as period_start

    from typed

)

select
    unit_code,
    period,
    period_type,
    period_start,
    case period_type
        when 'year' then {{ date_from_parts('period_year', 12, 31) }}
        when 'quarter' then {{ last_day_of('period_start', 'quarter') }}
        when 'month' then {{ last_day_of('period_start', 'month') }}
    end as period_end,
    indicator_code,
    scope,
    numerator,
    denominator,
    reported_rate,
    export_date,
    source_file,
    source_row

from bounded
