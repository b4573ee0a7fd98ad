-- For each unit and period: the unit itself and every unit under it, following the
-- parent (parent_code and the parent's unit on the child's last day in the period)
-- recursively among the units that exist in that period. Units are (unit_code,
-- unit_valid_from): a reused code is two units.
-- Flows count every member (each on its own days). Stocks are read on a unit's last day
-- in the period, so an area's stock is that of the members under it on the area unit's
-- last day (counts_in_stock): a member's last day in the period is never after the area
-- unit's, and one that ended earlier (a ward dissolved mid-year under a city that goes
-- on) has no stock on that day, though its own row reads its stock on its last day.
-- indicator_values sums a month's members so and reads a quarter or year from the
-- unit's month holding its last day in it.

with recursive

unit_periods as (

    select
        unit_code,
        unit_valid_from,
        parent_code,
        parent_valid_from,
        period_type,
        period_start,
        period_end,
        last_day_in_period

    from {{ ref('int_unit_periods') }}

),

area_members as (

    select
        unit_code as area_unit_code,
        unit_valid_from as area_unit_valid_from,
        unit_code as member_unit_code,
        unit_valid_from as member_unit_valid_from,
        period_type,
        period_start,
        period_end,
        0 as tree_depth

    from unit_periods

    union all

    select
        area_members.area_unit_code,
        area_members.area_unit_valid_from,
        children.unit_code as member_unit_code,
        children.unit_valid_from as member_unit_valid_from,
        area_members.period_type,
        area_members.period_start,
        area_members.period_end,
        area_members.tree_depth + 1 as tree_depth

    from area_members
    inner join unit_periods as children
        on
            area_members.member_unit_code = children.parent_code
            and area_members.member_unit_valid_from is not distinct from children.parent_valid_from
            and area_members.period_type = children.period_type
            and area_members.period_start = children.period_start
    -- guards against a cycle in a bad registry; real trees are 2 or 3 levels deep
    where area_members.tree_depth < 10

),

distinct_members as (

    select distinct
        area_unit_code,
        area_unit_valid_from,
        member_unit_code,
        member_unit_valid_from,
        period_type,
        period_start,
        period_end

    from area_members

)

select
    distinct_members.area_unit_code,
    distinct_members.area_unit_valid_from,
    distinct_members.member_unit_code,
    distinct_members.member_unit_valid_from,
    distinct_members.period_type,
    distinct_members.period_start,
    distinct_members.period_end,
    members.last_day_in_period = areas.last_day_in_period as counts_in_stock

from distinct_members
inner join unit_periods as areas
    on
        distinct_members.area_unit_code = areas.unit_code
        and distinct_members.area_unit_valid_from is not distinct from areas.unit_valid_from
        and distinct_members.period_type = areas.period_type
        and distinct_members.period_start = areas.period_start
inner join unit_periods as members
    on
        distinct_members.member_unit_code = members.unit_code
        and distinct_members.member_unit_valid_from is not distinct from members.unit_valid_from
        and distinct_members.period_type = members.period_type
        and distinct_members.period_start = members.period_start
