"""The generated documents are kept in step with what generates them: warehouse/README.md
with the dbt documentation, docs/input-format.md with the ingest's header table and coded
values. And no document sends its readers to `../shared`, which users of the project do
not have."""

import re

import pytest

from pipelines.lib import headers, schema
from pipelines.reports.warehouse_readme import README, load_manifest, published_models, render
from pipelines.settings import REPO_ROOT

INPUT_FORMAT = REPO_ROOT / "docs" / "input-format.md"


def test_committed_reference_is_up_to_date():
    assert README.read_text(encoding="utf-8") == render(load_manifest()), (
        "warehouse/README.md is stale: run `.venv/bin/par docs` and commit it"
    )


def test_every_published_model_and_column_is_described():
    undocumented = [
        f"{model['name']}.{column}" if column else model["name"]
        for model in published_models(load_manifest())
        for column, text in [(None, model["description"]), *model["columns"].items()]
        if not text.strip()
    ]
    assert undocumented == []


def test_committed_input_format_is_up_to_date():
    from pipelines.reports import input_format

    assert input_format.DOC.exists(), "docs/input-format.md is missing: run `.venv/bin/par docs`"
    assert input_format.DOC.read_text(encoding="utf-8") == input_format.render(), (
        "docs/input-format.md is stale: run `.venv/bin/par docs` and commit it"
    )


def test_input_format_holds_every_header_key_and_code_of_the_ingest():
    from pipelines.reports import input_format

    text = input_format.render()
    for feed, columns in headers.FEED_HEADERS.items():
        assert f"### Feed `{feed}`" in text
        for column in columns:
            assert f"| {column.header} | {column.key} | `{column.name}` |" in text
    for feed, coded in headers.CODED_COLUMNS.items():
        for mapping in coded.values():
            for name, code in mapping.items():
                assert f"`{name}`/{code}" in text, (feed, name)
    for name, code in headers.DOSSIER_STATUS.items():
        assert f"| {code} | {name} |" in text
    for column in (*schema.UNITS_COLUMNS, *schema.UNIT_SUCCESSIONS_COLUMNS):
        assert f"| `{column}` |" in text
    for encoding in ("utf-8", "utf-8-sig", "cp1258"):
        assert f"`{encoding}`" in text
    assert "<landing>/<unit_code>/<feed>/<export_date>[_<suffix>].<ext>" in text


def test_input_format_follows_a_change_of_the_header_table(monkeypatch):
    """Generated, not copied: a new coded value appears in the document, and a template
    that no longer matches the code stops generation."""
    from pipelines.reports import input_format

    monkeypatch.setitem(headers.CHANNEL, "Ứng dụng di động", 4)
    assert "`Ứng dụng di động`/4" in input_format.render()
    monkeypatch.setitem(headers.DOSSIER_STATUS, "Tạm dừng", 11)
    with pytest.raises(ValueError, match="DOSSIER_STATUS_MEANING"):
        input_format.render()


SHARED = re.compile(r"(\.\./)?shared/(contracts|DESIGN)")


@pytest.mark.parametrize(
    "path",
    sorted({REPO_ROOT / "README.md", README, INPUT_FORMAT, *(REPO_ROOT / "docs").glob("*.md")}),
    ids=lambda path: str(path.relative_to(REPO_ROOT)),
)
def test_no_document_points_readers_to_shared(path):
    assert path.exists(), f"{path.name} is missing: run `.venv/bin/par docs`"
    found = [line for line in path.read_text(encoding="utf-8").splitlines() if SHARED.search(line)]
    assert found == []


def test_readme_and_dictionary_point_to_the_input_format():
    assert "docs/input-format.md" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/input-format.md" in README.read_text(encoding="utf-8")
