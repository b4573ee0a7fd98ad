{#
    Indicators contract: every rate row has 0 <= numerator <= denominator and value equal
    to 100 * numerator / denominator rounded half-up to 2 decimals (null when the
    denominator is 0). Checked independently of the rate_percent macro: v hundredths is
    the half-up rounding of 10000 n / d exactly when 2vd - d <= 20000n < 2vd + d.
    Count rows must have value = numerator >= 0 and no denominator.
#}
{% test rate_value_is_rounded_ratio(model, catalog) %}

    {%- set wide = par_warehouse.wide_int_type() -%}

    with figures as (
        select
            model_rows.*,
            catalog.kind,
            cast(model_rows.numerator as {{ wide }}) as n,
            cast(model_rows.denominator as {{ wide }}) as d,
            cast(model_rows.value * 100 as {{ wide }}) as v
        from {{ model }} as model_rows
        left join {{ catalog }} as catalog
            on model_rows.indicator_code = catalog.indicator_code
    )

    select *
    from figures
    where
        kind is null
        or numerator is null
        or numerator < 0
        or (
            kind = 'rate'
            and (
                denominator is null
                or numerator > denominator
                or (denominator = 0 and value is not null)
                or (denominator > 0 and value is null)
                or (
                    denominator > 0
                    and not (2 * v * d - d <= 20000 * n and 20000 * n < 2 * v * d + d)
                )
            )
        )
        or (
            kind = 'count'
            and (denominator is not null or value is distinct from cast(numerator as decimal(18, 2)))
        )

{% endtest %}
