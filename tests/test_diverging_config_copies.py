"""DL504 diverging-config-copies: one mutant per known trap (the trap removed, the pair must be
reported, so that each guard really guards something), value normalisation, JSON, and options."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.findings import Finding
from tests.conftest import write_tree

BASE = {
    "train": {"lr": 0.01, "epochs": 20, "batch_size": 64, "dropout": 0.1},
    "data": {"path": "data/train.csv", "test_size": 0.2},
}


def doc(**changes: object) -> dict:
    out = json.loads(json.dumps(BASE))
    for dotted_key, value in changes.items():
        section, key = dotted_key.split("__")
        out[section][key] = value
    return out


def yaml_text(data: dict, head: str = "") -> str:
    lines = [head] if head else []
    for section, values in data.items():
        if not isinstance(values, dict):
            lines.append(f"{section}: {json.dumps(values)}")
            continue
        lines.append(f"{section}:")
        lines.extend(f"  {k}: {json.dumps(v)}" for k, v in values.items())
    return "\n".join(lines) + "\n"


def run(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    write_tree(tmp_path, {k: textwrap.dedent(v).lstrip("\n") for k, v in files.items()})
    result = scan(load_settings(tmp_path), [tmp_path], Selection(select=["DL504"]))
    assert not [f for f in result.findings if f.code == "DL000"]
    return [f for f in result.findings if f.code == "DL504"]


CHANGED = yaml_text(doc(train__lr=0.003))


@pytest.mark.parametrize(
    ("trap", "mutant"),
    [
        # A layout repeated per sub-project or experiment, versus a copy at another depth.
        (
            {"projA/conf/params.yaml": yaml_text(BASE), "projB/conf/params.yaml": CHANGED},
            {"projA/conf/params.yaml": yaml_text(BASE), "projB/src/conf/params.yaml": CHANGED},
        ),
        # Environment folders, versus an ordinary folder.
        (
            {"params.yaml": yaml_text(BASE), "staging/params.yaml": CHANGED},
            {"params.yaml": yaml_text(BASE), "pipeline/params.yaml": CHANGED},
        ),
        # Siblings in a config group, versus a sibling named as a copy.
        (
            {"conf/train.yaml": yaml_text(BASE), "conf/finetune.yaml": CHANGED},
            {"conf/train.yaml": yaml_text(BASE), "conf/train (1).yaml": CHANGED},
        ),
        # Inheritance, versus none.
        (
            {
                "params.yaml": yaml_text(BASE),
                "src/params.yaml": yaml_text(doc(train__lr=0.003), "defaults: [{model: rf}]"),
            },
            {
                "params.yaml": yaml_text(BASE),
                "src/params.yaml": yaml_text(doc(train__lr=0.003), "model: rf"),
            },
        ),
        # A Kubernetes manifest, versus the same keys without the manifest header.
        (
            {
                "deploy/config/service.yaml": yaml_text(BASE, "apiVersion: v1\nkind: ConfigMap"),
                "k8s/overlay/config/service.yaml": yaml_text(
                    doc(train__lr=0.003), "apiVersion: v1\nkind: ConfigMap"
                ),
            },
            {
                "deploy/config/service.yaml": yaml_text(BASE, "version: 1\nname: app"),
                "k8s/overlay/config/service.yaml": yaml_text(doc(train__lr=0.003), "version: 1"),
            },
        ),
        # A run record, versus a configuration.
        (
            {
                "experiments/a/metrics.json": json.dumps(BASE),
                "experiments/b/x/metrics.json": json.dumps(doc(train__lr=0.003)),
            },
            {
                "experiments/a/config.json": json.dumps(BASE),
                "experiments/b/x/config.json": json.dumps(doc(train__lr=0.003)),
            },
        ),
    ],
    ids=["parallel-layout", "environment", "config-group", "inherits", "manifest", "record"],
)
def test_each_guard(tmp_path, trap, mutant):
    assert run(tmp_path / "trap", trap) == []
    assert len(run(tmp_path / "mutant", mutant)) == 1


def test_values_are_compared_as_settings(tmp_path):
    # PyYAML reads `1e-3` as a string: it is still 0.001; `1` is 1.0 but `true` is not 1.
    same = yaml_text(BASE).replace("0.01", "1e-2").replace("20", "20.0")
    assert run(tmp_path / "a", {"params.yaml": yaml_text(BASE), "src/params.yaml": same}) == []
    other = yaml_text(BASE).replace("0.1\n", "true\n")
    found = run(tmp_path / "b", {"params.yaml": yaml_text(BASE), "src/params.yaml": other})
    assert [f.properties["differing"] for f in found] == [["train.dropout"]]


def test_json_copies_are_reported_on_their_key(tmp_path):
    text = json.dumps(doc(data__test_size=0.3), indent=2)
    found = run(tmp_path, {"config.json": json.dumps(BASE), "service/config.json": text})
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "test_size" in t)
    assert [(f.location.path, f.location.line) for f in found] == [("service/config.json", line)]


def test_message_names_the_other_file_and_keys(tmp_path):
    many = yaml_text(doc(train__lr=1, train__epochs=2, train__batch_size=3, train__dropout=0.5))
    found = run(tmp_path, {"params.yaml": yaml_text(BASE), "src/params.yaml": many})
    assert len(found) == 1
    message = found[0].message
    assert "params.yaml" in message.replace("src/params.yaml", "")
    assert "train.lr, train.epochs, train.batch_size and 1 more differ" in message


def test_options_reach_the_rule(tmp_path):
    files = {"params.yaml": yaml_text(BASE), "src/params.yaml": CHANGED}
    assert len(run(tmp_path / "a", files)) == 1
    files["debtlint.yaml"] = "rule-options:\n  DL504:\n    min-shared-keys: 7\n"
    assert run(tmp_path / "b", files) == []
