"""`par report` on the tiny published file (tests/unit/test_reports_data.py): the table in
Vietnamese and English, the messages for an unknown unit or period, and the files on
request; and the report files the nightly run writes, with their progress."""

from __future__ import annotations

import io

from pipelines.cli import main as par
from pipelines.reports.data import load_snapshot
from pipelines.reports.generate import default_targets, write_reports
from pipelines.reports.terminal import run
from pipelines.settings import Settings
from tests.unit.test_reports_data import (  # noqa: F401
    CITY,
    WARD_A,
    WARD_B,
    tiny_published,
    write_tiny_published,
)


def report(published, *args, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(published, *args, stdout=out, stderr=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def block(lines: list[str], heading: str) -> list[str]:
    """The lines from a heading to the blank line before the next block (the warnings)."""
    start = lines.index(heading)
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_the_city_for_the_latest_year_by_default(tiny_published):  # noqa: F811
    code, out, err = report(tiny_published, None, None, width=100)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Thành phố Thử Nghiệm (900) — Năm 2022 (01/01/2022 – 31/12/2022)"
    assert lines[3].split() == ["Chỉ", "tiêu", "Tử", "số", "Mẫu", "số", "Giá", "trị", "Mục",
                                "tiêu", "Đạt"]  # fmt: skip
    # A unit with units under it: the name, then a line per scope.
    at = lines.index("Tỷ lệ hồ sơ giải quyết đúng hạn")
    assert lines[at + 1].split() == ["Toàn", "địa", "bàn", "4", "6", "66,67", "%"]
    assert lines[at + 2].split() == ["Riêng", "đơn", "vị", "2", "3", "66,67", "%"]
    at = lines.index("Tỷ lệ hồ sơ trực tuyến toàn trình")
    assert lines[at + 1].split()[-4:] == ["%", "15,00", "%", "Đạt"]
    assert "[Văn bản đi]" in lines
    # Staff coverage: a stock, the lists at the end of February.
    at = lines.index("[Cán bộ, công chức và chữ ký số]")
    assert lines[at + 1] == "Tỷ lệ cán bộ, công chức được cấp và sử dụng hộp thư công vụ"
    assert lines[at + 2].split() == ["Toàn", "địa", "bàn", "20", "22", "90,91", "%"]
    assert lines[at + 3].split() == ["Riêng", "đơn", "vị", "11", "12", "91,67", "%"]
    assert lines[at + 4] == "Tỷ lệ lãnh đạo được cấp chữ ký số"
    assert lines[at + 5].split() == ["Toàn", "địa", "bàn", "7", "8", "87,50", "%"]
    # Why dossiers were late, after the table; then the warnings (test_report_warnings.py).
    assert block(lines, "[Hồ sơ trễ hạn và lý do]") == [
        "[Hồ sơ trễ hạn và lý do]",
        "  Toàn địa bàn — 2 hồ sơ trễ hạn: lỗi đường truyền mạng (1), không nêu lý do (1)",
        "  Riêng đơn vị — 1 hồ sơ trễ hạn: lỗi đường truyền mạng (1)",
    ]


def test_late_reasons_of_one_scope_and_of_a_unit_without_late_dossiers(tiny_published):  # noqa: F811
    _, out, _ = report(tiny_published, CITY, "2022-01", scope="self", lang="en", width=100)
    assert block(out.splitlines(), "[Late dossiers and their reasons]") == [
        "[Late dossiers and their reasons]",
        "  1 late dossier: lỗi đường truyền mạng (1)",
    ]
    _, out, _ = report(tiny_published, WARD_B, "2022", width=100)
    assert block(out.splitlines(), "[Hồ sơ trễ hạn và lý do]")[-1] == "  Không có hồ sơ trễ hạn"


def test_a_long_reason_line_wraps(tiny_published):  # noqa: F811
    _, out, _ = report(tiny_published, CITY, "2022", width=40)
    lines = out.splitlines()
    tail = block(lines, "[Hồ sơ trễ hạn và lý do]")[1:]
    assert len(tail) > 2 and all(len(line) <= 40 for line in tail)  # the terminal's width
    assert tail[1].startswith("    ")  # a continued sentence is indented further
    assert " ".join(line.strip() for line in tail).startswith(
        "Toàn địa bàn — 2 hồ sơ trễ hạn: lỗi đường truyền mạng (1), không nêu lý do (1)"
    )


def test_an_older_file_says_nothing_of_late_reasons_or_staff(tmp_path):
    published = write_tiny_published(tmp_path / "par.duckdb", staff=False, late_tables=False)
    code, out, _ = report(published, CITY, "2022", width=100)
    assert code == 0
    assert "[Văn bản đi]" in out
    assert "trễ hạn và lý do" not in out and "Cán bộ, công chức" not in out


def test_a_ward_in_english(tiny_published):  # noqa: F811
    code, out, _ = report(tiny_published, WARD_A, "2022-Q1", lang="en", width=100)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Phường An Hòa (90001) — Q1 2022 (2022-01-01 – 2022-03-31)"
    # One scope: a line per indicator. January 1/1, February 0/1 -> 1/2.
    row = next(line for line in lines if line.startswith("On-time rate"))
    assert row.split()[-4:] == ["1", "2", "50.00", "%"]
    assert "[Outgoing documents]" in lines
    assert "[Staff and digital signing]" in lines
    row = next(line for line in lines if line.startswith("Share of serving leaders"))
    assert row.split()[-4:] == ["1", "2", "50.00", "%"]
    assert block(lines, "[Late dossiers and their reasons]") == [
        "[Late dossiers and their reasons]",
        "  1 late dossier: no reason given (1)",
    ]


def test_unknown_unit_lists_the_units(tiny_published):  # noqa: F811
    code, out, err = report(tiny_published, "999", "2022")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "Không có đơn vị '999' trong năm 2022. Các đơn vị có số liệu kỳ này:",
        "  900    Thành phố Thử Nghiệm",
        "  90001  Phường An Hòa",
        "  90002  Phường Bình Minh",
    ]


def test_unknown_or_malformed_period_says_what_exists(tiny_published):  # noqa: F811
    code, _, err = report(tiny_published, CITY, "2021", lang="en")
    assert code == 2
    assert err.strip() == (
        "There are no figures for 2021. Periods available: years 2022; quarters 2022-Q1; "
        "months 2022-01, 2022-02."
    )
    code, _, err = report(tiny_published, CITY, "năm ngoái")
    assert code == 2
    assert "2021 (năm), 2021-Q1 (quý) hoặc 2021-03 (tháng)" in err


def test_no_published_file(tmp_path):
    code, _, err = report(tmp_path / "par.duckdb", None, None)
    assert code == 1
    assert "make run" in err


def test_files_on_request(tiny_published, tmp_path):  # noqa: F811
    out_dir = tmp_path / "reports"
    code, out, _ = report(tiny_published, CITY, "2022-02", excel=True, html=True, out_dir=out_dir)
    assert code == 0
    workbook = out_dir / "900" / "2022" / "par_900_2022-02.xlsx"
    page = out_dir / "900" / "2022" / "par_900_2022-02.html"
    assert workbook.exists() and page.exists()
    assert f"Đã ghi {workbook}" in out
    assert "reports: 2/2 files" in out


def test_the_command_line(tiny_published, capsys):  # noqa: F811
    settings = Settings.for_folders(tiny_published.parent / "landing", tiny_published.parent)

    def main(argv):
        return par(argv, settings)

    assert main(["report", "--unit", WARD_A, "--period", "2022-01", "--lang", "en"]) == 0
    assert "Phường An Hòa (90001) — January 2022" in capsys.readouterr().out
    assert main(["report", "--unit", "42"]) == 2
    assert "There is no unit" not in capsys.readouterr().err  # Vietnamese by default
    assert main(["report", "--period", "2022", "--html"]) == 0
    assert (tiny_published.parent / "reports" / "900" / "2022" / "par_900_2022.html").exists()


def test_nightly_reports_and_their_progress(tiny_published, tmp_path):  # noqa: F811
    snapshot = load_snapshot(tiny_published)
    assert [(u, p.label) for u, p in default_targets(snapshot)] == [(CITY, "2022")]
    seen = []
    progress = write_reports(snapshot, tmp_path, on_file=lambda p: seen.append(p.line()))
    assert [f.path.relative_to(tmp_path).as_posix() for f in progress.files] == [
        "900/2022/par_900_2022.xlsx",
        "900/2022/par_900_2022.html",
    ]
    assert [line.split(" files")[0] for line in seen] == ["reports: 1/2", "reports: 2/2"]
    # The workbook: 24 figures, 2 late dossiers and 10 warnings (test_reports_excel.py); the
    # page: 24 figures and 48 monthly ones.
    assert [f.rows for f in progress.files] == [24 + 2 + 10, 24 + 48]
    assert progress.rows_per_second > 0


def test_names_that_differ_at_the_end_stay_apart_when_cut():
    from pipelines.reports.terminal import fit_text

    partial = (
        "Tỷ lệ hồ sơ trực tuyến của thủ tục hành chính cung cấp dịch vụ công trực tuyến một phần"
    )
    full = (
        "Tỷ lệ hồ sơ trực tuyến của thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình"
    )
    # cut to 40 characters: the beginning and the end stay, the middle goes
    assert fit_text(partial, 40) != fit_text(full, 40)
    assert fit_text(partial, 40).endswith("một phần") and len(fit_text(partial, 40)) == 40
    assert fit_text(full, 40).startswith("Tỷ lệ hồ sơ") and "…" in fit_text(full, 40)
    assert fit_text("ngắn", 40) == "ngắn"


def test_area_scope_for_a_ward_is_refused_with_a_reason(tiny_published):  # noqa: F811
    # a ward has nothing under it: an area table would be empty; say why, exit 2
    code, out, err = report(tiny_published, WARD_A, "2022-01", scope="area", lang="en")
    assert code == 2 and out == ""
    assert "has no units under it" in err and "--scope self" in err
    code, out, _ = report(tiny_published, WARD_A, "2022-01", scope="self", lang="en")
    assert code == 0 and "Phường An Hòa (90001)" in out
