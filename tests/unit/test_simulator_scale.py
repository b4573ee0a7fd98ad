"""The province-scale simulator writes the contract: every file loads through the real
ingest with nothing set aside, deterministically, in the sample's dialects.

Small parameters throughout (a dozen units, a hundred days, a few dossiers a day): the
full preset is measured by hand, not here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import polars as pl
import pytest

from pipelines.simulator import LandingNotEmptyError, writers
from pipelines.simulator.__main__ import main as simulator_main
from pipelines.simulator.scale import PROVINCE, write_scale
from pipelines.simulator.scale_catalogue import LevelCatalogue, level_catalogue
from pipelines.simulator.scale_documents import register
from pipelines.simulator.scale_dossiers import desk_log
from pipelines.simulator.scale_files import DAY, FeedWriter
from pipelines.simulator.scale_province import Workdays, numpy_rng, province_units
from pipelines.simulator.scenarios import soc_trang_2021
from pipelines.simulator.specs import DossierShares

FEEDS = ("procedures", "dossiers", "documents", "reports")
START = date(2021, 1, 1)
# a district and eleven wards: every one of the sample's ten ward dialects; a hundred days:
# Tết, catalogue changes, and a first-quarter report delivered on 5 April
SMALL = dict(units=12, days=100, dossiers_per_day=6, documents_per_day=3, start=START, seed=2021)
END = START + timedelta(days=SMALL["days"] - 1)
LIFE = re.compile(r"^(1|1-3|(1-)?2(-10|-4-7|-4(-5(-4)?)?(-6)?(-9(-10)?|-8)?)?)$")


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass
class Parsed:
    loaded: dict[str, pl.DataFrame]
    set_aside: dict[str, pl.DataFrame]
    outcomes: dict[str, list]  # feed -> FileOutcome of each file
    declared: dict[str, str]  # unit -> csv_encoding in units.csv


def parse_landing(landing: Path) -> Parsed:
    """Every file through the real ingest's discovery and parser, as ingest_feed calls them."""
    from pipelines.lib.landing import discover, read_units
    from pipelines.lib.loader import DEFAULT_BATCH_FILES, unit_encodings
    from pipelines.lib.parsing import parse_batch
    from pipelines.lib.pseudonymise import Pseudonymiser

    encodings = unit_encodings(read_units(landing))
    pseudonymiser = Pseudonymiser(b"k" * 32)
    out = Parsed({}, {}, {}, encodings)
    for feed in FEEDS:
        files, misplaced = discover(landing, feeds=(feed,))
        assert misplaced == []
        loaded, aside, outcomes = [], [], []
        for k in range(0, len(files), DEFAULT_BATCH_FILES):
            batch = parse_batch(feed, files[k : k + DEFAULT_BATCH_FILES], encodings, pseudonymiser)
            loaded.append(batch.loaded)
            aside.append(batch.set_aside)
            outcomes += batch.outcomes
        out.loaded[feed] = pl.concat(loaded)
        out.set_aside[feed] = pl.concat(aside)
        out.outcomes[feed] = outcomes
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    landing = tmp_path_factory.mktemp("scale") / "landing"
    return landing, write_scale(landing, workers=2, **SMALL)


@pytest.fixture(scope="module")
def parsed(small) -> Parsed:
    return parse_landing(small[0])


@pytest.fixture(scope="module")
def registry():
    return province_units(SMALL["units"], SMALL["seed"])


def _current(dossiers: pl.DataFrame) -> pl.DataFrame:
    """Each dossier's latest row, as the warehouse's staging model picks it."""
    return (
        dossiers.sort("updated_at", "export_date", "source_file", "source_row")
        .group_by("unit_code", "dossier_code", maintain_order=True)
        .last()
    )


def _working_days(first: date, last: date) -> list[date]:
    off = set(holidays.country_holidays("VN", years=range(first.year, last.year + 1)))
    days, d = [], first
    while d <= last:
        if d.weekday() < 5 and d not in off:
            days.append(d)
        d += timedelta(days=1)
    return days


# --- the ingest takes every row --------------------------------------------------------------


def test_every_row_loads_and_none_is_set_aside(small, parsed):
    _, summary = small
    for feed in FEEDS:
        assert parsed.set_aside[feed].height == 0, parsed.set_aside[feed].head(5).to_dicts()
        assert all(o.status == "loaded" for o in parsed.outcomes[feed])
        assert sum(o.rows_in for o in parsed.outcomes[feed]) == summary["rows"][feed]
        assert parsed.loaded[feed].height == summary["rows"][feed] > 0
        assert len(parsed.outcomes[feed]) == sum(summary["files"][feed].values())


def test_the_small_province_has_every_dialect(registry, parsed):
    specs = [u.spec for u in registry]
    assert {s.formats["dossiers"] for s in specs} == {"csv", "xlsx", "jsonl"}
    assert {s.formats["documents"] for s in specs} == {"csv", "xlsx", "jsonl"}
    assert {s.csv_encoding for s in specs} == {"utf-8", "utf-8-sig", "cp1258"}
    assert {s.service_levels for s in specs} == {"decree42", "decree43"}
    assert {s.time_format for s in specs} == {"%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"}
    assert {
        s.xlsx_dates.get("dossiers", "text") for s in specs if s.formats["dossiers"] == "xlsx"
    } == {
        "text",
        "native",
    }
    csv_units = [u for u in registry if "csv" in u.spec.formats.values()]
    assert {u.separator for u in csv_units} == {",", ";"}
    notes = {o.error for outcomes in parsed.outcomes.values() for o in outcomes if o.error}
    assert notes == {"fields separated by ';', not ','"}


def test_csv_files_are_in_the_declared_encoding(parsed):
    """The registry's csv_encoding is honoured: each CSV file decodes as declared (a file
    with no byte above ASCII reads the same in any of them)."""
    for feed in FEEDS:
        for o in parsed.outcomes[feed]:
            if o.file.file_format == "csv":
                assert o.encoding == parsed.declared[o.file.unit_code], o.file.relpath
            if o.file.file_format == "jsonl":
                assert o.encoding == "utf-8"


# --- layout and registry ---------------------------------------------------------------------


def test_layout_and_file_names_follow_the_contract(small, registry):
    landing, _ = small
    formats = {u.code: u.spec.formats for u in registry}
    name = re.compile(r"^(\d+)/(procedures|dossiers|documents|reports)/(\d{4}-\d{2}-\d{2})\.(\w+)$")
    seen_units, seen_feeds = set(), set()
    for path in sorted(landing.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(landing).as_posix()
        if rel == "units.csv":
            continue
        match = name.match(rel)
        assert match, rel
        unit, feed, day, ext = match.groups()
        assert ext == formats[unit][feed], rel
        assert START <= date.fromisoformat(day) <= END, rel
        seen_units.add(unit)
        seen_feeds.add(feed)
    assert seen_units == set(formats)
    assert seen_feeds == set(FEEDS)


def test_units_registry(small, registry):
    from pipelines.lib.landing import read_units

    landing, summary = small
    units = read_units(landing)  # raises on anything the contract does not allow
    assert units.height == summary["units"] == SMALL["units"]
    by_code = {row["unit_code"]: row for row in units.iter_rows(named=True)}
    districts = [r for r in by_code.values() if r["unit_level"] == "city"]
    assert len(districts) == 1
    for row in by_code.values():
        if row["unit_level"] == "city":
            assert re.fullmatch(r"\d{3}", row["unit_code"]) and row["parent_code"] is None
        else:
            assert re.fullmatch(r"\d{5}", row["unit_code"])
            assert by_code[row["parent_code"]]["unit_level"] == "city"
        assert row["valid_to"] is None and row["valid_from"] <= START
    assert [u.code for u in registry] == list(by_code)
    assert {u.code: u.spec.csv_encoding for u in registry} == {
        c: r["csv_encoding"] for c, r in by_code.items()
    }


def test_preset_province_shape():
    assert PROVINCE["units"] == 100 and PROVINCE["days"] == 365
    units = province_units(PROVINCE["units"], 2021)
    districts = [u for u in units if u.level == "city"]
    assert len(districts) == 9 and len(units) == 100
    assert all(9 <= sum(w.spec.parent == d.code for w in units) <= 11 for d in districts)
    assert len({u.code for u in units}) == 100
    assert abs(sum(u.size for u in units) / 100 - 1) < 1e-9
    # Excel books stay a minority, as in the sample (3 of its 10 wards)
    xlsx = sum(u.spec.formats["dossiers"] == "xlsx" for u in units)
    assert 20 <= xlsx <= 30
    # the preset's volumes: 10 million change-log rows at ~3.35 rows a dossier
    workdays = len(_working_days(date(2021, 1, 1), date(2021, 12, 31)))
    dossiers = PROVINCE["units"] * workdays * PROVINCE["dossiers_per_day"]
    assert 9.5e6 < dossiers * 3.35 < 10.5e6
    assert 0.95e6 < PROVINCE["units"] * workdays * PROVINCE["documents_per_day"] < 1.05e6


# --- rows the warehouse accepts --------------------------------------------------------------


def test_dossier_rows_are_valid(parsed):
    d = parsed.loaded["dossiers"]
    end = datetime.combine(END + timedelta(days=1), datetime.min.time())
    assert d.filter(pl.col("updated_at").dt.date() != pl.col("export_date")).height == 0
    assert d["updated_at"].max() < end and d["updated_at"].min() >= datetime(2021, 1, 1)
    for column in ("received_at", "finished_at", "returned_at"):
        assert d[column].max() < end
    assert d.filter(pl.col("due_at") < pl.col("received_at")).height == 0
    assert d.filter(pl.col("finished_at") < pl.col("received_at")).height == 0
    assert d.filter(pl.col("returned_at") < pl.col("finished_at")).height == 0
    assert d.filter(pl.col("received_at") > pl.col("updated_at")).height == 0
    assert d.select("unit_code", "dossier_code", "updated_at").is_duplicated().sum() == 0
    assert set(d["applicant_id_kind"]) == {"citizen_id", "old_id", "tax_code"}
    assert set(d["status"]) == set(range(1, 11))
    assert set(d["channel"]) == {1, 2, 3}
    assert (
        d.filter(pl.col("status").is_in([8, 9, 10]) & pl.col("finished_at").is_null()).height == 0
    )


def test_procedures_are_in_the_catalogue_and_appointments_follow_the_rule(parsed):
    """The procedure is in the unit's catalogue in force on the received date, and the
    appointment is its processing days in working days after that date (later only after a
    supplement request), on the warehouse's own calendar."""
    procedures = parsed.loaded["procedures"]
    snapshots = procedures.select("unit_code", "export_date").unique().sort("export_date")
    current = _current(parsed.loaded["dossiers"]).filter(pl.col("received_at").is_not_null())
    current = current.with_columns(pl.col("received_at").dt.date().alias("received_date")).sort(
        "received_date"
    )
    in_force = current.join_asof(
        snapshots.rename({"export_date": "snapshot"}),
        left_on="received_date",
        right_on="snapshot",
        by="unit_code",
        check_sortedness=False,
    )
    joined = in_force.join(
        procedures.select(
            "unit_code",
            pl.col("export_date").alias("snapshot"),
            "procedure_code",
            "processing_days",
            pl.col("status").alias("in_force"),
        ),
        on=["unit_code", "snapshot", "procedure_code"],
        how="left",
    )
    assert joined.filter(pl.col("in_force") != 1).height == 0
    assert joined.filter(pl.col("in_force").is_null()).height == 0

    days = _working_days(START, END + timedelta(days=200))
    number = {d: i for i, d in enumerate(days)}
    checked = moved = 0
    for row in joined.filter(~pl.col("status").is_in([1, 3, 7])).iter_rows(named=True):
        received = row["received_date"]
        n = row["processing_days"]
        expected = received if not n else days[number[received] + n]
        due = row["due_at"].date()
        if row["supplement_count"]:
            assert due > expected
            moved += 1
        else:
            assert due == expected, row
        checked += 1
    assert checked > 1000 and moved > 0


def test_shares_are_realistic(parsed):
    current = _current(parsed.loaded["dossiers"])
    finished = current.filter(pl.col("status").is_in([8, 9, 10]))
    late = finished.filter(pl.col("finished_at").dt.date() > pl.col("due_at").dt.date())
    assert 0.005 < late.height / finished.height < 0.06
    assert late.filter(pl.col("apology_issued")).height > 0
    counted = current.filter(~pl.col("status").is_in([1, 3, 7]))
    assert 0.02 < counted.filter(pl.col("channel") == 2).height / counted.height < 0.3


def test_change_logs_follow_a_dossier_life(parsed):
    """Every dossier's rows, in order, are one of the lives the generator writes (or its
    beginning, for a dossier still open on the last day), and the number of rows agrees
    with the final status."""
    d = parsed.loaded["dossiers"].sort("updated_at")
    lives = d.group_by("unit_code", "dossier_code", maintain_order=True).agg(
        pl.col("status").cast(pl.String).str.join("-").alias("life"),
        pl.col("status").last().alias("final"),
        pl.len().alias("rows"),
        pl.col("channel").first().alias("channel"),
        pl.col("supplement_count").max().alias("supplements"),
        (pl.col("status") == 6).any().alias("obligation"),
    )
    bad = lives.filter(~pl.col("life").str.contains(LIFE.pattern))
    assert bad.height == 0, bad.head(5).to_dicts()
    online = (pl.col("channel") == 2).cast(pl.Int64)
    returned = lives.filter(pl.col("final") == 10)
    # on the spot: received, returned; with processing days: received, processing,
    # [supplement asked, resumed], [obligation], finished, returned; plus the online submission
    expected = (
        pl.when(pl.col("life").str.contains(r"(^|-)2-10$"))
        .then(2)
        .otherwise(4 + 2 * pl.col("supplements") + pl.col("obligation").cast(pl.Int64))
        + online
    )
    assert returned.filter(pl.col("rows") != expected).height == 0
    assert Counter(lives["final"].to_list())[10] > 0.8 * lives.height


def test_documents_are_valid(parsed):
    docs = parsed.loaded["documents"]
    assert docs.filter(pl.col("updated_at").dt.date() != pl.col("export_date")).height == 0
    assert docs.filter(pl.col("document_date") > pl.col("export_date")).height == 0
    key = ["unit_code", "document_number", pl.col("document_date").dt.year()]
    repeats = docs.group_by(key).agg(pl.len(), pl.col("updated_at").n_unique().alias("times"))
    corrected = repeats.filter(pl.col("len") > 1)
    assert corrected.height > 0 and (corrected["len"] == corrected["times"]).all()
    assert repeats.filter(pl.col("len") > 2).height == 0
    assert set(docs["send_method"]) == {1, 2, 3} and set(docs["classification"]) >= {0, 1}


def test_reports_agree_with_the_logs(small, parsed):
    """Each unit's first-quarter report, recomputed from the current state of its logs."""
    landing, _ = small
    reports = parsed.loaded["reports"]
    assert set(reports["period"]) == {"2021-Q1"}
    assert set(reports["export_date"]) == {date(2021, 4, 5)}
    q1 = (pl.col("_d") >= date(2021, 1, 1)) & (pl.col("_d") <= date(2021, 3, 31))
    current = _current(parsed.loaded["dossiers"])
    received = (
        current.filter(~pl.col("status").is_in([1, 3, 7]))
        .with_columns(pl.col("received_at").dt.date().alias("_d"))
        .filter(q1)
        .group_by("unit_code")
        .len()
    )
    finished = (
        current.filter(pl.col("status").is_in([8, 9, 10]))
        .with_columns(pl.col("finished_at").dt.date().alias("_d"))
        .filter(q1)
        .group_by("unit_code")
        .agg(
            pl.len().alias("finished"),
            (pl.col("_d") <= pl.col("due_at").dt.date()).sum().alias("ontime"),
        )
    )
    docs = (
        parsed.loaded["documents"]
        .sort("updated_at")
        .group_by("unit_code", "document_number", maintain_order=True)
        .last()
        .filter((pl.col("recipient_kind") == 1) & (pl.col("classification") == 0))
        .with_columns(pl.col("document_date").alias("_d"))
        .filter(q1)
        .group_by("unit_code")
        .agg(pl.len().alias("sent"), (pl.col("send_method") == 1).sum().alias("electronic"))
    )
    figures = {
        code: {
            "DOSSIER_RECEIVED": (n, None),
        }
        for code, n in received.iter_rows()
    }
    for code, n, ontime in finished.iter_rows():
        figures[code]["DOSSIER_FINISHED"] = (n, None)
        figures[code]["DOSSIER_ONTIME_RATE"] = (ontime, n)
    for code, sent, electronic in docs.iter_rows():
        figures[code]["DOC_SENT"] = (sent, None)
        figures[code]["DOC_ELECTRONIC_RATE"] = (electronic, sent)
    units = {u.code: u for u in province_units(SMALL["units"], SMALL["seed"])}
    compared = 0
    for row in reports.iter_rows(named=True):
        code, indicator = row["unit_code"], row["indicator_code"]
        if indicator == "PROC_TOTAL":
            catalogue = level_catalogue(units[code].level, START, END, SMALL["seed"])
            assert row["numerator"] == catalogue.active_on(date(2021, 3, 31))
            continue
        members = [code]
        if row["scope"] == "area":
            members += [c for c, u in units.items() if u.spec.parent == code]
        numerator = sum(figures[m][indicator][0] for m in members)
        assert row["numerator"] == numerator, row
        if figures[code][indicator][1] is not None:
            denominator = sum(figures[m][indicator][1] for m in members)
            assert row["denominator"] == denominator
            assert float(row["reported_rate"]) == pytest.approx(
                100 * numerator / denominator, abs=0.006
            )
        compared += 1
    assert compared >= 5 * SMALL["units"]


# --- a desk worked by hand -------------------------------------------------------------------


def test_a_desk_worked_by_hand():
    """One ward, two procedures: 'Hộ tịch' in 3 working days and 'Chứng thực' on the spot,
    no online channel, no pause, nothing late. A dossier received on Monday 8 February 2021
    (before Tết: 10-16 February off) is due on the 3rd working day after, Thursday 18
    February; it writes four rows (received, processing, finished, returned). One given on
    the spot is due the same day and writes two (received, returned)."""
    unit = province_units(2, 2021)[1]
    cal = Workdays(date(2021, 2, 8), date(2021, 3, 31))
    catalogue = LevelCatalogue(
        level="ward",
        dates=[date(2021, 2, 8)],
        codes=["1.000001", "1.000002"],
        domains=["Hộ tịch", "Chứng thực"],
        weight=np.array([1.0, 1.0]),
        has_fee=np.array([False, False]),
        accepts=np.ones((1, 2), dtype=bool),
        days=np.array([[3, -1]]),
        online=np.zeros((1, 2), dtype=np.int8),
        snapshots=[],
    )
    nothing = DossierShares(*([0.0] * len(DossierShares.__dataclass_fields__)))
    log = desk_log(unit, catalogue, cal, 10.0, 0.0, nothing, numpy_rng(1, "by-hand"))
    rows = log.rows.sort("updated_at")
    lives = rows.group_by("dossier_code", maintain_order=True).agg(
        pl.col("procedure_code").first(),
        pl.col("received_at").drop_nulls().first(),
        pl.col("due_at").drop_nulls().first(),
        pl.col("status"),
        pl.col("finished_at").drop_nulls().first(),
    )
    monday = lives.filter(pl.col("received_at").dt.date() == date(2021, 2, 8))
    assert monday.height > 0
    for life in monday.iter_rows(named=True):
        if life["procedure_code"] == "1.000001":
            assert life["due_at"] == datetime(2021, 2, 18, 17, 0)
            assert life["status"] == [2, 4, 9, 10]
            assert date(2021, 2, 9) <= life["finished_at"].date() <= date(2021, 2, 18)
        else:
            assert life["due_at"] == datetime(2021, 2, 8, 17, 0)
            assert life["status"] == [2, 10]
            assert life["finished_at"].date() == date(2021, 2, 8)
    # nothing happens on a day off
    assert not set(rows["_day"]) & {date(2021, 2, d) for d in range(10, 17)}
    # every dossier whose life ended: 4 rows with processing days, 2 on the spot
    done = lives.filter(pl.col("status").list.last() == 10)
    sizes = done.select(pl.col("procedure_code"), pl.col("status").list.len().alias("n"))
    assert set(sizes.filter(pl.col("procedure_code") == "1.000001")["n"]) == {4}
    assert set(sizes.filter(pl.col("procedure_code") == "1.000002")["n"]) == {2}


# --- determinism and volumes -----------------------------------------------------------------


def test_same_parameters_give_the_same_bytes_whatever_the_workers(tmp_path):
    params = dict(units=3, days=10, dossiers_per_day=12, documents_per_day=4)
    one = write_scale(tmp_path / "one", workers=1, **params)
    two = write_scale(tmp_path / "two", workers=2, **params)
    assert _hashes(tmp_path / "one") == _hashes(tmp_path / "two")
    assert {k: v for k, v in one.items() if k not in ("out", "seconds")} == {
        k: v for k, v in two.items() if k not in ("out", "seconds")
    }
    other = write_scale(tmp_path / "other", workers=1, seed=7, **params)
    assert _hashes(tmp_path / "other") != _hashes(tmp_path / "one")
    assert other["rows"] != one["rows"]


def test_totals_scale_with_the_parameters(tmp_path):
    base = dict(units=3, days=30, dossiers_per_day=10, documents_per_day=4, workers=1)
    small = write_scale(tmp_path / "a", **base)
    more = write_scale(tmp_path / "b", **{**base, "dossiers_per_day": 20, "documents_per_day": 8})
    longer = write_scale(tmp_path / "c", **{**base, "days": 60})
    wider = write_scale(tmp_path / "d", **{**base, "units": 6})

    def ratio(a, b, feed):
        return b["rows"][feed] / a["rows"][feed]

    assert 1.7 < ratio(small, more, "dossiers") < 2.3
    assert 1.7 < ratio(small, more, "documents") < 2.3
    assert ratio(small, more, "procedures") == 1
    assert 1.6 < ratio(small, longer, "dossiers") < 2.6
    assert 1.6 < ratio(small, longer, "documents") < 2.6
    assert wider["units"] == 6 and 1.4 < ratio(small, wider, "dossiers") < 2.6
    assert small["working_days"] == len(_working_days(START, START + timedelta(days=29)))
    for summary in (small, more, longer, wider):
        per_dossier = summary["rows"]["dossiers"] / summary["dossiers"]
        assert 2.8 < per_dossier < 4.0


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(LandingNotEmptyError):
        write_scale(tmp_path, units=1, days=3, workers=1)


# --- the same bytes as the sample's writer -------------------------------------------------------


def test_vectorised_files_are_the_sample_writers_bytes(tmp_path):
    """For every dialect of the province, one day's rows of each feed written by the scale
    writer are byte for byte what `writers.LandingWriter` writes for the same rows (with ','
    as the sample never uses ';'; a ';' file is the csv module's output with ';')."""
    units = province_units(24, 2021)
    first, last = date(2021, 3, 1), date(2021, 3, 10)
    cal = Workdays(first, last)
    shares = soc_trang_2021()
    day = date(2021, 3, 2)
    seen = set()
    for unit in units:
        spec = unit.spec
        dialect = (
            tuple(sorted(spec.formats.items())),
            spec.csv_encoding,
            spec.service_levels,
            spec.time_format,
            spec.line_ending,
            tuple(sorted(spec.xlsx_dates.items())),
            unit.separator,
        )
        if dialect in seen:
            continue
        seen.add(dialect)
        catalogue = level_catalogue(unit.level, first, last, 2021)
        frames = {
            "procedures": catalogue.snapshots[0].head(30).with_columns(pl.lit(day).alias(DAY)),
            "dossiers": desk_log(
                unit,
                catalogue,
                cal,
                20.0,
                0.05,
                shares.dossier_shares[unit.level],
                numpy_rng(3, unit.code),
            ).rows,
            "documents": register(
                unit, cal, 20.0, shares.document_shares, numpy_rng(4, unit.code), 2021
            ).rows,
        }
        for feed, frame in frames.items():
            rows = frame.filter(pl.col(DAY) == day).head(40)
            assert rows.height > 5
            out = tmp_path / unit.code
            FeedWriter(out).write(unit, feed, rows)
            fmt = spec.formats[feed]
            mine = (out / unit.code / feed / f"{day.isoformat()}.{fmt}").read_bytes()
            dicts = rows.drop(DAY).to_dicts()
            if fmt == "csv" and unit.separator == ";":
                text = writers.csv_bytes(spec, feed, dicts)
                text = text.decode("cp1258" if spec.csv_encoding == "cp1258" else "utf-8-sig")
                table = list(csv.reader(io.StringIO(text, newline="")))
                buffer = io.StringIO(newline="")
                csv.writer(buffer, delimiter=";", lineterminator=spec.line_ending).writerows(table)
                expected = buffer.getvalue().encode(spec.csv_encoding)
            else:
                expected = {
                    "csv": writers.csv_bytes,
                    "jsonl": writers.jsonl_bytes,
                    "xlsx": writers.xlsx_bytes,
                }[fmt](spec, feed, dicts)
            assert mine == expected, (unit.code, feed, fmt)
    assert len(seen) >= 10


# --- command line ------------------------------------------------------------------------------


def test_command_line_writes_a_province(tmp_path, capsys):
    out = tmp_path / "landing"
    code = simulator_main(
        ["--scenario", "province", "--out", str(out), "--units", "2", "--days", "5"]
        + ["--dossiers-per-day", "5", "--documents-per-day", "2", "--start", "2021-03-01"]
        + ["--workers", "1"]
    )
    assert code == 0
    text = capsys.readouterr().out
    summary = json.loads(text[: text.rindex("}") + 1])
    assert summary["units"] == 2 and summary["start"] == "2021-03-01"
    assert summary["end"] == "2021-03-05" and summary["rows"]["dossiers"] > 0
    assert re.search(r"wrote \d+ files, \d+ rows in [\d.]+ s", text)
    assert (out / "units.csv").exists()


def test_par_simulate_writes_a_province(tmp_path, capsys):
    from pipelines.cli import main as par

    out = tmp_path / "landing"
    args = ["simulate", "--scenario", "province", "--out", str(out), "--units", "1"]
    assert par(args + ["--days", "3", "--dossiers-per-day", "3", "--workers", "1"]) == 0
    assert json.loads(capsys.readouterr().out.rsplit("\nwrote", 1)[0])["units"] == 1
    with pytest.raises(SystemExit):
        par(["simulate", "--scenario", "mini-2021", "--out", str(out), "--days", "3"])


def test_province_options_are_refused_for_other_scenarios(tmp_path):
    with pytest.raises(SystemExit):
        simulator_main(["--scenario", "mini-2021", "--out", str(tmp_path), "--days", "3"])
    with pytest.raises(SystemExit):
        simulator_main(["--scenario", "province", "--out", str(tmp_path), "--units", "941,31522"])
