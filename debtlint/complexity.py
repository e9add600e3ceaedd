"""The model complexity index: how much a model would cost a team that inherits it.

It decides whether an unowned model fails CI (DL101) and weights models in the score. Every point
comes from a named factor so that a finding can say exactly why a model counts as complex:

=====================================  ========  =================================================
factor                                 points    where it comes from
=====================================  ========  =================================================
ensemble, boosting, stacking or a      5         the estimator's traits in the knowledge tables,
neural network                                   or the model class's base class
nested estimators                      3 each    estimators inside a stacking/voting/search model
layers of a network                    0.5 each  layer constructions in the model class body
hyperparameters set explicitly         0.5 each  keyword arguments at the construction
input feature columns                  1 each    named columns reaching ``fit`` (at most 20)
upstream data sources                  2 each    data the training reads, through earlier scripts
saved as an artifact                   3         a save of the model (joblib, torch.save, ...)
size of the model class                1 / 100   lines of the class body
=====================================  ========  =================================================

The default threshold is 10: a boosted model trained on one file (5 + 2) is not complex on its
own; the same model with five named features or a saved artifact is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from debtlint.graph import Model, ProjectGraph

DEFAULT_THRESHOLD = 10.0
FAMILY_POINTS = 5.0
NESTED_POINTS = 3.0
LAYER_POINTS = 0.5
HYPERPARAMETER_POINTS = 0.5
FEATURE_POINTS = 1.0
MAX_FEATURES_COUNTED = 20
SOURCE_POINTS = 2.0
SAVED_POINTS = 3.0
LOC_DIVISOR = 100.0

_FAMILY_TRAITS = ("stacking", "ensemble", "boosting", "neural-network")


@dataclass
class Complexity:
    score: float = 0.0
    factors: list[tuple[str, float]] = field(default_factory=list)

    def add(self, label: str, points: float) -> None:
        if points > 0:
            self.factors.append((label, round(points, 2)))
            self.score = round(self.score + points, 2)

    def explain(self) -> str:
        return ", ".join(f"{label} +{points:g}" for label, points in self.factors) or "no factors"


def model_complexity(graph: ProjectGraph, model: Model) -> Complexity:
    site = model.site
    result = Complexity()
    family = next((t for t in _FAMILY_TRAITS if t in site.traits), None)
    if family is not None:
        result.add(family.replace("-", " "), FAMILY_POINTS)
    result.add(f"{site.submodels} nested estimators", site.submodels * NESTED_POINTS)
    result.add(f"{site.layers} layers", site.layers * LAYER_POINTS)
    params = [p for p in site.hyperparameters if p not in ("revision",)]
    result.add(f"{len(params)} hyperparameters", len(params) * HYPERPARAMETER_POINTS)
    features = min(len(model.features), MAX_FEATURES_COUNTED)
    result.add(f"{len(model.features)} input features", features * FEATURE_POINTS)
    sources = graph.upstream_data(model.id)
    result.add(f"{len(sources)} upstream data sources", len(sources) * SOURCE_POINTS)
    if model.artifacts:
        result.add("saved as an artifact", SAVED_POINTS)
    if site.kind == "class":
        result.add(f"{site.loc} lines of model code", site.loc / LOC_DIVISOR)
    return result
