import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Severity,
    call_argument,
    iter_tree,
    literal_names,
    may_split,
    read_names,
    row_analysis,
    scope_nodes,
    target_elements,
)

# Calls that use a fitted model on rows: a score, or predictions that a metric will read.
_USE_METHODS = frozenset(
    {"score", "evaluate", "predict", "predict_proba", "predict_log_proba", "decision_function"}
)
_FIT_METHODS = frozenset({"fit"})

Version = tuple[str, int]  # a name and the line of the assignment that bound it (0: unbound here)


class _Versions:
    """Which assignment a name read at a line refers to (the last one before it, by line), and
    what that assignment read: a small by-line SSA over one scope of the row analysis. The row
    analysis' own edges are flow-insensitive and skip `X = X.fillna(0)`; both matter here, since a
    name rebound after the split (`X_test = pd.read_csv("test.csv")`) is other data."""

    def __init__(
        self, ctx: FileContext, body: list[cst.CSTNode], constants: frozenset[str]
    ) -> None:
        self.ctx = ctx
        # Modules, and names only ever bound to literals (column lists, sizes): not data, and
        # following them would tie every frame indexed with `FEATURES` to every other.
        self.imported = frozenset(ctx.aliases) | constants
        self.defs: dict[str, dict[int, set[str]]] = {}
        self.memo: dict[Version, frozenset[Version]] = {}
        for node in scope_nodes(body):
            kind = type(node)
            if kind is cst.Assign:
                for target in node.targets:  # type: ignore[attr-defined]
                    self._bind(target.target, node.value, self._line(node.value))  # type: ignore[attr-defined]
            elif kind in (cst.AnnAssign, cst.AugAssign) and node.value is not None:  # type: ignore[attr-defined]
                keep = _root(node.target) if kind is cst.AugAssign else None  # type: ignore[attr-defined]
                self._bind(node.target, node.value, self._line(node.value), keep)  # type: ignore[attr-defined]
            elif kind is cst.For:
                self._bind(node.target, node.iter, self._line(node))  # type: ignore[attr-defined]
            elif kind is cst.NamedExpr:
                self._bind(node.target, node.value, self._line(node))  # type: ignore[attr-defined]

    def _line(self, node: cst.CSTNode) -> int:
        return self.ctx.span(node)[0]

    def _bind(
        self, target: cst.BaseExpression, value: cst.BaseExpression, line: int, keep=None
    ) -> None:  # type: ignore[no-untyped-def]
        if (
            isinstance(target, (cst.Tuple, cst.List))
            and isinstance(value, (cst.Tuple, cst.List))
            and len(target.elements) == len(value.elements)
        ):
            for left, right in zip(target.elements, value.elements, strict=True):
                self._bind(left.value, right.value, line, keep)
            return
        reads = self.data(value)
        for element in target_elements(target):
            root = _root(element)
            if root is None:
                continue
            extra = {root} if type(element) is not cst.Name or root == keep else set()
            self.defs.setdefault(root, {}).setdefault(line, set()).update(reads | extra)

    def names(self, expr: cst.CSTNode | None) -> set[str]:
        """Variables an expression reads: not attribute names, keywords, called plain names or
        imported modules."""
        return read_names(expr) - self.imported if expr is not None else set()

    def data(self, expr: cst.CSTNode) -> set[str]:
        """The variables whose rows an expression is made of: like ``names``, but not keyword
        arguments (`test_size=n`) or slice bounds (`X.iloc[:n]`), which select or configure."""
        found: set[str] = set()
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is cst.Name:
                if node.value not in self.imported:  # type: ignore[attr-defined]
                    found.add(node.value)  # type: ignore[attr-defined]
            elif kind is cst.Attribute:
                stack.append(node.value)  # type: ignore[attr-defined]
            elif kind is cst.Subscript:
                stack.append(node.value)  # type: ignore[attr-defined]
                for element in node.slice:  # type: ignore[attr-defined]
                    if type(element.slice) is cst.Index:
                        stack.append(element.slice.value)
            elif kind is cst.Call:
                if type(node.func) is not cst.Name:  # type: ignore[attr-defined]
                    stack.append(node.func)  # type: ignore[attr-defined]
                stack.extend(a.value for a in node.args if a.keyword is None)  # type: ignore[attr-defined]
            elif kind not in (cst.Lambda, cst.FunctionDef, cst.ClassDef):
                stack.extend(node.children)
        return found

    def version(self, name: str, line: int) -> Version:
        before = [at for at in self.defs.get(name, ()) if at < line]
        return (name, max(before) if before else 0)

    def bound_between(self, name: str, start: int, end: int) -> bool:
        return any(start < at < end for at in self.defs.get(name, ()))

    def lineage(self, version: Version) -> frozenset[Version]:
        """The version and every version it was made from."""
        found = self.memo.get(version)
        if found is not None:
            return found
        seen = {version}
        stack = [version]
        while stack:
            name, at = stack.pop()
            if at == 0:
                continue
            for source in self.defs.get(name, {}).get(at, ()):
                older = self.version(source, at)
                if older not in seen:
                    seen.add(older)
                    stack.append(older)
        found = self.memo[version] = frozenset(seen)
        return found

    def lineages(self, names, line: int) -> frozenset[Version]:  # type: ignore[no-untyped-def]
        out: set[Version] = set()
        for name in names:
            out |= self.lineage(self.version(name, line))
        return frozenset(out)


class TrainTestOverlap(FileRule):
    """A model is fitted on rows that include the held-out rows, then scored on those rows.

    ## What it does
    Follows variables through one function (or a script's top-level code) and reports a
    supervised `fit(X, y)` whose rows include the held-out side of a split — the data that was
    split (or the data it was made from, or data made from it), or the two sides put back
    together (`pd.concat([X_train, X_test])`, `np.vstack`, `np.concatenate`) — when the same
    model is then scored on, or predicts, the held-out rows (`model.score(X_test, y_test)`,
    `model.predict(X_test)`, Keras `evaluate`). Splits are `train_test_split` with its outputs
    unpacked and cross-validation loops (`for tr, va in kf.split(X)`). The finding is at the fit
    and names the split line and the scoring line.

    Not reported: refitting on all rows after the evaluation (the final model for production —
    the recommended practice), also when the refitted model is scored again on held-out rows
    that some model was already scored on before the fit; cross-validation helpers (`cross_val_score(model, X, y)` clones and
    fits per fold); fits on the training side only; scoring on the training rows; a model fitted
    again, or its name rebound, between the fit and the scoring; a split of a different data set
    than the one fitted; a held-out name rebound to other data before the scoring
    (`X_test = pd.read_csv("test.csv")`); unsupervised fits (`fit(X)` without labels); and test
    files.

    The analysis follows names by line, not values: a branch that fits on all rows in one arm
    and on the training rows in the other is judged by the later line. Known false positives:
    deliberate transductive or semi-supervised setups (pseudo-labelling the test rows), and
    "held-out" rows scored only as a sanity check of a model that is knowingly trained on
    everything.

    ## Why is this bad?
    The model has seen the rows it is evaluated on, so the score measures memorisation, not
    generalisation, and can be close to perfect for flexible models. Yang et al. (2022) call
    training and test data sharing rows "overlap leakage".

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model.fit(X, y)
    print(model.score(X_test, y_test))
    ```

    ## Use instead
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model.fit(X_train, y_train)
    print(model.score(X_test, y_test))
    model.fit(X, y)  # the final model, after the evaluation
    ```

    ## Options
    None.

    ## References
    - Yang, Brower-Sinning, Lewis & Kästner, "Data Leakage in Notebooks: Static Detection and
      Better Processes", ASE 2022 (overlap leakage).
    - Kapoor & Narayanan, "Leakage and the Reproducibility Crisis in ML-based Science",
      Patterns, 2023.
    """

    code = "DL706"
    name = "train-test-overlap"
    severity = Severity.WARNING
    remediation_minutes = 30

    VALID = [
        # The final model refitted on all rows after the evaluation.
        """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = RandomForestClassifier()
        model.fit(X_train, y_train)
        print(model.score(X_test, y_test))
        model.fit(X, y)
        """,
        # Refitted for production, then the same held-out rows printed again: not reported.
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        clf = LogisticRegression().fit(X_train, y_train)
        print(accuracy_score(y_test, clf.predict(X_test)))
        clf.fit(X, y)
        print(accuracy_score(y_test, clf.predict(X_test)))
        """,
        # Cross-validation helpers fit per fold; the test rows are scored by a train-only fit.
        """
        from sklearn.model_selection import cross_val_score, train_test_split
        from sklearn.svm import SVC
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = SVC()
        print(cross_val_score(model, X, y, cv=5).mean())
        model.fit(X_train, y_train)
        print(model.score(X_test, y_test))
        """,
        # Fitted on all rows, but scored on the training rows only.
        """
        from sklearn.model_selection import train_test_split
        from sklearn.tree import DecisionTreeClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        tree = DecisionTreeClassifier().fit(X, y)
        print(tree.score(X_train, y_train))
        """,
        # A split of a different data set than the one fitted.
        """
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import train_test_split
        A_train, A_test, b_train, b_test = train_test_split(A, b, random_state=0)
        reg = Ridge().fit(X, y)
        print(reg.score(A_test, b_test))
        """,
        # The same columns of another frame: only the column list is shared.
        """
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import train_test_split
        FEATURES = ["area", "rooms"]
        n = len(df)
        X = df[FEATURES].iloc[:n]
        X_train, X_test, y_train, y_test = train_test_split(X, df["price"], random_state=0)
        reg = Ridge().fit(other[FEATURES].iloc[:n], other["price"])
        print(reg.score(X_test, y_test))
        """,
        # The held-out name rebound to the competition's test file before predicting.
        """
        import pandas as pd
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        gb = GradientBoostingClassifier()
        gb.fit(X, y)
        X_test = pd.read_csv("test.csv")
        pd.Series(gb.predict(X_test)).to_csv("submission.csv")
        """,
        # The best of the compared models refitted on all rows, and shown on the test rows again.
        """
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        for name, model in models.items():
            model.fit(X_train, y_train)
            print(name, model.score(X_test, y_test))
        best = models["forest"]
        best.fit(X, y)
        print(best.score(X_test, y_test))
        """,
        # Fitted on all rows, refitted on the training rows before the scoring.
        """
        from sklearn.model_selection import train_test_split
        from sklearn.svm import SVC
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        svc = SVC()
        svc.fit(X, y)
        svc.fit(X_train, y_train)
        print(svc.score(X_test, y_test))
        """,
        # A validation split of the training rows, the model fitted on the inner training part.
        """
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_train, X_val, y_train, y_val = train_test_split(X_train, y_train, random_state=0)
        model.fit(X_train, y_train)
        print(model.score(X_val, y_val))
        """,
        # Unsupervised: a clustering fitted on all rows.
        """
        from sklearn.cluster import KMeans
        from sklearn.model_selection import train_test_split
        X_train, X_test = train_test_split(X, random_state=0)
        km = KMeans(4).fit(X)
        labels = km.predict(X_test)
        """,
        # Cross-validation folds fitted on the training folds.
        """
        from sklearn.model_selection import KFold
        for tr, va in KFold(5).split(X):
            model.fit(X[tr], y[tr])
            print(model.score(X[va], y[va]))
        """,
    ]
    INVALID = [
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = LogisticRegression()
        model.fit(X, y)  # expect: DL706
        print(model.score(X_test, y_test))
        """,
        """
        import pandas as pd
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.metrics import r2_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        rf = RandomForestRegressor()
        rf.fit(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))  # expect: DL706
        y_pred = rf.predict(X_test)
        print(r2_score(y_test, y_pred))
        """,
        """
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.svm import SVC
        def evaluate(features, labels):
            X_tr, X_te, y_tr, y_te = train_test_split(features, labels, stratify=labels)
            clf = SVC().fit(  # expect: DL706
                np.vstack([X_tr, X_te]), np.concatenate([y_tr, y_te])
            )
            return clf.score(X_te, y_te)
        """,
        # Fitted on the frame the split data was taken from, before the split.
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        from sklearn.neighbors import KNeighborsClassifier
        X = df.drop(columns=["label"])
        X = X.fillna(0)
        knn = KNeighborsClassifier()
        knn.fit(X, df["label"])  # expect: DL706
        X_train, X_test, y_train, y_test = train_test_split(X, df["label"])
        print(accuracy_score(y_test, knn.predict(X_test)))
        """,
    ]

    def finish(self) -> None:
        analysis = row_analysis(self.ctx, gate=may_split)
        for scope in analysis.scopes:
            splits = [s for s in scope.splits if s.test]
            if splits:
                self._scope(scope, splits)

    def _scope(self, scope, splits) -> None:  # type: ignore[no-untyped-def]
        versions = _Versions(self.ctx, scope.body, self._constants())
        fits: list[tuple[cst.Call, str, int, set[str]]] = []  # call, model key, line, X names
        uses: list[tuple[cst.Call, str, int, set[str]]] = []  # call, model key, line, data names
        owners: dict[int, str] = {}  # id of a fit call -> the name it is assigned to
        for node in scope_nodes(scope.body):
            if type(node) is cst.Assign and type(node.value) is cst.Call:  # type: ignore[attr-defined]
                targets = node.targets  # type: ignore[attr-defined]
                if len(targets) == 1 and type(targets[0].target) is cst.Name:
                    owners[id(node.value)] = targets[0].target.value  # type: ignore[attr-defined]
            if type(node) is not cst.Call or type(node.func) is not cst.Attribute:  # type: ignore[attr-defined]
                continue
            method = node.func.attr.value  # type: ignore[attr-defined]
            receiver = node.func.value  # type: ignore[attr-defined]
            if method not in _FIT_METHODS and method not in _USE_METHODS:
                continue
            # Only a fit's result assigned to a name is that model (`s = m.fit(...).score(...)`
            # binds a score).
            owner = owners.get(id(node)) if method in _FIT_METHODS else None
            key = self._key(receiver, owner)
            if key is None:
                continue
            line = self.ctx.span(node)[0]
            if method in _FIT_METHODS:
                data = call_argument(node, 0, ("X", "x"))
                labels = call_argument(node, 1, ("y",))
                if data is not None and labels is not None:
                    fits.append((node, key, line, versions.data(data)))
            else:
                names = set().union(*(versions.names(a.value) for a in node.args))
                uses.append((node, key, line, names))
        if not fits or not uses:
            return
        for fit, key, line, data in fits:
            found = self._overlap(
                versions, splits, fits, uses, scope.evaluations, fit, key, line, data
            )
            if found is None:
                continue
            split, use_line = found
            what = "the model" if key.startswith("<call@") else f"`{key}`"
            self.report(
                fit,
                f"{what} is fitted on rows that include the held-out rows of the "
                f"{split.api} at line {split.line}, then scored on them at line {use_line}: "
                "the score measures memorisation",
                entity=f"{scope.name}:{key}:train-test-overlap",
                confidence=Confidence.MEDIUM,
                help="Fit on the training side of the split only; refit on all rows after the "
                "evaluation if the final model should see them.",
                properties={"split_line": split.line, "scored_line": use_line},
            )

    def _constants(self) -> frozenset[str]:
        """Names of the file only ever bound to literals (computed once per file)."""
        found = self.ctx.memo.get("dl706-constants")
        if found is not None:
            return found
        values: dict[str, list[cst.BaseExpression]] = {}
        for node in iter_tree(self.ctx.module):
            if type(node) is cst.Assign:
                for target in node.targets:  # type: ignore[attr-defined]
                    for element in target_elements(target.target):
                        if type(element) is cst.Name:
                            values.setdefault(element.value, []).append(node.value)  # type: ignore[attr-defined]
                        elif _root(element) is not None:
                            values.setdefault(_root(element), []).append(element)  # type: ignore[arg-type]
            elif type(node) in (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr):
                target = node.target  # type: ignore[attr-defined]
                for element in target_elements(target):
                    if _root(element) is not None:
                        values.setdefault(_root(element), []).append(element)  # type: ignore[arg-type]
        found = self.ctx.memo["dl706-constants"] = literal_names(values)
        return found

    def _key(self, receiver: cst.BaseExpression, owner: str | None) -> str | None:
        """The model a fit or use is about: its variable, or the fit call a use is chained to."""
        if type(receiver) is cst.Name:
            return receiver.value  # type: ignore[attr-defined]
        if type(receiver) is cst.Call:
            if owner is not None:
                return owner
            return f"<call@{id(receiver)}>"
        return None

    def _overlap(self, versions, splits, fits, uses, evaluations, fit, key, line, data):  # type: ignore[no-untyped-def]
        """The split whose held-out rows the fit includes and a later use of the model on them."""
        if key.startswith("<call@"):
            # `RF().fit(X, y).score(...)`: the use is the call the fit is the receiver of.
            key = f"<call@{id(fit)}>"
        fit_lineage = versions.lineages(data, line)
        for split in splits:
            held_out = {(name, split.line) for name in split.test}
            outputs = held_out | {(name, split.line) for name in split.train}
            sources = versions.lineages(split.sources, split.line)
            source_versions = {versions.version(n, split.line) for n in split.sources}
            includes = bool(fit_lineage & held_out) or (
                not fit_lineage & outputs
                and bool(
                    {versions.version(n, line) for n in data} & sources
                    or source_versions & fit_lineage
                )
            )
            if not includes:
                continue
            # Any model scored on these rows before: this fit is the final model, refitted on
            # all rows after the evaluation (`best = models[name]; best.fit(X, y)` too).
            scored_before = any(
                at < line and versions.lineages(names, at) & held_out for _, _, at, names in uses
            ) or any(
                e.line < line and versions.lineages(e.names, e.line) & held_out for e in evaluations
            )
            if scored_before:
                continue
            for _, k, at, names in sorted(uses, key=lambda u: u[2]):
                if k != key or at < line or at <= split.line:
                    continue
                if any(k2 == key and line < at2 <= at for _, k2, at2, _ in fits if at2 != line):
                    break  # fitted again before this use
                if not key.startswith("<call@") and versions.bound_between(key, line, at):
                    break  # the name now holds another model
                if versions.lineages(names, at) & held_out:
                    return split, at
        return None


def _root(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None
