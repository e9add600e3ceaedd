from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from debtlint.api import Confidence, FileContext, FileRule, Severity, dotted, scope_nodes

_LOOPS = (cst.For, cst.While)
_BUILD_ROLES = frozenset({"construct", "pretrained"})
# Calls that keep a model for later: an ensemble's members cannot be freed, whatever the session.
_KEEPS = frozenset({"append", "add", "insert", "extend", "setdefault"})


@dataclass
class _Function:
    node: cst.FunctionDef
    owner: str | None  # enclosing class name
    in_keras_class: bool  # a method of a Keras model or layer: it defines an architecture
    builds: bool = False  # builds a Keras model, directly or through another function
    resets: bool = False  # resets the Keras session


class KerasModelInLoop(FileRule):
    """Keras models built in a loop without `clear_session()`.

    ## What it does
    In files that import TensorFlow or Keras, finds a `for`/`while` loop that builds a Keras
    model on every iteration — `Sequential(...)`, `Model(inputs, outputs)`, `clone_model`,
    `model_from_json`, a `keras.applications` network, a subclass of `keras.Model` defined in the
    file, or a function of the file that builds one (hyperparameter searches, k-fold
    cross-validation) — while neither that loop nor a loop around it calls
    `keras.backend.clear_session()` (`keras.utils.clear_session()`, or
    `tf.compat.v1.reset_default_graph()` in TF1 code). The finding is on the first model built
    in the innermost such loop.

    Not reported: a builder function that clears the session itself; a loop that calls
    `gc.collect()` in TF2 code (see below); models kept for later (`models.append(model)`,
    `ensemble[k] = model`): they cannot be freed anyway; a model built once before the loop and
    trained in it; KerasTuner's `tuner.search()`, which builds the models itself; list
    comprehensions of models (ensembles).

    `del model` followed by `gc.collect()` frees the model's weights, which is most of the memory
    in TF2's eager mode; what remains is Keras' global name and graph state, which grows by a
    little per model. In TF1 graph mode (a file that uses `tf.compat.v1.Session`,
    `disable_eager_execution` or `K.get_session()`), deleting a model leaves its operations in
    the graph, so `gc.collect()` is not accepted there.

    Known false positives: a loop that runs only a few iterations; the session cleared by a
    helper in another module.

    ## Why is this bad?
    Keras keeps global state — the graph of the functional API, the counters behind layer names
    — that grows with every model built. A loop that builds a model per trial or per fold uses
    more memory on every iteration and slows down, and long searches run out of memory. The
    TensorFlow documentation of `clear_session` recommends calling it when creating models in a
    loop. This is smell 12, "Memory Not Freed", of Zhang et al. (2022).

    ## Example
    ```python
    for units in [32, 64, 128]:
        model = keras.Sequential([keras.layers.Dense(units), keras.layers.Dense(1)])
        model.compile("adam", "mse")
        model.fit(x, y)
    ```

    ## Use instead
    ```python
    for units in [32, 64, 128]:
        keras.backend.clear_session()
        model = keras.Sequential([keras.layers.Dense(units), keras.layers.Dense(1)])
        model.compile("adam", "mse")
        model.fit(x, y)
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #12.
    - TensorFlow documentation, `tf.keras.backend.clear_session`.
    """

    code = "DL914"
    name = "keras-model-in-loop"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        # clear_session anywhere in the loop body.
        """
        import tensorflow as tf
        for units in [32, 64]:
            model = tf.keras.Sequential([tf.keras.layers.Dense(units)])
            model.fit(x, y)
            tf.keras.backend.clear_session()
        """,
        # A builder that clears the session itself; a loop around the fold loop that clears it.
        """
        from tensorflow import keras
        from keras import backend as K
        def build(units):
            K.clear_session()
            return keras.Sequential([keras.layers.Dense(units)])
        for units in [32, 64]:
            model = build(units)
        for seed in range(3):
            keras.utils.clear_session()
            for train, test in folds:
                model = keras.models.clone_model(base)
        """,
        # TF2: del and gc.collect() free the model.
        """
        import gc
        import tensorflow as tf
        for lr in [0.1, 0.01]:
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            model.fit(x, y)
            del model
            gc.collect()
        """,
        # Built once and trained in the loop; KerasTuner builds the models itself.
        """
        import keras
        import keras_tuner
        model = keras.Sequential([keras.layers.Dense(1)])
        for epoch in range(10):
            model.fit(x, y, epochs=1)
        def build_model(hp):
            return keras.Sequential([keras.layers.Dense(hp.Int("units", 8, 64))])
        tuner = keras_tuner.RandomSearch(build_model, objective="val_loss")
        for attempt in range(2):
            tuner.search(x, y)
        """,
        # Blocks of a bigger model: applied to its tensor, or built in a Keras class.
        """
        import keras
        def build(inputs, widths):
            x = inputs
            for width in widths:
                block = keras.Sequential([keras.layers.Dense(width)])
                x = block(x)
                x = keras.Sequential([keras.layers.Dropout(0.1)])(x)
            return keras.Model(inputs, x)
        class Tower(keras.layers.Layer):
            def __init__(self, depth):
                super().__init__()
                for i in range(depth):
                    setattr(self, f"block{i}", keras.Sequential([keras.layers.Dense(8)]))
        """,
        # An ensemble keeps its members; PyTorch models in a loop are not Keras models.
        """
        import tensorflow as tf
        import torch
        members = []
        for seed in range(5):
            m = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            m.fit(x, y)
            members.append(m)
        nets = [tf.keras.Sequential() for _ in range(3)]
        for fold in range(5):
            net = torch.nn.Linear(2, 2)
        """,
    ]
    INVALID = [
        """
        import tensorflow as tf
        from tensorflow.keras.models import Sequential, clone_model
        for units in [32, 64]:
            model = Sequential([tf.keras.layers.Dense(units)])  # expect: DL914
            model.fit(x, y)
        for train, test in kfold.split(x):
            fold_model = clone_model(base)  # expect: DL914
        """,
        # Through a builder function and a keras.Model subclass of the file.
        """
        import keras
        class Net(keras.Model):
            pass
        def make(units):
            inputs = keras.Input((4,))
            return keras.Model(inputs, keras.layers.Dense(units)(inputs))
        class Search:
            def make(self):
                return Net()
            def run(self, grid):
                for params in grid:
                    self.make().fit(x, y)  # expect: DL914
        scores = []
        for units in [8, 16]:
            model = make(units)  # expect: DL914
            scores.append(model.evaluate(x, y))
        """,
        # TF1 graph mode: gc.collect() leaves the graph behind.
        """
        import gc
        import tensorflow as tf
        from keras import backend as K
        K.set_session(tf.compat.v1.Session())
        for lr in [0.1, 0.01]:
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])  # expect: DL914
            del model
            gc.collect()
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.enabled = not ctx.catalog.imports_of("keras").isdisjoint(ctx.imported_roots)
        self.functions: list[_Function] = []
        self.keras_classes: set[str] = set()
        # Enclosing classes: (name, derives from a Keras class: a model or a layer?)
        self.classes: list[tuple[str, bool]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        keras = False
        if self.enabled:
            if any(self._keras_base(b.value) for b in node.bases):
                self.keras_classes.add(node.name.value)
                keras = True
            else:
                keras = any(
                    (self.ctx.qualname(b.value) or "").startswith("keras.") for b in node.bases
                )
        self.classes.append((node.name.value, keras))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.enabled:
            owner = self.classes[-1][0] if self.classes else None
            in_keras = bool(self.classes) and self.classes[-1][1]
            self.functions.append(_Function(node, owner, in_keras))

    def _keras_base(self, base: cst.BaseExpression) -> bool:
        if type(base) is cst.Name and base.value in self.keras_classes:
            return True
        qual = self.ctx.qualname(base)
        entry = self.ctx.catalog.model_base(qual) if qual else None
        return entry is not None and entry.framework == "keras"

    def finish(self) -> None:
        if not self.enabled:
            return
        self.graph_mode = self._graph_mode()
        bodies = {id(f): list(scope_nodes([f.node.body])) for f in self.functions}
        for function in self.functions:
            function.resets = any(
                type(n) is cst.Call and self._resets(n, None) for n in bodies[id(function)]
            )
        # Builders call builders: iterate to a fixpoint (each round adds at least one).
        changed = True
        while changed:
            changed = False
            for function in self.functions:
                if function.builds:
                    continue
                if any(
                    type(n) is cst.Call and self._builds(n, function.owner) is not None
                    for n in bodies[id(function)]
                ):
                    function.builds = changed = True
        self._check_scope(list(scope_nodes([self.ctx.module])), None)
        for function in self.functions:
            # Sub-models built in a loop of a Keras class's method are its architecture.
            if not function.in_keras_class:
                self._check_scope(bodies[id(function)], function.owner)

    # -- what a call does --------------------------------------------------------------------------

    def _callees(self, call: cst.Call, owner: str | None) -> list[_Function]:
        """This file's functions a call may run: ``f(...)``, or ``self.f(...)`` in a class."""
        func = call.func
        if type(func) is cst.Name:
            return [
                f for f in self.functions if f.owner is None and f.node.name.value == func.value
            ]
        if type(func) is cst.Attribute and dotted(func.value) == "self" and owner is not None:
            name = func.attr.value
            return [f for f in self.functions if f.owner == owner and f.node.name.value == name]
        return []

    def _builds(self, call: cst.Call, owner: str | None) -> Confidence | None:
        """HIGH when the call builds a Keras model, MEDIUM when a function of the file that builds
        one (and does not clear the session) is called, else None."""
        func = call.func
        if type(func) is cst.Name and func.value in self.keras_classes:
            return Confidence.HIGH
        qual = self.ctx.qualname(func)
        if qual is not None:
            catalog = self.ctx.catalog
            if qual in catalog.group("model-builder"):
                return Confidence.HIGH
            if any(
                e.framework == "keras" and e.role in _BUILD_ROLES for e in catalog.lookup_call(qual)
            ):
                return Confidence.HIGH
            return None
        callees = self._callees(call, owner)
        if any(f.builds for f in callees) and not any(f.resets for f in callees):
            return Confidence.MEDIUM
        return None

    def _resets(self, call: cst.Call, owner: str | None) -> bool:
        """The call clears the Keras session (or a function of the file that does is called)."""
        qual = self.ctx.qualname(call.func)
        if qual is not None:
            if qual in self.ctx.catalog.group("session-reset"):
                return True
            # In TF2, freeing the models is what matters; in TF1 graph mode it frees nothing.
            return qual == "gc.collect" and not self.graph_mode
        return any(f.resets for f in self._callees(call, owner))

    def _graph_mode(self) -> bool:
        group = self.ctx.catalog.group("graph-mode")
        # The last segments of the group's names: a cheap test before walking the file.
        if not any(name.rpartition(".")[2] in self.ctx.source for name in group):
            return False
        roots = [self.ctx.module, *(f.node.body for f in self.functions)]
        for node in scope_nodes(roots):
            if type(node) in (cst.Attribute, cst.Name) and self.ctx.qualname(node) in group:
                return True
        return False

    # -- loops -------------------------------------------------------------------------------------

    def _check_scope(self, nodes: list[cst.CSTNode], owner: str | None) -> None:
        loops = [n for n in nodes if type(n) in _LOOPS]
        if not loops:
            return
        inside = {id(loop): list(scope_nodes([loop.body])) for loop in loops}
        ids = {key: {id(n) for n in found} for key, found in inside.items()}
        reported: set[int] = set()
        # Innermost loops first, so that a model is reported in the loop that builds it.
        for loop in sorted(loops, key=lambda o: len(ids[id(o)])):
            builds = [
                (n, confidence)
                for n in inside[id(loop)]
                if type(n) is cst.Call
                and id(n) not in reported
                and (confidence := self._builds(n, owner)) is not None
            ]
            if not builds:
                continue
            reported.update(id(n) for n, _ in builds)
            chain = [o for o in loops if o is loop or id(loop) in ids[id(o)]]
            if any(
                type(n) is cst.Call and self._resets(n, owner) for o in chain for n in inside[id(o)]
            ):
                continue
            if _keeps(inside[id(loop)], [n for n, _ in builds]):
                continue
            call, confidence = builds[0]
            self.report(
                call,
                "a Keras model is built on every iteration of this loop without "
                "keras.backend.clear_session(): Keras' global state grows with each model",
                confidence=confidence,
                help="Call `keras.backend.clear_session()` at the start of each iteration.",
            )


def _keeps(nodes: Sequence[cst.CSTNode], builds: list[cst.Call]) -> bool:
    """Whether the loop keeps a model it built (``models.append(m)``, ``models[k] = m``) or uses
    it as a layer."""
    built = {id(b) for b in builds}
    names: set[str] = set()
    for node in nodes:
        if type(node) is cst.Assign and id(node.value) in built:
            names.update(dotted(t.target) or "" for t in node.targets)
        elif type(node) is cst.AnnAssign and node.value is not None and id(node.value) in built:
            names.add(dotted(node.target) or "")
    names.discard("")
    for node in nodes:
        # `x = Sequential([...])(x)`, `x = block(x)`: a block applied to the tensor of a bigger
        # functional model being built, not a model trained on its own.
        if (
            type(node) is cst.Assign
            and type(node.value) is cst.Call
            and (id(node.value.func) in built or dotted(node.value.func) in names)
        ):
            inputs = {dotted(a.value) for a in node.value.args} - {None}
            if any(dotted(t.target) in inputs for t in node.targets):
                return True
        if type(node) is cst.Call and type(node.func) is cst.Attribute:
            if node.func.attr.value in _KEEPS and any(
                id(a.value) in built or dotted(a.value) in names for a in node.args
            ):
                return True
        elif (
            type(node) is cst.Assign
            and (id(node.value) in built or dotted(node.value) in names)
            and any(type(t.target) is cst.Subscript for t in node.targets)
        ):
            return True
    return False
