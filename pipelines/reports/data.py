"""Everything a report shows, read from the published file in one short read-only visit.

Analysts and the next publish must never wait for a report: `load_snapshot` opens
par.duckdb read-only, reads the few tables the reports need into memory, and closes it
before any file is written. `build_report` then selects one unit's subtree and one period
from that snapshot, in the order a reader expects (groups, catalogue order, the unit then
the units under it in Vietnamese alphabetical order, area before self).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.reports.periods import Period
from pipelines.reports.vn_format import sort_key

# Indicator groups in the order of the workbook's sheets: catalogue `source` -> names.
GROUPS: dict[str, dict[str, str]] = {
    "procedures": {"vi": "Thủ tục hành chính", "en": "Procedures"},
    "dossiers": {"vi": "Hồ sơ thủ tục hành chính", "en": "Dossiers"},
    "documents": {"vi": "Văn bản đi", "en": "Outgoing documents"},
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
}
# What a count counts, for the "unit of measure" column.
COUNT_NOUNS = {"procedures": "thủ tục", "dossiers": "hồ sơ", "documents": "văn bản"}

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
}
# Tables an older or partial published file may lack: the reports then show none of them.
_OPTIONAL = {"ingest", "warnings", "set_aside"}
_TABLE_OF = {
    "values": "indicator_values",
    "catalog": "indicator_catalog",
    "units": "dim_unit",
    "ingest": "ingest_summary",
    "warnings": "reconciliation",
    "set_aside": "set_aside",
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
    generated_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0)
    )

    @property
    def catalog(self) -> pl.DataFrame:
        return self.snapshot.catalog

    def groups(self) -> list[str]:
        present = self.catalog.get_column("source").unique().to_list()
        known = [group for group in GROUPS if group in present]
        return known + sorted(group for group in present if group not in GROUPS)


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


def build_report(snapshot: Snapshot, unit_code: str, period: Period) -> Report:
    """The report of one unit and the units under it, for one period."""
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
    )
