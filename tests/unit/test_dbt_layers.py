"""The dbt graph flows sources -> staging -> intermediate -> marts.

A model reads (ref/source) only its own layer or the one directly below it; a model's layer
is its folder under models/. Checked on dbt_project/target/manifest.json, which
`make manifest` prepares (`dbt parse`) before the tests run.
"""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"

LAYERS = ("staging", "intermediate", "marts")

# What a model of each layer may read. Seeds are reference data any layer may read.
MAY_READ = {
    "staging": {"source", "seed", "staging"},
    "intermediate": {"seed", "staging", "intermediate"},
    "marts": {"seed", "intermediate", "marts"},
}


def layer_of(node: dict) -> str:
    """staging, intermediate or marts for a model (its folder under models/); else the
    resource type (source, seed, snapshot, ...)."""
    if node["resource_type"] != "model":
        return node["resource_type"]
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else "(no layer)"


def layer_violations(manifest: dict) -> list[str]:
    """Every edge where a model reads what its layer may not, as 'model (layer) reads
    parent (layer)'; a model outside the three layer folders is reported too."""
    known = {**manifest.get("sources", {}), **manifest["nodes"]}
    violations = []
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    for node in sorted(models, key=lambda model: model["name"]):
        layer = layer_of(node)
        if layer not in MAY_READ:
            violations.append(f"{node['name']} is in no layer ({node['original_file_path']})")
            continue
        for parent_id in node["depends_on"]["nodes"]:
            parent = known[parent_id]
            parent_layer = layer_of(parent)
            if parent_layer not in MAY_READ[layer]:
                name = parent["name"]
                if parent["resource_type"] == "source":
                    name = f"{parent['source_name']}.{name}"
                violations.append(f"{node['name']} ({layer}) reads {name} ({parent_layer})")
    return violations


def test_models_read_only_their_layer_or_the_one_below():
    assert MANIFEST.exists(), f"{MANIFEST} is missing: run `make manifest`"
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    layers = {layer_of(n) for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert set(LAYERS) <= layers  # the check looked at a real project
    assert layer_violations(manifest) == []


def _model(layer: str, name: str, *parents: str) -> tuple[str, dict]:
    return f"model.p.{name}", {
        "resource_type": "model",
        "name": name,
        "original_file_path": f"models/{layer}/{name}.sql",
        "depends_on": {"nodes": list(parents)},
    }


def test_the_check_reports_a_mart_reading_a_source_and_an_intermediate_reading_a_mart():
    manifest = {
        "sources": {
            "source.p.raw.dossiers": {
                "resource_type": "source",
                "source_name": "raw",
                "name": "dossiers",
            },
        },
        "nodes": dict(
            [
                ("seed.p.targets", {"resource_type": "seed", "name": "targets"}),
                _model("staging", "stg_dossiers", "source.p.raw.dossiers"),
                _model("intermediate", "int_facts", "model.p.stg_dossiers", "model.p.fct"),
                _model("marts", "fct", "source.p.raw.dossiers", "seed.p.targets"),
                _model("marts", "dim", "model.p.int_facts", "model.p.fct", "seed.p.targets"),
            ]
        ),
    }
    assert layer_violations(manifest) == [
        "fct (marts) reads raw.dossiers (source)",
        "int_facts (intermediate) reads fct (marts)",
    ]
    # and the edges a layer may take are not reported
    manifest["nodes"]["model.p.fct"]["depends_on"]["nodes"] = ["model.p.int_facts"]
    manifest["nodes"]["model.p.int_facts"]["depends_on"]["nodes"] = ["model.p.stg_dossiers"]
    assert layer_violations(manifest) == []
