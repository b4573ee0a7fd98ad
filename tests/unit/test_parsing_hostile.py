"""Parsing under hostile delivery (issue 15): rows that vanish while the ledger balances,
personal data in reasons and set-aside records, files of another feed, formula cells,
negative counts, and rejected files whose rows were never counted.

Every test here states what the ingest must make of one kind of bad file; each failed on
the parser before the fix. Each runs with the native (polars) CSV path on and off: a CSV
file it reads must come out as the Python reader makes it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import openpyxl
import orjson
import polars as pl
import pytest

from pipelines.lib import native_csv, parsing
from pipelines.lib.landing import LandingFile
from pipelines.lib.parsing import ParsedBatch, parse_batch
from tests.unit.test_parsing import (
    DOSSIER_HEADER,
    GOOD_DOSSIER,
    PERSONAL,
    PSEUDONYMISER,
    all_text,
    api_dossier,
    deliver,
    reasons,
)

# A dossier row without quotes (its address has no comma), so that a stray quote in it is
# the only quote in the file.
PLAIN_DOSSIER = GOOD_DOSSIER.replace('"Khu vực 4, Phường I"', "Khu vực 4")
DOCUMENT_HEADER = (
    '"Số, ký hiệu",Ngày văn bản,Loại văn bản,Trích yếu,Người ký,Nơi nhận,Hình thức gửi,'
    "Ký số,Độ mật,Ngày cập nhật"
)
REPORT_HEADER = "Kỳ báo cáo,Mã chỉ tiêu,Phạm vi,Tử số,Mẫu số,Tỷ lệ (%)"


def document(number: int, summary: str = "V/v A") -> str:
    return (
        f"{number}/UBND,06/01/2023,Công văn,{summary},Trần Văn Tâm,Cơ quan nhà nước,"
        "Điện tử,Có,Thường,06/01/2023 16:00"
    )


def dossier(code: int, row: str = GOOD_DOSSIER) -> str:
    return row.replace("P1-001", f"P1-{code:03d}")


@pytest.fixture(autouse=True, params=["native", "python"])
def csv_reader(request, monkeypatch) -> str:
    """The CSV reader of the test: 'native' reads clean files with polars, 'python' reads
    every file with the Python reader."""
    monkeypatch.setattr(native_csv, "ENABLED", request.param == "native")
    return request.param


def parse(feed: str, *files: LandingFile, encodings=None) -> ParsedBatch:
    batch = parse_batch(feed, list(files), encodings or {}, PSEUDONYMISER)
    accounted(batch)
    return batch


def accounted(batch: ParsedBatch) -> None:
    """The ledger's counts are what reached each frame, and they add up."""
    for outcome in batch.outcomes:
        rel = outcome.file.relpath
        loaded = batch.loaded.filter(pl.col("source_file") == rel)
        aside = batch.set_aside.filter(pl.col("source_file") == rel)
        assert (outcome.rows_loaded, outcome.rows_set_aside) == (loaded.height, aside.height)
        if outcome.status == "loaded":
            assert outcome.rows_in == loaded.height + aside.height, outcome
            rows = loaded["source_row"].to_list() + aside["source_row"].to_list()
            assert len(rows) == len(set(rows)) and None not in rows
        else:
            assert loaded.height == 0 and aside["source_row"].to_list() == [None]


def outcome_of(batch: ParsedBatch, file: LandingFile):
    [outcome] = [o for o in batch.outcomes if o.file.relpath == file.relpath]
    return outcome


def loaded_rows(batch: ParsedBatch, file: LandingFile) -> list[int]:
    return batch.loaded.filter(pl.col("source_file") == file.relpath)["source_row"].to_list()


# ------------------------------------------------------------------ 1. rows that vanish


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path):
    rows = [dossier(n, PLAIN_DOSSIER) for n in range(2, 12)]  # rows 2..11: ten records
    rows[2] = rows[2].replace(",Đã trả kết quả,", ',"Đã trả kết quả,')  # row 4: never closed
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse("dossiers", file)
    outcome = outcome_of(batch, file)
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 10, 9)
    assert loaded_rows(batch, file) == [2, 3, *range(5, 12)]
    assert reasons(batch) == {4: "row has a quote that is never closed"}
    assert batch.set_aside["record"].to_list() == [None]  # a dossier row that cannot be aligned


def test_rows_after_a_merged_record_keep_their_own_numbers(tmp_path):
    # The stray quote opens a field that the next row's quoted address closes: csv reads
    # rows 4 and 5 as one record, and every later row one line too early.
    rows = [dossier(n) for n in range(2, 9)]
    rows[2] = rows[2].replace(",Đã trả kết quả,", ',"Đã trả kết quả,')
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse("dossiers", file)
    assert outcome_of(batch, file).rows_in == 7
    assert loaded_rows(batch, file) == [2, 3, 5, 6, 7, 8]
    assert reasons(batch) == {4: "row has a quote that is never closed"}
    codes = batch.loaded.select("source_row", "dossier_code").rows()
    assert all(code == f"P1-{row:03d}" for row, code in codes)  # row n holds P1-00n


def test_a_quote_left_open_in_the_last_row_sets_it_aside(tmp_path):
    rows = [dossier(2, PLAIN_DOSSIER), dossier(3, PLAIN_DOSSIER)]
    rows[1] = rows[1].replace(",06/01/2023 10:05:00", ',"06/01/2023 10:05:00')
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse("dossiers", file)
    assert loaded_rows(batch, file) == [2]
    assert reasons(batch) == {3: "row has a quote that is never closed"}


def test_a_quote_left_open_in_the_last_row_after_a_multi_line_record(tmp_path):
    text = "\n".join([DOCUMENT_HEADER, document(1, '"Về việc A\ndòng hai"'), document(2, '"V/v B')])
    file = deliver(tmp_path, "930/documents/2023-01-06.csv", text)
    batch = parse("documents", file)
    assert loaded_rows(batch, file) == [2]
    assert reasons(batch) == {4: "row has a quote that is never closed"}


def test_an_open_quote_longer_than_the_csv_field_limit_is_accounted_line_by_line(tmp_path):
    # csv gives up on a field over 131,072 characters: the whole file was rejected unread.
    rows = [dossier(n, PLAIN_DOSSIER) for n in range(2, 1502)]
    rows[0] = rows[0].replace(",Đã trả kết quả,", ',"Đã trả kết quả,')
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse("dossiers", file)
    outcome = outcome_of(batch, file)
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 1500, 1499)
    assert reasons(batch) == {2: "row has a quote that is never closed"}


def test_a_well_formed_multi_line_field_is_one_record_numbered_by_its_first_line(tmp_path):
    text = "\r\n".join(
        [
            DOCUMENT_HEADER,
            document(1),  # line 2
            document(2, '"Về việc A,\r\ndòng thứ hai ""trích"""'),  # lines 3-4: one record
            document(3),  # line 5
        ]
    )
    file = deliver(tmp_path, "930/documents/2023-01-06.csv", text)
    batch = parse("documents", file)
    assert outcome_of(batch, file).rows_in == 3
    assert batch.loaded.select("source_row", "document_number", "summary").rows() == [
        (2, "1/UBND", "V/v A"),
        (3, "2/UBND", 'Về việc A,\r\ndòng thứ hai "trích"'),
        (5, "3/UBND", "V/v A"),
    ]


def test_lines_joined_by_a_stray_quote_are_read_one_by_one(tmp_path):
    # Line 3 opens a quote that line 5 closes, but the lines between are records of their
    # own (the joined text has too many fields): each line is accounted for by itself.
    lines = [DOCUMENT_HEADER, document(1), document(2, '"V/v A'), document(3), document(4, 'B"')]
    file = deliver(tmp_path, "930/documents/2023-01-06.csv", "\n".join([*lines, document(5)]))
    batch = parse("documents", file)
    assert outcome_of(batch, file).rows_in == 5
    assert loaded_rows(batch, file) == [2, 4, 5, 6]  # line 5's lone quote is literal text
    assert reasons(batch) == {3: "row has a quote that is never closed"}


def test_the_ledger_counts_what_reached_the_frames(tmp_path, monkeypatch):
    # If typing ever lost a row, the ledger must show it instead of balancing by arithmetic.
    typed = parsing._type_batch

    def losing_a_row(*args, **kwargs):
        loaded, aside = typed(*args, **kwargs)
        return loaded.slice(1), aside

    monkeypatch.setattr(parsing, "_type_batch", losing_a_row)
    rows = [dossier(n) for n in range(2, 5)]
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse_batch("dossiers", [file], {}, PSEUDONYMISER)
    [outcome] = batch.outcomes
    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_set_aside) == (3, 2, 0)
    assert "rows do not add up" in outcome.error


# ------------------------------------------------------------------ 2. personal data


def test_reasons_name_the_column_and_never_quote_the_delivered_value(tmp_path):
    rows = [
        DOSSIER_HEADER,
        dossier(2).replace("05/01/2023 09:40", "0918654321"),  # a phone in a date column
        dossier(3).replace("Đã trả kết quả", "12"),
        dossier(4).replace(",0,Không,", ",-,maybe,"),
        dossier(5).replace("Trực tiếp", "Zalo"),
    ]
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join(rows))
    batch = parse("dossiers", file)
    assert reasons(batch) == {
        2: "Ngày tiếp nhận / received_at: not a date",
        3: "Trạng thái / status: unknown code",
        4: "Số lần bổ sung / supplement_count: not a whole number; "
        "Phiếu xin lỗi / apology_issued: not Có/Không (or true/false)",
        5: "Kênh nộp / channel: unknown value",
    }
    records = {
        row: json.loads(r) for row, r in batch.set_aside.select("source_row", "record").rows()
    }
    # A value that failed to type is not kept; the rest of the record is.
    assert records[2]["received_at"] is None and records[2]["dossier_code"] == "P1-002"
    assert records[3]["status"] is None and records[3]["received_at"] == "05/01/2023 09:40"
    assert (records[4]["supplement_count"], records[4]["apology_issued"]) == (None, None)
    assert records[5]["channel"] is None
    assert "0918654321" not in all_text(batch)


def test_a_shifted_row_of_the_right_width_puts_no_personal_data_anywhere(tmp_path):
    # The channel left out and an unquoted comma in the address: 17 fields, each column one
    # to the left or right of where it belongs; the applicant's name lands in 'Kênh nộp'.
    shifted = PLAIN_DOSSIER.replace("Trực tiếp,", "").replace("Khu vực 4", "Khu vực 4, Phường I")
    assert shifted.count(",") == DOSSIER_HEADER.count(",")
    file = deliver(
        tmp_path, "31321/dossiers/2023-01-06.csv", f"{DOSSIER_HEADER}\n{dossier(2)}\n{shifted}\n"
    )
    batch = parse("dossiers", file)
    assert reasons(batch) == {3: "Kênh nộp / channel: unknown value"}
    [record] = [json.loads(r) for r in batch.set_aside["record"]]
    assert record["channel"] is None
    assert not any(p in all_text(batch) for p in (*PERSONAL, "Phường I"))


def test_a_nested_json_value_is_not_kept_in_the_record(tmp_path):
    line = json.dumps(api_dossier(KenhThucHien={"Ma": 2, "Ten": "Danh Thị Hoa"}))
    batch = parse("dossiers", deliver(tmp_path, "930/dossiers/2023-01-06.jsonl", line))
    assert reasons(batch) == {1: "KenhThucHien / channel: expected a single value, not an object"}
    assert json.loads(batch.set_aside["record"][0])["channel"] is None
    assert "Danh Thị Hoa" not in all_text(batch)


def test_a_dossier_export_in_the_documents_folder_is_rejected_unread(tmp_path):
    unquoted = dossier(3).replace('"Khu vực 4, Phường I"', "Khu vực 4, Phường I")  # 18 fields
    csv_file = deliver(
        tmp_path,
        "31321/documents/2023-01-06.csv",
        "\n".join([DOSSIER_HEADER, dossier(2), unquoted, dossier(4)]) + "\n",
    )
    cut = json.dumps(api_dossier(MaHoSo="H2"), ensure_ascii=False)[:80]
    jsonl_file = deliver(
        tmp_path,
        "930/documents/2023-01-06.jsonl",
        "\n".join([json.dumps(api_dossier(), ensure_ascii=False), cut]) + "\n",
    )
    workbook = openpyxl.Workbook()
    workbook.active.append(DOSSIER_HEADER.split(","))
    workbook.active.append(["P1-1", "1.003583", "Trực tiếp", "Thạch Văn Sang", "093085654321"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx_file = deliver(tmp_path, "31324/documents/2023-01-06.xlsx", buffer.getvalue())
    batch = parse("documents", csv_file, jsonl_file, xlsx_file)

    assert batch.loaded.height == 0
    for file, rows_in in ((csv_file, 3), (jsonl_file, 2), (xlsx_file, 1)):
        outcome = outcome_of(batch, file)
        assert (outcome.status, outcome.rows_in) == ("rejected", rows_in), outcome
        assert "dossiers feed" in outcome.error and "documents" in outcome.error
    assert batch.set_aside["record"].to_list() == [None, None, None]
    errors = " ".join(o.error for o in batch.outcomes)
    assert not any(p in all_text(batch) + errors for p in (*PERSONAL, "Danh Thị Hoa"))


def test_a_file_without_its_header_row_is_rejected_without_quoting_its_first_row(tmp_path):
    file = deliver(
        tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([dossier(2), dossier(3)]) + "\n"
    )
    batch = parse("dossiers", file)
    [outcome] = batch.outcomes
    assert outcome.status == "rejected" and "no column of the dossiers feed" in outcome.error
    assert outcome.rows_in == 1  # the first line is taken for the header
    assert not any(p in outcome.error + all_text(batch) for p in PERSONAL)


@pytest.mark.parametrize("csv_reader", ["python"], indirect=True)  # it breaks that reader
def test_an_unexpected_error_is_reported_without_its_message(tmp_path, monkeypatch):
    def failing(text, feed):
        raise ValueError("cannot use 'Thạch Văn Sang'")

    monkeypatch.setattr(parsing, "_read_csv", failing)
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", f"{DOSSIER_HEADER}\n{GOOD_DOSSIER}")
    batch = parse("dossiers", file)
    assert batch.outcomes[0].error == "unexpected error: ValueError"
    assert "Thạch" not in all_text(batch)


# ------------------------------------------------------------------ 9. formula cells


def workbook_bytes(rows: list[list]) -> bytes:
    """An XLSX file (openpyxl) whose first sheet holds these rows."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_cached_values(data: bytes, cells: dict[str, tuple[str | None, str]]) -> bytes:
    """The workbook with the given formula cells' cached values filled in, as Excel saves
    them: cell ref -> (cell type or None, cached value)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, (kind, value) in cells.items():
                    cell = re.search(f'<c r="{ref}"[^>]*>(<f>[^<]*</f>)<v ?/>', text)
                    assert cell, ref
                    typed = f' t="{kind}"' if kind else ""
                    replacement = f'<c r="{ref}"{typed}>{cell.group(1)}<v>{value}</v>'
                    text = text[: cell.start()] + replacement + text[cell.end() :]
                content = text.encode()
            target.writestr(name, content)
    return out.getvalue()


def test_xlsx_formula_cells_load_their_cached_value_or_are_set_aside(tmp_path):
    header = REPORT_HEADER.split(",")
    rows = [
        header,
        ["2022", "A", "Đơn vị", 5, 10, 50],  # row 2: plain values
        ["2022", "B", "Đơn vị", 5, "=D3*2", None],  # row 3: formula, no cached value
        ["2022", "C", "Đơn vị", "=2+3", 10, None],  # row 4: formula with a cached value
        [None, None, None, "=D2", "=E2", None],  # row 5: nothing but formulas
        ["2022", "E", "Đơn vị", 1, "=1/0", None],  # row 6: cached value is an error
        ["2022", "F", "Địa bàn", 7, 8, None],  # row 7
        [None, None, None, "=D7", "=E7", None],  # row 8: formulas only, after the last row
    ]
    data = _with_cached_values(workbook_bytes(rows), {"D4": (None, "5"), "E6": ("e", "#DIV/0!")})
    file = deliver(tmp_path, "31324/reports/2023-01-10.xlsx", data)
    batch = parse("reports", file)
    assert batch.loaded.select("source_row", "indicator_code", "numerator").rows() == [
        (2, "A", 5),
        (4, "C", 5),
        (7, "F", 7),
    ]
    assert reasons(batch) == {
        3: "formula without a value in column 'Mẫu số' (denominator)",
        5: "formula without a value in column 'Tử số' (numerator); "
        "formula without a value in column 'Mẫu số' (denominator)",
        6: "error value in column 'Mẫu số' (denominator)",
        8: "formula without a value in column 'Tử số' (numerator); "
        "formula without a value in column 'Mẫu số' (denominator)",
    }
    assert outcome_of(batch, file).rows_in == 7


def test_xlsx_rows_are_numbered_as_the_sheet_numbers_them(tmp_path):
    # Row 1 left empty: the header is on row 2 and the first record on row 3.
    data = workbook_bytes(
        [[None], REPORT_HEADER.split(","), ["2022", "A", "Đơn vị", 5], ["2022", "B", "Đơn vị", 6]]
    )
    file = deliver(tmp_path, "31324/reports/2023-01-10.xlsx", data)
    batch = parse("reports", file)
    assert batch.loaded.select("source_row", "indicator_code").rows() == [(3, "A"), (4, "B")]


# ------------------------------------------------------------------ 10. negative counts


def test_negative_counts_are_set_aside(tmp_path):
    csv_dossiers = deliver(
        tmp_path,
        "31321/dossiers/2023-01-06.csv",
        f"{DOSSIER_HEADER}\n{dossier(2).replace(',0,Không,', ',-3,Không,')}\n{dossier(3)}\n",
    )
    csv_reports = deliver(
        tmp_path,
        "31321/reports/2023-01-10.csv",
        f'{REPORT_HEADER}\n2022,A,Đơn vị,-5,10,\n2022,B,Đơn vị,5,"-10,5",\n2022,C,Đơn vị,-0,,\n',
    )
    jsonl_reports = deliver(
        tmp_path,
        "930/reports/2023-01-10.jsonl",
        '{"KyBaoCao": "2022", "MaChiTieu": "A", "PhamVi": "self", "TuSo": -5}\n',
    )
    dossiers = parse("dossiers", csv_dossiers)
    assert reasons(dossiers) == {2: "Số lần bổ sung / supplement_count: must not be negative"}
    assert dossiers.loaded["dossier_code"].to_list() == ["P1-003"]
    reports = parse("reports", csv_reports, jsonl_reports)
    assert reports.set_aside.select("source_file", "source_row", "reason").rows() == [
        (csv_reports.relpath, 2, "Tử số / numerator: must not be negative"),
        (csv_reports.relpath, 3, "Mẫu số / denominator: must not be negative"),
        (jsonl_reports.relpath, 1, "TuSo / numerator: must not be negative"),
    ]
    assert reports.loaded["indicator_code"].to_list() == ["C"]  # -0 is zero


# ------------------------------------------------------------------ 14. rejected, counted


def test_a_utf16_file_is_rejected_with_its_records_counted(tmp_path):
    text = "\r\n".join([DOSSIER_HEADER.replace(",", "\t"), *(dossier(n) for n in range(2, 6))])
    csv_file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", text.encode("utf-16"))
    lines = [json.dumps(api_dossier(MaHoSo=f"H{n}"), ensure_ascii=False) for n in range(3)]
    jsonl_file = deliver(
        tmp_path, "930/dossiers/2023-01-06.jsonl", "\n".join(lines).encode("utf-16-le")
    )
    batch = parse("dossiers", csv_file, jsonl_file)
    for file, rows_in in ((csv_file, 4), (jsonl_file, 3)):
        outcome = outcome_of(batch, file)
        assert (outcome.status, outcome.rows_in) == ("rejected", rows_in)
        assert "UTF-16" in outcome.error


def test_a_text_file_with_a_nul_byte_is_rejected_with_its_records_counted(tmp_path):
    rows = [dossier(n) for n in range(2, 6)]
    rows[1] = rows[1].replace("Trực tiếp", "Trực\x00tiếp")
    file = deliver(tmp_path, "31321/dossiers/2023-01-06.csv", "\n".join([DOSSIER_HEADER, *rows]))
    batch = parse("dossiers", file)
    [outcome] = batch.outcomes
    assert (outcome.status, outcome.rows_in) == ("rejected", 4)
    assert "NUL" in outcome.error


@pytest.mark.parametrize("feed", ["procedures", "reports"])
def test_another_feeds_header_is_named_in_the_rejection(tmp_path, feed):
    file = deliver(
        tmp_path, f"31321/{feed}/2023-01-06.csv", f"{DOSSIER_HEADER}\n{dossier(2)}\n{dossier(3)}\n"
    )
    batch = parse(feed, file)
    [outcome] = batch.outcomes
    assert (outcome.status, outcome.rows_in) == ("rejected", 2)
    assert outcome.error == f"the header is that of the dossiers feed, not {feed}"


def test_records_of_rejected_rows_are_json_or_null(tmp_path):
    """Set-aside records stay machine-readable after the changes above."""
    rows = [DOCUMENT_HEADER, document(1), document(2, "x, y")]
    batch = parse("documents", deliver(tmp_path, "930/documents/2023-01-06.csv", "\n".join(rows)))
    [record] = batch.set_aside["record"].to_list()
    assert orjson.loads(record)["fields"][3] == "x"
    assert date(2023, 1, 6) in batch.loaded["document_date"].to_list()
