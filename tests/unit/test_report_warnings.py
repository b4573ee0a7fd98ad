"""Warnings reach officials (issue 16, point 8): the workbook, the HTML page and `par report`
of the tiny published file (test_reports_data.py), whose warnings are worked out here from
its rows.

The tiny file's warnings, by hand:
- reconciliation (status <> 'agrees'): ward A DOC_SENT 2022-Q1 reported 5, logs 1
  (counts_differ); ward A DOC_SENT 'Q5/2022' (unknown_period, placed by its export date
  05/02/2022); ward B DOSSIER_ONTIME_RATE 2022-01 reported 90,00 % for 1/1 (rate_mismatch,
  recomputed 100,00 %). The city's agreeing row is not a warning.
- due_date_flags: ward B's dossier P2-220110-001, received 10/01/2022, due 12/01 by the rule,
  recorded 14/01 (2 working days later) without a supplement request, finished 14/01: on
  time as logged, late by the rule.
- set_aside: ward A's dossier file of 20/02/2022, rows 4 and 5; ward B's documents file of
  15/01/2022 not read (source_row null).
- ingest_summary, daily feeds: dossiers delivered by the city and ward A up to 20/02/2022
  (the newest), never by ward B; documents only by ward B, on 15/01/2022 (the newest). With
  7 days allowed, the year's reference days are 20/02 (dossiers) and 15/01 (documents): ward
  B has no dossier file by 20/02, the city and ward A no document file by 15/01.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines import cli
from pipelines.reports.charts import render_html
from pipelines.reports.data import build_report, load_snapshot, warning_summary
from pipelines.reports.excel import COVER_SHEET, WARNING_COLUMNS, WARNINGS_SHEET, write_workbook
from pipelines.reports.periods import parse_period
from pipelines.reports.terminal import run
from pipelines.settings import Settings
from tests.unit.test_reports_data import CITY, WARD_B, tiny_published  # noqa: F401

YEAR = parse_period("2022")
JANUARY = parse_period("2022-01")

RECONCILIATION = [
    "Phường An Hòa — Số văn bản đi gửi cơ quan nhà nước (riêng đơn vị), kỳ Q5/2022: kỳ báo "
    "cáo không đọc được, hoặc kho dữ liệu không có số liệu kỳ đó",
    "Phường An Hòa — Số văn bản đi gửi cơ quan nhà nước (riêng đơn vị), kỳ 2022-Q1: báo cáo "
    "5, sổ sách cho 1",
    "Phường Bình Minh — Tỷ lệ hồ sơ giải quyết đúng hạn (riêng đơn vị), kỳ 2022-01: tỷ lệ báo "
    "cáo 90,00 % không khớp với tử số và mẫu số của chính báo cáo (100,00 %)",
]
DUE_DATES = (
    "Phường Bình Minh: 1 hồ sơ, trong đó 1 hồ sơ ghi là đúng hạn nhưng trễ hạn theo quy định"
)


@pytest.fixture
def snapshot(tiny_published):  # noqa: F811
    return load_snapshot(tiny_published)


def test_the_city_year_warnings_in_words(snapshot):
    groups = warning_summary(build_report(snapshot, CITY, YEAR))
    assert [(g.title, g.items) for g in groups] == [
        ("Số liệu đơn vị báo cáo không khớp với sổ sách (3)", RECONCILIATION),
        (
            "Ngày hẹn trả bị dời muộn hơn quy định mà không có yêu cầu bổ sung (1 hồ sơ)",
            [DUE_DATES],
        ),
        (
            "Dòng dữ liệu bị để riêng và tệp không đọc được",
            [
                "Phường An Hòa, Sổ hồ sơ một cửa: 2 dòng bị để riêng",
                "Phường Bình Minh, Sổ văn bản đi: 1 tệp không đọc được",
            ],
        ),
        (
            "Đơn vị ngừng gửi dữ liệu (quá 7 ngày)",
            [  # unit by unit: the city, An Hòa, Bình Minh
                "Thành phố Thử Nghiệm, Sổ văn bản đi: chưa gửi tệp nào đến 15/01/2022",
                "Phường An Hòa, Sổ văn bản đi: chưa gửi tệp nào đến 15/01/2022",
                "Phường Bình Minh, Sổ hồ sơ một cửa: chưa gửi tệp nào đến 20/02/2022",
            ],
        ),
    ]


def test_a_unit_that_stopped_is_named_with_its_last_delivery(snapshot, tiny_published):  # noqa: F811
    # Ward A's dossier files stop on 01/02/2022 while the city's go on to 20/02: 19 days.
    conn = duckdb.connect(str(tiny_published))
    conn.execute(
        "UPDATE ingest_summary SET last_export_date = DATE '2022-02-01' "
        "WHERE unit_code = '90001' AND feed = 'dossiers'"
    )
    conn.close()
    report = build_report(load_snapshot(tiny_published), CITY, YEAR)
    stale = next(g for g in warning_summary(report) if g.title.startswith("Đơn vị ngừng"))
    assert "Phường An Hòa, Sổ hồ sơ một cửa: lần gửi gần nhất 01/02/2022, 19 ngày trước " \
        "20/02/2022" in stale.items  # fmt: skip
    # In January ward A had delivered up to the month's end: not stopped then (reference
    # 31/01, its last delivery after it).
    january = build_report(load_snapshot(tiny_published), CITY, JANUARY)
    stale = next(g for g in warning_summary(january) if g.title.startswith("Đơn vị ngừng"))
    assert not any("An Hòa, Sổ hồ sơ" in item for item in stale.items)


def test_january_keeps_only_its_warnings(snapshot):
    groups = warning_summary(build_report(snapshot, CITY, JANUARY))
    titles = [g.title for g in groups]
    # January: ward B's rate (period 2022-01) only; the flagged dossier was received on
    # 10/01; the documents file of 15/01 was not read; ward A's set-aside rows are February's.
    assert groups[0].items == RECONCILIATION[2:]
    assert groups[1].items == [DUE_DATES]
    assert groups[2].items == ["Phường Bình Minh, Sổ văn bản đi: 1 tệp không đọc được"]
    assert len(titles) == 4


def test_par_report_for_a_ward_tells_of_its_own_warnings(tiny_published):  # noqa: F811
    out, err = io.StringIO(), io.StringIO()
    assert run(tiny_published, WARD_B, "2022", stdout=out, stderr=err, width=200) == 0
    lines = out.getvalue().splitlines()
    warnings = lines[lines.index("[Cảnh báo]") :]
    assert "    - " + RECONCILIATION[2] in warnings
    assert "    - " + DUE_DATES in warnings
    assert "    - Phường Bình Minh, Sổ văn bản đi: 1 tệp không đọc được" in warnings
    assert "    - Phường Bình Minh, Sổ hồ sơ một cửa: chưa gửi tệp nào đến 20/02/2022" in warnings
    # only the ward's own: nothing of ward A
    assert not any("An Hòa" in line for line in warnings)


def test_workbook_warnings_sheet_names_indicators_and_lists_every_kind(snapshot, tmp_path):
    path = tmp_path / "w.xlsx"
    write_workbook(build_report(snapshot, CITY, YEAR), path)
    book = openpyxl.load_workbook(path)
    keys = [key for key, _ in WARNING_COLUMNS]
    rows = [
        dict(zip(keys, row, strict=True))
        for row in book[WARNINGS_SHEET].iter_rows(min_row=3, values_only=True)
        if row[0] is not None
    ]
    assert [(r["indicator_code"], r["indicator_name"]) for r in rows if r["indicator_code"]] == [
        ("DOC_SENT", "Số văn bản đi gửi cơ quan nhà nước"),
        ("DOC_SENT", "Số văn bản đi gửi cơ quan nhà nước"),
        ("DOSSIER_ONTIME_RATE", "Tỷ lệ hồ sơ giải quyết đúng hạn"),
    ]
    kinds = [r["kind"] for r in rows]
    assert kinds.count("Hạn trả bị dời không có yêu cầu bổ sung") == 1
    assert kinds.count("Đơn vị ngừng gửi dữ liệu") == 3
    flagged = next(r for r in rows if r["kind"] == "Hạn trả bị dời không có yêu cầu bổ sung")
    assert (flagged["unit_code"], flagged["source_file"], flagged["source_row"]) == (
        WARD_B,
        "90002/dossiers/2022-01-14.csv",
        3,
    )
    assert flagged["detail"] == (
        "Hồ sơ P2-220110-001 (TTHC 1.004227), tiếp nhận 10/01/2022: hẹn trả 14/01/2022, "
        "theo quy định 12/01/2022 (dời 2 ngày làm việc), không có yêu cầu bổ sung; có kết "
        "quả 14/01/2022: ghi là đúng hạn, theo quy định trễ hạn"
    )
    # the cover says it in words too
    cover = [c for row in book[COVER_SHEET].iter_rows(values_only=True) for c in row if c]
    assert "• " + DUE_DATES in cover
    assert "• " + RECONCILIATION[1] in cover


def test_html_page_has_the_warnings(snapshot):
    page, _ = render_html(build_report(snapshot, WARD_B, YEAR))
    section = page[page.index("<section id='warnings'") :]
    section = section[: section.index("</section>")]
    assert f"<li>{RECONCILIATION[2]}</li>" in section
    assert f"<li>{DUE_DATES}</li>" in section
    assert "chưa gửi tệp nào đến 20/02/2022" in section


def _xlsx_text(path: Path) -> str:
    """Every part of the workbook (cells, shared strings, properties), as text."""
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def test_no_personal_data_in_any_report(tiny_published, tmp_path):  # noqa: F811
    # A set-aside record keeps what the row had; the reports must never show it.
    conn = duckdb.connect(str(tiny_published))
    conn.execute(
        'UPDATE set_aside SET record = \'{"applicant_name": "Nguyễn Thị Bích", '
        '"id_number": "079200001234"}\''
    )
    conn.close()
    report = build_report(load_snapshot(tiny_published), CITY, YEAR)
    write_workbook(report, tmp_path / "w.xlsx")
    page, _ = render_html(report)
    out = io.StringIO()
    run(tiny_published, CITY, "2022", stdout=out, stderr=io.StringIO(), width=200)
    texts = [_xlsx_text(tmp_path / "w.xlsx"), page, out.getvalue()]
    for text in texts:
        assert "Nguyễn Thị Bích" not in text and "079200001234" not in text


def test_par_report_allows_the_settings_freshness_days(tiny_published, tmp_path, capsys):  # noqa: F811
    # Ward A's dossier files stop on 01/02/2022, 19 days before the city's last (20/02): a
    # stopped unit with the default 7 days, not with PAR_FRESHNESS_DAYS=30.
    conn = duckdb.connect(str(tiny_published))
    conn.execute(
        "UPDATE ingest_summary SET last_export_date = DATE '2022-02-01' "
        "WHERE unit_code = '90001' AND feed = 'dossiers'"
    )
    conn.close()
    stopped = "Phường An Hòa, Sổ hồ sơ một cửa: lần gửi gần nhất 01/02/2022"
    settings = Settings.for_folders(tmp_path / "landing", tiny_published.parent)
    published = settings.published_db
    if published != tiny_published:
        published.write_bytes(tiny_published.read_bytes())
    for days, named in ((7, True), (30, False)):
        code = cli.main(["report", "--period", "2022"], settings.replace(freshness_days=days))
        assert code == 0
        assert (stopped in capsys.readouterr().out) is named


def test_a_unit_that_never_delivered_anything_is_not_stopped(tiny_published):  # noqa: F811
    # A province may deliver nothing (the contract): the city's rows gone from ingest_summary,
    # it is no longer named among the stopped units; ward B, which delivers documents but
    # never a dossier file, still is.
    conn = duckdb.connect(str(tiny_published))
    conn.execute(f"DELETE FROM ingest_summary WHERE unit_code = '{CITY}'")
    conn.close()
    report = build_report(load_snapshot(tiny_published), CITY, YEAR)
    stale = next(g for g in warning_summary(report) if g.title.startswith("Đơn vị ngừng"))
    city_name = next(unit.name for unit in report.units if unit.code == CITY)
    assert not any(item.startswith(city_name + ",") for item in stale.items)
    assert any(item.startswith("Phường Bình Minh, Sổ hồ sơ một cửa") for item in stale.items)
