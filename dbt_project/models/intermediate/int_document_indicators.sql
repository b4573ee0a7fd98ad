-- Document indicators for each unit's own register (scope self), by document_date;
-- only combinations with something to count.

with

sent as (

    select * from {{ ref('int_documents_classified') }}
    where is_sent_to_agency

),

events as (

    select
        unit_code,
        document_date as event_date,
        'DOC_SENT' as indicator_code,
        1 as numerator,
        cast(null as integer) as denominator
    from sent

    union all

    select
        unit_code,
        document_date as event_date,
        'DOC_ELECTRONIC' as indicator_code,
        1 as numerator,
        cast(null as integer) as denominator
    from sent
    where is_sent_electronically

    union all

    select
        unit_code,
        document_date as event_date,
        'DOC_ELECTRONIC_RATE' as indicator_code,
        case when is_sent_electronically then 1 else 0 end as numerator,
        1 as denominator
    from sent

    union all

    select
        unit_code,
        document_date as event_date,
        'DOC_SIGNED_RATE' as indicator_code,
        case when is_sent_signed then 1 else 0 end as numerator,
        1 as denominator
    from sent

),

{{ roll_up_indicator_events('events') }}

select * from rolled_up_by_scope
