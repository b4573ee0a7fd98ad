-- The figures units reported upward, periods parsed (stg_ward_exports__reports), as the
-- marts read them: marts read only intermediate models, and reconciliation needs them as
-- staging gave them. A view.

{{ config(materialized='view') }}

with

reports as (

    select * from {{ ref('stg_ward_exports__reports') }}

)

select
    unit_code,
    period,
    period_type,
    period_start,
    period_end,
    indicator_code,
    scope,
    numerator,
    denominator,
    reported_rate,
    export_date,
    source_file,
    source_row

from reports
