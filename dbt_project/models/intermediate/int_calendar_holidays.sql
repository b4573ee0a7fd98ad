-- Days off and extra working days. Two sources, overrides first:
--   - seeds/holiday_overrides.csv: announced swaps (kind holiday or workday);
--   - stg_ward_exports__public_holidays (raw.public_holidays): statutory holidays, lunar
--     ones included, written by the ingest from the `holidays` package.

with

overrides as (

    select
        cast(holiday_overrides.date as date) as holiday_date,
        holiday_overrides.kind,
        holiday_overrides.description

    from {{ ref('holiday_overrides') }} as holiday_overrides

),

statutory as (

    select
        public_holidays.holiday_date,
        min(public_holidays.holiday_name) as holiday_name

    from {{ ref('stg_ward_exports__public_holidays') }} as public_holidays
    group by public_holidays.holiday_date

),

all_dates as (

    select holiday_date from overrides
    union
    select holiday_date from statutory

)

select
    all_dates.holiday_date,
    coalesce(overrides.kind, 'holiday') as kind,
    coalesce(overrides.description, statutory.holiday_name) as description,
    case when overrides.holiday_date is not null then 'override' else 'statutory' end
        as holiday_source

from all_dates
left join overrides
    on all_dates.holiday_date = overrides.holiday_date
left join statutory
    on all_dates.holiday_date = statutory.holiday_date
