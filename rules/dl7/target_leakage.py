import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Option,
    Severity,
    Status,
    may_split,
    read_names,
    row_analysis,
    scope_nodes,
)

# Attributes of a frame or an array that are not columns (`df.label.values`, `y.ravel()`).
_NOT_COLUMNS = frozenset(
    {
        "values",
        "to_numpy",
        "ravel",
        "reshape",
        "astype",
        "T",
        "shape",
        "iloc",
        "loc",
        "at",
        "iat",
        "index",
        "columns",
        "dtype",
        "dtypes",
        "numpy",
        "copy",
        "str",
        "dt",
        "cat",
        "array",
        "flatten",
        "squeeze",
        "tolist",
        "to_list",
        "cpu",
        "float",
        "long",
        "int",
    }
)
# Feature names taken from a frame: `df[FEATURES]`, `df.drop(columns=[...])`.
_DROP = "drop"
_ORDERING = (cst.LessThan, cst.GreaterThan, cst.LessThanEqual, cst.GreaterThanEqual)
_TOP_K = frozenset({"head", "tail", "nlargest", "nsmallest"})


def _names_ok(value: list) -> bool:  # type: ignore[type-arg]
    return all(isinstance(v, str) and v for v in value)


def _gate(ctx: FileContext) -> bool:
    return may_split(ctx)


class TargetLeakage(FileRule):
    """A feature is computed from the label over all rows before they are split.

    ## What it does
    Finds the label column — the column the `y` given to `train_test_split`, a cross-validation
    utility, a `KFold(...).split(X, y)` loop or a `fit(X, y)` is made of (`y = df["price"]`,
    `y = df.pop(TARGET)`), or a name in the `targets` option — and reports, in the same function
    or script, on rows that are not yet a split part:

    - target (mean) encoding: `df["enc"] = df.groupby(col)[target].transform("mean")`, or a
      `groupby(...)[target]` statistic mapped onto a column;
    - feature selection by correlation with the label: `df.corr()[target]`,
      `corrmat.nlargest(10, target)[target]`, `df.corrwith(df[target])`, when a threshold or a
      top-k (`corr[corr > 0.3]`, `.head(10)`, `[:10]`) picks the feature columns from it;
    - a new column computed from the label (`df["flag"] = df[target] > 0`), with low confidence;

    when the result then reaches the features (`X`) of a split made afterwards. A new column
    that a literal feature list leaves out, or that is dropped (`drop`, `pop`, `del`) from one of
    the frames it flows through, is not reported.

    Not reported: the same computations on a split part (`train_df.groupby(...)[target]`, inside
    a fold on its training rows), which is how target encoding is done right; lag features
    (`groupby(...)[target].shift(1)`); a statistic that is only printed or plotted; correlations
    that only sort or show all the columns; the label itself transformed or imputed
    (`df["log_price"] = np.log(df["price"])` used as `y`); and files where the label cannot be
    told. Target encoders from `category_encoders`/scikit-learn fitted on all rows are DL701's.

    This rule is in **preview**: the label is guessed from the code, and a group mean of the
    label is only harmless when computed out of fold or on the training rows, which a
    statement-level analysis sees only when the split comes first. Known false positives: a
    statistic computed on all rows but used only for rows whose label it does not include (a
    leave-one-out encoding written by hand); an unlabelled `test.csv` concatenated with the
    training rows (the mean then only reads the training labels).

    ## Why is this bad?
    The feature carries each row's own label into the model: the group mean includes the row's
    target, and columns picked by their correlation with the label on all rows were picked using
    the test labels. The model looks better in evaluation than it can be in production, where the
    label is not known yet. Kaufman et al. (2012) call this leakage from the future; Kapoor &
    Narayanan (2023) list feature selection on all data among the most common leaks in published
    ML-based science.

    ## Example
    ```python
    df["city_rate"] = df.groupby("city")["churned"].transform("mean")
    X, y = df.drop(columns=["churned"]), df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    ```

    ## Use instead
    Split first, then compute the encoding on the training rows (or out of fold, e.g.
    `sklearn.preprocessing.TargetEncoder` inside a Pipeline):
    ```python
    train, test = train_test_split(df, random_state=0)
    rates = train.groupby("city")["churned"].mean()
    train["city_rate"] = train["city"].map(rates)
    test["city_rate"] = test["city"].map(rates)
    ```

    ## Options
    - `targets` (list of column names): label columns, in addition to the ones read from the
      code.

    ## References
    - Kaufman, Rosset, Perlich & Stitelman, "Leakage in Data Mining: Formulation, Detection, and
      Avoidance", ACM TKDD 6(4), 2012.
    - Kapoor & Narayanan, "Leakage and the Reproducibility Crisis in ML-based Science",
      Patterns, 2023.
    - Zhang, Cruz, van Deursen et al., "Code Smells for Machine Learning Applications", CAIN
      2022 (leaky predictors).
    - scikit-learn user guide, "Target Encoder" (cross fitting).
    """

    code = "DL705"
    name = "target-leakage"
    severity = Severity.WARNING
    status = Status.PREVIEW
    remediation_minutes = 30
    options = {
        "targets": Option(
            list,
            [],
            "label columns, in addition to the ones read from the code",
            _names_ok,
            "a list of column names",
        ),
    }

    VALID = [
        # The encoding is computed on the training rows, after the split.
        """
        from sklearn.model_selection import train_test_split
        TARGET = "price"
        train, test = train_test_split(df, test_size=0.2, random_state=0)
        means = train.groupby("city")[TARGET].mean()
        train["city_enc"] = train["city"].map(means)
        test["city_enc"] = test["city"].map(means)
        model.fit(train[["city_enc", "area"]], train[TARGET])
        """,
        # Out of fold: inside each fold, on its training rows.
        """
        from sklearn.model_selection import KFold
        y = df["label"]
        for tr, va in KFold(5, shuffle=True, random_state=0).split(df, y):
            fold = df.iloc[tr]
            rates = fold.groupby("shop")["label"].mean()
            df.loc[df.index[va], "shop_rate"] = df.iloc[va]["shop"].map(rates)
        """,
        # Lag features of the target (forecasting) and a statistic that is only printed.
        """
        from sklearn.model_selection import TimeSeriesSplit, cross_val_score
        df["sales_lag1"] = df.groupby("store")["sales"].shift(1)
        print(df.groupby("store")["sales"].mean())
        X, y = df.drop(columns=["sales"]), df["sales"]
        scores = cross_val_score(model, X, y, cv=TimeSeriesSplit(5))
        """,
        # The label transformed, and used as the label; a heatmap of correlations.
        """
        import numpy as np
        import seaborn as sns
        from sklearn.model_selection import train_test_split
        df["log_price"] = np.log1p(df["price"])
        sns.heatmap(df.corr())
        X = df.drop(columns=["price", "log_price"])
        y = df["log_price"]
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        """,
        # An encoded column that the literal feature list leaves out.
        """
        from sklearn.model_selection import train_test_split
        FEATURES = ["age", "income", "city"]
        df["city_rate"] = df.groupby("city")["default"].transform("mean")
        X_train, X_test, y_train, y_test = train_test_split(
            df[FEATURES], df["default"], random_state=0
        )
        """,
        # A label-derived column used to drop outliers, then dropped from the frame.
        """
        from sklearn.model_selection import train_test_split
        homes["price_per_sqft"] = homes["price"] / homes["total_sqft"]
        kept = homes[homes.price_per_sqft < 20_000]
        clean = kept.drop(["size", "price_per_sqft"], axis="columns")
        X = clean.drop(["price"], axis="columns")
        X_train, X_test, y_train, y_test = train_test_split(X, clean.price, random_state=10)
        """,
        # Correlations with the label only sort the columns (all are kept) and are plotted.
        """
        import seaborn as sns
        from sklearn.model_selection import train_test_split
        corr_with_class = df.drop("class", axis=1).corrwith(df["class"])
        sns.histplot(corr_with_class)
        features = df.drop("class", axis=1)
        features = features.iloc[:, corr_with_class.argsort()[::-1]]
        parts = train_test_split(features.values, df["class"].values, random_state=5)
        """,
    ]
    INVALID = [
        """
        from sklearn.model_selection import train_test_split
        TARGET = "churned"
        df["city_rate"] = df.groupby("city")[TARGET].transform("mean")  # expect: DL705
        X, y = df.drop(columns=[TARGET]), df[TARGET]
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        """,
        """
        from sklearn.model_selection import cross_val_score
        rates = data.groupby("merchant")["is_fraud"].mean()  # expect: DL705
        data["merchant_rate"] = data["merchant"].map(rates)
        X = data.drop("is_fraud", axis=1)
        y = data.is_fraud
        print(cross_val_score(model, X, y, cv=5).mean())
        """,
        """
        from sklearn.model_selection import train_test_split
        corr = df.corr()["SalePrice"].abs()  # expect: DL705
        selected = corr[corr > 0.3].index.drop("SalePrice")
        X_train, X_test, y_train, y_test = train_test_split(
            df[selected], df["SalePrice"], random_state=0
        )
        """,
        """
        from sklearn.model_selection import train_test_split
        df["expensive"] = (df["price"] > 500_000).astype(int)  # expect: DL705
        X = df.drop("price", axis=1)
        y = df["price"]
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        """,
    ]

    def finish(self) -> None:
        analysis = row_analysis(self.ctx, gate=_gate)
        if not any(scope.splits for scope in analysis.scopes):
            return
        module = analysis.scopes[-1]
        module_nodes = list(scope_nodes(module.body))
        constants = _constants(module_nodes)
        values = _assigned(module_nodes)
        targets = set(self.opts["targets"])
        walked = {}
        for scope in analysis.scopes:
            nodes = module_nodes if scope is module else list(scope_nodes(scope.body))
            walked[id(scope)] = nodes
            local = {**values, **_assigned(nodes)} if scope is not module else values
            labels = [s.labels for s in scope.splits if s.labels is not None]
            labels += _fit_labels(nodes)
            for label in labels:
                targets |= _columns(label, local, constants, depth=0)
        if not targets:
            return
        for scope in analysis.scopes:
            if scope.splits:
                self._scope(scope, walked[id(scope)], targets, constants)

    def _scope(self, scope, nodes, targets: set[str], constants) -> None:  # type: ignore[no-untyped-def]
        parts = scope.parts()
        correlations: set[str] = set()  # names holding a correlation matrix
        for node in nodes:
            if type(node) is not cst.Assign:
                continue
            value = node.value  # type: ignore[attr-defined]
            roots = {r for t in node.targets for r in _roots(t.target)}  # type: ignore[attr-defined]
            if _is_corr_call(value):
                correlations |= roots
            if read_names(value) & parts:
                continue  # computed on a split part: the right way
            found = _leak(value, targets, constants, correlations)
            if found is None:
                continue
            kind, target = found
            new = _new_column(node, constants)  # type: ignore[arg-type]
            if new in targets or (kind == "derived" and new is None):
                continue  # the label itself, transformed or imputed
            line = self.ctx.span(node)[0]
            split = self._split_after(scope, roots, line, new, constants, nodes)
            if split is None:
                continue
            if kind == "correlation" and not _selects(node, roots | correlations, nodes):
                continue  # the correlations only sort or show the columns
            where = f"{split.api} (line {split.line})"
            if kind == "encoding":
                message = (
                    f"a statistic of the label {target!r} per group is computed on all rows "
                    f"before they are split by {where}: each row's feature includes its own label"
                )
                confidence = Confidence.MEDIUM
            elif kind == "correlation":
                message = (
                    f"columns are chosen by their correlation with the label {target!r} on all "
                    f"rows before they are split by {where}: the test labels pick the features"
                )
                confidence = Confidence.MEDIUM
            else:
                message = (
                    f"column {new!r} is computed from the label {target!r} and is a feature of "
                    f"the rows split by {where}"
                )
                confidence = Confidence.LOW
            self.report(
                node,
                message,
                entity=f"{scope.name}:{target}",
                confidence=confidence,
                help="Split first and compute it on the training rows only (out of fold for "
                "target encoding, e.g. sklearn's TargetEncoder in a Pipeline).",
                properties={"target": target, "kind": kind, "split_line": split.line},
            )

    def _split_after(self, scope, roots, line, new, constants, nodes):  # type: ignore[no-untyped-def]
        derived = scope.closure(roots, line)
        for split in sorted(scope.splits, key=lambda s: s.line):
            inside_loop = split.loop and split.line < line <= split.end_line
            if not (split.line > line or inside_loop):
                continue
            features = _features(split)
            if features is None:
                features = set(split.sources)
            if not features & derived:
                continue
            if new is not None and (
                _left_out(split, new, constants, nodes) or _removed(new, derived, constants, nodes)
            ):
                continue
            return split
        return None


def _features(split) -> set[str] | None:  # type: ignore[no-untyped-def]
    """The names of the first array given to `train_test_split` (the features)."""
    if split.api != "train_test_split" or not isinstance(split.node, cst.Call):
        return None
    for arg in split.node.args:
        if arg.keyword is None and not arg.star:
            return read_names(arg.value)
    return None


def _feature_expr(split) -> cst.BaseExpression | None:  # type: ignore[no-untyped-def]
    """The `X` argument: first of `train_test_split(X, y)` and `search.fit(X, y)`, second of
    `cross_val_score(estimator, X, y)`; none for a cross-validation loop."""
    node = split.node
    if not isinstance(node, cst.Call):
        return None
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    index = 0 if split.api == "train_test_split" or split.api.endswith("SearchCV") else 1
    if len(positional) > index:
        return positional[index]
    return next((a.value for a in node.args if a.keyword and a.keyword.value == "X"), None)


def _left_out(split, new: str, constants, nodes) -> bool:  # type: ignore[no-untyped-def]
    """The split's features are chosen by a literal column list without ``new``, or drop it."""
    expr = _feature_expr(split)
    if expr is None:
        return False
    exprs = [expr]
    if isinstance(expr, cst.Name):
        exprs = [
            n.value  # type: ignore[attr-defined]
            for n in nodes
            if type(n) is cst.Assign
            and any(
                isinstance(t.target, cst.Name) and t.target.value == expr.value
                for t in n.targets  # type: ignore[attr-defined]
            )
        ]
    if not exprs:
        return False
    for value in exprs:
        chosen = _selected(value, constants)
        dropped = _dropped(value, constants)
        if chosen is not None and new not in chosen:
            continue
        if dropped is not None and new in dropped:
            continue
        return False
    return True


def _selected(expr: cst.BaseExpression, constants) -> set[str] | None:  # type: ignore[no-untyped-def]
    """Columns of `df[["a", "b"]]` / `df[FEATURES]` (with `.values` and the like after it)."""
    while isinstance(expr, cst.Attribute) or (
        isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
    ):
        expr = expr.value if isinstance(expr, cst.Attribute) else expr.func.value  # type: ignore[attr-defined]
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index):
            found = _strings(index.value, constants)
            if found is not None and (
                isinstance(index.value, (cst.List, cst.Tuple))
                or (
                    isinstance(index.value, cst.Name)
                    and isinstance(constants.get(index.value.value), list)
                )
            ):
                return set(found)
    return None


def _selects(statement, names: set[str], nodes) -> bool:  # type: ignore[no-untyped-def]
    """Something keeps part of a correlation ranking: a threshold (`corr[corr > 0.3]`), a top-k
    (`.head(10)`, `.nlargest(10)`, `[:10]`); sorting all columns or plotting them keeps all."""
    for node in [*scope_nodes([statement]), *nodes]:
        kind = type(node)
        if kind is cst.Comparison:
            if any(isinstance(t.operator, _ORDERING) for t in node.comparisons) and (  # type: ignore[attr-defined]
                read_names(node) & names or _has_corr(node)
            ):
                return True
        elif kind is cst.Call:
            if _method(node) in _TOP_K and (
                read_names(node.func.value) & names or _has_corr(node.func.value)  # type: ignore[attr-defined]
            ):
                return True
        elif kind is cst.Subscript:
            bounded = any(
                isinstance(e.slice, cst.Slice)
                and (e.slice.lower is not None or e.slice.upper is not None)
                for e in node.slice  # type: ignore[attr-defined]
            )
            if bounded and (read_names(node.value) & names or _has_corr(node.value)):  # type: ignore[attr-defined]
                return True
    return False


def _has_corr(expr) -> bool:  # type: ignore[no-untyped-def]
    return any(_method(n) in ("corr", "corrwith") for n in scope_nodes([expr]))


def _removed(new: str, frames: set[str], constants, nodes) -> bool:  # type: ignore[no-untyped-def]
    """Column ``new`` is dropped from one of ``frames`` somewhere in the scope
    (`df.drop(columns=[new])`, `df.pop(new)`, `del df[new]`): it does not get to the features."""
    for node in nodes:
        kind = type(node)
        if kind is cst.Call:
            method = _method(node)
            receiver = _roots(node.func.value) if method else set()  # type: ignore[attr-defined]
            if not receiver & frames:
                continue
            if method == _DROP and new in (_dropped(node, constants) or ()):  # type: ignore[arg-type]
                return True
            positional = [a.value for a in node.args if a.keyword is None]  # type: ignore[attr-defined]
            if method == "pop" and positional and _strings(positional[0], constants) == [new]:
                return True
        elif kind is cst.Del:
            for target in scope_nodes([node.target]):  # type: ignore[attr-defined]
                if (
                    type(target) is cst.Subscript
                    and _roots(target) & frames  # type: ignore[arg-type]
                    and len(target.slice) == 1  # type: ignore[attr-defined]
                    and isinstance(target.slice[0].slice, cst.Index)  # type: ignore[attr-defined]
                    and _strings(target.slice[0].slice.value, constants) == [new]  # type: ignore[attr-defined]
                ):
                    return True
    return False


def _dropped(expr: cst.BaseExpression, constants) -> set[str] | None:  # type: ignore[no-untyped-def]
    """Columns of `df.drop(["a"], axis=1)` / `df.drop(columns=...)` in the expression."""
    found: set[str] | None = None
    for node in scope_nodes([expr]):
        if (
            type(node) is cst.Call
            and isinstance(node.func, cst.Attribute)  # type: ignore[attr-defined]
            and node.func.attr.value == _DROP  # type: ignore[attr-defined]
        ):
            for arg in node.args:  # type: ignore[attr-defined]
                if arg.keyword is None or arg.keyword.value in ("columns", "labels"):
                    strings = _strings(arg.value, constants)
                    if strings:
                        found = (found or set()) | set(strings)
                    if arg.keyword is None:
                        break
    return found


# -- the label ------------------------------------------------------------------------------------


def _fit_labels(nodes) -> list[cst.BaseExpression]:  # type: ignore[no-untyped-def]
    """`y` of `model.fit(X, y)` and `label=` of boosting datasets in these nodes."""
    found = []
    for node in nodes:
        if type(node) is not cst.Call:
            continue
        func = node.func  # type: ignore[attr-defined]
        positional = [a.value for a in node.args if a.keyword is None and not a.star]  # type: ignore[attr-defined]
        called = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if called == "fit" and len(positional) > 1:
            found.append(positional[1])
        # `fit(X=..., y=...)`, `lgb.Dataset(X, label=y)`, `xgb.DMatrix`, catboost `Pool`: not the
        # `y=` of a plot.
        keyword = (
            "y"
            if called == "fit"
            else "label"
            if called.endswith(("Dataset", "DMatrix", "Pool"))
            else None
        )
        for arg in node.args:  # type: ignore[attr-defined]
            if keyword and arg.keyword is not None and arg.keyword.value == keyword:
                found.append(arg.value)
    return found


def _columns(expr, values, constants, depth: int) -> set[str]:  # type: ignore[no-untyped-def]
    """Columns a label expression is made of: `df["y"]`, `df.y.values`, `df.pop("y")`, a name
    assigned from one of those; not the columns of a row mask (`df[df.split == "train"]`)."""
    found: set[str] = set()
    if depth > 3 or expr is None:
        return found
    if isinstance(expr, cst.Subscript):
        if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            strings = _strings(expr.slice[0].slice.value, constants)
            if strings is not None:
                # One column is a label; a list of them is a feature matrix (`fit(X, X)`).
                return set(strings) if len(strings) == 1 else set()
        return _columns(expr.value, values, constants, depth)
    if isinstance(expr, cst.Attribute):
        # `df.price`, unless `df` is itself a label (`y.label` would be odd).
        if (
            isinstance(expr.value, cst.Name)
            and expr.attr.value not in _NOT_COLUMNS
            and not _columns(expr.value, values, constants, depth + 1)
        ):
            return {expr.attr.value}
        return _columns(expr.value, values, constants, depth)
    if isinstance(expr, cst.Call):
        func = expr.func
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Attribute):
            if func.attr.value == "pop" and positional:
                return set(_strings(positional[0], constants) or ())
            found |= _columns(func.value, values, constants, depth)
        for arg in positional[:1]:
            found |= _columns(arg, values, constants, depth)
        return found
    if isinstance(expr, (cst.BinaryOperation, cst.Comparison)):
        left = expr.left
        return _columns(left, values, constants, depth)
    if isinstance(expr, cst.Name):
        for value in values.get(expr.value, ()):
            found |= _columns(value, values, constants, depth + 1)
    return found


# -- the leaking statements ------------------------------------------------------------------------


def _leak(value, targets: set[str], constants, correlations: set[str]) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """("encoding" | "correlation" | "derived", label column) when ``value`` computes one."""
    nodes = list(scope_nodes([value]))
    if any(_method(n) == "shift" for n in nodes):
        return None  # lag features: the past label of the same series
    grouped = any(_method(n) in ("groupby", "pivot_table") for n in nodes)
    for node in nodes:
        column = _label_access(node, targets, constants)
        if column is None:
            if type(node) is cst.Call and _method(node) == "corrwith":
                for arg in node.args:  # type: ignore[attr-defined]
                    inner = _any_label(arg.value, targets, constants)
                    if inner:
                        return "correlation", inner
            continue
        base = node.value  # type: ignore[attr-defined]
        # `df.corr()[t]`, `corrmat[t]`, `corrmat.nlargest(10, t)[t]`
        if _has_corr(base) or read_names(base) & correlations:
            return "correlation", column
        if grouped and _has_groupby(base):
            return "encoding", column
    if grouped:
        # `df.pivot_table(values=TARGET, ...)` reads the label by keyword.
        for node in nodes:
            if type(node) is cst.Call and _method(node) == "pivot_table":
                for arg in node.args:  # type: ignore[attr-defined]
                    if arg.keyword is not None and arg.keyword.value == "values":
                        inner = _strings(arg.value, constants)
                        if inner and set(inner) & targets:
                            return "encoding", sorted(set(inner) & targets)[0]
        return None
    inner = _any_label(value, targets, constants)
    if inner:
        return "derived", inner
    return None


def _any_label(expr, targets: set[str], constants) -> str | None:  # type: ignore[no-untyped-def]
    for node in scope_nodes([expr]):
        column = _label_access(node, targets, constants)
        if column is not None:
            return column
    return None


def _label_access(node, targets: set[str], constants) -> str | None:  # type: ignore[no-untyped-def]
    """`x[TARGET]` or `x.target` for a label column."""
    if type(node) is cst.Subscript and len(node.slice) == 1:  # type: ignore[attr-defined]
        index = node.slice[0].slice  # type: ignore[attr-defined]
        if isinstance(index, cst.Index):
            strings = _strings(index.value, constants)
            if strings and len(strings) == 1 and strings[0] in targets:
                return strings[0]
    if (
        type(node) is cst.Attribute
        and node.attr.value in targets  # type: ignore[attr-defined]
        and isinstance(node.value, (cst.Name, cst.Call, cst.Subscript))  # type: ignore[attr-defined]
    ):
        return node.attr.value  # type: ignore[attr-defined]
    return None


def _has_groupby(expr) -> bool:  # type: ignore[no-untyped-def]
    return any(_method(n) == "groupby" for n in scope_nodes([expr]))


def _is_corr_call(expr) -> bool:  # type: ignore[no-untyped-def]
    return type(expr) is cst.Call and _method(expr) == "corr"


def _method(node) -> str | None:  # type: ignore[no-untyped-def]
    if type(node) is cst.Call and isinstance(node.func, cst.Attribute):  # type: ignore[attr-defined]
        return node.func.attr.value  # type: ignore[attr-defined]
    return None


def _new_column(node: cst.Assign, constants) -> str | None:  # type: ignore[no-untyped-def]
    """`df["new"] = ...`: the column written."""
    if len(node.targets) != 1:
        return None
    target = node.targets[0].target
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            strings = _strings(index.value, constants)
            if (
                strings
                and len(strings) == 1
                and isinstance(index.value, (cst.Name, cst.SimpleString))
            ):
                return strings[0]
    return None


# -- names and literals ----------------------------------------------------------------------------


def _strings(expr, constants) -> list[str] | None:  # type: ignore[no-untyped-def]
    """The string(s) a literal, a list of literals or a constant name stands for."""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = expr.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(expr, (cst.List, cst.Tuple)):
        out: list[str] = []
        for element in expr.elements:
            inner = _strings(element.value, constants)
            if inner is None:
                return None
            out.extend(inner)
        return out
    if isinstance(expr, cst.Name):
        value = constants.get(expr.value)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return list(value)
    return None


def _constants(nodes) -> dict[str, str | list[str]]:  # type: ignore[no-untyped-def]
    """Module-level names assigned exactly once, to a string or a list of strings."""
    seen: dict[str, list[cst.BaseExpression]] = {}
    for node in nodes:
        if type(node) is cst.Assign:
            for target in node.targets:  # type: ignore[attr-defined]
                if isinstance(target.target, cst.Name):
                    seen.setdefault(target.target.value, []).append(node.value)  # type: ignore[attr-defined]
    out: dict[str, str | list[str]] = {}
    for name, assigned in seen.items():
        if len(assigned) != 1:
            continue
        value = assigned[0]
        strings = _strings(value, {})
        if strings is None:
            continue
        out[name] = (
            strings[0] if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)) else strings
        )
    return out


def _assigned(nodes) -> dict[str, list[cst.BaseExpression]]:  # type: ignore[no-untyped-def]
    """Values assigned to plain names, with `X, y = a, b` taken element by element."""
    out: dict[str, list[cst.BaseExpression]] = {}
    for node in nodes:
        if type(node) is not cst.Assign:
            continue
        for target in node.targets:  # type: ignore[attr-defined]
            _pair(target.target, node.value, out)  # type: ignore[attr-defined]
    return out


def _pair(target, value, out) -> None:  # type: ignore[no-untyped-def]
    if isinstance(target, cst.Name):
        out.setdefault(target.value, []).append(value)
    elif (
        isinstance(target, (cst.Tuple, cst.List))
        and isinstance(value, (cst.Tuple, cst.List))
        and len(target.elements) == len(value.elements)
    ):
        for left, right in zip(target.elements, value.elements, strict=True):
            _pair(left.value, right.value, out)


def _roots(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_roots(e.value) for e in target.elements))
    if isinstance(target, cst.StarredElement):
        return _roots(target.value)
    while isinstance(target, (cst.Attribute, cst.Subscript)):
        target = target.value
    return {target.value} if isinstance(target, cst.Name) else set()
