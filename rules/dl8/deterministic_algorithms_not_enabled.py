import re
from typing import Any

import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    Location,
    ProjectExample,
    ProjectGraph,
    Severity,
)

# Seeds of the frameworks whose GPU kernels can be non-deterministic: a seed of theirs says the
# project wants reproducible runs. numpy's and the standard library's seeds say nothing about
# kernels, so a scikit-learn project is never reported.
_DEEP_LEARNING = frozenset({"torch", "lightning", "tensorflow", "keras", "transformers"})
_KEY = "determinism"
# How deep a configuration document is searched for a determinism key.
_MAX_DEPTH = 8
# Plain PyTorch runs on the CPU unless the code moves work to an accelerator, and its CPU kernels
# are deterministic but for a few: a torch-only program that never mentions one is not reported.
# The other frameworks (Lightning, Transformers' Trainer, TensorFlow) use a GPU by themselves.
_ACCELERATOR = re.compile(r"cuda|gpu|device|accelerator|\bmps\b", re.IGNORECASE)


def _argument(
    call: cst.Call, args: tuple[int, ...], kws: tuple[str, ...]
) -> cst.BaseExpression | None:
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in kws:
            return arg.value
    for index in args:
        if index < len(positional):
            return positional[index]
    return None


def _off(expr: cst.BaseExpression) -> bool:
    """A literal that leaves deterministic algorithms off: False, None, 0, "default"."""
    if isinstance(expr, cst.Name):
        return expr.value in ("False", "None")
    if isinstance(expr, cst.Integer):
        return expr.value == "0"
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value in ("default", b"default")
    return False


def _has_key(node: Any, keys: frozenset[str], depth: int = 0) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, dict):
        return any(
            (isinstance(k, str) and k in keys) or _has_key(v, keys, depth + 1)
            for k, v in node.items()
        )
    if isinstance(node, list):
        return any(_has_key(v, keys, depth + 1) for v in node)
    return False


class DeterministicAlgorithmsNotEnabled(FileRule):
    """A PyTorch or TensorFlow run is seeded, but its program never turns deterministic kernels on.

    ## What it does
    Finds the seed of a deep-learning framework — `torch.manual_seed`,
    `torch.cuda.manual_seed_all`, Lightning's `seed_everything`, `transformers.set_seed`,
    `tf.random.set_seed`, `keras.utils.set_random_seed` (the `seed` entries of those knowledge
    tables) — in a program where no module turns deterministic algorithms on, and reports the
    first such seed of each file. A program is a connected part of the project's import graph
    (imports either way, tests included): the switch is process-wide, so the module that seeds
    and the module that turns it on may differ, but a folder of independent example scripts is
    several programs. Any of these counts as turning them on:

    - `torch.use_deterministic_algorithms(True)` (or `"warn"`-style debug modes through
      `torch.set_deterministic_debug_mode`), `torch.backends.cudnn.deterministic = True`;
    - Lightning `Trainer(deterministic=True)` or `deterministic="warn"`;
    - `transformers.set_seed(seed, deterministic=True)`, `transformers.enable_full_determinism`,
      `TrainingArguments(full_determinism=True)`;
    - `tf.config.experimental.enable_op_determinism()`, the `TF_DETERMINISTIC_OPS` variable.

    So does a switch the user can flip without editing code: an argument that is not a literal
    `False`/`None`/`0` (`use_deterministic_algorithms(args.deterministic)`), a `**config`
    splat into a call that has the switch, or a command line that exposes it
    (`Trainer.from_argparse_args`, `LightningCLI`, `HfArgumentParser`), or a
    `deterministic`/`full_determinism` key in a config document the program reads (Hydra's
    `trainer: {deterministic: false}` included). The tables' `determinism:` entries list them.

    Not counted: `seed_everything(seed, workers=True)`, which only seeds the dataloader workers,
    and `torch.backends.cudnn.benchmark = False` alone, which only makes cuDNN pick its
    algorithm deterministically. Seeds in test files are not reported; numpy, `random` and
    scikit-learn seeds never are, nor is `torch.manual_seed` in a program that never mentions
    an accelerator (`cuda`, `device`, `gpu`, `mps`): PyTorch's CPU kernels are deterministic
    but for a few.

    Known false positives: a project that only ever runs on CPU, where PyTorch's kernels are
    mostly deterministic anyway; determinism turned on by a wrapper library the tables do not
    know (say `mmengine`'s `randomness=dict(deterministic=True)`).

    ## Why is this bad?
    A seed fixes the random numbers, not the order of floating-point reductions: cuDNN
    convolutions, scatter/index-add and atomics on GPU still differ from run to run, so two
    seeded runs give different models and metrics, and a regression cannot be told from noise.
    This is smell 13, "Deterministic Algorithm Option Not Used", of Zhang et al. (2022): turn
    the option on at least while developing and in CI, and off in production if it is too slow.

    ## Example
    ```python
    torch.manual_seed(cfg.seed)
    model = train(cfg)
    ```

    ## Use instead
    ```python
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(cfg.deterministic)  # with CUBLAS_WORKSPACE_CONFIG set
    model = train(cfg)
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #13.
    - PyTorch notes, "Reproducibility" (`torch.use_deterministic_algorithms`).
    - TensorFlow API, `tf.config.experimental.enable_op_determinism`.
    - Lightning API, `Trainer(deterministic=...)`; Transformers API, `set_seed`,
      `enable_full_determinism`.
    """

    code = "DL805"
    name = "deterministic-algorithms-not-enabled"
    severity = Severity.INFO
    remediation_minutes = 5

    VALID = [
        # scikit-learn and numpy seeds say nothing about GPU kernels.
        """
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        np.random.seed(0)
        model = RandomForestClassifier(random_state=0)
        """,
        """
        import torch
        torch.manual_seed(0)
        torch.cuda.manual_seed_all(0)
        torch.use_deterministic_algorithms(True)
        """,
        """
        import torch
        from torch.backends import cudnn
        def set_seed(seed):
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)
            cudnn.deterministic = True
            cudnn.benchmark = False
        """,
        # Switchable from the command line or a config: not a literal False.
        """
        import torch
        def setup(args):
            torch.manual_seed(args.seed)
            device = torch.device(args.device)
            torch.use_deterministic_algorithms(args.deterministic, warn_only=True)
        """,
        """
        import lightning as L
        L.seed_everything(42, workers=True)
        trainer = L.Trainer(max_epochs=3, deterministic="warn")
        """,
        """
        import pytorch_lightning as pl
        def main(cfg):
            pl.seed_everything(cfg.seed)
            trainer = pl.Trainer(**cfg.trainer)
        """,
        """
        from pytorch_lightning import Trainer, seed_everything
        def main(args):
            seed_everything(args.seed)
            trainer = Trainer.from_argparse_args(args)
        """,
        """
        from lightning.pytorch.cli import LightningCLI
        from lightning.pytorch import seed_everything
        seed_everything(7)
        LightningCLI()
        """,
        """
        from transformers import set_seed
        set_seed(13, deterministic=True)
        """,
        """
        from transformers.trainer_utils import enable_full_determinism
        enable_full_determinism(13)
        """,
        """
        from transformers import TrainingArguments, set_seed
        set_seed(13)
        args = TrainingArguments(output_dir="out", full_determinism=True)
        """,
        """
        from transformers import HfArgumentParser, TrainingArguments, set_seed
        parser = HfArgumentParser(TrainingArguments)
        (training_args,) = parser.parse_args_into_dataclasses()
        set_seed(training_args.seed)
        """,
        """
        import tensorflow as tf
        tf.random.set_seed(1)
        tf.config.experimental.enable_op_determinism()
        """,
        """
        import os
        import tensorflow as tf
        os.environ["TF_DETERMINISTIC_OPS"] = "1"
        tf.keras.utils.set_random_seed(1)
        """,
        # A project helper the tables do not know is not a framework seed.
        """
        from utils import seed_everything
        seed_everything(3)
        """,
        # Plain PyTorch that never leaves the CPU.
        """
        import gym
        import torch
        env = gym.make("CartPole-v1")
        torch.manual_seed(543)
        policy = torch.nn.Linear(4, 2)
        """,
        # A generator's own seed is not the global seed.
        """
        import torch
        g = torch.Generator()
        g.manual_seed(0)
        """,
        ProjectExample(
            files={
                "src/train.py": """
                    import torch
                    from src.repro import make_deterministic
                    def main(seed):
                        torch.manual_seed(seed)
                        make_deterministic()
                        model = torch.nn.Linear(4, 2).cuda()
                    """,
                "src/repro.py": """
                    import torch
                    def make_deterministic():
                        torch.use_deterministic_algorithms(mode=True)
                    """,
            },
            description="the switch is in another module than the seed",
        ),
        ProjectExample(
            files={
                "src/train.py": """
                    import hydra
                    import lightning as L
                    from hydra.utils import instantiate
                    @hydra.main(config_path="../configs", config_name="train", version_base="1.3")
                    def main(cfg):
                        L.seed_everything(cfg.seed, workers=True)
                        trainer = instantiate(cfg.trainer)
                    """,
                "configs/train.yaml": """
                    defaults:
                      - trainer: default
                    seed: 12345
                    """,
                "configs/trainer/default.yaml": """
                    _target_: lightning.pytorch.Trainer
                    max_epochs: 10
                    deterministic: false
                    """,
            },
            description="a Hydra trainer config has the switch (off by default, one override away)",
        ),
        ProjectExample(
            files={
                "tests/test_model.py": """
                    import torch
                    def test_forward():
                        torch.manual_seed(0)
                        x = torch.zeros(2, device="cuda")
                    """,
            },
            description="seeds in tests make test data reproducible; they are not reported",
        ),
    ]
    INVALID = [
        """
        import torch
        torch.manual_seed(42)  # expect: DL805
        torch.cuda.manual_seed_all(42)
        torch.backends.cudnn.benchmark = False
        """,
        """
        import lightning as L
        def main(cfg):
            L.seed_everything(cfg.seed, workers=True)  # expect: DL805
            trainer = L.Trainer(max_epochs=cfg.epochs, deterministic=False)
        """,
        """
        import tensorflow as tf
        tf.random.set_seed(1)  # expect: DL805
        """,
        ProjectExample(
            files={
                "train.py": """
                    from transformers import set_seed
                    set_seed(13)  # expect: DL805
                    """,
                "pretrain.py": """
                    import torch
                    torch.manual_seed(0)  # expect: DL805
                    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
                    """,
                "debug.py": """
                    import torch
                    torch.use_deterministic_algorithms(False)
                    """,
            },
            description="each seeded script is reported; turning the switch off does not count",
        ),
        ProjectExample(
            files={
                "mnist/main.py": """
                    import torch
                    torch.manual_seed(1)  # expect: DL805
                    model = torch.nn.Linear(4, 2).to("cuda")
                    """,
                "imagenet/main.py": """
                    import torch
                    from torch.backends import cudnn
                    torch.manual_seed(1)
                    cudnn.deterministic = True
                    """,
            },
            description="independent example scripts: one script's switch is not another's",
        ),
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.seed: tuple[str, str, cst.Call] | None = None
        self.switches: list[str] = []
        self.record: dict[str, Any] | None = None

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.ctx.qualname(node.func)
        if qual is None:
            return
        catalog = self.ctx.catalog
        entries = catalog.lookup_call(qual)
        if self.seed is None:
            seed = next(
                (e for e in entries if e.role == "seed" and e.framework in _DEEP_LEARNING), None
            )
            if seed is not None:
                self.seed = (qual, seed.framework, node)
        known = catalog.repro.call(_KEY, qual)
        if known is None and not any(e.role == "determinism" for e in entries):
            return
        if known is not None and known.switch is not None:
            given = _argument(node, known.switch.args, known.switch.kws)
            splat = any(a.star for a in node.args)
            # Not given: the library's default, which is off. A splat may carry it.
            if (given is None and not splat) or (given is not None and _off(given)):
                return
        self.switches.append(qual)

    def visit_Assign(self, node: cst.Assign) -> None:
        flags = self.ctx.catalog.repro.names(_KEY, "attribute")
        for target in node.targets:
            if not isinstance(target.target, cst.Attribute):
                continue
            qual = self.ctx.qualname(target.target)
            if qual in flags and not _off(node.value):
                self.switches.append(qual)

    def finish(self) -> None:
        texts = self.ctx.catalog.repro.names(_KEY, "text")
        self.switches.extend(t for t in sorted(texts) if t in self.ctx.source)
        record: dict[str, Any] = {}
        if self.switches:
            record["on"] = sorted(set(self.switches))
        if self.seed is not None:
            api, framework, call = self.seed
            record["seed"] = [api, *self.ctx.span(call)]
            record["framework"] = framework
        if _ACCELERATOR.search(self.ctx.source):
            record["accelerator"] = True
        self.record = record or None
        self.seed = None  # drop the node: the record is all phase 2 needs

    def project_facts(self) -> Any:
        return self.record

    def check_project(self, graph: ProjectGraph) -> None:
        records = {path: f.rule_facts.get(self.code) for path, f in graph.files.items()}
        if not any(r and "seed" in r for r in records.values()):
            return
        program = _programs(graph)
        switched = {program[path] for path, r in records.items() if r and r.get("on")}
        switched.update(program[path] for path in _config_switches(graph))
        accelerated = {program[path] for path, r in records.items() if r and r.get("accelerator")}
        for path in sorted(records):
            record = records[path]
            if not record or "seed" not in record or graph.files[path].is_test:
                continue
            if program[path] in switched:
                continue
            if record.get("framework") == "torch" and program[path] not in accelerated:
                continue
            api, line, col, end_line, end_col = record["seed"]
            self.report(
                Location(path, line, col, end_line, end_col),
                f"`{api}` seeds the run, but nothing in this program turns deterministic "
                "algorithms on: seeded runs can still differ on GPU",
                entity=api,
                confidence=Confidence.MEDIUM,
                help="Next to the seed, call torch.use_deterministic_algorithms(True) (and set "
                "CUBLAS_WORKSPACE_CONFIG), or use Trainer(deterministic=True), "
                "transformers.enable_full_determinism(seed) or "
                "tf.config.experimental.enable_op_determinism(); at least in debug and CI runs.",
            )


def _programs(graph: ProjectGraph) -> dict[str, str]:
    """Each file's program: its connected part of the import graph (imports either way). The
    switch is process-wide state, so a module anywhere in the program can set it for the seed;
    a folder of independent example scripts is several programs."""
    flow = graph.flow()
    parent = {path: path for path in graph.files}

    def root(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for path in sorted(graph.files):
        for importer in flow.imported_by(path):
            if importer in parent:
                a, b = sorted((root(path), root(importer)))
                parent[b] = a
    return {path: root(path) for path in graph.files}


def _config_switches(graph: ProjectGraph) -> list[str]:
    """Files that read a config document with a determinism key (a Trainer built from it can be
    made deterministic with an override)."""
    catalog = graph.catalog
    configs = graph.configs
    if catalog is None or configs is None:
        return []
    keys = catalog.repro.names(_KEY, "config-key")
    found: dict[str, bool] = {}
    readers = []
    for path, facts in sorted(graph.files.items()):
        for read in [*facts.config_reads, *facts.config_splats]:
            if read.file not in found:
                found[read.file] = _has_key(configs.document(read.file), keys)
            if found[read.file]:
                readers.append(path)
                break
    return readers
