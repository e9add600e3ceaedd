from collections.abc import Iterator

import libcst as cst

from debtlint.api import (
    FileContext,
    FileRule,
    Severity,
    has_training_step,
    method_name,
    scope_nodes,
    torch_optimizers_assigned,
)

_LOOPS = (cst.For, cst.While)


def _clears_gradients(node: cst.CSTNode) -> bool:
    for current in scope_nodes([node]):
        if type(current) is cst.Call and method_name(current) in ("zero_grad", "zero_"):
            return True
        # `p.grad = None` clears gradients by hand.
        if type(current) is cst.AssignTarget:
            target = current.target
            if isinstance(target, cst.Attribute) and target.attr.value == "grad":
                return True
    return False


class ZeroGradMissing(FileRule):
    """A PyTorch training loop calls `backward()` and `optimizer.step()` but never `zero_grad()`.

    ## What it does
    Finds the innermost `for`/`while` loop that calls `.backward()` and `.step()` on an
    optimizer (a name assigned from `torch.optim.*`, a name containing `optim`, or the optimizer
    passed to `GradScaler.step`) with no `zero_grad()` (of the optimizer or the model), no
    `.grad.zero_()` and no `p.grad = None` in that loop or any loop around it. Files that do not
    import torch are not checked.

    Gradient accumulation (`zero_grad()` every k steps) is not reported: the call is in the loop.
    Known false positives: gradients cleared in a helper function called from the loop; add the
    call to the loop or ignore the finding.

    ## Why is this bad?
    PyTorch accumulates gradients across `backward()` calls. Without clearing them, each step
    uses the sum of all previous gradients and training diverges or converges to the wrong
    place. This is smell 20, "Gradients Not Cleared before Backward Propagation", of Zhang et al.
    (2022).

    ## Example
    ```python
    for x, y in loader:
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #20.
    - PyTorch documentation, `torch.optim.Optimizer.zero_grad`.
    """

    code = "DL907"
    name = "zero-grad-missing"
    severity = Severity.ERROR
    remediation_minutes = 5

    VALID = [
        """
        import torch
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(10):
            for x, y in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
        """,
        """
        import torch
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for i, (x, y) in enumerate(loader):
            loss = loss_fn(model(x), y) / 4
            loss.backward()
            if (i + 1) % 4 == 0:
                opt.step()
                opt.zero_grad(set_to_none=True)
        """,
        """
        import torch
        for x, y in loader:
            for p in model.parameters():
                p.grad = None
            loss_fn(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        """,
    ]
    INVALID = [
        """
        import torch
        optimizer = torch.optim.Adam(model.parameters())
        optimizer.zero_grad()
        for epoch in range(10):
            for x, y in loader:  # expect: DL907
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
        """,
        """
        import torch
        def train(model, loader, opt, scaler):
            while True:  # expect: DL907
                loss = model(next(loader))
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.enabled = "torch" in ctx.imported_roots
        self.optimizers: set[str] = set()
        # Loops of the function being walked, outermost first; a function starts a new list.
        self.loops: list[list[cst.CSTNode]] = [[]]

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.enabled:
            self.optimizers.update(torch_optimizers_assigned(node, self.ctx))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.loops.append([])

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.loops.pop()

    def visit_For(self, node: cst.For) -> None:
        self._enter(node)

    def leave_For(self, node: cst.For) -> None:
        self.loops[-1].pop()

    def visit_While(self, node: cst.While) -> None:
        self._enter(node)

    def leave_While(self, node: cst.While) -> None:
        self.loops[-1].pop()

    def _enter(self, loop: cst.For | cst.While) -> None:
        self.loops[-1].append(loop)
        if not self.enabled or not self._trains(loop.body):
            return
        # Report the innermost training loop only.
        for inner in _nested_loops(loop.body):
            if self._trains(inner.body):
                return
        if _clears_gradients(self.loops[-1][0]):
            return
        self.report(
            loop,
            "training loop calls backward() and optimizer.step() but never zero_grad(): "
            "gradients accumulate across iterations",
            help="Call optimizer.zero_grad() once per step, before backward().",
        )

    def _trains(self, body: cst.CSTNode) -> bool:
        return has_training_step(body, self.optimizers)


def _nested_loops(node: cst.CSTNode) -> Iterator[cst.For | cst.While]:
    return (c for c in scope_nodes([node]) if c is not node and type(c) in _LOOPS)
