from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from debtlint.api import Confidence, FileContext, FileRule, Severity, pandas_names

# pandas callables whose result is a new DataFrame (besides the `read_*` readers). Series-returning
# ones (`Series`, `to_datetime`, `to_numeric`) are left out: setting `s["x"]` on a Series sets an
# index label, not a column.
_FACTORIES = frozenset(
    {
        "pandas.DataFrame",
        "pandas.DataFrame.from_dict",
        "pandas.DataFrame.from_records",
        "pandas.concat",
        "pandas.merge",
        "pandas.merge_asof",
        "pandas.merge_ordered",
        "pandas.get_dummies",
        "pandas.pivot_table",
        "pandas.crosstab",
        "pandas.json_normalize",
        "pandas.melt",
    }
)
# Readers that may return something other than one frame (a list, a dict, any pickled object).
_NOT_FRAME_READERS = frozenset({"pandas.read_pickle", "pandas.read_html"})

# DataFrame methods that return a new, independent frame (never the receiver itself).
_FRAME_RETURNING = frozenset(
    {
        "abs",
        "assign",
        "astype",
        "bfill",
        "clip",
        "convert_dtypes",
        "copy",
        "drop",
        "drop_duplicates",
        "dropna",
        "ffill",
        "fillna",
        "filter",
        "head",
        "infer_objects",
        "interpolate",
        "join",
        "mask",
        "melt",
        "merge",
        "pivot",
        "pivot_table",
        "query",
        "reindex",
        "rename",
        "replace",
        "reset_index",
        "round",
        "sample",
        "select_dtypes",
        "set_index",
        "sort_index",
        "sort_values",
        "tail",
        "where",
    }
)

# Methods that keep (a subset of) the frame's columns under the same names and name columns only
# through literal arguments: `df = df.dropna(subset=["a"])` or `df.drop(columns=["c"],
# inplace=True)` hand no column anywhere else, so the frame stays analysable. Every string among
# their arguments counts as a mention of the columns it names (`query("c > 1")`, `drop(["c"])`).
_PRESERVING = frozenset(
    {
        "abs",
        "astype",
        "bfill",
        "clip",
        "convert_dtypes",
        "copy",
        "drop",
        "drop_duplicates",
        "dropna",
        "ffill",
        "fillna",
        "head",
        "infer_objects",
        "interpolate",
        "query",
        "reindex",
        "rename",
        "replace",
        "reset_index",
        "round",
        "sample",
        "set_index",
        "sort_index",
        "sort_values",
        "tail",
    }
)
# Without `subset=` these look at every column to decide which rows to keep: every column is used.
_ALL_COLUMN_ROW_FILTERS = frozenset({"dropna", "drop_duplicates"})

# Methods whose result keeps a reference to the frame and reads it later (a GroupBy, a lazy
# iterator, whatever `pipe` does): a use that can see columns added after the call.
_LAZY = frozenset(
    {
        "groupby",
        "rolling",
        "expanding",
        "ewm",
        "resample",
        "iterrows",
        "itertuples",
        "items",
        "iteritems",
        "pipe",
        "__iter__",
    }
)

# Attributes that do not expose any column.
_NEUTRAL_ATTRS = frozenset({"shape", "index", "empty", "ndim", "size"})
# DataFrame attributes (and common methods) that are not columns: `df.values` is the whole frame,
# not a column called "values".
_FRAME_ATTRS = frozenset(
    {
        "T",
        "agg",
        "aggregate",
        "apply",
        "applymap",
        "array",
        "at",
        "attrs",
        "axes",
        "boxplot",
        "columns",
        "corr",
        "count",
        "describe",
        "dt",
        "dtypes",
        "eval",
        "flags",
        "get",
        "hist",
        "iat",
        "iloc",
        "info",
        "insert",
        "keys",
        "loc",
        "map",
        "max",
        "mean",
        "median",
        "min",
        "plot",
        "pop",
        "sparse",
        "std",
        "str",
        "style",
        "sum",
        "transform",
        "transpose",
        "update",
        "value_counts",
        "values",
        "var",
        *_FRAME_RETURNING,
        *_LAZY,
    }
)
# Row selections: `df[df["a"] > 0]`, `df[~mask]`, `df[df["a"].isin(xs)]` keep every column.
_ROW_FILTER_CALLS = frozenset(
    {
        "isin",
        "notna",
        "notnull",
        "isna",
        "isnull",
        "between",
        "duplicated",
        "contains",
        "startswith",
        "endswith",
    }
)
# Writers whose `columns=` argument lists the only columns written.
_COLUMN_WRITERS = frozenset({"to_csv", "to_excel"})
_DYNAMIC_SCOPE_CALLS = frozenset({"locals", "vars", "eval", "exec"})
_DISPLAY = frozenset({"print", "display"})


@dataclass
class _Scope:
    """A module, function, lambda or class body."""

    name: str
    kind: str
    parent: _Scope | None
    stmt: int = 0
    loops: int = 0
    dynamic: bool = False
    # name -> every binding in this scope: (assigned value or None for a parameter, loop target,
    # import, ..., statement index, inside a loop)
    bindings: dict[str, list[tuple[cst.BaseExpression | None, int, bool]]] = field(
        default_factory=dict
    )
    declared: dict[str, str] = field(default_factory=dict)  # name -> "global" | "nonlocal"
    occurrences: list[_Occurrence] = field(default_factory=list)
    # (frame name, column, reported node, statement, in a loop) from `x = y.assign(c=...)`
    assigned: list[tuple[str, str, cst.CSTNode, int, bool]] = field(default_factory=list)


@dataclass
class _Occurrence:
    name: str
    node: cst.Name
    stmt: int
    in_loop: bool


@dataclass
class _Event:
    """A column coming into existence on a frame: derived, or loaded by name."""

    column: str
    node: cst.CSTNode
    stmt: int
    in_loop: bool
    literal: bool  # a string literal at this site (`usecols`, `insert`) names the column
    loaded: bool = False


@dataclass
class _Uses:
    reads: set[str] = field(default_factory=set)
    mentions: list[str] = field(default_factory=list)
    # (statement, in a loop, harmless when it comes before the column exists)
    wholes: list[tuple[int, bool, bool]] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)


class UnusedColumn(FileRule):
    """A DataFrame column is derived or loaded, and nothing ever reads it.

    ## What it does
    Within one function, or a module's (or notebook's) top-level code, looks at frames bound to
    a local name from a pandas reader, constructor or frame-returning method, and at the columns
    created on them: derived (`df["c"] = ...`, `df.loc[:, "c"] = ...`, `df.insert(i, "c", ...)`,
    `df = df.assign(c=...)`) or loaded by name (`usecols=[...]`, `columns=[...]` of a reader).
    A column is reported when every use of the frame names its columns explicitly — `df["a"]`,
    `df[["a", "b"]]`, `df.a`, `df.loc[rows, "a"]`, `df.get("a")`, a column list held in a
    constant bound once (`FEATURES = [...]`), `len(df)`, `df.shape` — and none of them reads the
    column. Notebook cells are read in order as one module, so a column made in one cell and read
    in another is used.

    Anything that hands the whole frame on means every column may be used, and then nothing is
    reported: passing it to any function or method (`fit`, `to_csv`, `merge`, `concat`,
    `groupby`, a user function), returning or yielding it, storing it in an attribute or a
    container, iterating it, `df.columns`, `df.values`, `select_dtypes`, `drop`, `filter`,
    non-literal column names (`df[col]`, f-strings), a nested function that sees it, or a scope
    that calls `locals()`/`globals()`/`eval`/`exec`. Such a use that comes before the column exists
    (outside loops; `df.head()` before `df["c"] = ...`) cannot see it and is not counted. Column
    names in the arguments of a same-frame cleaning step (`df.drop(columns=["c"], inplace=True)`,
    `df = df.query("c > 1")`), `df.to_csv(path, columns=[...])`, `del df["c"]` and
    `df["c"] += 1` count as uses. Frames that are parameters (their columns are outputs for the
    caller) or aliases (`view = df`) are never analysed, and neither is a column whose name
    appears as a string anywhere else in the file except where a column is written. Loaded
    columns of a frame that is never used at all are left to DL204 (unused data source).

    Known false positives: a module-level frame of a `.py` file that another module imports
    (`from script import df`, `import *`; such findings have medium confidence); a notebook
    frame kept for later with `%store` or read by a `%run -i` script.

    ## Why is this bad?
    Sculley et al. (2015, §3) list legacy and underutilized features among the costliest data
    dependencies: a column that is computed but never reaches a model, an output or a write still
    has to be maintained, still breaks the pipeline when its inputs change, and misleads readers
    into thinking it matters.

    ## Example
    ```python
    df = pd.read_csv("data/train.csv", usecols=["age", "income", "zip", "y"])  # "zip" unused
    df["ratio"] = df["income"] / df["age"]
    df["log_income"] = np.log1p(df["income"])   # never used
    model.fit(df[["ratio", "age"]], df["y"])
    ```

    ## Use instead
    Delete the column and the code that computes it (or load only the columns used), or use it.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3
      ("Underutilized Data Dependencies": legacy and bundled features).
    """

    code = "DL206"
    name = "unused-column"
    severity = Severity.WARNING
    remediation_minutes = 10

    VALID = [
        # The frame is written, fitted on, passed to a user function, or returned.
        """
        import pandas as pd
        from sklearn.linear_model import LinearRegression

        def write():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            df.to_csv("out.csv")

        def train(y):
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            LinearRegression().fit(df, y)

        def handed_on():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            summarise(df)

        def returned():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            return df
        """,
        # Columns through variables, loc, query/eval strings, generated names, += and del.
        """
        import pandas as pd

        def by_variable(col):
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            return df[col].mean()

        def by_loc():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            return df.loc[:, "ratio"].mean()

        def by_query():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            df = df.query("ratio > 1")
            return df["x"].sum()

        def by_eval():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            return df.eval("ratio * 2")

        def generated(lags):
            df = pd.read_csv("a.csv")
            for lag in lags:
                df[f"x_lag{lag}"] = df["x"].shift(lag)
            return df[["x"]]

        def augmented():
            df = pd.read_csv("a.csv")
            df["count"] = 0
            df["count"] += 1
            return df["x"].sum()

        def deleted():
            df = pd.read_csv("a.csv")
            df["tmp"] = df["x"] * 2
            del df["tmp"]
            return df["x"].sum()
        """,
        # A parameter frame is mutated for the caller.
        """
        import pandas as pd

        def add_ratio(df: pd.DataFrame) -> None:
            df["ratio"] = df["x"] / df["y"]

        def add_flag(df):
            df["flag"] = df["x"] > 0
        """,
        # A nested function sees the frame; a frame stored or iterated; a dynamic scope.
        """
        import pandas as pd

        def nested():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            def show():
                print(df)
            show()

        def stored(self):
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            self.frame = df

        def iterated():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            for column in df:
                print(column)

        def dynamic():
            df = pd.read_csv("a.csv")
            df["ratio"] = df["x"] / df["y"]
            return eval("df['ratio']")
        """,
        # A whole-frame use after the column exists; `df.columns`; a use in a loop.
        """
        import pandas as pd
        df = pd.read_csv("a.csv")
        df["ratio"] = df["x"] / df["y"]
        print(df.describe())

        frame = pd.read_csv("b.csv")
        frame["flag"] = frame["x"] > 0
        names = list(frame.columns)

        table = pd.read_csv("c.csv")
        for step in range(3):
            print(table.head())
            table["step"] = step
        """,
        # Loaded columns that are all read, a column list constant, and a column named elsewhere.
        """
        import pandas as pd
        FEATURES = ["age", "income"]
        df = pd.read_csv("a.csv", usecols=["age", "income", "y"])
        df["ratio"] = df["income"] / df["age"]
        X = df[FEATURES + ["ratio"]]
        y = df["y"]

        def report(table):
            return table["spare"].sum()

        other = pd.read_csv("b.csv")
        other["spare"] = 1
        print(other["x"])
        """,
        # A frame that is an alias of another is left alone.
        """
        import pandas as pd
        df = pd.read_csv("a.csv")
        view = df
        view["ratio"] = view["x"] / view["y"]
        df.to_parquet("out.parquet")
        """,
    ]
    INVALID = [
        """
        import numpy as np
        import pandas as pd
        from sklearn.linear_model import LinearRegression

        def train():
            df = pd.read_csv("train.csv", usecols=["age", "income", "zip", "y"])  # expect: DL206
            df["ratio"] = df["income"] / df["age"]
            df["log_income"] = np.log1p(df["income"])  # expect: DL206
            model = LinearRegression()
            model.fit(df[["ratio", "age"]], df["y"])
            return model
        """,
        """
        import pandas as pd
        data = pd.read_csv("a.csv")
        print(data.head())
        data = data.dropna(subset=["x"])
        data = data.assign(double=data["x"] * 2)  # expect: DL206
        data.loc[:, "half"] = data["x"] / 2  # expect: DL206
        data.to_csv("out.csv", columns=["x"])
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.enabled = "pandas" in ctx.imported_roots
        self.pandas = pandas_names(ctx) if self.enabled else None
        self.module_scope = _Scope("<module>", "module", None)
        self.scopes: list[_Scope] = [self.module_scope]
        self.stack: list[_Scope] = [self.module_scope]
        # id(Name) -> how that occurrence uses its name (set by the parent node's visit, which
        # comes first; the outermost pattern wins).
        self.explained: dict[int, tuple] = {}
        self.ignored: set[int] = set()
        self.contexts: dict[int, str] = {}  # id(Subscript/Attribute) -> store | aug | del
        self.expr_values: set[int] = set()  # id() of expressions that are whole statements
        # For column lists held in constants: every binding of every name in the file, and
        # names whose attributes are used (`FEATURES.append(...)`).
        self.binding_counts: dict[str, int] = {}
        self.constant_values: dict[str, cst.BaseExpression] = {}
        self.attribute_owners: set[str] = set()
        self.stored_into: set[str] = set()
        self.literals: dict[str, int] = {}
        self.written: dict[str, int] = {}
        self.uses_globals = False

    # --- scopes and statements ---------------------------------------------------------------

    @property
    def scope(self) -> _Scope:
        return self.stack[-1]

    def _push(self, name: str, kind: str) -> None:
        scope = _Scope(name, kind, self.scope)
        self.scopes.append(scope)
        self.stack.append(scope)

    def _bind(self, name: str, value: cst.BaseExpression | None) -> None:
        scope = self.scope
        scope.bindings.setdefault(name, []).append((value, scope.stmt, scope.loops > 0))
        self.binding_counts[name] = self.binding_counts.get(name, 0) + 1

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        """Binds the names of an assignment target; marks subscripts and attributes as stored."""
        if isinstance(target, cst.Name):
            self._bind(target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)
        elif isinstance(target, (cst.Subscript, cst.Attribute)):
            self.contexts[id(target)] = "store"
            if isinstance(target.value, cst.Name):
                self.stored_into.add(target.value.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.enabled:
            self.scope.stmt += 1
            self._bind(node.name.value, None)
            self.ignored.add(id(node.name))
            self._push(node.name.value, "function")

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.enabled:
            self.stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.enabled:
            self.scope.stmt += 1
            self._bind(node.name.value, None)
            self.ignored.add(id(node.name))
            self._push(node.name.value, "class")

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        if self.enabled:
            self.stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if self.enabled:
            self._push("<lambda>", "lambda")

    def leave_Lambda(self, node: cst.Lambda) -> None:
        if self.enabled:
            self.stack.pop()

    def visit_Param(self, node: cst.Param) -> None:
        if self.enabled:
            self._bind(node.name.value, None)
            self.ignored.add(id(node.name))

    # Statements are numbered in source order, one number per small statement (`a; b` are two),
    # so that a use of the frame can be placed before or after the column exists.
    def _compound(self) -> None:
        if self.enabled:
            self.scope.stmt += 1

    def visit_Return(self, node: cst.Return) -> None:
        self._compound()

    def visit_Raise(self, node: cst.Raise) -> None:
        self._compound()

    def visit_Assert(self, node: cst.Assert) -> None:
        self._compound()

    def visit_If(self, node: cst.If) -> None:
        self._compound()

    def visit_Try(self, node: cst.Try) -> None:
        self._compound()

    def visit_With(self, node: cst.With) -> None:
        self._compound()

    def visit_Match(self, node: cst.Match) -> None:
        self._compound()

    def visit_For(self, node: cst.For) -> None:
        if self.enabled:
            self.scope.stmt += 1
            self.scope.loops += 1
            self._bind_targets(node.target)

    def leave_For(self, node: cst.For) -> None:
        if self.enabled:
            self.scope.loops -= 1

    def visit_While(self, node: cst.While) -> None:
        if self.enabled:
            self.scope.stmt += 1
            self.scope.loops += 1

    def leave_While(self, node: cst.While) -> None:
        if self.enabled:
            self.scope.loops -= 1

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if self.enabled:
            self._bind_targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self.enabled and node.asname is not None:
            self._bind_targets(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if self.enabled and node.name is not None:
            self._bind_targets(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if self.enabled:
            self._bind_targets(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if not self.enabled:
            return
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self._bind(node.asname.name.value, None)
        else:
            head = node.name
            while isinstance(head, cst.Attribute):
                head = head.value
            if isinstance(head, cst.Name):
                self._bind(head.value, None)

    def visit_Global(self, node: cst.Global) -> None:
        if self.enabled:
            for item in node.names:
                self.scope.declared[item.name.value] = "global"

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if self.enabled:
            for item in node.names:
                self.scope.declared[item.name.value] = "nonlocal"

    # --- statements that bind, store or delete ---------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.enabled:
            return
        self.scope.stmt += 1
        single = len(node.targets) == 1
        for assign_target in node.targets:
            target = assign_target.target
            if isinstance(target, cst.Name):
                self._bind(target.value, node.value if single else None)
                self.explained[id(target)] = ("neutral",)
                if single:
                    self._assigned_name(target.value, node.value)
            else:
                self._bind_targets(target)

    def _assigned_name(self, name: str, value: cst.BaseExpression) -> None:
        if self.scope.kind == "module" and _literal_like(value):
            self.constant_values[name] = value
        chain = _method_chain(value)
        if chain is not None:
            base, calls = chain
            scope = self.scope
            for call in calls:
                if _method_name(call) == "assign":
                    for arg in call.args:
                        if arg.keyword is not None and arg.star == "":
                            scope.assigned.append(
                                (name, arg.keyword.value, arg, scope.stmt, scope.loops > 0)
                            )
            if isinstance(base, cst.Name) and base.value == name:
                self.explained.setdefault(id(base), ("rebind", calls))
            return
        # `df = df[df["a"] > 0]`, `df = df.loc[mask]`: a row selection of the same frame.
        if isinstance(value, cst.Subscript):
            base = value.value
            if isinstance(base, cst.Attribute) and base.attr.value == "loc":
                base = base.value if len(value.slice) == 1 else None
            elif not _is_row_filter(value):
                base = None
            if isinstance(base, cst.Name) and base.value == name:
                self.explained.setdefault(id(base), ("neutral",))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self.enabled:
            return
        self.scope.stmt += 1
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, node.value)
            self.explained[id(node.target)] = ("neutral",)
            if node.value is not None:
                self._assigned_name(node.target.value, node.value)
        else:
            self._bind_targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not self.enabled:
            return
        self.scope.stmt += 1
        if isinstance(node.target, (cst.Subscript, cst.Attribute)):
            self.contexts[id(node.target)] = "aug"
            if isinstance(node.target.value, cst.Name):
                self.stored_into.add(node.target.value.value)
        else:
            self._bind_targets(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        if not self.enabled:
            return
        self.scope.stmt += 1
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
        for target in [e.value for e in targets] if targets is not None else [node.target]:
            if isinstance(target, (cst.Subscript, cst.Attribute)):
                self.contexts[id(target)] = "del"
            elif isinstance(target, cst.Name):
                self.explained.setdefault(id(target), ("neutral",))

    def visit_Expr(self, node: cst.Expr) -> None:
        if self.enabled:
            self.scope.stmt += 1
            self.expr_values.add(id(node.value))
            if isinstance(node.value, cst.Name):
                # A bare name displays the frame (notebooks): it is used as it is now.
                self.explained.setdefault(id(node.value), ("whole", True))

    # --- expressions -----------------------------------------------------------------------------

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if not self.enabled:
            return
        context = self.contexts.get(id(node), "load")
        base = node.value
        if isinstance(base, cst.Name):
            index = _single_index(node)
            self.explained.setdefault(id(base), ("sub", context, index, node))
        elif (
            isinstance(base, cst.Attribute)
            and isinstance(base.value, cst.Name)
            and base.attr.value in ("loc", "at")
        ):
            column = None
            if len(node.slice) == 2 and isinstance(node.slice[1].slice, cst.Index):
                column = node.slice[1].slice.value
            self.explained.setdefault(id(base.value), ("sub", context, column, node))
            if context == "store":
                self._written_literals(column)
        if context == "store" and isinstance(base, cst.Name):
            self._written_literals(_single_index(node))

    def _written_literals(self, index: cst.BaseExpression | None) -> None:
        """Strings that name a column being written (`x["c"] = ...`, on any object): a write is
        no sign that the name is read, so these do not count as mentions."""
        items = index.elements if isinstance(index, (cst.List, cst.Tuple)) else [index]
        for item in items:
            value = item.value if isinstance(item, cst.BaseElement) else item
            text = _string(value) if value is not None else None
            if text is not None and isinstance(value, cst.SimpleString):
                self.written[text] = self.written.get(text, 0) + 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.enabled:
            return
        self.ignored.add(id(node.attr))
        if isinstance(node.value, cst.Name):
            self.attribute_owners.add(node.value.value)
            context = self.contexts.get(id(node), "load")
            self.explained.setdefault(id(node.value), ("attr", node.attr.value, context))

    def visit_Call(self, node: cst.Call) -> None:
        if not self.enabled:
            return
        for arg in node.args:
            if arg.keyword is not None:
                self.ignored.add(id(arg.keyword))
        func = node.func
        if isinstance(func, cst.Name):
            name = func.value
            if name in _DYNAMIC_SCOPE_CALLS:
                self.scope.dynamic = True
                if self.scope.kind == "module":
                    self.uses_globals = True
            elif name == "globals":
                self.uses_globals = True
            qual = self.ctx.qualname(func)
            plain = qual is None or qual.startswith("builtins.") or qual.endswith(".display")
            if not plain:
                return
            if name == "len" and len(node.args) == 1 and isinstance(node.args[0].value, cst.Name):
                self.explained.setdefault(id(node.args[0].value), ("neutral",))
            elif name in _DISPLAY:
                for arg in node.args:
                    if isinstance(arg.value, cst.Name) and arg.star == "":
                        self.explained.setdefault(id(arg.value), ("whole", True))
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            statement = id(node) in self.expr_values
            self.explained.setdefault(id(func.value), ("method", func.attr.value, node, statement))

    def visit_Name(self, node: cst.Name) -> None:
        if not self.enabled or id(node) in self.ignored:
            return
        assert self.pandas is not None
        if node.value in self.pandas:
            scope = self.scope
            scope.occurrences.append(_Occurrence(node.value, node, scope.stmt, scope.loops > 0))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.enabled:
            value = _string(node)
            if value is not None:
                self.literals[value] = self.literals.get(value, 0) + 1

    # --- the verdict -----------------------------------------------------------------------------

    def finish(self) -> None:
        if not self.enabled:
            return
        self.constants = {
            name: value
            for name, value in self.constant_values.items()
            if self.binding_counts.get(name) == 1
            and name not in self.attribute_owners
            and name not in self.stored_into
        }
        module_frames = self._frames(self.module_scope, frozenset())
        frames = {id(self.module_scope): module_frames}
        for scope in self.scopes[1:]:
            if scope.kind == "function":
                frames[id(scope)] = self._frames(scope, module_frames)
        # Names that a nested scope reads from an enclosing one: the whole frame is used.
        escaped: set[tuple[int, str]] = set()
        for scope in self.scopes:
            for occurrence in scope.occurrences:
                owner = self._resolve(scope, occurrence.name)
                if owner is not scope:
                    escaped.add((id(owner), occurrence.name))
        all_uses: list[tuple[_Scope, str, _Uses]] = []
        literal_sites = dict(self.written)
        for scope in self.scopes:
            names = frames.get(id(scope))
            if not names or scope.dynamic or (scope.kind == "module" and self.uses_globals):
                continue
            for name in sorted(names):
                if (id(scope), name) in escaped or name in self.literals:
                    continue  # a nested scope uses it, or its name is a string (`__all__`)
                uses = self._uses(scope, name)
                for event in uses.events:
                    if event.literal:
                        literal_sites[event.column] = literal_sites.get(event.column, 0) + 1
                all_uses.append((scope, name, uses))
        for scope, name, uses in all_uses:
            self._verdict(scope, name, uses, literal_sites)

    def _verdict(
        self, scope: _Scope, name: str, uses: _Uses, literal_sites: dict[str, int]
    ) -> None:
        first: dict[str, _Event] = {}
        for event in uses.events:
            known = first.get(event.column)
            if known is None or event.stmt < known.stmt:
                first[event.column] = event
        # A frame read and never used at all is DL204's finding (an unused read), not one
        # finding per loaded column.
        untouched = not (uses.reads or uses.mentions or uses.wholes)
        for column, event in first.items():
            if column in uses.reads or _mentioned(column, uses.mentions):
                continue
            if event.loaded and untouched:
                continue
            # The name written as a string anywhere else in the file: assume it is used there.
            if self.literals.get(column, 0) > literal_sites.get(column, 0):
                continue
            # A harmless use (it makes a new object from the frame as it is) that runs before
            # the column exists cannot see it; in the column's own statement it is on the
            # right-hand side (`df["c"] = df.apply(f, axis=1)`), which runs first.
            if any(
                not (harmless and not in_loop and stmt <= event.stmt)
                for stmt, in_loop, harmless in uses.wholes
            ):
                continue
            what = "loaded" if event.loaded else "created"
            where = "module" if scope.kind == "module" else f"function `{scope.name}`"
            module_level = scope.kind == "module" and not self.ctx.path.endswith(".ipynb")
            self.report(
                event.node,
                f"column '{column}' of `{name}` is {what} here and never used: "
                f"it reaches no model, output or write",
                entity=f"{scope.name}:{name}[{column}]",
                confidence=Confidence.MEDIUM if module_level else Confidence.HIGH,
                help=(
                    f"Remove '{column}' (and the code computing it) or use it; every use of "
                    f"`{name}` in the {where} names its columns and none of them is '{column}'."
                ),
                properties={"frame": name, "column": column},
            )

    def _resolve(self, scope: _Scope, name: str) -> _Scope:
        """The scope a name used in ``scope`` belongs to (class bodies are skipped from inside)."""
        current: _Scope | None = scope
        while current is not None:
            declared = current.declared.get(name)
            if declared == "global":
                return self.module_scope
            visible = current is scope or current.kind != "class"
            if declared != "nonlocal" and visible and name in current.bindings:
                return current
            current = current.parent
        return self.module_scope

    def _frames(self, scope: _Scope, outer: frozenset[str]) -> frozenset[str]:
        """Names bound in ``scope`` only by assignments of new frames (a greatest fixpoint, so
        `df = df.dropna()` keeps `df` a frame)."""
        assert self.pandas is not None
        candidates = {
            name: [value for value, _, _ in bindings]
            for name, bindings in scope.bindings.items()
            if name in self.pandas
            and name not in scope.declared
            and all(value is not None for value, _, _ in bindings)
        }
        frames = set(candidates)

        def is_frame(n: str) -> bool:
            if n in candidates:
                return n in frames
            if n in scope.bindings or scope.kind == "module":
                return n in pandas
            return n in outer or n in pandas

        pandas = self.pandas
        changed = True
        while changed:
            changed = False
            for name in sorted(frames):
                if not all(
                    v is not None and self._new_frame(v, is_frame) for v in candidates[name]
                ):
                    frames.discard(name)
                    changed = True
        return frozenset(frames)

    def _new_frame(self, expr: cst.BaseExpression, is_frame: Callable[[str], bool]) -> bool:
        """Whether ``expr`` builds a new DataFrame object (never an alias of an existing one)."""

        def frame_expr(e: cst.BaseExpression) -> bool:
            if isinstance(e, cst.Name):
                return is_frame(e.value)
            return self._new_frame(e, is_frame)

        if isinstance(expr, cst.Call):
            qual = self.ctx.qualname(expr.func)
            if qual is not None:
                if qual in _NOT_FRAME_READERS:
                    return False
                if qual.startswith("pandas.read_") and "." not in qual[len("pandas.") :]:
                    return True
                if qual == "pandas.DataFrame":
                    # `pd.DataFrame(df)` shares the frame's data manager: an alias.
                    return not any(
                        isinstance(a.value, cst.Name) and is_frame(a.value.value) for a in expr.args
                    )
                return qual in _FACTORIES
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in _FRAME_RETURNING:
                if any(a.keyword is not None and a.keyword.value == "inplace" for a in expr.args):
                    return False
                return frame_expr(func.value)
            return False
        if isinstance(expr, cst.Subscript):
            base = expr.value
            if isinstance(base, cst.Attribute) and base.attr.value == "loc":
                if len(expr.slice) == 1:
                    return frame_expr(base.value)
                second = expr.slice[1].slice
                if isinstance(second, cst.Slice) or (
                    isinstance(second, cst.Index) and isinstance(second.value, cst.List)
                ):
                    return frame_expr(base.value)
                return False
            if isinstance(base, cst.Attribute):
                return False
            index = _single_index(expr)
            if index is None:
                return False
            if _is_row_filter(expr):
                return frame_expr(base)
            columns = self._columns(index)
            if columns is not None and not isinstance(columns, str):
                return frame_expr(base)
        return False

    def _columns(self, expr: cst.BaseExpression | None, depth: int = 0) -> str | list[str] | None:
        """A column name (str) or list of names an expression stands for; None if unknown."""
        if expr is None or depth > 5:
            return None
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            return _string(expr)
        if isinstance(expr, (cst.List, cst.Tuple)):
            names: list[str] = []
            for element in expr.elements:
                found = self._columns(element.value, depth + 1)
                if found is None:
                    return None
                names.extend([found] if isinstance(found, str) else found)
            return names
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left = self._columns(expr.left, depth + 1)
            right = self._columns(expr.right, depth + 1)
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            return None
        if isinstance(expr, cst.Name):
            value = self.constants.get(expr.value)
            return self._columns(value, depth + 1) if value is not None else None
        return None

    def _column_list(self, expr: cst.BaseExpression | None) -> list[str] | None:
        found = self._columns(expr)
        if found is None:
            return None
        return [found] if isinstance(found, str) else found

    def _strings(self, args: list[cst.Arg] | tuple[cst.Arg, ...]) -> list[str] | None:
        """Every string among call arguments; None when an argument could name columns in a way
        that cannot be read (a variable, a call)."""
        found: list[str] = []
        for arg in args:
            if arg.star:
                return None
            if not self._collect_strings(arg.value, found, 0):
                return None
        return found

    def _collect_strings(self, expr: cst.BaseExpression, found: list[str], depth: int) -> bool:
        if depth > 8:
            return False
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = _string(expr)
            if value is not None:
                found.append(value)
            return True
        if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary)):
            return True
        if isinstance(expr, cst.UnaryOperation):
            return self._collect_strings(expr.expression, found, depth + 1)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return all(self._collect_strings(e.value, found, depth + 1) for e in expr.elements)
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if not isinstance(element, cst.DictElement):
                    return False
                if not self._collect_strings(element.key, found, depth + 1):
                    return False
                if not self._collect_strings(element.value, found, depth + 1):
                    return False
            return True
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
                return True
            columns = self._columns(expr)
            if columns is not None:
                found.extend([columns] if isinstance(columns, str) else columns)
                return True
            # An imported constant or type (`np.nan`, `int`, `np.float32`) names no column.
            return self.ctx.qualname(expr) is not None
        return False

    def _uses(self, scope: _Scope, name: str) -> _Uses:
        uses = _Uses()
        for occurrence in scope.occurrences:
            if occurrence.name == name:
                self._classify(occurrence, uses)
        for frame, column, node, stmt, in_loop in scope.assigned:
            if frame == name:
                uses.events.append(_Event(column, node, stmt, in_loop, literal=False))
        for value, stmt, in_loop in scope.bindings.get(name, []):
            if isinstance(value, cst.Call):
                self._loaded(value, stmt, in_loop, uses)
        return uses

    def _loaded(self, call: cst.Call, stmt: int, in_loop: bool, uses: _Uses) -> None:
        """Columns a reader loads by name (`usecols=[...]`)."""
        qual = self.ctx.qualname(call.func)
        if qual is None or not qual.startswith("pandas.read_"):
            return
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        for entry in self.ctx.catalog.lookup_call(qual):
            if entry.role != "read" or entry.columns is None:
                continue
            where = entry.columns.find(positional, {k: a.value for k, a in keywords.items()})
            if where is None:
                continue
            if isinstance(where, cst.List) and all(
                isinstance(e.value, (cst.SimpleString, cst.ConcatenatedString))
                for e in where.elements
            ):
                for element in where.elements:
                    column = _string(element.value)
                    if column is not None:
                        uses.events.append(
                            _Event(column, element.value, stmt, in_loop, True, loaded=True)
                        )
            else:
                columns = self._column_list(where)
                arg = next((a for a in keywords.values() if a.value is where), call)
                for column in columns or []:
                    uses.events.append(_Event(column, arg, stmt, in_loop, False, loaded=True))
            return

    def _classify(self, occurrence: _Occurrence, uses: _Uses) -> None:
        how = self.explained.get(id(occurrence.node))
        stmt, in_loop = occurrence.stmt, occurrence.in_loop

        def whole(harmless: bool) -> None:
            uses.wholes.append((stmt, in_loop, harmless))

        if how is None:
            whole(False)
            return
        kind = how[0]
        if kind == "neutral":
            return
        if kind == "whole":
            whole(how[1])
        elif kind == "sub":
            _, context, index, node = how
            columns = self._column_list(index)
            if context == "store":
                if columns is not None:
                    # Its literal, if any, is counted by _written_literals.
                    for column in columns:
                        uses.events.append(_Event(column, node, stmt, in_loop, literal=False))
                elif index is None:
                    whole(False)  # `df.loc[mask] = 0` sets every column
                # else a generated name (`df[f"lag_{i}"] = ...`): no column is read
            elif columns is not None:
                uses.reads.update(columns)
            else:
                whole(context == "load")
        elif kind == "attr":
            _, attr, context = how
            if context != "load":
                whole(False)
            elif attr in _NEUTRAL_ATTRS:
                return
            elif attr in _FRAME_ATTRS or attr.startswith(("_", "to_")):
                whole(False)
            else:
                uses.reads.add(attr)
        elif kind == "method":
            self._method(how[1], how[2], how[3], occurrence, uses)
        elif kind == "rebind":
            calls = how[1]
            strings: list[str] = []
            for call in calls:
                method = _method_name(call)
                if method == "assign":
                    if any(a.keyword is None for a in call.args):
                        whole(True)
                        return
                    continue
                if method not in _PRESERVING or not self._keeps_columns(call):
                    whole(True)
                    return
                found = self._strings(call.args)
                if found is None:
                    whole(True)
                    return
                strings.extend(found)
            uses.mentions.extend(strings)

    def _keeps_columns(self, call: cst.Call) -> bool:
        """False for `dropna()`/`drop_duplicates()` without `subset=` (they read every column)."""
        if _method_name(call) not in _ALL_COLUMN_ROW_FILTERS:
            return True
        return any(a.keyword is not None and a.keyword.value == "subset" for a in call.args)

    def _method(
        self, method: str, call: cst.Call, statement: bool, occurrence: _Occurrence, uses: _Uses
    ) -> None:
        args = call.args
        if method in ("get", "pop") and args and args[0].keyword is None:
            columns = self._column_list(args[0].value)
            if columns is not None:
                uses.reads.update(columns)
                return
        if method == "insert" and len(args) >= 2 and all(a.keyword is None for a in args[:2]):
            column = self._columns(args[1].value)
            if isinstance(column, str):
                literal = isinstance(args[1].value, (cst.SimpleString, cst.ConcatenatedString))
                uses.events.append(
                    _Event(column, call, occurrence.stmt, occurrence.in_loop, literal)
                )
                return
        if method in _COLUMN_WRITERS:
            # `df.to_csv(path, columns=["a", "b"])` writes only the columns it lists.
            listed = next(
                (a.value for a in args if a.keyword and a.keyword.value == "columns"), None
            )
            columns = self._column_list(listed)
            if columns is not None:
                uses.reads.update(columns)
                return
        inplace = any(
            a.keyword is not None
            and a.keyword.value == "inplace"
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in args
        )
        if statement and inplace and method in _PRESERVING and self._keeps_columns(call):
            rest = [a for a in args if a.keyword is None or a.keyword.value != "inplace"]
            found = self._strings(rest)
            if found is not None:
                uses.mentions.extend(found)
                return
        # A method call makes a new object from the frame as it is now, except the lazy ones.
        uses.wholes.append((occurrence.stmt, occurrence.in_loop, method not in _LAZY))


def _string(node: cst.BaseExpression) -> str | None:
    try:
        value = node.evaluated_value  # type: ignore[attr-defined]
    except Exception:  # an f-string part or an unusual literal
        return None
    return value if isinstance(value, str) else None


def _literal_like(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(expr, (cst.List, cst.Tuple)):
        return all(_literal_like(e.value) for e in expr.elements)
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add)


def _single_index(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return node.slice[0].slice.value
    return None


def _is_row_filter(node: cst.Subscript) -> bool:
    """`df[df["a"] > 0]`, `df[~m & n]`, `df[df["a"].isin(xs)]`: rows, every column kept."""
    index = _single_index(node)
    if isinstance(index, (cst.Comparison, cst.BooleanOperation)):
        return True
    if isinstance(index, cst.UnaryOperation) and isinstance(index.operator, cst.BitInvert):
        return True
    if isinstance(index, cst.BinaryOperation) and isinstance(
        index.operator, (cst.BitAnd, cst.BitOr, cst.BitXor)
    ):
        return True
    if isinstance(index, cst.Call) and isinstance(index.func, cst.Attribute):
        return index.func.attr.value in _ROW_FILTER_CALLS
    return False


def _method_name(call: cst.Call) -> str | None:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def _method_chain(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, list[cst.Call]] | None:
    """`base.m1(...).m2(...)` as (base, [m1 call, m2 call]); None for anything else."""
    calls: list[cst.Call] = []
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        calls.append(expr)
        expr = expr.func.value
    if not calls:
        return None
    calls.reverse()
    return expr, calls


def _mentioned(column: str, strings: list[str]) -> bool:
    if not strings:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(column)}(?!\w)")
    return any(s == column or pattern.search(s) for s in strings)
