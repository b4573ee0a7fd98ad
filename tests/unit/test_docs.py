"""warehouse/README.md is generated from the dbt documentation and must be kept in step."""

from pipelines.reports.warehouse_readme import README, load_manifest, published_models, render


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
