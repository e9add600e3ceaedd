"""Which rows a value holds — all of them, or one side of a split — for the leakage rules (DL7xx).

A pragmatic subset of Yang et al. (ASE 2022, "Data Leakage in Notebooks: Static Detection and
Better Processes"), reimplemented from the paper: per scope (the module's top-level code, each
function), a flow-insensitive def-use graph over variable names, ordered by line, plus:

- **fits**: data-dependent preprocessing (`scaler.fit(X)`, `enc.fit_transform(df[cols])`) and
  oversampling (`SMOTE().fit_resample(X, y)`) on a value, and on which names it depends;
- **splits**: `train_test_split` (train/test outputs by position), cross-validation loops
  (`for tr, va in kf.split(X)`, fold indices), and cross-validation utilities that split their
  input themselves (`cross_val_score(est, X, y)`, `GridSearchCV(...).fit(X, y)`);
- **early stopping**: `fit(..., eval_set=[...] / validation_data=...)` with early stopping on;
- **evaluations**: metric and scoring calls, with the names they read.

A value holds "part of the rows" when its names derive from a split output or a fold index;
otherwise it may hold all of them. Names are not versioned (no SSA), so a name reused for
different data can hide a leak (a missed finding) but is made not to invent one: a fit counts as
"on all rows" only when none of its names derives from any split output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from debtlint.facts.context import FileContext
from debtlint.facts.walk import iter_children, scope_nodes

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# Exact types (libcst node classes are ABCs, and isinstance on them is slow in hot loops).
_SCOPE_TYPES = frozenset(_SCOPES)
_FIT_METHODS = frozenset({"fit", "fit_transform", "fit_on_texts"})
_RESAMPLE_METHODS = frozenset({"fit_resample", "fit_sample"})
_CV_UTILITIES = frozenset(
    {
        "sklearn.model_selection.cross_val_score",
        "sklearn.model_selection.cross_validate",
        "sklearn.model_selection.cross_val_predict",
        "sklearn.model_selection.learning_curve",
        "sklearn.model_selection.validation_curve",
        "sklearn.model_selection.permutation_test_score",
    }
)
_EVAL_METHODS = frozenset({"score", "evaluate"})
# Receivers of these are estimators, not data: data flowing "through" a fitted model into its
# predictions is followed from the predicted rows, never from the model.
_ESTIMATOR_METHODS = frozenset(
    {
        "fit",
        "fit_transform",
        "fit_resample",
        "transform",
        "inverse_transform",
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
        "score",
    }
)

DEFAULT_PREPROCESSORS = (
    "sklearn.preprocessing.*",
    "sklearn.impute.*",
    "sklearn.feature_selection.*",
    "sklearn.decomposition.*",
    "sklearn.feature_extraction.*",
    "sklearn.random_projection.*",
    "sklearn.kernel_approximation.*",
    "sklearn.compose.ColumnTransformer",
    "sklearn.compose.make_column_transformer",
    "category_encoders.*",
    "keras.preprocessing.text.Tokenizer",
)
# Stateless, or fitted on the target only (harmless in practice): never preprocessing leakage.
DEFAULT_NOT_PREPROCESSORS = (
    "sklearn.preprocessing.LabelEncoder",
    "sklearn.preprocessing.LabelBinarizer",
    "sklearn.preprocessing.MultiLabelBinarizer",
    "sklearn.preprocessing.FunctionTransformer",
    "sklearn.preprocessing.Normalizer",
    "sklearn.preprocessing.Binarizer",
    "sklearn.preprocessing.PolynomialFeatures",
)
DEFAULT_OVERSAMPLERS = ("imblearn.over_sampling.*", "imblearn.combine.*")


def matches(qualname: str, patterns: Iterable[str]) -> bool:
    """``a.b.*`` matches everything under ``a.b``; anything else matches exactly."""
    for pattern in patterns:
        if pattern.endswith(".*"):
            if qualname.startswith(pattern[:-1]):
                return True
        elif qualname == pattern:
            return True
    return False


@dataclass(frozen=True)
class Fit:
    node: cst.Call
    kind: str  # "preprocess" or "resample"
    api: str
    names: frozenset[str]  # names the fitted data is made of
    line: int
    via: str = ""  # a function of this file that does the fit, when called with the data


@dataclass(frozen=True)
class Split:
    node: cst.CSTNode
    api: str
    sources: frozenset[str]  # names of the data being split
    line: int
    end_line: int
    loop: bool = False  # a cross-validation loop (fits inside it happen per fold)
    # The names bound to each side, when the split's outputs are unpacked (`X_tr, X_te, ... =`,
    # `for tr, va in ...`): the training side and the held-out side.
    train: frozenset[str] = frozenset()
    test: frozenset[str] = frozenset()
    labels: cst.BaseExpression | None = None  # the `y` argument, when there is one


@dataclass(frozen=True)
class EarlyStop:
    node: cst.Call
    names: frozenset[str]  # names of the data early stopping watches
    line: int


@dataclass(frozen=True)
class Evaluation:
    node: cst.Call
    names: frozenset[str]
    line: int


@dataclass
class ScopeRows:
    """The facts of one scope and its def-use edges."""

    name: str
    params: list[str] = field(default_factory=list)
    body: list[cst.CSTNode] = field(default_factory=list)  # the statements the scope walked
    edges: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # src -> [(dst, line)]
    train_parts: set[str] = field(default_factory=set)
    test_parts: set[str] = field(default_factory=set)
    fits: list[Fit] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    early_stops: list[EarlyStop] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    estimators: set[str] = field(default_factory=set)
    called: set[str] = field(default_factory=set)  # plain function names this scope calls

    def closure(self, names: Iterable[str], after: int = 0) -> set[str]:
        """``names`` and every name assigned from them, through assignments at or after ``after``
        (estimators are neither followed nor included)."""
        seen = set(names) - self.estimators
        stack = list(seen)
        while stack:
            for dst, line in self.edges.get(stack.pop(), ()):
                if line >= after and dst not in seen and dst not in self.estimators:
                    seen.add(dst)
                    stack.append(dst)
        return seen

    def parts(self) -> set[str]:
        return self.closure(self.train_parts | self.test_parts)

    def held_out(self) -> set[str]:
        return self.closure(self.test_parts)

    def all_rows_fits(self, kind: str) -> list[Fit]:
        parts = self.parts()
        return [f for f in self.fits if f.kind == kind and f.names and not f.names & parts]

    def split_after(self, fit: Fit) -> Split | None:
        """The first split of data made from what ``fit`` saw, after the fit or around it."""
        derived = self.closure(fit.names, fit.line)
        for split in sorted(self.splits, key=lambda s: s.line):
            inside_loop = split.loop and split.line < fit.line <= split.end_line
            if (split.line > fit.line or inside_loop) and split.sources & derived:
                return split
        return None


class RowAnalysis:
    """Per-scope row facts of one file."""

    def __init__(self, scopes: list[ScopeRows]) -> None:
        self.scopes = scopes

    def before_split(self, kind: str) -> Iterator[tuple[ScopeRows, Fit, Split]]:
        """Fits of ``kind`` ("preprocess", "resample") on all rows that are split afterwards."""
        for scope in self.scopes:
            for fit in scope.all_rows_fits(kind):
                split = scope.split_after(fit)
                if split is not None:
                    yield scope, fit, split


class _Builder:
    def __init__(
        self,
        ctx: FileContext,
        preprocessors: tuple[str, ...],
        not_preprocessors: tuple[str, ...],
        oversamplers: tuple[str, ...],
    ) -> None:
        self.ctx = ctx
        self.preprocessors = preprocessors
        self.not_preprocessors = not_preprocessors
        self.oversamplers = oversamplers
        self.imported = frozenset(ctx.aliases)
        # name -> (qualified constructor, keyword names), across the file: `enc = OneHotEncoder()`.
        self.constructed: dict[str, tuple[str, frozenset[str]]] = {}
        # function name -> (parameter index, Fit inside it) for functions that fit a parameter.
        self.summaries: dict[str, list[tuple[int, Fit]]] = {}
        # id of a `train_test_split` call -> (train, test) names its unpacked outputs bind; the
        # assignment is walked before the call it holds.
        self.outputs: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def line(self, node: cst.CSTNode) -> int:
        return self.ctx.span(node)[0]

    def end_line(self, node: cst.CSTNode) -> int:
        return self.ctx.span(node)[2]

    # -- names -------------------------------------------------------------------------------------
    def names(self, expr: cst.CSTNode | None) -> set[str]:
        """Variables an expression reads as data (not callees, keywords or imported modules)."""
        found: set[str] = set()
        if expr is None:
            return found
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                if node.value not in self.imported:
                    found.add(node.value)
            elif isinstance(node, cst.Attribute):
                stack.append(node.value)
            elif isinstance(node, cst.Call):
                if isinstance(node.func, cst.Attribute):
                    stack.append(node.func.value)
                stack.extend(a.value for a in node.args)
            elif isinstance(node, cst.Arg):
                stack.append(node.value)
            elif not isinstance(node, _SCOPES):
                stack.extend(iter_children(node))
        return found

    def targets(self, target: cst.BaseExpression) -> list[str]:
        """Root names bound or changed by an assignment target, in order (tuples flattened)."""
        if isinstance(target, (cst.Tuple, cst.List)):
            out: list[str] = []
            for element in target.elements:
                out.extend(self.targets(element.value))
            return out
        if isinstance(target, cst.StarredElement):
            return self.targets(target.value)
        while isinstance(target, (cst.Subscript, cst.Attribute)):
            target = target.value
        return [target.value] if isinstance(target, cst.Name) else []

    def api_of(self, receiver: cst.BaseExpression) -> tuple[str, frozenset[str]] | None:
        if isinstance(receiver, cst.Call):
            qual = self.ctx.qualname(receiver.func)
            if qual is None:
                return None
            kws = frozenset(a.keyword.value for a in receiver.args if a.keyword is not None)
            return qual, kws
        if isinstance(receiver, cst.Name):
            return self.constructed.get(receiver.value)
        return None

    # -- scopes ------------------------------------------------------------------------------------
    def build(self) -> RowAnalysis:
        module = self.ctx.module
        # One walk collects what the scans need: functions, constructed objects, and the values
        # assigned to each name (for `literal_names`).
        functions: list[cst.FunctionDef] = []
        assigned: dict[str, list[cst.BaseExpression]] = {}
        for node in _walk_all(module):
            if isinstance(node, cst.FunctionDef):
                functions.append(node)
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        assigned.setdefault(target.target.value, []).append(node.value)
                if isinstance(node.value, cst.Call):
                    qual = self.ctx.qualname(node.value.func)
                    if qual is not None:
                        kws = frozenset(
                            a.keyword.value for a in node.value.args if a.keyword is not None
                        )
                        for target in node.targets:
                            if isinstance(target.target, cst.Name):
                                self.constructed[target.target.value] = (qual, kws)
        self.imported = self.imported | literal_names(assigned)
        scopes: list[ScopeRows] = []
        # Functions first, so that calls to them from the module code can use their summaries.
        for function in functions:
            scope = ScopeRows(
                function.name.value, [p.name.value for p in function.params.params], [function.body]
            )
            self.scan(scope, [function.body])
            self.summarise(scope)
            scopes.append(scope)
        # Not the top-level functions and classes: their bodies are scopes of their own (walking
        # them here too reported a leak inside a function twice, and mixed its locals with the
        # script's names).
        top = ScopeRows("<module>", [], [s for s in module.body if type(s) not in _SCOPE_TYPES])
        self.scan(top, top.body)
        scopes.append(top)
        # Functions calling other functions of the file: a second pass with all summaries known.
        for index, (function, scope) in enumerate(zip(functions, scopes, strict=False)):
            if scope.called & set(self.summaries):
                fresh = ScopeRows(scope.name, scope.params, scope.body)
                self.scan(fresh, [function.body])
                scopes[index] = fresh
        return RowAnalysis(scopes)

    def summarise(self, scope: ScopeRows) -> None:
        for fit in scope.all_rows_fits("preprocess") + scope.all_rows_fits("resample"):
            for index, param in enumerate(scope.params):
                # The fitted data is the parameter, or made from it.
                if param in fit.names or fit.names & scope.closure([param]):
                    self.summaries.setdefault(scope.name, []).append((index, fit))

    def scan(self, scope: ScopeRows, body: list[cst.CSTNode]) -> None:
        for node in _walk_scope(body):
            kind = type(node)
            if kind is cst.Call:
                self.call(scope, node)  # type: ignore[arg-type]
            elif kind is cst.Assign:
                self.assign(scope, [t.target for t in node.targets], node.value)  # type: ignore[attr-defined]
            elif kind is cst.AugAssign:
                self.assign(scope, [node.target], node.value, keep=True)  # type: ignore[attr-defined]
            elif kind is cst.AnnAssign and node.value is not None:  # type: ignore[attr-defined]
                self.assign(scope, [node.target], node.value)  # type: ignore[attr-defined]
            elif kind is cst.For:
                self.loop(scope, node)  # type: ignore[arg-type]

    def edge(self, scope: ScopeRows, sources: Iterable[str], target: str, line: int) -> None:
        for source in sources:
            if source != target:
                scope.edges.setdefault(source, []).append((target, line))

    def assign(
        self,
        scope: ScopeRows,
        targets: list[cst.BaseExpression],
        value: cst.BaseExpression,
        keep: bool = False,
    ) -> None:
        line = self.line(value)
        sources = self.names(value)
        for target in targets:
            if (
                isinstance(target, (cst.Tuple, cst.List))
                and isinstance(value, (cst.Tuple, cst.List))
                and len(target.elements) == len(value.elements)
            ):
                # `X_tr, X_va = X.iloc[tr], X.iloc[va]`: element by element.
                for left, right in zip(target.elements, value.elements, strict=True):
                    self.assign(scope, [left.value], right.value, keep)
                continue
            # `df["a"] = ...` changes df: its other names flow in too (they already are df's).
            # Per element of a tuple target: `X_tr, X_te = ...` must not make X_te one of X_tr's
            # sources (the held-out side would then reach the training side).
            for element in target_elements(target):
                reads = self.names(element) if type(element) is not cst.Name else set()
                for name in self.targets(element):
                    self.edge(scope, sources | reads - {name}, name, line)
            if isinstance(value, cst.Call):
                self.split_outputs(scope, target, value)

    def split_outputs(self, scope: ScopeRows, target: cst.BaseExpression, call: cst.Call) -> None:
        if self.ctx.qualname(call.func) != "sklearn.model_selection.train_test_split":
            return
        outputs = self.targets(target)
        if isinstance(target, (cst.Tuple, cst.List)) and len(outputs) % 2 == 0:
            scope.train_parts.update(outputs[0::2])
            scope.test_parts.update(outputs[1::2])
            self.outputs[id(call)] = (frozenset(outputs[0::2]), frozenset(outputs[1::2]))
        else:
            scope.train_parts.update(outputs)

    def loop(self, scope: ScopeRows, node: cst.For) -> None:
        iterator, target = node.iter, node.target
        # `for fold, (tr, va) in enumerate(kf.split(X, y))`
        if (
            isinstance(iterator, cst.Call)
            and self.ctx.qualname(iterator.func) == "builtins.enumerate"
            and iterator.args
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
        ):
            iterator, target = iterator.args[0].value, target.elements[1].value
        if not (
            isinstance(iterator, cst.Call)
            and isinstance(iterator.func, cst.Attribute)
            and iterator.func.attr.value == "split"
        ):
            self.assign(scope, [target], iterator)
            return
        found = self.api_of(iterator.func.value)
        api = found[0] if found else ""
        last = api.rsplit(".", 1)[-1]
        if not (api.startswith("sklearn.model_selection.") or last.endswith(("Fold", "Split"))):
            self.assign(scope, [target], iterator)
            return
        indices = self.targets(target)
        train: frozenset[str] = frozenset(indices)
        test: frozenset[str] = frozenset()
        if len(indices) == 2:
            scope.train_parts.add(indices[0])
            scope.test_parts.add(indices[1])
            train, test = frozenset(indices[:1]), frozenset(indices[1:])
        else:
            scope.train_parts.update(indices)
        sources = frozenset(self.names(iterator.args[0].value)) if iterator.args else frozenset()
        labels = call_argument(iterator, 1, "y")
        scope.splits.append(
            Split(
                node,
                last,
                sources,
                self.line(node),
                self.end_line(node),
                loop=True,
                train=train,
                test=test,
                labels=labels,
            )
        )

    def call(self, scope: ScopeRows, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            scope.called.add(func.value)
        qual = self.ctx.qualname(func)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        line = self.line(node)
        if qual == "sklearn.model_selection.train_test_split":
            sources = set().union(*(self.names(p) for p in positional)) if positional else set()
            train, test = self.outputs.pop(id(node), (frozenset(), frozenset()))
            labels = positional[1] if len(positional) > 1 else None
            scope.splits.append(
                Split(
                    node,
                    "train_test_split",
                    frozenset(sources),
                    line,
                    line,
                    False,
                    train,
                    test,
                    labels,
                )
            )
            return
        if qual in _CV_UTILITIES:
            data = keywords.get("X") or (positional[1] if len(positional) > 1 else None)
            api = qual.rsplit(".", 1)[-1]
            labels = call_argument(node, 2, "y")
            scope.splits.append(
                Split(node, api, frozenset(self.names(data)), line, line, labels=labels)
            )
            return
        if qual is not None and self.ctx.catalog.lookup_call(qual):
            if any(e.role == "evaluate" for e in self.ctx.catalog.lookup_call(qual)):
                scope.evaluations.append(Evaluation(node, frozenset(self.names(node)), line))
            return
        if isinstance(func, cst.Name) and func.value in self.summaries:
            self.summarised_call(scope, node, func.value, positional, line)
            return
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if method in _ESTIMATOR_METHODS and isinstance(func.value, cst.Name):
            scope.estimators.add(func.value.value)
        if method in _EVAL_METHODS and positional:
            scope.evaluations.append(Evaluation(node, frozenset(self.names(node)), line))
            return
        data = keywords.get("X") or (positional[0] if positional else None)
        found = self.api_of(func.value)
        api, ctor_kws = found if found else ("", frozenset())
        if method in _FIT_METHODS and api:
            if api.rsplit(".", 1)[-1].endswith("SearchCV") and data is not None:
                scope.splits.append(
                    Split(
                        node,
                        api.rsplit(".", 1)[-1],
                        frozenset(self.names(data)),
                        line,
                        line,
                        labels=call_argument(node, 1, "y"),
                    )
                )
            elif matches(api, self.preprocessors) and not matches(api, self.not_preprocessors):
                scope.fits.append(Fit(node, "preprocess", api, frozenset(self.names(data)), line))
        elif method in _RESAMPLE_METHODS and api and matches(api, self.oversamplers):
            names = set().union(*(self.names(p) for p in positional)) if positional else set()
            scope.fits.append(Fit(node, "resample", api, frozenset(names), line))
        if method == "fit":
            self.early_stopping(scope, node, keywords, ctor_kws, line)

    def summarised_call(
        self, scope: ScopeRows, node: cst.Call, name: str, positional: list, line: int
    ) -> None:
        for index, inner in self.summaries[name]:
            if index < len(positional):
                names = frozenset(self.names(positional[index]))
                scope.fits.append(Fit(node, inner.kind, inner.api, names, line, via=name))

    def early_stopping(
        self,
        scope: ScopeRows,
        node: cst.Call,
        keywords: dict[str, cst.BaseExpression],
        ctor_kws: frozenset[str],
        line: int,
    ) -> None:
        watched = keywords.get("eval_set") or keywords.get("validation_data")
        if watched is None:
            return
        callbacks = keywords.get("callbacks")
        callback_text = self.ctx.module.code_for_node(callbacks) if callbacks is not None else ""
        # `callbacks=[stop]` with `stop = keras.callbacks.EarlyStopping(...)` defined earlier.
        constructed = " ".join(self.constructed.get(n, ("",))[0] for n in self.names(callbacks))
        stops = (
            "early_stopping_rounds" in keywords
            or "early" in callback_text.lower()
            or "early" in constructed.lower()
            or bool(ctor_kws & {"early_stopping_rounds", "early_stopping"})
        )
        if stops:
            scope.early_stops.append(EarlyStop(node, frozenset(self.names(watched)), line))


def target_elements(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The single targets of a possibly nested tuple or list target."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return [t for e in target.elements for t in target_elements(e.value)]
    if isinstance(target, cst.StarredElement):
        return target_elements(target.value)
    return [target]


def call_argument(
    call: cst.Call, index: int, keyword: str | tuple[str, ...]
) -> cst.BaseExpression | None:
    """The argument at ``index`` (positional) or given as ``keyword=`` (one of several names)."""
    keywords = (keyword,) if isinstance(keyword, str) else keyword
    position = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value in keywords:
                return arg.value
        elif not arg.star:
            if position == index:
                return arg.value
            position += 1
    return None


def _walk_all(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(iter_children(node))))


def _walk_scope(body: list[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Nodes of a scope in source order, not entering nested functions, classes or lambdas."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in reversed(list(iter_children(node))) if type(c) not in _SCOPE_TYPES)


def literal_names(values: dict[str, list[cst.BaseExpression]]) -> frozenset[str]:
    """Names only ever assigned constants (column lists, targets, paths): they are not data, and
    following them would tie every frame indexed with `FEATURES` to every other."""
    literal: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, assigned in values.items():
            if name not in literal and all(_constant(v, literal) for v in assigned):
                literal.add(name)
                changed = True
    return frozenset(literal)


def _constant(expr: cst.CSTNode, literal: set[str]) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in literal or expr.value in ("True", "False", "None")
    if isinstance(expr, (cst.Call, cst.Attribute, cst.Subscript, *_SCOPES)):
        return False
    return all(_constant(c, literal) for c in iter_children(expr))


_SPLIT_WORDS = (
    "train_test_split",
    "Fold",
    "ShuffleSplit",
    "cross_val",
    "cross_validate",
    "SearchCV",
    "fit_resample",
)
_EARLY_STOP_WORDS = ("early_stopping", "EarlyStopping", "eval_set", "validation_data")


def _may_leak(ctx: FileContext, fitted: Iterable[str]) -> bool:
    """Cheap necessary conditions for any row finding, checked before the extra walk: a split
    or cross-validation API is named, and either early stopping is, or an import can name a
    preprocessor or resampler (`import sklearn` can: `sklearn.preprocessing.X()`)."""
    source = ctx.source
    if not any(word in source for word in _SPLIT_WORDS):
        return False
    if any(word in source for word in _EARLY_STOP_WORDS):
        return True
    modules = [p[:-2] if p.endswith(".*") else p for p in fitted]
    for target in ctx.aliases.values():
        for module in modules:
            if (
                target == module
                or target.startswith(module + ".")
                or module.startswith(target + ".")
            ):
                return True
    return False


def may_split(ctx: FileContext) -> bool:
    """A split or cross-validation API is named in the file: the cheap check for rules that need
    the splits but no preprocessing step (pass it as ``row_analysis(..., gate=may_split)``)."""
    return any(word in ctx.source for word in _SPLIT_WORDS)


def row_analysis(
    ctx: FileContext,
    preprocessors: Iterable[str] = DEFAULT_PREPROCESSORS,
    oversamplers: Iterable[str] = DEFAULT_OVERSAMPLERS,
    not_preprocessors: Iterable[str] = DEFAULT_NOT_PREPROCESSORS,
    gate: Callable[[FileContext], bool] | None = None,
) -> RowAnalysis:
    """The row facts of the file ``ctx`` walks (computed once per file and set of API lists).

    ``gate`` is the rule's own cheap necessary condition for a finding, checked before the walk;
    by default, the one of the preprocessing, oversampling and early-stopping rules. The facts do
    not depend on it, so rules with different gates share them."""
    key = (tuple(preprocessors), tuple(oversamplers), tuple(not_preprocessors))
    # Tests fit on whatever rows they like; leakage there is not the product's.
    allowed = not ctx.is_test and (
        gate(ctx) if gate is not None else _may_leak(ctx, [*key[0], *key[1]])
    )
    if not allowed:
        # Most library modules: skip the extra walk.
        return RowAnalysis([])
    per_file = ctx.memo.setdefault("row-analysis", {})
    found = per_file.get(key)
    if found is None:
        if "sklearn" not in ctx.imported_roots and "imblearn" not in ctx.imported_roots:
            found = RowAnalysis([])
        else:
            found = _Builder(ctx, key[0], key[2], key[1]).build()
        per_file[key] = found
    return found


def read_names(expr: cst.CSTNode) -> set[str]:
    """Variables an expression reads: not attribute names, keywords or called plain names."""
    found: set[str] = set()
    skip: set[int] = set()
    for node in scope_nodes([expr]):
        kind = type(node)
        if kind is cst.Name:
            if id(node) not in skip:
                found.add(node.value)  # type: ignore[attr-defined]
        elif kind is cst.Attribute:
            skip.add(id(node.attr))  # type: ignore[attr-defined]
        elif kind is cst.Arg and node.keyword is not None:  # type: ignore[attr-defined]
            skip.add(id(node.keyword))  # type: ignore[attr-defined]
        elif kind is cst.Call and type(node.func) is cst.Name:  # type: ignore[attr-defined]
            skip.add(id(node.func))  # type: ignore[attr-defined]
    return found
