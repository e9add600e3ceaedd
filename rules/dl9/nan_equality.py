import libcst as cst

from debtlint.api import FileRule, Severity

_NANS = frozenset({"numpy.nan", "numpy.NaN", "numpy.NAN", "math.nan", "pandas.NA"})
_NOT_NAN = ("np.isnan(x)", "pd.isna(x)", "math.isnan(x)")


class NanEquality(FileRule):
    """A value compared with NaN by `==` or `!=`, which is never true (or always true).

    ## What it does
    Finds comparisons `x == np.nan`, `x != np.nan` (also `numpy.nan`, `math.nan`,
    `float("nan")` and `pd.NA`) on either side of the operator.

    Known false positives: none known — the comparison is always `False` for `==` and always `True`
    for `!=` (with `pd.NA` it is `NA`, which raises in an `if`). ruff has the same check as
    `PLW0177` (`nan-comparison`, numpy and math NaN); this rule also covers `float("nan")` and
    `pd.NA` and runs in files ruff is not configured for.

    ## Why is this bad?
    NaN is not equal to anything, itself included (IEEE 754). Data-cleaning code that filters or
    replaces missing values with `== np.nan` silently does nothing. This is smell 2, "NaN
    Equivalence Comparison Misused", of Zhang et al. (2022).

    ## Example
    ```python
    df = df[df["age"] != np.nan]
    ```

    ## Use instead
    ```python
    df = df[df["age"].notna()]
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #2.
    - ruff `PLW0177` (nan-comparison).
    """

    code = "DL901"
    name = "nan-equality-comparison"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import numpy as np
        import pandas as pd
        df = pd.read_csv("data.csv")
        missing = df["age"].isna()
        ok = np.isnan(df["age"].to_numpy())
        same = df["a"] == df["b"]
        filled = df["age"].fillna(np.nan)
        """,
        """
        nan = "not a number"
        label = nan == "nan"
        """,
    ]
    INVALID = [
        """
        import math
        import numpy as np
        import pandas as pd
        df = pd.read_csv("data.csv")
        a = df[df["age"] == np.nan]  # expect: DL901
        b = df[np.nan != df["age"]]  # expect: DL901
        c = df["x"] == float("nan")  # expect: DL901
        d = df["x"] == math.nan  # expect: DL901
        """,
    ]

    def visit_Comparison(self, node: cst.Comparison) -> None:
        left = node.left
        for target in node.comparisons:
            if isinstance(target.operator, (cst.Equal, cst.NotEqual)) and (
                self._is_nan(left) or self._is_nan(target.comparator)
            ):
                op = "==" if isinstance(target.operator, cst.Equal) else "!="
                self.report(
                    node,
                    f"comparison with NaN by `{op}` is always {'False' if op == '==' else 'True'}",
                    entity=op,
                    help=f"Test for missing values with {', '.join(_NOT_NAN)} or .isna().",
                )
                return
            left = target.comparator

    def _is_nan(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self.ctx.qualname(expr) in _NANS
        if (
            isinstance(expr, cst.Call)
            and self.ctx.qualname(expr.func) == "builtins.float"
            and len(expr.args) == 1
            and isinstance(expr.args[0].value, cst.SimpleString)
        ):
            value = expr.args[0].value.evaluated_value
            return isinstance(value, str) and value.strip().lower() == "nan"
        return False
