"""Plain data shared by every stage: severities, locations and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(str, enum.Enum):
    """How bad a finding is. Only ``error`` fails the gate (exit code 1)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Confidence(str, enum.Enum):
    """How sure the analysis is; the score weights findings by it."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def weight(self) -> float:
        return {"high": 1.0, "medium": 0.7, "low": 0.4}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based source range inside the project, path relative to the project root (POSIX)."""

    path: str
    line: int = 1
    col: int = 1
    end_line: int | None = None
    end_col: int | None = None

    def display(self) -> str:
        """How text formats show the location: ``path:line:col``."""
        return f"{self.path}:{self.line}:{self.col}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.col,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_col if self.end_col is not None else self.col,
        }


@dataclass(frozen=True)
class Finding:
    """One reported problem. ``entity`` is the stable thing it is about (a dataset, a model, a module)."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    entity: str = ""
    confidence: Confidence = Confidence.HIGH
    help: str = ""
    # Rule-specific facts a reader (or the JSON consumer) may want, e.g. complexity factors.
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    fingerprint: str = ""

    @property
    def family(self) -> str:
        return self.code[:3]

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code, self.entity, self.message)

    def with_fingerprint(self, fingerprint: str) -> Finding:
        return replace(self, fingerprint=fingerprint)
