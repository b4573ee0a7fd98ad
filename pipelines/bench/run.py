"""`make bench` / `par bench`: the warehouse against plain DuckDB on one generated province.

1. Generate the landing folder once (`write_scale`, the `province` preset unless sizes are
   given) into <dir>/source/<sizes>/; later runs reuse it.
2. Deliver every day but the last into a fresh <dir>/run/landing (hard links, no copies).
3. Measure, each in its own process (time, peak memory of its whole process tree):
   - baseline: plain DuckDB loading those files and computing the on-time rate by unit
     and month (`baseline.py`), run BASELINE_RUNS times: once before the full build and
     the others after it, the median taken (on this shared machine one run of it moves
     by ±10% from one to the next, while the full build holds steady);
   - full build: the `par_full_build` job over those days on a fresh warehouse and Dagster
     home (ingest, checks, dbt build, publish);
   - nightly: deliver the last day, run the job for that one partition on top;
   - nothing_new: `par run` once more, with nothing new: it must do no model work.
4. Print a table, each ratio beside its target for the presets (README: Benchmark), and
   write the figures to <dir>/results/bench-<UTC time>.json (and latest.md), so runs can
   be compared.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.bench.memory import run_measured
from pipelines.lib.landing import discover
from pipelines.settings import Settings

GIB = 1024**3

# The targets of a preset's ratios: the full build against plain DuckDB on the same files,
# the nightly run (one new day) against the full build. Other sizes have none.
TARGETS: dict[str, dict[str, float]] = {
    "province": {"full_build": 2.0, "nightly": 0.05},
    "mid": {"full_build": 3.0, "nightly": 0.15},
}


@dataclass
class Stage:
    name: str
    seconds: float
    peak_rss_bytes: int
    rows_by_feed: dict[str, int]
    ok: bool
    steps: dict[str, float] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)  # stage.py: _fixed_costs
    dbt: dict[str, float] = field(default_factory=dict)  # stage.py: _dbt_costs
    # stage.py: _dbt_slowest, (node, seconds) slowest first
    dbt_slowest: list[tuple[str, float]] = field(default_factory=list)
    ran: bool | None = None  # nothing_new: whether `par run` started a run
    runs: list[float] = field(default_factory=list)  # baseline: each run's seconds
    cpu_seconds: float = 0.0  # user + system time of the stage's whole process tree

    @property
    def cores_busy(self) -> float:
        """CPU seconds per wall second: the cores the stage kept busy, on average. Near the
        machine's cores, only less work makes the stage faster, not more overlap."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def rows(self) -> int:
        return sum(self.rows_by_feed.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def source_folder(root: Path, sizes: dict) -> Path:
    tag = "u{units}-d{days}-p{dossiers_per_day:g}-q{documents_per_day:g}-{start}-s{seed}"
    return root / "source" / tag.format(**sizes)


def ensure_source(root: Path, sizes: dict) -> Path:
    """The generated landing folder for these sizes; written once, then reused."""
    from pipelines.simulator.scale import write_scale

    folder = source_folder(root, sizes)
    done = folder / ".complete"
    if done.exists():
        print(f"reusing {folder}")
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    print(f"generating {folder} ...", flush=True)
    summary = write_scale(folder, **{**sizes, "start": dt.date.fromisoformat(sizes["start"])})
    print(f"  {summary['rows']} rows in {summary.get('seconds', 0):.0f} s", flush=True)
    done.write_text(json.dumps(summary["rows"]), "utf-8")
    return folder


def deliver(source: Path, landing: Path, keep) -> int:
    """Hard-link units.csv and the delivered files whose export date passes `keep`."""
    landing.mkdir(parents=True, exist_ok=True)
    if not (landing / "units.csv").exists():
        os.link(source / "units.csv", landing / "units.csv")
    files, _misplaced = discover(source)
    linked = 0
    for file in files:
        if keep(file.export_date):
            target = landing / file.relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(file.path, target)
            except OSError:  # another file system: copy
                shutil.copy2(file.path, target)
            linked += 1
    return linked


def stage_settings(settings: Settings, run: Path) -> Settings:
    """The caller's settings, pointed at the run's own landing, warehouse and Dagster home."""
    return settings.replace(
        landing_dir=run / "landing",
        warehouse_dir=run / "warehouse",
        dagster_home=run / "dagster_home",
    )


def _stage_env(settings: Settings) -> dict[str, str]:
    """A stage process builds its Settings from its environment: hand it these."""
    return {**os.environ, **settings.to_env(), "GX_ANALYTICS_ENABLED": "false"}


def measure(name: str, args: list[str], run: Path, settings: Settings) -> Stage:
    out = run / f"{name}.json"
    command = [sys.executable, "-m", "pipelines.bench.stage", *args, "--out", str(out)]
    print(f"{name}: {' '.join(args)} ...", flush=True)
    measured = run_measured(command, _stage_env(settings), run / f"{name}.log")
    result = json.loads(out.read_text("utf-8")) if out.exists() else {}
    ok = measured.returncode == 0 and result.get("success", True)
    stage = Stage(
        name=name,
        seconds=measured.seconds,
        peak_rss_bytes=measured.peak_rss_bytes,
        cpu_seconds=measured.cpu_seconds,
        rows_by_feed=result.get("rows", {}),
        ok=ok,
        steps=result.get("steps", {}),
        fixed=result.get("fixed", {}),
        dbt=result.get("dbt", {}),
        dbt_slowest=[(name, seconds) for name, seconds in result.get("dbt_slowest", [])],
        ran=result.get("ran"),
    )
    status = "ok" if ok else f"FAILED (see {run / (name + '.log')})"
    print(
        f"  {stage.seconds:.1f} s, {stage.cores_busy:.2f} cores busy, "
        f"peak {stage.peak_rss_bytes / GIB:.2f} GiB, {status}"
    )
    return stage


def median_of(runs: list[Stage]) -> Stage:
    """One stage from several runs of it: the median time (the middle run's, or the mean
    of the two middle ones) and CPU time, the highest peak memory, the runs' times in
    order; its rows are the first run's (every run reads the same files) and it is ok when
    each run was."""
    seconds = [run.seconds for run in runs]
    first = runs[0]
    return Stage(
        name=first.name,
        seconds=statistics.median(seconds),
        cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
        peak_rss_bytes=max(run.peak_rss_bytes for run in runs),
        rows_by_feed=first.rows_by_feed,
        ok=all(run.ok for run in runs),
        runs=seconds,
    )


def _ratio(stage: Stage, stages: dict[str, Stage], targets: dict[str, float]):
    """(ratio in words, target in words, met) of a stage; empty where it has none."""
    base, full = stages.get("baseline"), stages.get("full_build")
    target = targets.get(stage.name)
    if stage.name == "full_build" and base:
        ratio = stage.seconds / base.seconds
        words = f"{ratio:.2f}× baseline"
        return words, (f"≤ {target:g}×" if target else ""), (ratio <= target if target else None)
    if stage.name == "nightly" and full:
        ratio = stage.seconds / full.seconds
        words = f"{ratio:.1%} of full build"
        return words, (f"≤ {target:.0%}" if target else ""), (ratio <= target if target else None)
    if stage.name == "spark_full_build" and full:
        # the same full build with PAR_ENGINE=spark, beside DuckDB's (no target)
        return f"{stage.seconds / full.seconds:.2f}× DuckDB's full build", "", None
    if stage.name == "nothing_new" and full:
        words = f"{stage.seconds / full.seconds:.1%} of full build"
        return words, "no model work", stage.ran is False
    return "", "", None


def table(stages: dict[str, Stage], preset: str | None = None) -> str:
    targets = TARGETS.get(preset or "", {})
    lines = [
        "| stage | seconds | ratio | target | met | cores busy | peak memory | rows | rows/s |",
        "|---|---:|---|---|---|---:|---:|---:|---:|",
    ]
    for stage in stages.values():
        ratio, target, met = _ratio(stage, stages, targets)
        if len(stage.runs) > 1:
            ratio = f"median of {', '.join(f'{s:.1f}' for s in stage.runs)}"
        verdict = "" if met is None else ("yes" if met else "**no**")
        lines.append(
            f"| {stage.name}{'' if stage.ok else ' (FAILED)'} | {stage.seconds:.1f} | {ratio} | "
            f"{target} | {verdict} | {stage.cores_busy:.2f} | "
            f"{stage.peak_rss_bytes / GIB:.2f} GiB | {stage.rows:,} | "
            f"{stage.rows_per_second:,.0f} |"
        )
    return "\n".join(lines)


def profile(stage: Stage, top: int = 12) -> str:
    """Where a build's time goes: its slowest Dagster steps, then what does not grow with
    the data (start-up, Dagster between steps, dbt's own start-up) beside dbt's node time."""
    lines = [f"Slowest steps of {stage.name}:", "| step | seconds |", "|---|---:|"]
    for step, seconds in sorted(stage.steps.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"| {step} | {seconds:.1f} |")
    costs = fixed_costs(stage)
    if costs:
        lines += ["", f"Where {stage.name}'s {stage.seconds:.1f} s go:", "| part | seconds |"]
        lines += ["|---|---:|", *(f"| {part} | {seconds:.1f} |" for part, seconds in costs)]
    if stage.dbt_slowest:
        lines += ["", f"Slowest dbt nodes of {stage.name}:", "| node | seconds |", "|---|---:|"]
        lines += [f"| {node} | {seconds:.2f} |" for node, seconds in stage.dbt_slowest]
    return "\n".join(lines)


# Step names (Dagster's, from the asset keys): dbt's build and the publishing of par.duckdb.
DBT_STEP = "par_dbt_models"
PUBLISH_STEP = "published__par_duckdb"


def _after_last_step(stage: Stage, before: float, between: float) -> float:
    """The stage's time after its last step: event-log writes and the process's exit (from
    the last step's end; figures recorded before it was, from the steps' durations)."""
    until_last_step = stage.fixed.get("until_last_step")
    if until_last_step is not None:
        return stage.seconds - until_last_step
    return stage.seconds - before - between - sum(stage.steps.values())


def _dbt_outside_nodes(stage: Stage, dbt_step: float) -> float:
    """dbt's step less the time in its nodes: dbt's start-up and Dagster's handling."""
    return dbt_step - sum(stage.dbt.get(kind, 0.0) for kind in ("models", "tests", "seeds"))


def fixed_costs(stage: Stage) -> list[tuple[str, float]]:
    """The stage's time split into start-up, steps and dbt's parts (empty when the stage
    recorded none): the floor a run pays however little data it brings."""
    parts: list[tuple[str, float]] = []
    before = stage.fixed.get("before_first_step")
    between = stage.fixed.get("between_steps")
    if before is not None:
        parts.append(("start-up before the first step (Python, Dagster, definitions)", before))
    dbt_step = stage.steps.get(DBT_STEP)
    if dbt_step is not None and stage.dbt:
        nodes = stage.dbt.get("nodes", 0)
        parts.append(
            (
                f"dbt: start-up and bookkeeping ({nodes:.0f} nodes)",
                _dbt_outside_nodes(stage, dbt_step),
            )
        )
        parts.append(("dbt: models", stage.dbt.get("models", 0.0)))
        parts.append(("dbt: tests", stage.dbt.get("tests", 0.0)))
    other = sum(s for step, s in stage.steps.items() if step != DBT_STEP)
    parts.append(("other steps (ingest, checks, publish)", other))
    if between is not None:
        parts.append(("Dagster between steps", between))
    if before is not None:
        parts.append(
            (
                "after the last step (event log, exit)",
                _after_last_step(stage, before, between or 0.0),
            )
        )
    return [(part, round(seconds, 2)) for part, seconds in parts]


def floor(stage: Stage) -> list[tuple[str, float]]:
    """What a run pays however few rows it brings, from the stage's own figures: the
    process's start-up and exit, Dagster between steps, dbt's start-up and bookkeeping, each
    dbt node at the time of the fastest node of its kind, and publishing (the published file
    copied, the rows the build recomputed written and the other marts compared with the
    build's: the file's and those marts' sizes are the warehouse's, not the night's). Empty
    when the stage recorded no steps."""
    before = stage.fixed.get("before_first_step")
    if before is None or not stage.steps:
        return []
    between = stage.fixed.get("between_steps", 0.0)
    parts = [
        ("start-up before the first step", before),
        ("after the last step (event log, exit)", _after_last_step(stage, before, between)),
        ("Dagster between steps", between),
    ]
    dbt_step = stage.steps.get(DBT_STEP)
    if dbt_step is not None and stage.dbt:
        nodes = stage.dbt.get("nodes", 0)
        parts.append(("dbt: start-up and bookkeeping", _dbt_outside_nodes(stage, dbt_step)))
        parts.append(
            (
                f"dbt: {nodes:.0f} nodes, each as fast as the fastest of its kind",
                stage.dbt.get("nodes_at_fastest", 0.0),
            )
        )
    if PUBLISH_STEP in stage.steps:
        parts.append(
            (
                "publishing (the published file copied, what changed written)",
                stage.steps[PUBLISH_STEP],
            )
        )
    return [(part, round(max(seconds, 0.0), 2)) for part, seconds in parts]


def night_work(stage: Stage) -> list[tuple[str, float]]:
    """What a run spends above its floor (`floor`), from the same figures: dbt's nodes
    beyond the fastest of their kind (the slowest named), and the other steps but
    publishing (ingest and checks of the night's files). With the floor, the stage's time."""
    if not floor(stage):
        return []
    parts = []
    if stage.dbt:
        in_nodes = sum(stage.dbt.get(kind, 0.0) for kind in ("models", "tests", "seeds"))
        beyond = in_nodes - stage.dbt.get("nodes_at_fastest", 0.0)
        slowest = ", ".join(f"{node} {seconds:.1f}" for node, seconds in stage.dbt_slowest[:4])
        named = f" (slowest: {slowest})" if slowest else ""
        parts.append((f"dbt's nodes beyond the fastest of their kind{named}", beyond))
    steps = sum(s for step, s in stage.steps.items() if step not in (DBT_STEP, PUBLISH_STEP))
    parts.append(("ingest and checks of the night's files", steps))
    return [(part, round(max(seconds, 0.0), 2)) for part, seconds in parts]


def why_not_met(stages: dict[str, Stage], preset: str | None = None, cores: int = 0) -> str:
    """For each ratio above its target, what this run's own figures say of how low it can
    go on this machine. The nightly: the floor (`floor`) against the target. The full
    build: its CPU work against the baseline's, and the time that work would take with
    every core busy all the time (`cores`: this machine's)."""
    targets = TARGETS.get(preset or "", {})
    base, full, nightly = (stages.get(n) for n in ("baseline", "full_build", "nightly"))
    cores = cores or os.cpu_count() or 1
    lines: list[str] = []
    if base and full and "full_build" in targets:
        target = targets["full_build"]
        ratio = full.seconds / base.seconds
        if ratio > target:
            busy = full.cpu_seconds / cores
            work = (
                f", {full.cpu_seconds / base.cpu_seconds:.2f}× the baseline's "
                f"{base.cpu_seconds:.0f}"
                if base.cpu_seconds
                else ""
            )
            lines.append(
                f"- full_build: {full.seconds:.1f} s, {ratio:.2f}× the baseline (target "
                f"≤ {target:g}×: {target * base.seconds:.1f} s). Its CPU work: "
                f"{full.cpu_seconds:.0f} core-seconds{work}. With all {cores} cores busy every "
                f"second it would take {busy:.1f} s, {busy / base.seconds:.2f}× the baseline: "
                + (
                    "above the target even then; only less CPU work lowers it."
                    if busy / base.seconds > target
                    else f"the target needs {full.cpu_seconds / (target * base.seconds):.2f} "
                    f"cores busy on average; the build kept {full.cores_busy:.2f} busy."
                )
            )
    if full and nightly and "nightly" in targets:
        target = targets["nightly"]
        if nightly.seconds > target * full.seconds and (parts := floor(nightly)):
            total = sum(seconds for _, seconds in parts)
            listed = ", ".join(f"{part} {seconds:.1f}" for part, seconds in parts)
            above = [f"{part} {seconds:.1f} s" for part, seconds in night_work(nightly)]
            lines.append(
                f"- nightly: {nightly.seconds:.1f} s, {nightly.seconds / full.seconds:.1%} of "
                f"the full build (target ≤ {target:.0%}: {target * full.seconds:.1f} s). Paid "
                f"however few rows a night brings: {listed}; {total:.1f} s, "
                f"{total / full.seconds:.1%} of the full build: "
                + (
                    "above the target before any of the night's rows is read."
                    if total > target * full.seconds
                    else f"the other {nightly.seconds - total:.1f} s are the night's work."
                )
                + (f" Above that floor: {'; '.join(above)}." if above else "")
            )
    if not lines:
        return ""
    return "\n".join(["Targets not met, and how low this run's figures say they can go:", *lines])


def run_bench(
    root: Path,
    sizes: dict,
    settings: Settings,
    preset: str | None = None,
    engines: tuple[str, ...] = ("duckdb",),
    baseline_runs: int = 3,
) -> dict:
    """The benchmark on `sizes` (those of `preset`, whose targets the table shows). With
    "spark" in `engines`, one more stage, `spark_full_build`: the full build's days again,
    on an empty warehouse of its own, with PAR_ENGINE=spark (the other stages are
    DuckDB's, as always)."""
    source = ensure_source(root, sizes)
    files, _misplaced = discover(source)
    night = max(file.export_date for file in files)
    first = min(file.export_date for file in files)

    run = root / "run"
    if run.exists():
        shutil.rmtree(run)
    # the stages below are DuckDB's whatever PAR_ENGINE says; Spark has its own stage
    settings = stage_settings(settings, run).replace(engine="duckdb")
    delivered = deliver(source, run / "landing", lambda day: day < night)
    print(f"delivered {delivered} files ({first} to {night - dt.timedelta(1)}); night: {night}")

    def baseline() -> Stage:
        args = ["baseline", "--landing", str(run / "landing")]
        return measure(
            "baseline", [*args, "--database", str(run / "baseline.duckdb")], run, settings
        )

    stages: dict[str, Stage] = {}
    baselines = [baseline()]
    stages["baseline"] = baselines[0]  # first in the table; the median replaces it below
    last = (night - dt.timedelta(1)).isoformat()
    stages["full_build"] = measure(
        "full_build", ["build", "--first", first.isoformat(), "--last", last], run, settings
    )
    # the other baseline runs after the full build, on the same files (the nightly's day is
    # not delivered yet): the median's runs bracket the build they are compared with
    baselines += [baseline() for _ in range(baseline_runs - 1)]
    stages["baseline"] = median_of(baselines)
    if "spark" in engines:
        spark = settings.replace(
            engine="spark",
            warehouse_dir=run / "warehouse_spark",
            dagster_home=run / "dagster_home_spark",
        )
        stages["spark_full_build"] = measure(
            "spark_full_build",
            ["build", "--first", first.isoformat(), "--last", last],
            run,
            spark,
        )
    nightly_files = deliver(source, run / "landing", lambda day: day == night)
    print(f"delivered {nightly_files} files of {night}")
    stages["nightly"] = measure("nightly", ["build", "--day", night.isoformat()], run, settings)
    stages["nothing_new"] = measure("nothing_new", ["par-run"], run, settings)

    when = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "when": when,
        "sizes": sizes,
        "preset": preset,
        "cpus": os.cpu_count(),
        "source": str(source),
        "stages": {
            name: {
                **asdict(stage),
                "rows": stage.rows,
                "rows_per_second": stage.rows_per_second,
                "cores_busy": stage.cores_busy,
            }
            for name, stage in stages.items()
        },
    }
    text = "\n\n".join(
        [
            f"PAR Warehouse benchmark {when}: {preset or 'custom sizes'} {sizes}",
            table(stages, preset),
            profile(stages["full_build"]),
            *([profile(stages["spark_full_build"])] if "spark_full_build" in stages else []),
            profile(stages["nightly"]),
            *([why] if (why := why_not_met(stages, preset)) else []),
        ]
    )
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"bench-{when}.json").write_text(json.dumps(record, indent=1), "utf-8")
    (results / "latest.md").write_text(text + "\n", "utf-8")
    print("\n" + text)
    print(f"\nfigures written to {results / f'bench-{when}.json'} and {results / 'latest.md'}")
    record["ok"] = all(stage.ok for stage in stages.values())
    return record
