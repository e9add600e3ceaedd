"""Plain-data facts extracted from one file in phase 1.

Everything here is made of str/int/float/bool/list/dict/None so that it can be cached as JSON and sent
between processes. Phase 2 turns a list of :class:`FileFacts` into the project graph.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Span = tuple[int, int, int, int]  # 1-based line, col, end_line, end_col


@dataclass
class PathValue:
    """Where a read or write goes: a resolved path/URI, or a symbolic form saying why not.

    ``value`` is normalised (POSIX, no ``./``), relative to the project root unless absolute or a URI.
    """

    value: str | None
    symbolic: str | None = None
    confidence: Literal["high", "medium", "low"] = "high"
    # A constant imported from another project module (`config.TRAIN_CSV`), resolved in phase 2.
    ref: str | None = None

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
class StatementStats:
    """Statement classes for the glue-code measure (see rules/dl4/glue_code_ratio.py)."""

    model: int = 0
    glue: int = 0
    other: int = 0
    ml_calls: int = 0
    ncloc: int = 0
    ml_packages: list[str] = field(default_factory=list)


@dataclass
class FileFacts:
    path: str
    module: str
    aliases: dict[str, str] = field(default_factory=dict)
    imported_modules: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)
    classes: list[ClassInfo] = field(default_factory=list)
    data: list[DataAccess] = field(default_factory=list)
    models: list[ModelSite] = field(default_factory=list)
    uses: list[ModelUse] = field(default_factory=list)
    stats: StatementStats = field(default_factory=StatementStats)
    parse_error: str | None = None
    is_test: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
