import re

import libcst as cst

from debtlint.api import FileContext, FileRule, Severity

# Paths that exist on one person's machine or one hosted notebook service only.
_LOCAL = re.compile(
    r"^(/home/[^/\s]+/|/Users/[^/\s]+/|[A-Za-z]:[\\/]|/content/drive/|/kaggle/(input|working)/)"
)
# String methods whose argument is a pattern being looked for, not a path being used.
_STRING_METHODS = frozenset(
    {"startswith", "endswith", "replace", "removeprefix", "removesuffix", "find", "split"}
)


class MachineLocalPath(FileRule):
    """A hard-coded path that exists only on one machine (`/home/alice/…`, `C:\\Users\\…`).

    ## What it does
    Finds string literals (not docstrings or comments) that start with `/home/<user>/`,
    `/Users/<user>/`, a Windows drive (`C:\\`, `D:/`), `/content/drive/` (Google Colab) or
    `/kaggle/input/` / `/kaggle/working/` (Kaggle kernels). Strings that are only compared or
    searched for (`path.startswith("/home/…")`, `==`) are not reported, and neither are test
    files. Relative paths and names such as the metric `"val/loss"` never match.

    Known false positives: code meant to run only in one hosted environment (a Kaggle kernel
    kept as such); ignore the rule for those files.

    ## Why is this bad?
    Nobody else can run the code, CI cannot run it, and the data dependency it stands for is
    invisible to the project (Sculley et al. 2015, reproducibility debt). Paths belong in
    configuration (a params file, an environment variable, a command-line option) relative to
    the project or a data root.

    ## Example
    ```python
    df = pd.read_csv("/home/alice/projects/churn/data/train.csv")
    ```

    ## Use instead
    ```python
    DATA = Path(os.environ.get("DATA_DIR", "data"))
    df = pd.read_csv(DATA / "train.csv")
    ```

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §8
      (reproducibility debt).
    - mllint, "version control / reproducibility" checks (van Oort et al., 2022).
    """

    code = "DL802"
    name = "machine-local-path"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import pandas as pd
        df = pd.read_csv("data/train.csv")
        logger.log({"val/loss": 0.1, "train/acc": 0.9})
        metric = "val/loss"
        if path.startswith("/home/"):
            path = path.replace("/home/alice/", "~/")
        ok = path == "/Users/bob/x"
        """,
        """
        def load():
            '''Reads /home/alice/data/train.csv on the lab machine.'''
            return 1
        """,
    ]
    INVALID = [
        """
        import numpy as np
        import pandas as pd
        df = pd.read_csv("/home/alice/churn/train.csv")  # expect: DL802
        OOF = "/Users/bob/cache/oof.npy"  # expect: DL802
        np.save(r"C:\\Users\\carol\\oof.npy", df.to_numpy())  # expect: DL802
        images = "/kaggle/input/cassava/train_images/"  # expect: DL802
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.enabled = not ctx.is_test
        self.skip: set[int] = set()

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._skip(node.left)
        for target in node.comparisons:
            self._skip(target.comparator)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _STRING_METHODS:
            for arg in node.args:
                self._skip(arg.value)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        # A docstring is a statement that is only a string.
        if len(node.body) == 1 and isinstance(node.body[0], cst.Expr):
            self._skip(node.body[0].value)

    def _skip(self, expr: cst.BaseExpression) -> None:
        if isinstance(expr, cst.SimpleString):
            self.skip.add(id(expr))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not self.enabled or id(node) in self.skip:
            return
        value = node.evaluated_value
        if isinstance(value, str) and _LOCAL.match(value):
            self.report(
                node,
                f"machine-local absolute path {value!r}",
                entity=value,
                help="Make the path relative to the project or read it from configuration.",
            )
