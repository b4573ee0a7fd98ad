-- Hand-written raw rows for the dbt fixture: a city (941) and its wards, early 2021.
-- Every row is there for a reason noted beside it; expected figures are in
-- tests/dbt_fixture/README.md.

insert into raw.units
    (unit_code, unit_name, unit_level, parent_code, valid_from, valid_to, csv_encoding)
values
    ('941', 'Thành phố Sóc Trăng', 'city', null, '2020-01-01', null, 'utf-8'),
    ('31510', 'Phường 1', 'ward', '941', '2020-01-01', null, 'utf-8-sig'),
    -- renamed on 2021-07-01: same code, new name
    ('31513', 'Phường 2', 'ward', '941', '2020-01-01', '2021-06-30', 'cp1258'),
    ('31513', 'Phường Hai', 'ward', '941', '2021-07-01', null, 'cp1258'),
    -- dissolved after 2021-06-30: its stocks stop at its last day
    ('31516', 'Phường 3', 'ward', '941', '2020-01-01', '2021-06-30', 'utf-8');

insert into raw.procedures
    (unit_code, export_date, source_file, source_row,
     procedure_code, procedure_name, domain, authority_level, service_level, processing_days,
     has_fee, decision_no, decision_date, change_type, effective_date, is_published, status)
values
    -- city, first snapshot
    ('941', '2021-01-04', '941/procedures/2021-01-04.csv', 2,
     '1.000001', 'Đăng ký thành lập hộ kinh doanh', 'Thành lập và hoạt động của hộ kinh doanh', 2, '3', 3,
     true, '1234/QĐ-UBND', '2020-12-15', 1, '2021-01-01', true, 1),
    ('941', '2021-01-04', '941/procedures/2021-01-04.csv', 3,
     '1.000002', 'Đăng ký khai sinh có yếu tố nước ngoài', 'Hộ tịch', 2, '4', 5,
     false, '1/QĐ-UBND', '2021-01-02', 2, '2021-01-02', true, 1),
    ('941', '2021-01-04', '941/procedures/2021-01-04.csv', 4,
     '1.000003', 'Cấp giấy phép xây dựng nhà ở riêng lẻ', 'Xây dựng', 2, '2', 15,
     true, '300/QĐ-UBND', '2020-11-01', 3, '2020-11-15', false, 1),
    -- abolition decided in January, effective 1 February: still active in January
    ('941', '2021-01-04', '941/procedures/2021-01-04.csv', 5,
     '1.000004', 'Cấp giấy phép kinh doanh karaoke', 'Văn hóa', 2, 'TT', 10,
     true, '2/QĐ-UBND', '2021-01-03', 4, '2021-02-01', true, 1),
    -- the same row twice in one file
    ('941', '2021-01-04', '941/procedures/2021-01-04.csv', 6,
     '1.000002', 'Đăng ký khai sinh có yếu tố nước ngoài', 'Hộ tịch', 2, '4', 5,
     false, '1/QĐ-UBND', '2021-01-02', 2, '2021-01-02', true, 1),
    -- city, second snapshot: 1.000001 goes from level 3 to full, 1.000005 is new
    ('941', '2021-03-01', '941/procedures/2021-03-01.jsonl', 1,
     '1.000001', 'Đăng ký thành lập hộ kinh doanh', 'Thành lập và hoạt động của hộ kinh doanh', 2, 'TT', 3,
     true, '45/QĐ-UBND', '2021-02-20', 2, '2021-02-20', true, 1),
    ('941', '2021-03-01', '941/procedures/2021-03-01.jsonl', 2,
     '1.000002', 'Đăng ký khai sinh có yếu tố nước ngoài', 'Hộ tịch', 2, '4', 5,
     false, '1/QĐ-UBND', '2021-01-02', 2, '2021-01-02', true, 1),
    ('941', '2021-03-01', '941/procedures/2021-03-01.jsonl', 3,
     '1.000003', 'Cấp giấy phép xây dựng nhà ở riêng lẻ', 'Xây dựng', 2, '2', 15,
     true, '300/QĐ-UBND', '2020-11-01', 3, '2020-11-15', false, 1),
    ('941', '2021-03-01', '941/procedures/2021-03-01.jsonl', 4,
     '1.000004', 'Cấp giấy phép kinh doanh karaoke', 'Văn hóa', 2, 'TT', 10,
     true, '2/QĐ-UBND', '2021-01-03', 4, '2021-02-01', true, 0),
    ('941', '2021-03-01', '941/procedures/2021-03-01.jsonl', 5,
     '1.000005', 'Hòa giải tranh chấp đất đai', 'Đất đai', 2, 'MP', 30,
     false, '46/QĐ-UBND', '2021-02-25', 1, '2021-03-01', true, 1),
    -- ward 31510: two files for the same day; the _fix file's row wins for 2.000002
    ('31510', '2021-01-04', '31510/procedures/2021-01-04.xlsx', 2,
     '2.000001', 'Chứng thực bản sao từ bản chính', 'Chứng thực', 3, '3', 1,
     true, '1234/QĐ-UBND', '2020-12-15', 1, '2021-01-01', true, 1),
    ('31510', '2021-01-04', '31510/procedures/2021-01-04.xlsx', 3,
     '2.000002', 'Đăng ký khai tử', 'Hộ tịch', 3, '1', null,
     false, '1234/QĐ-UBND', '2020-12-15', 1, '2021-01-01', true, 1),
    ('31510', '2021-01-04', '31510/procedures/2021-01-04_fix.csv', 2,
     '2.000002', 'Đăng ký khai tử', 'Hộ tịch', 3, '1', null,
     false, '1234/QĐ-UBND', '2020-12-15', 1, '2021-01-01', false, 1),
    ('31513', '2021-01-04', '31513/procedures/2021-01-04.csv', 2,
     '2.000001', 'Chứng thực bản sao từ bản chính', 'Chứng thực', 3, 'MP', 1,
     true, '1234/QĐ-UBND', '2020-12-15', 1, '2021-01-01', true, 1),
    ('31516', '2021-01-04', '31516/procedures/2021-01-04.csv', 2,
     '2.000001', 'Chứng thực bản sao từ bản chính', 'Chứng thực', 3, '4', 1,
     false, '1234/QĐ-UBND', '2020-12-15', 1, '2021-01-01', true, 1);

insert into raw.dossiers
    (unit_code, export_date, source_file, source_row,
     dossier_code, procedure_code, channel, applicant_id_hash, applicant_id_kind,
     received_at, due_at, finished_at, returned_at, status, supplement_count,
     apology_issued, paid_online, digitized, updated_at, late_reason)
values
    -- HS001: received, then finished at 20:00 on its due date: on time
    ('941', '2021-01-05', '941/dossiers/2021-01-05.csv', 2,
     'HS001', '1.000001', 2, 'h01', 'citizen_id',
     '2021-01-05 08:00', '2021-01-10 17:00', null, null, 2, 0,
     false, null, true, '2021-01-05 08:05', null),
    ('941', '2021-01-10', '941/dossiers/2021-01-10.jsonl', 1,
     'HS001', '1.000001', 2, 'h01', 'citizen_id',
     '2021-01-05 08:00', '2021-01-10 17:00', '2021-01-10 20:00', null, 9, 0,
     false, true, true, '2021-01-10 20:05', null),
    -- HS002: received in January, finished late in February (late_reason given); an older
    -- row, without a reason, arrives late
    ('941', '2021-02-03', '941/dossiers/2021-02-03.csv', 2,
     'HS002', '1.000002', 1, 'h02', 'old_id',
     '2021-01-29 09:00', '2021-02-02 17:00', '2021-02-03 09:00', '2021-02-03 10:00', 10, 1,
     true, null, true, '2021-02-03 10:00', 'Lỗi đường truyền mạng'),
    ('941', '2021-02-05', '941/dossiers/2021-02-05.csv', 2,
     'HS002', '1.000002', 1, 'h02', 'old_id',
     '2021-01-29 09:00', '2021-02-02 17:00', null, null, 2, 0,
     false, null, false, '2021-01-29 09:10', null),
    -- HS003: no appointment: due on the day received; the procedure is full by then
    ('941', '2021-03-10', '941/dossiers/2021-03-10.csv', 2,
     'HS003', '1.000001', 2, 'h03', 'tax_code',
     '2021-03-10 08:00', null, '2021-03-10 15:00', null, 9, 0,
     false, false, false, '2021-03-10 15:00', null),
    -- HS004: refused at intake: not counted
    ('941', '2021-02-01', '941/dossiers/2021-02-01.csv', 2,
     'HS004', '1.000002', 2, 'h04', 'citizen_id',
     '2021-02-01 08:00', '2021-02-05 17:00', null, null, 3, 0,
     false, null, false, '2021-02-01 08:30', null),
    -- HS005: still open
    ('941', '2021-02-16', '941/dossiers/2021-02-16.csv', 2,
     'HS005', '1.000003', 1, 'h05', 'citizen_id',
     '2021-02-15 10:00', '2021-03-15 17:00', null, null, 4, 0,
     false, null, false, '2021-02-16 09:00', null),
    -- HS006: received before the city's first procedure snapshot: earliest version applies
    ('941', '2020-12-28', '941/dossiers/2020-12-28.csv', 2,
     'HS006', '1.000001', 1, 'h06', 'citizen_id',
     '2020-12-20 08:00', '2020-12-30 17:00', '2020-12-28 16:00', '2020-12-29 08:00', 10, 0,
     false, false, true, '2020-12-29 08:00', null),
    -- HS007: two rows with the same updated_at: the later export wins (finished, late, the
    -- late_reason left blank: no reason)
    ('941', '2021-02-20', '941/dossiers/2021-02-20.csv', 2,
     'HS007', '1.000003', 1, 'h07', 'citizen_id',
     '2021-02-10 08:00', '2021-02-19 17:00', null, null, 4, 0,
     false, null, false, '2021-02-20 10:00', null),
    ('941', '2021-02-21', '941/dossiers/2021-02-21.csv', 2,
     'HS007', '1.000003', 1, 'h07', 'citizen_id',
     '2021-02-10 08:00', '2021-02-19 17:00', '2021-02-20 09:00', null, 9, 0,
     false, true, false, '2021-02-20 10:00', '  '),
    -- ward 31510: early; and a withdrawn dossier
    ('31510', '2021-01-07', '31510/dossiers/2021-01-07.csv', 2,
     'HS001', '2.000001', 2, 'h08', 'citizen_id',
     '2021-01-06 08:00', '2021-01-08 17:00', '2021-01-07 10:00', '2021-01-07 14:00', 10, 0,
     false, true, true, '2021-01-07 14:00', null),
    ('31510', '2021-01-08', '31510/dossiers/2021-01-08.csv', 2,
     'HS002', '2.000001', 1, 'h09', 'citizen_id',
     '2021-01-08 08:00', '2021-01-10 17:00', null, null, 7, 0,
     false, null, false, '2021-01-08 15:00', null),
    -- ward 31513 (after its rename): late, no apology; its late_reason is decomposed (NFD,
    -- as cp1258 decodes) with spaces around: NFC and trimmed in staging
    ('31513', '2021-07-08', '31513/dossiers/2021-07-08.csv', 2,
     'HS001', '2.000001', 1, 'h10', 'citizen_id',
     '2021-07-05 08:00', '2021-07-06 17:00', '2021-07-08 11:00', null, 9, 0,
     false, false, false, '2021-07-08 11:00', ' Chờ ý kiến của cơ quan phối hợp '),
    -- ward 31516: early, online, procedure at level 4
    ('31516', '2021-02-02', '31516/dossiers/2021-02-02.csv', 2,
     'HS001', '2.000001', 2, 'h11', 'citizen_id',
     '2021-02-01 08:00', '2021-02-05 17:00', '2021-02-02 10:00', null, 9, 0,
     false, null, true, '2021-02-02 10:00', null),
    -- ward 31513, received the day before Tết (10-16 Feb 2021 off), 1 working day: due
    -- 17 Feb by the rule, but the appointment says 19 Feb and no supplement was asked
    -- for: flagged in due_date_flags. Logged early (18 < 19 Feb), late by the rule.
    ('31513', '2021-02-19', '31513/dossiers/2021-02-19.csv', 2,
     'HS002', '2.000001', 1, 'h12', 'citizen_id',
     '2021-02-09 15:00', '2021-02-19 17:00', '2021-02-18 10:00', null, 9, 0,
     false, false, false, '2021-02-18 10:05', null),
    -- the same, but the applicant was asked for more papers: a legitimate move, not
    -- flagged (counted in due_date_flag_summary.moved_with_supplement)
    ('31513', '2021-02-19', '31513/dossiers/2021-02-19.csv', 3,
     'HS003', '2.000001', 1, 'h13', 'citizen_id',
     '2021-02-09 16:00', '2021-02-24 17:00', null, null, 5, 1,
     false, null, false, '2021-02-19 09:00', null);

insert into raw.documents
    (unit_code, export_date, source_file, source_row,
     document_number, document_date, document_type, summary, signer,
     recipient_kind, send_method, digitally_signed, classification, updated_at)
values
    -- same number in 2020 and 2021: numbering restarts each year, two documents
    ('941', '2020-12-31', '941/documents/2020-12-31.csv', 2,
     '01/UBND-VP', '2020-12-31', 'Công văn', 'Về việc tổng kết năm 2020', 'Nguyễn Văn A',
     1, 1, true, 0, '2020-12-31 16:00'),
    ('941', '2021-01-05', '941/documents/2021-01-05.csv', 2,
     '01/UBND-VP', '2021-01-05', 'Công văn', 'Về việc triển khai kế hoạch CCHC năm 2021', 'Nguyễn Văn A',
     1, 2, false, 0, '2021-01-05 09:00'),
    -- the corrected row: sent electronically and signed
    ('941', '2021-01-06', '941/documents/2021-01-06.csv', 2,
     '01/UBND-VP', '2021-01-05', 'Công văn', 'Về việc triển khai kế hoạch CCHC năm 2021', 'Nguyễn Văn A',
     1, 1, true, 0, '2021-01-06 08:00'),
    ('941', '2021-02-10', '941/documents/2021-02-10.csv', 2,
     '02/UBND-VP', '2021-02-10', 'Công văn', 'Về việc rà soát TTHC', 'Trần Thị B',
     1, 3, true, 0, '2021-02-10 15:00'),
    -- to a citizen: not DOC_SENT
    ('941', '2021-02-11', '941/documents/2021-02-11.csv', 2,
     '03/QĐ-UBND', '2021-02-11', 'Quyết định', 'Về việc cấp phép', 'Trần Thị B',
     2, 1, true, 0, '2021-02-11 15:00'),
    -- classified: not DOC_SENT
    ('941', '2021-02-12', '941/documents/2021-02-12.csv', 2,
     '04/UBND-VP', '2021-02-12', 'Công văn', 'Mật', 'Trần Thị B',
     1, 2, false, 1, '2021-02-12 15:00'),
    -- no classification given: ordinary
    ('941', '2021-03-15', '941/documents/2021-03-15.csv', 2,
     '05/BC-UBND', '2021-03-15', 'Báo cáo', 'Báo cáo CCHC quý I', 'Nguyễn Văn A',
     1, 1, true, null, '2021-03-15 16:00'),
    ('31510', '2021-03-01', '31510/documents/2021-03-01.csv', 2,
     '01/UBND', '2021-03-01', 'Báo cáo', 'Báo cáo tình hình', 'Lê Văn C',
     1, 2, false, 0, '2021-03-01 10:00');

insert into raw.reports
    (unit_code, export_date, source_file, source_row,
     period, indicator_code, scope, numerator, denominator, reported_rate)
values
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 2,
     '2021-Q1', 'DOSSIER_ONTIME_RATE', 'self', 2, 4, 50.00),       -- agrees
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 3,
     '2021-Q1', 'DOSSIER_RECEIVED', 'self', 5, null, null),        -- agrees
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 4,
     '2021-01', 'DOC_SENT', 'area', 2, null, null),                -- counts_differ (1)
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 5,
     '2021-Q1', 'DOC_ELECTRONIC_RATE', 'area', 2, 3, 66.66),       -- rate_mismatch (66.67)
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 6,
     '2021', 'FOO_INDICATOR', 'self', 1, null, null),              -- unknown_indicator
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 7,
     '2019-05', 'DOSSIER_RECEIVED', 'self', 1, null, null),        -- unknown_period
    ('941', '2021-04-05', '941/reports/2021-04-05.csv', 8,
     '2021-13', 'DOSSIER_RECEIVED', 'self', 1, null, null),        -- unknown_period
    ('31510', '2021-02-01', '31510/reports/2021-02-01.jsonl', 1,
     '2021-01', 'DOSSIER_ONLINE_RATE_PARTIAL', 'self', 1, 1, 100.00); -- agrees

-- Staff lists: each file is the unit's whole list on its export_date. City 941: 4 January
-- (its _fix file corrects CB03's mailbox), 15 February (CB04 has left, CB06 a new deputy
-- without mailbox or certificate and CB07 arrived, CB05 no longer listed), 1 November
-- (CB06 has got a certificate). Ward 31510: one list, with a mailbox left blank (no).
-- Ward 31516: one list (the ward ends on 30 June). Ward 31513: none. Figures in README.md.
insert into raw.staff
    (unit_code, export_date, source_file, source_row,
     staff_code, position, is_leader, has_official_email, has_signing_certificate, status)
values
    -- 941, 4 January: CB01-CB04 serve; CB05, a leader with both tools, has left
    ('941', '2021-01-04', '941/staff/2021-01-04.csv', 2, 'CB01', 'Chủ tịch', true, true, true, 1),
    ('941', '2021-01-04', '941/staff/2021-01-04.csv', 3, 'CB02', 'Phó Chủ tịch', true, true, false, 1),
    ('941', '2021-01-04', '941/staff/2021-01-04.csv', 4, 'CB03', 'Chuyên viên', false, false, false, 1),
    ('941', '2021-01-04', '941/staff/2021-01-04.csv', 5, 'CB04', 'Chuyên viên', false, false, false, 1),
    ('941', '2021-01-04', '941/staff/2021-01-04.csv', 6, 'CB05', 'Trưởng phòng', true, true, true, 0),
    -- the same day's second file: CB03 does have a mailbox (the _fix row wins)
    ('941', '2021-01-04', '941/staff/2021-01-04_fix.csv', 2, 'CB03', 'Chuyên viên', false, true, false, 1),
    -- 941, 15 February
    ('941', '2021-02-15', '941/staff/2021-02-15.jsonl', 1, 'CB01', 'Chủ tịch', true, true, true, 1),
    ('941', '2021-02-15', '941/staff/2021-02-15.jsonl', 2, 'CB02', 'Phó Chủ tịch', true, true, false, 1),
    ('941', '2021-02-15', '941/staff/2021-02-15.jsonl', 3, 'CB03', 'Chuyên viên', false, true, false, 1),
    ('941', '2021-02-15', '941/staff/2021-02-15.jsonl', 4, 'CB04', 'Chuyên viên', false, false, false, 0),
    ('941', '2021-02-15', '941/staff/2021-02-15.jsonl', 5, 'CB06', 'Phó Chủ tịch', true, false, false, 1),
    ('941', '2021-02-15', '941/staff/2021-02-15.jsonl', 6, 'CB07', 'Chuyên viên', false, true, false, 1),
    -- 941, 1 November
    ('941', '2021-11-01', '941/staff/2021-11-01.csv', 2, 'CB01', 'Chủ tịch', true, true, true, 1),
    ('941', '2021-11-01', '941/staff/2021-11-01.csv', 3, 'CB02', 'Phó Chủ tịch', true, true, false, 1),
    ('941', '2021-11-01', '941/staff/2021-11-01.csv', 4, 'CB03', 'Chuyên viên', false, true, false, 1),
    ('941', '2021-11-01', '941/staff/2021-11-01.csv', 5, 'CB06', 'Phó Chủ tịch', true, false, true, 1),
    ('941', '2021-11-01', '941/staff/2021-11-01.csv', 6, 'CB07', 'Chuyên viên', false, true, false, 1),
    -- 31510, 15 January
    ('31510', '2021-01-15', '31510/staff/2021-01-15.xlsx', 2, 'P1-01', 'Chủ tịch', true, true, true, 1),
    ('31510', '2021-01-15', '31510/staff/2021-01-15.xlsx', 3, 'P1-02', 'Công chức Tư pháp - Hộ tịch', false, true, false, 1),
    ('31510', '2021-01-15', '31510/staff/2021-01-15.xlsx', 4, 'P1-03', 'Công chức Văn phòng - Thống kê', false, null, false, 1),
    -- 31516, 1 March
    ('31516', '2021-03-01', '31516/staff/2021-03-01.csv', 2, 'P3-01', 'Chủ tịch', true, true, false, 1),
    ('31516', '2021-03-01', '31516/staff/2021-03-01.csv', 3, 'P3-02', 'Công chức Văn phòng - Thống kê', false, true, false, 1);

-- Every file the rows above come from, so each row traces to a loaded file (dbt test
-- traces_to_raw_row); plus a rejected file and an empty one.
insert into raw.ingest_ledger
    (source_file, unit_code, feed, export_date, file_format, encoding, sha256, size_bytes,
     rows_in, rows_loaded, rows_set_aside, status, error, loaded_at)
values
    ('941/procedures/2021-01-04.csv', '941', 'procedures', '2021-01-04', 'csv', 'utf-8', 'a01', 900, 5, 5, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/procedures/2021-03-01.jsonl', '941', 'procedures', '2021-03-01', 'jsonl', 'utf-8', 'a02', 900, 5, 5, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31510/procedures/2021-01-04.xlsx', '31510', 'procedures', '2021-01-04', 'xlsx', null, 'a03', 900, 2, 2, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31510/procedures/2021-01-04_fix.csv', '31510', 'procedures', '2021-01-04', 'csv', 'utf-8-sig', 'a04', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31513/procedures/2021-01-04.csv', '31513', 'procedures', '2021-01-04', 'csv', 'cp1258', 'a05', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31516/procedures/2021-01-04.csv', '31516', 'procedures', '2021-01-04', 'csv', 'utf-8', 'a06', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2020-12-28.csv', '941', 'dossiers', '2020-12-28', 'csv', 'utf-8', 'a07', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-01-05.csv', '941', 'dossiers', '2021-01-05', 'csv', 'utf-8', 'a08', 500, 2, 1, 1, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-01-10.jsonl', '941', 'dossiers', '2021-01-10', 'jsonl', 'utf-8', 'a09', 500, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-01-11.xlsx', '941', 'dossiers', '2021-01-11', 'xlsx', null, 'a10', 100, null, 0, 0, 'rejected', 'truncated XLSX', '2021-04-06 01:00'),
    ('941/dossiers/2021-02-01.csv', '941', 'dossiers', '2021-02-01', 'csv', 'utf-8', 'a11', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-02-03.csv', '941', 'dossiers', '2021-02-03', 'csv', 'utf-8', 'a12', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-02-05.csv', '941', 'dossiers', '2021-02-05', 'csv', 'utf-8', 'a13', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-02-16.csv', '941', 'dossiers', '2021-02-16', 'csv', 'utf-8', 'a14', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-02-20.csv', '941', 'dossiers', '2021-02-20', 'csv', 'utf-8', 'a15', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-02-21.csv', '941', 'dossiers', '2021-02-21', 'csv', 'utf-8', 'a16', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/dossiers/2021-03-10.csv', '941', 'dossiers', '2021-03-10', 'csv', 'utf-8', 'a17', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31510/dossiers/2021-01-07.csv', '31510', 'dossiers', '2021-01-07', 'csv', 'utf-8-sig', 'a18', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31510/dossiers/2021-01-08.csv', '31510', 'dossiers', '2021-01-08', 'csv', 'utf-8-sig', 'a19', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31513/dossiers/2021-02-19.csv', '31513', 'dossiers', '2021-02-19', 'csv', 'cp1258', 'a20', 400, 2, 2, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31513/dossiers/2021-07-08.csv', '31513', 'dossiers', '2021-07-08', 'csv', 'cp1258', 'a21', 300, 1, 1, 0, 'loaded', null, '2021-07-10 01:00'),
    ('31516/dossiers/2021-02-02.csv', '31516', 'dossiers', '2021-02-02', 'csv', 'utf-8', 'a22', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2020-12-31.csv', '941', 'documents', '2020-12-31', 'csv', 'utf-8', 'a23', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2021-01-05.csv', '941', 'documents', '2021-01-05', 'csv', 'utf-8', 'a24', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2021-01-06.csv', '941', 'documents', '2021-01-06', 'csv', 'utf-8', 'a25', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2021-02-10.csv', '941', 'documents', '2021-02-10', 'csv', 'utf-8', 'a26', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2021-02-11.csv', '941', 'documents', '2021-02-11', 'csv', 'utf-8', 'a27', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2021-02-12.csv', '941', 'documents', '2021-02-12', 'csv', 'utf-8', 'a28', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/documents/2021-03-15.csv', '941', 'documents', '2021-03-15', 'csv', 'utf-8', 'a29', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31510/documents/2021-03-01.csv', '31510', 'documents', '2021-03-01', 'csv', 'utf-8-sig', 'a30', 300, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31513/documents/2021-07-09.csv', '31513', 'documents', '2021-07-09', 'csv', 'cp1258', 'a31', 0, 0, 0, 0, 'loaded', null, '2021-07-10 01:00'),
    ('941/reports/2021-04-05.csv', '941', 'reports', '2021-04-05', 'csv', 'utf-8', 'a32', 400, 7, 7, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31510/reports/2021-02-01.jsonl', '31510', 'reports', '2021-02-01', 'jsonl', 'utf-8', 'a33', 200, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/staff/2021-01-04.csv', '941', 'staff', '2021-01-04', 'csv', 'utf-8', 'a34', 400, 5, 5, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/staff/2021-01-04_fix.csv', '941', 'staff', '2021-01-04', 'csv', 'utf-8', 'a35', 200, 1, 1, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/staff/2021-02-15.jsonl', '941', 'staff', '2021-02-15', 'jsonl', 'utf-8', 'a36', 900, 6, 6, 0, 'loaded', null, '2021-04-06 01:00'),
    ('941/staff/2021-11-01.csv', '941', 'staff', '2021-11-01', 'csv', 'utf-8', 'a37', 400, 5, 5, 0, 'loaded', null, '2021-11-02 01:00'),
    ('31510/staff/2021-01-15.xlsx', '31510', 'staff', '2021-01-15', 'xlsx', null, 'a38', 900, 3, 3, 0, 'loaded', null, '2021-04-06 01:00'),
    ('31516/staff/2021-03-01.csv', '31516', 'staff', '2021-03-01', 'csv', 'utf-8', 'a39', 300, 2, 2, 0, 'loaded', null, '2021-04-06 01:00');

insert into raw.set_aside
    (source_file, source_row, unit_code, feed, export_date, reason, record)
values
    ('941/dossiers/2021-01-05.csv', 3, '941', 'dossiers', '2021-01-05',
     'finished_at before received_at', '{"dossier_code": "HS099", "applicant_id_hash": "h99"}'),
    ('941/dossiers/2021-01-11.xlsx', null, '941', 'dossiers', '2021-01-11',
     'unreadable file: truncated XLSX', null);
