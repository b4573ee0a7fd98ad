{#
    The model is empty: every row it has is a finding. For exception reports such as
    due_date_flags, usually with severity warn, so a finding shows without blocking.
#}
{% test has_no_rows(model) %}

    select *
    from {{ model }}

{% endtest %}
