"""The data dictionary (`dbt docs generate --static`, pipelines/reports/dbt_docs.py) opens on
this warehouse's overview, not dbt's generic welcome page, and names every published model
by its relation in par.duckdb (`par.main.indicator_values`), not in the build file
(`build.marts.indicator_values`). Real dbt on the project's manifest; the page rendered by
headless Chromium."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from pipelines.reports.dbt_docs import generate_docs
from pipelines.settings import Settings
from tests.browser import ARTIFACTS, render_until

# Where dbt's static page holds the manifest (dbt/task/docs/index.html).
MANIFEST_INLINE = "{manifest:"
SCRIPTS = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def build_file_with(root, sql: str) -> Settings:
    """Settings for a warehouse under `root` whose build file holds what `sql` creates."""
    warehouse = root / "warehouse"
    warehouse.mkdir()
    settings = Settings.from_env(
        {"PAR_WAREHOUSE_DIR": str(warehouse), "PAR_LANDING_DIR": str(root / "landing")}
    )
    execute(settings, sql)
    return settings


def execute(settings: Settings, sql: str) -> None:
    conn = duckdb.connect(str(settings.build_db))
    try:
        conn.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs_site")
    settings = build_file_with(
        root,
        "CREATE SCHEMA marts; CREATE SCHEMA staging; "
        "CREATE TABLE marts.indicator_values (unit_code VARCHAR, value DECIMAL(9, 2)); "
        "CREATE VIEW staging.stg_ward_exports__dossiers AS SELECT 1 AS dossier_code",
    )
    docs = generate_docs(settings, root / "docs", work_dir=root / "work")
    html = docs.index.read_text(encoding="utf-8")
    start = html.index(MANIFEST_INLINE) + len(MANIFEST_INLINE)
    manifest, _ = json.JSONDecoder().raw_decode(html, start)
    return docs.index, manifest


def test_the_site_has_the_warehouse_overview(site):
    _, manifest = site
    overview = manifest["docs"]["doc.par_warehouse.__overview__"]["block_contents"]
    assert "par.duckdb" in overview and "indicator_values" in overview


def test_published_models_are_named_as_in_the_published_file(site):
    _, manifest = site
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    marts = [n for n in models if n["fqn"][1] == "marts"]
    assert len(marts) >= 10
    assert sorted(n["name"] for n in marts if (n["database"], n["schema"]) != ("par", "main")) == []
    values = manifest["nodes"]["model.par_warehouse.indicator_values"]
    assert values["relation_name"] == '"par"."main"."indicator_values"'
    # what is not published keeps the build file's name
    staging = manifest["nodes"]["model.par_warehouse.stg_ward_exports__dossiers"]
    assert (staging["database"], staging["schema"]) == ("build", "staging")


def test_the_page_opens_on_the_overview_and_shows_published_relations(site):
    index, _ = site
    dom = render_until(
        f"file://{index}#!/overview",
        ["PAR Warehouse: the data dictionary"],
        screenshot=ARTIFACTS / "dbt_docs_overview.png",
    )
    shown = SCRIPTS.sub("", dom)  # the page without the manifest it embeds
    assert "PAR Warehouse: the data dictionary" in shown
    assert "Welcome to the auto-generated documentation" not in shown  # dbt's generic page
    dom = render_until(
        f"file://{index}#!/model/model.par_warehouse.indicator_values",
        ["par.main.indicator_values"],
        screenshot=ARTIFACTS / "dbt_docs_indicator_values.png",
    )
    shown = SCRIPTS.sub("", dom)
    assert "par.main.indicator_values" in shown
    assert "build.marts" not in shown


def test_the_page_is_kept_while_models_and_schema_are_the_same(tmp_path):
    """A nightly run changes rows, not the schema: the page (which holds no rows) is kept
    without running dbt; a new column, a new table or a new manifest makes it again."""
    settings = build_file_with(
        tmp_path, "CREATE SCHEMA marts; CREATE TABLE marts.indicator_values (unit_code VARCHAR)"
    )
    out, work = tmp_path / "docs", tmp_path / "work"
    first = generate_docs(settings, out, work_dir=work)
    assert not first.reused
    made = first.index.stat().st_mtime_ns

    execute(settings, "INSERT INTO marts.indicator_values VALUES ('941')")  # rows only
    again = generate_docs(settings, out, work_dir=work)
    assert again.reused and again.index.stat().st_mtime_ns == made

    execute(settings, "ALTER TABLE marts.indicator_values ADD COLUMN value DECIMAL(9, 2)")
    changed = generate_docs(settings, out, work_dir=work)
    assert not changed.reused and changed.index.stat().st_mtime_ns != made
