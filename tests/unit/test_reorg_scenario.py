"""Scenario reorg-2025: its registry comes from the package's map (not typed), its files
follow the registry row by row (reused codes, encodings, validity), handed-over dossiers
appear as the contract says, and its truth agrees with a recount of the files."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from pipelines.lib.landing import read_registry, read_successions
from pipelines.registry import build_registry
from pipelines.simulator.reorg import END, START, reorg_registry, write_reorg

REFORM = date(2025, 7, 1)
OLD = date(2020, 1, 1)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("reorg") / "landing"
    summary = write_reorg(out, seed=2021)
    return out, summary


def _read(path: Path, encoding: str) -> list[dict]:
    text = unicodedata.normalize("NFC", path.read_bytes().decode(encoding))
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M:%S")


def test_the_units_are_the_packages(written):
    out, summary = written
    registry = reorg_registry()
    # Worked out from the package's lists (see test_units_registry): the city 941 and its
    # nine wards (Phường 1-8, 10), the three new wards they went into (31510, 31507,
    # 31684), the two other communes that went whole into 31684 (31684 Thị trấn Mỹ Xuyên,
    # 31690 Xã Đại Tâm), the divided commune 31178 with the new ward 31168 and its whole
    # predecessors (31168, 31177), and the parents: 94, 947, 918, 92.
    codes = {r.unit_code for r in registry.units}
    assert codes == {
        "92", "94", "918", "941", "947",
        "31498", "31501", "31504", "31507", "31510", "31516", "31519", "31522", "31525",
        "31684", "31690", "31168", "31177", "31178",
    }  # fmt: skip
    # four codes are reused: one old row and one new row each: 19 codes + 4 rows
    assert len(registry.units) == 23 and summary["units"] == 23
    # the restricted map keeps the full map's transfers
    full = build_registry("92", old_valid_from=OLD)
    assert set(registry.successions) <= set(full.successions)
    assert {(s.predecessor_code, s.transfer) for s in registry.predecessors("31684")} == {
        ("31525", "whole"),
        ("31684", "whole"),
        ("31690", "whole"),
        ("941", "part"),
        ("947", "part"),
    }
    # the registry files load with nothing set aside
    units = read_registry(out)
    assert units.set_aside == [] and units.rows_loaded == 23
    successions = read_successions(out, units.rows)
    assert successions.set_aside == [] and successions.rows_loaded == 20


def test_files_follow_the_registry_row_of_their_date(written):
    out, _ = written
    # 31510 was Phường 2 (cp1258) until 30 June 2025 and is Phường Phú Lợi (UTF-8 with a
    # BOM) from 1 July: one folder, the encoding by the file's date.
    old = (out / "31510" / "dossiers" / "2025-06-30.csv").read_bytes()
    new = (out / "31510" / "dossiers" / "2025-07-01.csv").read_bytes()
    assert not old.startswith(b"\xef\xbb\xbf") and new.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        old.decode("utf-8")  # Vietnamese in cp1258 is not UTF-8
    assert "Mã hồ sơ" in unicodedata.normalize("NFC", old.decode("cp1258"))
    # the old city delivers nothing after its last day, the new wards nothing before
    # their first; every delivering unit's dossier files lie within the scenario
    city_days = [date.fromisoformat(p.stem) for p in (out / "941" / "dossiers").iterdir()]
    assert max(city_days) <= date(2025, 6, 30) and min(city_days) >= START
    days_31507 = sorted(date.fromisoformat(p.stem) for p in (out / "31507" / "dossiers").iterdir())
    assert days_31507[-1] <= END
    # no file of the districts and provinces that only stand in the hierarchy
    assert not any((out / code).exists() for code in ("92", "94", "918", "947"))


def _recount(out: Path):
    """Received and finished per unit row from the files themselves: a dossier is received
    by the log whose first row of it has received_at within that row's validity; finished
    by the log that has its status-10 row."""
    registry = reorg_registry()
    received: Counter = Counter()
    finished: Counter = Counter()
    seen: dict[tuple, str] = {}
    logs: dict[str, dict[str, list]] = {}
    for folder in sorted(out.iterdir()):
        if not folder.is_dir():
            continue
        for path in sorted((folder / "dossiers").iterdir()):
            day = date.fromisoformat(path.stem)
            row = registry.row_on(folder.name, day)
            key = f"{row.unit_code}@{row.valid_from}"
            for record in _read(path, row.csv_encoding):
                code, got = record["Mã hồ sơ"], _when(record["Ngày tiếp nhận"])
                logs.setdefault(key, {}).setdefault(code, []).append((day, record))
                if (key, code) not in seen and row.valid_from <= got.date():
                    received[(key, f"{got:%Y-%m}")] += 1
                seen[(key, code)] = record["Trạng thái"]
                if record["Trạng thái"] == "Đã trả kết quả":
                    done = _when(record["Ngày có kết quả"])
                    finished[(key, f"{done:%Y-%m}")] += 1
    return received, finished, logs


def test_truth_agrees_with_a_recount_of_the_files(written):
    out, summary = written
    truth = summary["truth"]
    received, finished, _ = _recount(out)
    for (unit, month), n in received.items():
        assert truth.flows[(unit, month, "received")] == n, (unit, month)
    for (unit, month), n in finished.items():
        assert truth.flows[(unit, month, "finished")] == n, (unit, month)
    assert sum(n for (_u, _m, c), n in truth.flows.items() if c == "received") == sum(
        received.values()
    )
    # the API: a unit row and a period; 2025 of old Phường 2 has only its January-June
    code, old_from = "31510", OLD
    assert truth.flow(code, old_from, "2025", "received") == sum(
        truth.flow(code, old_from, f"2025-Q{q}", "received") for q in (1, 2)
    )
    assert truth.flow(code, old_from, "2025-Q3", "received") == 0
    assert truth.flow(code, REFORM, "2025-Q3", "received") > 0
    assert truth.flow(code, REFORM, "2025-Q3", "finished") == (
        truth.flow(code, REFORM, "2025-Q3", "ontime") + truth.flow(code, REFORM, "2025-Q3", "late")
    )


def test_handed_over_dossiers(written):
    out, summary = written
    truth = summary["truth"]
    _, _, logs = _recount(out)
    handed = truth.handed_over
    assert handed and summary["handed_over"] == len(handed)
    # every old unit that delivers hands over to the successor the scenario names: the
    # city to Phường Sóc Trăng (31507), a ward to its new ward
    pairs = {(h["from"], h["to"]) for h in handed}
    assert ("941@2020-01-01", "31507@2025-07-01") in pairs
    assert ("31522@2020-01-01", "31510@2025-07-01") in pairs  # Phường 1 -> Phú Lợi
    assert ("31178@2020-01-01", "31168@2025-07-01") in pairs  # the divided commune
    for h in handed:
        old_rows = logs[h["from"]][h["dossier_code"]]
        new_rows = logs[h["to"]][h["dossier_code"]]
        received = datetime.fromisoformat(h["received_at"])
        assert received.date() < REFORM <= datetime.fromisoformat(h["finished_at"]).date()
        # the old log: received, never finished, nothing after 30 June
        assert all(day < REFORM for day, _ in old_rows)
        assert {r["Trạng thái"] for _, r in old_rows} == {"Được tiếp nhận"}
        # the successor's log: the original code and received_at, open on 1 July, then
        # its result
        assert new_rows[0][0] == REFORM and new_rows[0][1]["Trạng thái"] == "Đang xử lý"
        assert {_when(r["Ngày tiếp nhận"]) for _, r in new_rows} == {received}
        assert new_rows[-1][1]["Trạng thái"] == "Đã trả kết quả"
        # counted once as received (old unit, its month) and once as finished (new unit)
        month = f"{received:%Y-%m}"
        assert truth.flows[(h["from"], month, "received")] >= 1
        assert truth.flows[(h["to"], month, "received")] == 0


def test_par_simulate_knows_the_scenario(tmp_path, capsys):
    from pipelines.cli import main as par
    from pipelines.simulator.__main__ import main as simulator_main

    (tmp_path / "x").write_text("")
    # registered: a non-empty folder is refused (exit 2) before anything is written
    assert par(["simulate", "--scenario", "reorg-2025", "--out", str(tmp_path)]) == 2
    assert simulator_main(["--scenario", "reorg-2025", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]
    with pytest.raises(SystemExit):
        par(["simulate", "--scenario", "reorg-2025", "--out", str(tmp_path), "--units", "2"])


def test_par_simulate_writes_a_shorter_variant(tmp_path):
    from pipelines.cli import main as par

    # the variant options reach the scenario through `par simulate` (not only through
    # python -m pipelines.simulator): June and July 2025 only
    out = tmp_path / "landing"
    args = ["simulate", "--scenario", "reorg-2025", "--out", str(out)]
    args += ["--start", "2025-06-01", "--end", "2025-07-31", "--dossiers-per-day", "1"]
    assert par(args) == 0
    days = {date.fromisoformat(p.stem) for p in out.glob("*/*/*.csv")}
    assert min(days) == date(2025, 6, 1) and max(days) <= date(2025, 7, 31)


def test_a_shorter_thinner_variant_for_tests(tmp_path):
    from pipelines.simulator.reorg import Span

    span = Span(start=date(2024, 10, 1), end=date(2025, 12, 31), most_per_day=1)
    out = tmp_path / "landing"
    summary = write_reorg(out, seed=2021, span=span)
    truth = summary["truth"]
    assert (summary["start"], summary["end"]) == ("2024-10-01", "2025-12-31")
    # the same registry and successions as the full scenario
    assert summary["units"] == 23 and summary["successions"] == 20
    days = [date.fromisoformat(p.stem) for p in out.glob("*/*/*.csv")]
    assert min(days) == span.start and max(days) <= span.end
    # the old catalogues are delivered on the span's first day, the new on 1 July 2025
    assert (out / "31510" / "procedures" / "2024-10-01.csv").exists()
    assert (out / "31510" / "procedures" / "2025-07-01.csv").exists()
    # at most one dossier a unit and working day (its own: a successor's log also holds
    # the dossiers handed over to it)
    received, finished, logs = _recount(out)
    for key, unit_logs in logs.items():
        first = date.fromisoformat(key.split("@")[1])
        per_day = Counter(
            day
            for rows in unit_logs.values()
            if (day := _when(rows[0][1]["Ngày tiếp nhận"]).date()) >= first
        )
        assert max(per_day.values()) == 1, key
    # the truth counts what was written; the hand-over still happens
    for (unit, month), n in received.items():
        assert truth.flows[(unit, month, "received")] == n, (unit, month)
    for (unit, month), n in finished.items():
        assert truth.flows[(unit, month, "finished")] == n, (unit, month)
    assert sum(received.values()) == sum(
        n for (_u, _m, c), n in truth.flows.items() if c == "received"
    )
    assert truth.handed_over and all(
        h["finished_at"][:10] <= "2025-12-31" for h in truth.handed_over
    )
    assert truth.flow("31510", OLD, "2024-Q3", "received") == 0  # before the span
    assert truth.flow("31510", OLD, "2024-Q4", "finished") > 0


def test_the_variant_from_the_command_line(tmp_path, capsys):
    from pipelines.simulator.__main__ import main as simulator_main

    out = tmp_path / "landing"
    args = ["--scenario", "reorg-2025", "--out", str(out), "--start", "2025-06-01"]
    assert simulator_main([*args, "--end", "2025-07-31", "--dossiers-per-day", "1"]) == 0
    assert '"start": "2025-06-01"' in capsys.readouterr().out
    assert max(p.stem for p in out.glob("*/dossiers/*.csv")) <= "2025-07-31"
    for bad in (["--end", "2025-06-30"], ["--dossiers-per-day", "1.5"], ["--days", "3"]):
        with pytest.raises(SystemExit):
            simulator_main([*args, "--force", *bad])
    with pytest.raises(SystemExit):  # --end is for reorg-2025 only
        simulator_main(
            ["--scenario", "soc-trang-2021", "--out", str(tmp_path / "x"), "--end", "2021-12-31"]
        )
