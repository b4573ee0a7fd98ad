-- One row per procedure per unit snapshot. A unit may deliver several files for one day
-- (_2, _fix suffixes): together they are that day's snapshot, and where they list the
-- same procedure the row from the last file (by name) wins.

with

source as (

    select * from {{ source('ward_exports', 'procedures') }}

),

renamed as (

    select
        unit_code,
        export_date,
        procedure_code,
        procedure_name,
        domain,
        authority_level,
        service_level,
        case
            when service_level in ('1', '2') then 'none'
            when service_level in ('3', 'MP') then 'partial'
            when service_level in ('4', 'TT') then 'full'
        end as online_level,
        processing_days,
        has_fee,
        decision_no,
        decision_date,
        change_type,
        effective_date,
        is_published,
        status,
        source_file,
        source_row

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by unit_code, export_date, procedure_code
            order by source_file desc, source_row desc
        ) as row_rank

    from renamed

)

select
    unit_code,
    export_date,
    procedure_code,
    procedure_name,
    domain,
    authority_level,
    service_level,
    online_level,
    processing_days,
    has_fee,
    decision_no,
    decision_date,
    change_type,
    effective_date,
    is_published,
    status,
    source_file,
    source_row

from ranked
where row_rank = 1
