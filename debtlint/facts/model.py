"""Plain-data facts extracted from one file in phase 1.

Everything here is made of str/int/float/bool/list/dict/None so that it can be cached as JSON and sent
between processes. Phase 2 turns a list of :class:`FileFacts` into the project graph.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from debtlint.facts.cells import NotebookInfo, NotebookRun
from debtlint.findings import Location

Span = tuple[int, int, int, int]  # 1-based line, col, end_line, end_col


@dataclass
class PathValue:
    """Where a read or write goes: a resolved path/URI, or a symbolic form saying why not.

    ``value`` is normalised (POSIX, no ``./``), relative to the project root unless absolute or a URI.
    """

    value: str | None
    symbolic: str | None = None
    confidence: Literal["high", "medium", "low"] = "high"
    # A path with parts phase 1 cannot know (another module's constant, a config key, a caller's
    # argument), as a string with markers (debtlint.facts.deferred); phase 2 substitutes them.
    template: str | None = None

    @property
    def resolved(self) -> bool:
        return self.value is not None

    def describe(self) -> str:
        return self.value if self.value is not None else (self.symbolic or "<unknown>")


@dataclass
class DataAccess:
    kind: Literal["read", "write"]
    api: str
    path: PathValue
    span: Span
    columns: list[str] = field(default_factory=list)
    # The variable that received the data (reads), used to follow it into training.
    target: str | None = None
    function: str | None = None
    # Whether a revision/tag argument was given (remote datasets and hub files; see DL203).
    revision: bool = False
    # For writes: indexes of the reads whose data flows into the written value (same file).
    inputs: list[int] = field(default_factory=list)
    # The API can fetch from a model/dataset hub: a name that is no local path is a hub id.
    hub: bool = False


@dataclass
class ModelSite:
    """Something that is (or defines) a model in this file.

    kind: ``class`` (a class deriving from a known model base), ``construct`` (an estimator
    construction), ``pretrained`` (``from_pretrained`` and friends), ``instance`` (an instance of a class
    that is fitted, saved or trained here; phase 2 links it to the class), ``load`` (a model artifact
    loaded from disk).
    """

    id: str
    kind: Literal["class", "construct", "pretrained", "instance", "load"]
    name: str
    api: str
    span: Span
    framework: str = ""
    traits: list[str] = field(default_factory=list)
    hyperparameters: list[str] = field(default_factory=list)
    kwargs_splat: bool = False
    layers: int = 0
    submodels: int = 0
    loc: int = 0  # lines of the class body, for class models
    bases: list[str] = field(default_factory=list)
    path: PathValue | None = None  # for pretrained / load: the source
    hub: bool = False  # the source may be a hub id (see DataAccess.hub)


@dataclass
class ModelUse:
    """A model being trained, used to predict, evaluated or saved."""

    kind: Literal["train", "predict", "evaluate", "save"]
    model: str  # ModelSite.id in the same file
    api: str
    span: Span
    inputs: list[int] = field(default_factory=list)  # indexes into FileFacts.data (reads)
    columns: list[str] = field(default_factory=list)
    path: PathValue | None = None  # for save
    output: str | None = None  # variable that received predictions


@dataclass
class ClassInfo:
    name: str
    bases: list[str]  # qualified names as far as the alias map resolves them
    span: Span


@dataclass
class CallSite:
    """A call to a function of this project with arguments that resolve to strings, so that a
    path parameter of that function can be followed to its callers in phase 2."""

    callee: str  # qualified name: module.function
    args: list[str | None]  # positional arguments, resolved or None
    kwargs: dict[str, str]
    span: Span
    function: str | None = None  # the enclosing function of the call


@dataclass
class SuppressionComment:
    """A ``# debtlint: ignore|fixme|file-ignore[CODES] reason`` comment (see debtlint/suppress.py).

    ``first_line``..``last_line`` is the statement it covers (for ``file-ignore``, the whole file).
    """

    kind: Literal["ignore", "fixme", "file-ignore"]
    codes: list[str]  # as written, upper-cased; empty for a blanket suppression
    reason: str
    span: Span  # of the comment itself
    first_line: int
    last_line: int


@dataclass
class PipelineNode:
    """A pipeline step declared in code, e.g. Kedro's ``node(func, inputs, outputs, name=...)``."""

    framework: str
    function: str  # qualified name of the function the step runs
    inputs: list[str]
    outputs: list[str]
    name: str | None
    span: Span


@dataclass
class StatementStats:
    """Statement classes for the glue-code measure (see rules/dl4/glue_code_ratio.py)."""

    model: int = 0
    glue: int = 0
    other: int = 0
    ml_calls: int = 0
    ncloc: int = 0
    ml_packages: list[str] = field(default_factory=list)


@dataclass
class PredictionWrite:
    """Predictions of a model (``ModelSite.id``) flowing into a data write (index into ``data``)."""

    model: str
    data: int
    span: Span


@dataclass
class HyperLiteral:
    """A numeric literal given as a hyperparameter keyword to a model constructor, an optimiser,
    a scheduler or a training call (``n_estimators=500``, ``lr=1e-3``), for DL501."""

    api: str
    keyword: str
    value: str  # the literal as written
    role: str  # construct | pretrained | optimiser | scheduler | train
    span: Span


@dataclass
class ConfigRead:
    """A key read from a loaded config document: ``params["train"]["lr"]``, ``cfg.model.lr``,
    ``params.get("lr", 0.1)`` (``default`` True)."""

    file: str
    keys: list[str]
    span: Span
    default: bool = False


@dataclass
class FileFacts:
    path: str
    module: str
    aliases: dict[str, str] = field(default_factory=dict)
    imported_modules: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)
    classes: list[ClassInfo] = field(default_factory=list)
    functions: dict[str, list[str]] = field(default_factory=dict)  # module-level: name -> params
    calls: list[CallSite] = field(default_factory=list)
    pipeline_nodes: list[PipelineNode] = field(default_factory=list)
    data: list[DataAccess] = field(default_factory=list)
    models: list[ModelSite] = field(default_factory=list)
    uses: list[ModelUse] = field(default_factory=list)
    stats: StatementStats = field(default_factory=StatementStats)
    parse_error: str | None = None
    is_test: bool = False
    suppressions: list[SuppressionComment] = field(default_factory=list)
    # Facts for the DL1-DL6 graph rules (see debtlint/facts/extract.py, "graph-rule facts").
    predictions: list[PredictionWrite] = field(default_factory=list)
    hyper_literals: list[HyperLiteral] = field(default_factory=list)
    config_reads: list[ConfigRead] = field(default_factory=list)
    # String keys used anywhere in subscripts and `.get("k")` calls, and (file, keys) of config
    # nodes splatted with `**`: evidence that a config key is used, for unused-config-key.
    config_key_hints: list[str] = field(default_factory=list)
    config_splats: list[ConfigRead] = field(default_factory=list)
    # Reads whose result is bound to a plain local name that is never used again (DL204).
    unused_reads: list[int] = field(default_factory=list)
    # Jupyter notebooks (debtlint/notebook.py): cells and the line map back from the joined
    # module; and, in any file, the places that run or import a notebook.
    notebook: NotebookInfo | None = None
    notebook_runs: list[NotebookRun] = field(default_factory=list)
    # What file rules with a project part (FileRule.project_facts) recorded, by rule code.
    rule_facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def location(self, span: Span) -> Location:
        """A span of this file's facts as a Location (in a notebook: cell, line in the cell)."""
        if self.notebook is not None:
            return self.notebook.location(self.path, span)
        return Location(self.path, span[0], span[1], span[2], span[3])
