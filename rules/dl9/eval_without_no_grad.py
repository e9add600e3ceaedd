from collections.abc import Sequence

import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Severity,
    disables_grad,
    scope_nodes,
)


def _text(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = _text(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


class EvalWithoutNoGrad(FileRule):
    """A PyTorch model in `eval()` mode run without `torch.no_grad()` or `inference_mode()`.

    ## What it does
    Conservatively, in one function (or the module's top-level code): a call `m.eval()` followed
    by a call of the same model `m(...)`, where nothing in that function disables gradients — no
    `with torch.no_grad()`/`torch.inference_mode()`/`torch.set_grad_enabled(...)`, no such
    decorator, no `.backward()` — and the function is not itself called inside such a block
    elsewhere in the file. Files that do not import torch are not checked.

    Known false positives: gradients disabled by the caller in another file. Lightning's
    `validation_step`/`test_step` run under `no_grad` already, but they do not call `eval()`, so
    they are not reported.

    ## Why is this bad?
    `eval()` only changes layers such as dropout and batch norm; it does not stop autograd. The
    forward pass still records the graph, which wastes memory and time and can run out of memory
    on a large evaluation set. Zhang et al. (2022, smell 18) discuss the related mode-toggling
    mistakes.

    ## Example
    ```python
    model.eval()
    preds = model(x_val)
    ```

    ## Use instead
    ```python
    model.eval()
    with torch.inference_mode():
        preds = model(x_val)
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #18.
    - PyTorch documentation, "Autograd mechanics: locally disabling gradient computation".
    """

    code = "DL909"
    name = "eval-without-no-grad"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import torch
        def evaluate(model, x):
            model.eval()
            with torch.no_grad():
                return model(x)
        @torch.inference_mode()
        def predict(model, x):
            model.eval()
            return model(x)
        """,
        """
        import torch
        def score(model, x):
            model.eval()
            return model(x)
        with torch.no_grad():
            s = score(net, batch)
        """,
        """
        import torch
        def finetune(model, x):
            model.eval()
            loss = model(x).sum()
            loss.backward()
        """,
    ]
    INVALID = [
        """
        import torch
        def evaluate(model, loader):
            model.eval()  # expect: DL909
            return [model(x) for x in loader]
        net = torch.nn.Linear(2, 2)
        net.eval()  # expect: DL909
        out = net(torch.zeros(2))
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        # Every finding is at an `m.eval()` call: files without one need no search.
        self.enabled = "torch" in ctx.imported_roots and ".eval()" in ctx.source
        self.guarded_calls: set[str] = set()
        self.candidates: list[tuple[str, cst.Call]] = []  # (function name, eval call)

    def visit_Module(self, node: cst.Module) -> None:
        if self.enabled:
            self._guarded_functions(node)
            self._check("<module>", [node], ())

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.enabled:
            self._check(node.name.value, [node.body], node.decorators)

    def finish(self) -> None:
        for function, call in self.candidates:
            if function in self.guarded_calls:
                continue
            self.report(
                call,
                "model evaluated without torch.no_grad() or torch.inference_mode(): "
                "autograd still records every forward pass",
                confidence=Confidence.MEDIUM,
                help="Wrap the evaluation in `with torch.inference_mode():`.",
            )

    def _no_grad(self, expr: cst.BaseExpression) -> bool:
        return disables_grad(expr, self.ctx)

    def _guarded_functions(self, module: cst.Module) -> None:
        """Names of functions called inside a no-grad block anywhere in the file."""
        for node in scope_nodes([module]):
            if isinstance(node, cst.With) and any(self._no_grad(i.item) for i in node.items):
                for inner in scope_nodes([node.body]):
                    if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name):
                        self.guarded_calls.add(inner.func.value)

    def _check(
        self, name: str, body: Sequence[cst.CSTNode], decorators: Sequence[cst.Decorator]
    ) -> None:
        if any(self._no_grad(d.decorator) for d in decorators):
            return
        evals: list[tuple[str, cst.Call]] = []
        called: set[str] = set()
        for node in scope_nodes(body):
            if isinstance(node, cst.With) and any(self._no_grad(i.item) for i in node.items):
                return
            if not isinstance(node, cst.Call):
                continue
            if self._no_grad(node):
                return  # `torch.set_grad_enabled(False)` as a statement
            func = node.func
            if isinstance(func, cst.Attribute):
                if func.attr.value == "backward":
                    return
                receiver = _text(func.value)
                if func.attr.value == "eval" and not node.args and receiver:
                    evals.append((receiver, node))
                    continue
            text = _text(func)
            if text is not None:
                called.add(text)
        for receiver, call in evals:
            if receiver in called:
                self.candidates.append((name, call))
