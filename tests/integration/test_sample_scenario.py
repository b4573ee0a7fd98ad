"""The sample scenario end to end: the simulated Sóc Trăng 2021 landing folder through the
real pipeline must give every seed figure of the indicators contract for the city."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.conftest import PipelineRun, run_full_build, settings_for

CITY = "941"  # Thành phố Sóc Trăng in the soc-trang-2021 scenario


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, dagster_instance):
    from pipelines.simulator import write_scenario

    root = tmp_path_factory.mktemp("sample")
    landing = root / "landing"
    write_scenario("soc-trang-2021", landing)
    result = run_full_build(dagster_instance, settings_for(landing, root / "warehouse"))
    yield PipelineRun(landing=landing, warehouse=root / "warehouse", result=result)


def year_2021(run, unit, scope, code):
    rows = run.query(
        "SELECT numerator, denominator, value, target, meets_target FROM indicator_values "
        "WHERE unit_code = ? AND scope = ? AND period_type = 'year' "
        "AND period_start = DATE '2021-01-01' AND indicator_code = ?",
        [unit, scope, code],
    )
    assert len(rows) == 1, (unit, scope, code, rows)
    return rows[0]


# The seed figures of ../shared/contracts/indicators.md, for the city in 2021.
@pytest.mark.parametrize(
    ("scope", "code", "numerator", "denominator", "value"),
    [
        ("self", "PROC_TOTAL", 258, None, "258.00"),
        ("self", "PROC_CHANGED", 32, None, "32.00"),
        ("self", "PROC_ABOLISHED", 18, None, "18.00"),
        ("self", "PROC_PUBLISHED_RATE", 258, 258, "100.00"),
        ("self", "PROC_ONLINE_PARTIAL", 28, None, "28.00"),
        ("self", "PROC_ONLINE_FULL", 164, None, "164.00"),
        ("self", "DOSSIER_FINISHED", 10122, None, "10122.00"),
        ("self", "DOSSIER_ONTIME", 10117, None, "10117.00"),
        ("self", "DOSSIER_LATE", 5, None, "5.00"),
        ("self", "DOSSIER_ONTIME_RATE", 10117, 10122, "99.95"),
        ("area", "DOC_SENT", 5816, None, "5816.00"),
        ("area", "DOC_ELECTRONIC", 4819, None, "4819.00"),
        ("area", "DOC_ELECTRONIC_RATE", 4819, 5816, "82.86"),
    ],
)
def test_city_seed_figures(sample_run, scope, code, numerator, denominator, value):
    assert year_2021(sample_run, CITY, scope, code)[:3] == (numerator, denominator, Decimal(value))


@pytest.mark.parametrize("code", ["STAFF_EMAIL_RATE", "STAFF_LEADER_SIGNING_RATE"])
def test_city_area_staff_coverage_is_complete(sample_run, code):
    # "100% of civil servants have an official mailbox; 100% of the heads of the divisions
    # and of the 10 wards have a digital-signing device": every serving official of the
    # city's divisions and the wards is listed with both (the scenario's lists, read on
    # 31 December 2021), so the numerator equals the denominator, and there are some.
    numerator, denominator, value, _target, _meets = year_2021(sample_run, CITY, "area", code)
    assert denominator > 0
    assert (numerator, value) == (denominator, Decimal("100.00"))


def test_headline_shows_staff_rates_and_why_the_five_were_late(sample_run, capsys):
    from pipelines.reports.headline import print_headline

    print_headline(sample_run.published)
    out = capsys.readouterr().out
    # columns: unit (several words), indicator, scope, numerator, denominator, value (no
    # target for these codes, so the line ends with the value)
    staff = [line.split() for line in out.splitlines() if "STAFF_" in line]
    assert [(row[-5], row[-4], row[-1]) for row in staff] == [
        ("STAFF_EMAIL_RATE", "area", "100.00"),
        ("STAFF_LEADER_SIGNING_RATE", "area", "100.00"),
    ]
    # The city's own desk: its 5 late dossiers all failed on the network.
    assert "Thành phố Sóc Trăng, 2021: 5 hồ sơ trễ hạn: lỗi đường truyền mạng (5)" in out


def test_every_sql_block_of_the_readme_runs_on_the_published_file(sample_run):
    # Analysts copy these: each statement must run on the sample's par.duckdb and return
    # rows (the README's examples are about the sample city, 941, in 2021).
    import re

    from pipelines.settings import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    assert len(statements) >= 6
    for statement in statements:
        assert sample_run.query(statement), statement


def test_ingest_summary_counts_are_bigint(sample_run):
    # pandas reads a HUGEINT column as floats: the counts are BIGINT
    types = dict(
        sample_run.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'ingest_summary'"
        )
    )
    for column in ("files", "rejected_files", "rows_in", "rows_loaded", "rows_set_aside"):
        assert types[column] == "BIGINT", (column, types[column])


def test_units_sort_naturally_and_reports_name_their_unit(sample_run):
    names = [
        name
        for (name,) in sample_run.query(
            "SELECT unit_name FROM dim_unit WHERE unit_level = 'ward' ORDER BY unit_sort_key"
        )
    ]
    # the scenario's ten wards are Phường 1 ... Phường 10: in number order, not 1, 10, 2
    assert names == [f"Phường {n}" for n in range(1, 11)]
    first = sample_run.query("SELECT unit_code FROM dim_unit ORDER BY unit_sort_key LIMIT 1")
    assert first == [(CITY,)]
    # reconciliation rows carry the unit's and the indicator's names
    missing = sample_run.query(
        "SELECT count(*) FROM reconciliation WHERE unit_name IS NULL OR indicator_name_vi IS NULL"
    )
    assert missing == [(0,)]


def test_each_ward_has_145_procedures(sample_run):
    rows = sample_run.query(
        "SELECT unit_code, numerator FROM indicator_values WHERE indicator_code = 'PROC_TOTAL' "
        "AND scope = 'self' AND period_type = 'year' AND unit_code <> ?",
        [CITY],
    )
    assert len(rows) == 10
    assert {n for _, n in rows} == {145}


@pytest.mark.parametrize(
    ("code", "target"), [("DOSSIER_ONLINE_RATE_PARTIAL", 40), ("DOSSIER_ONLINE_RATE_FULL", 15)]
)
@pytest.mark.parametrize("scope", ["self", "area"])
def test_online_targets_not_met(sample_run, scope, code, target):
    numerator, denominator, value, set_target, meets = year_2021(sample_run, CITY, scope, code)
    assert set_target == Decimal(target)
    assert meets is False
    assert value < target


def test_no_row_set_aside_from_clean_files(sample_run):
    assert sample_run.build_query("SELECT count(*) FROM raw.set_aside") == [(0,)]


def test_planted_report_faults_are_caught(sample_run):
    # The simulator plants one ward report whose rate contradicts its own counts and one
    # whose counts differ from the ward's register; every other report agrees.
    statuses = sample_run.query("SELECT status, count(*) FROM reconciliation GROUP BY ALL")
    counts = dict(statuses)
    assert counts.get("rate_mismatch") == 1
    assert counts.get("counts_differ") == 1
    assert set(counts) == {"agrees", "rate_mismatch", "counts_differ"}


def test_city_reports_show_the_seed_figures(sample_run):
    # The reports assets run after publication: the city's 2021 workbook and chart page.
    import openpyxl

    folder = sample_run.warehouse / "reports" / CITY / "2021"
    workbook = openpyxl.load_workbook(folder / f"par_{CITY}_2021.xlsx", read_only=True)
    values = {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, int | float)
    }
    workbook.close()
    # The seed figures: dossiers finished / on time, documents sent / electronic, the rates.
    assert {258, 10122, 10117, 5816, 4819} <= values
    assert {99.95, 82.86} <= {round(v, 2) for v in values}
    html = (folder / f"par_{CITY}_2021.html").read_text(encoding="utf-8")
    assert "99,95" in html and "82,86" in html
