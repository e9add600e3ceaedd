import libcst as cst

from debtlint.api import FileContext, FileRule, Severity, pandas_names


class EmptyColumnInitialisation(FileRule):
    """A new DataFrame column initialised with an empty string.

    ## What it does
    Finds `df["col"] = ""` (and `df.loc[:, "col"] = ""`) where `df` is known to be a pandas frame
    (see DL902 for how that is decided). `np.nan`, `None`, `pd.NA` and typed values are fine and
    are not reported. A column initialised with `0` is not reported either: counters and flags
    are usually meant to start at zero.

    Known false positives: a text column whose values really start empty and are appended to.
    ruff has no equivalent.

    ## Why is this bad?
    An empty string is a value, not a missing one: `isna()`, `fillna()`, `dropna()` and the
    libraries downstream treat it as data, the column's dtype becomes `object`, and a row that
    was never filled looks filled. This is smell 5, "Empty Column Misinitialization", of Zhang
    et al. (2022).

    ## Example
    ```python
    df["segment"] = ""
    ```

    ## Use instead
    ```python
    df["segment"] = pd.Series(pd.NA, index=df.index, dtype="string")
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #5.
    """

    code = "DL912"
    name = "empty-column-initialisation"
    severity = Severity.INFO
    remediation_minutes = 2

    VALID = [
        """
        import numpy as np
        import pandas as pd
        df = pd.read_csv("data.csv")
        df["segment"] = np.nan
        df["count"] = 0
        df["name"] = df["first"] + " " + df["last"]
        row = {}
        row["segment"] = ""
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df["segment"] = ""  # expect: DL912
        df.loc[:, "notes"] = ''  # expect: DL912
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.pandas = pandas_names(ctx)

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        if not (isinstance(value, cst.SimpleString) and value.evaluated_value == ""):
            return
        for target in node.targets:
            subscript = target.target
            if isinstance(subscript, cst.Subscript) and self.pandas.is_pandas(subscript.value):
                self.report(
                    node,
                    "new column initialised with an empty string, which is not a missing value",
                    help="Initialise with np.nan or pd.NA (and a dtype) instead.",
                )
                return
