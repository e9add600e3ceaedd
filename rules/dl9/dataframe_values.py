import libcst as cst

from debtlint.api import FileContext, FileRule, Severity, pandas_names


class DataframeValues(FileRule):
    """`.values` on a pandas object; `.to_numpy()` says what it returns.

    ## What it does
    Finds the attribute `.values` (not called) on a value known to be a pandas DataFrame or
    Series (see DL902 for how that is decided). `dict.values()` and other objects' `.values`
    are not reported.

    This is ruff's `PD011` (pandas-use-of-dot-values) restricted to values that are provably
    pandas objects; if you run ruff with `PD011`, ignore one of the two.

    ## Why is this bad?
    `.values` returns a NumPy array, a pandas extension array or something else depending on the
    dtypes, and its behaviour has changed between pandas versions. `.to_numpy()` always returns
    a NumPy array and takes `dtype` and `na_value`. This is smell 8, "Dataframe Conversion API
    Misused", of Zhang et al. (2022).

    ## Example
    ```python
    X = df[features].values
    ```

    ## Use instead
    ```python
    X = df[features].to_numpy()
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #8.
    - ruff `PD011` (pandas-use-of-dot-values).
    """

    code = "DL905"
    name = "dataframe-values"
    severity = Severity.INFO
    remediation_minutes = 2

    VALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        X = df[["a", "b"]].to_numpy()
        counts = {"a": 1}
        total = sum(counts.values())
        """,
        """
        import pandas as pd
        class Box:
            values = [1, 2]
        box = Box()
        v = box.values
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        X = df[["a", "b"]].values  # expect: DL905
        y = df["target"].values  # expect: DL905
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.pandas = pandas_names(ctx)
        self._called: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        # `x.values()` is a method call (dicts, mappings), not the pandas attribute.
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "values":
            self._called.add(id(node.func))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value != "values" or id(node) in self._called:
            return
        if self.pandas.is_pandas(node.value):
            self.report(
                node,
                "`.values` on a pandas object; use `.to_numpy()`",
                help="Replace .values with .to_numpy() (also: ruff PD011).",
            )
