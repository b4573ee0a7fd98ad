{#
    Indicators contract: an `area` row equals the sum of the `self` rows of the unit and
    all units under it (numerator and denominator). The tree is walked here again from
    `hierarchy` (unit_code, unit_valid_from, parent_code, parent_valid_from, period_type,
    period_start per unit and period), independently of the model's own area logic.
    Units are (unit_code, unit_valid_from): a reused code is two units.
    The tree is that of the period end (a child's parent on its last day in the period),
    which is each day's tree unless a unit moved under another parent within the period:
    with `changed_column` (a boolean of `hierarchy`) and `catalog`, flows are not
    compared in a period where some unit moved (their area follows each day's parent;
    flows_add_up_over_periods still checks them against the periods around).
    With `last_day_column` (a date of `hierarchy`: the unit's last day in the period, the
    day its stocks are read; `hierarchy` then needs `period_end` too) and `catalog`, a
    stock is compared in the unit's month holding that day, with the self rows of the
    members whose last day in that month is the area unit's (the units under it on the
    day its stock is read, read that day): a quarter or year equals that month's sum. For
    a unit existing on the period end that is the sum of the period's own self rows of the
    units under it then; stocks_equal_last_subperiod ties the rows of one unit together.
#}
{% test area_equals_sum_of_self(model, hierarchy, changed_column=none, catalog=none, last_day_column=none) %}

    with recursive

    tree as (
        select
            unit_code, unit_valid_from, parent_code, parent_valid_from, period_type, period_start,
            {{ last_day_column if last_day_column else 'cast(null as date)' }} as last_day
        from {{ hierarchy }}
    ),

    members as (
        select
            unit_code as area_unit_code,
            unit_valid_from as area_unit_valid_from,
            unit_code as member_unit_code,
            unit_valid_from as member_unit_valid_from,
            period_type,
            period_start,
            last_day as area_last_day,
            last_day as member_last_day,
            0 as depth
        from tree

        union all

        select
            members.area_unit_code,
            members.area_unit_valid_from,
            tree.unit_code as member_unit_code,
            tree.unit_valid_from as member_unit_valid_from,
            members.period_type,
            members.period_start,
            members.area_last_day,
            tree.last_day as member_last_day,
            members.depth + 1 as depth
        from members
        inner join tree
            on tree.parent_code = members.member_unit_code
            and tree.parent_valid_from is not distinct from members.member_unit_valid_from
            and tree.period_type = members.period_type
            and tree.period_start = members.period_start
        where members.depth < 10
    ),

    distinct_members as (
        select distinct
            area_unit_code, area_unit_valid_from, member_unit_code, member_unit_valid_from,
            period_type, period_start,
            member_last_day is not distinct from area_last_day as on_area_last_day
        from members
    ),

    {{ 'summed' if last_day_column else 'expected' }} as (
        select
            distinct_members.area_unit_code as unit_code,
            distinct_members.area_unit_valid_from as unit_valid_from,
            self_rows.period_type,
            self_rows.period_start,
            self_rows.indicator_code,
            sum(self_rows.numerator) as numerator,
            sum(self_rows.denominator) as denominator
        from distinct_members
        inner join {{ model }} as self_rows
            on self_rows.scope = 'self'
            and self_rows.unit_code = distinct_members.member_unit_code
            and self_rows.unit_valid_from is not distinct from distinct_members.member_unit_valid_from
            and self_rows.period_type = distinct_members.period_type
            and self_rows.period_start = distinct_members.period_start
        {% if last_day_column %}
        inner join {{ catalog }} as measures
            on measures.indicator_code = self_rows.indicator_code
        where measures.measure = 'flow' or distinct_members.on_area_last_day
        {% endif %}
        group by
            distinct_members.area_unit_code,
            distinct_members.area_unit_valid_from,
            self_rows.period_type,
            self_rows.period_start,
            self_rows.indicator_code
    ),{% if last_day_column %}

    last_months as (
        select
            periods.unit_code,
            periods.unit_valid_from,
            periods.period_type,
            periods.period_start,
            months.period_start as month_start
        from {{ hierarchy }} as periods
        inner join {{ hierarchy }} as months
            on months.unit_code = periods.unit_code
            and months.unit_valid_from is not distinct from periods.unit_valid_from
            and months.period_type = 'month'
            and months.period_start <= periods.{{ last_day_column }}
            and months.period_end >= periods.{{ last_day_column }}
    ),

    expected as (
        select summed.*
        from summed
        inner join {{ catalog }} as measures
            on measures.indicator_code = summed.indicator_code
        where measures.measure = 'flow'

        union all

        select
            last_months.unit_code,
            last_months.unit_valid_from,
            last_months.period_type,
            last_months.period_start,
            summed.indicator_code,
            summed.numerator,
            summed.denominator
        from last_months
        inner join summed
            on summed.unit_code = last_months.unit_code
            and summed.unit_valid_from is not distinct from last_months.unit_valid_from
            and summed.period_type = 'month'
            and summed.period_start = last_months.month_start
        inner join {{ catalog }} as measures
            on measures.indicator_code = summed.indicator_code
        where measures.measure = 'stock'
    ),{% endif %}

    area_rows as (
        select *
        from {{ model }}
        where scope = 'area'
    ){% if changed_column %},

    changed_periods as (
        select distinct period_type, period_start
        from {{ hierarchy }}
        where {{ changed_column }}
    ),

    skipped as (
        select changed_periods.period_type, changed_periods.period_start, catalog.indicator_code
        from changed_periods
        cross join {{ catalog }} as catalog
        where catalog.measure = 'flow'
    ){% endif %}

    select
        coalesce(area_rows.unit_code, expected.unit_code) as unit_code,
        coalesce(area_rows.unit_valid_from, expected.unit_valid_from) as unit_valid_from,
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
        and area_rows.unit_valid_from is not distinct from expected.unit_valid_from
        and area_rows.period_type = expected.period_type
        and area_rows.period_start = expected.period_start
        and area_rows.indicator_code = expected.indicator_code
    where
        (
            area_rows.unit_code is null
            or expected.unit_code is null
            or area_rows.numerator is distinct from expected.numerator
            or area_rows.denominator is distinct from expected.denominator
        )
        {% if changed_column %}
        and not exists (
            select 1
            from skipped
            where skipped.period_type = coalesce(area_rows.period_type, expected.period_type)
                and skipped.period_start = coalesce(area_rows.period_start, expected.period_start)
                and skipped.indicator_code = coalesce(area_rows.indicator_code, expected.indicator_code)
        )
        {% endif %}

{% endtest %}
