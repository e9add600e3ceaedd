import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from debtlint.api import Confidence, FileContext, FileRule, ProjectExample, Severity, dotted

# Calls that set an estimator's hyperparameters from a grid or a search space: the estimator given
# to them is configured by the search, whatever its constructor says.
# OneCycleLR and CyclicLR set the learning rate of the optimiser they get outright (max_lr,
# base_lr), so they count here too.
_SEARCH_CALL = re.compile(r"SearchCV$|^validation_curve$|^OneCycleLR$|^CyclicLR$")
# A Keras callback that sets the learning rate of every epoch from a schedule function.
_LR_SCHEDULE_CALL = "LearningRateScheduler"
_LEARNING_RATES = frozenset({"lr", "learning_rate"})
# An argument with one of these names makes any call a search (a project's own `tune(model, grid)`).
_GRID_NAME = re.compile(r"grid|param_dist|search_space|hyperparam|param_space", re.IGNORECASE)
# Parameters of an Optuna objective or a KerasTuner model builder: constructors inside are tuned.
_TUNING_PARAMS = frozenset({"trial", "hp"})
# `models.append(SVC())` binds the estimator to `models` as much as `models = [SVC()]` does.
_COLLECTION_METHODS = frozenset({"append", "extend", "insert", "add", "update", "setdefault"})
_ATTRIBUTE_SCOPE = -1  # attribute chains (`self.model`) are one name across the whole file
_MODULE_SCOPE = 0

# A name in a scope: (id of the enclosing function, or _MODULE_SCOPE / _ATTRIBUTE_SCOPE, name).
Key = tuple[int, str]


@dataclass(frozen=True)
class _Candidate:
    call: cst.Call
    spec: Any  # the catalog's KeyHyperparameters entry
    confidence: Confidence
    bindings: tuple[Key, ...]  # the names the estimator (or what holds it) is assigned to
    functions: tuple[int, ...]  # ids of the enclosing function definitions


class HyperparametersAtDefaults(FileRule):
    """An estimator or optimiser built with none of its key hyperparameters, left at the defaults.

    ## What it does
    Finds constructors listed in the knowledge tables with their *key* hyperparameters (the few
    their own documentation says to tune: `n_clusters` of `KMeans`, `C`/`kernel`/`gamma` of `SVC`,
    `n_estimators`/`max_features`/`max_depth` of a random forest, `learning_rate`/`n_estimators`
    of XGBoost and LightGBM estimators, `lr` of `torch.optim.Adam`, `learning_rate` of Keras
    optimisers, ...) called with none of them, and names the missing ones. Positional arguments
    count (`KMeans(8)`, `Adam(model.parameters(), 1e-3)`).

    Not reported, because the hyperparameters are set elsewhere: calls with `**params` or
    `*args`; an estimator given to a search (`GridSearchCV`, `RandomizedSearchCV`,
    `BayesSearchCV`, `validation_curve`, or any call with a `param_grid`-like argument), directly,
    through a pipeline or through the name it is assigned to; an estimator whose name later gets
    `.set_params(...)` or `model.C = ...`; constructors inside an Optuna objective or a
    KerasTuner builder (a function taking `trial` or `hp`, or calling `trial.suggest_*`);
    `partial(SVC, C=1)` and Hydra's `instantiate(cfg.model)` (the class is not called here).
    For learning rates: torch parameter groups with their own `"lr"`, an optimiser given to
    `OneCycleLR`/`CyclicLR`, and files that set `group["lr"] = ...` by hand or use Keras'
    `LearningRateScheduler`.
    A value from the configuration (`SVC(C=cfg.C)`) counts as given, as does a literal: whether
    the value belongs in the configuration is DL501's question, not this rule's. Test files and
    files that do not import the library are not checked. Transformers such as `StandardScaler`
    or `PCA`, models whose defaults are meant to be used (`LinearRegression`, CatBoost), and the
    params-dict APIs (`xgboost.train`, `lightgbm.train`) are not listed.

    Confidence is high when the call configures nothing, medium when it sets other parameters
    (`random_state=0`), low when a torch optimiser gets its parameter groups from a variable
    (they may carry their own `lr`).

    Known false positives: a deliberate baseline with default settings, an estimator returned
    from a factory function and tuned by its caller, parameter groups built by a helper that
    sets `lr`, and parameters set through a project helper the rule cannot see. Say so with a
    suppression comment.

    ## Why is this bad?
    Library defaults are a guess for an average dataset and change between releases (the
    defaults of `n_estimators`, `gamma` and `solver` in scikit-learn have all changed). A model
    left at them was probably never tuned, its results shift when the library is upgraded, and a
    reader cannot tell which configuration the reported numbers came from. This is smell 11,
    "Hyperparameter not Explicitly Set", of Zhang et al. (2022).

    ## Example
    ```python
    from sklearn.svm import SVC
    model = SVC()
    ```

    ## Use instead
    ```python
    from sklearn.svm import SVC
    model = SVC(C=cfg.svm.C, kernel=cfg.svm.kernel)   # or SVC(**params["svm"])
    ```

    ## Options
    None. Projects list their own constructors with `hyperparameters:` in a table given to
    `api-catalogs:`.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #11.
    - scikit-learn user guide, ensemble methods ("Parameters") and SVM ("Tips on practical use").
    - LightGBM documentation, "Parameters Tuning"; XGBoost documentation, "Notes on Parameter
      Tuning".
    """

    code = "DL915"
    name = "hyperparameters-at-defaults"
    severity = Severity.INFO
    remediation_minutes = 5

    VALID = [
        # PEERS case 2: **params, config values, variables, Hydra instantiate, partial.
        """
        import functools
        import yaml
        from hydra.utils import instantiate
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.svm import SVC
        params = yaml.safe_load(open("params.yaml"))
        a = RandomForestRegressor(**params["model"])
        b = SVC(C=params["C"])
        c = SVC(kernel=cfg.svm.kernel)
        C = 3.0
        d = SVC(C=C)
        e = instantiate(cfg.model)
        make_svc = functools.partial(SVC, C=1)
        f = make_svc()
        """,
        # Grid search over the estimator, directly, by name, through a pipeline, in a loop.
        """
        from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.neighbors import KNeighborsClassifier
        from skopt import BayesSearchCV
        s1 = GridSearchCV(SVC(), {"C": [0.1, 1, 10]})
        rf = RandomForestClassifier(random_state=0)
        s2 = RandomizedSearchCV(rf, param_distributions=dist)
        pipe = make_pipeline(StandardScaler(), KNeighborsClassifier())
        s3 = BayesSearchCV(pipe, space)
        models = {"svc": SVC(), "rf": RandomForestClassifier()}
        def tune(grids):
            for name, model in models.items():
                GridSearchCV(model, grids[name]).fit(X, y)
        """,
        # set_params later on the same name, clone, attribute assignment, a project's own search.
        """
        from sklearn.base import clone
        from sklearn.svm import SVC
        from sklearn.cluster import KMeans
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        template = SVC(C=1.0)
        model = clone(template)
        estimator = SVC()
        for p in candidates:
            est = clone(estimator).set_params(**p)
        pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
        pipe.set_params(svc__C=10)
        km = KMeans()
        km.n_clusters = k
        best = my_search(KMeans(), param_grid=grid)
        """,
        # Positional arguments, StandardScaler (no key parameters), pipelines with set keys.
        """
        import torch
        from sklearn.cluster import KMeans
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC
        km = KMeans(8)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        sgd = torch.optim.SGD(model.parameters(), lr)
        groups = torch.optim.Adam([{"params": a.parameters(), "lr": 1e-5}, {"params": b}])
        scheduled = torch.optim.SGD(model.parameters(), momentum=0.9)
        cyclic = torch.optim.SGD(model.parameters())
        schedule = torch.optim.lr_scheduler.OneCycleLR(cyclic, max_lr=0.1, total_steps=1000)
        def adjust(optimizer, epoch):
            for group in optimizer.param_groups:
                group["lr"] = 0.1 * 0.5 ** (epoch // 30)
        clf = make_pipeline(StandardScaler(), SVC(C=1))
        """,
        # Optuna objective and KerasTuner builder.
        """
        import optuna
        from tensorflow import keras
        from xgboost import XGBClassifier
        def objective(trial):
            depth = trial.suggest_int("max_depth", 2, 8)
            model = XGBClassifier()
            model.set_params(max_depth=depth)
            return score(model)
        def build(hp):
            model = keras.Sequential()
            model.compile(optimizer=keras.optimizers.Adam())
            return model
        """,
        # Keras through tf.keras with a positional learning rate; LightGBM with an alias.
        """
        import tensorflow as tf
        import lightgbm as lgb
        opt = tf.keras.optimizers.Adam(3e-4)
        old = tf.keras.optimizers.SGD(lr=0.01)
        m = lgb.LGBMClassifier(num_iterations=500)
        """,
        # The learning rate comes from a schedule callback every epoch.
        """
        from tensorflow import keras
        model.compile(optimizer=keras.optimizers.SGD(momentum=0.9), loss="mse")
        model.fit(X, y, callbacks=[keras.callbacks.LearningRateScheduler(step_decay)])
        """,
        # Not in the table: defaults that are a sound first choice, transformers.
        """
        from sklearn.linear_model import LinearRegression, LogisticRegression
        from sklearn.decomposition import PCA
        baseline = LogisticRegression(max_iter=1000)
        ols = LinearRegression()
        pca = PCA()
        """,
        # A class of the same name from elsewhere, and no import of the library at all.
        """
        from mylib.models import SVC
        model = SVC()
        opt = Adam()
        """,
        ProjectExample(
            {
                "tests/test_model.py": """
                from sklearn.svm import SVC
                def test_fit():
                    SVC().fit([[0], [1]], [0, 1])
                """
            },
            "test files are not checked",
        ),
    ]
    INVALID = [
        """
        import torch
        from sklearn.cluster import KMeans
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.neural_network import MLPClassifier
        from sklearn.svm import SVC
        from xgboost import XGBClassifier
        km = KMeans()  # expect: DL915
        rf = RandomForestClassifier(random_state=42)  # expect: DL915
        mlp = MLPClassifier(max_iter=500)  # expect: DL915
        xgb = XGBClassifier(objective="binary:logistic")  # expect: DL915
        opt = torch.optim.Adam(model.parameters())  # expect: DL915
        sgd = torch.optim.SGD(params=model.parameters(), momentum=0.9)  # expect: DL915
        wd = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}])  # expect: DL915
        scores = cross_val_score(SVC(), X, y)  # expect: DL915
        """,
        ProjectExample(
            {
                "debtlint.yaml": "api-catalogs: [acme.yaml]\n",
                "acme.yaml": (
                    "framework: acme\nimports: [acme]\napis: []\nhyperparameters:\n"
                    "  - call: acme.forest.Forest\n    keys: [depth]\n"
                ),
                "train.py": """
                from acme.forest import Forest
                model = Forest()  # expect: DL915
                deep = Forest(depth=cfg.depth)
                """,
            },
            "a project's own constructors, listed in a table given to api-catalogs",
        ),
        # A search elsewhere, on another estimator, does not cover this one.
        """
        from sklearn.model_selection import GridSearchCV
        from sklearn.svm import SVC
        from sklearn.cluster import DBSCAN
        import tensorflow as tf
        search = GridSearchCV(SVC(), grid)
        labels = DBSCAN().fit_predict(X)  # expect: DL915
        def configure(model):
            return tf.keras.optimizers.Adam()  # expect: DL915
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        # Only files importing a library with key-hyperparameter tables are walked.
        self.active = not ctx.is_test and bool(
            ctx.imported_roots & ctx.catalog.hyperparameter_modules
        )
        self.functions: list[int] = []
        self.bindings: list[tuple[Key, ...]] = []
        self.pushed_for: list[int] = []  # ids of calls that pushed a binding (collection methods)
        self.shields: list[int] = []  # ids of open search / set_params calls
        self.tuned_roots: list[tuple[int, cst.CSTNode]] = []
        self.edges: dict[Key, list[tuple[int, cst.CSTNode]]] = {}
        self.attribute_sets: set[tuple[Key, str]] = set()
        self.subscript_keys: set[str] = set()
        self.lr_scheduled = False
        self.tuning_functions: set[int] = set()
        self.candidates: list[_Candidate] = []

    # -- scopes and bindings ---------------------------------------------------------------------

    @property
    def scope(self) -> int:
        return self.functions[-1] if self.functions else _MODULE_SCOPE

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.active:
            return
        self.functions.append(id(node))
        params = node.params
        names = {p.name.value for p in (*params.posonly_params, *params.params)}
        if names & _TUNING_PARAMS:
            self.tuning_functions.add(id(node))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.active:
            self.functions.pop()

    def _bind(self, targets: list[cst.BaseExpression], value: cst.CSTNode | None) -> None:
        keys: list[Key] = []
        for target in targets:
            keys.extend(self._target_keys(target))
            if isinstance(target, cst.Attribute):
                for key in self._keys_of(target.value):
                    self.attribute_sets.add((key, target.attr.value))
            self._note_subscript(target)
        if value is not None:
            for key in keys:
                self.edges.setdefault(key, []).append((self.scope, value))
        self.bindings.append(tuple(keys))

    def _note_subscript(self, target: cst.BaseExpression) -> None:
        # `group["lr"] = lr` over `optimizer.param_groups`: a hand-written schedule sets it.
        if isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                text = index.value.evaluated_value
                if isinstance(text, str):
                    self.subscript_keys.add(text)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self.active:
            self._note_subscript(node.target)

    def _key(self, node: cst.BaseExpression) -> Key | None:
        if isinstance(node, cst.Name):
            return (self.scope, node.value)
        name = dotted(node)
        return (_ATTRIBUTE_SCOPE, name) if name else None

    def _keys_of(self, node: cst.BaseExpression) -> list[Key]:
        key = self._key(node)
        return [key] if key else []

    def _target_keys(self, target: cst.BaseExpression) -> list[Key]:
        if isinstance(target, (cst.Tuple, cst.List)):
            return [k for el in target.elements for k in self._target_keys(el.value)]
        if isinstance(target, cst.StarredElement):
            return self._target_keys(target.value)
        if isinstance(target, cst.Subscript):  # models["svc"] = SVC() binds to models
            return self._keys_of(target.value)
        return self._keys_of(target)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.active:
            self._bind([t.target for t in node.targets], node.value)

    def leave_Assign(self, node: cst.Assign) -> None:
        if self.active:
            self.bindings.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.active:
            self._bind([node.target], node.value)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.active:
            self.bindings.pop()

    def visit_For(self, node: cst.For) -> None:
        if self.active:
            # `for name, model in models.items()`: tuning `model` tunes what `models` holds.
            for key in self._target_keys(node.target):
                self.edges.setdefault(key, []).append((self.scope, node.iter))

    # -- calls -----------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if method == "set_params" and isinstance(func, cst.Attribute):
            self.tuned_roots.append((self.scope, func.value))
            self.shields.append(id(node))
            return
        if self._is_search(node):
            self.tuned_roots.append((self.scope, node))
            self.shields.append(id(node))
            return
        if (dotted(func) or "").rpartition(".")[2] == _LR_SCHEDULE_CALL:
            self.lr_scheduled = True
        if method is not None and method.startswith("suggest_"):
            self.tuning_functions.update(self.functions)
        elif method in _COLLECTION_METHODS and isinstance(func, cst.Attribute):
            self.bindings.append(tuple(self._keys_of(func.value)))
            self.pushed_for.append(id(node))
        if self.shields:
            return
        qualname = self.ctx.qualname(func)
        spec = self.ctx.catalog.key_hyperparameters(qualname) if qualname else None
        if spec is None:
            return
        given = _given(node, spec)
        if given is None or given & {*spec.keys, *spec.synonyms}:
            return
        self.candidates.append(
            _Candidate(
                node,
                spec,
                confidence=_confidence(node, spec, given),
                bindings=tuple(k for keys in self.bindings for k in keys),
                functions=tuple(self.functions),
            )
        )

    def leave_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        if self.shields and self.shields[-1] == id(node):
            self.shields.pop()
        if self.pushed_for and self.pushed_for[-1] == id(node):
            self.pushed_for.pop()
            self.bindings.pop()

    def _is_search(self, node: cst.Call) -> bool:
        name = dotted(node.func)
        if name and _SEARCH_CALL.search(name.rpartition(".")[2]):
            return True
        for arg in node.args:
            if arg.keyword is not None and _GRID_NAME.search(arg.keyword.value):
                return True
            value = dotted(arg.value)
            if value and _GRID_NAME.search(value.rpartition(".")[2]):
                return True
        return False

    # -- decision --------------------------------------------------------------------------------

    def finish(self) -> None:
        if not self.active or not self.candidates:
            return
        tuned = self._tuned_names()
        for cand in self.candidates:
            if self.tuning_functions.intersection(cand.functions):
                continue
            if any(_matches(key, tuned) for key in cand.bindings):
                continue
            names = {*cand.spec.keys, *cand.spec.synonyms}
            if names & self.subscript_keys or (self.lr_scheduled and names & _LEARNING_RATES):
                continue
            if any((key, attr) in self.attribute_sets for key in cand.bindings for attr in names):
                continue
            self._report(cand)

    def _tuned_names(self) -> set[Key]:
        """Every name a search or `set_params` reaches, following assignments backwards."""
        todo = [key for scope, root in self.tuned_roots for key in _names_in(root, scope)]
        seen: set[Key] = set()
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            # A function may use a module-level name: follow the module's assignments too.
            sources = [*self.edges.get(key, ()), *self.edges.get((_MODULE_SCOPE, key[1]), ())]
            for scope, value in sources:
                todo.extend(_names_in(value, scope))
        return seen

    def _report(self, cand: _Candidate) -> None:
        spec = cand.spec
        short = spec.call.rpartition(".")[2]
        first = spec.keys[0]
        if len(spec.keys) == 1:
            what = (
                f"without its key hyperparameter `{first}`: it silently takes the library default"
            )
        else:
            keys = ", ".join(spec.keys)
            what = (
                f"with none of its key hyperparameters ({keys}): they silently take the library "
                "defaults"
            )
        self.report(
            cand.call,
            f"`{short}` is built {what}",
            entity=spec.call,
            confidence=cand.confidence,
            help=(
                f"State the value you chose, for example `{short}({first}=...)`, preferably "
                f"from the configuration (`{short}(**params)`, `{first}=cfg.{first}`), or tune "
                "it with a search."
            ),
            properties={"api": spec.call, "missing": list(spec.keys)},
        )


def _given(call: cst.Call, spec: Any) -> set[str] | None:
    """The parameters a call gives, positions mapped to names; None when it cannot be told."""
    given: set[str] = set()
    index = 0
    for arg in call.args:
        if arg.star:  # *args or **params: anything may be in there
            return None
        # torch parameter groups: `Adam([{"params": ..., "lr": 1e-4}, ...])` sets lr per group.
        given.update(_group_keys(arg.value))
        if arg.keyword is not None:
            given.add(arg.keyword.value)
            continue
        if index >= len(spec.positional):
            return None  # a position the table does not map (an older signature)
        given.add(spec.positional[index])
        index += 1
    return given


def _confidence(call: cst.Call, spec: Any, given: set[str]) -> Confidence:
    """High when nothing is configured; medium when other parameters are (someone looked at the
    signature); low when torch parameter groups come from elsewhere and may carry their own lr."""
    if "params" in spec.positional:
        groups = _argument(call, spec.positional.index("params"), "params")
        direct = isinstance(groups, cst.Call) and isinstance(groups.func, cst.Attribute)
        if groups is not None and not (
            direct and groups.func.attr.value in ("parameters", "named_parameters")
        ):
            return Confidence.LOW
    return Confidence.MEDIUM if given - set(spec.positional) else Confidence.HIGH


def _argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return positional[index].value if index < len(positional) else None


def _group_keys(value: cst.BaseExpression) -> set[str]:
    """The string keys of dict literals given directly or in a list, tuple or comprehension."""
    if isinstance(value, (cst.List, cst.Tuple)):
        dicts = [el.value for el in value.elements]
    elif isinstance(value, (cst.ListComp, cst.GeneratorExp)):
        dicts = [value.elt]
    else:
        dicts = [value]
    keys: set[str] = set()
    for item in dicts:
        if isinstance(item, cst.Dict):
            for element in item.elements:
                key = getattr(element, "key", None)  # `**other` elements have no key
                text = key.evaluated_value if isinstance(key, cst.SimpleString) else None
                if isinstance(text, str):
                    keys.add(text)
    return keys


def _names_in(node: cst.CSTNode, scope: int) -> Iterator[Key]:
    """Names and attribute chains read anywhere under ``node`` (only for the few tuned roots)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield (scope, current.value)
            continue
        if isinstance(current, cst.Attribute):
            name = dotted(current)
            if name:
                yield (_ATTRIBUTE_SCOPE, name)
        stack.extend(current.children)


def _matches(key: Key, tuned: set[Key]) -> bool:
    if key in tuned:
        return True
    # A module-level estimator can be tuned inside any function that reads its name.
    scope, name = key
    return scope == _MODULE_SCOPE and any(n == name and s >= 0 for s, n in tuned)
