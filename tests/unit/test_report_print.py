"""The workbook as it prints: converted to PDF by LibreOffice headless (one conversion), its
pages counted and read back with poppler's `pdftotext -layout`.

The tiny published file (test_reports_data.py) with 120 more set-aside rows for ward A, so
that the warnings sheet runs over several pages and its repeated header rows can be seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import polars as pl
import pytest

from pipelines.reports.data import build_report, load_snapshot
from pipelines.reports.excel import write_workbook
from pipelines.reports.periods import parse_period
from tests.office import pdf_info, pdf_pages, to_pdf
from tests.unit.test_reports_data import CITY, WARD_A, tiny_published  # noqa: F401

EXTRA_SET_ASIDE = 400
UNIT_AND_PERIOD = "Thành phố Thử Nghiệm (900) — Năm 2022"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    from tests.unit.test_reports_data import write_tiny_published

    snapshot = load_snapshot(write_tiny_published(folder / "par.duckdb"))
    extra = pl.DataFrame(
        {
            "unit_code": [WARD_A] * EXTRA_SET_ASIDE,
            "feed": ["dossiers"] * EXTRA_SET_ASIDE,
            "export_date": [dt.date(2022, 2, 21)] * EXTRA_SET_ASIDE,
            "source_file": ["90001/dossiers/2022-02-21.csv"] * EXTRA_SET_ASIDE,
            "source_row": list(range(2, 2 + EXTRA_SET_ASIDE)),
            "reason": ["Ngày tiếp nhận / received_at: not a date"] * EXTRA_SET_ASIDE,
        },
        schema=snapshot.set_aside.schema,
    )
    snapshot = dataclasses.replace(snapshot, set_aside=pl.concat([snapshot.set_aside, extra]))
    workbook = folder / "par_900_2022.xlsx"
    write_workbook(build_report(snapshot, CITY, parse_period("2022")), workbook)
    pdf = to_pdf(workbook, folder / "pdf")
    return pdf_info(pdf), pdf_pages(pdf)


def sheet_pages(pages: list[str], title_start: str) -> list[str]:
    """The pages whose first line (the sheet's title row, repeated) starts so."""
    return [p for p in pages if _first_line(p).startswith(title_start)]


def _first_line(page: str) -> str:
    """The first line of the sheet (under the page header, if any)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return next((line for line in lines if line != UNIT_AND_PERIOD), "")


def test_a4_landscape(printed):
    info, _ = printed
    # A4 landscape in points: 297 x 210 mm
    assert info["Page size"].startswith("841.89 x 595.")


def test_few_pages_each_with_every_column(printed):
    info, pages = printed
    # Cover 1 page; procedures, dossiers, documents, staff (4 to 8 rows each): 1 page each;
    # late dossiers (2 rows) 1 page; warnings: 3 reconciliation + 3 set-aside + 400 extra
    # rows = 406 rows, a few pages. The old layout (portrait, no fit to width) printed one
    # or two columns per page: the tiny workbook took far more pages, the sample's 45.
    assert int(info["Pages"]) == len(pages)
    assert 7 < len(pages) <= 12, len(pages)
    for title, first, last in [
        ("Thủ tục hành chính —", "Mã chỉ tiêu", "Đạt mục tiêu"),
        ("Hồ sơ thủ tục hành chính —", "Mã chỉ tiêu", "Đạt mục tiêu"),
        ("Văn bản đi —", "Mã chỉ tiêu", "Đạt mục tiêu"),
        ("Cán bộ, công chức và chữ ký số —", "Mã chỉ tiêu", "Đạt mục tiêu"),
        ("Hồ sơ trễ hạn và lý do —", "Mã đơn vị", "Lý do trễ hạn"),
    ]:
        found = sheet_pages(pages, title)
        assert len(found) == 1, (title, len(found))
        # one page wide: the first and the last column's headers on the same line
        header = next(line for line in found[0].splitlines() if first in line)
        assert last in header, header
    warnings = sheet_pages(pages, "Cảnh báo")
    assert len(warnings) >= 2
    for page in warnings:  # the title and header rows repeated on every page
        assert "Mã đơn vị" in page and "Chi tiết" in page
    # every set-aside row printed once: rows 2..401 of the extra file
    printed_rows = [
        line for page in warnings for line in page.splitlines() if "2022-02-21.csv" in line
    ]
    assert len(printed_rows) == EXTRA_SET_ASIDE


def test_cover_title_whole_on_the_first_page(printed):
    _, pages = printed
    cover = pages[0]
    assert "BÁO CÁO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH" in cover
    assert "Thành phố Thử Nghiệm (900) — Năm 2022" in cover
    assert "Dữ liệu đầu vào theo đơn vị và nguồn" in cover
    # the input table one page wide too: its first and last headers on one line
    header = next(line for line in cover.splitlines() if line.strip().startswith("Mã đơn vị"))
    assert "Ngày xuất gần nhất" in header or "gần nhất" in header, header


def test_every_page_names_unit_period_and_page_number(printed):
    _, pages = printed
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert UNIT_AND_PERIOD in page.splitlines()[0], (number, page.splitlines()[0])
        footer = [line for line in page.splitlines() if line.strip()][-1]
        assert re.search(rf"Trang {number}/{total}\b", footer), (number, footer)
