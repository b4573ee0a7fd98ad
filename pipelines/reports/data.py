"""Everything a report shows, read from the published file in one short read-only visit.

Analysts and the next publish must never wait for a report: `load_snapshot` opens
par.duckdb read-only, reads the few tables the reports need into memory, and closes it
before any file is written. `build_report` then selects one unit's subtree and one period
from that snapshot, in the order a reader expects (groups, catalogue order, the unit then
the units under it in Vietnamese alphabetical order, area before self), with the period's
late dossiers and their reasons (`late_sentence`: "5 hồ sơ trễ hạn: lỗi đường truyền mạng
(5)"), and what an official should know before trusting the figures (`warning_summary`:
reported figures that disagree with the logs, due dates moved without a supplement request,
rows set aside and files not read, units that stopped delivering), which the workbook, the
page and `par report` all show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.reports.periods import Period
from pipelines.reports.vn_format import LOCAL_ZONE, fmt_date, fmt_number, sort_key

# Indicator groups in the order of the workbook's sheets: catalogue `source` -> names.
GROUPS: dict[str, dict[str, str]] = {
    "procedures": {"vi": "Thủ tục hành chính", "en": "Procedures"},
    "dossiers": {"vi": "Hồ sơ thủ tục hành chính", "en": "Dossiers"},
    "documents": {"vi": "Văn bản đi", "en": "Outgoing documents"},
    "staff": {"vi": "Cán bộ, công chức và chữ ký số", "en": "Staff and digital signing"},
}
SCOPES: dict[str, dict[str, str]] = {
    "area": {"vi": "Toàn địa bàn", "en": "Area"},
    "self": {"vi": "Riêng đơn vị", "en": "Own desk"},
}
FEEDS: dict[str, str] = {
    "procedures": "Danh mục thủ tục",
    "dossiers": "Sổ hồ sơ một cửa",
    "documents": "Sổ văn bản đi",
    "reports": "Báo cáo của đơn vị",
    "staff": "Danh sách cán bộ, công chức",
}
# What a count counts, for the "unit of measure" column.
COUNT_NOUNS = {
    "procedures": "thủ tục",
    "dossiers": "hồ sơ",
    "documents": "văn bản",
    "staff": "người",
}
# The late-dossier sentence, and a late dossier's missing reason in it.
LATE_TEXT = {
    "vi": {
        "one": "{n} hồ sơ trễ hạn",
        "some": "{n} hồ sơ trễ hạn",
        "none": "Không có hồ sơ trễ hạn",
    },
    "en": {"one": "{n} late dossier", "some": "{n} late dossiers", "none": "No late dossiers"},
}
NO_REASON = {"vi": "không nêu lý do", "en": "no reason given"}

_QUERIES = {
    "values": """
        SELECT unit_code, unit_name, scope, period_type, period_start, period_end,
               indicator_code, numerator, denominator, value, target, meets_target
        FROM indicator_values""",
    "catalog": """
        SELECT rowid AS position, indicator_code, name_vi, name_en, formula, kind, measure,
               direction, source
        FROM indicator_catalog""",
    "units": """
        SELECT unit_code, unit_name, unit_level, parent_code, valid_from, valid_to
        FROM dim_unit""",
    "ingest": """
        SELECT unit_code, feed, files::BIGINT AS files, rejected_files::BIGINT AS rejected_files,
               rows_in::BIGINT AS rows_in, rows_loaded::BIGINT AS rows_loaded,
               rows_set_aside::BIGINT AS rows_set_aside, first_export_date, last_export_date
        FROM ingest_summary""",
    "warnings": """
        SELECT unit_code, source_file, source_row, export_date, period, period_type,
               period_start, period_end, indicator_code, scope, kind,
               reported_numerator::DOUBLE AS reported_numerator,
               reported_denominator::DOUBLE AS reported_denominator,
               reported_rate, recomputed_rate, computed_numerator, computed_denominator,
               computed_rate, status
        FROM reconciliation WHERE status <> 'agrees'""",
    "set_aside": """
        SELECT unit_code, feed, export_date, source_file, source_row, reason FROM set_aside""",
    "late_dossiers": """
        SELECT unit_code, unit_name, dossier_code, procedure_code, procedure_name,
               received_date, due_date, finished_date, days_late::BIGINT AS days_late,
               working_days_late::BIGINT AS working_days_late, late_reason
        FROM late_dossiers""",
    "late_reasons": """
        SELECT unit_code, scope, period_type, period_start, late_reason,
               dossiers::BIGINT AS dossiers
        FROM late_dossier_reasons""",
    # no names or ID numbers: the mart has none
    "due_date_flags": """
        SELECT unit_code, dossier_code, procedure_code,
               CAST(received_at AS DATE) AS received_date, expected_due_date,
               recorded_due_date, days_moved::BIGINT AS days_moved,
               CAST(finished_at AS DATE) AS finished_date, timeliness_as_logged,
               timeliness_by_rule, source_file, source_row::BIGINT AS source_row
        FROM due_date_flags""",
}
# Tables an older or partial published file may lack: the reports then show none of them.
_OPTIONAL = {"ingest", "warnings", "set_aside", "late_dossiers", "late_reasons", "due_date_flags"}
_TABLE_OF = {
    "values": "indicator_values",
    "catalog": "indicator_catalog",
    "units": "dim_unit",
    "ingest": "ingest_summary",
    "warnings": "reconciliation",
    "set_aside": "set_aside",
    "late_dossiers": "late_dossiers",
    "late_reasons": "late_dossier_reasons",
    "due_date_flags": "due_date_flags",
}


class MissingPublishedFile(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Snapshot:
    """The published tables the reports need, in memory."""

    source: Path
    read_at: dt.datetime
    published_at: dt.datetime | None
    run_id: str | None
    values: pl.DataFrame
    catalog: pl.DataFrame
    units: pl.DataFrame
    ingest: pl.DataFrame
    warnings: pl.DataFrame
    set_aside: pl.DataFrame
    late_dossiers: pl.DataFrame
    late_reasons: pl.DataFrame
    due_date_flags: pl.DataFrame = field(default_factory=pl.DataFrame)

    def periods(self) -> list[Period]:
        pairs = self.values.select("period_type", "period_start").unique().rows()
        return sorted(Period(start, period_type) for period_type, start in pairs)

    def unit_names(self, period: Period) -> dict[str, str]:
        """Units with figures in the period, with their names as of the period."""
        rows = self.in_period(period).select("unit_code", "unit_name").unique().rows()
        return dict(rows)

    def parents(self, period: Period) -> dict[str, str | None]:
        """unit -> parent, from the unit version in force at the period's end (or the last
        version that overlaps the period, for a unit that ended during it)."""
        versions = self.units.filter(
            (pl.col("valid_from").is_null() | (pl.col("valid_from") <= period.end))
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= period.start))
        ).sort("valid_from", nulls_last=False)
        return {code: parent for code, parent in versions.select("unit_code", "parent_code").rows()}

    def top_units(self, period: Period) -> list[str]:
        """Units with figures in the period and nobody above them (the city)."""
        names = self.unit_names(period)
        parents = self.parents(period)
        tops = [code for code in names if parents.get(code) not in names]
        return sorted(tops, key=lambda code: sort_key(names[code]))

    def in_period(self, period: Period) -> pl.DataFrame:
        return self.values.filter(
            (pl.col("period_type") == period.type) & (pl.col("period_start") == period.start)
        )


def load_snapshot(published_db: Path) -> Snapshot:
    """Read the report tables from the published file, read-only, and close it at once."""
    published_db = Path(published_db)
    if not published_db.exists():
        raise MissingPublishedFile(published_db)
    read_at = dt.datetime.now().replace(microsecond=0)
    conn = duckdb.connect(str(published_db), read_only=True)
    try:
        tables = {
            row[0] for row in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        frames: dict[str, pl.DataFrame] = {}
        for name, query in _QUERIES.items():
            if _TABLE_OF[name] in tables:
                frames[name] = conn.sql(query).pl()
            elif name in _OPTIONAL:
                frames[name] = pl.DataFrame()
            else:
                raise RuntimeError(f"{published_db} has no table {_TABLE_OF[name]}")
        publication = (
            conn.execute("SELECT published_at, run_id FROM publication").fetchone()
            if "publication" in tables
            else None
        )
    finally:
        conn.close()
    published_at, run_id = publication or (None, None)
    return Snapshot(
        source=published_db,
        read_at=read_at,
        published_at=published_at,
        run_id=run_id,
        **frames,
    )


@dataclass(frozen=True)
class ReportUnit:
    code: str
    name: str
    depth: int  # 0 for the report's unit, 1 for the units directly under it, ...
    has_children: bool

    @property
    def scopes(self) -> tuple[str, ...]:
        """A unit with units under it has an area figure of its own; for one without, the
        area figure is its own figure, so only that is shown."""
        return ("area", "self") if self.has_children else ("self",)


# Feeds a unit delivers every working day: a gap in them means the unit stopped delivering.
DAILY_FEEDS = ("dossiers", "documents")
# Days behind the newest delivery before a unit is said to have stopped: the default of
# Settings.freshness_days (PAR_FRESHNESS_DAYS), which callers that have settings pass on.
STALE_AFTER_DAYS = 7


@dataclass(frozen=True)
class StaleFeed:
    """A unit whose daily feed stopped: its last delivery (None: nothing delivered by
    then) lies more than the allowed days before the reference day."""

    unit_code: str
    unit_name: str
    feed: str
    last_delivery: dt.date | None
    reference: dt.date  # the newest delivery of the feed by any unit, at most the period end

    @property
    def days_behind(self) -> int | None:
        return None if self.last_delivery is None else (self.reference - self.last_delivery).days


def stale_feeds(
    ingest: pl.DataFrame, units: list[ReportUnit], period: Period, days: int
) -> list[StaleFeed]:
    """The units of the report that had stopped delivering a daily feed by the period's end
    (or by the newest delivery, for a period still running): the rule of the
    `*_delivered_recently` checks, judged from ingest_summary's first and last export
    dates. A feed no unit delivers is not judged."""
    if not ingest.width or ingest.is_empty():
        return []
    # every unit's deliveries, not only the report's: the newest of them is the reference
    stale = []
    for feed in DAILY_FEEDS:
        delivered = ingest.filter(pl.col("feed") == feed)
        newest = delivered.get_column("last_export_date").max()
        if newest is None:
            continue
        reference = min(newest, period.end)
        spans = {
            code: (first, last)
            for code, first, last in delivered.select(
                "unit_code", "first_export_date", "last_export_date"
            ).rows()
        }
        for unit in units:
            first, last = spans.get(unit.code, (None, None))
            if first is not None and first > reference:
                last = None  # it only started after the reference day
            if last is None or (reference - last).days > days:
                stale.append(StaleFeed(unit.code, unit.name, feed, last, reference))
    order = {unit.code: position for position, unit in enumerate(units)}
    return sorted(stale, key=lambda s: (order[s.unit_code], DAILY_FEEDS.index(s.feed)))


class UnknownUnit(LookupError):
    pass


class UnknownPeriod(LookupError):
    pass


@dataclass
class Report:
    """One unit (with the units under it) and one period, ready to render."""

    snapshot: Snapshot
    root: ReportUnit
    period: Period
    units: list[ReportUnit]
    rows: pl.DataFrame  # the indicator table, in display order
    trend: pl.DataFrame  # months of the period's year up to its end
    ingest: pl.DataFrame
    warnings: pl.DataFrame
    set_aside: pl.DataFrame
    # the period's late dossiers of the unit and the units under it (no columns when the
    # published file has no late_dossiers table)
    late_dossiers: pl.DataFrame = field(default_factory=pl.DataFrame)
    # the report unit's late dossiers by reason: (scope, late_reason, dossiers), scope by
    # scope, most first (no columns when the published file has no late-dossier tables)
    late_reasons: pl.DataFrame = field(default_factory=pl.DataFrame)
    # aware, so that every report shows it on the readers' clock (Asia/Ho_Chi_Minh)
    # the subtree's dossiers received in the period whose due date was moved later than the
    # rule allows without a supplement request (no columns for files without the table)
    due_date_flags: pl.DataFrame = field(default_factory=pl.DataFrame)
    # the subtree's units whose daily feeds stopped (see stale_feeds)
    stale: list[StaleFeed] = field(default_factory=list)
    stale_after_days: int = STALE_AFTER_DAYS
    generated_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(LOCAL_ZONE).replace(microsecond=0)
    )

    @property
    def catalog(self) -> pl.DataFrame:
        return self.snapshot.catalog

    def groups(self) -> list[str]:
        """The indicator groups with figures in the report, in sheet order (a file without
        staff lists has no staff figures, and so no staff group)."""
        present = self.rows.get_column("source").unique().to_list() if self.rows.height else []
        known = [group for group in GROUPS if group in present]
        return known + sorted(g for g in present if g is not None and g not in GROUPS)

    @property
    def has_late_reasons(self) -> bool:
        """Whether the published file says why dossiers were late (older files do not)."""
        return bool(self.late_reasons.width)

    def late_reason_counts(self, scope: str) -> list[tuple[str | None, int]]:
        """[(reason or None, late dossiers)] of the report unit in the scope, most first."""
        if not self.late_reasons.width:
            return []
        rows = self.late_reasons.filter(pl.col("scope") == scope)
        return rows.select("late_reason", "dossiers").rows()


def _in_sentence(reason: str) -> str:
    """A delivered reason inside a sentence: first letter lower-cased, unless it starts an
    abbreviation (`HĐND`, `UBND`)."""
    if len(reason) > 1 and reason[1].isupper():
        return reason
    return reason[:1].lower() + reason[1:]


def late_sentence(counts: list[tuple[str | None, int]], lang: str = "vi") -> str:
    """`5 hồ sơ trễ hạn: lỗi đường truyền mạng (5)`: the reasons as delivered, in the order
    given (most first); a late dossier without one under "không nêu lý do"."""
    total = sum(n for _, n in counts)
    words = LATE_TEXT[lang]
    if not total:
        return words["none"]
    head = words["one" if total == 1 else "some"].format(n=fmt_number(total, 0, lang))
    parts = [
        f"{_in_sentence(reason) if reason else NO_REASON[lang]} ({fmt_number(n, 0, lang)})"
        for reason, n in counts
    ]
    return f"{head}: {', '.join(parts)}"


def _reason_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Most late dossiers first; ties by reason in Vietnamese order, no reason last."""
    rows = frame.rows(named=True)
    rows.sort(
        key=lambda r: (
            -r["dossiers"],
            r["late_reason"] is None,
            sort_key(r["late_reason"] or ""),
        )
    )
    return pl.DataFrame(rows, schema=frame.schema)


def _subtree(snapshot: Snapshot, root: str, period: Period) -> list[ReportUnit]:
    names = snapshot.unit_names(period)
    parents = snapshot.parents(period)
    children: dict[str, list[str]] = {}
    for code in names:
        parent = parents.get(code)
        if parent is not None and parent in names and parent != code:
            children.setdefault(parent, []).append(code)
    ordered: list[ReportUnit] = []
    seen: set[str] = set()

    def visit(code: str, depth: int) -> None:
        seen.add(code)
        kids = sorted(
            (c for c in children.get(code, []) if c not in seen), key=lambda c: sort_key(names[c])
        )
        ordered.append(ReportUnit(code, names[code], depth, bool(kids)))
        for kid in kids:
            visit(kid, depth + 1)

    visit(root, 0)
    return ordered


def _display_order(report_units: list[ReportUnit], catalog: pl.DataFrame) -> tuple:
    unit_order = pl.DataFrame(
        {
            "unit_code": [u.code for u in report_units],
            "unit_position": list(range(len(report_units))),
            "depth": [u.depth for u in report_units],
        },
        schema={"unit_code": pl.String, "unit_position": pl.Int64, "depth": pl.Int64},
    )
    group_rank = {group: rank for rank, group in enumerate(GROUPS)}
    indicators = catalog.with_columns(
        pl.col("source")
        .replace_strict(group_rank, default=len(group_rank), return_dtype=pl.Int64)
        .alias("group_position")
    )
    return unit_order, indicators


def build_report(
    snapshot: Snapshot, unit_code: str, period: Period, stale_after_days: int = STALE_AFTER_DAYS
) -> Report:
    """The report of one unit and the units under it, for one period. A unit whose daily
    feed is more than stale_after_days behind is warned about."""
    names = snapshot.unit_names(period)
    if period not in snapshot.periods():
        raise UnknownPeriod(period)
    if unit_code not in names:
        raise UnknownUnit(unit_code)
    report_units = _subtree(snapshot, unit_code, period)
    codes = [u.code for u in report_units]
    unit_order, indicators = _display_order(report_units, snapshot.catalog)
    wanted_scopes = pl.DataFrame(
        [(u.code, scope) for u in report_units for scope in u.scopes],
        schema={"unit_code": pl.String, "scope": pl.String},
        orient="row",
    )
    rows = (
        snapshot.in_period(period)
        .join(wanted_scopes, on=["unit_code", "scope"], how="semi")
        .join(unit_order, on="unit_code")
        .join(
            indicators.select(
                "indicator_code",
                "position",
                "group_position",
                "name_vi",
                "name_en",
                "kind",
                "source",
                "direction",
            ),
            on="indicator_code",
            how="left",
        )
        .with_columns(pl.col("scope").replace_strict({"area": 0, "self": 1}).alias("scope_rank"))
        .sort("group_position", "position", "indicator_code", "unit_position", "scope_rank")
        .drop("scope_rank")
    )
    trend = (
        snapshot.values.filter(
            (pl.col("period_type") == "month")
            & (pl.col("period_start") >= period.months()[0].start)
            & (pl.col("period_end") <= period.end)
            & pl.col("unit_code").is_in(codes)
        )
        .join(wanted_scopes, on=["unit_code", "scope"], how="semi")
        .join(unit_order, on="unit_code")
        .sort("indicator_code", "unit_position", "scope", "period_start")
    )
    in_subtree = pl.col("unit_code").is_in(codes)
    ingest = snapshot.ingest
    if ingest.width:
        ingest = (
            ingest.filter(in_subtree).join(unit_order, on="unit_code").sort("unit_position", "feed")
        )
    warnings = snapshot.warnings
    if warnings.width:
        placed = (pl.col("period_start") >= period.start) & (pl.col("period_end") <= period.end)
        unplaced = pl.col("period_start").is_null() & pl.col("export_date").is_between(
            period.start, period.end
        )
        warnings = (
            warnings.filter(in_subtree & (placed | unplaced))
            .join(unit_order, on="unit_code")
            .sort("unit_position", "source_file", "source_row")
        )
    set_aside = snapshot.set_aside
    if set_aside.width:
        set_aside = (
            set_aside.filter(
                in_subtree & pl.col("export_date").is_between(period.start, period.end)
            )
            .join(unit_order, on="unit_code")
            .sort("unit_position", "feed", "source_file", "source_row", nulls_last=False)
        )
    late_dossiers, late_reasons = _late(snapshot, report_units, unit_order, period)
    flags = snapshot.due_date_flags
    if flags.width:
        flags = (
            flags.filter(in_subtree & pl.col("received_date").is_between(period.start, period.end))
            .join(unit_order.select("unit_code", "unit_position"), on="unit_code")
            .sort("unit_position", "received_date", "dossier_code")
            .drop("unit_position")
        )
    return Report(
        snapshot=snapshot,
        root=report_units[0],
        period=period,
        units=report_units,
        rows=rows,
        trend=trend,
        ingest=ingest,
        warnings=warnings,
        set_aside=set_aside,
        late_dossiers=late_dossiers,
        late_reasons=late_reasons,
        due_date_flags=flags,
        stale=stale_feeds(snapshot.ingest, report_units, period, stale_after_days),
        stale_after_days=stale_after_days,
    )


_REASON_SCHEMA = {"scope": pl.String, "late_reason": pl.String, "dossiers": pl.Int64}


def _late(
    snapshot: Snapshot, report_units: list[ReportUnit], unit_order: pl.DataFrame, period: Period
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the subtree's late dossiers finished in the period, the root's late dossiers by
    reason in each of its scopes). The counts come from late_dossier_reasons; a file with
    late_dossiers only gives them from the listed dossiers (the subtree being the root's
    area in the period)."""
    root = report_units[0]
    dossiers = snapshot.late_dossiers
    if dossiers.width:
        dossiers = (
            dossiers.filter(
                pl.col("unit_code").is_in([u.code for u in report_units])
                & pl.col("finished_date").is_between(period.start, period.end)
            )
            .join(unit_order.select("unit_code", "unit_position"), on="unit_code")
            .sort("unit_position", "finished_date", "dossier_code")
            .drop("unit_position")
        )
    reasons = snapshot.late_reasons
    if reasons.width:
        reasons = reasons.filter(
            (pl.col("unit_code") == root.code)
            & (pl.col("period_type") == period.type)
            & (pl.col("period_start") == period.start)
        ).select(list(_REASON_SCHEMA))
    elif dossiers.width:
        parts = []
        for scope in root.scopes:
            mine = (
                dossiers if scope == "area" else dossiers.filter(pl.col("unit_code") == root.code)
            )
            parts.append(
                mine.group_by("late_reason")
                .agg(pl.len().cast(pl.Int64).alias("dossiers"))
                .select(pl.lit(scope).alias("scope"), "late_reason", "dossiers")
            )
        reasons = pl.concat(parts)
    else:
        return dossiers, reasons
    ordered = [_reason_order(reasons.filter(pl.col("scope") == scope)) for scope in root.scopes]
    return dossiers, pl.concat(ordered)


# --- warnings, in words -----------------------------------------------------------------

RECONCILIATION_TEXT = {
    "vi": {
        "rate_mismatch": "tỷ lệ báo cáo {reported_rate} % không khớp với tử số và mẫu số của "
        "chính báo cáo ({recomputed_rate} %)",
        "counts_differ": "báo cáo {reported}, sổ sách cho {computed}",
        "unknown_indicator": "mã chỉ tiêu không có trong danh mục",
        "unknown_period": "kỳ báo cáo không đọc được, hoặc kho dữ liệu không có số liệu kỳ đó",
    },
    "en": {
        "rate_mismatch": "reported rate {reported_rate} % does not follow from the report's "
        "own numerator and denominator ({recomputed_rate} %)",
        "counts_differ": "reported {reported}, the logs give {computed}",
        "unknown_indicator": "indicator code not in the catalogue",
        "unknown_period": "period not understood, or no figures for it",
    },
}
WARNING_TEXT = {
    "vi": {
        "reconciliation": "Số liệu đơn vị báo cáo không khớp với sổ sách ({n})",
        "due_dates": "Ngày hẹn trả bị dời muộn hơn quy định mà không có yêu cầu bổ sung "
        "({n} hồ sơ)",
        "due_unit": "{unit}: {n} hồ sơ, trong đó {hidden} hồ sơ ghi là đúng hạn nhưng trễ "
        "hạn theo quy định",
        "due_unit_plain": "{unit}: {n} hồ sơ",
        "set_aside": "Dòng dữ liệu bị để riêng và tệp không đọc được",
        "set_aside_unit": "{unit}, {feed}: {what}",
        "rows": "{n} dòng bị để riêng",
        "files": "{n} tệp không đọc được",
        "stale": "Đơn vị ngừng gửi dữ liệu (quá {days} ngày)",
        "stale_unit": "{unit}, {feed}: lần gửi gần nhất {last}, {behind} ngày trước {reference}",
        "never": "{unit}, {feed}: chưa gửi tệp nào đến {reference}",
        "none": "Không có cảnh báo nào trong kỳ.",
        "period": "kỳ {period}",
    },
    "en": {
        "reconciliation": "Reported figures that disagree with the logs ({n})",
        "due_dates": "Due dates moved later than the rule allows without a supplement "
        "request ({n} dossiers)",
        "due_unit": "{unit}: {n} dossiers, {hidden} of them logged on time but late by the rule",
        "set_aside": "Rows set aside and files that could not be read",
        "set_aside_unit": "{unit}, {feed}: {what}",
        "rows": "{n} rows set aside",
        "files": "{n} files not read",
        "stale": "Units that stopped delivering (over {days} days)",
        "stale_unit": "{unit}, {feed}: last delivery {last}, {behind} days before {reference}",
        "never": "{unit}, {feed}: no file delivered by {reference}",
        "none": "No warnings in the period.",
        "period": "period {period}",
    },
}
FEEDS_EN = {
    "procedures": "procedure catalogue",
    "dossiers": "dossier log",
    "documents": "outgoing-document register",
    "reports": "unit's own report",
    "staff": "staff list",
}


@dataclass(frozen=True)
class WarningGroup:
    """One kind of warning: a heading and one line per unit or per disagreement."""

    title: str
    items: list[str]


def _reported(value, kind: str, lang: str) -> str:
    return fmt_number(value, 2 if kind == "rate" else 0, lang)


def _reconciliation_item(r: dict, report: Report, lang: str) -> str:
    names = {u.code: u.name for u in report.units}
    catalog = dict(report.catalog.select("indicator_code", f"name_{lang}").rows())
    indicator = catalog.get(r["indicator_code"]) or r["indicator_code"]
    scope = SCOPES.get(r["scope"], {lang: r["scope"]})[lang].lower()
    if r["kind"] == "rate":
        reported = (
            f"{fmt_number(r['reported_numerator'], 0, lang)}/"
            f"{fmt_number(r['reported_denominator'], 0, lang)}"
        )
        computed = (
            f"{fmt_number(r['computed_numerator'], 0, lang)}/"
            f"{fmt_number(r['computed_denominator'], 0, lang)}"
        )
    else:
        reported = fmt_number(r["reported_numerator"], 0, lang)
        computed = fmt_number(r["computed_numerator"], 0, lang)
    detail = (
        RECONCILIATION_TEXT[lang]
        .get(r["status"], r["status"])
        .format(
            reported=reported,
            computed=computed,
            reported_rate=fmt_number(r["reported_rate"], 2, lang),
            recomputed_rate=fmt_number(r["recomputed_rate"], 2, lang),
        )
    )
    period = WARNING_TEXT[lang]["period"].format(period=r["period"])
    unit = names.get(r["unit_code"], r["unit_code"])
    return f"{unit} — {indicator} ({scope}), {period}: {detail}"


def _due_date_items(report: Report, lang: str) -> list[str]:
    flags = report.due_date_flags
    words = WARNING_TEXT[lang]
    items = []
    for unit in report.units:
        mine = flags.filter(pl.col("unit_code") == unit.code)
        if mine.is_empty():
            continue
        hidden = mine.filter(
            pl.col("timeliness_as_logged").is_in(["early", "on_time"])
            & (pl.col("timeliness_by_rule") == "late")
        ).height
        template = words["due_unit" if hidden else "due_unit_plain"]
        items.append(
            template.format(
                unit=unit.name,
                n=fmt_number(mine.height, 0, lang),
                hidden=fmt_number(hidden, 0, lang),
            )
        )
    return items


def _set_aside_items(report: Report, lang: str) -> list[str]:
    rows = report.set_aside
    counts = (
        rows.group_by("unit_code", "feed")
        .agg(
            pl.col("source_row").is_not_null().sum().alias("rows"),
            pl.col("source_row").is_null().sum().alias("files"),
        )
        .rows(named=True)
    )
    order = {u.code: i for i, u in enumerate(report.units)}
    counts.sort(key=lambda c: (order.get(c["unit_code"], len(order)), c["feed"] or ""))
    names = {u.code: u.name for u in report.units}
    feeds = FEEDS if lang == "vi" else FEEDS_EN
    words = WARNING_TEXT[lang]
    items = []
    for c in counts:
        what = [
            words[key].format(n=fmt_number(c[key], 0, lang)) for key in ("rows", "files") if c[key]
        ]
        items.append(
            words["set_aside_unit"].format(
                unit=names.get(c["unit_code"], c["unit_code"]),
                feed=feeds.get(c["feed"], c["feed"]),
                what=", ".join(what),
            )
        )
    return items


def _stale_items(report: Report, lang: str) -> list[str]:
    words = WARNING_TEXT[lang]
    feeds = FEEDS if lang == "vi" else FEEDS_EN
    items = []
    for s in report.stale:
        fields = {
            "unit": s.unit_name,
            "feed": feeds.get(s.feed, s.feed),
            "reference": fmt_date(s.reference, lang),
        }
        if s.last_delivery is None:
            items.append(words["never"].format(**fields))
        else:
            items.append(
                words["stale_unit"].format(
                    **fields, last=fmt_date(s.last_delivery, lang), behind=s.days_behind
                )
            )
    return items


def warning_summary(report: Report, lang: str = "vi") -> list[WarningGroup]:
    """What an official should know before trusting the report's figures, for its units and
    period, in words: reported figures that disagree with the logs, due dates moved without
    a supplement request, rows set aside and files not read, units that stopped
    delivering. Only the kinds that occur; an empty list when none does. No names or ID
    numbers: the tables these come from hold none."""
    words = WARNING_TEXT[lang]
    groups = []
    if report.warnings.width and report.warnings.height:
        items = [
            _reconciliation_item(r, report, lang) for r in report.warnings.iter_rows(named=True)
        ]
        groups.append(WarningGroup(words["reconciliation"].format(n=len(items)), items))
    if report.due_date_flags.width and report.due_date_flags.height:
        n = fmt_number(report.due_date_flags.height, 0, lang)
        groups.append(WarningGroup(words["due_dates"].format(n=n), _due_date_items(report, lang)))
    if report.set_aside.width and report.set_aside.height:
        groups.append(WarningGroup(words["set_aside"], _set_aside_items(report, lang)))
    if report.stale:
        groups.append(
            WarningGroup(
                words["stale"].format(days=report.stale_after_days), _stale_items(report, lang)
            )
        )
    return groups
