"""The reports the real pipeline writes after publishing, on the hand-written landing folder
of small_landing.py (figures worked out in test_small_pipeline.py): the Excel workbook read
back cell by cell against indicator_values, the HTML page rendered by headless Chromium, the
dbt data dictionary, the `par report` command, and the published file opened by DuckDB 1.x.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import dagster as dg
import openpyxl
import pytest

from pipelines.reports.excel import COVER_SHEET, WARNING_COLUMNS, WARNINGS_SHEET
from tests.browser import ARTIFACTS, render

CITY = "900"
GROUP_SHEETS = [
    "Thủ tục hành chính",
    "Hồ sơ thủ tục hành chính",
    "Văn bản đi",
    "Cán bộ, công chức và chữ ký số",
]
SCOPES = {"Toàn địa bàn": "area", "Riêng đơn vị": "self"}


@pytest.fixture(scope="module")
def reports(small_run):
    assert small_run.result.success
    folder = small_run.warehouse / "reports" / CITY / "2022"
    return folder / "par_900_2022.xlsx", folder / "par_900_2022.html"


def workbook_figures(path: Path) -> dict[tuple, tuple]:
    book = openpyxl.load_workbook(path)
    figures = {}
    for name in GROUP_SHEETS:
        for row in book[name].iter_rows(min_row=3, values_only=True):
            if row[0] is None:
                continue
            code, _, unit, _, scope, numerator, denominator, value, _, target, met = row
            figures[(code, unit, SCOPES[scope])] = (numerator, denominator, value, target, met)
    return figures


def test_the_run_writes_the_reports_of_the_city_for_its_year(small_run, reports):
    workbook, page = reports
    assert workbook.exists() and page.exists()
    # One top-level unit, one year: nothing else.
    written = sorted(p.relative_to(small_run.warehouse).as_posix()
                     for p in (small_run.warehouse / "reports").rglob("par_*"))  # fmt: skip
    assert written == ["reports/900/2022/par_900_2022.html", "reports/900/2022/par_900_2022.xlsx"]


def test_every_workbook_figure_equals_indicator_values(small_run, reports):
    workbook, _ = reports
    rows = small_run.query(
        "SELECT indicator_code, unit_code, scope, numerator, denominator, value, target,"
        " meets_target FROM indicator_values"
        " WHERE period_type = 'year' AND period_start = DATE '2022-01-01'"
    )
    expected = {
        (code, unit, scope): (
            numerator,
            denominator,
            None if value is None else float(value),
            None if target is None else float(target),
            None if meets is None else ("Đạt" if meets else "Không đạt"),
        )
        for code, unit, scope, numerator, denominator, value, target, meets in rows
        # the city's area and own figures; the wards (nothing under them) their own
        if scope == "self" or unit == CITY
    }
    figures = workbook_figures(workbook)
    assert figures == expected
    assert len(figures) == 22 * 4  # 22 catalogue codes (the two STAFF_ rates included)


def test_workbook_shows_the_hand_worked_figures(reports):
    figures = workbook_figures(reports[0])
    # City's own on-time rate for 2022: D1 and D3 on time, D2 late -> 2/3.
    assert figures[("DOSSIER_ONTIME_RATE", CITY, "self")][:3] == (2, 3, 66.67)
    # City area: D1-D3 and W1-W3 finished, D2 and W2 late -> 4/6.
    assert figures[("DOSSIER_ONTIME_RATE", CITY, "area")][:3] == (4, 6, 66.67)
    # Partial-level online for the city's desk: 1/1 = 100 against the 40% target: met.
    assert figures[("DOSSIER_ONLINE_RATE_PARTIAL", CITY, "self")] == (1, 1, 100.0, 40.0, "Đạt")
    # Catalogues at the year's end: city 3 + ward A 2 + ward B 1.
    assert figures[("PROC_TOTAL", CITY, "area")][:3] == (6, None, 6.0)


def test_workbook_warnings_and_cover(reports):
    book = openpyxl.load_workbook(reports[0])
    columns = [key for key, _ in WARNING_COLUMNS]
    warnings = [
        dict(zip(columns, row, strict=True))
        for row in book[WARNINGS_SHEET].iter_rows(min_row=3, values_only=True)
        if row[0] is not None
    ]
    # Ward A reported 5 dossiers finished in January; its log has 1.
    differ = [w for w in warnings if w["kind"] == "Số liệu báo cáo không khớp"]
    assert [(w["unit_code"], w["indicator_code"], w["reported_numerator"],
             w["computed_numerator"]) for w in differ] == [
        ("90001", "DOSSIER_FINISHED", 5, 1)
    ]  # fmt: skip
    # Its rows with an unknown status (row 4) and too few fields (row 5) were set aside.
    set_aside = [w for w in warnings if w["kind"] == "Dòng dữ liệu bị để riêng"]
    assert [(w["source_file"], w["source_row"]) for w in set_aside] == [
        ("90001/dossiers/2022-02-20.csv", 4),
        ("90001/dossiers/2022-02-20.csv", 5),
    ]
    # the reason names the column and the problem, never the delivered value ("Không rõ")
    assert set_aside[0]["detail"] == "Trạng thái / status: unknown value"
    # The cover: files per unit and feed as write_small_landing puts them, 18 in all: the
    # city's 2 catalogue snapshots, 7 dossier days, a register and its _fix, a report;
    # ward A one file per feed; ward B a catalogue and a dossier log.
    cover = list(book[COVER_SHEET].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(cover) if row[0] == "Mã đơn vị")
    files = {(row[0], row[2]): row[3] for row in cover[header + 1 :] if row[0] and row[2]}
    assert files == {
        (CITY, "Danh mục thủ tục"): 2,
        (CITY, "Sổ hồ sơ một cửa"): 7,
        (CITY, "Sổ văn bản đi"): 2,
        (CITY, "Báo cáo của đơn vị"): 1,
        ("90001", "Danh mục thủ tục"): 1,
        ("90001", "Sổ hồ sơ một cửa"): 1,
        ("90001", "Sổ văn bản đi"): 1,
        ("90001", "Báo cáo của đơn vị"): 1,
        ("90002", "Danh mục thủ tục"): 1,
        ("90002", "Sổ hồ sơ một cửa"): 1,
    }
    total = next(row for row in cover if row[0] == "Tổng cộng")
    assert total[3] == 18


def test_html_report_renders_every_chart_in_a_browser(small_run, reports):
    _, page = reports
    screenshot = ARTIFACTS / "report_900_2022.png"
    dom = render(page.resolve().as_uri(), screenshot=screenshot, wait_ms=20000)
    charts = len(small_run.query("SELECT * FROM indicator_catalog"))
    body = re.search(r"<body(\s[^>]*data-charts-expected[^>]*)>", dom)
    assert body, dom[:500]
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    # The page's own script counts rendered charts and records every error it sees
    # (uncaught errors, rejected promises, console.error).
    assert attributes.get("data-charts-expected") == str(charts)
    assert attributes.get("data-charts-rendered") == str(charts), attributes
    assert attributes.get("data-chart-errors") == "0"
    assert len(re.findall(r'<svg[^>]*class="marks"', dom)) == charts
    assert screenshot.exists() and screenshot.stat().st_size > 10_000


def test_report_assets_carry_their_metadata(small_run):
    materialized = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in small_run.result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }
    excel = materialized["reports/excel"]
    assert excel["files_written"].value == "1/1"
    assert excel["rows_per_second"].value > 0
    html = materialized["reports/html"]
    assert html["preview"].value.startswith("![par_900_2022.html](data:image/png;base64,")
    assert html["latest"].value.endswith("/reports/900/2022/par_900_2022.html")
    docs = materialized["reports/data_dictionary"]
    # the run's own warehouse (small_run is a copy of it: conftest.small_build)
    assert docs["path"].value.endswith("/warehouse/docs/index.html")


def test_data_dictionary_is_published_next_to_the_warehouse(small_run):
    index = small_run.warehouse / "docs" / "index.html"
    text = index.read_text(encoding="utf-8")
    # The static site carries dbt's manifest and catalogue: the published tables with the
    # descriptions from the models' YAML, and their columns with types.
    assert "model.par_warehouse.indicator_values" in text
    assert "The analysts' table" in text
    catalog = re.search(r'"nodes":\s*\{"model\.par_warehouse\.[^"]+":', text)
    assert catalog
    assert '"meets_target"' in text and "BOOLEAN" in text


def test_par_report_command(small_run, capsys, tmp_path):
    from pipelines.cli import main as par

    def main(argv):
        return par(argv, small_run.settings)

    assert main(["report", "--period", "2022", "--unit", CITY]) == 0
    out = capsys.readouterr().out
    assert "Thành phố Thử Nghiệm (900) — Năm 2022" in out
    ontime = out.splitlines().index("Tỷ lệ hồ sơ giải quyết đúng hạn")
    assert out.splitlines()[ontime + 1].split() == ["Toàn", "địa", "bàn", "4", "6", "66,67", "%"]
    assert main(["report", "--unit", "12345"]) == 2
    err = capsys.readouterr().err
    assert "90001  Phường An Hòa" in err and "90002  Phường Bình Minh" in err
    assert main(["report", "--period", "2023"]) == 2
    # The warehouse has every period of 2022 (zeros included), not only January and February.
    assert "năm 2022; quý 2022-Q1 … 2022-Q4; tháng 2022-01 … 2022-12" in capsys.readouterr().err
    out_dir = tmp_path / "on-request"
    args = ["report", "--period", "2022-01", "--unit", CITY, "--lang", "en", "--excel"]
    assert main([*args, "--out", str(out_dir)]) == 0
    january = workbook_figures(out_dir / "900" / "2022" / "par_900_2022-01.xlsx")
    # January: D1 on time, D2 late -> 1/2.
    assert january[("DOSSIER_ONTIME_RATE", CITY, "self")][:3] == (1, 2, 50.0)


# --- DuckDB 1.x reads the published file -------------------------------------------------

NETWORK_ERRORS = (
    "Could not find a version",
    "No matching distribution",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeout",
    "ReadTimeout",
    "ProxyError",
    "SSLError",
)


@pytest.fixture(scope="session")
def duckdb1_python(tmp_path_factory) -> Path:
    """A Python with DuckDB 1.x in a venv of its own, made once per test session."""
    where = tmp_path_factory.mktemp("duckdb1-venv")
    base = getattr(sys, "_base_executable", None) or shutil.which("python3")
    made = subprocess.run(
        [base, "-m", "venv", str(where)], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:  # no venv module: fall back to the standard library's
        venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "duckdb>=1.1,<2"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if pip.returncode != 0:
        output = pip.stdout + pip.stderr
        if any(sign in output for sign in NETWORK_ERRORS):
            pytest.skip(f"pip cannot reach PyPI to install DuckDB 1.x: {output.strip()[-400:]}")
        pytest.fail(f"pip could not install DuckDB 1.x:\n{output}")
    return python


READ_WITH_DUCKDB1 = """
import json, sys, duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
rows = conn.execute(sys.argv[2]).fetchall()
print(json.dumps({"version": duckdb.__version__, "rows": [[str(v) for v in r] for r in rows]}))
"""


def test_duckdb_1_clients_read_the_published_file(small_run, duckdb1_python):
    query = (
        "SELECT unit_code, scope, period_type, period_start, indicator_code, numerator,"
        " denominator, value, target, meets_target FROM indicator_values ORDER BY ALL"
    )
    done = subprocess.run(
        [str(duckdb1_python), "-c", READ_WITH_DUCKDB1, str(small_run.published), query],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["version"].startswith("1.")
    expected = [[str(v) for v in row] for row in small_run.query(query)]
    assert answer["rows"] == expected
    assert len(expected) > 1000


@pytest.fixture(autouse=True, scope="module")
def _stop_on_failed_run(small_run):
    """Every test here reads what the run wrote: say so plainly if the run itself failed."""
    if not small_run.result.success:
        failures = [
            f"{e.step_key}: {e.event_specific_data.error.message}"
            for e in small_run.result.all_events
            if e.is_step_failure
        ]
        pytest.fail("the pipeline run failed:\n" + "\n".join(failures))


def test_reports_metadata_types(small_run):
    events = [
        e for e in small_run.result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
    ]
    html = next(e for e in events if e.asset_key == dg.AssetKey(["reports", "html"]))
    assert isinstance(html.materialization.metadata["preview"], dg.MarkdownMetadataValue)


# --- issue 16: warnings reach officials; no personal data or server path ---------------


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def test_par_report_for_a_ward_tells_of_its_disagreement(small_run, capsys):
    from pipelines.cli import main as par

    assert par(["report", "--unit", "90001", "--period", "2022"], small_run.settings) == 0
    lines = capsys.readouterr().out.splitlines()
    warnings = lines[lines.index("[Cảnh báo]") :]
    text = " ".join(line.strip() for line in warnings)
    # Ward A reported 5 dossiers finished in January 2022; its log has 1 (small_landing).
    assert (
        "Phường An Hòa — Số hồ sơ đã giải quyết (riêng đơn vị), kỳ 2022-01: báo cáo 5, sổ "
        "sách cho 1"
    ) in text
    # Its dossier file of 20/02 had two rows set aside (an unknown status, too few fields).
    assert "Phường An Hòa, Sổ hồ sơ một cửa: 2 dòng bị để riêng" in text


def test_the_city_report_names_units_that_stopped_delivering(reports):
    _, page = reports
    html = page.read_text(encoding="utf-8")
    section = html[html.index("<section id='warnings'") :]
    section = section[: section.index("</section>")]
    # Newest dossier file: ward A's of 20/02/2022; ward B's last is of 17/01: 34 days before.
    assert "Phường Bình Minh, Sổ hồ sơ một cửa: lần gửi gần nhất 17/01/2022, 34 ngày trước " \
        "20/02/2022" in section  # fmt: skip
    # Newest register: ward A's of 21/02/2022; the city's two files are of 06/01: 46 days.
    assert "Thành phố Thử Nghiệm, Sổ văn bản đi: lần gửi gần nhất 06/01/2022, 46 ngày trước " \
        "21/02/2022" in section  # fmt: skip
    assert "Phường Bình Minh, Sổ văn bản đi: chưa gửi tệp nào đến 21/02/2022" in section


def test_reports_hold_no_personal_data_nor_server_paths(small_run, reports, capsys):
    from pipelines.cli import main as par
    from tests.integration.small_landing import APPLICANTS

    workbook, page = reports
    assert par(["report", "--period", "2022"], small_run.settings) == 0
    texts = {
        "workbook": _xlsx_text(workbook),
        "page": page.read_text(encoding="utf-8"),
        "par report": capsys.readouterr().out,
    }
    for where, text in texts.items():
        for name, id_number, phone, address in APPLICANTS.values():
            for value in (name, id_number, phone, address):
                assert value not in text, (where, value)
        assert str(small_run.warehouse) not in text, where
        assert str(small_run.settings.landing_dir) not in text, where
