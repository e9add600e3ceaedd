"""DL403 dead-experimental-codepath: the project part (switches nothing turns on) beyond the rule's
examples, and the file-rule hook it stands on (facts kept in phase 1, checked in phase 2, cached)."""

from __future__ import annotations

import json
from pathlib import Path

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from tests.conftest import write_tree

CONFIG = "USE_MIXUP = False\n"
TRAIN = """\
from src import config

def train(x):
    if config.USE_MIXUP:
        x = x + 1
    return x
"""


def _findings(root: Path, **settings: object) -> list[tuple[str, int, str]]:
    loaded = load_settings(root)
    for key, value in settings.items():
        setattr(loaded, key, value)
    result = scan(loaded, [root], Selection(select=["DL403"]))
    assert not [f for f in result.findings if f.code == "DL000"]
    return sorted(
        (f.location.path, f.location.line, f.message) for f in result.findings if f.code == "DL403"
    )


def _project(tmp_path: Path, **extra: str) -> Path:
    return write_tree(tmp_path, {"src/config.py": CONFIG, "src/train.py": TRAIN, **extra})


def test_a_switch_set_in_another_module_is_reported_at_the_branch_naming_where_it_is_set(tmp_path):
    found = _findings(_project(tmp_path))
    assert found == [
        (
            "src/train.py",
            4,
            "USE_MIXUP is False (src/config.py:1) and nothing in the project turns it on: "
            "its body never runs",
        )
    ]


def test_the_project_facts_survive_the_cache(tmp_path):
    root = _project(tmp_path / "project")
    cold = _findings(root, use_cache=True, cache_dir=str(tmp_path / "cache"))
    warm = _findings(root, use_cache=True, cache_dir=str(tmp_path / "cache"))
    assert cold == warm == _findings(root)
    assert len(cold) == 1
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.suffix == ".json"]
    assert any('"DL403"' in p.read_text() for p in entries)


def test_scanning_only_the_branch_file_cannot_see_the_switch(tmp_path):
    # The switch lives in a file that is not scanned: nothing to say (not a guess).
    root = _project(tmp_path)
    result = scan(load_settings(root), [root / "src/train.py"], Selection(select=["DL403"]))
    assert [f for f in result.findings if f.code == "DL403"] == []


def test_a_module_found_by_name_may_have_any_switch_set(tmp_path):
    hook = "import sys\n\ndef configure(name, key, value):\n    setattr(sys.modules[name], key, value)\n"
    assert _findings(_project(tmp_path, **{"src/hook.py": hook})) == []


def test_setattr_with_a_computed_name_on_the_module_turns_its_switches_on(tmp_path):
    loader = "from src import config\n\nfor k in ['a']:\n    setattr(config, k, True)\n"
    assert _findings(_project(tmp_path, **{"src/load.py": loader})) == []


def test_a_star_import_in_the_defining_module_may_rebind_the_switch(tmp_path):
    config = CONFIG + "try:\n    from local_settings import *\nexcept ImportError:\n    pass\n"
    assert _findings(_project(tmp_path, **{"src/config.py": config})) == []


def test_mock_patch_multiple_turns_a_switch_on(tmp_path):
    test = (
        "from unittest import mock\nfrom src import config\n\n"
        "def test_it():\n    with mock.patch.multiple(config, USE_MIXUP=True):\n        pass\n"
    )
    assert _findings(_project(tmp_path, **{"tests/test_train.py": test})) == []


def test_a_branch_in_a_test_file_is_not_reported(tmp_path):
    root = write_tree(
        tmp_path, {"tests/test_x.py": "USE_SLOW = False\n\nif USE_SLOW:\n    print(1)\n"}
    )
    assert _findings(root) == []


def test_hand_toggled_words_are_an_option(tmp_path):
    files = {"run.py": "DEBUG_SHAPES = False\n\nif DEBUG_SHAPES:\n    print(1)\n"}
    assert _findings(write_tree(tmp_path / "a", files)) == []
    options = "rule-options:\n  DL403:\n    ignore-flag-words: [verbose]\n"
    root = write_tree(tmp_path / "b", {**files, "debtlint.yaml": options})
    assert [line for _, line, _ in _findings(root)] == [3]


def test_the_elifs_after_a_negated_switch_never_run(tmp_path):
    code = (
        "USE_NEW_LOSS = False\n\ndef loss(x):\n    if not USE_NEW_LOSS:\n        return x\n"
        "    elif x > 1:\n        return 1\n    return 0\n"
    )
    found = _findings(write_tree(tmp_path, {"loss.py": code}))
    assert [(line, message.rsplit(": ", 1)[1]) for _, line, message in found] == [
        (4, "its elif branches never run")
    ]


def test_a_switch_in_a_notebook_is_its_user_interface(tmp_path):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1}
    notebook = {
        "cells": [
            {**cell, "source": ["USE_AUG = False\n"]},
            {**cell, "source": ["if USE_AUG:\n", "    print(1)\n"]},
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    root = write_tree(tmp_path, {"explore.ipynb": json.dumps(notebook)})
    assert _findings(root) == []


def test_a_commented_line_inside_a_string_is_no_comment(tmp_path):
    text = '"""\n' + "".join(f"# x{i} = load({i})\n" for i in range(6)) + '"""\n'
    assert _findings(write_tree(tmp_path, {"doc.py": text})) == []
    code = "".join(f"# x{i} = load({i})\n" for i in range(6)) + "y = 1\n"
    assert [line for _, line, _ in _findings(write_tree(tmp_path / "b", {"c.py": code}))] == [1]


def test_a_command_line_option_turns_a_params_key_on(tmp_path):
    files = {
        "train.py": (
            "import yaml\nparams = yaml.safe_load(open('params.yaml'))\n"
            "if params['use_mixup']:\n    print(1)\n"
        ),
        "params.yaml": "use_mixup: false\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    params:\n      - use_mixup\n",
    }
    assert [line for _, line, _ in _findings(write_tree(tmp_path / "a", files))] == [3]
    option = "import argparse\nargparse.ArgumentParser().add_argument('--use-mixup')\n"
    assert _findings(write_tree(tmp_path / "b", {**files, "cli.py": option})) == []


def test_params_of_a_hydra_project_are_meant_to_be_overridden(tmp_path):
    files = {
        "train.py": (
            "import yaml\nimport hydra\nparams = yaml.safe_load(open('params.yaml'))\n"
            "if params['use_mixup']:\n    print(1)\n"
        ),
        "params.yaml": "use_mixup: false\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    params:\n      - use_mixup\n",
    }
    assert _findings(write_tree(tmp_path, files)) == []


def test_a_private_function_imported_elsewhere_has_callers_we_cannot_see(tmp_path):
    module = (
        "def _fit(x, use_mixup=False):\n    if use_mixup:\n        return 1\n    return x\n\n"
        "_fit(1)\n"
    )
    assert [line for _, line, _ in _findings(write_tree(tmp_path / "a", {"m.py": module}))] == [2]
    other = "from m import _fit\n\n_fit(2, use_mixup=True)\n"
    assert _findings(write_tree(tmp_path / "b", {"m.py": module, "n.py": other})) == []
