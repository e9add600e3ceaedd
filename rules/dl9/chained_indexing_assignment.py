import libcst as cst

from debtlint.api import FileContext, FileRule, Severity, pandas_names


class ChainedIndexingAssignment(FileRule):
    """An assignment through two indexing steps on a pandas object (`df["a"][mask] = v`).

    ## What it does
    Finds assignment targets (plain and augmented) of the form `df[a][b]`, `df.loc[a][b]` or
    `df[a].loc[b]` where `df` is known to be a pandas DataFrame or Series: read with a pandas
    reader, built by a pandas constructor, derived from one by indexing or a frame-returning
    method, or a parameter annotated `pd.DataFrame`/`pd.Series`.

    Chained *reads* (`x = df["a"][0]`) are not reported: they are slower, not wrong. Names that are
    not known to be pandas (a nested dict `d["a"]["b"] = 1`) are never reported. ruff has no
    equivalent rule.

    ## Why is this bad?
    The first indexing may return a copy; the assignment then changes the copy and the frame stays
    as it was (pandas warns with `SettingWithCopyWarning`, and under copy-on-write, the default
    from pandas 3.0, it never changes the frame). This is smell 3, "Chain Indexing", of Zhang et
    al. (2022).

    ## Example
    ```python
    df["price"][df["price"] < 0] = 0
    ```

    ## Use instead
    ```python
    df.loc[df["price"] < 0, "price"] = 0
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #3.
    - pandas user guide, "Returning a view versus a copy" and "Copy-on-Write".
    """

    code = "DL902"
    name = "chained-indexing-assignment"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df.loc[df["price"] < 0, "price"] = 0
        first = df["price"][0]
        config = {"a": {}}
        config["a"]["b"] = 1
        """,
        """
        import numpy as np
        grid = np.zeros((3, 3))
        grid[0][1] = 5
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df["price"][df["price"] < 0] = 0  # expect: DL902
        clean = df.dropna()
        clean.loc[clean["a"] > 1]["b"] = 2  # expect: DL902
        clean["count"][0] += 1  # expect: DL902
        """,
        """
        import pandas as pd
        def fix(frame: pd.DataFrame) -> None:
            frame["a"]["b"] = None  # expect: DL902
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.pandas = pandas_names(ctx)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._check(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._check(node.target)

    def _check(self, target: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Subscript):
            return
        inner = target.value
        if isinstance(inner, cst.Attribute) and inner.attr.value in ("loc", "iloc"):
            inner = inner.value
        if isinstance(inner, cst.Subscript) and self.pandas.is_pandas(inner.value):
            self.report(
                target,
                "assignment through chained indexing may change a copy and leave the frame as it is",
                help='Index once: df.loc[rows, "column"] = value.',
            )
