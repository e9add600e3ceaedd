import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from debtlint.api import (
    Confidence,
    Location,
    Option,
    ProjectExample,
    ProjectGraph,
    ProjectRule,
    Severity,
    Status,
)

_EXTENSIONS = (".yaml", ".yml", ".json")
# More than this many candidate files: compare the first ones only (the pairing is quadratic).
_MAX_FILES = 2000
# Differing keys named in a message.
_SHOWN = 3

# A path is a candidate only if the project reads it or its folders or name say configuration.
_CONFIG_WORD = re.compile(r"conf|cfg|param|setting|experiment|hyp|(^|[_.-])exp([_.-]|\d|$)")
# Folders whose files are not the project's live configuration: tests, docs and examples, run
# outputs (Hydra's outputs/ and .hydra/, MLflow, W&B, Lightning logs, checkpoints).
_SKIP_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "fixtures",
        "fixture",
        "__fixtures__",
        "testdata",
        "test_data",
        "test-data",
        "docs",
        "doc",
        "example",
        "examples",
        "sample",
        "samples",
        "template",
        "templates",
        "outputs",
        "output",
        "multirun",
        "mlruns",
        "wandb",
        "lightning_logs",
        "runs",
        "logs",
        "log",
        "checkpoints",
        "checkpoint",
        "ckpt",
        "ckpts",
        "artifacts",
        "results",
        "node_modules",
    }
)
# Name tokens of files meant to be copied or overridden: templates, examples and defaults.
_TEMPLATE_TOKENS = frozenset(
    {"example", "examples", "sample", "samples", "template", "tmpl", "default", "defaults"}
)
# Names of files that record a run rather than configure one.
_RECORD_TOKENS = frozenset(
    {
        "summary",
        "metrics",
        "metric",
        "results",
        "result",
        "scores",
        "score",
        "history",
        "report",
        "stats",
        "statistics",
        "predictions",
        "vocab",
        "lock",
    }
)
_CONFIG_FOLDER = re.compile(r"^(conf|config|cfg|setting|param|hparam|hyperparam)s?([_-].*)?$")
# Files that are infrastructure, packaging or tool settings, not the model's configuration.
_INFRA_NAMES = re.compile(
    r"^(docker-compose.*|compose|mkdocs|environment.*|conda.*|meta|dvc|dvc\.lock|debtlint|"
    r"codecov|readthedocs|azure-pipelines|bitbucket-pipelines|appveyor|cloudbuild|buildspec|"
    r"serverless|app|chart|values.*|package(-lock)?|tsconfig|jsconfig|composer|launch|"
    r"renovate|tokenizer_config|special_tokens_map|generation_config|preprocessor_config|"
    r"adapter_config|trainer_state|pre-commit-config|citation|pyrightconfig|.*\.schema)$",
    re.IGNORECASE,
)
# Top-level keys of documents that are not ML configuration: Kubernetes and Helm manifests,
# OpenAPI specs, CloudFormation, conda environments, CI pipelines, Hugging Face model cards'
# saved `config.json` (an artifact written by `save_pretrained`).
_FOREIGN_KEYS = (
    {"apiVersion", "kind"},
    {"openapi"},
    {"swagger"},
    {"AWSTemplateFormatVersion"},
    {"channels", "dependencies"},
    {"jobs", "on"},
    {"transformers_version"},
    {"_name_or_path"},
    {"$schema"},
)
# Keys by which a config file includes or inherits another one: Hydra's `defaults:` list,
# mmcv/mmdet `_base_`, detectron2 `_BASE_`, and the common spellings of "extends".
_INHERIT_KEYS = frozenset(
    {"defaults", "_base_", "_BASE_", "__base__", "BASE", "_inherit_", "inherit", "inherits"}
    | {"inherit_from", "extends", "__include__", "_include_"}
)
_INHERIT_WORDS = re.compile(r"base|inherit|extend|include|parent|import", re.IGNORECASE)
# Copies made by hand or by a file manager: `config_copy`, `config-old`, `config (1)`,
# `config_v2`, `copy_of_config`.
_COPY_SUFFIX = re.compile(
    r"(?:[ _.-]+(?:copy\d*|bak|backup|old|orig|original|new|final|tmp|temp|v\d+)| ?\(\d+\))$",
    re.IGNORECASE,
)
_COPY_PREFIX = re.compile(r"^(?:copy[ _-]of[ _-]|old[_-]|new[_-]|backup[_-])", re.IGNORECASE)
_EXPLICIT_COPY = re.compile(r"copy|bak|backup|old|orig|\(\d+\)", re.IGNORECASE)
# Tokens that name a designed variant: environments, hardware, sizes, runs, seeds and folds.
_VARIANT_TOKENS = frozenset(
    {
        "dev",
        "develop",
        "development",
        "prod",
        "production",
        "staging",
        "stage",
        "stg",
        "qa",
        "uat",
        "local",
        "remote",
        "base",
        "ci",
        "sandbox",
        "preprod",
        "live",
        "debug",
        "release",
        "cpu",
        "gpu",
        "tpu",
        "cuda",
        "mps",
        "ddp",
        "distributed",
        "slurm",
        "cluster",
        "single",
        "multi",
        "tiny",
        "small",
        "medium",
        "large",
        "xlarge",
        "xl",
        "mini",
        "full",
        "lite",
        "fast",
        "quick",
    }
)
_VARIANT_PATTERN = re.compile(
    r"^(?:\d+|v\d+|seed\d*|fold\d*|exp\d*|run\d*|trial\d*|split\d*|\d{4}-\d{2}-\d{2}.*)$"
)


@dataclass
class _Config:
    path: str
    folder: str
    stem: str  # file name without the extension
    leaves: dict[str, Any]  # dotted key path -> canonical value
    keys: tuple[tuple[str, ...], ...]  # key paths in file order, for lines


class DivergingConfigCopies(ProjectRule):
    """Two configuration files are copies of each other whose values have drifted apart.

    ## What it does
    Compares the project's configuration files — YAML files, and JSON files named like
    configuration (`config.json`, `params.json`, `settings.json`), that the code reads or whose
    folder or name says configuration (`conf/`, `configs/`, `params.yaml`, `hparams.yaml`,
    `experiment_*.yaml`) — by their leaf key paths (`train.optimizer.lr`). Two files are copies
    when at least 80 % of the union of their key paths is shared and they share at least 5 leaf
    keys; they have diverged when some shared key has different values. Reported once per pair,
    at the smaller file (or, for a file named like a copy, at the copy), on its first differing
    key, naming the other file and the first differing keys.

    A pair is reported only when it looks like an accidental copy:

    - one file is named as a copy of the other: `config_copy.yaml`, `config-old.yaml`,
      `config (1).yaml`, `config_v2.yaml`, `copy_of_config.yaml`; or
    - both files have the same name in different parts of the project (`params.yaml` and
      `src/params.yaml`, `training/conf/model.yaml` and `serving/model.yaml`); or
    - the code reads both files by path (one from the training script, the other from the
      serving code, say).

    Not reported, because these are designed variants: files side by side in one folder (a Hydra
    config group such as `conf/model/resnet.yaml` and `conf/model/vit.yaml`, or
    `conf/experiment/*.yaml`, or `configs/dev.yaml` and `configs/prod.yaml`), files of the same
    name in sibling folders (`experiments/a/config.yaml` and `experiments/b/config.yaml`, Kedro's
    `conf/base/` and `conf/local/`), files whose differing path parts are environment, hardware,
    size, seed, fold or run names (`dev`, `prod`, `gpu`, `small`, `seed1`, `exp3`); files that
    inherit or include another (`defaults:`, `_base_`, `_BASE_`, `extends`); templates, examples
    and defaults (`config.example.yaml`, `config_template.yaml`, `defaults.yaml`); files under
    tests, fixtures, docs, examples and run outputs (`outputs/`, `.hydra/`, `mlruns/`, `wandb/`,
    `lightning_logs/`, checkpoints); infrastructure (CI, Docker Compose, Kubernetes, Helm,
    OpenAPI, conda environments) and the `config.json` that Hugging Face writes next to saved
    weights. Identical copies are duplication but have not diverged yet; they are not reported.

    This rule is a **preview**: what is a copy and what is a designed variant is a naming
    convention, and conventions differ between teams. Sibling folders of one monorepo (each
    example or service with its own `config.yaml`) can be reported although each copy is meant
    to evolve on its own.

    Known false positives: per-service or per-project copies in a monorepo that are meant to
    differ; a copy kept on purpose to reproduce an old result.

    ## Why is this bad?
    Sculley et al. (2015, §6) ask that configuration make the difference between two
    configurations easy to see and that it be hard to make manual errors. A hand-made copy of a
    configuration hides which file is the source of truth: a fix lands in one copy only, the
    training run and the serving code read different values (training/serving skew), and
    nobody can say which of the differences are intended. Tang et al. (2021) report
    configuration duplication among the debt ML developers refactor away.

    ## Example
    ```text
    params.yaml        train: {lr: 0.01, epochs: 20, batch_size: 64, ...}
    src/params.yaml    train: {lr: 0.003, epochs: 20, batch_size: 32, ...}   # an old copy
    ```

    ## Use instead
    Keep one source of truth: delete the stale copy, or make one file inherit from the other
    (Hydra `defaults:`, an `_base_` file, OmegaConf merges) and override only the keys that must
    differ, so the differences are visible and deliberate.

    ## Options
    - `min-overlap` (number, default 0.8): the share of the union of key paths two files must
      have in common to count as copies.
    - `min-shared-keys` (integer, default 5): the leaf keys two files must share to count as
      copies.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §6.
    - Tang et al., "An Empirical Study of Refactorings and Technical Debt in Machine Learning
      Systems", ICSE 2021.
    """

    code = "DL504"
    name = "diverging-config-copies"
    severity = Severity.WARNING
    status = Status.PREVIEW
    remediation_minutes = 30
    options = {
        "min-overlap": Option(
            float,
            0.8,
            "share of the union of key paths two files must have in common",
            lambda v: 0.5 <= v <= 1.0,
            "must be between 0.5 and 1",
        ),
        "min-shared-keys": Option(
            int, 5, "leaf keys two files must share", lambda v: v >= 2, "must be >= 2"
        ),
    }

    _TRAIN = """
        train:
          lr: 0.01
          epochs: 20
          batch_size: 64
          dropout: 0.1
        data:
          path: data/train.csv
          test_size: 0.2
        """
    _TRAIN_CHANGED = """
        train:
          lr: 0.003
          epochs: 20
          batch_size: 64
          dropout: 0.1
        data:
          path: data/train.csv
          test_size: 0.2
        """
    _MODEL_A = "name: resnet\ndepth: 50\nwidth: 64\ndropout: 0.1\nlr: 0.1\npretrained: true\n"
    _MODEL_B = "name: vit\ndepth: 12\nwidth: 768\ndropout: 0.0\nlr: 0.001\npretrained: true\n"

    VALID = [
        ProjectExample(
            {
                "conf/model/resnet.yaml": _MODEL_A,
                "conf/model/vit.yaml": _MODEL_B,
                "conf/experiment/baseline.yaml": _MODEL_A,
                "conf/experiment/big.yaml": _MODEL_B,
            },
            "a Hydra config group: files side by side in one folder are alternatives",
        ),
        ProjectExample(
            {
                "configs/dev.yaml": _TRAIN,
                "configs/prod.yaml": _TRAIN_CHANGED,
                "deploy/staging/config.yaml": _TRAIN,
                "deploy/production/config.yaml": _TRAIN_CHANGED,
                "conf/base/parameters.yml": _TRAIN,
                "conf/local/parameters.yml": _TRAIN_CHANGED,
                "gpu/params.yaml": _TRAIN,
                "params.yaml": _TRAIN_CHANGED,
            },
            "environment and hardware variants are designed to differ",
        ),
        ProjectExample(
            {
                "params.yaml": _TRAIN,
                "tests/fixtures/params.yaml": _TRAIN_CHANGED,
                "examples/params.yaml": _TRAIN_CHANGED,
                "config/params.example.yaml": _TRAIN_CHANGED,
                "config/params_template.yaml": _TRAIN_CHANGED,
                "outputs/2024-01-01/.hydra/params.yaml": _TRAIN_CHANGED,
            },
            "test fixtures, examples, templates and run outputs",
        ),
        ProjectExample(
            {
                "configs/base.yaml": _TRAIN,
                "src/configs/base.yaml": "_base_: ../../configs/base.yaml\n" + _TRAIN_CHANGED,
                "params.yaml": _TRAIN,
                "src/params.yaml": _TRAIN,
            },
            "a file that inherits from another; an identical copy has not diverged",
        ),
        ProjectExample(
            {
                "params.yaml": _TRAIN,
                "src/params.yaml": "train:\n  lr: 0.5\n  epochs: 3\nseed: 1\nmodel: rf\n",
            },
            "too few keys in common to be a copy",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "params.yaml": _TRAIN + "seed: 42\n",
                "src/params.yaml": """
                train:
                  lr: 0.003  # expect: DL504
                  epochs: 20
                  batch_size: 64
                  dropout: 0.1
                data:
                  path: data/train.csv
                  test_size: 0.2
                """,
            },
            "the same file name in two places, one an old copy",
        ),
        ProjectExample(
            {
                "configs/train.yaml": _TRAIN,
                "configs/train_copy.yaml": """
                train:
                  lr: 0.01
                  epochs: 50  # expect: DL504
                  batch_size: 64
                  dropout: 0.1
                data:
                  path: data/train.csv
                  test_size: 0.3
                """,
            },
            "a copy named as such, side by side with the original",
        ),
        ProjectExample(
            {
                "training/config.yaml": _TRAIN + "seed: 42\n",
                "serving/settings.yaml": """
                train:
                  lr: 0.01
                  epochs: 20
                  batch_size: 64
                  dropout: 0.1
                data:
                  path: data/train_v2.csv  # expect: DL504
                  test_size: 0.2
                """,
                "training/train.py": """
                import yaml
                cfg = yaml.safe_load(open("training/config.yaml"))
                lr = cfg["train"]["lr"]
                """,
                "serving/app.py": """
                import yaml
                cfg = yaml.safe_load(open("serving/settings.yaml"))
                path = cfg["data"]["path"]
                """,
            },
            "training and serving read two copies that disagree",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        referenced = _referenced(graph)
        configs: list[_Config] = []
        candidates = [p for p in graph.project_files(_EXTENSIONS) if _candidate(p, p in referenced)]
        for path in candidates[:_MAX_FILES]:
            config = _load(flow, path)
            if config is not None and len(config.leaves) >= self.opts["min-shared-keys"]:
                configs.append(config)
        configs.sort(key=lambda c: (len(c.leaves), c.path))
        overlap = float(self.opts["min-overlap"])
        min_shared = int(self.opts["min-shared-keys"])
        for i, small in enumerate(configs):
            small_keys = small.leaves.keys()
            for big in configs[i + 1 :]:
                # Sorted by size: a bigger file cannot reach the overlap, nor can any after it.
                if len(small.leaves) < overlap * len(big.leaves):
                    break
                shared = small_keys & big.leaves.keys()
                union = len(small.leaves) + len(big.leaves) - len(shared)
                if len(shared) < min_shared or len(shared) < overlap * union:
                    continue
                differing = [k for k in shared if small.leaves[k] != big.leaves[k]]
                if not differing:
                    continue
                verdict = _copies(small, big, referenced)
                if verdict is None:
                    continue
                self._report(flow, small, big, differing, len(shared), union, *verdict)

    def _report(
        self,
        flow: Any,
        small: _Config,
        big: _Config,
        differing: list[str],
        shared: int,
        union: int,
        confidence: Confidence,
        why: str,
    ) -> None:
        here, other = _reported(small, big)
        order = {".".join(k): n for n, k in enumerate(here.keys)}
        differing = sorted(differing, key=lambda k: (order.get(k, len(order)), k))
        line = None
        for key in here.keys:
            if ".".join(key) == differing[0]:
                line = flow.config_line(here.path, key)
                break
        shown = ", ".join(differing[:_SHOWN])
        more = f" and {len(differing) - _SHOWN} more" if len(differing) > _SHOWN else ""
        self.report(
            Location(here.path, line or 1),
            f"{here.path} is a near-copy of {other.path} ({shared} of {union} keys in common, "
            f"{why}) whose values have drifted: {shown}{more} "
            + ("differs" if len(differing) == 1 else "differ"),
            entity=f"{here.path}~{other.path}",
            confidence=confidence,
            help=(
                f"Keep one source of truth: delete the stale copy, or make {here.path} inherit "
                f"from {other.path} (Hydra `defaults:`, an `_base_` file) and override only the "
                "keys that must differ."
            ),
            properties={
                "other": other.path,
                "differing": differing,
                "shared": shared,
                "union": union,
            },
        )


def _referenced(graph: ProjectGraph) -> set[str]:
    """Config files that non-test code reads by path, and params files DVC stages depend on."""
    dvc = graph.manifest.dvc
    found = {p.file for stage in (dvc.stages if dvc else []) for p in stage.params}
    for facts in graph.files.values():
        if not facts.is_test:
            found.update(r.file for r in facts.config_reads)
    for read in graph.reads():
        path = read.access.path.value
        if path and path.endswith(_EXTENSIONS) and not graph.files[read.location.path].is_test:
            found.add(path)
    return found


def _split(path: str) -> tuple[list[str], str]:
    folder, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    return (folder.split("/") if folder else []), stem


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


def _candidate(path: str, referenced: bool) -> bool:
    folders, stem = _split(path)
    name = path.rpartition("/")[2]
    if any(part.startswith(".") for part in [*folders, name]):
        return False
    if any(part.lower() in _SKIP_DIRS for part in folders):
        return False
    if _INFRA_NAMES.match(stem) or _INFRA_NAMES.match(stem.lstrip(".")):
        return False
    if _TEMPLATE_TOKENS & set(_tokens(stem)):
        return False
    if _RECORD_TOKENS & set(_tokens(stem)):
        return False
    if path.endswith(".json"):
        # JSON files are mostly data (vocabularies, annotations, metrics): only those named
        # as configuration, or in a configuration folder.
        return bool(
            _CONFIG_WORD.search(stem.lower())
            or any(_CONFIG_FOLDER.match(part.lower()) for part in folders)
        )
    return referenced or bool(_CONFIG_WORD.search(path.lower()))


def _load(flow: Any, path: str) -> _Config | None:
    try:
        return _config(path, flow.raw_config(path))
    except RecursionError:  # a pathologically nested document
        return None


def _config(path: str, data: Any) -> _Config | None:
    if not isinstance(data, dict) or not data:
        return None
    top = {str(k) for k in data}
    if any(keys <= top for keys in _FOREIGN_KEYS) or _inherits(data):
        return None
    leaves: dict[str, Any] = {}
    keys: list[tuple[str, ...]] = []
    for key, value in _leaves(data, ()):
        dotted = ".".join(key)
        if dotted not in leaves:
            leaves[dotted] = _canonical(value)
            keys.append(key)
    folders, stem = _split(path)
    return _Config(path, "/".join(folders), stem, leaves, tuple(keys))


def _inherits(data: dict[Any, Any]) -> bool:
    for key, value in data.items():
        key = str(key)
        if key in _INHERIT_KEYS:
            return True
        values = value if isinstance(value, list) else [value]
        if (
            _INHERIT_WORDS.search(key)
            and values
            and all(isinstance(v, str) and v.endswith(_EXTENSIONS) for v in values)
        ):
            return True
    return False


def _leaves(node: Any, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, (*prefix, str(key)))
    elif prefix:
        yield prefix, node


def _canonical(value: Any) -> Any:
    """A hashable form in which equal settings compare equal: `1e-3` (a string to YAML 1.1)
    and `0.001`, `1` and `1.0`, but not `true` and `1`."""
    if isinstance(value, bool) or value is None:
        return ("const", value)
    if isinstance(value, (int, float)):
        return ("num", float(value))
    if isinstance(value, str):
        try:
            return ("num", float(value))
        except ValueError:
            return ("str", value)
    if isinstance(value, list):
        return ("list", tuple(_canonical(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _canonical(v)) for k, v in value.items())))
    return ("other", repr(value))


def _base_name(stem: str) -> tuple[str, bool]:
    """The name without copy markers, and whether there were any."""
    base = _COPY_PREFIX.sub("", stem)
    while True:
        shorter = _COPY_SUFFIX.sub("", base)
        if shorter == base or not shorter:
            break
        base = shorter
    return base.lower(), base.lower() != stem.lower()


def _copy_named(a: _Config, b: _Config) -> bool:
    base_a, marked_a = _base_name(a.stem)
    base_b, marked_b = _base_name(b.stem)
    return base_a == base_b and (marked_a or marked_b) and a.stem.lower() != b.stem.lower()


def _variant_parts(a: _Config, b: _Config) -> bool:
    """Whether the parts in which the two paths differ all name designed variants."""
    parts_a = [*a.folder.split("/"), a.stem] if a.folder else [a.stem]
    parts_b = [*b.folder.split("/"), b.stem] if b.folder else [b.stem]
    while parts_a and parts_b and parts_a[0] == parts_b[0]:
        parts_a, parts_b = parts_a[1:], parts_b[1:]
    while parts_a and parts_b and parts_a[-1] == parts_b[-1]:
        parts_a, parts_b = parts_a[:-1], parts_b[:-1]
    if not parts_a and not parts_b:
        return False
    # `params.yaml` and `gpu/params.yaml`: only the extra folder differs, and it names a variant.
    return all(_is_variant(part) for part in (*parts_a, *parts_b))


def _is_variant(part: str) -> bool:
    tokens = _tokens(part)
    return bool(tokens) and all(t in _VARIANT_TOKENS or _VARIANT_PATTERN.match(t) for t in tokens)


def _parallel(a: _Config, b: _Config) -> bool:
    """Paths of the same shape that differ in one part only: `experiments/a/config.yaml` and
    `experiments/b/config.yaml`, `projA/conf/model.json` and `projB/conf/model.json` — one
    layout repeated per experiment, model or sub-project."""
    parts_a = [*a.folder.split("/"), a.stem] if a.folder else [a.stem]
    parts_b = [*b.folder.split("/"), b.stem] if b.folder else [b.stem]
    if len(parts_a) != len(parts_b):
        return False
    return sum(x != y for x, y in zip(parts_a, parts_b, strict=True)) == 1


def _copies(a: _Config, b: _Config, referenced: set[str]) -> tuple[Confidence, str] | None:
    """Whether two overlapping files look like an accidental copy (confidence, why), or None
    when they look like designed variants."""
    if _copy_named(a, b):
        explicit = _EXPLICIT_COPY.search(a.stem) or _EXPLICIT_COPY.search(b.stem)
        return (Confidence.HIGH if explicit else Confidence.MEDIUM), "named as a copy"
    if a.folder == b.folder or _parallel(a, b) or _variant_parts(a, b):
        # Side by side in a group folder, one layout repeated per variant, or environment,
        # hardware and size variants.
        return None
    if a.path in referenced and b.path in referenced:
        return Confidence.MEDIUM, "the code reads both"
    if a.stem.lower() == b.stem.lower():
        return Confidence.MEDIUM, "same file name"
    return None


def _reported(a: _Config, b: _Config) -> tuple[_Config, _Config]:
    """(the file to report at, the other): a copy-named file, else the smaller, else the
    later path."""
    marked_a, marked_b = _base_name(a.stem)[1], _base_name(b.stem)[1]
    if marked_a != marked_b:
        return (a, b) if marked_a else (b, a)
    if len(a.leaves) != len(b.leaves):
        return (a, b) if len(a.leaves) < len(b.leaves) else (b, a)
    return (a, b) if a.path > b.path else (b, a)
