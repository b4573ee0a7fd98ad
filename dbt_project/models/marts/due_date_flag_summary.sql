-- Due-date integrity per unit and year received: how many counted dossiers could be
-- checked, how many appointments lie later than the TTHC rule allows, how many of those
-- a supplement request explains, and how many are flagged (listed in due_date_flags).
-- Every unit that exists in a year has a row, zeros included.

with

dossiers as (

    select * from {{ ref('fct_dossier') }}

),

flags as (

    select * from {{ ref('due_date_flags') }}

),

unit_years as (

    -- one row per code and year: a reused code is named as its last unit in the year
    select
        unit_code,
        unit_name,
        received_year

    from (
        select
            unit_code,
            unit_name,
            cast(extract(year from period_start) as integer) as received_year,
            row_number() over (
                partition by unit_code, period_start order by unit_valid_from desc nulls last
            ) as unit_rank

        from {{ ref('int_unit_periods') }}
        where period_type = 'year'
    ) as ranked_units
    where unit_rank = 1

),

checked as (

    select
        unit_code,
        cast(extract(year from received_date) as integer) as received_year,
        count(*) as dossiers_checked,
        sum(case when due_date_moved then 1 else 0 end) as due_dates_moved,
        sum(case when due_date_moved and supplement_count > 0 then 1 else 0 end)
            as moved_with_supplement

    from dossiers
    where is_counted and due_date_moved is not null
    group by unit_code, cast(extract(year from received_date) as integer)

),

flagged as (

    select
        unit_code,
        cast(extract(year from received_at) as integer) as received_year,
        count(*) as flagged_dossiers,
        sum(case when finished_at is not null then 1 else 0 end) as flagged_finished,
        sum(case when timeliness_by_rule = 'late' then 1 else 0 end) as flagged_late_by_rule,
        sum(
            case
                when
                    timeliness_by_rule = 'late'
                    and timeliness_as_logged in ('early', 'on_time')
                    then 1
                else 0
            end
        ) as flagged_on_time_as_logged_late_by_rule

    from flags
    group by unit_code, cast(extract(year from received_at) as integer)

),

unit_year_keys as (

    select
        unit_code,
        received_year
    from unit_years
    union
    select
        unit_code,
        received_year
    from checked
    union
    select
        unit_code,
        received_year
    from flagged

)

select
    unit_year_keys.unit_code,
    unit_years.unit_name,
    unit_year_keys.received_year,
    cast(coalesce(checked.dossiers_checked, 0) as bigint) as dossiers_checked,
    cast(coalesce(checked.due_dates_moved, 0) as bigint) as due_dates_moved,
    cast(coalesce(checked.moved_with_supplement, 0) as bigint) as moved_with_supplement,
    cast(coalesce(flagged.flagged_dossiers, 0) as bigint) as flagged_dossiers,
    cast(coalesce(flagged.flagged_finished, 0) as bigint) as flagged_finished,
    cast(coalesce(flagged.flagged_late_by_rule, 0) as bigint) as flagged_late_by_rule,
    cast(coalesce(flagged.flagged_on_time_as_logged_late_by_rule, 0) as bigint)
        as flagged_on_time_as_logged_late_by_rule

from unit_year_keys
left join unit_years
    on
        unit_year_keys.unit_code = unit_years.unit_code
        and unit_year_keys.received_year = unit_years.received_year
left join checked
    on
        unit_year_keys.unit_code = checked.unit_code
        and unit_year_keys.received_year = checked.received_year
left join flagged
    on
        unit_year_keys.unit_code = flagged.unit_code
        and unit_year_keys.received_year = flagged.received_year
