"""The HTML report's charts as a reader sees them (issue 16, point 9): Vietnamese words
under the Vietnamese titles, axes whose tick labels never repeat, rates near 100 % told
apart, and one unit's line highlighted at a time. The charts are rendered to SVG by
vl_convert (the Vega that the page embeds) with the page's Vietnamese number locale, and
their tick labels and marks read back; a headless-Chromium screenshot of the page is kept
in test-artifacts/ (looked at by eye).

The tiny published file (test_reports_data.py), with the on-time rates of 2022 set near
100 % as a real city's are: the year's own-desk values ward B 100,00, city 99,83, ward A
99,42, and every month's value 99,42 (a flat line, which drew `99,42` on every tick).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import vl_convert

from pipelines.reports.charts import _vl_version, render_html, value_axis
from pipelines.reports.data import build_report, load_snapshot
from pipelines.reports.periods import parse_period
from pipelines.reports.vn_format import D3_FORMAT_LOCALE, D3_TIME_FORMAT_LOCALE
from tests.browser import ARTIFACTS, FLAGS, chromium, render
from tests.unit.test_reports_data import CITY, WARD_A, WARD_B, tiny_published  # noqa: F401

NEAR_100 = {CITY: Decimal("99.83"), WARD_A: Decimal("99.42"), WARD_B: Decimal("100.00")}


@pytest.fixture
def near_100(tiny_published):  # noqa: F811
    conn = duckdb.connect(str(tiny_published))
    conn.execute(
        "UPDATE indicator_values SET value = 99.42 WHERE indicator_code = 'DOSSIER_ONTIME_RATE'"
        " AND period_type = 'month'"
    )
    for unit, value in NEAR_100.items():
        conn.execute(
            "UPDATE indicator_values SET value = ? WHERE indicator_code = 'DOSSIER_ONTIME_RATE'"
            " AND period_type = 'year' AND unit_code = ? AND scope = 'self'",
            [value, unit],
        )
    conn.close()
    return tiny_published


@pytest.fixture
def page(near_100):
    return render_html(build_report(load_snapshot(near_100), CITY, parse_period("2022")))


def svg(spec: dict) -> str:
    return vl_convert.vegalite_to_svg(
        spec,
        vl_version=_vl_version(),
        format_locale=D3_FORMAT_LOCALE,
        time_format_locale=D3_TIME_FORMAT_LOCALE,
    )


def axis_labels(drawing: str) -> list[list[str]]:
    """The tick labels of every axis of the drawing, axis by axis."""
    groups = re.findall(
        r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', drawing, flags=re.DOTALL
    )
    return [re.findall(r"<text[^>]*>([^<]*)</text>", group) for group in groups]


def screenshot_whole_page(url: str, shot: Path, height: int) -> None:
    """A screenshot of a window tall enough for every chart (render() takes 1000 pixels)."""
    shot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size=1400,{height}",
             "--virtual-time-budget=20000", f"--screenshot={shot}", url],
            capture_output=True, timeout=180,
        )  # fmt: skip


def test_no_english_formula_under_the_titles(page):
    html, _ = page
    # the tiny catalogue's formulas are "formula of <code>", its English names e.g.
    # "On-time rate": neither reaches the page; each chart says in Vietnamese what it counts
    assert "formula of" not in html and "On-time rate" not in html
    assert "Active procedures" not in html
    assert (
        "<p class='explain'>Số hồ sơ giải quyết trước hạn và đúng hạn, chia cho số hồ sơ đã "
        "giải quyết trong kỳ, nhân 100."
    ) in html
    assert html.count("<p class='explain'>") == 6


def test_tick_labels_never_repeat(page):
    _, specs = page
    for code, spec in specs.items():
        for labels in axis_labels(svg(spec)):
            assert len(labels) == len(set(labels)), (code, labels)


def test_count_axes_tick_whole_numbers(page):
    _, specs = page
    # PROC_TOTAL: the city's area holds 6 procedures, its desk 3, the wards 2 and 1.
    drawing = svg(specs["PROC_TOTAL"])
    value_axes = [labels for labels in axis_labels(drawing) if labels and labels[0] == "0"]
    assert value_axes, axis_labels(drawing)
    for labels in value_axes:
        assert all(re.fullmatch(r"\d+", label) for label in labels), labels
    assert value_axes[0] == ["0", "1", "2", "3", "4", "5", "6"]  # area: 0 to 6, step 1


def test_rates_near_100_read_apart(page):
    _, specs = page
    drawing = svg(specs["DOSSIER_ONTIME_RATE"])
    labels = axis_labels(drawing)
    # the flat area line at 99,42: half a point either side, 98,92 .. 99,92, in steps of
    # 0,2 from 98,8 to 100,0 (6 intervals)
    assert ["98,8", "99,0", "99,2", "99,4", "99,6", "99,8", "100,0"] in labels
    # the ranking's value labels sit just right of their dots: 100,00 and 99,83 must be
    # far apart, not the 0,3 pixel of a 0-100 axis 180 pixels wide
    x = {
        text: float(left)
        for left, text in re.findall(
            r'<text[^>]*transform="translate\(([\d.]+),[\d.]+\)"[^>]*>([^<]*)</text>', drawing
        )
        if text in ("100,00", "99,83", "99,42")
    }
    assert x["100,00"] - x["99,83"] > 20, x
    assert x["99,83"] - x["99,42"] > 20, x


def test_value_axis_by_hand():
    # 99,42 .. 100: step 0,1 gives 99,4 .. 100,0 in 6 intervals: one decimal suffices
    assert value_axis("rate", [99.42, 99.83, 100.0]).ticks == (
        99.4, 99.5, 99.6, 99.7, 99.8, 99.9, 100.0
    )  # fmt: skip
    assert value_axis("rate", [99.42, 99.83, 100.0]).format == ",.1f"
    # 0 .. 100: step 20
    assert value_axis("rate", [0, 50, 100]).ticks == (0, 20, 40, 60, 80, 100)
    # counts 0 .. 2: whole numbers only, never 0,5
    assert value_axis("count", [1, 2]).ticks == (0, 1, 2)
    assert value_axis("count", [0, 0]).ticks == (0, 1)
    # a flat 100 %: 99,5 .. 100
    assert value_axis("rate", [100.0, 100.0]).ticks == (99.5, 99.6, 99.7, 99.8, 99.9, 100.0)
    assert value_axis("count", [10_117]).ticks == (0, 2000, 4000, 6000, 8000, 10000, 12000)


def test_each_unit_highlighted_in_turn(page):
    _, specs = page
    spec = specs["DOSSIER_ONTIME_RATE"]
    units = spec["hconcat"][1]
    picker = next(p for p in spec["params"] if p.get("bind", {}).get("input") == "select")
    # a menu of every unit's line, the city's own desk coloured first
    assert picker["bind"]["options"] == [
        "Thành phố Thử Nghiệm (riêng đơn vị)",
        "Phường An Hòa",
        "Phường Bình Minh",
    ]
    assert picker["value"] == "Thành phố Thử Nghiệm (riêng đơn vị)"
    # the others grey under it, the picked one alone in colour
    marks = [layer["mark"] for layer in units["layer"]]
    assert marks[0]["color"] == "#c9ced6"
    filtered = units["layer"][1]["transform"][0]["filter"]
    assert "unit" in str(filtered)


def test_page_renders_in_a_browser(page, tmp_path):
    html, specs = page
    path = tmp_path / "near_100.html"
    path.write_text(html, encoding="utf-8")
    shot = ARTIFACTS / "report_charts_near_100.png"
    screenshot_whole_page(path.as_uri(), shot, height=3400)
    dom = render(path.as_uri(), wait_ms=20000)
    body = re.search(r"<body[^>]*data-charts-expected[^>]*>", dom).group(0)
    assert f'data-charts-rendered="{len(specs)}"' in body, body
    assert 'data-chart-errors="0"' in body, body
    # one menu per chart with a units panel
    assert dom.count('<span class="vega-bind-name">Đơn vị tô màu') == len(specs), dom[-3000:]
    assert shot.exists() and shot.stat().st_size > 10_000
