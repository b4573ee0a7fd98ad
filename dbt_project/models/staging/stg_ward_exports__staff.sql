-- One row per official per unit staff-list snapshot. Each file is the unit's whole staff
-- list as of export_date; a unit may deliver several files for one day (_2, _fix
-- suffixes): together they are that day's snapshot, and where they list the same
-- official the row from the last file (by name) wins, as for procedure snapshots.

with

source as (

    select * from {{ source('ward_exports', 'staff') }}

),

renamed as (

    select
        unit_code,
        export_date,
        staff_code,
        {{ clean_text('position') }} as position,
        is_leader,
        has_official_email,
        has_signing_certificate,
        status,
        coalesce(status = 1, false) as is_serving,
        source_file,
        source_row

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by unit_code, export_date, staff_code
            order by source_file desc, source_row desc
        ) as row_rank

    from renamed

)

select
    unit_code,
    export_date,
    staff_code,
    position,
    is_leader,
    has_official_email,
    has_signing_certificate,
    status,
    is_serving,
    source_file,
    source_row

from ranked
where row_rank = 1
