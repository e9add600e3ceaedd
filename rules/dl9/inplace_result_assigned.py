import libcst as cst

from debtlint.api import FileRule, Severity


class InplaceResultAssigned(FileRule):
    """The result of a call with `inplace=True` is assigned: it is `None`.

    ## What it does
    Finds assignments (`x = …`, `x: T = …`, `return …` is not included) whose value is a method
    call with the keyword `inplace=True`, in files that import pandas. With `inplace=True`, pandas
    methods change the object and return `None`.

    Known false positives: a non-pandas API whose `inplace=True` methods also return the object;
    none is known among the common ML libraries (torch's in-place flags are constructor options,
    not method arguments). ruff's `PD002` flags every `inplace=True`; this rule flags only the
    combination that is a bug.

    ## Why is this bad?
    `df = df.dropna(inplace=True)` sets `df` to `None`; the code fails later, far from the cause,
    or keeps working on a stale reference. This is smell 7, "In-Place APIs Misused", of Zhang et
    al. (2022).

    ## Example
    ```python
    df = df.dropna(inplace=True)
    ```

    ## Use instead
    ```python
    df = df.dropna()
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #7.
    - ruff `PD002` (pandas-use-of-inplace-argument).
    """

    code = "DL904"
    name = "inplace-result-assigned"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df.dropna(inplace=True)
        df = df.fillna(0)
        df = df.rename(columns={"a": "b"}, inplace=False)
        """,
        """
        import torch
        act = torch.nn.ReLU(inplace=True)
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.read_csv("data.csv")
        df = df.dropna(inplace=True)  # expect: DL904
        df["a"] = df["a"].fillna(0, inplace=True)  # expect: DL904
        """,
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check(node.value)

    def _check(self, value: cst.BaseExpression) -> None:
        if "pandas" not in self.ctx.imported_roots:
            return
        if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
            return
        for arg in value.args:
            if (
                arg.keyword is not None
                and arg.keyword.value == "inplace"
                and isinstance(arg.value, cst.Name)
                and arg.value.value == "True"
            ):
                method = value.func.attr.value
                self.report(
                    value,
                    f"`.{method}(..., inplace=True)` returns None; the assignment stores None",
                    entity=method,
                    help=f"Either call it without assigning, or drop inplace=True: "
                    f"x = x.{method}(...).",
                )
                return
