import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Severity,
    dotted,
    has_training_step,
    method_name,
    scope_nodes,
    surely_disables_grad,
    torch_optimizers_assigned,
)

_LOOPS = (cst.For, cst.While)
# Frameworks whose classes run their own loops and toggle the modes themselves.
_SELF_TOGGLING = ("lightning.", "transformers.")
# Models that are meant to stay in eval mode inside a training loop: distillation teachers, target
# networks, EMA copies, frozen feature extractors.
_FROZEN = re.compile(r"teacher|target|(^|_)ema($|_)|frozen|fixed|reference|(^|_)ref($|_)", re.I)
# Names that read as a network, for the low-confidence check where no eval()/train() call says
# which of the callables in the training step is the model (a loss function is called there too).
_MODEL_LIKE = re.compile(
    r"model|net|encoder|decoder|generator|discriminator|classifier|policy|actor|critic|backbone",
    re.I,
)
# nn.Module methods that return the module itself, so that calls chain.
_RETURNS_SELF = frozenset(
    {"to", "cuda", "cpu", "float", "half", "double", "bfloat16", "train", "eval", "requires_grad_"}
)
_EVAL, _TRAIN, _EITHER = "eval", "train", "either"


def _mode_of(call: cst.Call) -> tuple[str, str] | None:
    """(mode, receiver) for ``m.eval()``, ``m.train()``, ``m.train(False)``, ``m.train(mode=x)``.

    A non-literal flag (``model.train(phase == "train")``) is "either": it may restore training.
    """
    method = method_name(call)
    if method not in ("eval", "train"):
        return None
    assert isinstance(call.func, cst.Attribute)
    receiver = _receiver(call.func.value)
    if receiver is None:
        return None
    if method == "eval":
        return (_EVAL, receiver) if not call.args else None
    if not call.args:
        return _TRAIN, receiver
    flag = call.args[0].value
    if len(call.args) > 1 or (
        call.args[0].keyword is not None and call.args[0].keyword.value != "mode"
    ):
        return None
    if isinstance(flag, cst.Name) and flag.value in ("True", "False"):
        return (_TRAIN if flag.value == "True" else _EVAL), receiver
    if isinstance(flag, cst.Integer) and flag.value in ("0", "1"):
        return (_TRAIN if flag.value == "1" else _EVAL), receiver
    return _EITHER, receiver


def _receiver(expr: cst.BaseExpression) -> str | None:
    """The model a mode switch applies to: ``model`` in ``model.to(device).train()``."""
    while (
        type(expr) is cst.Call
        and type(expr.func) is cst.Attribute
        and expr.func.attr.value in _RETURNS_SELF
    ):
        expr = expr.func.value
    return dotted(expr)


def _same_model(a: str, b: str) -> bool:
    """``model`` and ``model.module`` (DataParallel) name the same model."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


@dataclass
class _Function:
    node: cst.FunctionDef
    owner: str | None  # enclosing class name
    params: list[str]
    # Receivers whose mode the function sets, as written in the function.
    evals: set[str] = field(default_factory=set)
    trains: set[str] = field(default_factory=set)
    # Whether the function runs a training step, and the names it calls or passes there.
    steps: bool = False
    trained: set[str] = field(default_factory=set)


@dataclass
class _Site:
    call: cst.Call
    mode: str
    receiver: str
    delegated: bool = False


class TrainEvalModeNotToggled(FileRule):
    """A PyTorch training loop switches the model to `eval()` and never back to `train()`.

    ## What it does
    Looks at loops that train a PyTorch model: a loop with `.backward()` and an optimizer's
    `.step()` (the same test as DL907), or a loop that calls a function of the same file that
    runs such a step (`train_one_epoch(model, ...)`). Reports:

    - a `model.eval()` (or `model.train(False)`) inside the training loop or a loop around it,
      when that loop never calls `model.train()` again — so every epoch after the first trains
      with dropout off and batch norm frozen. An evaluation function of the same file that calls
      `eval()` and not `train()` counts as an `eval()` where it is called (reported there, medium
      confidence); one that restores the mode itself does not.
    - at low confidence, the converse: the trained model evaluated under `torch.no_grad()` or
      `torch.inference_mode()` in a loop around the training loop (or over a data loader inside
      it), in a function that never calls `eval()` — the evaluation runs with dropout on.

    `model` is matched by name: the receiver of `eval()` must be used in the training loop, and
    `model.module` counts as `model`. Models named like distillation teachers, target networks,
    EMA copies or frozen encoders (`teacher`, `target`, `ema`, `frozen`, `ref`) are not reported,
    nor is an `eval()` followed by `break`, `return` or `raise` on its way out of the loop, nor
    a model bound anew in each iteration (`model = Net()` in a k-fold loop starts in train mode).
    Classes deriving from Lightning or Hugging Face classes are skipped: their trainers toggle
    the modes. Files that do not import torch are not checked.

    Known false positives: a model without dropout or batch norm behaves the same in both modes
    (the rule cannot see the layers); a mode restored by a helper in another module (a call with
    the model as argument to a function whose name contains `train` is trusted to do it).

    ## Why is this bad?
    `eval()` and `train()` switch layers such as dropout and batch norm between their training
    and inference behaviour; they do not follow the data. A training loop that evaluates after
    each epoch and does not switch back trains all later epochs without dropout and with frozen
    batch-norm statistics: the model silently trains worse. The reverse mistake evaluates with
    dropout still active and batch-norm statistics updated by the validation data. This is smell
    18, "Training / Evaluation Mode Improper Toggling", of Zhang et al. (2022).

    ## Example
    ```python
    for epoch in range(epochs):
        for x, y in train_loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = sum(loss_fn(model(x), y) for x, y in val_loader)
    ```

    ## Use instead
    ```python
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = sum(loss_fn(model(x), y) for x, y in val_loader)
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #18.
    - PyTorch documentation, `torch.nn.Module.train` and `torch.nn.Module.eval`.
    """

    code = "DL913"
    name = "train-eval-mode-not-toggled"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        # train() at the top of the epoch loop.
        """
        import torch
        def fit(model, train_loader, val_loader, optimizer, epochs):
            for epoch in range(epochs):
                model.train()
                for x, y in train_loader:
                    optimizer.zero_grad()
                    model(x).sum().backward()
                    optimizer.step()
                model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        model(x)
        """,
        # Evaluation delegated to a function that restores the mode itself.
        """
        import torch
        def evaluate(net, loader):
            net.eval()
            with torch.no_grad():
                scores = [net(x) for x in loader]
            net.train()
            return scores
        def fit(model, loader, opt):
            model.train()
            for epoch in range(10):
                for x in loader:
                    opt.zero_grad()
                    model(x).sum().backward()
                    opt.step()
                evaluate(model, loader)
        """,
        # train(mode=True) and train(False) are train() and eval(); a flag may be either.
        """
        import torch
        for epoch in range(10):
            for phase in ["train", "val"]:
                model.train(phase == "train")
                for x in loaders[phase]:
                    with torch.set_grad_enabled(phase == "train"):
                        loss = model(x).sum()
                        if phase == "train":
                            loss.backward()
                            optimizer.step()
            model.train(False)
            model(x_val)
            model.train(mode=True)
        """,
        # The classic tutorial: train()/eval() chosen per phase.
        """
        import torch
        for epoch in range(10):
            for phase in ["train", "val"]:
                if phase == "train":
                    model.train()
                else:
                    model.eval()
                for x, y in dataloaders[phase]:
                    optimizer.zero_grad()
                    with torch.set_grad_enabled(phase == "train"):
                        loss = criterion(model(x), y)
                        if phase == "train":
                            loss.backward()
                            optimizer.step()
        """,
        # A frozen teacher stays in eval mode; eval() before the final test and a break.
        """
        import torch
        def distil(student, teacher, loader, optimizer):
            for epoch in range(5):
                teacher.eval()
                student.train()
                for x in loader:
                    with torch.no_grad():
                        soft = teacher(x)
                    optimizer.zero_grad()
                    (student(x) - soft).pow(2).mean().backward()
                    optimizer.step()
                    if done(student):
                        student.eval()
                        break
            student.eval()
            return student(x)
        """,
        # Lightning and Hugging Face classes: the trainer toggles the modes.
        """
        import torch
        import lightning as L
        class Module(L.LightningModule):
            def fit_by_hand(self, loader, opt):
                for epoch in range(3):
                    for x in loader:
                        self(x).sum().backward()
                        opt.step()
                    self.eval()
        """,
        # Evaluation under no_grad with eval() called elsewhere in the function.
        """
        import torch
        def fit(model, loader, val_loader, optimizer):
            for epoch in range(10):
                model.train()
                for x in loader:
                    optimizer.zero_grad()
                    model(x).sum().backward()
                    optimizer.step()
                model.eval()
                with torch.no_grad():
                    for x in val_loader:
                        model(x)
        """,
        # no_grad inside the step (targets, EMA updates) is part of training, not evaluation.
        """
        import torch
        for epoch in range(10):
            for s, a, r, s2 in replay:
                with torch.no_grad():
                    target = r + 0.99 * q_net(s2).max()
                optimizer.zero_grad()
                (q_net(s)[a] - target).pow(2).backward()
                optimizer.step()
                with torch.no_grad():
                    for p, q in zip(ema.parameters(), q_net.parameters()):
                        p.mul_(0.99).add_(q)
        """,
        # Chained module methods: `model.to(device).train()` switches `model` back.
        """
        import torch
        for epoch in range(10):
            for i, x in enumerate(loader):
                optimizer.zero_grad()
                net(x).sum().backward()
                optimizer.step()
                if i % 100 == 0:
                    net.eval().cpu()
                    torch.save(net.state_dict(), "ckpt.pt")
                    net.to(device).train()
        """,
        # The training step in a function that sets train() itself, or a new model per fold.
        """
        import torch
        def train_epoch(net, loader, opt):
            net.train()
            for x in loader:
                opt.zero_grad()
                net(x).sum().backward()
                opt.step()
        def test(net, loader):
            net.eval()
            with torch.no_grad():
                return [net(x) for x in loader]
        for epoch in range(10):
            train_epoch(model, loader, opt)
            test(model, val_loader)
        for fold in folds:
            fold_model = Net()
            for x in fold.loader:
                fold_model(x).sum().backward()
                opt.step()
            fold_model.eval()
        """,
        # A helper from another module, named for training, takes the model: trusted.
        """
        import torch
        from utils import set_train_mode
        for epoch in range(10):
            set_train_mode(model)
            for x in loader:
                model(x).sum().backward()
                optimizer.step()
            model.eval()
        """,
    ]
    INVALID = [
        """
        import torch
        def fit(model, train_loader, val_loader, optimizer, epochs):
            model.train()
            for epoch in range(epochs):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    model(x).sum().backward()
                    optimizer.step()
                model.eval()  # expect: DL913
                with torch.no_grad():
                    for x, y in val_loader:
                        model(x)
        """,
        # Evaluation every n steps inside the step loop, via a helper that does not restore.
        """
        import torch
        def validate(net, loader):
            net.eval()
            with torch.no_grad():
                return [net(x) for x in loader]
        class Runner:
            def run(self, loader, opt):
                self.model.train()
                for step, x in enumerate(loader):
                    opt.zero_grad()
                    self.model(x).sum().backward()
                    opt.step()
                    if step % 100 == 0:
                        validate(self.model, loader)  # expect: DL913
        """,
        # train(False) is eval(); DataParallel's .module is the same model.
        """
        import torch
        while not converged:
            model.train()
            for x in loader:
                model(x).sum().backward()
                optimizer.step()
                optimizer.zero_grad()
                if x.step % 10 == 0:
                    model.module.train(False)  # expect: DL913
                    log(model(x))
        """,
        # The training step in a function of the file that never calls train().
        """
        import torch
        def train_epoch(net, loader, opt):
            for x in loader:
                opt.zero_grad()
                net(x).sum().backward()
                opt.step()
        def test(net, loader):
            net.eval()
            with torch.no_grad():
                return [net(x) for x in loader]
        model.train()
        for epoch in range(10):
            train_epoch(model, loader, opt)
            test(model, val_loader)  # expect: DL913
        """,
        # The converse: validation under no_grad, eval() nowhere in the function.
        """
        import torch
        def fit(model, loader, val_loader, optimizer):
            for epoch in range(10):
                for x in loader:
                    optimizer.zero_grad()
                    model(x).sum().backward()
                    optimizer.step()
                with torch.no_grad():  # expect: DL913
                    val = [model(x) for x in val_loader]
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        # `backward` in the text is a cheap gate: most torch files have no training loop.
        self.enabled = "torch" in ctx.imported_roots and "backward" in ctx.source
        self.optimizers: set[str] = set()
        self.functions: list[_Function] = []
        self.classes: list[tuple[str, bool]] = []  # (name, toggles its own modes?)
        self.scopes: list[tuple[Sequence[cst.CSTNode], str | None]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.enabled:
            self.optimizers.update(torch_optimizers_assigned(node, self.ctx))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        quals = [self.ctx.qualname(b.value) or "" for b in node.bases]
        self.classes.append((node.name.value, any(q.startswith(_SELF_TOGGLING) for q in quals)))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.enabled:
            return
        owner = self.classes[-1][0] if self.classes else None
        params = [p.name.value for p in (*node.params.posonly_params, *node.params.params)]
        self.functions.append(_Function(node, owner, params))
        if not any(toggles for _, toggles in self.classes):
            self.scopes.append(([node.body], owner))

    def finish(self) -> None:
        if not self.enabled:
            return
        self.by_name: dict[str, list[_Function]] = {}
        for function in self.functions:
            self.by_name.setdefault(function.node.name.value, []).append(function)
            body = list(scope_nodes([function.node.body]))
            for node in body:
                if type(node) is cst.Call and (found := _mode_of(node)) is not None:
                    mode, receiver = found
                    (function.trains if mode != _EVAL else function.evals).add(receiver)
            function.steps = has_training_step(function.node.body, self.optimizers)
            if function.steps:
                blocks = self._no_grad_blocks(body)
                skip = {id(n) for w in blocks for n in scope_nodes([w.body])}
                function.trained = _names_used(body, skip)
        self._check_scope([self.ctx.module], None)
        for body, owner in self.scopes:
            self._check_scope(body, owner)

    # -- one function (or the module's top level) ------------------------------------------------

    def _check_scope(self, body: Sequence[cst.CSTNode], owner: str | None) -> None:
        nodes = list(scope_nodes(body))
        calls = [n for n in nodes if type(n) is cst.Call]
        # A training step written here, or one run by calling a function of this file.
        stepping = [
            (call, bound)
            for call in calls
            if (bound := self._stepping_callee(call, owner)) is not None
        ]
        if not stepping and not any(method_name(n) == "backward" for n in calls):
            return
        loops = [n for n in nodes if type(n) in _LOOPS]
        inside = {id(loop): {id(n) for n in scope_nodes([loop.body])} for loop in loops}
        direct = [loop for loop in loops if has_training_step(loop.body, self.optimizers)]
        # The innermost training loops: a training loop around another one is an epoch loop.
        direct = [
            t for t in direct if not any(o is not t and id(o) in inside[id(t)] for o in direct)
        ]
        no_grad_blocks = self._no_grad_blocks(nodes)
        under_no_grad = {id(n) for w in no_grad_blocks for n in scope_nodes([w.body])}
        # (loop, names it trains, converse check?): a loop that calls a training function is
        # an epoch loop whose step is that function.
        training: list[tuple[cst.For | cst.While, set[str], bool]] = [
            (loop, _names_used(scope_nodes([loop.body]), under_no_grad), True) for loop in direct
        ]
        for call, bound in stepping:
            around = [o for o in loops if id(call) in inside[id(o)]]
            if around:
                loop = min(around, key=lambda o: len(inside[id(o)]))
                training.append((loop, bound, False))
        if not training:
            return
        sites = list(self._sites(nodes, owner))
        reported: set[int] = set()
        for loop, trained, converse in training:
            chain = sorted(
                (o for o in loops if o is loop or id(loop) in inside[id(o)]),
                key=lambda o: len(inside[id(o)]),
            )
            for site in sites:
                if site.mode != _EVAL or id(site.call) in reported:
                    continue
                if not any(_same_model(site.receiver, m) for m in trained):
                    continue
                if _FROZEN.search(site.receiver.rpartition(".")[2]):
                    continue
                around = next((o for o in chain if id(site.call) in inside[id(o)]), None)
                if around is None or self._restored(site.receiver, around, sites, inside):
                    continue
                if _leaves_loop(around, site.call) or _rebinds(around, site.receiver):
                    continue
                reported.add(id(site.call))
                self._report_eval(site)
            if converse and not any(s.mode in (_EVAL, _EITHER) for s in sites):
                self._check_converse(loop, chain, inside, no_grad_blocks, trained, reported)

    def _sites(self, nodes: list[cst.CSTNode], owner: str | None) -> Iterator[_Site]:
        """Mode switches in the scope: direct calls, and calls of this file's functions that
        switch the mode of one of their arguments (or of ``self.x`` when called as a method)."""
        for node in nodes:
            if type(node) is not cst.Call:
                continue
            found = _mode_of(node)
            if found is not None:
                yield _Site(node, *found)
                continue
            yield from self._delegated(node, owner)

    def _callees(self, call: cst.Call, owner: str | None) -> tuple[list[_Function], bool]:
        """This file's functions a call may run (``f(...)``, or ``self.f(...)`` in a class), and
        whether it is a method call."""
        func = call.func
        if type(func) is cst.Name:
            name = func.value
            return [f for f in self.by_name.get(name, ()) if f.owner is None], False
        if type(func) is cst.Attribute and dotted(func.value) == "self" and owner is not None:
            name = func.attr.value
            return [f for f in self.by_name.get(name, ()) if f.owner == owner], True
        return [], False

    def _stepping_callee(self, call: cst.Call, owner: str | None) -> set[str] | None:
        """The caller's names of what a called training function trains, if it is one."""
        callees, method = self._callees(call, owner)
        steppers = [f for f in callees if f.steps]
        if not steppers:
            return None
        names = {dotted(a.value) for a in call.args} - {None, "self"}
        for function in steppers:
            names.update(self._bind(r, call, function, method) for r in function.trained)
        names.discard(None)
        return names  # type: ignore[return-value]

    def _delegated(self, call: cst.Call, owner: str | None) -> Iterator[_Site]:
        callees, method = self._callees(call, owner)
        if not callees:
            name = dotted(call.func) or ""
            # A helper from elsewhere named for training, given the model, may restore the mode.
            if "train" in name.rpartition(".")[2].lower():
                for arg in call.args:
                    receiver = dotted(arg.value)
                    if receiver is not None:
                        yield _Site(call, _EITHER, receiver, delegated=True)
            return
        for function in callees:
            evals = {self._bind(r, call, function, method) for r in function.evals}
            trains = {self._bind(r, call, function, method) for r in function.trains}
            for receiver in trains - {None}:
                yield _Site(call, _EITHER, receiver, delegated=True)  # type: ignore[arg-type]
            for receiver in evals - trains - {None}:
                yield _Site(call, _EVAL, receiver, delegated=True)  # type: ignore[arg-type]

    @staticmethod
    def _bind(receiver: str, call: cst.Call, function: _Function, method: bool) -> str | None:
        """The caller's name for a receiver written in the callee (parameters replaced by the
        arguments); None when it cannot be told."""
        params = function.params
        if method and params[:1] == ["self"]:
            params = params[1:]
        root, dot, rest = receiver.partition(".")
        if root == "self":
            return receiver if method else None
        if root not in params:
            return receiver  # a global of the module
        index = params.index(root)
        arg = None
        for position, a in enumerate(call.args):
            if a.keyword is not None:
                if a.keyword.value == root:
                    arg = a
            elif position == index and a.star == "":
                arg = a
        caller = dotted(arg.value) if arg is not None else None
        return caller + dot + rest if caller is not None else None

    def _no_grad_blocks(self, nodes: Sequence[cst.CSTNode]) -> list[cst.With]:
        """``with torch.no_grad():`` blocks (``set_grad_enabled`` only with a literal False)."""
        return [
            n
            for n in nodes
            if type(n) is cst.With and any(surely_disables_grad(i.item, self.ctx) for i in n.items)
        ]

    @staticmethod
    def _restored(
        receiver: str,
        around: cst.For | cst.While,
        sites: list[_Site],
        inside: dict[int, set[int]],
    ) -> bool:
        within = inside[id(around)]
        return any(
            s.mode != _EVAL and id(s.call) in within and _same_model(receiver, s.receiver)
            for s in sites
        )

    def _report_eval(self, site: _Site) -> None:
        if site.delegated:
            message = (
                f"this call switches `{site.receiver}` to eval mode inside the training loop and "
                "nothing switches it back to train(): later steps train with dropout off and "
                "batch norm frozen"
            )
        else:
            message = (
                f"`{site.receiver}` is switched to eval mode inside the training loop and never "
                "back to train(): later steps train with dropout off and batch norm frozen"
            )
        self.report(
            site.call,
            message,
            confidence=Confidence.MEDIUM if site.delegated else Confidence.HIGH,
            help=f"Call `{site.receiver}.train()` at the start of each epoch (or after evaluating).",
        )

    def _check_converse(
        self,
        loop: cst.For | cst.While,
        chain: list[cst.For | cst.While],
        inside: dict[int, set[int]],
        blocks: list[cst.With],
        trained: set[str],
        reported: set[int],
    ) -> None:
        for block in blocks:
            if id(block) in reported:
                continue
            around = next((o for o in chain if id(block) in inside[id(o)]), None)
            if around is None:
                continue
            body = list(scope_nodes([block.body]))
            # Inside the step, no_grad computes targets or updates EMA weights; an evaluation
            # there iterates over its own data.
            if around is loop and not any(type(n) in _LOOPS or _is_comprehension(n) for n in body):
                continue
            evaluated = [
                name
                for n in body
                if type(n) is cst.Call
                and (name := dotted(n.func)) is not None
                and name in trained
                and _MODEL_LIKE.search(name.rpartition(".")[2])
                and not _FROZEN.search(name.rpartition(".")[2])
            ]
            if not evaluated:
                continue
            reported.add(id(block))
            self.report(
                block,
                f"`{evaluated[0]}` is evaluated under no_grad in the training loop but never "
                "switched to eval(): dropout and batch norm stay in training mode",
                confidence=Confidence.LOW,
                help=f"Call `{evaluated[0]}.eval()` before evaluating and `.train()` after.",
            )


def _names_used(nodes: Iterable[cst.CSTNode], skip: set[int]) -> set[str]:
    """Names called, called on or passed as arguments (outside the ``skip`` nodes): the models
    a training step may train."""
    found: set[str] = set()
    for node in nodes:
        if type(node) is not cst.Call or id(node) in skip:
            continue
        func = node.func
        name = dotted(func.value) if type(func) is cst.Attribute else dotted(func)
        if name is not None:
            found.add(name)
        for arg in node.args:
            if (text := dotted(arg.value)) is not None:
                found.add(text)
    found.discard("self")
    return found


def _rebinds(loop: cst.For | cst.While, receiver: str) -> bool:
    """Whether each iteration binds the model anew (``model = Net()`` in a k-fold loop): a new
    module starts in training mode."""
    root = receiver.partition(".")[0]
    names = {receiver} if root == "self" else {receiver, root}
    targets: list[cst.BaseExpression] = [loop.target] if type(loop) is cst.For else []
    for node in scope_nodes([loop.body]):
        if type(node) is cst.Assign:
            targets.extend(t.target for t in node.targets)
        elif type(node) in (cst.AnnAssign, cst.AugAssign):
            targets.append(node.target)  # type: ignore[attr-defined]
        elif type(node) is cst.WithItem and node.asname is not None:
            targets.append(node.asname.name)  # type: ignore[arg-type]
        elif type(node) is cst.For:
            targets.append(node.target)
    for target in targets:
        found = [target]
        while found:
            current = found.pop()
            if type(current) in (cst.Tuple, cst.List):
                found.extend(e.value for e in current.elements)  # type: ignore[attr-defined]
            elif dotted(current) in names:
                return True
    return False


def _is_comprehension(node: cst.CSTNode) -> bool:
    return type(node) in (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)


def _leaves_loop(loop: cst.For | cst.While, target: cst.CSTNode) -> bool:
    """Whether a ``break`` (of ``loop``), ``return`` or ``raise`` follows ``target`` in one of the
    blocks between ``loop`` and it: the switch then happens on the way out, not before a step."""
    path = _path(loop.body, target)
    if path is None:
        return False
    breaks_loop = True
    for depth, node in enumerate(path[:-1]):
        if type(node) in _LOOPS:
            breaks_loop = False  # a nested loop: its `break` does not leave `loop`
        statements = getattr(node, "body", None)
        if not isinstance(statements, Sequence):
            continue
        child = path[depth + 1]
        after = False
        for statement in statements:
            if statement is child:
                after = True
            elif after and type(statement) is cst.SimpleStatementLine:
                for small in statement.body:
                    if type(small) in (cst.Return, cst.Raise) or (
                        breaks_loop and type(small) is cst.Break
                    ):
                        return True
    return False


def _path(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from ``root`` down to ``target`` (both included), or None."""
    stack: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(root, [root])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        for child in node.children:
            stack.append((child, [*path, child]))
    return None
