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

A unit is its code and its first day (`unit_key`, `31510@2025-07-01`): a code can be reused
by a later unit, so every figure is matched on both, never on the code alone. Asked for a
code in a period where two of its units have figures, a report takes the one existing at the
period's end unless a day names the other (`31510@2024-01-01`, Snapshot.pick), and says so
(Report.code_note); asked for a period the unit did not exist in, it says when it existed
(not_in_period_text). A unit formed or grown by a reorganisation also shows its history on
today's territory from indicator_values_rebased, each period's basis in words ("gộp từ
Phường 1, 2, 3, 4"; "chưa đầy đủ: phần của Thành phố Sóc Trăng (cấp huyện) không tách
được": basis_text).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
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

# `{unit_valid_from}` and the like: the column, or NULL in a file published before units
# could reuse a code (then a code is one unit).
_QUERIES = {
    "values": """
        SELECT unit_code, {unit_valid_from} AS unit_valid_from, unit_name, scope, period_type,
               period_start, period_end, indicator_code, numerator, denominator, value,
               target, meets_target
        FROM indicator_values""",
    "catalog": """
        SELECT rowid AS position, indicator_code, name_vi, name_en, formula, kind, measure,
               direction, source
        FROM indicator_catalog""",
    "units": """
        SELECT unit_code, {unit_valid_from} AS unit_valid_from,
               {unit_valid_to} AS unit_valid_to, unit_name, unit_level, parent_code,
               valid_from, valid_to
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
        SELECT unit_code, {unit_valid_from} AS unit_valid_from, scope, period_type,
               period_start, late_reason, dossiers::BIGINT AS dossiers
        FROM late_dossier_reasons""",
    # today's units back in time (area scope), and the successions that formed them
    "rebased": """
        SELECT unit_code, unit_valid_from, unit_name, period_type, period_start, period_end,
               indicator_code, numerator, denominator, value, target, meets_target, basis,
               predecessor_codes
        FROM indicator_values_rebased""",
    "successions": """
        SELECT effective_date, predecessor_code, predecessor_valid_from, predecessor_name,
               predecessor_level, successor_code, successor_valid_from, successor_name,
               successor_level, transfer
        FROM dim_unit_succession""",
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
_OPTIONAL = {
    "ingest",
    "warnings",
    "set_aside",
    "late_dossiers",
    "late_reasons",
    "due_date_flags",
    "rebased",
    "successions",
}
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
    "rebased": "indicator_values_rebased",
    "successions": "dim_unit_succession",
}


class MissingPublishedFile(FileNotFoundError):
    pass


def unit_key(code: str, valid_from: dt.date | None) -> str:
    """One unit, as dim_unit.unit_key writes it: `31510@2025-07-01`, `941@always` (a unit
    there since before the registry's first row). A code alone is not a unit: a later unit
    can reuse it."""
    return f"{code}@{valid_from.isoformat() if valid_from else 'always'}"


def _key_of(code: str, valid_from: str) -> pl.Expr:
    """unit_key() as an expression on two columns."""
    return pl.col(code) + "@" + pl.col(valid_from).cast(pl.String).fill_null(pl.lit("always"))


def _with_key(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with a `unit_key` column from its unit_code and unit_valid_from (null when
    it has none: a code is then one unit)."""
    if not frame.width or "unit_code" not in frame.columns:
        return frame
    if "unit_valid_from" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("unit_valid_from"))
    return frame.with_columns(_key_of("unit_code", "unit_valid_from").alias("unit_key"))


@dataclass(frozen=True)
class UnitRef:
    """One unit (a code and the first day of the unit under it) and when it existed."""

    code: str
    valid_from: dt.date | None  # unit_valid_from; None: since before the registry's rows
    valid_to: dt.date | None  # unit_valid_to; None: it still exists
    name: str

    @property
    def key(self) -> str:
        return unit_key(self.code, self.valid_from)

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def selector(self) -> str:
        """What to type after --unit to name this unit and no other of its code: the code
        and a day it existed (its first, or its last for a unit there since always)."""
        day = self.valid_from or self.valid_to
        return f"{self.code}@{day.isoformat()}" if day else self.code


def parse_unit(text: str) -> tuple[str, dt.date | None]:
    """`31510` or `31510@2024-01-01` (also `31510@01/01/2024`): a code, and optionally a day
    on which the wanted unit of that code existed. ValueError for an unreadable day."""
    code, _, day = text.strip().partition("@")
    code, day = code.strip(), day.strip()
    if not day:
        return code, None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return code, dt.datetime.strptime(day, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class Snapshot:
    """The published tables the reports need, in memory. Every frame naming a unit by
    unit_code and unit_valid_from also has its `unit_key` (unit_key())."""

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
    # indicator_values_rebased and dim_unit_succession (no columns in older files)
    rebased: pl.DataFrame = field(default_factory=pl.DataFrame)
    successions: pl.DataFrame = field(default_factory=pl.DataFrame)

    def periods(self) -> list[Period]:
        pairs = self.values.select("period_type", "period_start").unique().rows()
        return sorted(Period(start, period_type) for period_type, start in pairs)

    def all_units(self) -> dict[str, UnitRef]:
        """Every unit of the registry (dim_unit), by key, named as on its last version; and
        any unit with figures that the registry lacks."""
        return dict(self._all_units)

    @cached_property
    def _all_units(self) -> dict[str, UnitRef]:
        found: dict[str, UnitRef] = {}
        if self.units.width:
            versions = self.units.sort("valid_from", nulls_last=False)
            for row in versions.iter_rows(named=True):
                found[row["unit_key"]] = UnitRef(
                    row["unit_code"], row["unit_valid_from"], row["unit_valid_to"], row["unit_name"]
                )
        pairs = self.values.select("unit_key", "unit_code", "unit_valid_from", "unit_name")
        for key, code, valid_from, name in pairs.unique("unit_key", keep="last").rows():
            if key not in found:
                found[key] = UnitRef(code, valid_from, None, name)
        return found

    def units_in(self, period: Period) -> dict[str, UnitRef]:
        """The units with figures in the period, by key, named as of the period."""
        return dict(self._units_by_period.get((period.type, period.start), {}))

    @cached_property
    def _units_by_period(self) -> dict[tuple[str, dt.date], dict[str, UnitRef]]:
        known = self._all_units
        rows = self.values.select(
            "period_type", "period_start", "unit_key", "unit_code", "unit_valid_from", "unit_name"
        ).unique(["period_type", "period_start", "unit_key"], keep="first", maintain_order=True)
        found: dict[tuple[str, dt.date], dict[str, UnitRef]] = {}
        for period_type, start, key, code, valid_from, name in rows.rows():
            unit = known.get(key) or UnitRef(code, valid_from, None, name)
            found.setdefault((period_type, start), {})[key] = UnitRef(
                unit.code, unit.valid_from, unit.valid_to, name
            )
        return found

    def unit_names(self, period: Period) -> dict[str, str]:
        """Units (by key) with figures in the period, with their names as of the period."""
        return {key: unit.name for key, unit in self.units_in(period).items()}

    def parents(self, period: Period) -> dict[str, str | None]:
        """unit key -> the key of the unit above it, from the unit's version in force at the
        period's end (or its last version that overlaps the period, for a unit that ended
        during it); the unit above is the one of the parent code on that version's last day
        in the period."""
        versions = self.units.filter(
            (pl.col("valid_from").is_null() | (pl.col("valid_from") <= period.end))
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= period.start))
        ).sort("valid_from", nulls_last=False)
        by_code: dict[str, list[dict]] = {}
        for row in versions.iter_rows(named=True):
            by_code.setdefault(row["unit_code"], []).append(row)
        parents: dict[str, str | None] = {}
        for row in versions.iter_rows(named=True):  # the later version wins
            parent = row["parent_code"]
            day = min(period.end, row["valid_to"] or period.end)
            candidates = [
                v
                for v in by_code.get(parent, [])
                if (v["valid_from"] is None or v["valid_from"] <= day)
                and (v["valid_to"] is None or day <= v["valid_to"])
            ] or by_code.get(parent, [])
            parents[row["unit_key"]] = candidates[-1]["unit_key"] if candidates else None
        return parents

    def top_units(self, period: Period) -> list[str]:
        """Units (by key) with figures in the period and nobody above them (the city)."""
        names = self.unit_names(period)
        parents = self.parents(period)
        tops = [key for key in names if parents.get(key) not in names]
        return sorted(tops, key=lambda key: sort_key(names[key]))

    def in_period(self, period: Period) -> pl.DataFrame:
        return self.values.filter(
            (pl.col("period_type") == period.type) & (pl.col("period_start") == period.start)
        )

    def pick(self, text: str, period: Period) -> UnitRef:
        """The unit the user means by `text` (a code, or `code@day`) in the period: the unit
        of the code with figures in it; when a reused code has two (the old ward until 30
        June, the new one from 1 July), the one existing at the period's end unless a day
        names the other. UnknownUnit when no unit has the code (on that day);
        UnitNotInPeriod when the unit(s) of the code did not exist in the period."""
        try:
            code, day = parse_unit(text)
        except ValueError:
            raise UnknownUnit(text) from None
        present = [u for u in self.units_in(period).values() if u.code == code]
        of_code = sorted(
            (u for u in self.all_units().values() if u.code == code),
            key=lambda u: u.valid_from or dt.date.min,
        )
        if day is not None:
            named = [u for u in of_code if u.covers(day)]
            if not named:
                raise UnknownUnit(text)
            mine = [u for u in present if u.key == named[-1].key]
            if mine:
                return mine[0]
            raise UnitNotInPeriod(code, [named[-1]], period)
        if present:
            return max(present, key=lambda u: (u.covers(period.end), u.valid_from or dt.date.min))
        if of_code:
            raise UnitNotInPeriod(code, of_code, period)
        raise UnknownUnit(text)

    def same_code(self, unit: UnitRef, period: Period) -> list[UnitRef]:
        """The other units of the unit's code with figures in the period (a reused code)."""
        return sorted(
            (
                u
                for u in self.units_in(period).values()
                if u.code == unit.code and u.key != unit.key
            ),
            key=lambda u: u.valid_from or dt.date.min,
        )


# The tables that name a unit by code and first day (the others by code alone).
_KEYED = {"values", "units", "late_reasons", "rebased"}


def _columns(conn: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(
        "SELECT table_name, column_name FROM duckdb_columns()"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    return columns


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
        columns = _columns(conn)
        frames: dict[str, pl.DataFrame] = {}
        for name, query in _QUERIES.items():
            table = _TABLE_OF[name]
            if table in tables:
                present = columns.get(table, set())
                query = query.format(
                    **{
                        column: column if column in present else "NULL::DATE"
                        for column in ("unit_valid_from", "unit_valid_to")
                    }
                )
                frame = conn.sql(query).pl()
                frames[name] = _with_key(frame) if name in _KEYED else frame
            elif name in _OPTIONAL:
                frames[name] = pl.DataFrame()
            else:
                raise RuntimeError(f"{published_db} has no table {table}")
        publication = (
            conn.execute("SELECT published_at, run_id FROM publication").fetchone()
            if "publication" in tables
            else None
        )
    finally:
        conn.close()
    published_at, run_id = publication or (None, None)
    successions = frames["successions"]
    if successions.width:
        frames["successions"] = successions.with_columns(
            _key_of("predecessor_code", "predecessor_valid_from").alias("predecessor_key"),
            _key_of("successor_code", "successor_valid_from").alias("successor_key"),
        )
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
    valid_from: dt.date | None = None  # the unit's first day (unit_valid_from)
    valid_to: dt.date | None = None  # its last day (unit_valid_to); None: it still exists

    @property
    def key(self) -> str:
        return unit_key(self.code, self.valid_from)

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
    dates. A feed no unit delivers is not judged, nor is a unit that never delivered a file
    of any feed (a province may deliver nothing)."""
    if not ingest.width or ingest.is_empty():
        return []
    delivering = set(ingest.filter(pl.col("files") > 0).get_column("unit_code"))
    units = [unit for unit in units if unit.code in delivering]
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


class UnitNotInPeriod(UnknownUnit):
    """The unit(s) of a code did not exist in the period (a ward formed on 1 July 2025
    asked for 2024, a ward that ended asked for 2026)."""

    def __init__(self, code: str, units: list[UnitRef], period: Period):
        super().__init__(code)
        self.code = code
        self.units = units
        self.period = period


NOT_IN_PERIOD = {
    "vi": {
        "one": "{name} ({code}) không tồn tại trong {period}: đơn vị {span}.",
        "some": "Mã {code} không có đơn vị nào tồn tại trong {period}: {units}.",
        "from": "có từ {start}",
        "to": "có đến {end}",
        "from_to": "có từ {start} đến {end}",
        "history": "Số liệu theo địa bàn hiện nay của các kỳ trước khi thành lập: phần “Lịch sử "
        "theo địa bàn hiện nay” trong báo cáo của đơn vị (ví dụ --unit {unit} --period {label}).",
    },
    "en": {
        "one": "{name} ({code}) did not exist in {period}: it {span}.",
        "some": "No unit with code {code} existed in {period}: {units}.",
        "from": "exists from {start}",
        "to": "existed until {end}",
        "from_to": "existed from {start} to {end}",
        "history": "Figures on today's territory for the periods before it was formed: the "
        "“history” part of the unit's report (e.g. --unit {unit} --period {label}).",
    },
}


def unit_span(unit: UnitRef | ReportUnit, lang: str = "vi") -> str:
    """`có từ 01/07/2025`, `có đến 30/06/2025`, `có từ … đến …`; empty for a unit that has
    always existed."""
    words = NOT_IN_PERIOD[lang]
    start = fmt_date(unit.valid_from, lang) if unit.valid_from else None
    end = fmt_date(unit.valid_to, lang) if unit.valid_to else None
    if start and end:
        return words["from_to"].format(start=start, end=end)
    if start:
        return words["from"].format(start=start)
    if end:
        return words["to"].format(end=end)
    return ""


def _period_phrase(period: Period, lang: str) -> str:
    if lang == "vi":
        title = period.title("vi")
        return title[0].lower() + title[1:]
    return period.label


def not_in_period_text(snapshot: Snapshot, error: UnitNotInPeriod, lang: str = "vi") -> str:
    """What to tell a user who asked for a unit in a period it did not exist in, and where
    its territory's figures for that period are (the history of a unit that exists today)."""
    words = NOT_IN_PERIOD[lang]
    period = _period_phrase(error.period, lang)
    if len(error.units) == 1:
        unit = error.units[0]
        text = words["one"].format(
            name=unit.name, code=unit.code, period=period, span=unit_span(unit, lang)
        )
    else:
        units = "; ".join(f"{u.name} ({unit_span(u, lang)})" for u in error.units)
        text = words["some"].format(code=error.code, period=period, units=units)
    rebased = snapshot.rebased
    later = error.units[-1]
    if (
        rebased.width
        and later.valid_from is not None
        and error.period.end < later.valid_from
        and not rebased.filter(pl.col("unit_key") == later.key).is_empty()
    ):
        own_periods = [
            p
            for p in snapshot.periods()
            if p.type == error.period.type and later.key in snapshot.units_in(p)
        ]
        if own_periods:
            text += " " + words["history"].format(
                unit=later.selector if len(error.units) > 1 else later.code,
                label=own_periods[0].label,
            )
    return text


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
    # the other units of the root's code with figures in the period (a reused code: the old
    # ward until 30 June, the new one from 1 July); never added to the root's figures
    same_code: list[UnitRef] = field(default_factory=list)
    # the root's history on today's territory (indicator_values_rebased, area), periods of
    # the report's type from the start of the data to the report's period, in display
    # order; no rows unless some period was not the unit's own (a unit formed or grown by
    # a reorganisation)
    history: pl.DataFrame = field(default_factory=pl.DataFrame)
    # per history period, what its figures are made of (basis_text)
    history_notes: list[BasisNote] = field(default_factory=list)

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

    @property
    def has_history(self) -> bool:
        return bool(self.history.width and self.history.height)

    def history_periods(self) -> list[Period]:
        return [note.period for note in self.history_notes]

    def code_note(self, lang: str = "vi") -> str | None:
        """When the root's code was also another unit's in the period (a reused code), which
        unit the report is about and how to ask for the other; None otherwise."""
        if not self.same_code:
            return None
        root = self.root
        words = CODE_NOTE[lang]
        units = sorted(
            [UnitRef(root.code, root.valid_from, root.valid_to, root.name), *self.same_code],
            key=lambda u: u.valid_from or dt.date.min,
        )
        listed = words["and"].join(
            f"{u.name} ({unit_span(u, lang)})" if unit_span(u, lang) else u.name for u in units
        )
        others = ", ".join(f"--unit {u.selector}" for u in self.same_code)
        return words["text"].format(
            code=root.code,
            period=_period_phrase(self.period, lang),
            n=len(units),
            units=listed,
            name=root.name,
            others=others,
        )


CODE_NOTE = {
    "vi": {
        "text": "Mã {code} trong {period} là {n} đơn vị: {units}. Số liệu báo cáo này là của "
        "{name}, không cộng với đơn vị kia; xem đơn vị kia: {others}.",
        "and": " và ",
    },
    "en": {
        "text": "In {period} code {code} is {n} units: {units}. This report is {name}'s, never "
        "added to the other's; for the other: {others}.",
        "and": " and ",
    },
}

# --- history on today's territory (indicator_values_rebased) ----------------------------

LEVEL_WORDS = {
    "vi": {"province": "cấp tỉnh", "city": "cấp huyện", "ward": "cấp xã"},
    "en": {"province": "province level", "city": "district level", "ward": "commune level"},
}
BASIS_TEXT = {
    "vi": {
        "merged": "gộp từ {names}",
        "incomplete": "chưa đầy đủ: phần của {names} không tách được",
        "incomplete_unknown": "chưa đầy đủ: có đơn vị chỉ chuyển một phần địa bàn, không tách được",
        "heading": "Lịch sử theo địa bàn hiện nay (toàn địa bàn)",
        "basis": "Cơ sở số liệu",
        "own": "số liệu của chính đơn vị",
        "explain": "Số liệu của {name} theo địa bàn hiện nay, từ đầu dữ liệu: các kỳ trước "
        "khi đơn vị thành lập (hoặc mở rộng) là tổng số liệu của các đơn vị nay thuộc địa "
        "bàn này.",
    },
    "en": {
        "merged": "merged from {names}",
        "incomplete": "incomplete: the part of {names} cannot be split off",
        "incomplete_unknown": "incomplete: a unit passed only part of its territory and "
        "cannot be split off",
        "heading": "History on today's territory (area)",
        "basis": "Basis",
        "own": "the unit's own figures",
        "explain": "{name}'s figures on today's territory from the start of the data: periods "
        "before the unit was formed (or grew) add up the units now inside it.",
    },
}
# Kinds of unit a name starts with: names sharing one are listed once ("Phường 1, 2, 3, 4").
UNIT_TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Quận", "Huyện", "Tỉnh", "Xã")
_NUMBERED = re.compile(r"^(.*\S)\s+\d+$")


def compact_names(names: list[str]) -> str:
    """Unit names in natural order, the ones sharing a kind of unit (or a stem before a
    number) written once: `Phường 1, 2, 3, 4`, `Phường 10, Thị trấn Mỹ Xuyên, Xã Đại Tâm`."""
    ordered = sorted({unicodedata.normalize("NFC", n) for n in names if n}, key=sort_key)
    groups: dict[str, list[str]] = {}
    for name in ordered:
        prefix = next((t for t in UNIT_TYPES if name.startswith(t + " ")), None)
        if prefix is None and (match := _NUMBERED.match(name)):
            prefix = match[1]
        if prefix is None:
            groups.setdefault(name, []).append("")
        else:
            groups.setdefault(prefix, []).append(name[len(prefix) + 1 :])
    parts = []
    for prefix, tails in groups.items():
        tails = [t for t in tails if t]
        parts.append(f"{prefix} {', '.join(tails)}" if tails else prefix)
    return ", ".join(parts)


@dataclass(frozen=True)
class BasisNote:
    """What one period of a unit's history is made of (indicator_values_rebased.basis):
    `own`, `rebased` from the named predecessors, or `incomplete` with the units that
    passed only part of their territory left out, as (name, level)."""

    period: Period
    basis: str
    merged: tuple[str, ...] = ()
    left_out: tuple[tuple[str, str], ...] = ()


def basis_text(note: BasisNote, lang: str = "vi") -> str:
    """own: nothing; rebased: `gộp từ Phường 1, 2, 3, 4`; incomplete: `chưa đầy đủ: phần
    của Thành phố Sóc Trăng (cấp huyện) không tách được`, then what was merged (NFC)."""
    words = BASIS_TEXT[lang]
    parts = []
    if note.basis == "incomplete":
        levels = LEVEL_WORDS[lang]
        if note.left_out:
            names = ", ".join(
                f"{name} ({levels.get(level, level)})" if level else name
                for name, level in note.left_out
            )
            parts.append(words["incomplete"].format(names=names))
        else:
            parts.append(words["incomplete_unknown"])
    if note.basis != "own" and note.merged:
        parts.append(words["merged"].format(names=compact_names(list(note.merged))))
    return unicodedata.normalize("NFC", "; ".join(parts))


def basis_lines(notes: list[BasisNote], lang: str = "vi") -> list[tuple[str, str]]:
    """[(periods, basis text)] for the periods that are not the unit's own, consecutive
    periods with the same text together: `2024-01 – 2025-06: gộp từ Phường 1, 2, 3, 4`."""
    runs: list[tuple[list[Period], str]] = []
    for note in notes:
        text = basis_text(note, lang)
        if runs and runs[-1][1] == text:
            runs[-1][0].append(note.period)
        else:
            runs.append(([note.period], text))
    return [
        (
            periods[0].label if len(periods) == 1 else f"{periods[0].label} – {periods[-1].label}",
            text,
        )
        for periods, text in runs
        if text
    ]


def _history(
    snapshot: Snapshot, root: ReportUnit, period: Period, indicators: pl.DataFrame
) -> tuple[pl.DataFrame, list[BasisNote]]:
    """The root's rebased area rows of the report's period type up to its period, with the
    catalogue's names, and a note per period; nothing when every period is its own."""
    rebased = snapshot.rebased
    if not rebased.width:
        return pl.DataFrame(), []
    mine = rebased.filter(
        (pl.col("unit_key") == root.key)
        & (pl.col("period_type") == period.type)
        & (pl.col("period_start") <= period.start)
    )
    if mine.is_empty() or mine.filter(pl.col("basis") != "own").is_empty():
        return pl.DataFrame(), []
    rows = (
        mine.join(
            indicators.select(
                "indicator_code", "position", "group_position", "name_vi", "name_en", "kind",
                "source", "direction",
            ),
            on="indicator_code",
            how="left",
        )
        .sort("period_start", "group_position", "position", "indicator_code")
    )  # fmt: skip
    notes = []
    under = _under(snapshot, root.key)
    for start, basis, codes in (
        rows.unique("period_start").sort("period_start")
        .select("period_start", "basis", "predecessor_codes").rows()
    ):  # fmt: skip
        notes.append(
            _basis_note(snapshot, root, Period(start, period.type), basis, codes or [], under)
        )
    return rows, notes


def _basis_note(
    snapshot: Snapshot,
    root: ReportUnit,
    period: Period,
    basis: str,
    codes: list[str],
    under: set[str],
) -> BasisNote:
    """Names the predecessors counted in the period (predecessor_codes, named as on their
    last day from dim_unit_succession) and, for an incomplete period, the units that
    passed only part of their territory into the unit (or into a unit now inside it),
    existed in the period and are not inside it: those left out."""
    if basis == "own":
        return BasisNote(period, basis)
    successions = snapshot.successions
    existing = snapshot.units_in(period)
    known = snapshot.all_units()
    edges = successions.rows(named=True) if successions.width else []
    # the unit and the units under it today, then every unit that passed whole into one
    inside = {root.key} | under
    reached: dict[str, dict] = {}  # predecessor key -> its succession row
    frontier = list(inside)
    while frontier:
        key = frontier.pop()
        for edge in edges:
            if (
                edge["successor_key"] == key
                and edge["transfer"] == "whole"
                and edge["predecessor_key"] not in inside
            ):
                inside.add(edge["predecessor_key"])
                reached[edge["predecessor_key"]] = edge
                frontier.append(edge["predecessor_key"])
    names = []
    for code in codes:
        candidates = [k for k in reached if reached[k]["predecessor_code"] == code]
        key = next((k for k in candidates if k in existing), candidates[0] if candidates else None)
        if key is not None:
            names.append(reached[key]["predecessor_name"])
        else:
            unit = next((u for u in existing.values() if u.code == code), None) or next(
                (u for u in known.values() if u.code == code), None
            )
            names.append(unit.name if unit else code)
    left_out: dict[str, tuple[str, str]] = {}
    if basis == "incomplete":
        parents = snapshot.parents(period)
        for edge in edges:
            key = edge["predecessor_key"]
            if (
                edge["transfer"] == "part"
                and edge["successor_key"] in inside
                and key in existing
                and not _inside(key, inside, parents)
            ):
                left_out[key] = (edge["predecessor_name"], edge["predecessor_level"])
    ordered = sorted(left_out.values(), key=lambda item: sort_key(item[0]))
    return BasisNote(period, basis, tuple(names), tuple(ordered))


def _under(snapshot: Snapshot, key: str) -> set[str]:
    """The units under the unit on the last day of the data."""
    months = [p for p in snapshot.periods() if p.type == "month"]
    if not months:
        return set()
    parents = snapshot.parents(max(months))
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if child not in found and child != key and (parent == key or parent in found):
                found.add(child)
                changed = True
    return found


def _inside(key: str, inside: set[str], parents: dict[str, str | None]) -> bool:
    """Whether the unit is one of `inside` or under one of them (in the period)."""
    seen = set()
    while key is not None and key not in seen:
        if key in inside:
            return True
        seen.add(key)
        key = parents.get(key)
    return False


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


def _subtree(snapshot: Snapshot, root: UnitRef, period: Period) -> list[ReportUnit]:
    units = snapshot.units_in(period)
    parents = snapshot.parents(period)
    children: dict[str, list[str]] = {}
    for key in units:
        parent = parents.get(key)
        if parent is not None and parent in units and parent != key:
            children.setdefault(parent, []).append(key)
    ordered: list[ReportUnit] = []
    seen: set[str] = set()

    def visit(key: str, depth: int) -> None:
        seen.add(key)
        kids = sorted(
            (c for c in children.get(key, []) if c not in seen),
            key=lambda c: sort_key(units[c].name),
        )
        unit = units[key]
        ordered.append(
            ReportUnit(unit.code, unit.name, depth, bool(kids), unit.valid_from, unit.valid_to)
        )
        for kid in kids:
            visit(kid, depth + 1)

    visit(root.key, 0)
    return ordered


def _display_order(report_units: list[ReportUnit], catalog: pl.DataFrame) -> tuple:
    unit_order = pl.DataFrame(
        {
            "unit_key": [u.key for u in report_units],
            "unit_position": list(range(len(report_units))),
            "depth": [u.depth for u in report_units],
        },
        schema={"unit_key": pl.String, "unit_position": pl.Int64, "depth": pl.Int64},
    )
    group_rank = {group: rank for rank, group in enumerate(GROUPS)}
    indicators = catalog.with_columns(
        pl.col("source")
        .replace_strict(group_rank, default=len(group_rank), return_dtype=pl.Int64)
        .alias("group_position")
    )
    return unit_order, indicators


def _by_unit_and_day(frame: pl.DataFrame, report_units: list[ReportUnit], day: str) -> pl.DataFrame:
    """The rows of a table that names units by code alone (late dossiers, warnings, set-aside
    rows, due-date flags), each given to the report's unit of its code that existed on its
    `day` column (a reused code: the old ward's rows before 1 July, the new one's after);
    rows of other units, or of days none of them existed on, are left out. A row without a
    day goes to the unit of its code existing at the period's end (the first listed)."""
    spans = pl.DataFrame(
        [(u.code, u.key, u.valid_from, u.valid_to) for u in report_units],
        schema={
            "unit_code": pl.String,
            "unit_key": pl.String,
            "_from": pl.Date,
            "_to": pl.Date,
        },
        orient="row",
    )
    joined = frame.drop("unit_key", strict=False).join(spans, on="unit_code")
    on_day = pl.col(day).is_null() | (
        (pl.col("_from").is_null() | (pl.col(day) >= pl.col("_from")))
        & (pl.col("_to").is_null() | (pl.col(day) <= pl.col("_to")))
    )
    joined = joined.filter(on_day)
    if joined.get_column(day).null_count():
        # a row without a day: once, for the first unit of its code in the report
        first = spans.unique("unit_code", keep="first").select("unit_code", "unit_key")
        undated = joined.filter(pl.col(day).is_null()).join(
            first, on=["unit_code", "unit_key"], how="semi"
        )
        joined = pl.concat([joined.filter(pl.col(day).is_not_null()), undated])
    return joined.drop("_from", "_to")


def build_report(
    snapshot: Snapshot, unit_code: str, period: Period, stale_after_days: int = STALE_AFTER_DAYS
) -> Report:
    """The report of one unit and the units under it, for one period. unit_code is a code
    (the unit of that code in the period; of a reused code with two units in it, the one
    existing at its end) or `code@day` (the unit of that code on that day): see
    Snapshot.pick. A unit whose daily feed is more than stale_after_days behind is warned
    about. Every figure is the chosen unit's: rows are matched on the unit (code and first
    day), never on the code alone."""
    if period not in snapshot.periods():
        raise UnknownPeriod(period)
    picked = snapshot.pick(unit_code, period)
    report_units = _subtree(snapshot, picked, period)
    keys = [u.key for u in report_units]
    unit_order, indicators = _display_order(report_units, snapshot.catalog)
    wanted_scopes = pl.DataFrame(
        [(u.key, scope) for u in report_units for scope in u.scopes],
        schema={"unit_key": pl.String, "scope": pl.String},
        orient="row",
    )
    rows = (
        snapshot.in_period(period)
        .join(wanted_scopes, on=["unit_key", "scope"], how="semi")
        .join(unit_order, on="unit_key")
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
            & pl.col("unit_key").is_in(keys)
        )
        .join(wanted_scopes, on=["unit_key", "scope"], how="semi")
        .join(unit_order, on="unit_key")
        .sort("indicator_code", "unit_position", "scope", "period_start")
    )
    codes = list(dict.fromkeys(u.code for u in report_units))
    ingest = snapshot.ingest
    if ingest.width:
        # ingest_summary counts a code's files over all time (it has no unit_valid_from):
        # one line per code, under the first unit of the code in the report
        first_of_code = (
            pl.DataFrame(
                {"unit_code": [u.code for u in report_units], "unit_key": keys},
                schema={"unit_code": pl.String, "unit_key": pl.String},
            )
            .unique("unit_code", keep="first")
            .join(unit_order, on="unit_key")
        )
        ingest = (
            ingest.filter(pl.col("unit_code").is_in(codes))
            .join(first_of_code, on="unit_code")
            .sort("unit_position", "feed")
        )
    warnings = snapshot.warnings
    if warnings.width:
        placed = (pl.col("period_start") >= period.start) & (pl.col("period_end") <= period.end)
        unplaced = pl.col("period_start").is_null() & pl.col("export_date").is_between(
            period.start, period.end
        )
        warnings = (
            _by_unit_and_day(warnings.filter(placed | unplaced), report_units, "export_date")
            .join(unit_order, on="unit_key")
            .sort("unit_position", "source_file", "source_row")
        )
    set_aside = snapshot.set_aside
    if set_aside.width:
        set_aside = (
            _by_unit_and_day(
                set_aside.filter(pl.col("export_date").is_between(period.start, period.end)),
                report_units,
                "export_date",
            )
            .join(unit_order, on="unit_key")
            .sort("unit_position", "feed", "source_file", "source_row", nulls_last=False)
        )
    late_dossiers, late_reasons = _late(snapshot, report_units, unit_order, period)
    flags = snapshot.due_date_flags
    if flags.width:
        flags = (
            _by_unit_and_day(
                flags.filter(pl.col("received_date").is_between(period.start, period.end)),
                report_units,
                "received_date",
            )
            .join(unit_order.select("unit_key", "unit_position"), on="unit_key")
            .sort("unit_position", "received_date", "dossier_code")
            .drop("unit_position")
        )
    history, notes = _history(snapshot, report_units[0], period, indicators)
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
        same_code=snapshot.same_code(picked, period),
        history=history,
        history_notes=notes,
    )


_REASON_SCHEMA = {"scope": pl.String, "late_reason": pl.String, "dossiers": pl.Int64}


def _late(
    snapshot: Snapshot, report_units: list[ReportUnit], unit_order: pl.DataFrame, period: Period
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the subtree's late dossiers finished in the period, the root's late dossiers by
    reason in each of its scopes). The counts come from late_dossier_reasons; a file with
    late_dossiers only gives them from the listed dossiers (the subtree being the root's
    area in the period). A dossier belongs to the unit of its code on the day it finished."""
    root = report_units[0]
    dossiers = snapshot.late_dossiers
    if dossiers.width:
        dossiers = (
            _by_unit_and_day(
                dossiers.filter(pl.col("finished_date").is_between(period.start, period.end)),
                report_units,
                "finished_date",
            )
            .join(unit_order.select("unit_key", "unit_position"), on="unit_key")
            .sort("unit_position", "finished_date", "dossier_code")
            .drop("unit_position")
        )
    reasons = snapshot.late_reasons
    if reasons.width:
        reasons = reasons if "unit_key" in reasons.columns else _with_key(reasons)
        reasons = reasons.filter(
            (pl.col("unit_key") == root.key)
            & (pl.col("period_type") == period.type)
            & (pl.col("period_start") == period.start)
        ).select(list(_REASON_SCHEMA))
    elif dossiers.width:
        parts = []
        for scope in root.scopes:
            mine = dossiers if scope == "area" else dossiers.filter(pl.col("unit_key") == root.key)
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
    names = {u.key: u.name for u in report.units}
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
    unit = names.get(r["unit_key"], r["unit_code"])
    return f"{unit} — {indicator} ({scope}), {period}: {detail}"


def _due_date_items(report: Report, lang: str) -> list[str]:
    flags = report.due_date_flags
    words = WARNING_TEXT[lang]
    items = []
    for unit in report.units:
        mine = flags.filter(pl.col("unit_key") == unit.key)
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
        rows.group_by("unit_key", "unit_code", "feed")
        .agg(
            pl.col("source_row").is_not_null().sum().alias("rows"),
            pl.col("source_row").is_null().sum().alias("files"),
        )
        .rows(named=True)
    )
    order = {u.key: i for i, u in enumerate(report.units)}
    counts.sort(key=lambda c: (order.get(c["unit_key"], len(order)), c["feed"] or ""))
    names = {u.key: u.name for u in report.units}
    feeds = FEEDS if lang == "vi" else FEEDS_EN
    words = WARNING_TEXT[lang]
    items = []
    for c in counts:
        what = [
            words[key].format(n=fmt_number(c[key], 0, lang)) for key in ("rows", "files") if c[key]
        ]
        items.append(
            words["set_aside_unit"].format(
                unit=names.get(c["unit_key"], c["unit_code"]),
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
