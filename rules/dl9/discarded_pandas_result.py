import libcst as cst

from debtlint.api import FileContext, FileRule, Severity, pandas_names

# Methods that return a new object unless given `inplace=True`.
_OUT_OF_PLACE = frozenset(
    {
        "drop",
        "drop_duplicates",
        "dropna",
        "fillna",
        "ffill",
        "bfill",
        "interpolate",
        "rename",
        "replace",
        "reset_index",
        "set_index",
        "sort_index",
        "sort_values",
        "clip",
        "where",
        "mask",
        "astype",
        "query",
        "assign",
    }
)


class DiscardedPandasResult(FileRule):
    """The result of an out-of-place pandas call is thrown away (`df.dropna()` as a statement).

    ## What it does
    Finds expression statements that call a method returning a new object — `dropna`, `fillna`,
    `drop`, `drop_duplicates`, `rename`, `replace`, `reset_index`, `set_index`, `sort_values`,
    `sort_index`, `astype`, `clip`, `where`, `mask`, `query`, `assign`, `interpolate`,
    `ffill`/`bfill` — on a value known to be a pandas object, without `inplace=True`, and without
    using the result.

    Known false positives: none known for names that really are pandas objects; names that
    cannot be shown to be pandas objects are not checked (see DL902 for how that is decided).
    ruff has no equivalent (its `PD002` flags the opposite: any use of `inplace=True`).

    ## Why is this bad?
    These calls return a new frame and leave the original unchanged, so the statement does
    nothing; the cleaning step the author meant silently never happens. This is smell 7,
    "In-Place APIs Misused", of Zhang et al. (2022).

    ## Example
    ```python
    df.dropna()
    ```

    ## Use instead
    ```python
    df = df.dropna()
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #7.
    """

    code = "DL903"
    name = "discarded-pandas-result"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df = df.dropna()
        df.fillna(0, inplace=True)
        print(df.sort_values("a"))
        items = ["b", "a"]
        items.sort()
        """,
        """
        import pandas as pd
        class Cleaner:
            def drop(self, x): ...
        cleaner = Cleaner()
        cleaner.drop(1)
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df.dropna()  # expect: DL903
        df["age"].fillna(0)  # expect: DL903
        df.drop(columns=["id"], inplace=False)  # expect: DL903
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.pandas = pandas_names(ctx)

    def visit_Expr(self, node: cst.Expr) -> None:
        call = node.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return
        method = call.func.attr.value
        if method not in _OUT_OF_PLACE or not self.pandas.is_pandas(call.func.value):
            return
        for arg in call.args:
            is_inplace = arg.keyword is not None and arg.keyword.value == "inplace"
            if is_inplace and not (isinstance(arg.value, cst.Name) and arg.value.value == "False"):
                return  # `inplace=True` or a variable: not provably discarded
        self.report(
            call,
            f"the result of `.{method}()` is discarded; the frame is not changed",
            entity=method,
            help=f"Assign the result (df = df.{method}(...)).",
        )
