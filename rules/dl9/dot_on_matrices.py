import libcst as cst

from debtlint.api import FileContext, FileRule, Severity

# numpy constructors whose first argument is a shape.
_SHAPED = frozenset({"numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full"})
# numpy constructors whose positional arguments are the dimensions.
_DIMS = frozenset({"numpy.random.rand", "numpy.random.randn"})
_SQUARE = frozenset({"numpy.eye", "numpy.identity"})


class DotOnMatrices(FileRule):
    """`np.dot` used to multiply two matrices; `@` (or `np.matmul`) says so.

    ## What it does
    Finds `np.dot(a, b)` and `a.dot(b)` where both operands are names known to be 2-D NumPy
    arrays: every assignment to the name in the file is `np.array` of a nested list literal,
    `np.zeros`/`ones`/`empty`/`full` with a two-element shape, `np.random.rand`/`randn` with two
    dimensions, `np.eye`/`np.identity`, or `.reshape` to two dimensions. Operands of unknown shape
    are never reported, so most real uses of `np.dot` are not checked: the rule is precise, not
    complete. ruff has no equivalent.

    ## Why is this bad?
    `np.dot` means different things for different dimensions (inner product, matrix product,
    sum-product over the last axes), so a reader cannot tell which one was meant, and a change of
    shape upstream silently changes the operation. `a @ b` is the matrix product and fails loudly
    for scalars. This is smell 9, "Matrix Multiplication API Misused", of Zhang et al. (2022).

    ## Example
    ```python
    w = np.zeros((3, 4))
    out = np.dot(x, w)
    ```

    ## Use instead
    ```python
    out = x @ w
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #9.
    - NumPy documentation, `numpy.dot` and `numpy.matmul`.
    """

    code = "DL911"
    name = "dot-on-matrices"
    severity = Severity.INFO
    remediation_minutes = 2

    VALID = [
        """
        import numpy as np
        a = np.zeros((3, 4))
        b = np.ones(4)
        v = np.dot(a, b)
        c = np.dot(x, y)
        d = a @ np.eye(4)
        """,
        """
        import numpy as np
        a = np.eye(3)
        a = np.ones(3)
        s = np.dot(a, np.eye(3))
        """,
    ]
    INVALID = [
        """
        import numpy as np
        w = np.zeros((3, 4))
        x = np.array([[1, 2, 3], [4, 5, 6]])
        r = np.arange(12).reshape(4, 3)
        out = np.dot(x, w)  # expect: DL911
        back = w.dot(r)  # expect: DL911
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.shapes: dict[str, bool] = {}  # name -> every assignment seen so far is 2-D
        self.dots: list[tuple[cst.Call, cst.BaseExpression, cst.BaseExpression]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        is_matrix = self._matrix(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                name = target.target.value
                self.shapes[name] = self.shapes.get(name, True) and is_matrix

    def visit_Param(self, node: cst.Param) -> None:
        self.shapes[node.name.value] = False  # a parameter of the same name: shape unknown

    def visit_Call(self, node: cst.Call) -> None:
        if "numpy" not in self.ctx.imported_roots:
            return
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if self.ctx.qualname(node.func) == "numpy.dot" and len(positional) == 2:
            self.dots.append((node, positional[0], positional[1]))
        elif (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "dot"
            and len(positional) == 1
            and self.ctx.qualname(node.func) is None
        ):
            self.dots.append((node, node.func.value, positional[0]))

    def finish(self) -> None:
        # Decided at the end: a name counts only if all of its assignments in the file are 2-D.
        for call, left, right in self.dots:
            if self._known(left) and self._known(right):
                self.report(
                    call,
                    "np.dot on two matrices; write the matrix product as `a @ b`",
                    help="Use a @ b (or np.matmul) for matrix products.",
                )

    def _known(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return self.shapes.get(expr.value, False)
        return self._matrix(expr)

    def _matrix(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Call):
            return False
        qual = self.ctx.qualname(expr.func)
        args = [a.value for a in expr.args if a.keyword is None and not a.star]
        if qual in _SQUARE:
            return len(args) == 1
        if qual in _SHAPED:
            return bool(args) and isinstance(args[0], cst.Tuple) and len(args[0].elements) == 2
        if qual in _DIMS:
            return len(args) == 2
        if qual == "numpy.array" and args and isinstance(args[0], cst.List):
            rows = [e.value for e in args[0].elements]
            return bool(rows) and all(
                isinstance(r, (cst.List, cst.Tuple))
                and not any(isinstance(e.value, (cst.List, cst.Tuple)) for e in r.elements)
                for r in rows
            )
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "reshape":
            if len(args) == 2:
                return True
            return len(args) == 1 and isinstance(args[0], cst.Tuple) and len(args[0].elements) == 2
        return False
