-- Every registry row (a version of a unit: code, name, level, parent over a validity
-- interval) with the unit it belongs to. A unit is (unit_code, unit_valid_from): rows of
-- one code that follow each other without a gap are one unit (renamed, or moved under
-- another parent) unless unit_successions names that code as a successor on the later
-- row's first day; then, as after a gap, the code is reused by a new unit.

with

units as (

    select * from {{ ref('stg_ward_exports__units') }}

),

successions as (

    select distinct
        successor_code,
        effective_date

    from {{ ref('stg_ward_exports__unit_successions') }}

),

ordered as (

    select
        units.*,
        lag(units.valid_to) over (
            partition by units.unit_code order by units.valid_from nulls first
        ) as previous_valid_to,
        row_number() over (
            partition by units.unit_code order by units.valid_from nulls first
        ) as version_number

    from units

),

flagged as (

    select
        ordered.*,
        case
            when ordered.version_number = 1 then 1
            when ordered.valid_from is null or ordered.previous_valid_to is null then 1
            when {{ day_before('ordered.valid_from') }} <> ordered.previous_valid_to then 1
            when successions.successor_code is not null then 1
            else 0
        end as starts_unit

    from ordered
    left join successions
        on
            ordered.unit_code = successions.successor_code
            and ordered.valid_from = successions.effective_date

),

numbered as (

    select
        *,
        sum(starts_unit) over (
            partition by unit_code
            order by valid_from nulls first
            rows between unbounded preceding and current row
        ) as unit_number

    from flagged

),

identified as (

    select
        *,
        first_value(valid_from) over (
            partition by unit_code, unit_number
            order by valid_from nulls first
            rows between unbounded preceding and unbounded following
        ) as unit_valid_from,
        last_value(valid_to) over (
            partition by unit_code, unit_number
            order by valid_from nulls first
            rows between unbounded preceding and unbounded following
        ) as unit_valid_to

    from numbered

)

select
    unit_version_key,
    unit_code,
    unit_valid_from,
    unit_valid_to,
    unit_code || '@' || coalesce(cast(unit_valid_from as {{ text_type() }}), 'always') as unit_key,
    unit_name,
    unit_level,
    parent_code,
    valid_from,
    valid_to,
    csv_encoding

from identified
