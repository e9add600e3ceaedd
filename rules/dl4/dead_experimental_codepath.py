import re
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from debtlint.api import (
    Confidence,
    FileRule,
    Location,
    Option,
    ProjectExample,
    ProjectGraph,
    Severity,
)

# Comment lines that are tooling, not code: shebangs, encodings, pragmas, type comments, markers.
_TOOLING = re.compile(
    r"^#\s*(!|-\*-|(type|noqa|pragma|pylint|mypy|fmt|isort|debtlint|ruff|nosec|expect)\b)|^#\s*%%"
)
# What makes a parsable comment look like code rather than prose.
_CODE_HINT = re.compile(r"[=(\[]|^(import|from|def|class|return|for|if|while|with|print)\b")

# Names that read as switches. ALL_CAPS names are module constants by convention; lower-case
# ones need a switch-like prefix (`use_mixup`), since `model = None` is a placeholder, not a flag.
_CAPS = re.compile(r"^_?[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
_SWITCH = re.compile(
    r"^_?((use|enable|do|with)(_[a-z0-9]+)+|experimental(_[a-z0-9]+)*)$", re.IGNORECASE
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
# Code that rebinds a module's globals without naming them: `globals()[k] = v`, `exec(...)`
# (nanoGPT's configurator), `vars()` at module level.
_SELF_DYNAMIC = re.compile(r"\b(globals|exec)\s*\(|\bvars\(\s*\)")
_MODULES_BY_NAME = re.compile(r"sys\.modules|import_module\s*\(|__import__\s*\(")
_STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}
_DICT_OF = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\.__dict__\b")
# Switches people flip by hand for a session rather than experiments: diagnostics, output,
# trackers, hardware and the environment. A branch on them is meant to sleep (see docstring).
_HAND_TOGGLED_TEXT = """
    debug verbose verbosity trace tracing profile profiling log logging print plot plots
    plotting show display visualize visualise visualization visualisation vis viz quiet
    silent dry test testing timing timeit benchmark wandb tensorboard tb mlflow comet
    neptune gpu gpus cuda cpu mps tpu device devices distributed ddp multiprocessing
    parallel colab kaggle notebook jupyter interactive save write export download upload
    push cache resume overwrite
"""


def _at_least_two(value: int) -> bool:
    return value >= 2


def _words(value: list[str]) -> bool:
    return all(isinstance(w, str) and w for w in value)


@dataclass
class _Site:
    """A branch whose condition hangs on one name: `if FLAG:`, `if FLAG and x:`, `if not FLAG:
    ... else:`. ``head`` is the name looked up in scope (`cfg` for `cfg.USE_X`)."""

    node: cst.If | cst.While
    head: str
    expr: cst.BaseExpression
    what: str
    origin: int  # id() of the frame the branch is in


@dataclass
class _Frame:
    kind: str  # module | function | class
    bound: Counter[str] = field(default_factory=Counter)
    declared: set[str] = field(default_factory=set)  # global / nonlocal names
    sites: list[_Site] = field(default_factory=list)
    # For private functions: parameters defaulting to False -> positional index (None if
    # keyword-only), and the branches on them.
    false_params: dict[str, int | None] = field(default_factory=dict)
    param_sites: list[_Site] = field(default_factory=list)
    # Function-local `use_x = False` statements: name -> (value, statement).
    local_defs: dict[str, tuple[str, cst.Assign]] = field(default_factory=dict)


class DeadExperimentalCodepath(FileRule):
    """Code that can never run: constant conditions, switches never turned on, commented-out code.

    ## What it does
    Reports the precise cases of dead experimental code:
    - an `if` or `while` whose condition is the constant `False`, `0`, `None` or `""` (the
      body never runs), or `if True:`/`if 1:` with an `else:` (the `else` never runs);
    - a branch on a module-level switch that is never turned on: `USE_MIXUP = False` (or `0`,
      `None`) assigned once at the top of a module and nowhere else in the project, and
      `if USE_MIXUP:` (also `if USE_MIXUP and ...:`, `if USE_MIXUP == True:`,
      `while USE_MIXUP:`, and the `else` of `if not USE_MIXUP:`), in that module or in one
      that imports it (`from config import USE_MIXUP`, `config.USE_MIXUP`). The finding names
      the switch and where it is set;
    - a branch on a function-local switch assigned `False` once and never changed
      (`use_tta = False` ... `if use_tta:`);
    - a branch on a parameter of a private function (`def _train(x, use_mixup=False)`) that
      defaults to `False` when the function has call sites and none of them passes the
      parameter (or passes anything but `False`);
    - a block of at least `min-comment-lines` consecutive comment lines that, uncommented,
      parse as Python and look like code (assignments, calls, imports, definitions): an
      experiment switched off by commenting it out.

    A switch counts as turned on, and is not reported, when anything could change it: another
    assignment anywhere in its module (also in `if __name__ == "__main__":`, `try:` blocks or a
    function with `global`), an attribute assignment `module.USE_MIXUP = ...` anywhere in the
    project (tests included: a test that turns a switch on is a use), its name as a string
    (`monkeypatch.setattr(config, "USE_MIXUP", True)`, `mock.patch("pkg.config.USE_MIXUP")`,
    `os.environ["USE_MIXUP"]`), `setattr`/`vars()`/`__dict__` on its module, `globals()`,
    `exec` or a star import in its module. Switches are recognised by name: ALL_CAPS names set
    to `False`, and `use_`/`enable_`/`do_`/`with_`/`experimental` names (for `0` and `None`
    too). Names with a word from `ignore-flag-words` are left alone: `DEBUG`, `VERBOSE`,
    `PLOT_RESULTS`, `USE_WANDB`, `USE_CUDA` and the like are switches people flip by hand for a
    session, not experiments, and a branch on them is meant to sleep. `TYPE_CHECKING = False`
    (the typing idiom) is never reported, nor are branches in test files and notebooks (a
    notebook's switches are its user interface).

    A private function's call sites are all in its file when no other file imports it and its
    name appears nowhere as a string; a decorated function, one used other than by calling it
    (passed as a callback, wrapped in `partial`), or called with `*args`/`**kwargs` is left
    alone. Public functions are not checked: code outside the project may call them.

    A branch directly on a DVC params key (`if params["train"]["use_mixup"]:`,
    `params.get("use_mixup")`) is reported, with low confidence, when the key is `false` in every
    params file that defines it, no `dvc.yaml` or `MLproject` command mentions it, no code
    assigns it and no command-line option of the same name (`--use-mixup`) exists. Projects that
    use Hydra or OmegaConf are skipped: their configs are meant to be overridden on the command
    line, and other config groups may turn the key on.

    Known false positives: a switch in a library that users of the library set from their own
    code (`mylib.settings.USE_FAST_PATH = True`); scanning a subset of the project (the other
    files may turn a switch on); a params key turned on only by ad-hoc experiments
    (`dvc exp run -S use_mixup=true`); a commented-out usage example in a module header (raise
    `min-comment-lines`, or make it a docstring).

    ## Why is this bad?
    Sculley et al. (2015, §5) describe dead experimental codepaths: conditional branches and
    switched-off experiments pile up, interact in ways nobody tests, and one day run by accident
    (the paper recalls Knight Capital's loss). Version control already remembers old code.

    ## Example
    ```python
    USE_HOLIDAYS = False

    if False:
        df = add_lag_features(df)
    if USE_HOLIDAYS:
        df = add_holiday_features(df)
    # model = XGBClassifier(n_estimators=2000)
    # model.fit(X, y)
    ```

    ## Use instead
    Delete it; to keep an experiment, put it behind a configuration flag that some config
    actually sets.

    ## Options
    - `min-comment-lines` (integer, default 5, at least 2): consecutive comment lines that make
      a commented-out block.
    - `ignore-flag-words` (list of strings): words (between underscores, any case) that make a
      switch hand-toggled and never reported; the default lists diagnostics, plotting and
      output, trackers, hardware and environment words (`debug`, `verbose`, `plot`, `save`,
      `wandb`, `cuda`, `gpu`, `colab`, ...).

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Dead Experimental Codepaths").
    """

    code = "DL403"
    name = "dead-experimental-codepath"
    severity = Severity.WARNING
    remediation_minutes = 30
    options = {
        "min-comment-lines": Option(
            int, 5, "consecutive commented-out code lines to report", _at_least_two, "must be >= 2"
        ),
        "ignore-flag-words": Option(
            list,
            _HAND_TOGGLED_TEXT.split(),
            "words that make a module-level switch hand-toggled (never reported)",
            _words,
            "must be a list of non-empty strings",
        ),
    }

    VALID = [
        """
        DEBUG = False
        if DEBUG:
            print("debug")
        while True:
            break
        if True:
            pass
        # This explains the next step in words, over several lines of prose
        # so that the reader knows why the loop below stops early when the
        # validation loss has not improved for a while. It is not code at all,
        # and it does not parse as Python, so it is
        # not reported.
        x = 1
        """,
        """
        TYPE_CHECKING = False
        if TYPE_CHECKING:
            import torch
        """,
        """
        import os
        import argparse
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import torch
        USE_ENV = False
        USE_ENV = os.environ.get("USE_ENV") == "1"
        if USE_ENV:
            print("from the environment")
        USE_CLI = False
        USE_AUG = False
        USE_CUDA = False
        PLOT_RESULTS = False
        if USE_CUDA:
            print("cuda")
        if PLOT_RESULTS:
            print("plot")

        def main():
            global USE_CLI
            parser = argparse.ArgumentParser()
            parser.add_argument("--cli", action="store_true")
            USE_CLI = parser.parse_args().cli
            if USE_CLI:
                print("cli")

        def train(USE_AUG=True):
            if USE_AUG:  # a parameter, not the module switch
                print("augmenting")

        if __name__ == "__main__":
            USE_AUG = True
            if USE_AUG:
                print("on")
            main()
        """,
        ProjectExample(
            {
                "src/config.py": """
                USE_MIXUP = False
                USE_EMA = False
                ENABLE_CUTOUT = 0
                """,
                "src/train.py": """
                from src import config
                from src.config import USE_EMA, ENABLE_CUTOUT

                if config.USE_MIXUP:
                    print("mixup")
                if USE_EMA:
                    print("ema")
                if ENABLE_CUTOUT:
                    print("cutout")
                """,
                "tests/test_train.py": """
                from unittest import mock
                from src import config

                def test_mixup():
                    config.USE_MIXUP = True

                def test_ema(monkeypatch):
                    monkeypatch.setattr(config, "USE_EMA", True)

                @mock.patch("src.config.ENABLE_CUTOUT", 1)
                def test_cutout():
                    pass
                """,
            },
            "tests and other modules turn the switches on",
        ),
        ProjectExample(
            {
                "train.py": """
                import yaml
                USE_SWA = False
                WITH_DROPOUT = None
                globals().update(yaml.safe_load(open("params.yaml")))
                if USE_SWA:
                    print("swa")
                """,
                "model.py": """
                import settings
                for key, value in {"a": 1}.items():
                    setattr(settings, key, value)
                if settings.USE_DROPOUT:
                    print("dropout")
                """,
                "settings.py": "USE_DROPOUT = False\n",
                "notebook_like.py": """
                from train import WITH_DROPOUT
                WITH_DROPOUT = True
                if WITH_DROPOUT:
                    print("a local rebinding, not train's switch")
                """,
            },
            "globals(), setattr on the module and local rebinding",
        ),
        """
        def _train(x, use_mixup=False, use_ema=False, use_swa=False):
            if use_mixup:
                x = x + 1
            if use_ema:
                x = x * 2
            use_swa = use_swa or x > 3
            if use_swa:
                x = 0
            return x

        def _never_called(x, use_mixup=False):
            if use_mixup:
                return 1
            return x

        _train(1, True)
        _train(2, use_ema=True)

        def train_epoch(batches, alpha):
            use_mixup = False
            found = False
            for batch in batches:
                if alpha > 0:
                    use_mixup = True
                if use_mixup:
                    batch = batch * alpha
                if found:
                    break
        """,
        ProjectExample(
            {
                "train.py": """
                import argparse
                import yaml
                params = yaml.safe_load(open("params.yaml"))
                parser = argparse.ArgumentParser()
                parser.add_argument("--use-cutout", action="store_true")
                if parser.parse_args().use_cutout:
                    params["use_cutout"] = True
                if params["train"]["use_mixup"]:
                    print("mixup")
                if params["use_ema"]:
                    print("ema")
                if params["use_cutout"]:
                    print("cutout")
                if params["use_tta"]:
                    print("tta")
                """,
                "params.yaml": """
                use_ema: false
                use_cutout: false
                use_tta: false
                train:
                  use_mixup: false
                """,
                "params_ablation.yaml": "use_tta: true\n",
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python train.py --set train.use_mixup=true
                    params:
                      - train
                  ablation:
                    cmd: python train.py
                    params:
                      - params_ablation.yaml:
                        - use_tta
                """,
                "tune.py": """
                import yaml
                params = yaml.safe_load(open("params.yaml"))
                params["use_ema"] = True
                """,
            },
            "a command, another params file, a CLI option or code turns the key on",
        ),
        """
        import functools

        def _fit(x, use_mixup=False):
            if use_mixup:
                return 1
            return x

        def _evaluate(x, use_tta=False):
            if use_tta:
                return 1
            return x

        run = functools.partial(_fit, use_mixup=True)
        _evaluate(1, **{"use_tta": True})
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.DataFrame()
        if False:  # expect: DL403
            df["holiday"] = 1
        if 0:  # expect: DL403
            print("old path")
        if True:  # expect: DL403
            pass
        else:
            print("never")
        # model = XGBClassifier(n_estimators=2000)  # expect: DL403
        # model.fit(X, y)
        # preds = model.predict(X_test)
        # df["pred"] = preds
        # df.to_csv("out.csv")
        y = 2
        """,
        """
        USE_HOLIDAYS = False
        ENABLE_LAGS: bool = False
        use_target_encoding = None

        def features(df):
            if USE_HOLIDAYS:  # expect: DL403
                df["holiday"] = 1
            if df is not None and ENABLE_LAGS:  # expect: DL403
                df["lag"] = 1
            if not use_target_encoding:  # expect: DL403
                return df
            else:  # the else never runs: reported at its `if`
                df["te"] = 0
            return df

        def fit(df):
            if not use_target_encoding:  # expect: DL403
                return df
            else:
                return None

        def predict(model, batches):
            use_tta = False
            for batch in batches:
                if use_tta == True:  # expect: DL403
                    batch = batch[::-1]
                model.predict(batch)
        """,
        ProjectExample(
            {
                "src/config.py": """
                USE_MIXUP = False
                EXPERIMENTAL_SCHEDULER = False
                """,
                "src/train.py": """
                from src import config
                from src.config import EXPERIMENTAL_SCHEDULER

                def train(x):
                    if config.USE_MIXUP:  # expect: DL403
                        x = x + 1
                    while EXPERIMENTAL_SCHEDULER:  # expect: DL403
                        break
                    return x
                """,
                "tests/test_train.py": """
                from src import config

                def test_config():
                    assert config.USE_MIXUP is False
                """,
            },
            "switches set once in a config module and never turned on",
        ),
        ProjectExample(
            {
                "train.py": """
                import yaml
                params = yaml.safe_load(open("params.yaml"))
                if params["train"]["use_mixup"]:  # expect: DL403
                    print("mixup")
                if not params.get("use_ema"):  # expect: DL403
                    print("plain weights")
                else:
                    print("ema")
                if params["train"]["use_swa"]:
                    print("swa is on in params.yaml")
                """,
                "params.yaml": """
                use_ema: false
                train:
                  use_mixup: false
                  use_swa: true
                """,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python train.py
                    params:
                      - train
                """,
            },
            "DVC params switches false in every params file",
        ),
        """
        def _train(x, use_mixup=False, *, use_ema=False):
            if use_mixup:  # expect: DL403
                x = x + 1
            if use_ema:  # expect: DL403
                x = x * 2
            return x

        _train(1)
        _train(2, False, use_ema=False)
        """,
    ]

    # -- phase 1 ------------------------------------------------------------------------------
    def start(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().start(ctx)
        self._frames: list[_Frame] = [_Frame("module")]
        self._module_frame = self._frames[0]
        # Module-level `NAME = False` statements of the module body: name -> (value, statement).
        self._defs: dict[str, str] = {}
        self._star_import = False
        self._attr_sets: set[str] = set()  # `x.NAME = ...`, `del x.NAME`
        self._strings: set[str] = set()  # last part of identifier-like strings
        self._keywords: set[str] = set()  # keywords of `mock.patch.multiple(...)`
        self._dynamic: set[str] = set()  # modules whose globals code sets by computed names
        self._private_uses: set[str] = set()  # `module._name` imported or called
        self._nonlocals: set[str] = set()
        self._imports: Counter[str] = Counter()  # module-level import bindings
        self._plain_imports: Counter[str] = Counter()  # module-level `import a.b` binding `a`
        self._functions: list[tuple[str, _Frame]] = []  # private, with branches on params
        self._private_calls: dict[str, list[cst.Call]] = {}  # `_name(...)` calls
        self._local_sites: list[list[Any]] = []  # branches on function-local switches
        # Branches on `cfg.use_x`, `params["use_x"]`, `params.get("use_x")`: (key, read, branch).
        self._config_sites: list[tuple[str, cst.BaseExpression, cst.CSTNode, str]] = []
        self._shared: dict[str, Any] | None = None
        self._hand_toggled = frozenset(w.lower() for w in self.opts["ignore-flag-words"])
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                self._definition(stmt.body[0])
        source = ctx.source
        if _SELF_DYNAMIC.search(source):
            self._dynamic.add(ctx.module_name)
        for match in _DICT_OF.finditer(source):
            self._dynamic_target(match.group(1))

    def _definition(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
            value = small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            targets, value = [small.target], small.value
        else:
            return
        literal = _false_literal(value)
        if literal is None:
            return
        for target in targets:
            if isinstance(target, cst.Name) and self._is_switch(target.value, literal):
                self._defs[target.value] = literal

    def _is_switch(self, name: str, literal: str) -> bool:
        if name == "TYPE_CHECKING" or name.startswith("__"):
            return False
        if any(w.lower() in self._hand_toggled for w in name.strip("_").split("_")):
            return False
        if _SWITCH.match(name):
            return True
        return literal == "False" and bool(_CAPS.match(name))

    # scopes and bindings
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value)
        outer = self._frames[-1]
        frame = _Frame("function")
        params = node.params
        positional = [*params.posonly_params, *params.params]
        for index, param in enumerate([*positional, *params.kwonly_params]):
            frame.bound[param.name.value] += 1
            if (
                outer is self._module_frame
                and _is_private(node.name.value)
                and not node.decorators
                and isinstance(param.default, cst.Name)
                and param.default.value == "False"
            ):
                frame.false_params[param.name.value] = index if index < len(positional) else None
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                frame.bound[star.name.value] += 1
        self._frames.append(frame)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self._frames.pop()
        parent = self._frames[-1]
        for site in frame.sites:
            if site.head not in frame.bound or site.head in frame.declared:
                parent.sites.append(site)
            elif (
                frame.bound[site.head] != 1
                or not isinstance(site.expr, cst.Name)
                or site.head in self._nonlocals
            ):
                continue  # a local that changes, or a closure may change it
            elif site.head in frame.false_params:
                frame.param_sites.append(site)
            elif site.head in frame.local_defs:
                literal, assign = frame.local_defs[site.head]
                line = self.ctx.span(assign)[0]
                span = list(self.ctx.span(site.node))
                self._local_sites.append(
                    [site.head, literal, line, node.name.value, site.what, span]
                )
        if frame.param_sites:
            self._functions.append((node.name.value, frame))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value)
        self._frames.append(_Frame("class"))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        frame = self._frames.pop()
        parent = self._frames[-1]
        for site in frame.sites:
            # A class body is no enclosing scope for its methods: only its own branches see it.
            if site.origin != id(frame) or site.head not in frame.bound:
                parent.sites.append(site)

    def _bind(self, name: str) -> None:
        self._frames[-1].bound[name] += 1

    def _bind_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value)
        elif isinstance(target, cst.Attribute):
            self._attr_sets.add(target.attr.value)
        elif isinstance(target, cst.Subscript):
            key = _subscript_key(target)
            if key is not None:
                self._attr_sets.add(key)  # `params["use_x"] = True`, `os.environ["USE_X"] = ...`

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target)
        frame = self._frames[-1]
        if frame.kind == "function" and len(node.targets) == 1:
            target = node.targets[0].target
            literal = _false_literal(node.value)
            if (
                literal is not None
                and isinstance(target, cst.Name)
                and self._is_switch(target.value, literal)
            ):
                frame.local_defs[target.value] = (literal, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind_target(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name.value)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind(node.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        names = {item.name.value for item in node.names}
        self._frames[-1].declared |= names
        # A function that declares the name global can rebind the module's switch.
        self._module_frame.bound.update({name: 2 for name in names})

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        names = {item.name.value for item in node.names}
        self._frames[-1].declared |= names
        self._nonlocals |= names

    def _bind_import(self, name: str, plain: bool = False) -> None:
        """At module level, imports are counted apart: a name only an import binds is a
        reference to the imported module's switch. `import a.b` binds `a` to itself (plain),
        so several such imports agree."""
        if self._frames[-1] is not self._module_frame:
            self._bind(name)
        else:
            (self._plain_imports if plain else self._imports)[name] += 1

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind_import(alias.asname.name.value)
            else:
                head = cst.Module([]).code_for_node(alias.name).split(".", 1)[0]
                self._bind_import(head, plain=True)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            if self._frames[-1] is self._module_frame:
                self._star_import = True
            return
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            else:
                local = cst.Module([]).code_for_node(alias.name)
            self._bind_import(local)
            imported = cst.Module([]).code_for_node(alias.name)
            if _is_private(imported):
                qual = (
                    self.ctx.aliases.get(local) if self._frames[-1] is self._module_frame else None
                )
                self._private_uses.add(qual or imported)

    # strings and calls that may set a switch
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        raw = node.value
        if len(raw) > 120:
            return
        body = raw.lstrip("rbuRBU")[1:-1].strip("'\"")
        if _IDENTIFIER.match(body):
            self._strings.add(body.rpartition(".")[2])
        elif body.startswith("--") and _IDENTIFIER.match(name := body[2:].replace("-", "_")):
            self._attr_sets.add(name)  # a command-line option `--use-x` can turn it on

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            name = func.value
            if _is_private(name):
                self._private_calls.setdefault(name, []).append(node)
            elif name in ("setattr", "delattr") and node.args:
                named = len(node.args) > 1 and isinstance(node.args[1].value, cst.SimpleString)
                if not named:
                    self._dynamic_receiver(node.args[0].value)
            elif name == "vars" and node.args:
                self._dynamic_receiver(node.args[0].value)
        elif isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr == "multiple":  # mock.patch.multiple(module, USE_X=True)
                self._keywords |= {a.keyword.value for a in node.args if a.keyword is not None}
            elif _is_private(attr):
                qual = self.ctx.qualname(func)
                if qual is not None:
                    self._private_uses.add(qual)

    def _dynamic_receiver(self, receiver: cst.BaseExpression) -> None:
        text = cst.Module([]).code_for_node(receiver)
        if _MODULES_BY_NAME.search(text) or (
            isinstance(receiver, cst.Name) and _MODULES_BY_NAME.search(self.ctx.source)
        ):
            self._dynamic.add("*")  # a module found by name: could be any
            return
        self._dynamic_target(text)

    def _dynamic_target(self, text: str) -> None:
        head, _, rest = text.partition(".")
        target = self.ctx.aliases.get(head)
        if target is not None:
            self._dynamic.add(f"{target}.{rest}" if rest else target)

    # branches
    def visit_If(self, node: cst.If) -> None:
        if self._check_test(node, node.test, node.orelse is not None):
            return
        self._branch(node, node.test, node.orelse)

    def visit_While(self, node: cst.While) -> None:
        if self._check_test(node, node.test, False):
            return
        self._branch(node, node.test, None)

    def _branch(
        self,
        node: cst.If | cst.While,
        test: cst.BaseExpression,
        orelse: cst.If | cst.Else | None,
    ) -> None:
        frame = self._frames[-1]
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            if orelse is None:
                return
            what = "its elif branches never run" if isinstance(orelse, cst.If) else None
            refs = [test.expression]
            what = what or "its else branch never runs"
        else:
            refs = list(_conjuncts(test))
            what = "its body never runs"
        for expr in refs:
            head = _head(expr)
            if head is not None:
                frame.sites.append(_Site(node, head, expr, what, id(frame)))
            leaf = _config_leaf(expr)
            if (
                leaf is not None
                and _root(expr) not in ("self", "cls")
                and self._is_switch(leaf, "0")
            ):
                self._config_sites.append((leaf, expr, node, what))

    def _check_test(self, node: cst.CSTNode, test: cst.BaseExpression, has_else: bool) -> bool:
        value = _constant(test)
        if value is None:
            return False
        if not value:
            what = "its body never runs"
        elif has_else and isinstance(node, cst.If):
            what = "its else branch never runs"
        else:
            return True
        self.report(
            node,
            f"the condition is the constant {cst.Module([]).code_for_node(test)}: {what}",
            entity=f"{self.ctx.path}:constant-condition",
            help="Delete the dead branch; keep experiments behind a configuration flag.",
        )
        return True

    def finish(self) -> None:
        self._commented_out()
        self._shared = self._collect()

    def project_facts(self) -> Any:
        return self._shared

    def _collect(self) -> dict[str, Any] | None:
        """What phase 2 needs to tell whether a switch is ever turned on, as plain data."""
        ctx = self.ctx
        module = self._module_frame
        notebook = ctx.path.endswith(".ipynb")
        flags = []
        if not self._star_import and ctx.module_name not in self._dynamic:
            for name, literal in sorted(self._defs.items()):
                imported = self._imports[name] + self._plain_imports[name]
                if module.bound[name] == 1 and not imported and not notebook:
                    flags.append([name, literal, _line_of(ctx.source, name)])
        local = {f[0] for f in flags}
        sites = []
        if not notebook:
            for site in module.sites:
                ref = self._reference(site, local)
                if ref is not None:
                    sites.append([*ref, site.what, list(ctx.span(site.node))])
        params = [] if notebook else self._param_sites()
        local_sites = [] if notebook else self._local_sites
        relevant = [n for n in self._attr_sets | self._keywords if self._maybe_switch(n)]
        strings = [s for s in self._strings if self._maybe_switch(s) or _is_private(s)]
        data: dict[str, Any] = {
            "flags": flags,
            "sites": sites,
            "params": params,
            "locals": local_sites,
            "config": [] if notebook else self._config_records(),
            "sets": sorted(relevant),
            "strings": sorted(strings),
            "dynamic": sorted(self._dynamic),
            "private": sorted(self._private_uses),
        }
        return data if any(data.values()) else None

    def _config_records(self) -> list[list[Any]]:
        """Config-key branches, matched in phase 2 to the config reads at the same span."""
        span = self.ctx.span
        return [
            [key, what, list(span(expr)), list(span(node))]
            for key, expr, node, what in self._config_sites
        ]

    def _maybe_switch(self, name: str) -> bool:
        return bool(_CAPS.match(name) or _SWITCH.match(name))

    def _reference(self, site: _Site, local: set[str]) -> list[str] | None:
        """("local", NAME) for this module's switch, ("import", qualified name) for another's."""
        head = site.head
        if isinstance(site.expr, cst.Name) and head in local:
            return ["local", head]
        imports, plain = self._imports[head], self._plain_imports[head]
        only_imported = (imports == 1 and not plain) or (plain and not imports)
        if self._module_frame.bound[head] or not only_imported or head not in self.ctx.aliases:
            return None  # not only one import binds it here
        qual = self.ctx.qualname(site.expr)
        if qual is None or "." not in qual or qual.split(".", 1)[0] in _STDLIB:
            return None
        if not self._is_switch(qual.rpartition(".")[2], "False"):
            return None
        return ["import", qual]

    def _param_sites(self) -> list[list[Any]]:
        """Branches on a private function's False-default parameter no call here turns on."""
        found = []
        for name, frame in self._functions:
            calls = self._private_calls.get(name, [])
            # Every mention of the name must be the definition or a call: one passed as a
            # callback, wrapped in `partial` or named in a string or comment has other callers.
            mentions = len(re.findall(rf"(?<![\w.]){re.escape(name)}\b", self.ctx.source))
            if (
                not calls
                or mentions != len(calls) + 1
                or self._module_frame.bound[name] != 1
                or name in self._strings
            ):
                continue
            turned_on = {p for p, i in frame.false_params.items() if _passes(calls, p, i)}
            for site in frame.param_sites:
                if site.head not in turned_on:
                    span = list(self.ctx.span(site.node))
                    found.append([name, site.head, len(calls), site.what, span])
        return found

    # commented-out code
    def _commented_out(self) -> None:
        minimum = int(self.opts["min-comment-lines"])
        lines = self.ctx.source.splitlines()
        # The tokenizer (which knows a `#` line inside a string is no comment) runs only where the
        # raw lines already hold a block that looks like code.
        if not self._raw_candidate(lines, minimum):
            return
        own = [c for c in self.ctx.comments if c.own_line]
        blocks: list[list[Any]] = []
        for k, comment in enumerate(own):
            if blocks and own[k - 1].line == comment.line - 1:
                blocks[-1].append(comment)
            else:
                blocks.append([comment])
        for block in blocks:
            code = [c for c in block if not _TOOLING.match(c.text.strip())]
            if len(code) < minimum:
                continue
            body = "\n".join(c.text.strip()[1:] for c in code)
            if not _looks_like_code(body, len(code)):
                continue
            first = code[0]
            width = len(lines[first.line - 1]) if first.line <= len(lines) else 0
            self.report(
                Location(self.ctx.path, first.line, 1, first.line, width + 1),
                f"{len(code)} lines of commented-out code",
                entity=f"{self.ctx.path}:commented-out",
                help="Delete it: version control keeps old code.",
                properties={"lines": len(code)},
            )

    @staticmethod
    def _raw_candidate(lines: list[str], minimum: int) -> bool:
        block: list[str] = []
        for line in [*lines, ""]:
            text = line.strip()
            if text.startswith("#"):
                if not _TOOLING.match(text):
                    block.append(text[1:])
                continue
            if len(block) >= minimum and _looks_like_code("\n".join(block), len(block)):
                return True
            block = []
        return False

    # -- phase 2 ------------------------------------------------------------------------------
    def check_project(self, graph: ProjectGraph) -> None:
        shared = {
            path: data
            for path, facts in sorted(graph.files.items())
            if (data := facts.rule_facts.get(self.code))
        }
        if not shared:
            return
        project = _Project(graph, shared)
        for path, data in shared.items():
            facts = graph.files[path]
            if facts.is_test:
                continue
            self._switches(project, path, data)
            for name, literal, line, function, what, span in data["locals"]:
                self.report(
                    facts.location(tuple(span)),
                    f"{name} is {literal} (line {line}, in {function}) and nothing changes it: "
                    f"{what}",
                    entity=f"{path}:{function}.{name}",
                    confidence=Confidence.MEDIUM,
                    help=f"Delete the branch and {name}, or make it a parameter or a "
                    "configuration setting that something turns on.",
                    properties={"flag": name, "function": function},
                )
            for function, param, count, what, span in data["params"]:
                if function in project.strings or project.imported(function, path):
                    continue
                calls = f"{count} call site" + ("s" if count != 1 else "")
                self.report(
                    facts.location(tuple(span)),
                    f"parameter {param} of {function} defaults to False and none of its {calls} "
                    f"passes it: {what}",
                    entity=f"{path}:{function}.{param}",
                    confidence=Confidence.MEDIUM,
                    help=f"Delete the branch and the parameter {param}, or pass it where the "
                    "experiment should run.",
                    properties={"function": function, "parameter": param},
                )
            self._config_switches(project, path, data)

    def _switches(self, project: "_Project", path: str, data: dict[str, Any]) -> None:
        """Branches on module-level switches, here or imported, that nothing turns on."""
        facts = project.graph.files[path]
        reported: set[tuple[int, int]] = set()
        for kind, ref, what, span in data["sites"]:
            if kind == "local":
                where: tuple[str, str] | None = (path, ref)
            else:
                module, _, name = ref.rpartition(".")
                target = project.modules.path_of(module)
                where = (target, name) if target is not None else None
            if where is None or where not in project.flags or (span[0], span[1]) in reported:
                continue
            name = where[1]
            if project.turned_on is None or name in project.turned_on or name in project.strings:
                continue
            reported.add((span[0], span[1]))
            literal, line = project.flags[where]
            self.report(
                facts.location(tuple(span)),
                f"{name} is {literal} ({where[0]}:{line}) and nothing in the project turns it "
                f"on: {what}",
                entity=f"{where[0]}:{name}",
                confidence=Confidence.MEDIUM,
                help=f"Delete the branch and {name}, or make {name} a configuration setting "
                "that some config turns on.",
                properties={"flag": name, "defined": f"{where[0]}:{line}"},
            )

    def _config_switches(self, project: "_Project", path: str, data: dict[str, Any]) -> None:
        """Branches on a DVC params key that is `false` in every params file defining it."""
        documents = project.params_documents()
        if not documents or not data["config"]:
            return
        facts = project.graph.files[path]
        reads = {tuple(r.span): r for r in facts.config_reads if r.file in documents}
        for key, what, read_span, span in data["config"]:
            read = reads.get(tuple(read_span))
            if read is None or key != read.keys[-1]:
                continue
            values = [_value_at(doc, read.keys) for doc in documents.values()]
            if _value_at(documents[read.file], read.keys) is not False:
                continue
            if any(v is not None and v is not False for v in values):
                continue  # another params file turns it on
            if project.turned_on is None or key in project.turned_on:
                continue  # code writes it, or a command-line option sets it
            if key in project.commands:
                continue  # a pipeline command passes it
            dotted = ".".join(read.keys)
            self.report(
                facts.location(tuple(span)),
                f"{dotted} is false in {read.file} and nothing in the project turns it on: {what}",
                entity=f"{read.file}:{dotted}",
                confidence=Confidence.LOW,
                help=f"Delete the branch and {dotted}, or run an experiment with it on and "
                "keep the better path.",
                properties={"file": read.file, "key": dotted},
            )


class _Project:
    """What the whole project says about switches, from every file's shared facts."""

    def __init__(self, graph: ProjectGraph, shared: dict[str, dict[str, Any]]) -> None:
        self.graph = graph
        self.modules = _ModuleIndex(graph)
        self.strings: set[str] = set().union(*(d["strings"] for d in shared.values()))
        dynamic: set[str] = set().union(*(d["dynamic"] for d in shared.values()))
        self.private: set[str] = set().union(*(d["private"] for d in shared.values()))
        # Names something assigns, patches or takes from the command line; None when some
        # module's globals are set by computed names (then anything may be turned on).
        self.turned_on: set[str] | None = set().union(*(d["sets"] for d in shared.values()))
        if "*" in dynamic:
            self.turned_on = None
        changed = {p for m in dynamic if (p := self.modules.path_of(m)) is not None}
        self.flags: dict[tuple[str, str], tuple[str, int]] = {}
        for path, data in shared.items():
            if not graph.files[path].is_test and path not in changed:
                for name, literal, line in data["flags"]:
                    self.flags[(path, name)] = (literal, line)
        manifest = graph.manifest
        commands = [c for s in (manifest.dvc.stages if manifest.dvc else []) for c in s.cmd]
        if manifest.mlproject is not None:
            commands += [e.command for e in manifest.mlproject.entry_points]
        self.commands = " ".join(commands)
        self._documents: dict[str, Any] | None = None

    def params_documents(self) -> dict[str, Any]:
        """DVC params files, unless the project uses Hydra or OmegaConf: their configs are
        meant to be overridden from the command line."""
        if self._documents is None:
            self._documents = self.graph.flow().params_files()
            for facts in self.graph.files.values():
                if any(m.split(".")[0] in ("hydra", "omegaconf") for m in facts.imported_modules):
                    self._documents = {}
                    break
        return self._documents

    def imported(self, function: str, path: str) -> bool:
        """Whether another file imports or calls this file's private function."""
        for used in self.private:
            module, _, name = used.rpartition(".")
            if name == function and (not module or self.modules.path_of(module) in (None, path)):
                return True
        return False


class _ModuleIndex:
    """Project files by module name: `pkg.config` finds `src/pkg/config.py` when only one
    file's module name ends so."""

    def __init__(self, graph: ProjectGraph) -> None:
        self._by_suffix: dict[str, set[str]] = {}
        for path, facts in graph.files.items():
            parts = facts.module.split(".")
            for i in range(len(parts)):
                self._by_suffix.setdefault(".".join(parts[i:]), set()).add(path)

    def path_of(self, module: str) -> str | None:
        found = self._by_suffix.get(module, set())
        return next(iter(found)) if len(found) == 1 else None


def _value_at(document: Any, keys: list[str]) -> Any:
    """The value at ``keys`` in a loaded config document; None when absent."""
    node = document
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _line_of(source: str, name: str) -> int:
    """The line of a module-level `NAME = ...` (the first at the start of a line)."""
    match = re.search(rf"^{re.escape(name)}\s*[:=]", source, re.MULTILINE)
    return source.count("\n", 0, match.start()) + 1 if match else 1


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = node.slice[0].slice.value
    if isinstance(key, cst.SimpleString):
        value = key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _config_leaf(expr: cst.BaseExpression) -> str | None:
    """The key a config read names: `cfg.model.use_x`, `params["use_x"]`, `p.get("use_x")`."""
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript):
        return _subscript_key(expr)
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and expr.args
        and isinstance(expr.args[0].value, cst.SimpleString)
    ):
        value = expr.args[0].value.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _root(expr: cst.BaseExpression) -> str | None:
    """The variable at the base of `a.b["c"].get("d")`."""
    while True:
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            expr = expr.value
        elif isinstance(expr, cst.Call):
            expr = expr.func
        else:
            return None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _false_literal(value: cst.BaseExpression) -> str | None:
    if isinstance(value, cst.Name) and value.value in ("False", "None"):
        return value.value
    if isinstance(value, cst.Integer) and value.value == "0":
        return "0"
    return None


def _conjuncts(test: cst.BaseExpression):  # type: ignore[no-untyped-def]
    """The operands of an `and` chain (the test itself otherwise): if one is false, the test is."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        yield from _conjuncts(test.left)
        yield from _conjuncts(test.right)
    elif (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, (cst.Equal, cst.Is))
        and isinstance(test.comparisons[0].comparator, cst.Name)
        and test.comparisons[0].comparator.value == "True"
    ):
        yield test.left  # `FLAG == True`, `FLAG is True`
    else:
        yield test


def _head(expr: cst.BaseExpression) -> str | None:
    """The name looked up for `NAME` or `module.NAME` (`module`), else None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        return expr.value.value
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Attribute):
        return _head(expr.value)
    return None


def _passes(calls: list[cst.Call], param: str, index: int | None) -> bool:
    """Whether a call may pass something other than False for ``param`` (or cannot tell)."""
    for call in calls:
        positional = 0
        for arg in call.args:
            if arg.star:
                return True
            if arg.keyword is not None:
                if arg.keyword.value == param and _false_literal(arg.value) is None:
                    return True
                continue
            if index is not None and positional == index and _false_literal(arg.value) is None:
                return True
            positional += 1
    return False


def _constant(test: cst.BaseExpression) -> bool | None:
    if isinstance(test, cst.Name) and test.value in ("True", "False", "None"):
        return test.value == "True"
    if isinstance(test, cst.Integer):
        return test.value not in ("0", "0x0", "0o0", "0b0")
    if isinstance(test, cst.SimpleString) and test.evaluated_value in ("", b""):
        return False
    return None


def _looks_like_code(body: str, count: int) -> bool:
    text = textwrap.dedent(
        "\n".join(line[1:] if line.startswith(" ") else line for line in body.splitlines())
    )
    try:
        cst.parse_module(text + "\n")
    except Exception:  # any parser error: prose, not code
        return False
    hinted = sum(1 for line in text.splitlines() if _CODE_HINT.search(line.strip()))
    return hinted * 2 >= count
