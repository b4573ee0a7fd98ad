"""The whole pipeline on the hand-written landing folder of small_landing.py.

Every expected figure below is worked out from the rows in small_landing.py; the comment
next to it says how.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.small_landing import APPLICANTS

JAN = ("month", "2022-01-01")
FEB = ("month", "2022-02-01")
YEAR = ("year", "2022-01-01")


def indicator(run, unit, scope, period, code):
    """(numerator, denominator, value, target, meets_target) of one indicator_values row."""
    rows = run.query(
        """
        SELECT numerator, denominator, value, target, meets_target FROM indicator_values
        WHERE unit_code = ? AND scope = ? AND period_type = ? AND period_start = ?::DATE
          AND indicator_code = ?
        """,
        [unit, scope, period[0], period[1], code],
    )
    assert len(rows) == 1, (unit, scope, period, code, rows)
    return rows[0]


def test_run_succeeds_and_publishes(small_run):
    assert small_run.result.success
    assert small_run.published.exists()


def test_dbt_build_is_served_by_the_standby_begun_with_the_run(small_build, dagster_instance):
    """The run begins dbt's standby beside its start-up (pipelines/lib/dbt_standby.py): the
    dbt step's `dbt build` ran in it with the manifest of the parse it had made, so the
    build did not parse at all (the real dbt always reports its partial parse), and the
    standby did not outlive the run."""
    import json
    import os

    from pipelines.lib import dbt_standby

    messages = [
        record.user_message for record in dagster_instance.all_logs(small_build.result.run_id)
    ]
    assert dbt_standby.describe(dbt_standby.SERVED) in messages
    invocations: dict[str, list[dict]] = {}  # dbt's log file (debug): the events by command
    for line in (small_build.warehouse / "dbt_target" / "dbt.log").read_text("utf-8").splitlines():
        if line.startswith("{"):
            event = json.loads(line)["info"]
            invocations.setdefault(event["invocation_id"], []).append(event)
    build = [
        events
        for events in invocations.values()
        if any(e["name"] == "MainReportArgs" and "'dbt build " in e["msg"] for e in events)
    ]
    assert len(build) == 1, [events[:2] for events in invocations.values()]
    names = {event["name"] for event in build[0]}
    assert "LogModelResult" in names  # it is the build, it ran the models ...
    # ... and parsed nothing: no partial-parse check, no parse
    assert not {name for name in names if "Pars" in name}, sorted(names)
    # the standby (the build's process) has ended with the run
    assert dbt_standby.standing() == {}
    with pytest.raises(ProcessLookupError):
        os.kill(build[0][0]["pid"], 0)


def test_feed_checks_run_after_the_build_and_publishing(small_build, dagster_instance):
    """The Great Expectations checks warn, they never block: they run last (their priority,
    quality_checks.LAST), after dbt's build and publishing, with GX imported while dbt
    built. Every feed's check ran, and each one started after publishing ended."""
    from dagster import DagsterEventType

    from pipelines.lib.schema import FEEDS

    when: dict[tuple[str, str], float] = {}  # (event type, step) -> time
    for record in dagster_instance.all_logs(
        small_build.result.run_id,
        of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS},
    ):
        when[(record.dagster_event.event_type_value, record.step_key)] = record.timestamp
    published = when[("STEP_SUCCESS", "published__par_duckdb")]
    assert published > when[("STEP_SUCCESS", "par_dbt_models")]
    checks = {step: at for (kind, step), at in when.items() if kind == "STEP_START"}
    checks = {step: at for step, at in checks.items() if step.endswith("_rows_look_right")}
    assert sorted(checks) == sorted(f"raw__{feed}_{feed}_rows_look_right" for feed in FEEDS)
    assert min(checks.values()) > published, sorted(checks.items())


@pytest.mark.parametrize(
    ("period", "code", "expected"),
    [
        # Jan-1 snapshot: 2.000001, .002, .003 in force; .004 abolished (status 0).
        (JAN, "PROC_TOTAL", (3, None, Decimal("3.00"))),
        # published among active on 31 Jan: .001 and .002, not .003 -> 2/3
        (JAN, "PROC_PUBLISHED_RATE", (2, 3, Decimal("66.67"))),
        (JAN, "PROC_ONLINE_PARTIAL", (1, None, Decimal("1.00"))),  # .002 at level 3
        (JAN, "PROC_ONLINE_FULL", (1, None, Decimal("1.00"))),  # .001 at TT
        (JAN, "PROC_CHANGED", (1, None, Decimal("1.00"))),  # .002 amended 2022-01-01
        (JAN, "PROC_ABOLISHED", (1, None, Decimal("1.00"))),  # .004 abolished 2022-01-01
        # Feb-10 snapshot: .002 now TT, .003 now published.
        (FEB, "PROC_PUBLISHED_RATE", (3, 3, Decimal("100.00"))),
        (FEB, "PROC_ONLINE_PARTIAL", (0, None, Decimal("0.00"))),
        (FEB, "PROC_ONLINE_FULL", (2, None, Decimal("2.00"))),
        (FEB, "PROC_CHANGED", (1, None, Decimal("1.00"))),  # .002 amended 2022-02-10
        (FEB, "PROC_ABOLISHED", (0, None, Decimal("0.00"))),
        (YEAR, "PROC_TOTAL", (3, None, Decimal("3.00"))),  # stock: as at the year's end
        (YEAR, "PROC_CHANGED", (2, None, Decimal("2.00"))),  # flow: Jan + Feb
        # Dossiers received in Jan: D1, D2, D3 (D5 refused, D6 withdrawn: not counted).
        (JAN, "DOSSIER_RECEIVED", (3, None, Decimal("3.00"))),
        # Finished in Jan: D1 (on 01-10 at 20:00, due 01-10: on time by calendar date) and
        # D2 (01-12, due 01-07: late). D1's stale row from the 01-12 file must not win.
        (JAN, "DOSSIER_FINISHED", (2, None, Decimal("2.00"))),
        (JAN, "DOSSIER_ONTIME", (1, None, Decimal("1.00"))),
        (JAN, "DOSSIER_LATE", (1, None, Decimal("1.00"))),
        (JAN, "DOSSIER_ONTIME_RATE", (1, 2, Decimal("50.00"))),
        (JAN, "DOSSIER_APOLOGY_RATE", (1, 1, Decimal("100.00"))),  # D2 had an apology
        # Partial on the received date: D3 (.002 was level 3 on 28 Jan), online -> 1/1.
        (JAN, "DOSSIER_ONLINE_RATE_PARTIAL", (1, 1, Decimal("100.00"))),
        # Full: D1 online, D2 in person -> 1/2.
        (JAN, "DOSSIER_ONLINE_RATE_FULL", (1, 2, Decimal("50.00"))),
        # Fee-bearing finished in Jan: D1 (paid online), D2 (not) -> 1/2.
        (JAN, "DOSSIER_PAID_ONLINE_RATE", (1, 2, Decimal("50.00"))),
        (JAN, "DOSSIER_DIGITIZED_RATE", (2, 3, Decimal("66.67"))),  # D1, D3 of D1-D3
        # Feb: D4 received; D3 finished 02-02, due 02-03: early.
        (FEB, "DOSSIER_RECEIVED", (1, None, Decimal("1.00"))),
        (FEB, "DOSSIER_ONTIME_RATE", (1, 1, Decimal("100.00"))),
        (FEB, "DOSSIER_APOLOGY_RATE", (0, 0, None)),  # no late dossier: no value
        # D4 (received 15 Feb, .002 full since 10 Feb) came in person -> 0/1.
        (FEB, "DOSSIER_ONLINE_RATE_FULL", (0, 1, Decimal("0.00"))),
        (FEB, "DOSSIER_ONLINE_RATE_PARTIAL", (0, 0, None)),
        (YEAR, "DOSSIER_ONTIME_RATE", (2, 3, Decimal("66.67"))),
        # Documents: 1/UBND-VP electronic; 2/UBND-VP corrected to electronic + paper and
        # unsigned by the _fix file; 3/UBND-VP went to an organisation (not counted).
        (JAN, "DOC_SENT", (2, None, Decimal("2.00"))),
        (JAN, "DOC_ELECTRONIC", (1, None, Decimal("1.00"))),
        (JAN, "DOC_ELECTRONIC_RATE", (1, 2, Decimal("50.00"))),
        (JAN, "DOC_SIGNED_RATE", (1, 2, Decimal("50.00"))),
    ],
)
def test_city_self_indicators(small_run, period, code, expected):
    assert indicator(small_run, "900", "self", period, code)[:3] == expected


def test_targets_are_applied(small_run):
    # Year: partial 1/1 = 100 against 40; full D1, D2, D4 -> 1/3 = 33.33 against 15.
    assert indicator(small_run, "900", "self", YEAR, "DOSSIER_ONLINE_RATE_PARTIAL") == (
        1,
        1,
        Decimal("100.00"),
        Decimal("40.00"),
        True,
    )
    assert indicator(small_run, "900", "self", YEAR, "DOSSIER_ONLINE_RATE_FULL") == (
        1,
        3,
        Decimal("33.33"),
        Decimal("15.00"),
        True,
    )
    # Jan area full: city 1/2 plus W1 (ward A, online, full) 1/1 -> 2/3.
    assert indicator(small_run, "900", "area", JAN, "DOSSIER_ONLINE_RATE_FULL")[:3] == (
        2,
        3,
        Decimal("66.67"),
    )
    # No target for a count.
    assert indicator(small_run, "900", "self", YEAR, "DOSSIER_FINISHED")[3:] == (None, None)


@pytest.mark.parametrize(
    ("unit", "scope", "period", "code", "expected"),
    [
        # Ward A: W1 finished 01-11 (due 01-13); W2 finished 02-20 (due 02-10) late, no
        # apology. Its rows with an unknown status and with too few fields are set aside.
        ("90001", "self", JAN, "DOSSIER_FINISHED", (1, None, Decimal("1.00"))),
        ("90001", "self", FEB, "DOSSIER_LATE", (1, None, Decimal("1.00"))),
        ("90001", "self", FEB, "DOSSIER_APOLOGY_RATE", (0, 1, Decimal("0.00"))),
        # Ward B (cp1258): W3 finished on its due date -> on time.
        ("90002", "self", JAN, "DOSSIER_ONTIME", (1, None, Decimal("1.00"))),
        # City area, Jan: finished D1, D2, W1, W3; on time D1, W1, W3 -> 3/4.
        ("900", "area", JAN, "DOSSIER_ONTIME_RATE", (3, 4, Decimal("75.00"))),
        # City area, year: finished D1-D3, W1-W3 = 6; late D2, W2 -> on time 4/6.
        ("900", "area", YEAR, "DOSSIER_ONTIME_RATE", (4, 6, Decimal("66.67"))),
        ("900", "area", YEAR, "DOSSIER_LATE", (2, None, Decimal("2.00"))),
        # Fee-bearing finished: D1 paid, D2 not, W2 not, W3 paid -> 2/4.
        ("900", "area", YEAR, "DOSSIER_PAID_ONLINE_RATE", (2, 4, Decimal("50.00"))),
        # Documents to state agencies, not classified: city 2 + ward A 1 (2/UBND is Mật).
        ("900", "area", YEAR, "DOC_SENT", (3, None, Decimal("3.00"))),
        ("900", "area", YEAR, "DOC_ELECTRONIC_RATE", (2, 3, Decimal("66.67"))),
        # Catalogues at the year's end: city 3 + ward A 2 + ward B 1.
        ("900", "area", YEAR, "PROC_TOTAL", (6, None, Decimal("6.00"))),
    ],
)
def test_ward_and_area_indicators(small_run, unit, scope, period, code, expected):
    assert indicator(small_run, unit, scope, period, code)[:3] == expected


def test_freshness_checks_name_units_that_stopped_delivering(small_run):
    evaluations = {e.check_name: e for e in small_run.result.get_asset_check_evaluations()}
    # Dossiers: the newest delivery is ward A's 2022-02-20; ward B's last file is
    # 2022-01-17, 34 days behind (> 7); the city's 2022-02-15 is 5 days behind.
    dossiers = evaluations["dossiers_delivered_recently"]
    assert not dossiers.passed
    assert dossiers.metadata["units_behind"].value == 1
    assert "90002" in dossiers.metadata["units"].value
    # Documents: newest 2022-02-21 (ward A); the city's 2022-01-06 is 46 days behind and
    # ward B never delivered a register.
    documents = evaluations["documents_delivered_recently"]
    assert documents.metadata["units_behind"].value == 2
    assert "900" in documents.metadata["units"].value


def test_cp1258_names_arrive_nfc(small_run):
    names = dict(small_run.query("SELECT DISTINCT unit_code, unit_name FROM indicator_values"))
    assert names["90002"] == "Phường Bình Minh"
    assert names["90002"].encode() == "Phường Bình Minh".encode()  # composed, not NFD


def test_bad_rows_are_set_aside_with_file_row_and_reason(small_run):
    ledger = small_run.build_query(
        "SELECT rows_in, rows_loaded, rows_set_aside, status FROM raw.ingest_ledger "
        "WHERE source_file = '90001/dossiers/2022-02-20.csv'"
    )
    # 4 records: W1, W2 load; the unknown status (row 4) and the short row (row 5) do not.
    assert ledger == [(4, 2, 2, "loaded")]
    set_aside = small_run.build_query(
        "SELECT source_row, reason FROM raw.set_aside "
        "WHERE source_file = '90001/dossiers/2022-02-20.csv' ORDER BY source_row"
    )
    assert [row for row, _ in set_aside] == [4, 5]
    # the reason names the column and the problem, never the delivered value ("Không rõ")
    assert set_aside[0][1] == "Trạng thái / status: unknown value"
    assert "field" in set_aside[1][1]


def test_every_file_balances(small_run):
    unbalanced = small_run.build_query(
        "SELECT source_file FROM raw.ingest_ledger "
        "WHERE status = 'loaded' AND rows_in <> rows_loaded + rows_set_aside"
    )
    assert unbalanced == []
    # 19 delivered files: city 2 + 7 + 2 + 1, ward A 4, ward B 2, and units.csv (every file
    # under the landing folder is in the ledger, the registry too).
    assert small_run.build_query("SELECT count(*) FROM raw.ingest_ledger") == [(19,)]


def test_reported_figures_are_reconciled(small_run):
    rows = dict(
        (f"{unit}:{code}", status)
        for unit, code, status in small_run.query(
            "SELECT unit_code, indicator_code, status FROM reconciliation"
        )
    )
    # City: 1/2 = 50,00 agrees with its log; 2 documents sent agrees.
    assert rows["900:DOSSIER_ONTIME_RATE"] == "agrees"
    assert rows["900:DOC_SENT"] == "agrees"
    # Ward A reports 5 finished in January; its log has 1.
    assert rows["90001:DOSSIER_FINISHED"] == "counts_differ"


def test_published_file_holds_no_personal_data(small_run):
    import duckdb

    conn = duckdb.connect(str(small_run.published), read_only=True)
    try:
        text_columns = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        values = set()
        for table, column in text_columns:
            values.update(
                v for (v,) in conn.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
            )
    finally:
        conn.close()
    blob = "\n".join(v for v in values if v)
    for name, id_number, phone, _address in APPLICANTS.values():
        assert name not in blob
        assert id_number not in blob
        assert phone not in blob


def test_second_run_loads_nothing_twice(small_run, dagster_instance):
    from tests.integration.conftest import run_full_build

    before = small_run.query("SELECT * FROM indicator_values ORDER BY ALL")
    result = run_full_build(dagster_instance, small_run.settings)
    assert result.success
    assert small_run.build_query("SELECT count(*) FROM raw.ingest_ledger") == [(19,)]
    assert small_run.query("SELECT * FROM indicator_values ORDER BY ALL") == before


def test_every_published_table_and_column_is_in_the_reference(small_run):
    from pipelines.reports.warehouse_readme import README

    # The reference's sections by table name: "### `name`" followed by its column rows.
    sections = {
        part.split("`", 1)[0]: part for part in README.read_text(encoding="utf-8").split("### `")
    }
    columns = small_run.query(
        "SELECT table_name, column_name FROM information_schema.columns ORDER BY ALL"
    )
    missing = [
        f"{table}.{column}"
        for table, column in columns
        if f"| `{column}` |" not in sections.get(table, "")
    ]
    assert missing == []


def test_failed_blocking_check_keeps_the_last_good_file(small_run, dagster_instance):
    """Corrupt the build file so a blocking dbt test fails: one on-time dossier exported before the
    last day is also marked late in int_dossier_facts, where the incremental facts keep
    it (a nightly run for the last day does not recompute it). DOSSIER_ONTIME +
    DOSSIER_LATE then exceeds DOSSIER_FINISHED, which indicator_values' blocking invariant
    catches. The run must fail before publishing and leave par.duckdb as it was."""
    import duckdb

    from pipelines.defs.partitions import range_tags
    from pipelines.run import execute_build
    from tests.integration.conftest import good_build_record

    before = small_run.published.read_bytes()
    # the small run's build was good: its record is there before the failing run
    assert good_build_record(small_run.settings) is not None
    conn = duckdb.connect(str(small_run.warehouse / "build.duckdb"))
    try:
        (last_day,) = conn.execute("SELECT max(export_date) FROM raw.ingest_ledger").fetchone()
        corrupted = conn.execute(
            "UPDATE intermediate.int_dossier_facts SET is_late = true WHERE rowid = ("
            "  SELECT min(rowid) FROM intermediate.int_dossier_facts"
            "  WHERE is_on_time AND export_date < ?)",
            [last_day],
        ).fetchone()[0]
    finally:
        conn.close()
    assert corrupted == 1
    result = execute_build(
        dagster_instance,
        small_run.settings,
        range_tags(last_day, last_day),
        reports=False,
        raise_on_error=False,
    )
    assert not result.success
    # It is dbt's blocking test that failed.
    failed = {event.step_key for event in result.all_events if event.is_step_failure}
    assert failed == {"par_dbt_models"}
    published = [
        event
        for event in result.all_events
        if event.is_step_success and "published" in (event.step_key or "")
    ]
    assert published == []
    assert small_run.published.read_bytes() == before
    # and it left no record of a good build (pipelines/lib/dbt_reach.py): the next build
    # runs every dbt node, the failed test included, until it passes
    assert good_build_record(small_run.settings) is None


def test_a_run_of_some_dbt_models_builds_those_and_forgets_the_good_build(
    small_build, dagster_instance, tmp_path
):
    """Materializing one mart (as from the UI) runs dbt on what the run asks for, that mart
    and its tests, not the nodes a whole build would leave or run; and it deletes the record
    of the last good build (pipelines/lib/dbt_reach.py), so the next whole build runs every
    node rather than trust tables a partial build may have changed."""
    import dagster as dg

    from pipelines.defs.jobs import FULL_BUILD_JOB
    from pipelines.defs.partitions import range_tags
    from pipelines.run import definitions_for
    from tests.integration.conftest import copy_of_run, dbt_nodes_run, good_build_record

    # its own copy: the module's shared one loses its record in the blocking-check test
    run = copy_of_run(small_build, tmp_path)
    settings = run.settings
    (last_day,) = run.build_query("SELECT max(export_date) FROM raw.ingest_ledger")[0]

    assert good_build_record(settings) is not None  # the small run's whole build was good
    job = definitions_for(settings).resolve_job_def(FULL_BUILD_JOB)
    result = job.execute_in_process(
        instance=dagster_instance,
        tags=range_tags(last_day, last_day),
        asset_selection=[dg.AssetKey(["marts", "dim_unit"])],
    )
    assert result.success
    ran = dbt_nodes_run(settings)
    # dim_unit and its well-formed test; nothing a whole build of this night would run
    assert "model.par_warehouse.dim_unit" in ran
    assert any(
        node.startswith("test.par_warehouse.columns_are_well_formed_dim_unit") for node in ran
    )
    assert "model.par_warehouse.int_dossier_facts" not in ran
    assert good_build_record(settings) is None
