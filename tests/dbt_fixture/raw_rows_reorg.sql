-- A reorganisation on 2025-07-01, for tests/dbt_fixture/test_reorganisation.py: the
-- district level is abolished, wards merge, a ward is split, a province is absorbed, a
-- code is reused, dossiers are handed over. Data: 2024-01-01 .. 2025-12-31.
--
--   until 2025-06-30                          from 2025-07-01
--   94 Tỉnh Sóc Trăng (province)         -- whole -->  92 (absorbed)
--     941 Thành phố Sóc Trăng (city C)       (ends, no successor: district level abolished)
--       31510 Phường 2 (W1)              -- whole -->  31510 Phường Phú Lợi (N1, reuses the code)
--       31513 Phường 3 (W2)              -- whole -->  31510 N1
--       31516 Phường 4 (W3)              -- part  -->  31507 Phường Sóc Trăng (N2)
--                                        -- part  -->  31684 Phường Mỹ Xuyên (N3)
--       31519 Phường 5 (W4)              -- whole -->  31507 N2
--   92 Thành phố Cần Thơ (province)            92 (same unit, one registry row)
--     916 Quận Ninh Kiều (city)               (ends, no successor)
--       31117 Phường Tân An              -- moved under 92, same unit (no succession row)

insert into raw.units
    (unit_code, unit_name, unit_level, parent_code, valid_from, valid_to, csv_encoding,
     source_file, source_row)
values
    ('92', 'Thành phố Cần Thơ', 'province', null, '2024-01-01', null, 'utf-8', 'units.csv', 2),
    ('94', 'Tỉnh Sóc Trăng', 'province', null, '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 3),
    ('941', 'Thành phố Sóc Trăng', 'city', '94', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 4),
    ('31510', 'Phường 2', 'ward', '941', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 5),
    ('31513', 'Phường 3', 'ward', '941', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 6),
    ('31516', 'Phường 4', 'ward', '941', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 7),
    ('31519', 'Phường 5', 'ward', '941', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 8),
    -- the reused code: follows W1's row without a gap, but unit_successions names 31510 as
    -- a successor on 2025-07-01, so it is a new unit (31510, 2025-07-01)
    ('31510', 'Phường Phú Lợi', 'ward', '92', '2025-07-01', null, 'cp1258', 'units.csv', 9),
    ('31507', 'Phường Sóc Trăng', 'ward', '92', '2025-07-01', null, 'cp1258', 'units.csv', 10),
    ('31684', 'Phường Mỹ Xuyên', 'ward', '92', '2025-07-01', null, 'cp1258', 'units.csv', 11),
    ('916', 'Quận Ninh Kiều', 'city', '92', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 12),
    -- moved under the province: no gap, no succession row - one unit (31117, 2024-01-01)
    ('31117', 'Phường Tân An', 'ward', '916', '2024-01-01', '2025-06-30', 'utf-8', 'units.csv', 13),
    ('31117', 'Phường Tân An', 'ward', '92', '2025-07-01', null, 'utf-8', 'units.csv', 14);

insert into raw.unit_successions
    (effective_date, predecessor_code, successor_code, transfer, source_file, source_row)
values
    ('2025-07-01', '94', '92', 'whole', 'unit_successions.csv', 2),
    ('2025-07-01', '31510', '31510', 'whole', 'unit_successions.csv', 3),
    ('2025-07-01', '31513', '31510', 'whole', 'unit_successions.csv', 4),
    ('2025-07-01', '31516', '31507', 'part', 'unit_successions.csv', 5),
    ('2025-07-01', '31516', '31684', 'part', 'unit_successions.csv', 6),
    ('2025-07-01', '31519', '31507', 'whole', 'unit_successions.csv', 7);

-- Catalogues (stocks): W1 has two active procedures from 2024-01-02; N1, under the same
-- code, delivers its own catalogue of three on 2025-07-01; W4 has one.
insert into raw.procedures
    (unit_code, export_date, source_file, source_row,
     procedure_code, procedure_name, domain, authority_level, service_level, processing_days,
     has_fee, decision_no, decision_date, change_type, effective_date, is_published, status)
values
    ('31510', '2024-01-02', '31510/procedures/2024-01-02.csv', 2,
     '2.000001', 'Chứng thực bản sao', 'Chứng thực', 3, '4', 1,
     false, '10/QĐ-UBND', '2024-01-02', 1, '2024-01-02', true, 1),
    ('31510', '2024-01-02', '31510/procedures/2024-01-02.csv', 3,
     '2.000002', 'Đăng ký khai sinh', 'Hộ tịch', 3, '3', 1,
     false, '10/QĐ-UBND', '2024-01-02', 1, '2024-01-02', true, 1),
    ('31510', '2025-07-01', '31510/procedures/2025-07-01.csv', 2,
     '2.000001', 'Chứng thực bản sao', 'Chứng thực', 3, '4', 1,
     false, '10/QĐ-UBND', '2024-01-02', 1, '2024-01-02', true, 1),
    ('31510', '2025-07-01', '31510/procedures/2025-07-01.csv', 3,
     '2.000002', 'Đăng ký khai sinh', 'Hộ tịch', 3, '3', 1,
     false, '10/QĐ-UBND', '2024-01-02', 1, '2024-01-02', true, 1),
    ('31510', '2025-07-01', '31510/procedures/2025-07-01.csv', 4,
     '2.000003', 'Đăng ký kết hôn', 'Hộ tịch', 3, '4', 1,
     false, '20/QĐ-UBND', '2025-07-01', 1, '2025-07-01', true, 1),
    ('31519', '2024-01-02', '31519/procedures/2024-01-02.csv', 2,
     '2.000001', 'Chứng thực bản sao', 'Chứng thực', 3, '4', 1,
     false, '11/QĐ-UBND', '2024-01-02', 1, '2024-01-02', true, 1);

-- Dossiers: each received on day d and finished on day d + 1 (due later: on time),
-- status 9; an open row has status 2. Three are handed over on 2025-07-01 (marked).
insert into raw.dossiers
    (unit_code, export_date, source_file, source_row,
     dossier_code, procedure_code, channel, applicant_id_hash, applicant_id_kind,
     received_at, due_at, finished_at, returned_at, status, supplement_count,
     apology_issued, paid_online, digitized, updated_at, late_reason)
values
    -- W1 (31510 until 2025-06-30): two finished in 2024-Q4, one in 2025-Q1
    ('31510', '2024-11-06', '31510/dossiers/2024-11-06.csv', 2,
     'A01', '2.000001', 1, 'h01', 'citizen_id',
     '2024-11-05 08:00', '2024-11-10 17:00', '2024-11-06 08:00', null, 9, 0,
     false, null, false, '2024-11-06 08:05', null),
    ('31510', '2024-12-03', '31510/dossiers/2024-12-03.csv', 2,
     'A02', '2.000001', 1, 'h02', 'citizen_id',
     '2024-12-02 08:00', '2024-12-10 17:00', '2024-12-03 08:00', null, 9, 0,
     false, null, false, '2024-12-03 08:05', null),
    ('31510', '2025-02-11', '31510/dossiers/2025-02-11.csv', 2,
     'A04', '2.000001', 1, 'h04', 'citizen_id',
     '2025-02-10 08:00', '2025-02-20 17:00', '2025-02-11 08:00', null, 9, 0,
     false, null, false, '2025-02-11 08:05', null),
    -- A03 handed over under the reused code: W1 receives it on 2025-06-20 (its own log) ...
    ('31510', '2025-06-20', '31510/dossiers/2025-06-20.csv', 2,
     'A03', '2.000002', 1, 'h03', 'citizen_id',
     '2025-06-20 08:00', '2025-07-10 17:00', null, null, 2, 0,
     false, null, false, '2025-06-20 08:05', null),
    -- ... and N1 (31510 from 2025-07-01) finishes it on 2025-07-03 (its log, same code)
    ('31510', '2025-07-03', '31510/dossiers/2025-07-03.csv', 2,
     'A03', '2.000002', 1, 'h03', 'citizen_id',
     '2025-06-20 08:00', '2025-07-10 17:00', '2025-07-03 08:00', null, 9, 0,
     false, null, false, '2025-07-03 08:05', null),
    -- B02 handed over from W2 to N1: N1's log (code 31510) has it with received_at
    -- 2025-06-25, a day of W1 under that code - but W1's log never had it
    ('31510', '2025-07-02', '31510/dossiers/2025-07-02.csv', 2,
     'B02', '2.000001', 1, 'h12', 'citizen_id',
     '2025-06-25 08:00', '2025-07-10 17:00', '2025-07-02 08:00', null, 9, 0,
     false, null, false, '2025-07-02 08:05', null),
    -- N1's own: received 2025-08-01, finished 2025-08-02
    ('31510', '2025-08-02', '31510/dossiers/2025-08-02.csv', 2,
     'A05', '2.000003', 1, 'h05', 'citizen_id',
     '2025-08-01 08:00', '2025-08-10 17:00', '2025-08-02 08:00', null, 9, 0,
     false, null, false, '2025-08-02 08:05', null),
    -- W2 (31513): one in 2024-Q4; B02 received 2025-06-25, still open on its last day
    ('31513', '2024-10-16', '31513/dossiers/2024-10-16.csv', 2,
     'B01', '2.000001', 1, 'h11', 'citizen_id',
     '2024-10-15 08:00', '2024-10-25 17:00', '2024-10-16 08:00', null, 9, 0,
     false, null, false, '2024-10-16 08:05', null),
    ('31513', '2025-06-25', '31513/dossiers/2025-06-25.csv', 2,
     'B02', '2.000001', 1, 'h12', 'citizen_id',
     '2025-06-25 08:00', '2025-07-10 17:00', null, null, 2, 0,
     false, null, false, '2025-06-25 08:05', null),
    -- W3 (31516): one in 2024-Q4; C02 received 2025-06-28, handed over to N2 (31507)
    ('31516', '2024-11-21', '31516/dossiers/2024-11-21.csv', 2,
     'C01', '2.000001', 1, 'h21', 'citizen_id',
     '2024-11-20 08:00', '2024-11-30 17:00', '2024-11-21 08:00', null, 9, 0,
     false, null, false, '2024-11-21 08:05', null),
    ('31516', '2025-06-28', '31516/dossiers/2025-06-28.csv', 2,
     'C02', '2.000001', 1, 'h22', 'citizen_id',
     '2025-06-28 08:00', '2025-07-10 17:00', null, null, 2, 0,
     false, null, false, '2025-06-28 08:05', null),
    ('31507', '2025-07-04', '31507/dossiers/2025-07-04.csv', 2,
     'C02', '2.000001', 1, 'h22', 'citizen_id',
     '2025-06-28 08:00', '2025-07-10 17:00', '2025-07-04 08:00', null, 9, 0,
     false, null, false, '2025-07-04 08:05', null),
    -- W4 (31519): one in 2024-Q4
    ('31519', '2024-12-11', '31519/dossiers/2024-12-11.csv', 2,
     'D01', '2.000001', 1, 'h31', 'citizen_id',
     '2024-12-10 08:00', '2024-12-20 17:00', '2024-12-11 08:00', null, 9, 0,
     false, null, false, '2024-12-11 08:05', null),
    -- C (941)'s own desk: one in 2024-Q4, one in 2025-Q1
    ('941', '2024-11-13', '941/dossiers/2024-11-13.csv', 2,
     'E01', '1.000001', 1, 'h41', 'citizen_id',
     '2024-11-12 08:00', '2024-11-20 17:00', '2024-11-13 08:00', null, 9, 0,
     false, null, false, '2024-11-13 08:05', null),
    ('941', '2025-03-04', '941/dossiers/2025-03-04.csv', 2,
     'E02', '1.000001', 1, 'h42', 'citizen_id',
     '2025-03-03 08:00', '2025-03-20 17:00', '2025-03-04 08:00', null, 9, 0,
     false, null, false, '2025-03-04 08:05', null),
    -- province 94's own desk: one in 2024-Q4 (finished the day received)
    ('94', '2024-12-20', '94/dossiers/2024-12-20.csv', 2,
     'F01', '3.000001', 1, 'h51', 'citizen_id',
     '2024-12-20 08:00', '2024-12-30 17:00', '2024-12-20 15:00', null, 9, 0,
     false, null, false, '2024-12-20 15:05', null),
    -- province 92's own desk: one in 2024-Q4, one in 2025-Q3
    ('92', '2024-10-02', '92/dossiers/2024-10-02.csv', 2,
     'G01', '3.000001', 1, 'h61', 'citizen_id',
     '2024-10-01 08:00', '2024-10-10 17:00', '2024-10-02 08:00', null, 9, 0,
     false, null, false, '2024-10-02 08:05', null),
    ('92', '2025-09-11', '92/dossiers/2025-09-11.csv', 2,
     'G02', '3.000001', 1, 'h62', 'citizen_id',
     '2025-09-10 08:00', '2025-09-20 17:00', '2025-09-11 08:00', null, 9, 0,
     false, null, false, '2025-09-11 08:05', null),
    -- 31117 (moved): one in 2024-Q4 and one in 2025-Q1 under 916, one in 2025-Q3 under 92
    ('31117', '2024-11-02', '31117/dossiers/2024-11-02.csv', 2,
     'K01', '2.000001', 1, 'h71', 'citizen_id',
     '2024-11-01 08:00', '2024-11-10 17:00', '2024-11-02 08:00', null, 9, 0,
     false, null, false, '2024-11-02 08:05', null),
    ('31117', '2025-03-11', '31117/dossiers/2025-03-11.csv', 2,
     'K03', '2.000001', 1, 'h73', 'citizen_id',
     '2025-03-10 08:00', '2025-03-20 17:00', '2025-03-11 08:00', null, 9, 0,
     false, null, false, '2025-03-11 08:05', null),
    ('31117', '2025-08-06', '31117/dossiers/2025-08-06.csv', 2,
     'K02', '2.000001', 1, 'h72', 'citizen_id',
     '2025-08-05 08:00', '2025-08-15 17:00', '2025-08-06 08:00', null, 9, 0,
     false, null, false, '2025-08-06 08:05', null);

insert into raw.ingest_ledger
    (source_file, unit_code, feed, export_date, file_format, encoding, sha256, size_bytes,
     rows_in, rows_loaded, rows_set_aside, status, error, loaded_at)
select
    source_file,
    unit_code,
    feed,
    export_date,
    'csv',
    'utf-8',
    'r' || cast(row_number() over (order by source_file) as varchar),
    100,
    count(*),
    count(*),
    0,
    'loaded',
    null,
    cast('2026-01-01 01:00' as timestamp)
from (
    select source_file, unit_code, 'procedures' as feed, export_date from raw.procedures
    union all
    select source_file, unit_code, 'dossiers' as feed, export_date from raw.dossiers
) as files
group by source_file, unit_code, feed, export_date;

insert into raw.ingest_ledger
    (source_file, unit_code, feed, export_date, file_format, encoding, sha256, size_bytes,
     rows_in, rows_loaded, rows_set_aside, status, error, loaded_at)
values
    ('units.csv', null, 'units', null, 'csv', 'utf-8', 'u1', 900, 13, 13, 0, 'loaded', null, '2026-01-01 01:00'),
    ('unit_successions.csv', null, 'unit_successions', null, 'csv', 'utf-8', 'u2', 300, 6, 6, 0, 'loaded', null, '2026-01-01 01:00');
