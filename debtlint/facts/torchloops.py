"""PyTorch training loops and gradient switches, shared by the DL9 rules that reason about them
(DL907 zero-grad-missing, DL909 eval-without-no-grad, DL913 train-eval-mode-not-toggled)."""

from __future__ import annotations

from collections.abc import Iterator, Set

import libcst as cst

from debtlint.facts.context import FileContext
from debtlint.facts.walk import scope_nodes


def method_name(call: cst.Call) -> str | None:
    """``m`` for ``x.m(...)``, else None."""
    func = call.func
    return func.attr.value if type(func) is cst.Attribute else None


def torch_optimizers_assigned(node: cst.Assign, ctx: FileContext) -> Iterator[str]:
    """The names an assignment binds to a ``torch.optim`` optimiser (not an LR scheduler)."""
    if type(node.value) is not cst.Call:
        return
    qual = ctx.qualname(node.value.func) or ""
    if qual.startswith("torch.optim.") and ".lr_scheduler." not in qual:
        for target in node.targets:
            if type(target.target) is cst.Name:
                yield target.target.value


def is_optimizer_step(call: cst.Call, optimizers: Set[str]) -> bool:
    """``opt.step()`` on a known optimiser or a name that reads as one, or ``scaler.step(opt)``."""
    func = call.func
    if type(func) is not cst.Attribute or func.attr.value != "step":
        return False
    receiver = func.value
    if type(receiver) is cst.Attribute:
        name = receiver.attr.value
    elif type(receiver) is cst.Name:
        name = receiver.value
    else:
        return False
    lowered = name.lower()
    if name in optimizers or "optim" in lowered or lowered == "opt":
        return True
    # `scaler.step(optimizer)` (automatic mixed precision) steps the optimizer it is given.
    return bool(call.args) and "scaler" in lowered


def has_training_step(node: cst.CSTNode, optimizers: Set[str]) -> bool:
    """Whether the code under ``node`` (not nested functions) calls ``.backward()`` and steps an
    optimiser: a training step."""
    backward = step = False
    for current in scope_nodes([node]):
        if type(current) is not cst.Call:
            continue
        method = method_name(current)
        if method == "backward":
            backward = True
        elif method == "step" and is_optimizer_step(current, optimizers):
            step = True
        if backward and step:
            return True
    return False


def disables_grad(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """``torch.no_grad``/``inference_mode``/``set_grad_enabled`` (the catalog's ``no-grad``
    group), called or not (a decorator may omit the call)."""
    target = expr.func if type(expr) is cst.Call else expr
    return ctx.qualname(target) in ctx.catalog.group("no-grad")


def surely_disables_grad(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """Like :func:`disables_grad`, but ``set_grad_enabled(flag)`` only with a literal False (the
    flag is usually ``phase == "train"``)."""
    if not disables_grad(expr, ctx):
        return False
    if type(expr) is cst.Call and (ctx.qualname(expr.func) or "").endswith(".set_grad_enabled"):
        return bool(expr.args) and _is_false(expr.args[0].value)
    return True


def _is_false(expr: cst.BaseExpression) -> bool:
    if type(expr) is cst.Name:
        return expr.value == "False"
    return type(expr) is cst.Integer and expr.value == "0"
