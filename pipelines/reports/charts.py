"""The HTML report of one report: per indicator, the monthly trend of the area and of each
unit against the target line, and the ranking of the units for the period; one
self-contained file (Vega, Vega-Lite and vega-embed inlined) that opens offline.

Charts are Vega-Altair specs rendered in the browser by vega-embed with the Vietnamese
number locale (`99,95`, `10.122`). Under each title, what the indicator counts in
Vietnamese words. Value axes are worked out from the data (value_axis): whole-number ticks
for counts, an axis spanning only the values for rates, so that 99,83 and 100 stand apart;
each unit's line is grey but the one picked in the menu under the chart. The JavaScript
bundle comes from vl-convert and is cached on disk: building it takes seconds, reusing it
nothing.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import altair as alt
import polars as pl

from pipelines.reports.data import (
    BASIS_TEXT,
    GROUPS,
    NO_REASON,
    SCOPES,
    Report,
    basis_text,
    late_sentence,
    warning_summary,
)
from pipelines.reports.paths import cache_dir
from pipelines.reports.vn_format import (
    D3_FORMAT_LOCALE,
    D3_TIME_FORMAT_LOCALE,
    fmt_date,
    fmt_local_time,
    fmt_met,
    fmt_number,
)

AREA_COLOR = "#1f4e79"
TARGET_COLOR = "#c0392b"
MET_COLORS = {"Đạt": "#2e8b57", "Không đạt": "#c0392b", "Chưa có mục tiêu": "#5b8db8"}
PANEL_WIDTH, PANEL_HEIGHT = 240, 200
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    "formatLocale": D3_FORMAT_LOCALE,
    "timeFormatLocale": D3_TIME_FORMAT_LOCALE,
}
# The chart shown as the Dagster asset's preview image, if the catalogue has it.
PREVIEW_INDICATOR = "DOSSIER_ONTIME_RATE"
MAX_LATE_ROWS = 100  # late dossiers listed on the page; the workbook lists them all


def _vl_version() -> str:
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"v{major}_{minor}"


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script that defines window.vegaEmbed."""
    import vl_convert

    name = f"vega-embed-{vl_convert.__version__}-{_vl_version()}.js"
    try:
        cached = cache_dir() / name
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=_vl_version())
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=cache_dir(), delete=False, suffix=".tmp"
        ) as out:
            out.write(bundle)
        os.replace(out.name, cache_dir() / name)
    except OSError:
        pass  # no cache: the next report builds the bundle again
    return bundle


def _number_format(kind: str) -> str:
    return ",.2f" if kind == "rate" else ",.0f"


# Tick steps in hundredths: a count axis steps by whole numbers (100 = 1), a rate axis by
# as little as 0,01 so that rates near 100 % still get ticks that read differently.
_COUNT_STEPS = tuple(m * 10**e * 100 for e in range(0, 10) for m in (1, 2, 5))
_RATE_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
MAX_INTERVALS = 6


@dataclass(frozen=True)
class ValueAxis:
    """A quantitative axis worked out from the data: its domain, its ticks (each label
    different from its neighbours) and their format."""

    domain: tuple[float, float]
    ticks: tuple[float, ...]
    format: str


def value_axis(kind: str, values: list[float | None]) -> ValueAxis:
    """Counts: from 0 to a whole-number top, whole-number ticks (no `0 1 1 2 2`). Rates: the
    span of the values (and targets) only, within 0-100, with as many decimals as the tick
    step needs: 99,83 and 100 stand apart and no label repeats (no `99,42 99,42`)."""
    present = [float(v) for v in values if v is not None]
    hundredths = [round(v * 100) for v in present] or [0]
    if kind == "rate" and not present:
        low, high, steps = 0, 10_000, _RATE_STEPS
    elif kind == "rate":
        low, high, steps = min(hundredths), max(hundredths), _RATE_STEPS
        if low == high:  # a flat line: half a point either side, not a 0,01 % zoom
            low, high = max(low - 50, 0), min(high + 50, 10_000)
    else:
        low, high, steps = 0, max(max(hundredths), 100), _COUNT_STEPS
    for step in steps:
        first, last = (low // step) * step, -(-high // step) * step
        if first == last:  # all zero: one step up
            last = first + step
        if kind == "rate" or first < 0:
            first = max(first, 0)
        if kind == "rate" and high <= 10_000:
            last = min(last, 10_000)
        if (last - first) // step <= MAX_INTERVALS:
            break
    decimals = 0 if step % 100 == 0 else (1 if step % 10 == 0 else 2)
    ticks = tuple(t / 100 for t in range(first, last + 1, step))
    return ValueAxis((first / 100, last / 100), ticks, f",.{decimals}f")


def _apply_axis(panel: dict, channel: str, axis: ValueAxis, title: str | None) -> None:
    """Set a panel's value scale and axis on every layer (they share them)."""
    for layer in panel["layer"]:
        encoding = layer.get("encoding", {}).get(channel)
        if not encoding or encoding.get("type") != "quantitative":
            continue
        encoding["scale"] = {"domain": list(axis.domain), "zero": False, "nice": False}
        encoding["axis"] = {"values": list(axis.ticks), "format": axis.format}
        encoding["title"] = title


def _datasets(report: Report, code: str, direction: str) -> dict[str, list[dict]]:
    """The named data of one indicator's chart: `area` (the report unit's area by month),
    `units` (each unit's own figure by month), `ranking` (each unit's own figure for the
    period, best first), and the target series `*_target` where there is a target."""
    root = report.root
    trend = report.trend.filter(pl.col("indicator_code") == code)
    columns = ["month", "series", "value", "numerator", "denominator", "target"]
    area_scope = "area" if root.has_children else "self"
    area = (
        trend.filter((pl.col("unit_key") == root.key) & (pl.col("scope") == area_scope))
        .with_columns(
            pl.col("period_start").cast(pl.String).alias("month"),
            pl.lit(f"{root.name} (toàn địa bàn)").alias("series"),
        )
        .with_columns(pl.col("value", "target").cast(pl.Float64))
        .select(columns)
    )
    names = {u.key: u.name for u in report.units}
    if root.has_children:
        names[root.key] = f"{root.name} (riêng đơn vị)"
    units = (
        trend.filter(pl.col("scope") == "self")
        .with_columns(
            pl.col("period_start").cast(pl.String).alias("month"),
            pl.col("unit_key").replace_strict(names, default="").alias("series"),
        )
        .with_columns(pl.col("value", "target").cast(pl.Float64))
        .sort("unit_position", "period_start")
        .select(columns)
    )
    ranking = (
        report.rows.filter((pl.col("indicator_code") == code) & (pl.col("scope") == "self"))
        .with_columns(
            pl.col("unit_key").replace_strict(names, default="").alias("series"),
            pl.col("value", "target").cast(pl.Float64),
            pl.when(pl.col("meets_target").is_null())
            .then(pl.lit("Chưa có mục tiêu"))
            .when(pl.col("meets_target"))
            .then(pl.lit("Đạt"))
            .otherwise(pl.lit("Không đạt"))
            .alias("met"),
        )
        .sort("value", descending=direction != "lower", nulls_last=True)
        .select("series", "value", "numerator", "denominator", "target", "met")
    )
    datasets = {"area": area.to_dicts(), "units": units.to_dicts(), "ranking": ranking.to_dicts()}
    for name, frame in (("area", area), ("units", units)):
        if frame.get_column("target").drop_nulls().len():
            targets = frame.group_by("month").agg(pl.col("target").max()).sort("month")
            datasets[f"{name}_target"] = targets.to_dicts()
    targets = ranking.get_column("target").drop_nulls().unique().sort()
    if targets.len():
        datasets["ranking_target"] = [{"target": t} for t in targets.to_list()]
    return datasets


@dataclass(frozen=True)
class _Shape:
    """What an indicator's chart looks like apart from its data. Indicators of one report
    share a handful of shapes; Altair builds each shape once (building a spec costs far
    more than filling it with data)."""

    kind: str
    area_title: str
    ranking_title: str
    unit_names: tuple[str, ...]  # the units' lines, in order; empty: no units panel
    targets: frozenset[str]  # the datasets with a target series
    met_values: tuple[str, ...]  # the ranking's colour domain


FOCUS_COLOR = "#d35400"
OTHER_COLOR = "#c9ced6"


def _trend_panel(shape: _Shape, name: str, title: str, highlight: bool):
    """A monthly line (the area), or every unit's line in grey with the one picked in the
    menu under the chart drawn over them in colour: eleven coloured lines cannot be told
    apart, one at a time can."""
    kind = shape.kind
    value_format = _number_format(kind)
    x = alt.X("month:T", timeUnit="yearmonth", title=None, axis=alt.Axis(format="T%-m"))
    tooltip = [
        alt.Tooltip("series:N", title="Đơn vị"),
        alt.Tooltip("month:T", timeUnit="yearmonth", title="Tháng", format="%m/%Y"),
        alt.Tooltip("value:Q", title="Giá trị", format=value_format),
        alt.Tooltip("numerator:Q", title="Tử số", format=",.0f"),
        alt.Tooltip("denominator:Q", title="Mẫu số", format=",.0f"),
        alt.Tooltip("target:Q", title="Mục tiêu", format=value_format),
    ]
    base = alt.Chart(alt.NamedData(name)).encode(x=x)
    y = alt.Y("value:Q")  # scale and axis: _apply_axis, from the data
    params = []
    if highlight:
        unit = alt.param(
            name="unit",
            value=shape.unit_names[0],
            bind=alt.binding_select(options=list(shape.unit_names), name="Đơn vị tô màu: "),
        )
        params.append(unit)
        others = base.mark_line(strokeWidth=1.2, color=OTHER_COLOR).encode(
            y=y, detail="series:N", tooltip=tooltip
        )
        picked = (
            base.transform_filter(alt.datum.series == unit)
            .mark_line(point=alt.OverlayMarkDef(size=30, color=FOCUS_COLOR), strokeWidth=2.8)
            .encode(y=y, color=alt.value(FOCUS_COLOR), tooltip=tooltip)
        )
        layers = [others, picked]
    else:
        layers = [
            base.mark_line(point=True, strokeWidth=2.5, color=AREA_COLOR).encode(
                y=y, tooltip=tooltip
            )
        ]
    if f"{name}_target" in shape.targets:
        layers.append(
            alt.Chart(alt.NamedData(f"{name}_target"))
            .mark_line(strokeDash=[6, 4], color=TARGET_COLOR, strokeWidth=1.5)
            .encode(
                x=x,
                y="target:Q",
                tooltip=[alt.Tooltip("target:Q", title="Mục tiêu", format=value_format)],
            )
        )
    chart = alt.layer(*layers).properties(width=PANEL_WIDTH, height=PANEL_HEIGHT, title=title)
    return chart.add_params(*params) if params else chart


def _ranking_panel(shape: _Shape):
    """The units for the period, best first. Counts are bars from zero; rates are dots on
    an axis spanning their values only, so that 99,83 and 100 do not look the same (a bar
    that does not start at zero would mislead)."""
    kind = shape.kind
    value_format = _number_format(kind)
    # The data come best first.
    y = alt.Y("series:N", sort=None, title=None, axis=alt.Axis(labelLimit=190, grid=True))
    x = alt.X("value:Q")  # scale and axis: _apply_axis, from the data
    color = alt.Color(
        "met:N",
        title="Mục tiêu",
        scale=alt.Scale(
            domain=list(shape.met_values),
            range=[MET_COLORS[m] for m in shape.met_values],
        ),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("series:N", title="Đơn vị"),
        alt.Tooltip("value:Q", title="Giá trị", format=value_format),
        alt.Tooltip("numerator:Q", title="Tử số", format=",.0f"),
        alt.Tooltip("denominator:Q", title="Mẫu số", format=",.0f"),
        alt.Tooltip("target:Q", title="Mục tiêu", format=value_format),
        alt.Tooltip("met:N", title="Đạt mục tiêu"),
    ]
    chart = alt.Chart(alt.NamedData("ranking"))
    marks = chart.mark_circle(size=70, opacity=1) if kind == "rate" else chart.mark_bar()
    marks = marks.encode(y=y, x=x, color=color, tooltip=tooltip)
    labels = chart.mark_text(align="left", dx=6 if kind == "rate" else 3, fontSize=10).encode(
        y=y, x=x, text=alt.Text("value:Q", format=value_format)
    )
    layers = [marks, labels]
    if "ranking_target" in shape.targets:
        layers.append(
            alt.Chart(alt.NamedData("ranking_target"))
            .mark_rule(strokeDash=[6, 4], color=TARGET_COLOR, strokeWidth=1.5)
            .encode(x="target:Q")
        )
    return alt.layer(*layers).properties(width=180, height=alt.Step(16), title=shape.ranking_title)


@lru_cache(maxsize=64)
def _template(shape: _Shape) -> str:
    panels = [_trend_panel(shape, "area", shape.area_title, highlight=False)]
    if shape.unit_names:
        title = "Từng đơn vị theo tháng (chọn đơn vị ở ô dưới biểu đồ)"
        panels.append(_trend_panel(shape, "units", title, highlight=True))
    panels.append(_ranking_panel(shape))
    chart = (
        alt.hconcat(*panels, spacing=28)
        .resolve_scale(color="independent")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=11)
        .configure_title(fontSize=12, anchor="start")
    )
    return json.dumps(chart.to_dict(validate=False))


def _unit_names(datasets: dict[str, list[dict]]) -> tuple[str, ...]:
    """The units' lines in the data's order (the report unit's own, then the units under
    it); the first is coloured when the page opens."""
    return tuple(dict.fromkeys(r["series"] for r in datasets["units"]))


def indicator_spec(report: Report, code: str) -> dict:
    """The Vega-Lite spec of one indicator: area trend | units trend | ranking."""
    entry = report.catalog.filter(pl.col("indicator_code") == code).row(0, named=True)
    datasets = _datasets(report, code, entry["direction"])
    met = {row["met"] for row in datasets["ranking"]}
    shape = _Shape(
        kind=entry["kind"],
        area_title="Toàn địa bàn theo tháng" if report.root.has_children else "Theo tháng",
        ranking_title=f"Xếp hạng đơn vị — {report.period.title()}",
        unit_names=_unit_names(datasets) if len(report.units) > 1 else (),
        targets=frozenset(name for name in datasets if name.endswith("_target")),
        met_values=tuple(m for m in MET_COLORS if m in met),
    )
    spec = json.loads(_template(shape))
    spec["datasets"] = datasets
    _apply_axes(spec, datasets, entry["kind"])
    return spec


def _apply_axes(spec: dict, datasets: dict[str, list[dict]], kind: str) -> None:
    """Each panel's value axis from its own data and targets (see value_axis)."""

    def values(name: str) -> list:
        rows = datasets.get(name, []) + datasets.get(f"{name}_target", [])
        return [r.get("value") for r in rows] + [r.get("target") for r in rows]

    title = "%" if kind == "rate" else None
    panels = spec["hconcat"]
    trend_names = ["area", "units"][: len(panels) - 1]
    for panel, name in zip(panels, trend_names, strict=False):
        _apply_axis(panel, "y", value_axis(kind, values(name)), title)
    _apply_axis(panels[-1], "x", value_axis(kind, values("ranking")), title)


# What each indicator counts, in words, for readers of the charts (the catalogue's formula
# is written for analysts, in English). Keyed by indicators.md's codes.
EXPLANATIONS = {
    "PROC_TOTAL": "Số thủ tục hành chính còn hiệu lực vào ngày cuối kỳ, theo danh mục gần "
    "nhất của đơn vị (không tính thủ tục đã bãi bỏ).",
    "PROC_CHANGED": "Số thủ tục được công bố mới, sửa đổi, bổ sung hoặc thay thế trong kỳ, "
    "tính theo ngày của quyết định công bố.",
    "PROC_ABOLISHED": "Số thủ tục bị bãi bỏ trong kỳ, tính theo ngày của quyết định.",
    "PROC_PUBLISHED_RATE": "Số thủ tục đang có hiệu lực được công khai trên Cổng dịch vụ "
    "công, chia cho số thủ tục đang có hiệu lực, nhân 100.",
    "PROC_ONLINE_PARTIAL": "Số thủ tục đang có hiệu lực cung cấp dịch vụ công trực tuyến "
    "một phần (mức độ 3 cũ) vào ngày cuối kỳ.",
    "PROC_ONLINE_FULL": "Số thủ tục đang có hiệu lực cung cấp dịch vụ công trực tuyến toàn "
    "trình (mức độ 4 cũ) vào ngày cuối kỳ.",
    "DOSSIER_RECEIVED": "Số hồ sơ tiếp nhận trong kỳ, tính theo ngày tiếp nhận.",
    "DOSSIER_FINISHED": "Số hồ sơ đã có kết quả giải quyết trong kỳ, tính theo ngày có kết quả.",
    "DOSSIER_ONTIME": "Số hồ sơ có kết quả trong kỳ vào hoặc trước ngày hẹn trả.",
    "DOSSIER_LATE": "Số hồ sơ có kết quả trong kỳ sau ngày hẹn trả.",
    "DOSSIER_ONTIME_RATE": "Số hồ sơ giải quyết trước hạn và đúng hạn, chia cho số hồ sơ đã "
    "giải quyết trong kỳ, nhân 100.",
    "DOSSIER_ONLINE_RATE_PARTIAL": "Số hồ sơ nộp trực tuyến, chia cho số hồ sơ tiếp nhận, "
    "chỉ tính thủ tục cung cấp dịch vụ công trực tuyến một phần vào ngày tiếp nhận, nhân 100.",
    "DOSSIER_ONLINE_RATE_FULL": "Số hồ sơ nộp trực tuyến, chia cho số hồ sơ tiếp nhận, chỉ "
    "tính thủ tục cung cấp dịch vụ công trực tuyến toàn trình vào ngày tiếp nhận, nhân 100.",
    "DOSSIER_APOLOGY_RATE": "Số hồ sơ quá hạn có văn bản xin lỗi, chia cho số hồ sơ giải "
    "quyết quá hạn trong kỳ, nhân 100.",
    "DOSSIER_PAID_ONLINE_RATE": "Số hồ sơ đã giải quyết được thanh toán phí, lệ phí trực "
    "tuyến, chia cho số hồ sơ đã giải quyết của thủ tục có thu phí, lệ phí, nhân 100.",
    "DOSSIER_DIGITIZED_RATE": "Số hồ sơ tiếp nhận có thành phần hồ sơ được số hóa, chia cho "
    "số hồ sơ tiếp nhận trong kỳ, nhân 100.",
    "DOC_SENT": "Số văn bản đi (không mật) gửi cơ quan nhà nước trong kỳ, tính theo ngày văn bản.",
    "DOC_ELECTRONIC": "Số văn bản đi gửi cơ quan nhà nước hoàn toàn dưới dạng điện tử trong kỳ.",
    "DOC_ELECTRONIC_RATE": "Số văn bản gửi hoàn toàn dưới dạng điện tử, chia cho số văn bản "
    "đi gửi cơ quan nhà nước, nhân 100.",
    "DOC_SIGNED_RATE": "Số văn bản đi được ký số, chia cho số văn bản đi gửi cơ quan nhà "
    "nước, nhân 100.",
    "STAFF_EMAIL_RATE": "Số cán bộ, công chức đang công tác có hộp thư công vụ, chia cho số "
    "cán bộ, công chức đang công tác (danh sách gần nhất đến ngày cuối kỳ), nhân 100.",
    "STAFF_LEADER_SIGNING_RATE": "Số lãnh đạo (cấp trưởng, cấp phó của đơn vị và các phòng, "
    "ban) đang công tác có chứng thư chữ ký số, chia cho số lãnh đạo đang công tác (danh sách "
    "gần nhất đến ngày cuối kỳ), nhân 100.",
}


def explanation(entry: dict) -> str:
    """What the indicator counts, in Vietnamese; for a code this module does not know, what
    its kind says."""
    if entry["indicator_code"] in EXPLANATIONS:
        return EXPLANATIONS[entry["indicator_code"]]
    if entry["kind"] == "rate":
        return "Tỷ lệ phần trăm: tử số chia cho mẫu số, nhân 100."
    return "Số đếm trong kỳ." if entry["measure"] == "flow" else "Số đếm vào ngày cuối kỳ."


def _with_unit(value, kind: str) -> str:
    if value is None:
        return ""
    return fmt_number(value, 2) + " %" if kind == "rate" else fmt_number(value, 0)


def _summary_table(report: Report) -> str:
    """Every indicator of the report's unit for the period, as an HTML table."""
    root = report.root
    own = report.rows.filter(pl.col("unit_key") == root.key)
    head = ["Chỉ tiêu"] + [SCOPES[s]["vi"] for s in root.scopes] + ["Mục tiêu", "Đạt"]
    out = ["<table class='summary'><thead><tr>"]
    out += [f"<th>{html.escape(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for code in report.catalog.sort("position").get_column("indicator_code").to_list():
        rows = {
            r["scope"]: r
            for r in own.filter(pl.col("indicator_code") == code).iter_rows(named=True)
        }
        if not rows:
            continue
        first = next(iter(rows.values()))
        kind = first["kind"]
        headline = rows.get(root.scopes[0], first)  # the area's, for a unit with units under it
        cells = [f"<td><a href='#{code}'>{html.escape(first['name_vi'])}</a></td>"]
        for scope in root.scopes:
            value = rows.get(scope, {}).get("value")
            cells.append(f"<td class='num'>{_with_unit(value, kind)}</td>")
        cells.append(f"<td class='num'>{_with_unit(headline['target'], kind)}</td>")
        met = headline["meets_target"]
        css = "" if met is None else ("met" if met else "not-met")
        cells.append(f"<td class='{css}'>{fmt_met(met)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _late_section(report: Report, workbook_name: str | None) -> str:
    """Why dossiers were late: a sentence per scope of the report's unit, then the late
    dossiers of the unit and the units under it. Nothing when the published file does not
    say (older files)."""
    if not report.has_late_reasons:
        return ""
    root = report.root
    out = ["<h2 id='late'>Hồ sơ trễ hạn và lý do</h2>"]
    for scope in root.scopes:
        sentence = late_sentence(report.late_reason_counts(scope))
        lead = f"{SCOPES[scope]['vi']} — " if len(root.scopes) > 1 else ""
        out.append(f"<p class='late-reasons'>{html.escape(lead + sentence)}</p>")
    dossiers = report.late_dossiers
    if not dossiers.width or dossiers.is_empty():
        return "".join(out)
    head = ["Đơn vị", "Mã hồ sơ", "Thủ tục hành chính", "Ngày hẹn trả", "Ngày có kết quả",
            "Số ngày trễ", "Ngày làm việc trễ", "Lý do trễ hạn"]  # fmt: skip
    out.append("<table class='summary late'><thead><tr>")
    out += [f"<th>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for r in dossiers.head(MAX_LATE_ROWS).iter_rows(named=True):
        procedure = r["procedure_name"] or r["procedure_code"]
        reason = (
            html.escape(r["late_reason"])
            if r["late_reason"]
            else f"<span class='no-reason'>{NO_REASON['vi']}</span>"
        )
        cells = [
            html.escape(r["unit_name"] or r["unit_code"]),
            html.escape(r["dossier_code"]),
            html.escape(procedure),
            fmt_date(r["due_date"]),
            fmt_date(r["finished_date"]),
            fmt_number(r["days_late"]),
            fmt_number(r["working_days_late"]),
            reason,
        ]
        out.append(
            "<tr>"
            + "".join(
                f"<td class='num'>{c}</td>" if k in (5, 6) else f"<td>{c}</td>"
                for k, c in enumerate(cells)
            )
            + "</tr>"
        )
    out.append("</tbody></table>")
    if dossiers.height > MAX_LATE_ROWS:
        where = (
            f" trong sheet “Hồ sơ trễ hạn” của {html.escape(workbook_name)}"
            if workbook_name
            else ""
        )
        out.append(
            f"<p class='meta'>… và {fmt_number(dossiers.height - MAX_LATE_ROWS)} hồ sơ khác"
            f"{where}.</p>"
        )
    return "".join(out)


def _history_section(report: Report) -> str:
    """The unit's figures on today's territory from the start of the data (a unit formed or
    grown by a reorganisation): a row per indicator, a column per period, the basis of each
    period in words above the figures. Nothing for a unit whose every period is its own."""
    if not report.has_history:
        return ""
    words = BASIS_TEXT["vi"]
    notes = report.history_notes
    out = [
        f"<h2 id='history'>{html.escape(words['heading'])}</h2>",
        f"<p class='explain'>{html.escape(words['explain'].format(name=report.root.name))}</p>",
        "<table class='summary history'><thead><tr><th>Chỉ tiêu</th>",
    ]
    out += [f"<th>{html.escape(note.period.title())}</th>" for note in notes]
    out.append("</tr></thead><tbody>")
    out.append(f"<tr class='basis'><td>{html.escape(words['basis'])}</td>")
    out += [f"<td>{html.escape(basis_text(note))}</td>" for note in notes]
    out.append("</tr>")
    history = report.history
    cells = {
        (r["indicator_code"], r["period_start"]): _with_unit(r["value"], r["kind"])
        for r in history.iter_rows(named=True)
    }
    order = history.sort("group_position", "position", "indicator_code").unique(
        "indicator_code", maintain_order=True
    )
    for r in order.iter_rows(named=True):
        code = r["indicator_code"]
        out.append(f"<tr><td>{html.escape(r['name_vi'] or code)}</td>")
        out += [
            f"<td class='num'>{cells.get((code, note.period.start), '')}</td>" for note in notes
        ]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


MAX_WARNING_ITEMS = 20  # lines per kind of warning on the page; the workbook lists all


def _warnings_section(report: Report, workbook_name: str | None) -> str:
    """What to know before trusting the figures: each kind of warning with its lines."""
    out = ["<section id='warnings' class='warnings'><h2>Cảnh báo</h2>"]
    groups = warning_summary(report)
    if not groups:
        out.append("<p>Không có cảnh báo nào trong kỳ.</p></section>")
        return "".join(out)
    where = (
        f"sheet “Cảnh báo” của {html.escape(workbook_name)}"
        if workbook_name
        else "sheet “Cảnh báo” của tệp Excel"
    )
    for group in groups:
        out.append(f"<h3>{html.escape(group.title)}</h3><ul>")
        out += [f"<li>{html.escape(item)}</li>" for item in group.items[:MAX_WARNING_ITEMS]]
        if len(group.items) > MAX_WARNING_ITEMS:
            more = fmt_number(len(group.items) - MAX_WARNING_ITEMS)
            out.append(f"<li class='meta'>… và {more} dòng khác trong {where}.</li>")
        out.append("</ul>")
    out.append(f"<p class='meta'>Chi tiết từng tệp, từng dòng: {where}.</p></section>")
    return "".join(out)


PAGE_STYLE = """
body { font-family: Arial, 'Segoe UI', sans-serif; margin: 24px 32px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { margin-top: 36px; border-bottom: 2px solid #1f4e79; }
h3 { margin: 24px 0 2px; font-size: 16px; }
.explain { color: #444; font-size: 13px; margin: 0 0 8px; max-width: 70em; }
.explain .code { color: #888; font-size: 11px; }
.meta { color: #555; font-size: 13px; } .meta td { padding: 1px 12px 1px 0; }
table.summary { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
table.summary th, table.summary td { border: 1px solid #ccc; padding: 3px 8px; }
table.summary th { background: #dce6f1; } td.num { text-align: right; white-space: nowrap; }
.met { color: #1e7b34; font-weight: bold; } .not-met { color: #c0392b; font-weight: bold; }
.chart { min-height: 240px; } #status { font-size: 12px; color: #777; }
.chart-error { color: #c0392b; }
.warnings { background: #fff8e6; border-left: 4px solid #e0a800; padding: 4px 16px;
  margin-top: 16px; } .warnings h2 { margin-top: 8px; border: none; }
.warnings ul { margin: 4px 0 8px; font-size: 14px; }
tr.basis td { font-size: 12px; color: #555; font-style: italic; max-width: 16em; }
.late-reasons { font-size: 14px; margin: 6px 0; } .no-reason { color: #777; font-style: italic; }
"""

# Records every error (uncaught, rejected promise, console.error) so that the page can say
# whether all charts rendered; the browser test reads the result from <body>.
ERROR_RECORDER = """
window.parErrors = [];
function parRecord(message) { window.parErrors.push(String(message)); }
window.addEventListener('error', function (e) { parRecord(e.message); });
window.addEventListener('unhandledrejection', function (e) { parRecord(e.reason); });
(function () {
  var original = console.error;
  console.error = function () {
    parRecord(Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
"""

RENDER_SCRIPT = """
(function () {
  var specs = JSON.parse(document.getElementById('par-specs').textContent);
  var options = JSON.parse(document.getElementById('par-embed-options').textContent);
  var codes = Object.keys(specs);
  Promise.allSettled(codes.map(function (code) {
    return vegaEmbed('#chart-' + code, specs[code], options).catch(function (error) {
      document.getElementById('chart-' + code).innerHTML =
        '<p class="chart-error">Không vẽ được biểu đồ: ' + error + '</p>';
      throw error;
    });
  })).then(function (results) {
    var rendered = results.filter(function (r) { return r.status === 'fulfilled'; }).length;
    document.body.setAttribute('data-charts-rendered', String(rendered));
    document.body.setAttribute('data-chart-errors', String(window.parErrors.length));
    document.getElementById('status').textContent =
      'Đã vẽ ' + rendered + '/' + codes.length + ' biểu đồ.';
  });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
<script>{recorder}</script>
<script>{bundle}</script>
</head>
<body data-charts-expected="{expected}">
<h1>{title}</h1>
<table class="meta">{meta}</table>
<p class="meta">Đường đứt nét đỏ: mục tiêu. <span id="status"></span></p>
{alerts}
{summary}
{late}
{history}
{sections}
<script type="application/json" id="par-specs">{specs}</script>
<script type="application/json" id="par-embed-options">{options}</script>
<script>{render}</script>
</body>
</html>
"""


def _json_for_script(value) -> str:
    """JSON that cannot close its <script> element early."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def render_html(report: Report, workbook_name: str | None = None) -> tuple[str, dict[str, dict]]:
    """The page and the spec of every chart in it (indicator code -> Vega-Lite spec)."""
    root, period, snapshot = report.root, report.period, report.snapshot
    specs: dict[str, dict] = {}
    sections: list[str] = []
    for group in report.groups():
        entries = report.catalog.filter(pl.col("source") == group).sort("position")
        group_name = GROUPS.get(group, {"vi": group})["vi"]
        sections.append(f"<h2>{html.escape(group_name)}</h2>")
        for entry in entries.iter_rows(named=True):
            code = entry["indicator_code"]
            if report.rows.filter(pl.col("indicator_code") == code).is_empty():
                continue
            specs[code] = indicator_spec(report, code)
            sections.append(
                f"<section id='{code}'><h3>{html.escape(entry['name_vi'])}</h3>"
                f"<p class='explain'>{html.escape(explanation(entry))} "
                f"<span class='code'>Mã: {code}</span></p>"
                f"<div class='chart' id='chart-{code}'></div></section>"
            )
    under = len(report.units) - 1
    unit = f"{root.name} ({root.code})" + (f" và {under} đơn vị trực thuộc" if under else "")
    meta = [
        ("Đơn vị", html.escape(unit)),
        ("Kỳ báo cáo", f"{period.title()} ({fmt_date(period.start)} – {fmt_date(period.end)})"),
        ("Số liệu tính lúc", fmt_local_time(snapshot.published_at)),
        ("Lần chạy Dagster", html.escape(snapshot.run_id or "")),
        # the file's name only: a server's folders mean nothing to a reader
        ("Tệp dữ liệu", html.escape(snapshot.source.name)),
        ("Báo cáo lập lúc", fmt_local_time(report.generated_at)),
    ]
    note = report.code_note()
    if note:
        meta.insert(1, ("Mã đơn vị dùng lại", html.escape(note)))
    if workbook_name:
        link = html.escape(workbook_name)
        meta.append(("Bảng số liệu Excel", f"<a href='{link}'>{link}</a>"))
    title = f"Chỉ số cải cách hành chính — {root.name} — {period.title()}"
    page = PAGE.format(
        title=html.escape(title),
        style=PAGE_STYLE,
        recorder=ERROR_RECORDER,
        bundle=vega_bundle(),
        expected=len(specs),
        meta="".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in meta),
        alerts=_warnings_section(report, workbook_name),
        summary=_summary_table(report),
        late=_late_section(report, workbook_name),
        history=_history_section(report),
        sections="".join(sections),
        specs=_json_for_script(specs),
        options=_json_for_script(EMBED_OPTIONS),
        render=RENDER_SCRIPT,
    )
    return page, specs


def write_html(report: Report, path: Path, workbook_name: str | None = None) -> dict[str, dict]:
    """Write the report's page atomically; returns the chart specs (for a preview image)."""
    page, specs = render_html(report, workbook_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, path)
    return specs


def preview_png(specs: dict[str, dict], scale: float = 1.0) -> bytes | None:
    """A PNG of one chart (the on-time rate if present), for the Dagster UI."""
    if not specs:
        return None
    import vl_convert

    spec = specs.get(PREVIEW_INDICATOR) or next(iter(specs.values()))
    return vl_convert.vegalite_to_png(
        spec,
        vl_version=_vl_version(),
        scale=scale,
        format_locale=D3_FORMAT_LOCALE,
        time_format_locale=D3_TIME_FORMAT_LOCALE,
    )
