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

select
    unit_code,
    unit_valid_from,
    'self' as scope,
    period_type,
    period_start,
    period_end,
    indicator_code,
    numerator,
    denominator
from rolled_up

union all

select
    unit_code,
    unit_valid_from,
    'area' as scope,
    period_type,
    period_start,
    period_end,
    indicator_code,
    numerator,
    denominator
from area_rolled_up
