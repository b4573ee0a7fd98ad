"""The reports' cover (issue 16, point 10): times on the readers' clock (Asia/Ho_Chi_Minh),
no server path anywhere, and a monthly workbook's input table saying its counts are not the
month's. The tiny published file of test_reports_data.py: published 2022-03-01 02:00 by a
server whose clock is UTC; deliveries from 04/01/2022 to 20/02/2022.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile

import openpyxl
import pytest

from pipelines.reports.charts import render_html
from pipelines.reports.data import build_report, load_snapshot
from pipelines.reports.excel import COVER_SHEET, write_workbook
from pipelines.reports.periods import parse_period
from pipelines.reports.terminal import run
from tests.unit.test_reports_data import CITY, tiny_published  # noqa: F401

YEAR = parse_period("2022")
JANUARY = parse_period("2022-01")


@pytest.fixture
def snapshot(tiny_published):  # noqa: F811
    return load_snapshot(tiny_published)


@pytest.fixture
def utc_server(monkeypatch):
    """A server whose clock is UTC, as this one's is: published_at is written in it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_vietnam_time(utc_server, snapshot, tmp_path):
    report = build_report(snapshot, CITY, YEAR)
    path = tmp_path / "w.xlsx"
    write_workbook(report, path)
    cover = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(path)[COVER_SHEET].iter_rows(values_only=True)
        if row[0]
    }
    # published 02:00 on the UTC server's clock = 09:00 in Asia/Ho_Chi_Minh (UTC+7)
    assert cover["Số liệu tính lúc (giờ Việt Nam)"] == dt.datetime(2022, 3, 1, 9, 0)
    made = cover["Báo cáo lập lúc (giờ Việt Nam)"]
    utc_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs((made - utc_now) - dt.timedelta(hours=7)) < dt.timedelta(minutes=5)
    page, _ = render_html(report)
    assert "09:00:00 01/03/2022 (giờ Việt Nam)" in page
    out = io.StringIO()
    run(snapshot.source, CITY, "2022", stdout=out, stderr=io.StringIO(), width=200)
    assert "Số liệu công bố lúc 09:00:00 01/03/2022 (giờ Việt Nam), tệp par.duckdb" in (
        out.getvalue()
    )


def test_no_server_path_in_any_report(snapshot, tmp_path):
    report = build_report(snapshot, CITY, YEAR)
    write_workbook(report, tmp_path / "w.xlsx")
    page, _ = render_html(report, workbook_name="par_900_2022.xlsx")
    out = io.StringIO()
    run(snapshot.source, CITY, "2022", stdout=out, stderr=io.StringIO(), width=200)
    folder = str(snapshot.source.parent)
    assert folder.startswith("/")
    for text in (_xlsx_text(tmp_path / "w.xlsx"), page, out.getvalue()):
        assert folder not in text
        assert os.sep + "par.duckdb" not in text


def test_a_month_workbook_says_its_file_counts_are_not_the_months(snapshot, tmp_path):
    def notes(period) -> list[str]:
        path = tmp_path / f"{period.label}.xlsx"
        write_workbook(build_report(snapshot, CITY, period), path)
        return [
            row[0]
            for row in openpyxl.load_workbook(path)[COVER_SHEET].iter_rows(values_only=True)
            if isinstance(row[0], str) and row[0].startswith("Số tệp, số dòng")
        ]

    # The tiny file's deliveries run from 04/01/2022 to 20/02/2022 (ingest_summary): all in
    # the year, not all in January.
    assert notes(JANUARY) == [
        "Số tệp, số dòng: mọi tệp đã nhận (ngày xuất 04/01/2022 – 20/02/2022), không riêng "
        "tháng 1/2022."
    ]
    assert notes(YEAR) == ["Số tệp, số dòng: mọi tệp đã nhận (ngày xuất 04/01/2022 – 20/02/2022)."]


def _xlsx_text(path) -> str:
    """Every part of the workbook (cells, shared strings, properties), as text."""
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
