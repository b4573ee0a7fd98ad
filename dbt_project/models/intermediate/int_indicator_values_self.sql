-- All indicator figures for each unit's own desk or register (scope self), sparse: a
-- combination with nothing to count is absent here and becomes a zero row in
-- indicator_values.

with

procedures as (

    select * from {{ ref('int_procedure_indicators') }}

),

dossiers as (

    select * from {{ ref('int_dossier_indicators') }}

),

documents as (

    select * from {{ ref('int_document_indicators') }}

),

staff as (

    select * from {{ ref('int_staff_indicators') }}

),

unioned as (

    select * from procedures
    union all
    select * from dossiers
    union all
    select * from documents
    union all
    select * from staff

)

select
    unit_code,
    unit_valid_from,
    period_type,
    period_start,
    period_end,
    indicator_code,
    numerator,
    denominator

from unioned
where scope = 'self'
