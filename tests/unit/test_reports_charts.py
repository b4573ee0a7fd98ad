"""The HTML report: one self-contained page, a Vega-Lite chart per indicator with the data
of the tiny published file (tests/unit/test_reports_data.py). Whether the charts render in
a browser is tested in tests/integration/test_reports.py."""

from __future__ import annotations

import re

import pytest
import vl_convert

from pipelines.reports.charts import _vl_version, preview_png, render_html
from pipelines.reports.data import build_report, load_snapshot
from pipelines.reports.periods import parse_period
from tests.unit.test_reports_data import (  # noqa: F401
    CATALOG,
    CITY,
    STAFF_CODES,
    WARD_B,
    tiny_published,
    write_tiny_published,
)


@pytest.fixture
def page(tiny_published):  # noqa: F811
    report = build_report(load_snapshot(tiny_published), CITY, parse_period("2022"))
    return render_html(report, workbook_name="par_900_2022.xlsx")


def test_one_chart_per_indicator_and_nothing_fetched(page):
    html, specs = page
    assert list(specs) == [code for code, *_ in CATALOG]
    assert 'data-charts-expected="6"' in html
    assert len(re.findall(r"<div class='chart' id='chart-", html)) == 6
    # Self-contained: no script, style or image is loaded from anywhere (the inlined
    # libraries' code is left out of the search: it mentions tags in strings).
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", html, flags=re.DOTALL)
    assert markup.count("<script") == 5  # error recorder, library, 2 JSON blocks, render
    assert not re.search(r"<(script|img|iframe)[^>]+src=", markup)
    assert not re.search(r"<link[^>]+href=", markup)
    assert "vegaEmbed" in html  # the library is inlined
    assert "<a href='par_900_2022.xlsx'>" in html
    # Vietnamese catalogue names and numbers.
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in html
    assert "66,67 %" in html  # the city's on-time rate for the year, in the summary table


def test_specs_compile_with_vega_lite(page):
    _, specs = page
    for code, spec in specs.items():
        vega = vl_convert.vegalite_to_vega(spec, vl_version=_vl_version())
        assert vega["data"], code


def test_chart_data_worked_by_hand(page):
    _, specs = page
    data = specs["DOSSIER_ONTIME_RATE"]["datasets"]
    # Area: January (1+1+1)/(2+1+1) = 75, February (1+0+0)/(1+1+0) = 50.
    assert [(r["month"], r["value"]) for r in data["area"]] == [
        ("2022-01-01", 75.0),
        ("2022-02-01", 50.0),
    ]
    # Each unit's own line: the city first, then the wards in order.
    assert [r["series"] for r in data["units"]][::2] == [
        "Thành phố Thử Nghiệm (riêng đơn vị)",
        "Phường An Hòa",
        "Phường Bình Minh",
    ]
    # Ranking for the year, best first: ward B 1/1, city 2/3, ward A 1/2.
    assert [(r["series"], r["value"]) for r in data["ranking"]] == [
        ("Phường Bình Minh", 100.0),
        ("Thành phố Thử Nghiệm (riêng đơn vị)", 66.67),
        ("Phường An Hòa", 50.0),
    ]
    assert "area_target" not in data  # no target for the on-time rate
    # Fewer procedures is better: the ranking runs from the smallest catalogue.
    ranking = specs["PROC_TOTAL"]["datasets"]["ranking"]
    assert [r["value"] for r in ranking] == [1.0, 2.0, 3.0]


def test_target_lines_where_there_is_a_target(page):
    _, specs = page
    data = specs["DOSSIER_ONLINE_RATE_FULL"]["datasets"]
    assert data["area_target"] == [
        {"month": "2022-01-01", "target": 15.0},
        {"month": "2022-02-01", "target": 15.0},
    ]
    assert data["ranking_target"] == [{"target": 15.0}]
    # Ward B has no online-full dossiers: no value, so no verdict.
    met = {r["series"]: r["met"] for r in data["ranking"]}
    assert met["Phường Bình Minh"] == "Chưa có mục tiêu"
    assert met["Phường An Hòa"] == "Đạt"


def test_staff_coverage_has_its_section_and_charts(page):
    html, specs = page
    assert "<h2>Cán bộ, công chức và chữ ký số</h2>" in html
    assert "90,91 %" in html  # mailboxes across the area at the end of February: 20/22
    ranking = specs["STAFF_LEADER_SIGNING_RATE"]["datasets"]["ranking"]
    assert [(r["series"], r["value"]) for r in ranking] == [
        ("Thành phố Thử Nghiệm (riêng đơn vị)", 100.0),
        ("Phường Bình Minh", 100.0),
        ("Phường An Hòa", 50.0),
    ]


def test_late_reasons_line_and_table(page):
    html, _ = page
    assert (
        "<p class='late-reasons'>Toàn địa bàn — 2 hồ sơ trễ hạn: lỗi đường truyền mạng (1), "
        "không nêu lý do (1)</p>"
    ) in html
    assert (
        "<p class='late-reasons'>Riêng đơn vị — 1 hồ sơ trễ hạn: lỗi đường truyền mạng (1)</p>"
    ) in html
    table = html[html.index("<table class='summary late'>") :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 3  # the header and the two late dossiers
    assert "000.00.10.H60-220104-0007" in table and "Lỗi đường truyền mạng" in table
    assert "<span class='no-reason'>không nêu lý do</span>" in table
    assert "10/01/2022" in table  # finished, Vietnamese date


def test_no_late_dossiers_and_older_files(tiny_published, tmp_path):  # noqa: F811
    ward_b, _ = render_html(
        build_report(load_snapshot(tiny_published), WARD_B, parse_period("2022"))
    )
    assert "<p class='late-reasons'>Không có hồ sơ trễ hạn</p>" in ward_b
    assert "<table class='summary late'>" not in ward_b
    published = write_tiny_published(tmp_path / "old.duckdb", staff=False, late_tables=False)
    old, specs = render_html(build_report(load_snapshot(published), CITY, parse_period("2022")))
    assert "Hồ sơ trễ hạn và lý do" not in old
    assert "Cán bộ, công chức" not in old  # no staff figures: no empty section
    assert set(specs) == {code for code, *_ in CATALOG} - set(STAFF_CODES)
    assert 'data-charts-expected="4"' in old


def test_charts_use_the_vietnamese_number_locale(page):
    html, _ = page
    assert '"formatLocale": {"decimal": ",", "thousands": "."' in html


def test_preview_image(page):
    _, specs = page
    png = preview_png(specs, scale=0.5)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
