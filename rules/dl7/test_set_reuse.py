import re

import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Severity,
    may_split,
    read_names,
    row_analysis,
    scope_nodes,
)

# Word pieces of a variable name that say "validation" (selection on these is the fix) and "test".
_VALIDATION_WORDS = frozenset(
    {"val", "valid", "validation", "va", "vl", "dev", "eval", "es", "tune", "tuning", "calib"}
)
_TEST_WORDS = frozenset({"test", "tst", "te"})
_PIECE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")

# Calls that pick the best of several scores, or the candidate with the best score.
_SELECTORS = frozenset(
    {
        "builtins.max",
        "builtins.min",
        "numpy.max",
        "numpy.min",
        "numpy.amax",
        "numpy.amin",
        "numpy.nanmax",
        "numpy.nanmin",
        "numpy.argmax",
        "numpy.argmin",
        "numpy.nanargmax",
        "numpy.nanargmin",
        "torch.argmax",
        "torch.argmin",
    }
)
_SELECTOR_METHODS = frozenset({"argmax", "argmin", "idxmax", "idxmin", "nanargmax", "nanargmin"})
# Methods that put a value into a container: `scores.append(s)` makes `scores` carry `s`.
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "put"})
# A loop trains or queries a model per iteration when it calls one of these.
_FIT_METHODS = frozenset({"fit", "partial_fit", "fit_generator", "train", "fit_predict"})
_MODEL_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "score", "evaluate"}
)
# Hyperparameter optimisers that call an objective function and keep its best result.
_OPTIMISER_CALLS = frozenset(
    {
        "hyperopt.fmin",
        "skopt.gp_minimize",
        "skopt.forest_minimize",
        "skopt.gbrt_minimize",
        "skopt.dummy_minimize",
        "bayes_opt.BayesianOptimization",
    }
)
_ORDERING = (cst.LessThan, cst.GreaterThan, cst.LessThanEqual, cst.GreaterThanEqual)
_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
# Data named as test rows: `X_test`, `y_te`, `xtest`, `test_df`, `df_test`, `test_loader`.
_TEST_NAME_IN_SOURCE = re.compile(
    r"\b[xXyY]_?(?:test|te|tst)\b|\btest_?(?:[xXyY]|df|data|set|loader|features|labels)\b"
    r"|\b(?:df|data)_test\b"
)


def _pieces(name: str) -> list[str]:
    words = []
    for part in re.split(r"[_\d]+", name):
        words.extend(w.lower() for w in _PIECE.findall(part))
    return words


def _named(name: str, words: frozenset[str]) -> bool:
    """The name has one of ``words`` as a piece, alone or glued to an `x`/`y` (`Xval`, `ytest`)."""
    for piece in _pieces(name):
        if piece in words:
            return True
        if len(piece) > 2 and (
            (piece[0] in "xy" and piece[1:] in words) or (piece[-1] in "xy" and piece[:-1] in words)
        ):
            return True
    return False


def _gate(ctx: FileContext) -> bool:
    if may_split(ctx):
        return True
    source = ctx.source
    # Without a split API, only the name fallback can find something: a test-like name and a
    # way to pick the best.
    return (
        any(word in source for word in ("best", "max(", "argmax", "idxmax", "min(", "optimize"))
        and any(word in source for word in ("score", "metrics", "evaluate(", "accuracy", "_error"))
        and bool(_TEST_NAME_IN_SOURCE.search(source))
    )


class TestSetReuse(FileRule):
    """Models or hyperparameters are selected by their score on the test rows that are then reported.

    ## What it does
    Follows variables through one function (or a script's top-level code) and reports a score
    computed on the held-out rows of a `train_test_split` — a metric (`accuracy_score(y_test,
    m.predict(X_test))`), `model.score(X_test, y_test)`, Keras `evaluate`, or
    `cross_val_score` on those rows — when that score chooses among candidates:

    - inside a loop that fits or queries a model per iteration (over hyperparameters, models,
      epochs or seeds), the score is compared with a running best (`if s > best: best = s`), or
      the collected scores go to `max`/`min`/`argmax`/`idxmax` (`max(results, key=results.get)`,
      `ks[np.argmax(scores)]`) or the first row of a ranking is taken (`sorted(...)[0]`,
      `table.sort_values("acc").iloc[0]`);
    - two or more models' test scores go to such a selector;
    - a function returns the test score and is the objective of an optimiser (Optuna
      `study.optimize(objective)`, hyperopt `fmin`, scikit-optimize, bayes_opt);
    - a `GridSearchCV`/`RandomizedSearchCV` is fitted on the test rows.

    A function's free variables are read as the module's; a name like `X_test`/`y_test`/`test_df`
    that the analysis cannot place (a parameter, data loaded elsewhere) counts as test rows with
    low confidence.

    Not reported: selection on a validation split — a split of the training rows, or a held-out
    part whose name says `val`/`valid`/`dev` — or by cross-validation on the training rows, with
    the test rows scored once at the end; a loop that only prints or tabulates the test scores of
    several fixed models (a comparison table is fine when nothing is picked from it; sorting it
    for display is not picking); min/max over per-class or per-slice scores of one model;
    cross-validation folds (`for tr, va in kf.split(X)`) and loops that split anew in each
    iteration (repeated hold-out over seeds); and early stopping on the test rows (DL703 reports
    that; a loop that also keeps the best of its test scores is reported here too). A variable named `X_test` that the analysis knows to come from the
    training rows is not test data.

    Known false positives: a test set that is deliberately used as the validation set and never
    reported as an unbiased estimate; names reused for different data in one function (the
    analysis follows the last assignment before the score, by line).

    ## Why is this bad?
    The maximum of several noisy test scores is an optimistic estimate of the chosen model's
    performance: the test set took part in the selection, so it no longer measures
    generalisation. Yang et al. (2022) call this multi-test leakage; Cawley & Talbot (2010) show
    the bias can be as large as the differences between the methods being compared.

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    best_score = 0
    for k in range(1, 30):
        knn = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)
        score = knn.score(X_test, y_test)
        if score > best_score:
            best_score, best_k = score, k
    print(best_k, best_score)
    ```

    ## Use instead
    Select by cross-validation on the training rows (or on a validation split of them) and score
    the test rows once:
    ```python
    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": range(1, 30)}, cv=5)
    search.fit(X_train, y_train)
    print(search.best_params_, search.score(X_test, y_test))
    ```

    ## Options
    None.

    ## References
    - Yang, Brower-Sinning, Lewis & Kästner, "Data Leakage in Notebooks: Static Detection and
      Better Processes", ASE 2022 (multi-test leakage).
    - Cawley & Talbot, "On Over-fitting in Model Selection and Subsequent Selection Bias in
      Performance Evaluation", JMLR 11, 2010.
    - Kapoor & Narayanan, "Leakage and the Reproducibility Crisis in ML-based Science",
      Patterns, 2023.
    """

    code = "DL704"
    name = "test-set-reuse"
    severity = Severity.WARNING
    remediation_minutes = 60

    VALID = [
        # Selection on a validation split of the training rows; the test rows are scored once.
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        from sklearn.svm import SVC
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, random_state=0)
        best, best_c = 0.0, None
        for c in (0.1, 1.0, 10.0):
            model = SVC(C=c).fit(X_fit, y_fit)
            y_pred = model.predict(X_val)
            acc = accuracy_score(y_val, y_pred)
            if acc > best:
                best, best_c = acc, c
        final = SVC(C=best_c).fit(X_train, y_train)
        y_pred = final.predict(X_test)
        print(accuracy_score(y_test, y_pred))
        """,
        # A comparison table of fixed models: every test score is printed, none is picked.
        """
        import pandas as pd
        from sklearn.metrics import f1_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        rows = []
        for name, model in models.items():
            model.fit(X_train, y_train)
            score = f1_score(y_test, model.predict(X_test))
            print(f"{name}: {score:.3f}")
            rows.append({"model": name, "f1": score})
        table = pd.DataFrame(rows).sort_values("f1", ascending=False)
        print(table.to_markdown())
        """,
        # Cross-validation on the training rows for the choice, the test rows once at the end.
        """
        from sklearn.model_selection import cross_val_score, train_test_split
        from sklearn.svm import SVC
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        scores = [cross_val_score(SVC(C=c), X_train, y_train, cv=5).mean() for c in Cs]
        best_c = Cs[scores.index(max(scores))]
        print(SVC(C=best_c).fit(X_train, y_train).score(X_test, y_test))
        """,
        # Named "test", but the analysis sees an inner split of the training rows.
        """
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.neighbors import KNeighborsClassifier
        X_train, X_hold, y_train, y_hold = train_test_split(X, y, random_state=0)
        X_fit, X_test, y_fit, y_test = train_test_split(X_train, y_train, random_state=0)
        scores = [
            KNeighborsClassifier(k).fit(X_fit, y_fit).score(X_test, y_test) for k in range(1, 20)
        ]
        best_k = 1 + int(np.argmax(scores))
        print(KNeighborsClassifier(best_k).fit(X_train, y_train).score(X_hold, y_hold))
        """,
        # Worst-class recall of one model: min over slices, not a choice between candidates.
        """
        from sklearn.metrics import recall_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        pred = model.fit(X_train, y_train).predict(X_test)
        worst = min(recall_score(y_test == c, pred == c) for c in classes)
        print(f"worst-class recall {worst:.3f}")
        """,
        # Cross-validation folds: keeping the best fold's model is not test-set reuse.
        """
        from sklearn.model_selection import KFold
        best = 0
        for tr, va in KFold(5).split(X):
            model.fit(X[tr], y[tr])
            score = model.score(X[va], y[va])
            if score > best:
                best, best_model = score, model
        """,
        # Early stopping on the test rows is DL703's finding, not this rule's.
        """
        from sklearn.model_selection import train_test_split
        from xgboost import XGBClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        for lr in (0.01, 0.1):
            model = XGBClassifier(learning_rate=lr, early_stopping_rounds=20)
            model.fit(X_train, y_train, eval_set=[(X_test, y_test)])
        """,
    ]
    INVALID = [
        """
        from sklearn.model_selection import train_test_split
        from sklearn.neighbors import KNeighborsClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        best_score, best_k = 0.0, None
        for k in range(1, 30):
            knn = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)
            score = knn.score(X_test, y_test)  # expect: DL704
            if score > best_score:
                best_score, best_k = score, k
        print(f"best k={best_k}: test accuracy {best_score:.3f}")
        """,
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
        results = {}
        for name, model in models.items():
            model.fit(X_train, y_train)
            results[name] = accuracy_score(y_test, model.predict(X_test))  # expect: DL704
        best = max(results, key=results.get)
        print(best, results[best])
        """,
        """
        import numpy as np
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.metrics import mean_squared_error
        from sklearn.model_selection import train_test_split
        train, test = train_test_split(df, test_size=0.2, random_state=0)
        errors = []
        for depth in (2, 4, 8, 16):
            rf = RandomForestRegressor(max_depth=depth).fit(train[FEATURES], train["price"])
            errors.append(mean_squared_error(test["price"], rf.predict(test[FEATURES])))  # expect: DL704
        best_depth = (2, 4, 8, 16)[np.argmin(errors)]
        """,
        """
        from sklearn.model_selection import GridSearchCV, train_test_split
        from sklearn.svm import SVC
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, cv=5)
        search.fit(X_test, y_test)  # expect: DL704
        """,
        # An Optuna objective that returns the test score of each trial.
        """
        import optuna
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        def objective(trial):
            model = RandomForestClassifier(max_depth=trial.suggest_int("max_depth", 2, 32))
            model.fit(X_train, y_train)
            return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])  # expect: DL704
        study = optuna.create_study(direction="maximize")
        study.optimize(objective, n_trials=50)
        """,
        # Two models compared on the test rows, the better one kept.
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        import numpy as np
        acc_lr = accuracy_score(y_test, lr.fit(X_train, y_train).predict(X_test))
        acc_rf = accuracy_score(y_test, rf.fit(X_train, y_train).predict(X_test))
        best = [lr, rf][int(np.argmax([acc_lr, acc_rf]))]  # expect: DL704
        """,
        # Test rows known only by name (a parameter): reported with low confidence.
        """
        from sklearn.metrics import f1_score
        def pick_threshold(model, X_test, y_test):
            proba = model.predict_proba(X_test)[:, 1]
            best_t, best_f1 = 0.5, 0.0
            for t in (0.3, 0.4, 0.5, 0.6):
                f1 = f1_score(y_test, proba > t)  # expect: DL704
                if f1 > best_f1:
                    best_t, best_f1 = t, f1
            return best_t
        """,
    ]

    def finish(self) -> None:
        analysis = row_analysis(self.ctx, gate=_gate)
        if not analysis.scopes:
            return
        module = analysis.scopes[-1]
        module_seeds = self._seeds(module)
        module_test = _forward(module, module_seeds)
        module_parts = module.parts()
        objectives: set[str] | None = None
        for scope in analysis.scopes:
            seeds = self._seeds(scope)
            fallback: set[str] = set()
            bound = set(scope.params) | {d for dsts in scope.edges.values() for d, _ in dsts}
            read = set(scope.edges) | {n for e in scope.evaluations for n in e.names}
            parts = scope.parts()
            if scope is not module:
                free = read - bound
                seeds |= {n for n in free if n in module_test and not _named(n, _VALIDATION_WORDS)}
                parts |= {n for n in free if n in module_parts}
            for name in read | set(scope.params):
                if (
                    name not in parts
                    and _named(name, _TEST_WORDS)
                    and not _named(name, _VALIDATION_WORDS)
                ):
                    fallback.add(name)
            if not seeds and not fallback:
                continue
            tester = _Tester(scope, seeds, fallback)
            for split in scope.splits:
                if split.api.endswith("SearchCV"):
                    sure = tester.test(split.sources, split.line)
                    if sure is not None:
                        self.report(
                            split.node,
                            f"{split.api} is fitted on the test rows: the hyperparameters are "
                            "chosen by the data that should measure them",
                            entity=f"{scope.name}:{split.api}",
                            confidence=Confidence.HIGH if sure else Confidence.LOW,
                            help="Fit the search on the training rows; score the test rows once "
                            "with the chosen model.",
                        )
            scorings = [(e.node, e.names, e.line) for e in scope.evaluations]
            scorings += [
                (s.node, s.sources, s.line)
                for s in scope.splits
                if not s.loop and s.api.startswith(("cross_val", "cross_validate"))
            ]
            on_test = []
            for node, names, line in scorings:
                sure = tester.test(names, line)
                if sure is not None:
                    on_test.append((node, line, sure))
            if not on_test:
                continue
            if objectives is None:
                objectives = self._objectives(analysis.scopes)
            self._selections(scope, on_test, scope.name in objectives)

    # -- which rows are the test rows ----------------------------------------------------------------
    def _seeds(self, scope) -> set[str]:  # type: ignore[no-untyped-def]
        """Held-out outputs of splits of all rows (not of the training side of an earlier split,
        which makes a validation set), without the ones named as validation data."""
        seeds: set[str] = set()
        splits = sorted(scope.splits, key=lambda s: s.line)
        for index, split in enumerate(splits):
            if split.loop or not split.test:
                continue
            earlier_train = set().union(*(s.train for s in splits[:index] if s.line < split.line))
            if split.sources & scope.closure(earlier_train):
                continue
            seeds |= {n for n in split.test if not _named(n, _VALIDATION_WORDS)}
        return seeds

    def _objectives(self, scopes) -> set[str]:  # type: ignore[no-untyped-def]
        """Functions of this file passed to a hyperparameter optimiser, anywhere in it."""
        found: set[str] = set()
        for node in scope_nodes([n for scope in scopes for n in scope.body]):
            if type(node) is not cst.Call:
                continue
            func = node.func  # type: ignore[attr-defined]
            optimiser = (
                isinstance(func, cst.Attribute) and func.attr.value == "optimize"
            ) or self.ctx.qualname(func) in _OPTIMISER_CALLS
            if optimiser:
                for arg in node.args:  # type: ignore[attr-defined]
                    if isinstance(arg.value, cst.Name) and (
                        arg.keyword is None or arg.keyword.value in ("fn", "func", "f")
                    ):
                        found.add(arg.value.value)
        return found

    # -- is a test score used to pick? ---------------------------------------------------------------
    def _selections(self, scope, on_test, objective: bool) -> None:  # type: ignore[no-untyped-def]
        facts = _ScopeFacts(self, scope)
        reported: set[int] = set()
        feeding: dict[int, list] = {}  # selector call -> the test scorings it reads
        for node, line, sure in on_test:
            scores = facts.scores_of(node, line)
            loops = facts.loops_around(node)
            why = None
            if loops and facts.resplits(loops, line):
                continue  # repeated hold-out: the test rows change with each iteration
            if loops and facts.compared_with_best(node, scores, loops):
                why = "the loop keeps the best test score"
            if why is None:
                for selector in facts.selectors_after(node, scores):
                    if loops and facts.candidate_loop(loops):
                        why = "the best of the loop's test scores is picked"
                        break
                    if not loops:
                        feeding.setdefault(id(selector), [selector]).append((node, line, sure))
            if why is None and objective and facts.returned(node, scores):
                why = "the function returns it as the objective of a hyperparameter search"
            if why is None:
                continue
            key = id(loops[0]) if loops else id(node)
            if key in reported:
                continue
            reported.add(key)
            self._report(scope, node, line, sure, why)
        for selector, *fed in feeding.values():
            if len({id(n) for n, _, _ in fed}) >= 2:
                _, line, sure = fed[0]
                self._report(
                    scope,
                    selector,
                    line,
                    all(s for _, _, s in fed),
                    f"{len(fed)} models' test scores are compared to pick one",
                )

    def _report(self, scope, node, line: int, sure: bool, why: str) -> None:  # type: ignore[no-untyped-def]
        self.report(
            node,
            f"model selection on the test rows: {why}, so the reported test score is optimistic",
            entity=f"{scope.name}:test-set-reuse",
            confidence=Confidence.HIGH if sure else Confidence.LOW,
            help="Select on a validation split of the training rows or by cross-validation on "
            "them (GridSearchCV on X_train); score the test rows once, at the end.",
            properties={"scored_line": line, "by_name_only": not sure},
        )


class _Tester:
    """Whether names read at a line hold test rows, following the last assignment before it."""

    def __init__(self, scope, seeds: set[str], fallback: set[str]) -> None:  # type: ignore[no-untyped-def]
        self.scope = scope
        self.seeds = seeds
        self.fallback = fallback
        self.defs: dict[str, list[tuple[int, str]]] = {}
        for source, targets in scope.edges.items():
            for target, at in targets:
                self.defs.setdefault(target, []).append((at, source))

    def test(self, names, line: int) -> bool | None:  # type: ignore[no-untyped-def]
        """True: test rows by the row analysis; False: by name only; None: not test rows."""
        found = None
        for name in names:
            verdict = self._name(name, line, set())
            if verdict:
                return True
            if verdict is False:
                found = False
        return found

    def _name(self, name: str, line: int, seen: set[str]) -> bool | None:
        if name in self.seeds:
            return True
        if name in seen or name in self.scope.estimators or _named(name, _VALIDATION_WORDS):
            return None
        seen.add(name)
        found = False if name in self.fallback else None
        defs = self.defs.get(name, [])
        before = [at for at, _ in defs if at < line]
        at_line = max(before) if before else None
        for at, source in defs:
            if at_line is not None and at != at_line:
                continue
            verdict = self._name(source, at, seen)
            if verdict:
                return True
            if verdict is False:
                found = False
        return found


class _ScopeFacts:
    """What the selection checks need from one scope's nodes, collected in one walk (the checks
    then only look at the few comparisons, selector calls and returns)."""

    def __init__(self, rule: FileRule, scope) -> None:  # type: ignore[no-untyped-def]
        self.rule = rule
        self.scope = scope
        cv_loops = {id(s.node) for s in scope.splits if s.loop}
        nodes = list(scope_nodes(scope.body))
        self.order = {id(n): i for i, n in enumerate(nodes)}
        self.loops = [n for n in nodes if isinstance(n, _LOOPS) and id(n) not in cv_loops]
        self.inside: dict[int, set[int]] = {
            id(loop): {id(n) for n in scope_nodes([loop])} for loop in self.loops
        }
        self.comparisons = [
            n
            for n in nodes
            if type(n) is cst.Comparison
            and any(isinstance(t.operator, _ORDERING) for t in n.comparisons)  # type: ignore[attr-defined]
        ]
        # Names holding a ranking: `table = pd.DataFrame(rows).sort_values("acc")`.
        self.rankings = {
            name
            for n in nodes
            if type(n) is cst.Assign and self._ranking(n.value)  # type: ignore[attr-defined]
            for t in n.targets  # type: ignore[attr-defined]
            for name in _bound(t.target)
        }
        self.selectors = [n for n in nodes if self._selector(n)]
        self.returns = [n.value for n in nodes if type(n) is cst.Return and n.value is not None]  # type: ignore[attr-defined]
        self.under: dict[int, set[int]] = {}  # node -> the nodes under it, on demand
        self.read: dict[int, set[str]] = {}  # node -> the names it reads, on demand
        # Names bound by the statement or container call a node is part of, and extra def-use
        # edges for `container.append(value)`.
        self.binders: dict[int, set[str]] = {}
        self.edges: dict[str, set[str]] = {}
        for node in nodes:
            kind = type(node)
            if kind in (cst.Assign, cst.AugAssign, cst.AnnAssign):
                value = node.value  # type: ignore[attr-defined]
                if value is None:
                    continue
                targets = (
                    [t.target for t in node.targets]  # type: ignore[attr-defined]
                    if kind is cst.Assign
                    else [node.target]  # type: ignore[attr-defined]
                )
                bound = set().union(*(_bound(t) for t in targets))
                for inner in scope_nodes([value]):
                    self.binders.setdefault(id(inner), set()).update(bound)
                # The row analysis does not follow names only ever assigned a constant
                # (`rows = []` filled by `rows.append(...)`): follow every assignment here.
                for name in read_names(value):
                    self.edges.setdefault(name, set()).update(bound - {name})
            else:
                root = _mutated(node)
                if root:
                    for arg in node.args:  # type: ignore[attr-defined]
                        for inner in scope_nodes([arg.value]):
                            self.binders.setdefault(id(inner), set()).add(root)
                        for name in read_names(arg.value):
                            self.edges.setdefault(name, set()).add(root)

    def resplits(self, loops, line: int) -> bool:  # type: ignore[no-untyped-def]
        """A loop splits the rows anew in each iteration (seeds, bootstrap hold-outs)."""
        return any(
            id(split.node) in self.inside[id(loop)]
            for loop in loops
            for split in self.scope.splits
            if not split.loop and split.line <= line
        )

    def loops_around(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        return [loop for loop in self.loops if id(node) in self.inside[id(loop)]]

    def scores_of(self, node: cst.CSTNode, line: int) -> set[str]:
        """Names that hold the score computed by ``node``, or a container it was put in."""
        start = set(self.binders.get(id(node), ()))
        seen = set(start)
        stack = list(start)
        while stack:
            name = stack.pop()
            nexts = {d for d, at in self.scope.edges.get(name, ()) if at >= line}
            for target in nexts | self.edges.get(name, set()):
                if target not in seen and target not in self.scope.estimators:
                    seen.add(target)
                    stack.append(target)
        return seen

    def _contains(self, outer: cst.CSTNode, node: cst.CSTNode) -> bool:
        if outer is node:
            return True
        under = self.under.get(id(outer))
        if under is None:
            under = self.under[id(outer)] = {id(n) for n in scope_nodes([outer])}
        return id(node) in under

    def _reads(self, expr: cst.CSTNode) -> set[str]:
        found = self.read.get(id(expr))
        if found is None:
            found = self.read[id(expr)] = read_names(expr)
        return found

    def _holds(self, expr: cst.CSTNode, node: cst.CSTNode, scores: set[str]) -> bool:
        """``expr`` is the score of ``node`` or reads a name holding it."""
        return self._contains(expr, node) or bool(self._reads(expr) & scores)

    def compared_with_best(self, node, scores: set[str], loops) -> bool:  # type: ignore[no-untyped-def]
        """A comparison in the loop between the score and a running best derived from it."""
        inside = self.inside[id(loops[-1])] | self.inside[id(loops[0])]
        for other in self.comparisons:
            if id(other) not in inside:
                continue
            sides = [other.left] + [t.comparator for t in other.comparisons]  # type: ignore[attr-defined]
            # The score on one side, a best-so-far it was assigned to on another; a constant
            # threshold or an unrelated score (the training accuracy) is not a running best.
            if sum(1 for side in sides if self._holds(side, node, scores)) >= 2:
                return True
        return False

    def selectors_after(self, node, scores: set[str]) -> list[cst.Call]:  # type: ignore[no-untyped-def]
        position = self.order.get(id(node), 0)
        return [
            other
            for other in self.selectors
            if (self.order[id(other)] >= position or self._contains(other, node))
            and self._holds(other, node, scores)
        ]

    def _selector(self, node: cst.CSTNode) -> bool:
        """`max(...)`, `np.argmax(...)`, `s.idxmax()`, and the first or last of a ranking:
        `sorted(...)[0]`, `table.sort_values(...).iloc[0]` (a sorted table that is only shown
        picks nothing)."""
        kind = type(node)
        if kind is cst.Call:
            func = node.func  # type: ignore[attr-defined]
            if isinstance(func, cst.Attribute) and func.attr.value in _SELECTOR_METHODS:
                return True
            return self.rule.ctx.qualname(func) in _SELECTORS
        if kind is not cst.Subscript or len(node.slice) != 1:  # type: ignore[attr-defined]
            return False
        index = node.slice[0].slice  # type: ignore[attr-defined]
        if not (isinstance(index, cst.Index) and _end_index(index.value)):
            return False
        ranked = node.value  # type: ignore[attr-defined]
        if isinstance(ranked, cst.Attribute) and ranked.attr.value in ("iloc", "index"):
            ranked = ranked.value
        if isinstance(ranked, cst.Name):
            return ranked.value in self.rankings
        return self._ranking(ranked)

    def _ranking(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Call):
            return False
        if isinstance(expr.func, cst.Attribute):
            return expr.func.attr.value in ("sort_values", "sort_index")
        return self.rule.ctx.qualname(expr.func) == "builtins.sorted"

    def candidate_loop(self, loops) -> bool:  # type: ignore[no-untyped-def]
        """One of the loops trains a model per iteration, or iterates over models."""
        for loop in loops:
            targets: set[str] = set()
            if isinstance(loop, cst.For):
                targets = _bound(loop.target)
            elif isinstance(loop, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
                targets = _bound(loop.for_in.target)
            for other in scope_nodes([loop]):
                if type(other) is not cst.Call or not isinstance(other.func, cst.Attribute):  # type: ignore[attr-defined]
                    continue
                method = other.func.attr.value  # type: ignore[attr-defined]
                if method in _FIT_METHODS:
                    return True
                if method in _MODEL_METHODS and _root(other.func.value) in targets:  # type: ignore[attr-defined]
                    return True
        return False

    def returned(self, node, scores: set[str]) -> bool:  # type: ignore[no-untyped-def]
        return any(self._holds(value, node, scores) for value in self.returns)


def _end_index(expr: cst.BaseExpression) -> bool:
    """`0` or `-1`."""
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        expr = expr.expression
        return isinstance(expr, cst.Integer) and expr.value == "1"
    return isinstance(expr, cst.Integer) and expr.value == "0"


def _forward(scope, seeds: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """``seeds`` and the names made from them, not through validation-named names."""
    seen = set(seeds)
    stack = list(seeds)
    while stack:
        for target, _ in scope.edges.get(stack.pop(), ()):
            if (
                target not in seen
                and target not in scope.estimators
                and not _named(target, _VALIDATION_WORDS)
            ):
                seen.add(target)
                stack.append(target)
    return seen


def _mutated(node: cst.CSTNode) -> str | None:
    """The container a call like `scores.append(s)` puts its arguments in."""
    if type(node) is not cst.Call:
        return None
    func = node.func  # type: ignore[attr-defined]
    if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
        return _root(func.value)
    return None


def _root(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _bound(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_bound(e.value) for e in target.elements))
    if isinstance(target, cst.StarredElement):
        return _bound(target.value)
    root = _root(target)
    return {root} if root else set()
