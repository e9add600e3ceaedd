import libcst as cst

from debtlint.api import FileContext, FileRule, Option, Severity, pandas_names

_KEYS = frozenset({"on", "left_on", "right_on", "left_index", "right_index"})


class MergeParameters(FileRule):
    """A pandas `merge` that does not say which columns join the frames or how.

    ## What it does
    Finds `pd.merge(a, b, …)` and `df.merge(b, …)` (on a value known to be a pandas frame) that
    give no join key (`on`, `left_on`/`right_on`, `left_index`/`right_index`) or no `how`. The
    message also names `validate` when it is missing; with the option `require-validate`, a merge
    without `validate` is reported too.

    Known false positives: a merge written deliberately on all shared columns. Saying so with
    `on=[...]` costs one line. ruff's `PD015` is about something else (`pd.merge` versus the
    method).

    ## Why is this bad?
    Without `on`, pandas joins on every column the two frames share; a column added upstream
    later silently changes the join. Without `how` the join is inner and drops rows without a
    match. Without `validate`, duplicated keys multiply rows unnoticed. This is smell 6, "Merge
    API Parameter Not Explicitly Set", of Zhang et al. (2022).

    ## Example
    ```python
    full = pd.merge(orders, customers)
    ```

    ## Use instead
    ```python
    full = pd.merge(orders, customers, on="customer_id", how="left", validate="many_to_one")
    ```

    ## Options
    - `require-validate` (bool, default false): also report merges that give `on` and `how` but no
      `validate`.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #6.
    - pandas API reference, `DataFrame.merge`.
    """

    code = "DL906"
    name = "merge-parameters-not-set"
    severity = Severity.INFO
    remediation_minutes = 5
    options = {
        "require-validate": Option(bool, False, "also report merges without validate="),
    }

    VALID = [
        """
        import pandas as pd
        orders = pd.read_csv("orders.csv")
        customers = pd.read_csv("customers.csv")
        a = pd.merge(orders, customers, on="customer_id", how="left")
        b = orders.merge(customers, left_on="cid", right_on="id", how="inner", validate="m:1")
        """,
        """
        import pandas as pd
        import heapq
        merged = heapq.merge([1, 3], [2, 4])
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        orders = pd.read_csv("orders.csv")
        customers = pd.read_csv("customers.csv")
        a = pd.merge(orders, customers)  # expect: DL906
        b = orders.merge(customers, how="left")  # expect: DL906
        c = orders.merge(customers, on="id")  # expect: DL906
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.pandas = pandas_names(ctx)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if self.ctx.qualname(func) != "pandas.merge" and not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "merge"
            and self.pandas.is_pandas(func.value)
        ):
            return
        given = {a.keyword.value for a in node.args if a.keyword is not None}
        if any(a.star == "**" for a in node.args):
            return  # the parameters come from a mapping we cannot see
        missing = []
        if not given & _KEYS:
            missing.append("on")
        if "how" not in given:
            missing.append("how")
        if "validate" not in given and (missing or self.opts["require-validate"]):
            missing.append("validate")
        if not missing:
            return
        self.report(
            node,
            f"merge without {', '.join(f'`{m}`' for m in missing)}",
            entity=",".join(missing),
            help='Say how the frames join: on="key", how="left", validate="many_to_one".',
        )
