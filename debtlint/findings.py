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


@dataclass(frozen=True)
class Location:
    """A 1-based source range inside the project, path relative to the project root (POSIX).

    In a Jupyter notebook, ``cell`` is the 1-based number of the cell counting every cell
    (markdown and raw cells too: ``cells[cell - 1]`` in the JSON), and ``line``/``col``/``end_*``
    are inside that cell's source. ``file_line`` is the line of the ``.ipynb`` file where that
    source line is stored (a notebook saved by Jupyter keeps one source line per JSON line), for
    formats that can only point at lines of files. Both are None for other files.

    SARIF (and any format that needs a file region): use :meth:`file_region` for the region and
    :meth:`notebook_properties` for a property bag that names the cell; a notebook finding's
    region is the ``.ipynb`` line that holds the source line, without columns (columns in the JSON
    text would not match the cell's columns).
    """

    path: str
    line: int = 1
    col: int = 1
    end_line: int | None = None
    end_col: int | None = None
    cell: int | None = None
    file_line: int | None = None

    def _key(self) -> tuple[str, int, int, int, int, int]:
        return (
            self.path,
            self.cell or 0,
            self.line,
            self.col,
            self.end_line if self.end_line is not None else self.line,
            self.end_col if self.end_col is not None else self.col,
        )

    # Ordered by cell before line, and never comparing None with a number.
    def __lt__(self, other: Location) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Location) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Location) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Location) -> bool:
        return self._key() >= other._key()

    def display(self) -> str:
        """How text formats show the location: ``path:line:col``, ``path:cell 7:line:col``."""
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:{self.line}:{self.col}"
        return f"{self.path}:{self.line}:{self.col}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.col,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_col if self.end_col is not None else self.col,
        }
        if self.cell is not None:
            out["cell"] = self.cell
        return out

    def file_region(self) -> dict[str, int]:
        """A SARIF 2.1.0 ``region`` (1-based) counting lines of the file at ``path``."""
        if self.cell is not None:
            return {"startLine": self.file_line or 1}
        region = {"startLine": self.line, "startColumn": self.col}
        if self.end_line is not None:
            region["endLine"] = self.end_line
        if self.end_col is not None:
            region["endColumn"] = self.end_col
        return region

    def notebook_properties(self) -> dict[str, int]:
        """``{"cell": 7, "cellLine": 3, "cellColumn": 5}`` for a notebook location, else ``{}``."""
        if self.cell is None:
            return {}
        return {"cell": self.cell, "cellLine": self.line, "cellColumn": self.col}


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
    # "new"; "fixme" (a `# debtlint: fixme` comment) or "baselined" (in the baseline file): still
    # counted in the score, but not failing the gate. ``status_reason`` is the ticket or baseline.
    status: str = "new"
    status_reason: str = ""

    @property
    def family(self) -> str:
        return self.code[:3]

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (loc.path, loc.cell or 0, loc.line, loc.col, self.code, self.entity, self.message)

    def with_fingerprint(self, fingerprint: str) -> Finding:
        return replace(self, fingerprint=fingerprint)

    def with_status(self, status: str, reason: str = "") -> Finding:
        return replace(self, status=status, status_reason=reason)

    @property
    def fails_gate(self) -> bool:
        """An error-severity finding that is neither baselined nor marked fixme."""
        return self.severity is Severity.ERROR and self.status == "new"
