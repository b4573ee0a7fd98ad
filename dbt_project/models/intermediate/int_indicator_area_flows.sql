-- The flow figures of each unit's area (scope area): every event counted, on its day,
-- for its unit and every unit its unit is under that day (int_unit_hierarchy). Sparse: a
-- combination with nothing to count is absent here and becomes a zero row in
-- indicator_values. Stocks have no area rows here: indicator_values sums them over the
-- units under the unit on its last day in the period, the day stocks are read.

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

unioned as (

    select * from procedures
    union all
    select * from dossiers
    union all
    select * from documents

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
where scope = 'area'
