from debtlint.api import (
    Option,
    ProjectExample,
    ProjectGraph,
    ProjectRule,
    Severity,
    model_complexity,
)


def _threshold_ok(value: float) -> bool:
    return value >= 0


class UnownedModel(ProjectRule):
    """A model that nobody is listed as owning; an error when the model is complex.

    ## What it does
    Finds every model in the project — classes deriving from `torch.nn.Module`,
    `lightning.LightningModule`, `keras.Model` or scikit-learn's `BaseEstimator`; estimator
    constructions from scikit-learn, XGBoost, LightGBM and CatBoost; `from_pretrained` loads; and the
    artifacts they are saved to — and checks that someone owns it. A model is owned when
    `debtlint.yaml` lists it under `models:` with an `owner` (matched by the entry's name, its
    `class:` names, its `code:` globs of the files that define or train it, or its `artifacts:`
    globs), or when `CODEOWNERS` (`.github/`, root or `docs/`, last match wins) covers the file that
    defines it, a file that trains it, or its saved artifact.

    Each model gets a complexity index (see the README: ensemble/boosting/stacking/neural network
    +5, nested estimators +3 each, hyperparameters +0.5 each, input feature columns +1 each,
    upstream data sources +2 each, saved artifact +3, layers +0.5 each, class size). An unowned model
    whose index reaches `complexity-threshold` is an **error** and fails `debtlint scan`; a simpler
    one is a warning. The message lists the factors that made the model complex.

    Only models the project uses are checked: a model class that something instantiates, an
    estimator that is fitted, evaluated, used to predict or saved, and every pretrained load. A
    class nobody instantiates or an estimator built as a default argument is a library definition
    (ML libraries define hundreds), not a model this project runs.

    Known false positives: owners recorded outside the repository (a wiki, registry tags); throw-away
    models in tests (files under `tests/` and `test_*.py` are skipped by default, see
    `include-tests`). Known false negatives: a model class built through Hydra's
    `instantiate(cfg.model)` counts as used only when its `_target_` can be read from the config.

    ## Why is this bad?
    Sculley et al. (2015) describe how models become shared, entangled assets whose boundaries
    erode; without an accountable owner nobody reviews changes to their data, retrains them, or
    answers when they misbehave. A complex model is the most expensive to inherit.

    ## Example
    ```python
    model = StackingClassifier(estimators=[("xgb", XGBClassifier()), ("rf", RandomForestClassifier())])
    model.fit(X, y)
    ```

    ## Use instead
    ```yaml
    # debtlint.yaml
    models:
      churn-stack:
        owner: "@acme/ml-platform"
        code: [train.py]
    ```
    or a `CODEOWNERS` line covering `train.py` or the saved artifact.

    ## Options
    - `complexity-threshold` (number, default 10): index at or above which an unowned model is an
      error.
    - `include-tests` (bool, default false): also check models defined in test files.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §2.
    - Breck et al., "The ML Test Score", 2017, Model 1.
    """

    code = "DL101"
    name = "unowned-model"
    severity = Severity.WARNING
    remediation_minutes = 15
    options = {
        "complexity-threshold": Option(
            (int, float),
            10.0,
            "complexity index at which an unowned model is an error",
            _threshold_ok,
            "must be >= 0",
        ),
        "include-tests": Option(bool, False, "also check models defined in test files"),
    }

    VALID = [
        ProjectExample(
            {
                "train.py": """
                from sklearn.linear_model import LogisticRegression
                model = LogisticRegression()
                model.fit([[0], [1]], [0, 1])
                """,
                "debtlint.yaml": """
                models:
                  churn:
                    owner: "@acme/ml"
                    code: [train.py]
                """,
            },
            "owned through the manifest's code globs",
        ),
        ProjectExample(
            {
                "src/net.py": """
                import torch.nn as nn
                class Net(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(4, 2)
                """,
                "train.py": """
                import torch
                from src.net import Net
                model = Net()
                torch.save(model.state_dict(), "checkpoints/net.pt")
                """,
                "CODEOWNERS": "/src/ @acme/vision\n",
            },
            "owned through CODEOWNERS",
        ),
        ProjectExample(
            {
                "tests/test_model.py": """
                from sklearn.linear_model import LogisticRegression
                def test_fit():
                    LogisticRegression().fit([[0], [1]], [0, 1])
                """,
            },
            "models in tests are throw-away by default",
        ),
        ProjectExample(
            {
                "mylib/forest.py": """
                from sklearn.base import BaseEstimator
                from sklearn.tree import DecisionTreeClassifier

                class Forest(BaseEstimator):
                    def __init__(self, base=DecisionTreeClassifier()):
                        self.base = base
                """,
            },
            "a library's estimator definitions: nothing here instantiates or fits them",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "train.py": """
                import joblib
                import pandas as pd
                from sklearn.ensemble import RandomForestClassifier, StackingClassifier
                from sklearn.linear_model import LogisticRegression
                from xgboost import XGBClassifier

                df = pd.read_csv("data/train.csv")
                X, y = df[["a", "b", "c"]], df["target"]
                model = StackingClassifier(  # expect: DL101
                    estimators=[("xgb", XGBClassifier(n_estimators=500)), ("rf", RandomForestClassifier())],
                    final_estimator=LogisticRegression(),
                )
                model.fit(X, y)
                joblib.dump(model, "models/stack.pkl")
                """,
            },
            "a complex unowned ensemble: an error",
        ),
        ProjectExample(
            {
                "baseline.py": """
                from sklearn.linear_model import LogisticRegression
                clf = LogisticRegression()  # expect: DL101
                clf.fit([[0], [1]], [0, 1])
                """,
                "CODEOWNERS": "/src/ @acme/ml\n",
            },
            "a simple unowned model (CODEOWNERS covers other paths only): a warning",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        threshold = float(self.opts["complexity-threshold"])
        for model in graph.models():
            if not model.in_use or graph.owners_of(model.id):
                continue
            if not self.opts["include-tests"] and graph.files[model.path].is_test:
                continue
            complexity = model_complexity(graph, model)
            complex_ = complexity.score >= threshold
            verdict = (
                f"complex (index {complexity.score:g} >= {threshold:g}: {complexity.explain()})"
                if complex_
                else f"complexity index {complexity.score:g} < {threshold:g}"
            )
            self.report(
                model.location,
                f"model {model.label} has no owner; {verdict}",
                entity=f"{model.path}::{model.name}",
                severity=Severity.ERROR if complex_ else None,
                help=(
                    f"List it in debtlint.yaml (models: {model.name}: {{owner: '@team', "
                    f"code: [{model.path}]}}) or cover {model.path} in CODEOWNERS."
                ),
                properties={
                    "complexity": complexity.score,
                    "complexity_factors": dict(complexity.factors),
                    "complex": complex_,
                },
            )
