{#
    The TTHC due-date rule: processing time counts working days and the day received is not
    counted, so the result is due on the procedure_processing_days-th working day after
    received_date; with no processing time (null or 0) it is due the same day; without a
    procedure version (has_procedure_version false: the catalogue never listed the
    procedure then) the processing time is unknown, so there is no expected date. With the
    calendar's working_day_number that is one equi-join, no loop.

    A select over `inputs` (a relation or CTE with received_date, has_procedure_version,
    procedure_processing_days and recorded_due_date = date(due_at)) that adds
    expected_due_date, due_date_moved (recorded later than expected) and
    due_date_days_moved (working days from expected to recorded). `calendar` has date_day,
    is_working_day and working_day_number (int_calendar_working_days).

    int_dossier_facts applies it to the dossiers it computes, and to the figures it holds
    to tell whether the working days changed since they were computed: one rule for both.
#}
{% macro due_dates_by_rule(inputs, calendar) -%}
    select
        with_expected.*,
        with_expected.recorded_due_date > with_expected.expected_due_date as due_date_moved,
        recorded_day.working_day_number - expected_day.working_day_number
            as due_date_days_moved

    from (
        select
            inputs.*,
            case
                when inputs.received_date is null then null
                when not inputs.has_procedure_version then null
                when coalesce(inputs.procedure_processing_days, 0) <= 0
                    then inputs.received_date
                else expected_day.date_day
            end as expected_due_date

        from {{ inputs }} as inputs
        left join {{ calendar }} as received_day
            on inputs.received_date = received_day.date_day
        left join {{ calendar }} as expected_day
            on
                expected_day.is_working_day
                and inputs.procedure_processing_days > 0
                and expected_day.working_day_number
                = received_day.working_day_number + inputs.procedure_processing_days
    ) as with_expected
    left join {{ calendar }} as expected_day
        on with_expected.expected_due_date = expected_day.date_day
    left join {{ calendar }} as recorded_day
        on with_expected.recorded_due_date = recorded_day.date_day
{%- endmacro %}
