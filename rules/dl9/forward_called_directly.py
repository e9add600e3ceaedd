import libcst as cst

from debtlint.api import FileContext, FileRule, Severity

_TORCH = frozenset({"torch", "lightning", "pytorch_lightning"})


class ForwardCalledDirectly(FileRule):
    """A PyTorch module's `forward()` is called directly instead of calling the module.

    ## What it does
    Finds calls `x.forward(...)` in files that import torch or Lightning, except
    `super().forward(...)` and `Base.forward(self, ...)`, which are how a subclass extends its
    parent's `forward`.

    `self.forward(...)` is reported only inside a class deriving from a known torch or Lightning
    module class. Known false positives: another object of your own, not a torch module, with a
    `forward` method, in a file that imports torch. Rename the method or ignore the finding.

    ## Why is this bad?
    `model(x)` runs the module's hooks (forward pre-hooks and hooks, used by pruning,
    quantisation, profiling and many libraries) around `forward`; `model.forward(x)` silently
    skips them. This is smell 19, "PyTorch Call Method Misused", of Zhang et al. (2022).

    ## Example
    ```python
    logits = model.forward(batch)
    ```

    ## Use instead
    ```python
    logits = model(batch)
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #19.
    - PyTorch documentation, `torch.nn.Module.forward` (the note on calling the instance).
    """

    code = "DL908"
    name = "forward-called-directly"
    severity = Severity.WARNING
    remediation_minutes = 2

    VALID = [
        """
        import torch
        class Net(torch.nn.Module):
            def forward(self, x):
                return super().forward(x) + torch.nn.Module.forward(self, x)
        out = Net()(torch.zeros(1))
        """,
        """
        class Chain:
            def forward(self, x):
                return x
        Chain().forward(1)
        """,
        """
        import torch
        class TTA:
            def forward(self, x):
                return x[::-1]
            def __call__(self, model, batch):
                return model(self.forward(batch))
        """,
    ]
    INVALID = [
        """
        import torch
        class Head(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = torch.nn.Linear(4, 4)
            def forward(self, x):
                return self.body.forward(x)  # expect: DL908
        model = Head()
        logits = model.forward(torch.zeros(4))  # expect: DL908
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.classes: list[bool] = []  # for each enclosing class: is it a torch/Lightning module?

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(any(self._module_base(b.value) for b in node.bases))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.pop()

    def _module_base(self, base: cst.BaseExpression) -> bool:
        qual = self.ctx.qualname(base)
        return qual is not None and self.ctx.catalog.model_base(qual) is not None

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "forward":
            return
        if _TORCH.isdisjoint(self.ctx.imported_roots):
            return
        receiver = func.value
        if (
            isinstance(receiver, cst.Call)
            and isinstance(receiver.func, cst.Name)
            and receiver.func.value == "super"
        ):
            return
        if (
            isinstance(receiver, cst.Name)
            and receiver.value == "self"
            and not (self.classes and self.classes[-1])
        ):
            return  # `self.forward(...)` in a class that is not a known torch module
        first = node.args[0].value if node.args else None
        if isinstance(first, cst.Name) and first.value == "self":
            return  # `Base.forward(self, x)`: an explicit call of the parent implementation
        self.report(
            node,
            "forward() called directly; calling the module runs its hooks",
            help="Call the module itself: model(x) instead of model.forward(x).",
        )
