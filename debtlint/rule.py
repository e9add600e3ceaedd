"""The rule API: one class per rule holds its code, documentation, options, examples and logic.

A :class:`FileRule` is a visitor over one file's libcst tree: it defines ``visit_<Node>`` /
``leave_<Node>`` methods that the engine calls during its single batched walk, and calls
:meth:`FileRule.report`. A :class:`ProjectRule` is a query over the read-only project graph in
:meth:`ProjectRule.check`. Both take typed, validated options and carry their examples, which are their
tests (``VALID`` gives no finding, ``INVALID`` marks expected lines with ``# expect: DL201``).
"""

from __future__ import annotations

import enum
import inspect
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from debtlint.findings import Confidence, Finding, Location, Severity

if TYPE_CHECKING:
    from debtlint.facts.context import FileContext
    from debtlint.graph import ProjectGraph

CODE_RE = re.compile(r"^DL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_HEADINGS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Options",
    "References",
)

FAMILIES: dict[str, str] = {
    "DL0": "engine",
    "DL1": "boundaries",
    "DL2": "data-dependencies",
    "DL3": "feedback-loops",
    "DL4": "system-anti-patterns",
    "DL5": "configuration",
    "DL6": "external-world",
    "DL7": "leakage",
    "DL8": "reproducibility",
    "DL9": "api-smells",
}


class Status(str, enum.Enum):
    STABLE = "stable"
    PREVIEW = "preview"  # off unless selected explicitly
    DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Option:
    """A typed rule option. ``check`` may reject values that have the right type but make no sense."""

    type: type | tuple[type, ...]
    default: Any
    doc: str
    check: Callable[[Any], bool] | None = None
    check_doc: str = ""

    def validate(self, value: Any) -> str | None:
        """Return an error message, or None when ``value`` is acceptable."""
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        # bool is an int in Python; a YAML `true` must not pass as a number.
        if isinstance(value, bool) and bool not in types:
            return f"expected {_type_names(types)}, got a boolean"
        if float in types and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, types):
            return f"expected {_type_names(types)}, got {type(value).__name__}"
        if self.check is not None and not self.check(value):
            return f"invalid value {value!r}: {self.check_doc or 'rejected by the rule'}"
        return None


def _type_names(types: tuple[type, ...]) -> str:
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "a boolean",
        list: "a list",
    }
    return " or ".join(names.get(t, t.__name__) for t in types)


@dataclass(frozen=True)
class ProjectExample:
    """A whole little project used as a rule example: ``files`` maps relative paths to contents.

    Lines that should be reported carry a ``# expect: DLxxx`` comment (any file type that accepts
    ``#`` comments: Python, YAML, CODEOWNERS).
    """

    files: Mapping[str, str]
    description: str = ""

    def dedented(self) -> dict[str, str]:
        return {path: textwrap.dedent(text).lstrip("\n") for path, text in self.files.items()}


Example = str | ProjectExample


class Rule:
    """Common metadata and reporting for every rule; subclass :class:`FileRule` or :class:`ProjectRule`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    status: ClassVar[Status] = Status.STABLE
    # Remediation effort in minutes for one finding: the unit of the score's debt ratio.
    remediation_minutes: ClassVar[int] = 15
    options: ClassVar[Mapping[str, Option]] = {}
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()
    # Findings made by the engine itself (DL000): no visitor logic and no examples.
    ENGINE: ClassVar[bool] = False

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        values = {key: opt.default for key, opt in self.options.items()}
        values.update(options or {})
        self.opts: dict[str, Any] = values
        self.severity_override: Severity | None = None
        self._findings: list[Finding] = []

    @classmethod
    def family(cls) -> str:
        return FAMILIES.get(cls.code[:3], "other")

    @classmethod
    def summary(cls) -> str:
        doc = inspect.getdoc(cls) or ""
        return doc.strip().splitlines()[0] if doc.strip() else cls.name

    @classmethod
    def documentation(cls) -> str:
        return inspect.getdoc(cls) or ""

    @classmethod
    def validate_options(cls, values: Mapping[str, Any]) -> list[str]:
        errors = []
        for key, value in values.items():
            opt = cls.options.get(key)
            if opt is None:
                known = ", ".join(sorted(cls.options)) or "none"
                errors.append(f"unknown option {key!r} for {cls.code} (known: {known})")
                continue
            problem = opt.validate(value)
            if problem:
                errors.append(f"option {key!r} of {cls.code}: {problem}")
        return errors

    def effective_severity(self, severity: Severity | None) -> Severity:
        if self.severity_override is not None:
            return self.severity_override
        return severity or self.severity

    def _emit(
        self,
        location: Location,
        message: str,
        *,
        entity: str,
        severity: Severity | None,
        confidence: Confidence,
        help: str,
        properties: Mapping[str, Any] | None,
    ) -> None:
        self._findings.append(
            Finding(
                code=self.code,
                name=self.name,
                severity=self.effective_severity(severity),
                message=message,
                location=location,
                entity=entity,
                confidence=confidence,
                help=help,
                properties=dict(properties or {}),
            )
        )

    def take_findings(self) -> list[Finding]:
        found, self._findings = self._findings, []
        return found


class FileRule(Rule):
    """A rule that looks at one file. Define ``visit_<Node>``/``leave_<Node>`` methods (libcst node
    class names) and call :meth:`report`. ``self.ctx`` is the file being walked."""

    ctx: FileContext

    def start(self, ctx: FileContext) -> None:
        """Called before the walk of each file; override to reset per-file state (call super)."""
        self.ctx = ctx

    def finish(self) -> None:
        """Called after the walk of each file."""

    def project_facts(self) -> Any:
        """Plain data (JSON values) this file gives the rule's project part, read after
        :meth:`finish`; None gives nothing. It is stored with the file's facts, in
        ``FileFacts.rule_facts[code]``, so it is cached and crosses process boundaries."""
        return None

    def check_project(self, graph: ProjectGraph) -> None:
        """Phase 2 of a file rule whose verdict needs the whole project (another module may
        change what one file shows). Reads each file's ``rule_facts.get(self.code)`` and reports
        at a :class:`Location`. Runs once per scan, after the project rules."""

    def report(
        self,
        node: cst.CSTNode | Location,
        message: str,
        *,
        entity: str = "",
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        help: str = "",
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Report at a node, or at a location in this file (a comment from ``ctx.comments``)."""
        self._emit(
            node if isinstance(node, Location) else self.ctx.location(node),
            message,
            entity=entity,
            severity=severity,
            confidence=confidence,
            help=help,
            properties=properties,
        )


class ProjectRule(Rule):
    """A rule over the whole project: a query on the read-only :class:`ProjectGraph`."""

    def check(self, graph: ProjectGraph) -> None:
        raise NotImplementedError

    def report(
        self,
        location: Location,
        message: str,
        *,
        entity: str = "",
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        help: str = "",
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        self._emit(
            location,
            message,
            entity=entity,
            severity=severity,
            confidence=confidence,
            help=help,
            properties=properties,
        )


def rule_problems(rule: type[Rule]) -> list[str]:
    """What is wrong with a rule class's metadata; used by the loader and by the example tests."""
    problems = []
    code = getattr(rule, "code", "")
    if not CODE_RE.match(code or ""):
        problems.append(f"{rule.__name__}: code {code!r} is not DL followed by three digits")
    if not NAME_RE.match(getattr(rule, "name", "") or ""):
        problems.append(f"{rule.__name__}: name must be kebab-case")
    doc = rule.documentation()
    missing = [h for h in DOC_HEADINGS if f"## {h}" not in doc]
    if missing:
        problems.append(f"{code}: docstring lacks the headings {', '.join(missing)}")
    if not rule.INVALID and not rule.ENGINE:
        problems.append(f"{code}: has no INVALID example")
    return problems


@dataclass
class RuleSet:
    """The rules that will run, instantiated with their options, and why each other rule will not."""

    file_rules: list[FileRule] = field(default_factory=list)
    project_rules: list[ProjectRule] = field(default_factory=list)
    disabled: dict[str, str] = field(default_factory=dict)

    @property
    def all(self) -> list[Rule]:
        return [*self.file_rules, *self.project_rules]

    def codes(self) -> list[str]:
        return sorted(r.code for r in self.all)
