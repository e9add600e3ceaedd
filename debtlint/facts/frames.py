"""Which names in a file hold pandas objects (DataFrame or Series), for the pandas API-smell rules.

A cheap, flow-insensitive inference over names: a name is a pandas object when it is assigned from a
pandas constructor or reader, from a frame-returning method or an indexing of another pandas object,
or is a parameter annotated as one. Names are not separated by scope, so a ``df`` that is a frame in
one function counts as a frame in all of them — rules that use this accept that (a name reused for a
dict is rare in the files that import pandas). Nothing that cannot be shown to be pandas is treated
as pandas: ``d["a"]["b"] = 1`` on a dict stays silent.
"""

from __future__ import annotations

import libcst as cst

from debtlint.facts.context import FileContext
from debtlint.facts.names import dotted
from debtlint.facts.walk import iter_tree

# pandas functions that return a DataFrame or Series (besides every `read_*`).
PANDAS_FACTORIES = frozenset(
    {
        "DataFrame",
        "Series",
        "concat",
        "merge",
        "merge_asof",
        "merge_ordered",
        "get_dummies",
        "pivot_table",
        "crosstab",
        "json_normalize",
        "melt",
        "to_datetime",
        "to_numeric",
        "DataFrame.from_dict",
        "DataFrame.from_records",
    }
)

# Methods of a pandas object that return a pandas object.
FRAME_METHODS = frozenset(
    {
        "abs",
        "assign",
        "astype",
        "bfill",
        "clip",
        "copy",
        "drop",
        "drop_duplicates",
        "dropna",
        "ffill",
        "fillna",
        "filter",
        "head",
        "interpolate",
        "join",
        "map",
        "mask",
        "melt",
        "merge",
        "pivot",
        "pivot_table",
        "query",
        "rename",
        "reindex",
        "replace",
        "reset_index",
        "round",
        "sample",
        "select_dtypes",
        "set_index",
        "sort_index",
        "sort_values",
        "tail",
        "transpose",
        "where",
    }
)

_INDEXERS = frozenset({"loc", "iloc"})
_ANNOTATIONS = frozenset({"pandas.DataFrame", "pandas.Series"})


class PandasNames:
    """The names of a file known to hold pandas objects, and a test for expressions."""

    def __init__(self, ctx: FileContext, names: frozenset[str]) -> None:
        self.ctx = ctx
        self.names = names

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def is_pandas(self, expr: cst.BaseExpression) -> bool:
        """``df``, ``df["a"]``, ``df.loc[m, c]``, ``df.dropna()``, ``pd.read_csv(...)`` when ``df`` is
        known to be pandas."""
        if isinstance(expr, cst.Name):
            return expr.value in self.names
        if isinstance(expr, cst.Subscript):
            return self.is_pandas(expr.value)
        if isinstance(expr, cst.Attribute) and expr.attr.value in _INDEXERS:
            return self.is_pandas(expr.value)
        if isinstance(expr, cst.Call):
            return self._pandas_call(expr)
        return False

    def _pandas_call(self, call: cst.Call) -> bool:
        qual = self.ctx.qualname(call.func)
        if qual is not None:
            return _is_factory(qual)
        func = call.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in FRAME_METHODS
            and self.is_pandas(func.value)
        )


def _is_factory(qual: str) -> bool:
    if not qual.startswith("pandas."):
        return False
    rest = qual[len("pandas.") :]
    return rest in PANDAS_FACTORIES or (rest.startswith("read_") and "." not in rest)


def pandas_names(ctx: FileContext) -> PandasNames:
    """The pandas names of the file ``ctx`` walks (computed once per file, shared by the rules)."""
    found = ctx.memo.get("pandas-names")
    if not isinstance(found, PandasNames):
        found = PandasNames(ctx, _infer(ctx) if "pandas" in ctx.imported_roots else frozenset())
        ctx.memo["pandas-names"] = found
    return found


def _infer(ctx: FileContext) -> frozenset[str]:
    bindings: list[tuple[str, cst.BaseExpression]] = []
    names: set[str] = set()
    for node in iter_tree(ctx.module):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    bindings.append((target.target.value, node.value))
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            if _annotated_pandas(ctx, node.annotation):
                names.add(node.target.value)
            elif node.value is not None:
                bindings.append((node.target.value, node.value))
        elif (
            isinstance(node, cst.Param)
            and node.annotation is not None
            and _annotated_pandas(ctx, node.annotation)
        ):
            names.add(node.name.value)
    # A fixpoint: `b = a.copy()` may come before `a = pd.read_csv(...)` in the file (functions).
    changed = True
    while changed:
        changed = False
        view = PandasNames(ctx, frozenset(names))
        for name, value in bindings:
            if name not in names and view.is_pandas(value):
                names.add(name)
                changed = True
    return frozenset(names)


def _annotated_pandas(ctx: FileContext, annotation: cst.Annotation) -> bool:
    expr = annotation.annotation
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value in ("pd.DataFrame", "pd.Series", "DataFrame", "Series")
    return dotted(expr) is not None and ctx.qualname(expr) in _ANNOTATIONS
