from typing import Any

import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Location,
    ProjectExample,
    ProjectGraph,
    Severity,
)

_KEY = "provenance"
# Records named in a message: a few are enough to say why a file counts as recorded.
_MAX_RECORDS = 3


class ArtifactWithoutProvenance(FileRule):
    """A trained model is saved with no record of the code, parameters or data that made it.

    ## What it does
    Finds a model that is trained and then saved in the same file — `torch.save(model)` or its
    `state_dict()`, `joblib.dump`, `pickle.dump`, Keras `model.save`, `save_pretrained`,
    `booster.save_model`, `torch.onnx.export`: the model saves the fact extractor sees — when
    nothing records where it comes from. Provenance counts when it is in the saving file, in a
    project module that file imports (directly or not), or in a module that imports it (the entry
    point that calls its training function):

    - an experiment tracker: any MLflow, Weights & Biases, Neptune, ClearML, Comet, Aim, Sacred
      or DVCLive call, a Lightning logger, `save_hyperparameters()`, TensorBoard's
      `add_hparams`, a Hugging Face `Trainer` (it saves its training arguments with every
      checkpoint), `accelerator.init_trackers`;
    - a configuration or metadata file written by the script: `json.dump`, `yaml.dump`,
      `OmegaConf.save`, a Hydra `@hydra.main` app (Hydra writes each run's composed config next
      to its outputs), `dvc.api.params_show`;
    - the git commit: `git rev-parse`, GitPython's `git.Repo`;
    - a pipeline that records it: the artifact is an `outs` of a `dvc.yaml` stage with `deps`
      or `params` (its `dvc.lock` pins them), the script runs as a DVC stage and the artifact's
      path cannot be resolved, or the script is an entry point of an `MLproject`.

    The tables' `provenance:` entries list the calls. A checkpoint dictionary that stores more
    than the weights (`torch.save({"model": model.state_dict(), "config": cfg}, path)`) is not a
    bare model save and is never reported, nor is a model that is not trained where it is saved
    (a pretrained model exported, a `save(model, path)` helper), Lightning's `save_checkpoint`
    (its checkpoints carry the hyperparameters and the step), or anything in test files.

    Known false positives: provenance recorded outside Python (a shell or CI wrapper that logs
    the commit and the arguments, a model registry fed by another job); a tracker used in a
    module the saving file neither imports nor is imported by.

    ## Why is this bad?
    A model file alone cannot say which code, data and parameters produced it. When it
    misbehaves in production nobody can rebuild it, compare it with the previous one, or tell
    which experiment it came from: the reproducibility debt of Sculley et al. (2015, §8).

    ## Example
    ```python
    model.fit(X_train, y_train)
    joblib.dump(model, "models/model.pkl")
    ```

    ## Use instead
    ```python
    with mlflow.start_run():
        mlflow.log_params(params)
        model.fit(X_train, y_train)
        mlflow.sklearn.log_model(model, "model")
    ```
    or declare the artifact as an `outs` of a `dvc.yaml` stage with its `deps` and `params`, or
    write a metadata file (git commit, parameters, data version) next to it.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §8.
    - MLflow Tracking documentation; DVC documentation, `dvc.yaml` stages and `dvc.lock`.
    """

    code = "DL808"
    name = "artifact-without-provenance"
    severity = Severity.WARNING
    remediation_minutes = 30

    VALID = [
        # A checkpoint dictionary carries its metadata; it is not a bare model save.
        """
        import torch
        from torch import nn
        class Net(nn.Module):
            pass
        def train(cfg):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
            torch.save({"model": model.state_dict(), "config": cfg, "epoch": 3}, "ckpt.pt")
        """,
        """
        import joblib
        import mlflow
        from sklearn.ensemble import RandomForestClassifier
        def main(params, X, y):
            with mlflow.start_run():
                mlflow.log_params(params)
                model = RandomForestClassifier(**params).fit(X, y)
                joblib.dump(model, "model.joblib")
        """,
        """
        import json
        import joblib
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression(C=0.5)
        model.fit(X, y)
        joblib.dump(model, "models/model.joblib")
        with open("models/model.json", "w") as f:
            json.dump({"C": 0.5, "data": "data/train.csv"}, f)
        """,
        """
        import subprocess
        import joblib
        from sklearn.linear_model import LogisticRegression
        commit = subprocess.check_output(["git", "rev-parse", "HEAD"]).decode()
        model = LogisticRegression().fit(X, y)
        joblib.dump((model, commit), "model.joblib")
        joblib.dump(model, "model-only.joblib")
        """,
        """
        import hydra
        import joblib
        from sklearn.linear_model import Ridge
        @hydra.main(config_path="conf", config_name="config", version_base=None)
        def main(cfg):
            model = Ridge(alpha=cfg.alpha).fit(X, y)
            joblib.dump(model, "model.joblib")
        """,
        # Not trained here: a pretrained model exported, a save helper on a parameter.
        """
        import joblib
        from transformers import AutoModel
        AutoModel.from_pretrained("bert-base-uncased").save_pretrained("export/bert")
        def save(model, path):
            joblib.dump(model, path)
        """,
        # The Hugging Face Trainer saves its TrainingArguments with the model.
        """
        from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments
        model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        trainer = Trainer(model=model, args=TrainingArguments(output_dir="out"))
        trainer.train()
        trainer.save_model("out/final")
        model.save_pretrained("out/final")
        """,
        """
        import lightning as L
        class Net(L.LightningModule):
            pass
        def main(loader):
            model = Net()
            trainer = L.Trainer(max_epochs=3)
            trainer.fit(model, loader)
            trainer.save_checkpoint("last.ckpt")
        """,
        # Checkpoints written by a training callback are not save calls of the script.
        """
        from tensorflow import keras
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X, y, callbacks=[keras.callbacks.ModelCheckpoint("best.keras")])
        """,
        ProjectExample(
            files={
                "tests/test_train.py": """
                    import joblib
                    from sklearn.linear_model import LogisticRegression
                    def test_roundtrip(tmp_path):
                        model = LogisticRegression().fit([[0], [1]], [0, 1])
                        joblib.dump(model, tmp_path / "m.pkl")
                    """,
            },
            description="models saved by tests are not artifacts",
        ),
        ProjectExample(
            files={
                "src/train.py": """
                    import joblib
                    from sklearn.linear_model import LogisticRegression
                    def train(X, y, path):
                        model = LogisticRegression()
                        model.fit(X, y)
                        joblib.dump(model, path)
                    """,
                "main.py": """
                    import wandb
                    from src.train import train
                    run = wandb.init(project="churn", config={"C": 1.0})
                    train(X, y, "models/model.pkl")
                    """,
            },
            description="the entry point that calls the training function starts a W&B run",
        ),
        ProjectExample(
            files={
                "src/model.py": """
                    import lightning as L
                    class Net(L.LightningModule):
                        def __init__(self, lr):
                            super().__init__()
                            self.save_hyperparameters()
                    """,
                "src/train.py": """
                    import lightning as L
                    import torch
                    from src.model import Net
                    def main():
                        model = Net(lr=0.01)
                        L.Trainer(max_epochs=2).fit(model)
                        torch.save(model.state_dict(), "net.pt")
                    """,
            },
            description="the module the script imports saves its hyperparameters",
        ),
        ProjectExample(
            files={
                "dvc.yaml": """
                    stages:
                      train:
                        cmd: python src/train.py
                        deps:
                          - data/train.csv
                          - src/train.py
                        params:
                          - train.C
                        outs:
                          - models/model.pkl
                    """,
                "params.yaml": """
                    train:
                      C: 0.5
                    """,
                "src/train.py": """
                    import joblib
                    import pandas as pd
                    from sklearn.linear_model import LogisticRegression
                    df = pd.read_csv("data/train.csv")
                    model = LogisticRegression(C=0.5).fit(df[["x"]], df["y"])
                    joblib.dump(model, "models/model.pkl")
                    """,
            },
            description="a DVC stage output with deps and params: dvc.lock records them",
        ),
        ProjectExample(
            files={
                "MLproject": """
                    name: churn
                    entry_points:
                      main:
                        parameters:
                          C: {type: float, default: 1.0}
                        command: "python train.py --C {C}"
                    """,
                "train.py": """
                    import joblib
                    from sklearn.linear_model import LogisticRegression
                    model = LogisticRegression().fit(X, y)
                    joblib.dump(model, "model.pkl")
                    """,
            },
            description="an MLflow Projects entry point: `mlflow run` records its parameters",
        ),
    ]
    INVALID = [
        """
        import joblib
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=300)
        model.fit(X_train, y_train)
        joblib.dump(model, "models/model.joblib")  # expect: DL808
        """,
        """
        import torch
        from torch import nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 2)
        def main(loader):
            model = Net()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            torch.save(model.state_dict(), "checkpoints/net.pt")  # expect: DL808
        """,
        """
        import xgboost as xgb
        booster = xgb.train({"max_depth": 4}, dtrain, num_boost_round=50)
        booster.save_model("models/booster.json")  # expect: DL808
        """,
        """
        import pickle
        from tensorflow import keras
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X, y, epochs=5)
        model.save("model.keras")  # expect: DL808
        with open("model.pkl", "wb") as f:
            pickle.dump(model, f)  # expect: DL808
        """,
        ProjectExample(
            files={
                "dvc.yaml": """
                    stages:
                      train:
                        cmd: python train.py
                        deps: [train.py, data/train.csv]
                        outs: [metrics.json]
                    """,
                "train.py": """
                    import joblib
                    from sklearn.linear_model import LogisticRegression
                    model = LogisticRegression().fit(X, y)
                    joblib.dump(model, "models/model.pkl")  # expect: DL808
                    """,
            },
            description="a DVC stage runs the script, but the model is not one of its outs",
        ),
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.records: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        repro = self.ctx.catalog.repro
        qual = self.ctx.qualname(node.func)
        if qual is not None and repro.call(_KEY, qual) is not None:
            self.records.add(qual)
        elif isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if repro.method(_KEY, method, self.ctx.imported_roots) is not None:
                self.records.add(f".{method}()")

    def finish(self) -> None:
        texts = self.ctx.catalog.repro.names(_KEY, "text")
        self.records.update(f"'{t}'" for t in texts if t in self.ctx.source)

    def project_facts(self) -> Any:
        return sorted(self.records)[:_MAX_RECORDS] or None

    def check_project(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        recorded = {
            path for path, f in graph.files.items() if f.rule_facts.get(self.code) and not f.is_test
        }
        dvc_scripts, mlflow_scripts = _pipeline_scripts(graph)
        catalog = graph.catalog
        built_trained = catalog.group("trains-when-built") if catalog is not None else frozenset()
        written: dict[Location, list[str]] = {}
        for write in graph.writes():
            path = graph.data_node(write.data_id).get("path")
            if path:
                written.setdefault(write.location, []).append(str(path))
        for path in sorted(graph.files):
            facts = graph.files[path]
            if facts.is_test or path in mlflow_scripts:
                continue
            trained = {use.model for use in facts.uses if use.kind == "train"}
            trained.update(s.id for s in facts.models if s.api in built_trained)
            # One finding per call: a method two imported tables know is recorded twice.
            saves = list(
                {
                    use.span: use
                    for use in facts.uses
                    if use.kind == "save" and use.model in trained
                }.values()
            )
            if not saves:
                continue
            near = flow.with_imports([path]) | set(flow.imported_by(path))
            if near & recorded:
                continue
            names = {site.id: site.name or site.api.rsplit(".", 1)[-1] for site in facts.models}
            for use in saves:
                location = facts.location(use.span)
                artifacts = [use.path.value] if use.path and use.path.value else []
                artifacts = artifacts or written.get(location, [])
                if any(_stage_output(graph, a) for a in artifacts):
                    continue
                if path in dvc_scripts and not artifacts:
                    continue  # most likely one of the stage's outs
                name = names.get(use.model, "model")
                where = f"to {artifacts[0]}" if artifacts else f"by {use.api.lstrip('.')}"
                self.report(
                    location,
                    f"model '{name}' is trained and saved {where} with no record of the code "
                    "version, parameters or data that produced it",
                    entity=artifacts[0] if artifacts else name,
                    confidence=Confidence.MEDIUM,
                    help="Log the run with an experiment tracker (mlflow.log_params and "
                    "log_model, wandb.init(config=...)), declare the artifact as an `outs` of a "
                    "dvc.yaml stage with its deps and params, or write the git commit, the "
                    "parameters and the data version to a metadata file next to it.",
                )


def _pipeline_scripts(graph: ProjectGraph) -> tuple[set[str], set[str]]:
    """Scripts run by a DVC stage, and scripts run by an MLflow Projects entry point."""
    flow = graph.flow()
    dvc, mlproject = graph.manifest.dvc, graph.manifest.mlproject
    stages = dvc.stages if dvc is not None else []
    entries = mlproject.entry_points if mlproject is not None else []
    dvc_scripts = {s for stage in stages for s in flow.stage_scripts(stage.cmd)}
    mlflow_scripts = {s for entry in entries for s in flow.stage_scripts([entry.command])}
    return dvc_scripts, mlflow_scripts


def _stage_output(graph: ProjectGraph, artifact: str) -> bool:
    """Whether a dvc.yaml stage with deps or params declares ``artifact`` (or its folder) as an
    output: dvc.lock then records what produced it."""
    dvc = graph.manifest.dvc
    if dvc is None:
        return False
    for stage in dvc.stages:
        if not (stage.deps or stage.params):
            continue
        for out in stage.outs:
            prefix = out.path.rstrip("/")
            if artifact == prefix or artifact.startswith(prefix + "/"):
                return True
    return False
