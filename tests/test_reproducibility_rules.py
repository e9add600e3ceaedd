"""DL805 and DL808: each VALID example is valid for the reason it shows.

Removing (or turning off) the one thing that makes an example valid must make the rule report,
so that a VALID example cannot pass merely because the rule saw nothing at all.
"""

from __future__ import annotations

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.knowledge import Catalog, CatalogError
from debtlint.loader import Registry
from debtlint.rule import ProjectExample
from debtlint.testing import ExampleCase, run_case

REGISTRY = Registry.load()


def _text(example: str | ProjectExample) -> str:
    return "\n".join(example.files.values()) if isinstance(example, ProjectExample) else example


def _mutated(code: str, edits: list[tuple[str, str]]) -> ExampleCase:
    """The one VALID example that contains the first edit's text, with every edit applied."""
    valid = REGISTRY.rules[code].VALID
    found = [i for i, example in enumerate(valid) if edits[0][0] in _text(example)]
    assert len(found) == 1, (edits[0][0], found)
    index = found[0]
    example = valid[index]
    if isinstance(example, ProjectExample):
        files = dict(example.files)
        for old, new in edits:
            hits = [path for path, text in files.items() if old in text]
            assert len(hits) == 1, (old, hits)
            files[hits[0]] = files[hits[0]].replace(old, new)
        mutated: str | ProjectExample = ProjectExample(files=files)
    else:
        mutated = example
        for old, new in edits:
            assert old in mutated, old
            mutated = mutated.replace(old, new)
    return ExampleCase(REGISTRY.rules[code], "VALID", index, mutated)


def _reports(case: ExampleCase) -> bool:
    problems = run_case(case)
    assert all(p.startswith(f"unexpected {case.rule.code}") for p in problems), problems
    return bool(problems)


DL805_MUTATIONS = [
    [("torch.use_deterministic_algorithms(True)", "pass")],
    [("cudnn.deterministic = True", "cudnn.deterministic = False")],
    [("args.deterministic", "False")],
    [(', deterministic="warn"', "")],
    [("**cfg.trainer", "max_epochs=1")],
    [("Trainer.from_argparse_args(args)", "Trainer(max_epochs=1)")],
    [("LightningCLI()", "pass")],
    [(", deterministic=True", "")],
    [("full_determinism=True", "full_determinism=False")],
    [("parser = HfArgumentParser(TrainingArguments)", "parser = None")],
    [("tf.config.experimental.enable_op_determinism()", "pass")],
    [('os.environ["TF_DETERMINISTIC_OPS"] = "1"', "pass")],
    [("torch.use_deterministic_algorithms(mode=True)", "pass")],
    [("deterministic: false", "precision: 32")],
    [("policy = torch.nn.Linear(4, 2)", "policy = torch.nn.Linear(4, 2).cuda()")],
]


@pytest.mark.parametrize("edits", DL805_MUTATIONS, ids=[e[0][0][:40] for e in DL805_MUTATIONS])
def test_dl805_valid_examples_hinge_on_their_switch(edits):
    assert _reports(_mutated("DL805", edits))


def test_dl805_tests_folder_example_moves_out_of_tests():
    case = _mutated("DL805", [("def test_forward():", "def test_forward():")])
    assert not _reports(case)
    assert isinstance(case.example, ProjectExample)
    moved = ProjectExample(files={"src/model_check.py": case.example.files["tests/test_model.py"]})
    assert _reports(ExampleCase(case.rule, "VALID", case.index, moved))


DL808_MUTATIONS = [
    [('{"model": model.state_dict(), "config": cfg, "epoch": 3}', "model.state_dict()")],
    [("with mlflow.start_run():", "if True:"), ("mlflow.log_params(params)", "pass")],
    [("json.dump(", "print(")],
    [('"rev-parse", ', "")],
    [('@hydra.main(config_path="conf", config_name="config", version_base=None)', "")],
    [('run = wandb.init(project="churn", config={"C": 1.0})', "run = None")],
    [("self.save_hyperparameters()", "pass")],
    [
        (
            "outs:\n                          - models/model.pkl",
            "outs:\n                          - other.pkl",
        )
    ],
    [('command: "python train.py --C {C}"', 'command: "python other.py --C {C}"')],
]


@pytest.mark.parametrize("edits", DL808_MUTATIONS, ids=[e[0][0][:40] for e in DL808_MUTATIONS])
def test_dl808_valid_examples_hinge_on_their_record(edits):
    assert _reports(_mutated("DL808", edits))


def test_dl808_dvc_stage_without_deps_or_params_is_no_provenance():
    edits = [
        (
            "deps:\n                          - data/train.csv\n                          - src/train.py\n",
            "",
        ),
        ("params:\n                          - train.C\n", ""),
    ]
    assert _reports(_mutated("DL808", edits))


def test_repro_knowledge_lookups():
    repro = Catalog.builtin().repro
    # Aliases apply: the old package name and the top-level re-export find the Trainer switch.
    for name in ("pytorch_lightning.Trainer", "lightning.Trainer", "lightning.pytorch.Trainer"):
        entry = repro.call("determinism", name)
        assert entry is not None and entry.switch is not None
        assert entry.switch.kws == ("deterministic",)
    assert repro.call("provenance", "mlflow.sklearn.log_model") is not None
    assert repro.call("provenance", "json.dumps") is None
    assert repro.call("determinism", "lightning.pytorch.seed_everything") is None
    assert "torch.backends.cudnn.deterministic" in repro.names("determinism", "attribute")
    # Methods count only where their framework is imported.
    assert repro.method("provenance", "save_hyperparameters", frozenset({"lightning"}))
    assert repro.method("provenance", "save_hyperparameters", frozenset({"pandas"})) is None


def test_repro_knowledge_is_validated(tmp_path):
    table = tmp_path / "mine.yaml"
    table.write_text(
        "framework: mine\nimports: [mine]\napis: []\nprovenance:\n"
        "  - call: mine.log\n    switch: {arg: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="switch"):
        Catalog.builtin().extended([table], tmp_path)
    table.write_text(
        "framework: mine\nimports: [mine]\napis: []\ndeterminism:\n  - method: on\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="determinism entry needs exactly one of"):
        Catalog.builtin().extended([table], tmp_path)


def test_dl808_reports_a_save_once_when_two_tables_know_its_method(tmp_path):
    (tmp_path / "train.py").write_text(
        "import lightgbm as lgb\n"
        "import xgboost as xgb\n"
        "booster = xgb.train({'max_depth': 4}, dtrain)\n"
        "booster.save_model('booster.json')\n",
        encoding="utf-8",
    )
    result = scan(load_settings(tmp_path), [tmp_path], Selection(select=["DL808"]))
    assert [(f.code, f.location.line) for f in result.findings] == [("DL808", 4)]
