-- The hierarchy as the registry gives it for each day, as validity intervals: for each
-- unit (unit_code, unit_valid_from) every unit under it, itself included, and the days
-- [valid_from, valid_to] on which it is. Walked down the registry rows (a parent per row):
-- a child row under a member counts on the days both rows are valid. A unit moved to
-- another parent (same unit) is under the old one until its last day there. Open ends
-- are null, as in the registry.

with recursive

units as (

    select
        unit_code,
        unit_valid_from,
        parent_code,
        coalesce(valid_from, cast('0001-01-01' as date)) as row_from,
        coalesce(valid_to, cast('9999-12-31' as date)) as row_to

    from {{ ref('int_units') }}

),

members as (

    select
        unit_code as area_unit_code,
        unit_valid_from as area_unit_valid_from,
        unit_code as member_unit_code,
        unit_valid_from as member_unit_valid_from,
        row_from as member_from,
        row_to as member_to,
        0 as tree_depth

    from units

    union all

    select
        members.area_unit_code,
        members.area_unit_valid_from,
        children.unit_code as member_unit_code,
        children.unit_valid_from as member_unit_valid_from,
        greatest(members.member_from, children.row_from) as member_from,
        least(members.member_to, children.row_to) as member_to,
        members.tree_depth + 1 as tree_depth

    from members
    inner join units as children
        on
            members.member_unit_code = children.parent_code
            and members.member_to >= children.row_from
            and members.member_from <= children.row_to
    -- guards against a cycle in a bad registry; real trees are 2 or 3 levels deep
    where members.tree_depth < 10

)

select distinct
    area_unit_code,
    area_unit_valid_from,
    member_unit_code,
    member_unit_valid_from,
    case when member_from > cast('0001-01-01' as date) then member_from end as valid_from,
    case when member_to < cast('9999-12-31' as date) then member_to end as valid_to,
    tree_depth

from members
