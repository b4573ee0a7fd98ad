"""`par report`: the indicator table of one unit and period on the terminal, in Vietnamese
or English, for people who do not write SQL; and the Excel and HTML files on request.

    par report                          the city, the latest year
    par report --period 2021-Q3 --unit 31519 --lang en
    par report --period 2021 --excel --html        also write the files
    par report --period 2025 --unit 31510@2024-01-01
                                        the unit that had code 31510 on that day (a code
                                        reused by a later unit; without the day: the unit
                                        existing at the period's end)
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import TextIO

import polars as pl

from pipelines.reports.data import (
    BASIS_TEXT,
    GROUPS,
    SCOPES,
    STALE_AFTER_DAYS,
    MissingPublishedFile,
    Report,
    Snapshot,
    UnitNotInPeriod,
    UnitRef,
    UnknownUnit,
    basis_lines,
    build_report,
    late_sentence,
    load_snapshot,
    not_in_period_text,
    unit_span,
    warning_summary,
)
from pipelines.reports.periods import Period, describe_periods, parse_period
from pipelines.reports.vn_format import fmt_date, fmt_local_time, fmt_met, fmt_number, sort_key

HEADERS = {
    "vi": ("Chỉ tiêu", "Tử số", "Mẫu số", "Giá trị", "Mục tiêu", "Đạt"),
    "en": ("Indicator", "Numerator", "Denominator", "Value", "Target", "Met"),
}
TEXT = {
    "vi": {
        "missing": "Chưa có tệp số liệu công bố {path}. Chạy `make run` trước.",
        "bad_period": "Kỳ '{text}' không đúng dạng. Viết 2021 (năm), 2021-Q1 (quý) hoặc 2021-03 "
        "(tháng).",
        "unknown_period": "Không có số liệu cho kỳ {label}. Các kỳ hiện có: {periods}.",
        "unknown_unit": "Không có đơn vị '{code}' trong {period}. Các đơn vị có số liệu kỳ này:",
        "pick_unit": "Có nhiều đơn vị cấp trên cùng; chọn một bằng --unit:",
        "empty": "Tệp số liệu công bố không có số liệu nào.",
        "published": "Số liệu công bố lúc {at}, tệp {path}",
        "wrote": "Đã ghi {path}",
        "late": "Hồ sơ trễ hạn và lý do",
        "warnings": "Cảnh báo",
        "no_warnings": "Không có cảnh báo nào trong kỳ.",
        "more_warnings": "… và {n} dòng khác: xem sheet “Cảnh báo” (par report --excel).",
        "no_area": "{name} ({code}) không có đơn vị nào trực thuộc: số liệu toàn địa bàn chính "
        "là số liệu riêng của đơn vị. Dùng --scope self (hoặc bỏ --scope).",
    },
    "en": {
        "missing": "There is no published file at {path}. Run `make run` first.",
        "bad_period": "Period '{text}' is not understood. Write 2021 (a year), 2021-Q1 (a "
        "quarter) or 2021-03 (a month).",
        "unknown_period": "There are no figures for {label}. Periods available: {periods}.",
        "unknown_unit": "There is no unit '{code}' in {period}. Units with figures then:",
        "pick_unit": "There are several top-level units; choose one with --unit:",
        "empty": "The published file holds no figures.",
        "published": "Figures published at {at}, file {path}",
        "wrote": "Wrote {path}",
        "late": "Late dossiers and their reasons",
        "warnings": "Warnings",
        "no_warnings": "No warnings in the period.",
        "more_warnings": "… and {n} more: see the “Cảnh báo” sheet (par report --excel).",
        "no_area": "{name} ({code}) has no units under it: its area figures are its own. "
        "Use --scope self (or leave --scope out).",
    },
}
NUMERIC = {1, 2, 3, 4}  # columns aligned right


class ReportError(Exception):
    """A problem the user can fix (unknown unit or period): print it, exit 2."""


def selector(snapshot: Snapshot, unit: UnitRef, period: Period) -> str:
    """What names the unit in the period: its code, or `code@day` when the code alone would
    mean another unit of it (a reused code, the other unit existing at the period's end)."""
    return unit.code if snapshot.pick(unit.code, period).key == unit.key else unit.selector


def resolve(snapshot: Snapshot, unit: str | None, period_text: str | None, lang: str) -> tuple:
    """(unit, period) from what the user typed, or ReportError saying what exists. The unit
    is a code, or `code@day` for the unit of a reused code that is not the one existing at
    the period's end (see Snapshot.pick)."""
    words = TEXT[lang]
    periods = snapshot.periods()
    if not periods:
        raise ReportError(words["empty"])
    if period_text is None:
        period = (
            max(p for p in periods if p.type == "year")
            if any(p.type == "year" for p in periods)
            else max(periods)
        )
    else:
        try:
            period = parse_period(period_text)
        except ValueError:
            raise ReportError(words["bad_period"].format(text=period_text)) from None
        if period not in periods:
            raise ReportError(
                words["unknown_period"].format(
                    label=period.label, periods=describe_periods(periods, lang)
                )
            )
    units = snapshot.units_in(period)
    if unit is None:
        tops = [units[key] for key in snapshot.top_units(period)]
        if len(tops) == 1:
            return selector(snapshot, tops[0], period), period
        raise ReportError(words["pick_unit"] + "\n" + _unit_list(snapshot, period, tops, lang))
    try:
        picked = snapshot.pick(unit, period)
    except UnitNotInPeriod as missing:
        raise ReportError(not_in_period_text(snapshot, missing, lang)) from None
    except UnknownUnit:
        raise ReportError(
            words["unknown_unit"].format(code=unit, period=_in_period(period, lang))
            + "\n"
            + _unit_list(snapshot, period, _units_in_order(snapshot, period), lang)
        ) from None
    return selector(snapshot, picked, period), period


def _in_period(period: Period, lang: str) -> str:
    if lang == "vi":
        title = period.title("vi")
        return title[0].lower() + title[1:]
    return period.label


def _units_in_order(snapshot: Snapshot, period: Period) -> list[UnitRef]:
    """Top-level units first, then the others alphabetically."""
    units = snapshot.units_in(period)
    tops = snapshot.top_units(period)
    rest = sorted((k for k in units if k not in tops), key=lambda k: sort_key(units[k].name))
    return [units[key] for key in tops + rest]


def _unit_list(snapshot: Snapshot, period: Period, units: list[UnitRef], lang: str) -> str:
    """A line per unit: what to type after --unit, its name, and for a reused code when
    the unit existed."""
    shown = [selector(snapshot, u, period) for u in units]
    codes = [u.code for u in units]
    width = max((len(s) for s in shown), default=0)
    lines = []
    for typed, unit in zip(shown, units, strict=True):
        span = unit_span(unit, lang) if codes.count(unit.code) > 1 else ""
        lines.append(f"  {typed.ljust(width)}  {unit.name}" + (f" ({span})" if span else ""))
    return "\n".join(lines)


def _cell(value, kind: str, lang: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return fmt_number(value, 2, lang) + " %"
    return fmt_number(value, 0, lang)


def fit_text(text: str, size: int) -> str:
    """Text cut to `size` characters. A long name loses its middle, not its end: indicator
    names often differ only at the end ("… trực tuyến một phần" / "… toàn trình")."""
    if len(text) <= size:
        return text
    if size < 16:
        return text[: size - 1] + "…"
    tail = min(len(text) // 3, size // 2 - 1)
    return text[: size - 1 - tail].rstrip() + "…" + text[-tail:].lstrip()


def render_table(
    report: Report, lang: str = "vi", scope: str | None = None, width: int | None = None
) -> str:
    """The indicator table of the report's unit (not the units under it) as text. With both
    scopes, each indicator's name is a line of its own with a line per scope under it."""
    root, period = report.root, report.period
    scopes = (scope,) if scope else root.scopes
    rows = report.rows.filter(
        (pl.col("unit_key") == root.key) & pl.col("scope").is_in(list(scopes))
    )
    name_column = "name_vi" if lang == "vi" else "name_en"
    lines: list[tuple[str, ...] | str] = []  # str: a heading line; tuple: a table row
    for group in report.groups():
        group_rows = rows.filter(pl.col("source") == group)
        if group_rows.is_empty():
            continue
        lines.append(f"[{GROUPS.get(group, {lang: group})[lang]}]")
        for code in group_rows.get_column("indicator_code").unique(maintain_order=True):
            for number, r in enumerate(
                group_rows.filter(pl.col("indicator_code") == code).iter_rows(named=True)
            ):
                name = r[name_column] or code
                if len(scopes) > 1:
                    if number == 0:
                        lines.append(name)
                    label = "  " + SCOPES[r["scope"]][lang]
                else:
                    label = name
                kind = r["kind"]
                lines.append(
                    (
                        label,
                        fmt_number(r["numerator"], 0, lang),
                        fmt_number(r["denominator"], 0, lang),
                        _cell(r["value"], kind, lang),
                        _cell(r["target"], kind, lang),
                        fmt_met(r["meets_target"], lang),
                    )
                )
    header = HEADERS[lang]
    table = [header] + [line for line in lines if isinstance(line, tuple)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    # The first column takes what the terminal has left; longer text is cut with an ellipsis.
    width = width or shutil.get_terminal_size((120, 24)).columns
    room = width - sum(widths[1:]) - 2 * (len(header) - 1)
    widths[0] = max(24, min(widths[0], room))
    total = sum(widths) + 2 * (len(header) - 1)

    def render(row: tuple[str, ...]) -> str:
        cells = [
            fit_text(cell, widths[i]).rjust(widths[i])
            if i in NUMERIC
            else fit_text(cell, widths[i]).ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    title = f"{root.name} ({root.code}) — {period.title(lang)} "
    title += f"({fmt_date(period.start, lang)} – {fmt_date(period.end, lang)})"
    published = TEXT[lang]["published"].format(
        at=fmt_local_time(report.snapshot.published_at, lang), path=report.snapshot.source.name
    )
    out = [title, published]
    note = report.code_note(lang)
    if note:
        out += textwrap.wrap(note, max(width, 40))
    out += ["", render(header), "  ".join("-" * w for w in widths)]
    for line in lines:
        out.append(fit_text(line, total) if isinstance(line, str) else render(line))
    out += late_lines(report, lang, scopes, max(width, 40))
    out += history_lines(report, lang, max(width, 40))
    out += warning_lines(report, lang, max(width, 40))
    return "\n".join(out)


def history_lines(report: Report, lang: str, width: int) -> list[str]:
    """The unit's history on today's territory (a unit formed or grown by a
    reorganisation): a value per indicator and period from the start of the data, as many
    periods side by side as the width holds, then what each period's figures are made of
    ("gộp từ Phường 1, 2, 3, 4"); none for a unit whose every period is its own."""
    if not report.has_history:
        return []
    words = BASIS_TEXT[lang]
    out = ["", f"[{words['heading']}]"]
    out += textwrap.wrap(
        words["explain"].format(name=report.root.name),
        width,
        initial_indent="  ",
        subsequent_indent="  ",
    )
    history = report.history
    name_column = "name_vi" if lang == "vi" else "name_en"
    order = history.sort("group_position", "position", "indicator_code").unique(
        "indicator_code", maintain_order=True
    )
    indicators = [(r["indicator_code"], r[name_column] or r["indicator_code"], r["kind"])
                  for r in order.iter_rows(named=True)]  # fmt: skip
    cells = {
        (r["indicator_code"], r["period_start"]): _cell(r["value"], r["kind"], lang)
        for r in history.iter_rows(named=True)
    }
    periods = report.history_periods()
    columns = {
        p: max([len(p.label)] + [len(cells.get((code, p.start), "")) for code, _, _ in indicators])
        for p in periods
    }
    # the names take what the periods leave of the width (if they all fit on one line)
    longest = max(len(name) for _, name, _ in indicators)
    name_width = max(24, min(longest, width - sum(c + 2 for c in columns.values())))
    chunks: list[list[Period]] = [[]]
    used = name_width
    for p in periods:
        if chunks[-1] and used + 2 + columns[p] > width:
            chunks.append([])
            used = name_width
        chunks[-1].append(p)
        used += 2 + columns[p]
    header = HEADERS[lang][0]
    for chunk in chunks:
        out.append("")
        out.append(
            "  ".join([header.ljust(name_width)] + [p.label.rjust(columns[p]) for p in chunk])
        )
        out.append("  ".join(["-" * name_width] + ["-" * columns[p] for p in chunk]))
        for code, name, _ in indicators:
            line = [fit_text(name, name_width).ljust(name_width)]
            line += [cells.get((code, p.start), "").rjust(columns[p]) for p in chunk]
            out.append("  ".join(line).rstrip())
    notes = basis_lines(report.history_notes, lang)
    if notes:
        out.append("")
        out.append(f"  {words['basis']}:")
        for periods, text in notes:
            out += textwrap.wrap(
                f"{periods}: {text}", width, initial_indent="    ", subsequent_indent="      "
            )
    return out


MAX_WARNING_LINES = 10  # lines per kind of warning; the workbook's sheet lists them all


def warning_lines(report: Report, lang: str, width: int) -> list[str]:
    """What to know before trusting the figures, for the unit (and the units under it) and
    the period: each kind of warning with its first lines, wrapped to the width."""
    words = TEXT[lang]
    out = ["", f"[{words['warnings']}]"]
    groups = warning_summary(report, lang)
    if not groups:
        return out + ["  " + words["no_warnings"]]
    for group in groups:
        out += textwrap.wrap(group.title, width, initial_indent="  ", subsequent_indent="    ")
        for item in group.items[:MAX_WARNING_LINES]:
            out += textwrap.wrap(item, width, initial_indent="    - ", subsequent_indent="      ")
        if len(group.items) > MAX_WARNING_LINES:
            more = fmt_number(len(group.items) - MAX_WARNING_LINES, 0, lang)
            out.append("    " + words["more_warnings"].format(n=more))
    return out


def late_lines(report: Report, lang: str, scopes: tuple[str, ...], width: int) -> list[str]:
    """Why the unit's dossiers were late, a sentence per scope, wrapped to the width; none
    when the published file does not say (older files)."""
    if not report.has_late_reasons:
        return []
    out = [f"[{TEXT[lang]['late']}]"]
    for scope in scopes:
        sentence = late_sentence(report.late_reason_counts(scope), lang)
        lead = f"{SCOPES[scope][lang]} — " if len(scopes) > 1 else ""
        out += textwrap.wrap(lead + sentence, width, initial_indent="  ", subsequent_indent="    ")
    return out


def run(
    published_db: Path,
    unit: str | None,
    period_text: str | None,
    lang: str = "vi",
    scope: str | None = None,
    excel: bool = False,
    html: bool = False,
    out_dir: Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    width: int | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> int:
    """The `par report` command. 0: printed (and written); 1: no published file; 2: unknown
    unit or period (the message lists what exists)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        snapshot = load_snapshot(published_db)  # read, closed: nothing below holds the file
    except MissingPublishedFile:
        print(TEXT[lang]["missing"].format(path=published_db), file=stderr)
        return 1
    try:
        unit_code, period = resolve(snapshot, unit, period_text, lang)
    except ReportError as problem:
        print(problem, file=stderr)
        return 2
    report = build_report(snapshot, unit_code, period, stale_after_days)
    if scope and scope not in report.root.scopes:
        root = report.root
        print(TEXT[lang]["no_area"].format(name=root.name, code=root.code), file=stderr)
        return 2
    print(render_table(report, lang, scope, width), file=stdout)
    kinds = tuple(kind for kind, wanted in (("excel", excel), ("html", html)) if wanted)
    if kinds:
        from pipelines.reports.generate import Progress, write_report

        if out_dir is None:
            raise ValueError("out_dir: the folder to write the report files into")

        progress = Progress(total=len(kinds))
        print("", file=stdout)
        write_report(
            report,
            out_dir,
            kinds,
            progress,
            on_file=lambda p: print(
                TEXT[lang]["wrote"].format(path=p.files[-1].path) + f"  ({p.line()})", file=stdout
            ),
        )
    return 0
