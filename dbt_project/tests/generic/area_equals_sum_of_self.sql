{#
    Indicators contract: an `area` row equals the sum of the `self` rows of the unit and
    all units under it (numerator and denominator). The tree is walked here again from
    `hierarchy` (unit_code, parent_code, period_type, period_start per unit and period),
    independently of the model's own area logic.
#}
{% test area_equals_sum_of_self(model, hierarchy) %}

    with recursive

    tree as (
        select unit_code, parent_code, period_type, period_start
        from {{ hierarchy }}
    ),

    members as (
        select
            unit_code as area_unit_code,
            unit_code as member_unit_code,
            period_type,
            period_start,
            0 as depth
        from tree

        union all

        select
            members.area_unit_code,
            tree.unit_code as member_unit_code,
            members.period_type,
            members.period_start,
            members.depth + 1 as depth
        from members
        inner join tree
            on tree.parent_code = members.member_unit_code
            and tree.period_type = members.period_type
            and tree.period_start = members.period_start
        where members.depth < 10
    ),

    distinct_members as (
        select distinct area_unit_code, member_unit_code, period_type, period_start
        from members
    ),

    expected as (
        select
            distinct_members.area_unit_code as unit_code,
            self_rows.period_type,
            self_rows.period_start,
            self_rows.indicator_code,
            sum(self_rows.numerator) as numerator,
            sum(self_rows.denominator) as denominator
        from distinct_members
        inner join {{ model }} as self_rows
            on self_rows.scope = 'self'
            and self_rows.unit_code = distinct_members.member_unit_code
            and self_rows.period_type = distinct_members.period_type
            and self_rows.period_start = distinct_members.period_start
        group by
            distinct_members.area_unit_code,
            self_rows.period_type,
            self_rows.period_start,
            self_rows.indicator_code
    ),

    area_rows as (
        select *
        from {{ model }}
        where scope = 'area'
    )

    select
        coalesce(area_rows.unit_code, expected.unit_code) as unit_code,
        coalesce(area_rows.period_type, expected.period_type) as period_type,
        coalesce(area_rows.period_start, expected.period_start) as period_start,
        coalesce(area_rows.indicator_code, expected.indicator_code) as indicator_code,
        area_rows.numerator as area_numerator,
        expected.numerator as expected_numerator,
        area_rows.denominator as area_denominator,
        expected.denominator as expected_denominator
    from area_rows
    full outer join expected
        on area_rows.unit_code = expected.unit_code
        and area_rows.period_type = expected.period_type
        and area_rows.period_start = expected.period_start
        and area_rows.indicator_code = expected.indicator_code
    where
        area_rows.unit_code is null
        or expected.unit_code is null
        or area_rows.numerator is distinct from expected.numerator
        or area_rows.denominator is distinct from expected.denominator

{% endtest %}
