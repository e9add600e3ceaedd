"""The data-dependency graph on every fixture style, as golden files easy to review.

Each fixture's ``expected.graph.txt`` lists its nodes (kind and id) and edges (``u -rel-> v``).
Regenerate after an intended change with ``DEBTLINT_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import os

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from tests.conftest import FIXTURES

# fixture -> the undeclared reads DL201 must report: (path, line, artifact)
STYLES = {
    "clean_dvc_pipeline": set(),
    "kaggle_script": {
        ("baseline.py", 13, "input/train.csv"),
        ("train.py", 68, "input/train.csv"),
        ("train.py", 69, "input/test.csv"),
        ("train.py", 70, "input/sample_submission.csv"),
        ("utils.py", 44, "models/features.json"),
        ("utils.py", 51, "input/test.csv"),
    },
    "torch_project": {("src/evaluate.py", 20, "data/processed/test.jsonl")},
    "kedro_project": {
        ("src/spaceflights/pipelines/data_science/nodes.py", 14, "data/01_raw/reviews.csv")
    },
    "lightning_hydra": set(),
    "hf_finetune": {("finetune.py", 31, "data/extra_labels.csv")},
}


def summary(graph) -> str:
    lines = [f"node {data.get('kind')} {node}" for node, data in sorted(graph.g.nodes(data=True))]
    edges = sorted({f"edge {u} -{d.get('rel')}-> {v}" for u, v, d in graph.g.edges(data=True)})
    return "\n".join([*lines, *edges]) + "\n"


def _scan(name: str):
    root = FIXTURES / name
    return scan(load_settings(root), [root], Selection(select=["DL201"]))


@pytest.mark.parametrize("name", sorted(STYLES))
def test_graph_matches_golden(name):
    result = _scan(name)
    golden = FIXTURES / name / "expected.graph.txt"
    text = summary(result.graph)
    if os.environ.get("DEBTLINT_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(STYLES))
def test_every_access_is_resolved(name):
    resolution = _scan(name).graph.resolution
    assert all(counts["symbolic"] == 0 for counts in resolution.values()), resolution
    assert sum(c["resolved"] for c in resolution.values()) > 0


@pytest.mark.parametrize("name", sorted(STYLES))
def test_dl201_reports_exactly_the_undeclared_reads(name):
    found = {
        (f.location.path, f.location.line, f.entity)
        for f in _scan(name).findings
        if f.code == "DL201"
    }
    assert found == STYLES[name]


def test_pipeline_structure_is_in_the_graph():
    dvc = _scan("clean_dvc_pipeline").graph.g
    assert dvc.has_edge("stage:train", "code:src/train.py")  # the script the stage runs
    assert dvc.has_edge("data:data/features", "stage:train")  # a declared dependency
    assert dvc.has_edge("stage:train", "data:models/model.pkl")  # a declared output
    assert dvc.has_edge("config:params.yaml#train.C", "stage:train")  # a declared parameter
    kedro = _scan("kedro_project").graph.g
    node = "stage:kedro:build_model_input_node"
    assert kedro.has_edge("data:data/01_raw/companies.csv", node)
    assert kedro.has_edge(node, "data:data/03_primary/model_input_table.parquet")
    assert kedro.has_edge(node, "code:src/spaceflights/pipelines/data_science/nodes.py")
