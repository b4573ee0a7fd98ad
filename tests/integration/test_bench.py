"""`make bench` end to end on a tiny province: the same command, the real stages (plain
DuckDB, a real Dagster full build, a real nightly run), a table and a results file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fastexcel

from pipelines.bench.run import Stage, fixed_costs, floor
from pipelines.lib.landing import discover

STAGE_FIELDS = ("name", "seconds", "peak_rss_bytes", "rows_by_feed", "ok", "steps", "fixed", "dbt")

REPO = Path(__file__).resolve().parents[2]


def test_bench_measures_every_stage_and_writes_its_figures(tmp_path):
    bench = tmp_path / "bench"
    # Mon 4 to Thu 7 January 2021: four working days; the last is the nightly run's
    sizes = ["--units", "2", "--days", "4", "--dossiers-per-day", "6"]
    sizes += ["--documents-per-day", "3", "--start", "2021-01-04"]
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.bench", *sizes, "--dir", str(bench)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    results = sorted((bench / "results").glob("bench-*.json"))
    assert len(results) == 1
    record = json.loads(results[0].read_text("utf-8"))
    stages = record["stages"]
    assert list(stages) == ["baseline", "full_build", "nightly", "nothing_new"]
    for stage in stages.values():
        assert stage["ok"] and stage["seconds"] > 0 and stage["peak_rss_bytes"] > 0
        # the CPU time of the stage's process tree: some, and no more than the machine's
        # cores could give in the stage's wall time
        assert 0 < stage["cpu_seconds"] <= (os.cpu_count() or 1) * stage["seconds"] * 1.05
        assert stage["cores_busy"] == stage["cpu_seconds"] / stage["seconds"]
    # the baseline ran three times (the default), its time the median of the three: the
    # middle one once sorted, which the table names with the runs
    runs = stages["baseline"]["runs"]
    assert len(runs) == 3 and stages["baseline"]["seconds"] == sorted(runs)[1]
    assert f"median of {', '.join(f'{s:.1f}' for s in runs)}" in done.stdout

    # The baseline and the full build read the same files: the same dossier and document
    # rows (the simulator's rows are all valid, so the warehouse sets none aside).
    base, full = stages["baseline"]["rows_by_feed"], stages["full_build"]["rows_by_feed"]
    assert base["dossiers"] == full["dossiers"] > 0
    assert base["documents"] == full["documents"] > 0
    # The nightly run loads the last day's files and nothing else: their rows, counted here
    # independently of the ingest (CSV: lines after the header; JSONL: lines; XLSX: rows
    # under the header of the first sheet, read with fastexcel).
    source = Path(record["source"])
    files, _ = discover(source)
    night = max(f.export_date for f in files)
    expected: dict[str, int] = {}
    for f in (f for f in files if f.export_date == night):
        if f.file_format == "xlsx":
            n = fastexcel.read_excel(str(f.path)).load_sheet(0).height
        else:
            n = len(f.path.read_bytes().splitlines()) - (f.file_format == "csv")
        expected[f.feed] = expected.get(f.feed, 0) + n
    assert expected.get("dossiers", 0) > 0
    assert stages["nightly"]["rows_by_feed"] == expected
    # `par run` after the nightly run finds nothing new: no run at all
    assert stages["nothing_new"]["ran"] is False
    assert "| nothing_new | " in done.stdout and "no model work | yes |" in done.stdout

    # The table printed and written: one line per stage, with the two ratios
    latest = (bench / "results" / "latest.md").read_text("utf-8")
    assert "× baseline" in latest and "of full build" in latest
    assert "| cores busy |" in latest
    for name in ("baseline", "full_build", "nightly"):
        assert f"| {name} |" in latest
        assert f"| {name} |" in done.stdout
    # ... and where each build's time went: start-up (from the process's start time in
    # /proc: more than nothing, less than the whole stage), dbt's own cost beside its nodes'
    # (from dbt's run_results.json: the nodes' time fits inside the dbt step), the steps.
    for name in ("full_build", "nightly"):
        stage = stages[name]
        assert f"Where {name}'s " in latest
        assert 0 < stage["fixed"]["before_first_step"] < stage["seconds"]
        assert stage["dbt"]["nodes"] > 100 and stage["dbt"]["models"] > 0
        in_nodes = stage["dbt"]["models"] + stage["dbt"]["tests"] + stage["dbt"]["seeds"]
        assert 0 < in_nodes < stage["steps"]["par_dbt_models"]
        parts = fixed_costs(Stage(**{k: stage[k] for k in STAGE_FIELDS}))
        assert all(seconds >= 0 for _, seconds in parts), parts
        # each node at its kind's fastest: some time, no more than the nodes took (both
        # rounded to 0.01 s)
        assert 0 < stage["dbt"]["nodes_at_fastest"] <= in_nodes + 0.02
        # what a run pays whatever its rows: within the stage's time, ingest not in it
        paid = floor(Stage(**{k: stage[k] for k in STAGE_FIELDS}))
        assert 0 < sum(seconds for _, seconds in paid) < stage["seconds"]
        # dbt's slowest nodes (run_results.json), slowest first, named with their kind, and
        # printed: eight of the 100-odd, none longer than the nodes' time together
        slowest = stage["dbt_slowest"]
        assert len(slowest) == 8
        assert [s for _, s in slowest] == sorted((s for _, s in slowest), reverse=True)
        assert all(name.endswith((" (model)", " (test)", " (seed)")) for name, _ in slowest)
        assert 0 < slowest[0][1] <= in_nodes + 0.01
        assert f"Slowest dbt nodes of {name}:" in latest
        assert f"| {slowest[0][0]} | {slowest[0][1]:.2f} |" in latest
    # custom sizes have no targets: nothing is said of them
    assert "Targets not met" not in latest
