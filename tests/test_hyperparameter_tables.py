"""The `hyperparameters:` knowledge tables (rule DL915): lookups, user overrides, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.findings import Confidence, Finding
from debtlint.knowledge import Catalog, CatalogError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return Path(name)


def test_builtin_entries(catalog: Catalog) -> None:
    svc = catalog.key_hyperparameters("sklearn.svm.SVC")
    assert svc is not None and svc.keys == ("C", "kernel", "gamma") and svc.positional == ()
    adam = catalog.key_hyperparameters("torch.optim.Adam")
    assert adam is not None and adam.positional == ("params", "lr")
    lgbm = catalog.key_hyperparameters("lightgbm.LGBMRegressor")
    assert lgbm is not None and "eta" in lgbm.synonyms and "eta" not in lgbm.keys
    # Deliberately not listed: sound defaults, transformers, params-dict APIs.
    for name in (
        "sklearn.linear_model.LinearRegression",
        "sklearn.linear_model.LogisticRegression",
        "sklearn.preprocessing.StandardScaler",
        "sklearn.decomposition.PCA",
        "xgboost.train",
        "torch.optim.Adadelta",
    ):
        assert catalog.key_hyperparameters(name) is None, name
    assert {"sklearn", "torch", "keras", "xgboost", "lightgbm"} <= catalog.hyperparameter_modules
    assert "pandas" not in catalog.hyperparameter_modules


def test_tf_keras_spelling_is_normalised(catalog: Catalog) -> None:
    entry = catalog.key_hyperparameters("tensorflow.keras.optimizers.Adam")
    assert entry is not None and entry.call == "keras.optimizers.Adam"
    assert entry.synonyms == ("lr",)


def test_every_builtin_entry_is_consistent(catalog: Catalog) -> None:
    entries = [catalog.key_hyperparameters(n) for n in list(catalog._hyper)]
    assert len(entries) > 50
    for entry in entries:
        assert entry is not None and entry.keys
        assert not set(entry.keys) & set(entry.synonyms), entry.call


def test_user_table_adds_and_overrides(catalog: Catalog, tmp_path: Path) -> None:
    text = (
        "framework: acme\nimports: [acme]\napis: []\nhyperparameters:\n"
        "  - call: [acme.Forest, acme_legacy.Forest]\n    keys: [depth]\n"
        "    positional: [depth]\n"
        "  - call: sklearn.svm.SVC\n    keys: [C]\n"
    )
    extended = catalog.extended([write(tmp_path, "acme.yaml", text)], tmp_path)
    forest = extended.key_hyperparameters("acme.Forest")
    assert forest is not None and forest.keys == ("depth",) and forest.origin == "acme.yaml:5"
    assert extended.key_hyperparameters("acme_legacy.Forest") is not None
    assert "acme" in extended.hyperparameter_modules
    svc = extended.key_hyperparameters("sklearn.svm.SVC")
    assert svc is not None and svc.keys == ("C",) and svc.framework == "acme"
    # The built-in catalog is unchanged.
    assert catalog.key_hyperparameters("acme.Forest") is None


HEAD = "framework: acme\nimports: [acme]\napis: []\nhyperparameters:\n"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        pytest.param(HEAD + "  - call: acme.F\n", 5, "needs `keys`", id="missing-keys"),
        pytest.param(
            HEAD + "  - call: acme.F\n    keys: [a]\n    key: [b]\n",
            7,
            "unknown key 'key'",
            id="unknown-key",
        ),
        pytest.param(
            HEAD + "  - call: Forest\n    keys: [a]\n", 5, "fully qualified", id="unqualified"
        ),
        pytest.param(
            HEAD + "  - call: acme.F\n    keys: [a]\n    positional: a\n",
            7,
            "expected a list",
            id="positional-not-a-list",
        ),
        pytest.param(
            HEAD + "  - call: acme.F\n    keys: [not-a-name]\n", 6, "invalid value", id="bad-key"
        ),
        pytest.param(
            HEAD.replace("\nhyperparameters:\n", "\nhyperparameters: {}\n"),
            4,
            "expected a list",
            id="not-a-list",
        ),
    ],
)
def test_bad_tables(
    catalog: Catalog, tmp_path: Path, text: str, line: int | None, needle: str
) -> None:
    with pytest.raises(CatalogError) as info:
        catalog.extended([write(tmp_path, "bad.yaml", text)], tmp_path)
    assert info.value.file == "bad.yaml"
    assert info.value.line == line, info.value
    assert needle in info.value.message


# -- the rule's confidence and message ------------------------------------------------------------


def scan_source(tmp_path: Path, source: str) -> list[Finding]:
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    settings = load_settings(tmp_path)
    result = scan(settings, [tmp_path], Selection(select=["DL915"]))
    return sorted((f for f in result.findings if f.code == "DL915"), key=lambda f: f.location.line)


def test_confidence_and_message(tmp_path: Path) -> None:
    findings = scan_source(
        tmp_path,
        "import torch\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.cluster import KMeans\n"
        "a = torch.optim.Adam(model.parameters())\n"
        "b = RandomForestClassifier(random_state=0)\n"
        "c = torch.optim.Adam(param_groups)\n"
        "d = KMeans()\n",
    )
    assert [(f.location.line, f.confidence) for f in findings] == [
        (4, Confidence.HIGH),
        (5, Confidence.MEDIUM),
        (6, Confidence.LOW),  # the groups may carry their own lr
        (7, Confidence.HIGH),
    ]
    assert findings[0].message == (
        "`Adam` is built without its key hyperparameter `lr`: it silently takes the library default"
    )
    assert "(n_estimators, max_features, max_depth" in findings[1].message
    assert findings[3].properties["missing"] == ["n_clusters"]
    assert findings[3].entity == "sklearn.cluster.KMeans"
