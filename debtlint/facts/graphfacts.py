"""Facts for the graph rules (DL1xx-DL6xx), gathered during the fact extractor's single walk.

Kept apart from :mod:`debtlint.facts.extract` so that the extractor only carries one-line hooks:

- **predictions**: which names hold a model's predictions (flow-insensitive, inside one scope, like
  the rest of the extractor), so that a write of them becomes a ``predicts`` edge in phase 2;
- **literal hyperparameters**: numeric literals given to constructors, optimisers, schedulers,
  trainers and ``fit`` (``**params`` and names are, by construction, not literals);
- **config reads**: keys read from loaded config documents (``params["train"]["lr"]``,
  ``cfg.model.lr``, ``params.get("lr", 0.1)``), plus cheap evidence that a key is used at all;
- **unused reads**: a read bound to a plain name that never appears again in its scope.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import libcst as cst

from debtlint.facts.model import ConfigRead, HyperLiteral, PredictionWrite
from debtlint.facts.names import dotted
from debtlint.facts.walk import iter_children, iter_tree

if TYPE_CHECKING:
    from debtlint.facts.extract import FactExtractor
    from debtlint.facts.values import Scope, Value

# Keyword arguments that are hyperparameters (not seeds, verbosity or parallelism: those are
# other rules' business, and `random_state=42` is not a tuning knob).
HYPERPARAMETER_KEYWORDS = frozenset(
    {
        "alpha",
        "batch_size",
        "beta_1",
        "beta_2",
        "betas",
        "bagging_fraction",
        "C",
        "colsample_bytree",
        "depth",
        "dropout",
        "epochs",
        "eta",
        "feature_fraction",
        "gamma",
        "hidden_size",
        "iterations",
        "l1_ratio",
        "l2_leaf_reg",
        "learning_rate",
        "lr",
        "max_depth",
        "max_epochs",
        "max_features",
        "max_iter",
        "max_leaf_nodes",
        "max_lr",
        "min_child_samples",
        "min_child_weight",
        "min_samples_leaf",
        "min_samples_split",
        "momentum",
        "n_estimators",
        "n_neighbors",
        "num_boost_round",
        "num_layers",
        "num_leaves",
        "num_train_epochs",
        "per_device_eval_batch_size",
        "per_device_train_batch_size",
        "reg_alpha",
        "reg_lambda",
        "step_size",
        "subsample",
        "T_max",
        "warmup_ratio",
        "warmup_steps",
        "weight_decay",
    }
)
# Calls that are not model constructions but take hyperparameters: optimisers, schedulers,
# trainers and data loaders (batch size).
HYPERPARAMETER_CALLS = (
    "torch.optim.",
    "keras.optimizers.",
    "optax.",
    "transformers.TrainingArguments",
    "transformers.Seq2SeqTrainingArguments",
    "transformers.get_",
    "lightning.Trainer",
    "lightning.pytorch.Trainer",
    "pytorch_lightning.Trainer",
    "torch.utils.data.DataLoader",
)
# Methods whose result is a model's predictions.
PREDICT_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba", "decision_function"})
# `PredictionWrite.model` for predictions of an artifact read as data: "read:<index into data>".
READ_PREFIX = "read:"
# Literals that carry no tuning decision.
TRIVIAL_LITERALS = frozenset({"0", "1", "-1", "0.0", "1.0", "-1.0"})
# Methods of dicts / OmegaConf nodes: `params.items()` does not read a key named "items".
CONFIG_METHODS = frozenset(
    {"get", "items", "keys", "values", "pop", "copy", "update", "setdefault", "to_dict", "select"}
)
# A scope that calls these can reach its variables by name; its "unused" variables are not.
_DYNAMIC_NAMES = frozenset({"locals", "vars", "eval", "exec", "globals"})


class GraphFacts:
    def __init__(self, extractor: FactExtractor) -> None:
        self.x = extractor
        self.predict_calls: dict[int, str] = {}  # id(call node) -> ModelSite id
        self.tainted: dict[tuple[Scope, str], set[str]] = {}
        self.read_calls: dict[int, int] = {}  # id(call node) -> index into facts.data
        self.hints: set[str] = set()
        self._keep: list[cst.CSTNode] = []  # keeps nodes alive while their id() is a key

    # -- predictions -----------------------------------------------------------------------------
    def note_predict(self, node: cst.Call, site_id: str) -> None:
        self.predict_calls[id(node)] = site_id
        self._keep.append(node)

    def _lookup_taint(self, name: str) -> set[str]:
        scope: Scope | None = self.x.scope
        while scope is not None:
            found = self.tainted.get((scope, name))
            if found:
                return found
            scope = scope.parent
        return set()

    def taint_of(self, expr: cst.CSTNode | None) -> set[str]:
        """Models whose predictions flow into ``expr``."""
        if expr is None or not self.predict_calls:
            return set()
        found: set[str] = set()
        for sub in iter_tree(expr):
            if isinstance(sub, cst.Call) and id(sub) in self.predict_calls:
                found.add(self.predict_calls[id(sub)])
            elif isinstance(sub, (cst.Name, cst.Attribute)):
                name = dotted(sub)
                if name is not None and self.tainted:
                    found |= self._lookup_taint(name)
        return found

    def assign(self, targets: list[cst.BaseExpression], value: cst.BaseExpression | None) -> None:
        models = self.taint_of(value)
        if not models:
            return
        for target in targets:
            self._taint(target, models)

    def _taint(self, target: cst.BaseExpression, models: set[str]) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._taint(element.value, models)
            return
        while isinstance(target, cst.Subscript):
            # `df["pred"] = model.predict(X)`: the frame now holds predictions.
            target = target.value
        name = dotted(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
        if name is not None:
            self.tainted.setdefault((self.x.scope, name), set()).update(models)

    def write(self, node: cst.Call, value: cst.BaseExpression | None, index: int) -> None:
        """A data write: which reads flow into the written value or the receiver
        (`df.to_csv(...)`), and whether predictions do."""
        receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
        reads: set[int] = set()
        for part in (value, receiver):
            if part is not None:
                reads |= self.x.evaluator.eval(part, self.x.scope).reads
        data = self.x.facts.data
        data[index].inputs = sorted(i for i in reads if i != index and data[i].kind == "read")
        if not self.predict_calls:
            return
        models = self.taint_of(value) | self.taint_of(receiver)
        for model in sorted(models):
            self.x.facts.predictions.append(PredictionWrite(model, index, self.x.ctx.span(node)))

    # -- literal hyperparameters -----------------------------------------------------------------
    def hyper_literals(self, node: cst.Call, api: str, role: str) -> None:
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in HYPERPARAMETER_KEYWORDS:
                continue
            text = _numeric_literal(arg.value)
            if text is None or text in TRIVIAL_LITERALS:
                continue
            self.x.facts.hyper_literals.append(
                HyperLiteral(api, arg.keyword.value, text, role, self.x.ctx.span(arg))
            )

    # -- the per-call hook -----------------------------------------------------------------------
    def call(self, node: cst.Call, qual: str | None) -> None:
        func = node.func
        if (
            qual is None
            and isinstance(func, cst.Attribute)
            and func.attr.value in PREDICT_METHODS
            and id(node) not in self.predict_calls
        ):
            # `joblib.load(path).predict(X)`: an artifact loaded as plain data (joblib, pickle)
            # is not known to be a model here; phase 2 knows whether the project saves it.
            receiver = self.x.evaluator.eval(func.value, self.x.scope)
            if receiver.model is None and receiver.instance_of is None and receiver.reads:
                for index in sorted(receiver.reads):
                    if self.x.facts.data[index].kind == "read":
                        self.note_predict(node, f"{READ_PREFIX}{index}")
        if qual is not None and qual.startswith(HYPERPARAMETER_CALLS):
            role = "scheduler" if "lr_scheduler" in qual or ".get_" in qual else "optimiser"
            self.hyper_literals(node, qual, role)
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            key = _string(node.args[0].value)
            if key is not None:
                self.hints.add(key)
                base = self._config_of(func.value)
                if base is not None:
                    file, keys = base
                    self.x.facts.config_reads.append(
                        ConfigRead(file, [*keys, key], self.x.ctx.span(node), len(node.args) > 1)
                    )
        for arg in node.args:
            if arg.star == "**":
                base = self._config_of(arg.value)
                if base is not None:
                    file, keys = base
                    self.x.facts.config_splats.append(
                        ConfigRead(file, list(keys), self.x.ctx.span(arg))
                    )

    # -- config reads ----------------------------------------------------------------------------
    def subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = _string(node.slice[0].slice.value)
            if key is not None:
                self.hints.add(key)
        self._config_read(node)

    def attribute(self, node: cst.Attribute) -> None:
        if node.attr.value not in CONFIG_METHODS:
            self._config_read(node)

    def _config_read(self, node: cst.Subscript | cst.Attribute) -> None:
        if not self._may_be_config(node.value):
            return
        value = self.x.evaluator.eval(node, self.x.scope)
        if value.config is not None and value.config[1]:
            file, keys = value.config
            self.x.facts.config_reads.append(ConfigRead(file, list(keys), self.x.ctx.span(node)))

    def _may_be_config(self, node: cst.BaseExpression) -> bool:
        # Cheap filter before a full evaluation: the root of the chain must be a config value.
        while isinstance(node, (cst.Subscript, cst.Attribute)):
            name = dotted(node)
            if name is not None and _has_config(self.x.scope.lookup(name)):
                return True
            node = node.value
        if isinstance(node, cst.Name):
            return _has_config(self.x.scope.lookup(node.value))
        if isinstance(node, cst.Call):
            return _has_config(self.x._results.get(id(node)))
        return False

    def _config_of(self, node: cst.BaseExpression) -> tuple[str, tuple[str, ...]] | None:
        if not self._may_be_config(node):
            return None
        value = self.x.evaluator.eval(node, self.x.scope)
        return value.config

    # -- unused reads ----------------------------------------------------------------------------
    def note_read(self, node: cst.Call, index: int) -> None:
        self.read_calls[id(node)] = index
        self._keep.append(node)

    def finish(self) -> None:
        self.x.facts.config_key_hints = sorted(self.hints)
        if self.read_calls:
            data = self.x.facts.data
            for index, name in unused_reads(self.x.ctx.module, self.read_calls):
                self.x.facts.unused_reads.append(index)
                if data[index].target is None:
                    data[index].target = name


def unused_reads(module: cst.Module, read_calls: dict[int, int]) -> list[tuple[int, str]]:
    """Reads assigned to a plain name (`df = pd.read_csv(...)`) whose name occurs nowhere else in
    its scope (nested scopes included; for module-level names, the whole module). Scopes that use
    ``locals()``/``eval`` and underscore names are left alone."""
    counts: dict[int, Counter[str]] = {}
    dynamic: set[int] = set()
    candidates: list[tuple[int, str, int]] = []
    stack: list[tuple[cst.CSTNode, tuple[int, ...]]] = [(module, (id(module),))]
    counts[id(module)] = Counter()
    while stack:
        node, scopes = stack.pop()
        if isinstance(node, cst.Name):
            for scope in scopes:
                counts[scope][node.value] += 1
            if node.value in _DYNAMIC_NAMES:
                dynamic.update(scopes)
        elif isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name) and id(node.value) in read_calls:
                candidates.append((read_calls[id(node.value)], target.value, scopes[-1]))
        inner = scopes
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            counts[id(node)] = Counter()
            inner = (*scopes, id(node))
        stack.extend((child, inner) for child in iter_children(node))
    return sorted(
        (index, name)
        for index, name, scope in candidates
        if not name.startswith("_") and scope not in dynamic and counts[scope][name] == 1
    )


def _has_config(value: Value | None) -> bool:
    return value is not None and value.config is not None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _numeric_literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.value
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        return "-" + node.expression.value
    if isinstance(node, (cst.Tuple, cst.List)) and node.elements:
        # `betas=(0.9, 0.999)`
        parts = [_numeric_literal(e.value) for e in node.elements]
        if all(p is not None for p in parts):
            return "(" + ", ".join(p for p in parts if p is not None) + ")"
    return None
