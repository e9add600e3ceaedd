"""The packaged API tables and the catalog that answers lookups over them."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest

from debtlint.knowledge import ROLES, ApiEntry, ArgSpec, Catalog, CatalogError, ModeSpec

PANDAS_ONLY = frozenset({"pandas"})


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def only(entries: tuple[ApiEntry, ...], role: str | None = None) -> ApiEntry:
    matching = [e for e in entries if role is None or e.role == role]
    assert len(matching) == 1, entries
    return matching[0]


# -- the packaged tables -------------------------------------------------------------------------


def test_every_packaged_table_loads(catalog: Catalog) -> None:
    files = [
        r.name
        for r in importlib.resources.files("debtlint.knowledge").iterdir()
        if r.name.endswith(".yaml")
    ]
    assert len(files) == len(catalog.frameworks)
    assert {f.removesuffix(".yaml") for f in files} == set(catalog.frameworks)
    assert Catalog.builtin() is catalog  # cached


def test_every_role_is_used(catalog: Catalog) -> None:
    assert {e.role for e in catalog.entries()} == ROLES


def test_generic_methods_need_a_model_receiver(catalog: Catalog) -> None:
    # fit/predict on any receiver would match everything; only Lightning's trainer.fit is allowed,
    # and it names the model argument instead.
    for entry in catalog.entries():
        if entry.kind == "method" and entry.name in {"fit", "predict", "predict_proba", "score"}:
            assert entry.receiver == "model" or (
                entry.framework == "lightning" and entry.model is not None
            ), entry


def test_ml_packages(catalog: Catalog) -> None:
    assert {"sklearn", "torch", "lightning", "pytorch_lightning", "tensorflow", "keras"} <= (
        catalog.ml_packages
    )
    assert {"xgboost", "lightgbm", "catboost", "transformers", "datasets", "mlflow"} <= (
        catalog.ml_packages
    )
    assert not {"pandas", "numpy", "os", "json", "builtins"} & catalog.ml_packages


# -- call lookups --------------------------------------------------------------------------------


def test_pandas_read_csv(catalog: Catalog) -> None:
    entry = only(catalog.lookup_call("pandas.read_csv"))
    assert (entry.framework, entry.role, entry.kind) == ("pandas", "read", "call")
    assert entry.path == ArgSpec((0,), ("filepath_or_buffer",))
    assert entry.columns is not None
    assert entry.columns.find([], {"usecols": ["a", "b"]}) == ["a", "b"]
    assert entry.path.find(["data.csv"], {}) == "data.csv"
    assert entry.path.find(["x.csv"], {"filepath_or_buffer": "y.csv"}) == "y.csv"  # keyword wins
    assert entry.path.find([], {}) is None


def test_unknown_call(catalog: Catalog) -> None:
    assert catalog.lookup_call("mypkg.do_things") == ()
    assert catalog.lookup_call("pandas.DataFrame") == ()


def test_sklearn_ensemble_traits(catalog: Catalog) -> None:
    forest = only(catalog.lookup_call("sklearn.ensemble.RandomForestClassifier"), "construct")
    assert forest.role == "construct"
    assert "ensemble" in forest.traits
    # The glob covers estimators that are not listed one by one.
    isolation = only(catalog.lookup_call("sklearn.ensemble.RandomTreesEmbedding"))
    assert isolation.traits == ("ensemble",)
    # A more specific glob wins over `[A-Z]*`.
    boosting = only(
        catalog.lookup_call("sklearn.ensemble.HistGradientBoostingClassifier"), "construct"
    )
    assert set(boosting.traits) == {"ensemble", "boosting"}
    # Globs match the last segment only, never across a dot.
    assert catalog.lookup_call("sklearn.ensemble.RandomForestClassifier.fit") == ()
    assert catalog.lookup_call("sklearn.ensemble.make_something") == ()


def test_sklearn_stacking_submodels(catalog: Catalog) -> None:
    entry = only(catalog.lookup_call("sklearn.ensemble.StackingClassifier"))
    assert set(entry.traits) == {"ensemble", "stacking"}
    assert entry.submodels is not None
    found = entry.submodels.find_all([], {"estimators": "E", "final_estimator": "F"})
    assert found == ["E", "F"]
    voting = only(catalog.lookup_call("sklearn.ensemble.VotingClassifier"))
    assert voting.submodels is not None
    assert voting.submodels.find(["E"], {}) == "E"
    bagging = only(catalog.lookup_call("sklearn.ensemble.BaggingRegressor"), "construct")
    assert bagging.submodels is not None
    assert bagging.submodels.find([], {"base_estimator": "B"}) == "B"


def test_sklearn_other_modules(catalog: Catalog) -> None:
    assert only(catalog.lookup_call("sklearn.linear_model.LogisticRegression")).traits == (
        "linear",
    )
    assert only(catalog.lookup_call("sklearn.naive_bayes.GaussianNB")).role == "construct"
    assert catalog.lookup_call("sklearn.neighbors.KDTree") == ()  # not an estimator
    search = only(catalog.lookup_call("sklearn.model_selection.RandomizedSearchCV"), "construct")
    assert search.submodels == ArgSpec((0,), ("estimator",))
    split = only(catalog.lookup_call("sklearn.model_selection.train_test_split"))
    assert split.role == "random"
    assert split.seed is not None and split.seed.find([], {"random_state": 0}) == 0
    metric = only(catalog.lookup_call("sklearn.metrics.accuracy_score"))
    assert metric.role == "evaluate"
    assert only(catalog.lookup_call("sklearn.metrics.pairwise.cosine_similarity")).role == (
        "evaluate"
    )


def test_prefix_patterns_prefer_the_longest_and_exact_names(catalog: Catalog) -> None:
    assert only(catalog.lookup_call("os.path.join")).role == "glue"
    assert only(catalog.lookup_call("os.makedirs")).role == "glue"
    assert only(catalog.lookup_call("torch.nn.functional.relu")).role == "ml-core"
    # shutil.* is glue, but copy is known exactly: it reads its source and writes its target.
    copy = catalog.lookup_call("shutil.copy")
    assert {e.role for e in copy} == {"read", "write"}
    read, write = only(copy, "read"), only(copy, "write")
    assert read.path is not None and read.path.find(["a", "b"], {}) == "a"
    assert write.path is not None and write.path.find(["a", "b"], {}) == "b"
    assert only(catalog.lookup_call("shutil.rmtree")).role == "glue"


def test_open_mode(catalog: Catalog) -> None:
    entry = only(catalog.lookup_call("builtins.open"))
    assert entry.role == "open"
    assert isinstance(entry.mode, ModeSpec)
    assert entry.mode.default == "r"
    assert entry.mode.find(["f.txt", "wb"], {}) == "wb"
    assert ModeSpec.writes("wb") and ModeSpec.writes("a") and ModeSpec.writes("r+")
    assert not ModeSpec.writes("rb") and not ModeSpec.writes(entry.mode.default)


def test_file_object_paths(catalog: Catalog) -> None:
    dump = only(catalog.lookup_call("pickle.dump"))
    assert dump.role == "write" and dump.file_object
    assert dump.value == ArgSpec((0,), ("obj",))
    assert dump.path == ArgSpec((1,), ("file",))
    assert not only(catalog.lookup_call("pandas.read_csv")).file_object


def test_joblib_dump_value_and_path(catalog: Catalog) -> None:
    entry = only(catalog.lookup_call("joblib.dump"))
    assert entry.role == "write"
    assert entry.value is not None and entry.path is not None
    assert entry.value.find(["model", "m.pkl"], {}) == "model"
    assert entry.path.find(["model", "m.pkl"], {}) == "m.pkl"
    assert entry.path.find(["model"], {"filename": "k.pkl"}) == "k.pkl"
    # The old vendored copy is an alias.
    assert only(catalog.lookup_call("sklearn.externals.joblib.dump")) == entry


def test_keras_through_tensorflow(catalog: Catalog) -> None:
    assert catalog.normalise("tensorflow.keras.models.load_model") == "keras.models.load_model"
    entry = only(catalog.lookup_call("tensorflow.keras.models.load_model"))
    assert (entry.framework, entry.role) == ("keras", "load-model")
    assert entry.path is not None and entry.path.find(["m.keras"], {}) == "m.keras"
    assert only(catalog.lookup_call("tensorflow.keras.layers.Dense")).role == "ml-core"
    base = catalog.model_base("tensorflow.keras.Model")
    assert base is not None and base.traits == ("neural-network",)
    assert only(catalog.lookup_call("keras.Sequential")).role == "construct"
    assert catalog.frameworks_for("tensorflow.keras.Model") == "keras"
    assert catalog.frameworks_for("tensorflow.random.set_seed") == "tensorflow"


def test_lightning_namespaces(catalog: Catalog) -> None:
    for name in (
        "lightning.pytorch.seed_everything",
        "pytorch_lightning.seed_everything",
        "lightning.seed_everything",
    ):
        entry = only(catalog.lookup_call(name))
        assert (entry.framework, entry.role) == ("lightning", "seed"), name
        assert entry.seed is not None and entry.seed.find([42], {}) == 42
    for name in (
        "lightning.pytorch.LightningModule",
        "pytorch_lightning.LightningModule",
        "lightning.LightningModule",
        "pytorch_lightning.core.LightningModule",
    ):
        base = catalog.model_base(name)
        assert base is not None and base.framework == "lightning", name
    assert catalog.model_base("lightning.pytorch.LightningDataModule") is None
    assert catalog.frameworks_for("pytorch_lightning.Trainer") == "lightning"


def test_torch(catalog: Catalog) -> None:
    base = catalog.model_base("torch.nn.Module")
    assert base is not None and base.role == "model-class" and base.kind == "base"
    save = only(catalog.lookup_call("torch.save"))
    assert save.role == "write" and save.value is not None and save.path is not None
    assert only(catalog.lookup_call("torch.load")).role == "read"
    assert only(catalog.lookup_call("torch.use_deterministic_algorithms")).role == "determinism"
    datasets = only(catalog.lookup_call("torchvision.datasets.MNIST"))
    assert datasets.path is not None and datasets.path.find([], {"root": "data"}) == "data"
    assert catalog.model_base("torch.nn.Linear") is None


def test_transformers_tokenizers_are_not_models(catalog: Catalog) -> None:
    roots = frozenset({"transformers"})
    pretrained = only(catalog.lookup_method("from_pretrained", roots))
    assert pretrained.role == "pretrained" and pretrained.revision is not None
    assert pretrained.revision.find(["bert"], {"revision": "abc123"}) == "abc123"
    tokenizer = only(catalog.lookup_call("transformers.AutoTokenizer.from_pretrained"))
    # Loading a tokenizer consumes part of a model's artifacts; it defines no model and is no
    # data dependency.
    assert tokenizer.role == "load-model" and tokenizer.revision is not None


# -- method lookups ------------------------------------------------------------------------------


def test_methods_are_gated_by_imports(catalog: Catalog) -> None:
    assert catalog.lookup_method("to_csv", frozenset({"os", "sys"})) == ()
    entry = only(catalog.lookup_method("to_csv", PANDAS_ONLY | {"os"}))
    assert (entry.framework, entry.role, entry.kind) == ("pandas", "write", "method")
    assert entry.receiver == "any"
    assert catalog.lookup_method("no_such_method", PANDAS_ONLY) == ()


def test_fit_needs_a_model_receiver(catalog: Catalog) -> None:
    sk = only(catalog.lookup_method("fit", frozenset({"sklearn"})))
    assert sk.role == "train" and sk.receiver == "model"
    assert sk.inputs is not None and sk.inputs.find_all(["X", "y"], {}) == ["X", "y"]
    trainer = only(catalog.lookup_method("fit", frozenset({"lightning"})))
    assert trainer.receiver == "any"
    assert trainer.model is not None and trainer.model.find(["net"], {}) == "net"


def test_identical_method_knowledge_is_reported_once(catalog: Catalog) -> None:
    # pandas and numpy both list `tolist` as a conversion.
    both = catalog.lookup_method("tolist", frozenset({"pandas", "numpy", "torch"}))
    assert len(both) == 1 and both[0].role == "convert"


def test_lookups_are_memoised(catalog: Catalog) -> None:
    first = catalog.lookup_call("pandas.read_parquet")
    assert catalog.lookup_call("pandas.read_parquet") is first
    roots = frozenset({"pandas"})
    assert catalog.lookup_method("to_parquet", roots) is catalog.lookup_method("to_parquet", roots)


def test_argspec_find_ignores_missing_positions() -> None:
    spec = ArgSpec((2,), ())
    assert spec.find(["a", "b"], {}) is None
    assert spec.find_all(["a", "b", "c"], {}) == ["c"]


# -- user tables ---------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return Path(name)


GOOD = """\
framework: acme
imports: [acme]
ml: true
aliases:
  acme_legacy: acme
apis:
  - call: acme.io.load_table
    role: read
    path: {arg: 0, kw: uri}
  - method: persist
    role: save-model
    receiver: model
    path: {arg: 0}
  - base: acme.Model
    role: model-class
"""


def test_user_catalog_extends_the_builtin_one(catalog: Catalog, tmp_path: Path) -> None:
    extended = catalog.extended([write(tmp_path, "acme.yaml", GOOD)], tmp_path)
    entry = only(extended.lookup_call("acme_legacy.io.load_table"))
    assert entry.framework == "acme" and entry.origin == "acme.yaml:7"
    assert only(extended.lookup_method("persist", frozenset({"acme"}))).receiver == "model"
    assert extended.model_base("acme.Model") is not None
    assert "acme" in extended.ml_packages
    assert only(extended.lookup_call("pandas.read_csv")).framework == "pandas"
    # The built-in catalog is unchanged.
    assert catalog.lookup_call("acme.io.load_table") == ()


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: reads\n",
            5,
            "unknown role 'reads'",
            id="unknown-role",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: read\n"
            "    pth: {arg: 0}\n",
            6,
            "unknown key 'pth'",
            id="unknown-entry-key",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\nmodel: true\napis: []\n",
            3,
            "unknown key 'model'",
            id="unknown-table-key",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: read\n"
            "    path: {arg: zero}\n",
            6,
            "positional index",
            id="wrong-type-arg",
        ),
        pytest.param(
            "framework: acme\nimports: acme\napis: []\n",
            2,
            "imports",
            id="wrong-type-imports",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\nml: yes please\napis: []\n",
            3,
            "true or false",
            id="wrong-type-ml",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: read\n"
            "    path: {arg: 0\n",
            7,
            "invalid YAML",
            id="malformed-yaml",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.*.f\n    role: read\n",
            4,
            "last segment",
            id="glob-not-last",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: read\n"
            "    value: {arg: 0}\n",
            6,
            "does not apply to role read",
            id="slot-for-other-role",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: predict\n"
            "    receiver: model\n",
            6,
            "method",
            id="receiver-on-call",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: construct\n"
            "    traits: [huge]\n",
            6,
            "unknown trait",
            id="unknown-trait",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: model-class\n",
            5,
            "model-class",
            id="model-class-needs-base",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    method: g\n"
            "    role: read\n",
            4,
            "exactly one",
            id="two-kinds",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\napis:\n  - call: acme.f\n    role: read\n"
            "    path: {}\n",
            6,
            "`arg` and/or `kw`",
            id="empty-argspec",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\naliases:\n  tensorflow.keras: tf_keras2\napis: []\n",
            4,
            "conflicts",
            id="conflicting-alias",
        ),
        pytest.param(
            "framework: pandas\nimports: [pandas]\napis: []\n",
            None,
            "already defined",
            id="duplicate-framework",
        ),
        pytest.param(
            "framework: acme\nimports: [acme]\nversion: 2\napis: []\n",
            3,
            "version",
            id="unsupported-version",
        ),
        pytest.param("framework: acme\n", 1, "missing required key", id="missing-key"),
    ],
)
def test_bad_user_catalogs(
    catalog: Catalog, tmp_path: Path, text: str, line: int | None, needle: str
) -> None:
    file = write(tmp_path, "bad.yaml", text)
    with pytest.raises(CatalogError) as info:
        catalog.extended([file], tmp_path)
    error = info.value
    assert error.file == "bad.yaml"
    assert error.line == line, error
    assert needle in error.message
    assert str(error).startswith("bad.yaml")


def test_alias_cycles_are_rejected(catalog: Catalog, tmp_path: Path) -> None:
    text = (
        "framework: acme\nimports: [acme]\naliases:\n  acme.a: acme.b\n  acme.b: acme.a\napis: []\n"
    )
    with pytest.raises(CatalogError, match="cycle") as info:
        catalog.extended([write(tmp_path, "cycle.yaml", text)], tmp_path)
    assert info.value.file == "cycle.yaml" and info.value.line == 4


def test_missing_user_catalog(catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        catalog.extended([Path("nope.yaml")], tmp_path)
    assert info.value.file == "nope.yaml"
