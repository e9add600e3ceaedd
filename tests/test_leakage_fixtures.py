"""The leakage fixture pair (golden lines), and the PEERS.md regressions owed by DL7-DL9.

``fixtures/leakage_kaggle`` has the three leaks of Yang et al. (ASE 2022) at known lines;
``fixtures/leakage_fixed`` is the same project with a Pipeline inside cross-validation.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.metadata.requirements import parse_requirements
from tests.conftest import FIXTURES, write_tree

MY_FAMILIES = ["DL7", "DL8", "DL9"]


def findings(root: Path, select: list[str]) -> list[tuple[str, int, str]]:
    result = scan(load_settings(root), [root], Selection(select=select))
    assert not result.internal_errors, [f.message for f in result.internal_errors]
    return sorted((f.location.path, f.location.line, f.code) for f in result.findings)


def project(tmp_path: Path, source: str, name: str = "train.py") -> Path:
    # A debtlint.yaml makes the temporary folder the project root.
    return write_tree(
        tmp_path, {name: textwrap.dedent(source).lstrip("\n"), "debtlint.yaml": "{}\n"}
    )


# -- the fixture pair ------------------------------------------------------------------------------


def test_kaggle_fixture_reports_each_leak_at_its_line():
    assert findings(FIXTURES / "leakage_kaggle", ["DL7"]) == [
        ("train.py", 24, "DL701"),  # OrdinalEncoder.fit_transform on the whole training file
        ("train.py", 28, "DL702"),  # SMOTE.fit_resample before cross_val_score
        ("train.py", 38, "DL703"),  # early stopping on the fold that is scored
    ]


def test_kaggle_fixture_lines_are_the_leaking_statements():
    lines = (FIXTURES / "leakage_kaggle" / "train.py").read_text(encoding="utf-8").splitlines()
    assert "encoder.fit_transform(train[CATEGORICAL])" in lines[24 - 1]
    assert "SMOTE(random_state=SEED).fit_resample(X, y)" in lines[28 - 1]
    assert lines[38 - 1].strip() == "model.fit("
    assert "eval_set=[(X_va, y_va)]" in lines[41 - 1]


def test_fixed_fixture_reports_nothing_of_dl7_to_dl9():
    assert findings(FIXTURES / "leakage_fixed", MY_FAMILIES) == []


def test_leak_messages_name_the_split(run_cli):
    code, out, _ = run_cli(
        "scan", FIXTURES / "leakage_kaggle", "--select", "DL7", "--output-format", "json"
    )
    doc = json.loads(out)
    by_code = {f["code"]: f for f in doc["findings"]}
    assert by_code["DL701"]["properties"]["transformer"] == "sklearn.preprocessing.OrdinalEncoder"
    assert by_code["DL702"]["severity"] == "error"
    assert code == 1  # DL702 is an error: the gate fails


# -- PEERS.md regressions --------------------------------------------------------------------------


def test_peers_6_no_leakage_finding_on_an_import_line(tmp_path):
    # Leaks, with the ML imports on lines of their own; nothing may point at those lines.
    root = project(
        tmp_path,
        """
        import sklearn
        from imblearn.over_sampling import SMOTE
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        X = StandardScaler().fit_transform(X)
        X, y = SMOTE().fit_resample(X, y)
        parts = train_test_split(X, y, random_state=0)
        """,
    )
    found = findings(root, MY_FAMILIES)
    assert {code for _, _, code in found} >= {"DL701", "DL702"}
    source = (root / "train.py").read_text(encoding="utf-8").splitlines()
    for path, line, code in found:
        text = source[line - 1].lstrip()
        assert not text.startswith(("import ", "from ")), (path, line, code)


def test_peers_6_fixture_findings_are_never_on_import_lines():
    for name in ("leakage_kaggle", "leakage_fixed"):
        root = FIXTURES / name
        for path, line, code in findings(root, MY_FAMILIES):
            text = (root / path).read_text(encoding="utf-8").splitlines()[line - 1].lstrip()
            assert not text.startswith(("import ", "from ")), (name, path, line, code)


@pytest.mark.parametrize(
    "seeding",
    [
        "import lightning\nlightning.seed_everything(cfg.seed)\n",
        "import lightning as L\nL.seed_everything(cfg.seed)\n",
        "from pytorch_lightning import seed_everything\nseed_everything(cfg.seed)\n",
        "import transformers\ntransformers.set_seed(cfg.seed)\n",
        "from transformers import set_seed\nset_seed(42)\n",
        "import keras\nkeras.utils.set_random_seed(1)\n",
        "from tensorflow import keras\nkeras.utils.set_random_seed(1)\n",
        "import torch\ntorch.manual_seed(0)\n",
        "import numpy as np\nnp.random.seed(0)\n",
        "import random\nrandom.seed(0)\n",
    ],
)
def test_peers_1_framework_seed_helpers_count_as_seeded(tmp_path, seeding):
    source = (
        seeding
        + "from sklearn.model_selection import train_test_split\n"
        + "parts = train_test_split(X, y, test_size=0.2)\n"
    )
    assert findings(project(tmp_path, source), ["DL801"]) == []


def test_peers_1_control_without_a_seed_is_reported(tmp_path):
    source = """
    from sklearn.model_selection import train_test_split
    parts = train_test_split(X, y, test_size=0.2)
    """
    assert findings(project(tmp_path, source), ["DL801"]) == [("train.py", 2, "DL801")]


@pytest.mark.parametrize(
    "argument",
    ["random_state=seed", "random_state=params['seed']", "random_state=cfg.data.seed", "**split"],
)
def test_peers_3_seed_from_configuration_counts(tmp_path, argument):
    source = f"""
    import yaml
    from sklearn.model_selection import train_test_split
    params = yaml.safe_load(open("params.yaml"))
    seed = params["seed"]
    parts = train_test_split(X, y, {argument})
    """
    assert findings(project(tmp_path, source), ["DL801"]) == []


def test_peers_4_metric_names_are_not_paths(tmp_path):
    source = """
    import wandb
    wandb.log({"val/loss": 0.1, "train/acc": 0.9, "test/auc": 0.8})
    """
    assert findings(project(tmp_path, source), ["DL802"]) == []


def test_peers_5_no_exception_handling_noise(tmp_path):
    # fit/predict/pickle calls without try/except: no rule of ours complains about that. (The
    # parameters are saved beside the model, or DL808 would rightly ask for its provenance.)
    source = """
    import json
    import pickle
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    np.random.seed(0)
    model = LogisticRegression(C=1.0)
    model.fit(X, y)
    pred = model.predict(X)
    pickle.dump(model, open("model.pkl", "wb"))
    json.dump(model.get_params(), open("model.json", "w"))
    model = pickle.load(open("model.pkl", "rb"))
    """
    root = project(tmp_path, source)
    result = scan(load_settings(root), [root], Selection(select=MY_FAMILIES))
    assert [f for f in result.findings if "exception" in f.message.lower()] == []
    assert [f.code for f in result.findings] == []


# -- the requirements loader (DL804) ---------------------------------------------------------------


def test_requirements_parser():
    parsed = parse_requirements(
        "requirements.txt",
        textwrap.dedent(
            """
            # comment
            numpy==2.1.3  # pinned
            Pandas>=2
            scikit_learn[alldeps]==1.5.2 ; python_version >= "3.10"
            torch==2.*
            requests>=2,==2.32.3
            pkg @ https://example.org/pkg.tar.gz
            -r base.txt
            -c constraints.txt
            -e .
            git+https://github.com/org/repo.git
            """
        ),
    )
    pinned = {r.name: r.pinned for r in parsed.requirements}
    assert pinned == {
        "numpy": True,
        "pandas": False,
        "scikit-learn": True,
        "torch": False,
        "requests": False,
        "pkg": True,
    }
    assert parsed.constraints == ["constraints.txt"]
    assert [r.line for r in parsed.requirements][:2] == [3, 4]


def test_lock_file_silences_unpinned_requirements(tmp_path):
    root = write_tree(tmp_path, {"requirements.txt": "pandas\n", "debtlint.yaml": "{}\n"})
    assert findings(root, ["DL804"]) == [("requirements.txt", 1, "DL804")]
    (root / "poetry.lock").write_text("# lock\n", encoding="utf-8")
    assert findings(root, ["DL804"]) == []
