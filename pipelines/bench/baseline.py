"""The benchmark's baseline: plain DuckDB over the landing folder, with no framework.

`run_baseline(landing, database)` does what a competent analyst would do with DuckDB alone
to answer "what is the on-time rate by unit and month": load every dossiers and documents
file into two tables (`dossiers`, `documents`) and compute `ontime_by_unit_month`. No
ingest ledger, no quarantine, no pseudonymising, no checks, no dbt: the practical floor the
warehouse's full build is compared with. The data work is DuckDB SQL and DuckDB's own
readers, over whole lists of files in one call; Python only reads each CSV's header line,
maps headers (with `pipelines.lib.headers`, the one header table) and bridges what DuckDB
cannot read.

How each format is read (offline, only the built-in extensions: json, parquet, icu):

- CSV: `read_csv` once per group of files sharing (encoding, header line), over the group's
  whole file list, with every option explicit (`auto_detect=false`, header skipped, columns
  named by position), so no file is sniffed. The groups come from each file's first line,
  read in Python (about 20 us a file: DuckDB's `read_blob` would read whole files, 5 times
  slower; the line ending is part of the key, so a group shares that too). A province
  delivers tens of thousands of small daily files, and letting DuckDB sniff each one
  (`union_by_name` with auto-detection) costs about 3 ms a file against about 1 ms for the
  explicit read. The header line, decoded once per group, decides the separator (',' or
  ';': the one under which the header names the most contract columns, as the ingest
  does; 'Số, ký hiệu' holds a comma) and maps columns by name, in any order, case or
  Unicode form.
- cp1258 CSV (a unit's `csv_encoding` in `units.csv`): without the `encodings` extension,
  which cannot be installed offline, DuckDB reads only UTF-8, UTF-16 and Latin-1. cp1258 is
  a single-byte encoding, so these files go through the same bulk `read_csv`, as Latin-1
  (one byte, one character: lossless). Dates, times and every other ASCII byte are the same
  in both encodings and are parsed as read. The text columns are decoded on the way into the
  table by `cp1258(text)`, a vectorised Arrow UDF that decodes each distinct value of a
  chunk once (`latin-1` bytes -> `cp1258` -> NFC, as Windows writes tone marks as combining
  characters) and passes ASCII-only chunks through: the tables hold correct NFC text. A
  Python UDF costs a fixed amount per call and `read_csv` yields a chunk per small file, so
  a cp1258 group is staged in a temp table first and decoded from full vectors.
  Measured alternatives: the same decoding in pure SQL (`translate()` over the characters
  where cp1258 differs from Latin-1, then `nfc_normalize()`) is exact too but costs ~4.5 us
  a value against ~0.3-0.5 us for the UDF; transcoding the files in Python
  first is a per-file loop writing a second copy of every byte; and keeping Latin-1
  mojibake with columns by position does not work, because statuses are Vietnamese names.
- XLSX: no built-in reader (the `excel` extension cannot be installed offline either). The
  thinnest bridge: fastexcel (calamine) reads each file's first sheet as all-text Arrow,
  the kept columns are picked by header (personal data never reaches DuckDB), and the
  Arrow tables go into DuckDB in batches of ~100,000 rows, one INSERT per batch. The one
  per-file Python loop that reads data (about 1.5 ms a small file, most of it calamine).
- JSONL: `read_json(format='newline_delimited')` over all files in one call, with explicit
  columns (no per-file schema inference).

Values: statuses arrive as Vietnamese names in CSV/XLSX and as codes in JSONL and are
stored as codes; times are `dd/mm/yyyy[ HH:MM[:SS]]` in CSV, the same or native Excel dates
in XLSX (text 'yyyy-mm-dd hh:mm:ss' once read as text), `yyyyMMddHHmmss` in JSONL. Only
what the figure needs is typed (times, dates, status); the other columns stay text as
delivered. The baseline assumes clean input, as the simulator writes without `--dirty`: a
value that does not parse raises (strict `strptime`, `CAST`) instead of being set aside.

On time, as the warehouse computes it (int_dossiers_classified, fct_dossier,
int_dossier_indicators): a dossier's current state is its row with the latest
`updated_at` per (unit_code, dossier_code); it is finished when its status is 8, 9 or 10
and `finished_at` is set; on time when date(finished_at) <= date(due_at) (without an
appointment, the day received, else the day finished); month = month of `finished_at`;
rate = 100 * on_time / finished, half-up to two decimals. Deliberate differences, all
without effect on clean simulator data:

- ties on `updated_at` go to the later file path (which sorts by export date); the
  warehouse then also compares row numbers, which `read_csv` does not give;
- no unit validity: the warehouse counts events only on days their unit code exists;
- the personal-data columns (applicant name, ID number, phone, address) are not kept: the
  project's rule that personal data never reaches DuckDB holds for the bench file too, and
  the ingest drops them as well (it keeps only a keyed hash of the ID number).
"""

from __future__ import annotations

import csv
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.sqltypes import VARCHAR

from pipelines.lib.headers import DOSSIER_STATUS, FEED_HEADERS, header_lookup, match_header

FEEDS = ("dossiers", "documents")
FORMATS = ("csv", "jsonl", "xlsx")

# personal data: never loaded (see the module docstring)
_PERSONAL = {"applicant_name", "applicant_id_number", "applicant_phone", "applicant_address"}
KEPT: dict[str, tuple[str, ...]] = {
    feed: tuple(c.name for c in FEED_HEADERS[feed] if c.name not in _PERSONAL) for feed in FEEDS
}
_TIMESTAMPS = {"received_at", "due_at", "finished_at", "returned_at", "updated_at"}
_DATES = {"document_date"}
_CODED = {"status"}  # dossiers only: documents have no status


def _sql_type(name: str) -> str:
    if name in _TIMESTAMPS:
        return "TIMESTAMP"
    if name in _DATES:
        return "DATE"
    if name in _CODED:
        return "INTEGER"
    return "VARCHAR"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decode_cp1258(values: list[str]) -> list[str]:
    return [unicodedata.normalize("NFC", v.encode("latin-1").decode("cp1258")) for v in values]


def _cp1258_udf(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """cp1258 text that DuckDB read as Latin-1 -> the text it encodes, NFC; each distinct
    value of the chunk decoded once (coded columns repeat a handful of values)."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        return text  # ASCII (or all null): the same in both encodings
    encoded = pc.dictionary_encode(text)
    # through polars: pyarrow's own conversion from Python imports pandas (0.5 s, once)
    decoded = pl.Series(_decode_cp1258(encoded.dictionary.to_pylist()), dtype=pl.String)
    return pc.take(decoded.to_arrow(), encoded.indices)


def _macros() -> list[str]:
    """SQL macros for the typing: the whole dialect logic of the baseline."""
    book = "['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y']"
    exact = " ".join(f"WHEN {_literal(name)} THEN {code}" for name, code in DOSSIER_STATUS.items())
    folded = " ".join(
        f"WHEN {_literal(match_header(name))} THEN {code}" for name, code in DOSSIER_STATUS.items()
    )
    return [
        f"CREATE TEMP MACRO book_time(x) AS strptime(x, {book})",
        # XLSX: typed text, or a native Excel date that fastexcel gave as ISO text. Told
        # apart up front: a failing try_strptime costs ~5 us a value, 30 times a success
        "CREATE TEMP MACRO sheet_time(x) AS CASE WHEN x[5] = '-' THEN CAST(x AS TIMESTAMP) "
        f"ELSE strptime(x, {book}) END",
        "CREATE TEMP MACRO api_time(x) AS strptime(x, '%Y%m%d%H%M%S')",
        # Vietnamese name, or the code itself. Names as the contract spells them match at
        # once; only other spellings (case, NFD, spaces) pay for normalising (~0.6 us a row)
        f"CREATE TEMP MACRO book_status(x) AS CASE x {exact} ELSE "
        f"CASE lower(nfc_normalize(trim(x))) {folded} ELSE CAST(x AS INTEGER) END END",
    ]


def _typed(name: str, raw: str | None, dialect: str) -> str:
    """SQL for one canonical column from its raw text expression; dialect: book, sheet, api."""
    if raw is None:
        return f"CAST(NULL AS {_sql_type(name)}) AS {name}"
    if name in _TIMESTAMPS or name in _DATES:
        parse = {"book": "book_time", "sheet": "sheet_time", "api": "api_time"}[dialect]
        expr = f"{parse}({raw})"
        if name in _DATES:
            expr = f"CAST({expr} AS DATE)"
    elif name in _CODED:
        expr = f"CAST({raw} AS INTEGER)" if dialect == "api" else f"book_status({raw})"
    else:
        expr = raw
    return f"{expr} AS {name}"


def _insert_sql(feed: str, raw: dict[str, str | None], dialect: str, source: str) -> str:
    columns = [
        "parse_path(filename)[-3] AS unit_code",  # <landing>/<unit>/<feed>/<file>
        *(_typed(name, raw.get(name), dialect) for name in KEPT[feed]),
        "filename AS source_file",
    ]
    return f"INSERT INTO {feed} BY NAME SELECT {', '.join(columns)} FROM {source}"


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for feed in FEEDS:
        columns = ", ".join(f"{name} {_sql_type(name)}" for name in KEPT[feed])
        con.execute(f"CREATE TABLE {feed} (unit_code VARCHAR, {columns}, source_file VARCHAR)")


# --------------------------------------------------------------------------- CSV


def _load_units(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Temp table `units(unit_code, csv_encoding)`: which encoding each unit's CSV is in
    (a unit missing from the registry is read as UTF-8)."""
    con.execute("CREATE TEMP TABLE units (unit_code VARCHAR, csv_encoding VARCHAR)")
    if path.exists():
        con.execute(
            "INSERT INTO units SELECT unit_code, lower(trim(csv_encoding)) "
            "FROM read_csv($path, header = true, all_varchar = true)",
            {"path": str(path)},
        )


def _header_fields(line: str, feed: str) -> tuple[str, list[str]]:
    """(separator, header fields): the separator under which the header names the most
    known columns; ties keep ','."""
    lookup = header_lookup(feed)

    def parsed(delimiter: str) -> list[str]:
        return next(csv.reader([line], delimiter=delimiter), [])

    best = max((",", ";", "\t"), key=lambda d: sum(match_header(t) in lookup for t in parsed(d)))
    return best, parsed(best)


def _load_csv(con: duckdb.DuckDBPyConnection, feed: str, files: list[str]) -> None:
    if not files:
        return
    encodings = dict(con.execute("SELECT unit_code, csv_encoding FROM units").fetchall())
    # Group by (encoding, header line). Reading just the first line is ~20 us a file;
    # DuckDB's read_blob reads whole files and costs 5 times that on daily exports.
    groups: dict[tuple[str, bytes], list[str]] = {}
    for path in files:
        with open(path, "rb") as handle:
            first = handle.readline()  # with its line ending: a group shares that too
        encoding = encodings.get(Path(path).parts[-3]) or "utf-8"
        groups.setdefault((encoding, first), []).append(path)
    lookup = header_lookup(feed)
    for (encoding, first), group in groups.items():
        python_encoding = "cp1258" if encoding == "cp1258" else "utf-8-sig"
        text = first.decode(python_encoding).rstrip("\r\n")
        if not text.strip():
            continue  # empty files: no header, no rows
        delimiter, fields = _header_fields(text, feed)
        positions: dict[str, int] = {}
        for position, header in enumerate(fields):
            name = lookup.get(match_header(header))
            if name in KEPT[feed] and name not in positions:
                positions[name] = position
        raw: dict[str, str | None] = {}
        for name, position in positions.items():
            raw[name] = f"c{position}"
            if encoding == "cp1258" and name not in _TIMESTAMPS | _DATES:
                raw[name] = f"cp1258(c{position})"  # times are ASCII: parsed as read
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(fields))) + "}"
        duckdb_encoding = "latin-1" if encoding == "cp1258" else "utf-8"
        source = (
            f"read_csv($files, auto_detect = false, header = false, skip = 1, "
            f"columns = {columns}, delim = {_literal(delimiter)}, quote = '\"', "
            f"escape = '\"', encoding = '{duckdb_encoding}', "
            f"filename = true)"
        )
        if encoding != "cp1258":
            con.execute(_insert_sql(feed, raw, "book", source), {"files": group})
            continue
        # A Python UDF pays a fixed cost per call, and read_csv hands over a chunk per small
        # file: decode from a staged copy, which DuckDB scans in full vectors (5x faster).
        kept = ", ".join(sorted({f"c{p}" for p in positions.values()}))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE csv_stage AS SELECT {kept}, filename FROM {source}",
            {"files": group},
        )
        con.execute(_insert_sql(feed, raw, "book", "csv_stage"))
        con.execute("DROP TABLE csv_stage")


# --------------------------------------------------------------------------- JSONL


def _load_jsonl(con: duckdb.DuckDBPyConnection, feed: str, files: list[str]) -> None:
    if not files:
        return
    keys = {c.name: c.key for c in FEED_HEADERS[feed] if c.name in KEPT[feed]}
    columns = "{" + ", ".join(f"{_literal(key)}: 'VARCHAR'" for key in keys.values()) + "}"
    source = (
        f"read_json($files, format = 'newline_delimited', columns = {columns}, filename = true)"
    )
    raw = {name: f'"{key}"' for name, key in keys.items()}
    con.execute(_insert_sql(feed, raw, "api", source), {"files": files})


# --------------------------------------------------------------------------- XLSX

_XLSX_BATCH_ROWS = 100_000  # rows of Arrow held in Python before one INSERT


def _load_xlsx(con: duckdb.DuckDBPyConnection, feed: str, files: list[str]) -> None:
    if not files:
        return
    lookup = header_lookup(feed)
    kept = KEPT[feed]
    insert = _insert_sql(feed, {name: name for name in kept}, "sheet", "xlsx_batch")
    batch: list[pa.Table] = []
    sources: list[tuple[str, int]] = []  # (file, rows) of the batch, in order

    def flush() -> None:
        if not batch:
            return
        # one contiguous table: DuckDB scans it in full vectors, not a chunk per file
        table = pa.concat_tables(batch).combine_chunks()
        # the file of each row, built once per batch (through polars: pyarrow's conversion
        # from Python objects imports pandas)
        paths = pl.DataFrame(sources, schema={"f": pl.String, "n": pl.UInt32}, orient="row")
        filename = paths.select(pl.col("f").repeat_by("n").explode())["f"].to_arrow()
        con.register("xlsx_batch", table.append_column("filename", filename))
        con.execute(insert)
        con.unregister("xlsx_batch")
        batch.clear()
        sources.clear()

    held = 0
    for path in files:
        # every column as text (native Excel dates come as 'yyyy-mm-dd hh:mm:ss'); selecting
        # columns here instead costs a Python callback per column, more than reading them
        table = fastexcel.read_excel(path).load_sheet(0, dtypes="string").to_arrow()
        rows = table.num_rows
        if not rows:
            continue
        by_name: dict[str, pa.Array] = {}
        for header, column in zip(table.column_names, table.columns, strict=True):
            name = lookup.get(match_header(header))
            if name in kept:
                by_name.setdefault(name, column)
        arrays = [by_name.get(name, pa.nulls(rows, pa.string())) for name in kept]
        batch.append(pa.Table.from_arrays(arrays, names=list(kept)))
        sources.append((path, rows))
        held += rows
        if held >= _XLSX_BATCH_ROWS:
            flush()
            held = 0
    flush()


# --------------------------------------------------------------------------- on time

_ONTIME_SQL = """
CREATE TABLE ontime_by_unit_month AS
WITH current_state AS (
    SELECT * FROM dossiers
    QUALIFY row_number() OVER (
        PARTITION BY unit_code, dossier_code ORDER BY updated_at DESC, source_file DESC
    ) = 1
),
finished AS (
    SELECT
        unit_code,
        CAST(finished_at AS DATE) AS finished_date,
        coalesce(
            CAST(due_at AS DATE), CAST(received_at AS DATE), CAST(finished_at AS DATE)
        ) AS due_date
    FROM current_state
    WHERE status IN (8, 9, 10) AND finished_at IS NOT NULL
),
counted AS (
    SELECT
        unit_code,
        CAST(date_trunc('month', finished_date) AS DATE) AS month,
        count(*) AS finished,
        count(*) FILTER (WHERE finished_date <= due_date) AS on_time
    FROM finished
    GROUP BY ALL
)
SELECT
    unit_code,
    month,
    finished,
    on_time,
    -- 100 * on_time / finished, half-up to two decimals, in integers: exact
    CAST(((20000 * on_time + finished) // (2 * finished)) / 100 AS DECIMAL(5, 2)) AS rate
FROM counted
ORDER BY unit_code, month
"""


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class BaselineResult:
    database: Path
    files: dict[str, dict[str, int]]  # feed -> format -> files read (as the simulator counts)
    rows: dict[str, int]  # feed -> rows loaded
    ontime: pl.DataFrame  # unit_code, month (first day), finished, on_time, rate
    seconds: float  # the whole run
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step


def run_baseline(landing: Path, database: Path) -> BaselineResult:
    """Load `landing`'s dossiers and documents into a fresh DuckDB file at `database`
    (replaced if it exists) and compute `ontime_by_unit_month` there."""
    started = time.perf_counter()
    landing, database = Path(landing).resolve(), Path(database)
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    mark = started

    def lap(step: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[step] = now - mark
        mark = now

    con = duckdb.connect(str(database))
    try:
        for statement in _macros():
            con.execute(statement)
        con.create_function(
            "cp1258", _cp1258_udf, [VARCHAR], VARCHAR, type="arrow", side_effects=False
        )
        _create_tables(con)
        _load_units(con, landing / "units.csv")
        found = con.sql(
            "SELECT file FROM glob($pattern) ORDER BY file",
            params={"pattern": str(landing / "*" / "*" / "*")},
        ).fetchall()
        listed: dict[tuple[str, str], list[str]] = {}
        for (path,) in found:
            parts = Path(path).parts
            feed, ext = parts[-2], Path(path).suffix.lower().lstrip(".")
            if feed in FEEDS and ext in FORMATS:
                listed.setdefault((feed, ext), []).append(path)
        lap("list")

        for feed in FEEDS:
            _load_csv(con, feed, listed.get((feed, "csv"), []))
            lap(f"{feed}_csv")
            _load_jsonl(con, feed, listed.get((feed, "jsonl"), []))
            lap(f"{feed}_jsonl")
            _load_xlsx(con, feed, listed.get((feed, "xlsx"), []))
            lap(f"{feed}_xlsx")

        con.execute(_ONTIME_SQL)
        ontime = con.sql("SELECT * FROM ontime_by_unit_month ORDER BY ALL").pl()
        rows = {feed: con.execute(f"SELECT count(*) FROM {feed}").fetchone()[0] for feed in FEEDS}
        lap("ontime")
        con.execute("CHECKPOINT")
        lap("checkpoint")
    finally:
        con.close()

    files = {
        feed: {fmt: len(listed[(feed, fmt)]) for fmt in FORMATS if (feed, fmt) in listed}
        for feed in FEEDS
    }
    return BaselineResult(
        database=database,
        files={feed: counts for feed, counts in files.items() if counts},
        rows=rows,
        ontime=ontime,
        seconds=time.perf_counter() - started,
        timings=timings,
    )
