"""DL909/DL913/DL914 beyond their examples: one finding per mistake, and the catalog's `groups:`
tables that hold their knowledge."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.knowledge import Catalog, CatalogError

TORCH_SCRIPT = """
import torch

def fit(model, loader, optimizer):
    for epoch in range(3):
        for x in loader:
            optimizer.zero_grad()
            model(x).sum().backward()
            optimizer.step()
        model.eval()

net = torch.nn.Linear(2, 2)
net.eval()
out = net(torch.zeros(2))
"""

KERAS_SCRIPT = """
import tensorflow as tf

def grid(sizes):
    for units in sizes:
        model = tf.keras.Sequential([tf.keras.layers.Dense(units)])
        model.fit(x, y)
"""


def _lines(tmp_path: Path, source: str, code: str) -> list[int]:
    (tmp_path / "train.py").write_text(textwrap.dedent(source), encoding="utf-8")
    settings = load_settings(tmp_path)
    result = scan(settings, [tmp_path], Selection(select=[code]))
    assert not [f for f in result.findings if f.code == "DL000"]
    return sorted(f.location.line for f in result.findings if f.code == code)


@pytest.mark.parametrize(
    ("code", "source", "lines"),
    [
        ("DL913", TORCH_SCRIPT, [10]),
        ("DL909", TORCH_SCRIPT, [13]),
        ("DL914", KERAS_SCRIPT, [6]),
    ],
)
def test_one_finding_per_mistake(tmp_path: Path, code: str, source: str, lines: list[int]) -> None:
    # The module's top level and each function are separate scopes: a function's body must not
    # be searched again as part of the module (the examples' test compares sets of lines, so it
    # cannot see a duplicate).
    assert _lines(tmp_path, source, code) == lines


def test_builtin_groups() -> None:
    catalog = Catalog.builtin()
    assert "torch.no_grad" in catalog.group("no-grad")
    # Names are canonical after aliases: tf.keras is keras.
    assert "keras.backend.clear_session" in catalog.group("session-reset")
    assert catalog.normalise("tensorflow.keras.backend.clear_session") in catalog.group(
        "session-reset"
    )
    assert "tensorflow.compat.v1.reset_default_graph" in catalog.group("session-reset")
    assert "keras.models.clone_model" in catalog.group("model-builder")
    assert catalog.group("no-such-group") == frozenset()


def test_user_groups_add_to_builtin_ones(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(
        "framework: acme\nimports: [acme]\napis: []\n"
        "aliases:\n  acme_old: acme\n"
        "groups:\n  session-reset: [acme_old.reset]\n",
        encoding="utf-8",
    )
    extended = Catalog.builtin().extended([Path("acme.yaml")], tmp_path)
    assert {"acme.reset", "keras.backend.clear_session"} <= extended.group("session-reset")


@pytest.mark.parametrize(
    ("groups", "needle"),
    [
        ("groups: [a.b]\n", "expected a mapping"),
        ("groups:\n  Bad_Name: [a.b]\n", "invalid value"),
        ("groups:\n  resets: a.b\n", "expected a list"),
        ("groups:\n  resets: [reset]\n", "fully qualified"),
    ],
)
def test_bad_groups(tmp_path: Path, groups: str, needle: str) -> None:
    (tmp_path / "bad.yaml").write_text(
        "framework: acme\nimports: [acme]\napis: []\n" + groups, encoding="utf-8"
    )
    with pytest.raises(CatalogError) as info:
        Catalog.builtin().extended([Path("bad.yaml")], tmp_path)
    assert needle in info.value.message
    assert info.value.line is not None and info.value.line >= 4
