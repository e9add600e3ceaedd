"""Suppressions: ``# debtlint: ignore|fixme|file-ignore[CODES] reason`` comments and the
``per-file-ignores`` / ``per-rule-ignores`` settings (DESIGN.md §9).

Phase 1 reads the comments of each file with :func:`scan_comments` (plain data in
``FileFacts.suppressions``); the engine calls :func:`apply_suppressions` on the gathered findings:

- ``ignore`` (a false positive) and ``file-ignore`` remove the finding from the results and the
  score; it is listed, with its reason, in the JSON summary's ``suppressed``;
- ``fixme`` (known debt) keeps the finding with status ``fixme``: it counts in the score but does not
  fail the gate;
- a suppression that suppresses nothing (DL002), a blanket one without codes (DL003) and one naming
  a code that is no rule (DL004) are findings themselves.

A comment covers the logical line it trails (every physical line of a multi-line statement), or,
on its own line directly above a statement (no blank line between), the whole statement, and its
decorators' statement too when it sits above the decorators.
"""

from __future__ import annotations

import fnmatch
import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from pathspec import GitIgnoreSpec

from debtlint.config import ConfigError, Settings
from debtlint.facts.cells import NotebookInfo
from debtlint.facts.model import FileFacts, SuppressionComment
from debtlint.findings import Confidence, Finding, Location
from debtlint.loader import Registry
from debtlint.rule import RuleSet

DIRECTIVE = re.compile(
    r"#\s*debtlint\s*:\s*(?P<kind>file-ignore|ignore|fixme)\b\s*"
    r"(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)$",
    re.IGNORECASE,
)
UNUSED, BLANKET, UNKNOWN = "DL002", "DL003", "DL004"
HYGIENE_CODES = frozenset({UNUSED, BLANKET, UNKNOWN})
# Internal errors must reach the exit code whatever the comments say; the hygiene findings would
# suppress each other in circles.
UNSUPPRESSIBLE = HYGIENE_CODES | {"DL000"}


# ---------------------------------------------------------------------------------------------
# Phase 1: reading the comments


def parse_directive(comment: str) -> tuple[str, list[str], str] | None:
    """``(kind, codes, reason)`` of a ``# debtlint: ...`` comment; None for any other comment."""
    match = DIRECTIVE.search(comment)
    if match is None:
        return None
    codes_text = match.group("codes")
    codes = [c.strip() for c in re.split(r"[,\s]+", codes_text or "") if c.strip()]
    return match.group("kind").lower(), codes, match.group("reason").strip()


def scan_comments(source: str) -> list[SuppressionComment]:
    """The suppression comments of a file with the lines of the statement each one covers."""
    if "debtlint" not in source:  # most files have none; skip the tokenizer
        return []
    total_lines = source.count("\n") + 1
    try:
        found = _scan_tokens(source)
    except (tokenize.TokenError, SyntaxError):
        # The tokenizer of this Python may not know syntax libcst accepts; lines will do.
        found = _scan_lines(source)
    comments = []
    for (line, col, text), (first, last) in found:
        directive = parse_directive(text)
        if directive is None:
            continue
        kind, codes, reason = directive
        if kind == "file-ignore":
            first, last = 1, total_lines
        comments.append(
            SuppressionComment(
                kind=kind,  # type: ignore[arg-type]
                codes=codes,
                reason=reason,
                span=(line, col + 1, line, col + 1 + len(text)),
                first_line=first,
                last_line=last,
            )
        )
    return comments


_Comment = tuple[int, int, str]  # line, 0-based column, text


def _scan_tokens(source: str) -> list[tuple[_Comment, tuple[int, int]]]:
    found: list[tuple[_Comment, tuple[int, int]]] = []
    above: list[_Comment] = []  # own-line comments waiting for the statement below them
    leading: list[_Comment] = []  # the own-line comments above the logical line being read
    trailing: list[_Comment] = []  # comments inside or after the logical line being read
    start: int | None = None  # first line of the logical line being read
    decorator = False  # the logical line being read is a decorator
    carried_from: int | None = None  # first decorator line, while comments wait for their `def`
    last_comment_line = 0
    skip = {tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, text, row = token.type, token.string, token.start[0]
        if kind in skip:
            continue
        if kind == tokenize.COMMENT:
            last_comment_line = row
            if "debtlint" in text:
                (trailing if start is not None else above).append((row, token.start[1], text))
            continue
        if kind == tokenize.NL:
            if start is None and row != last_comment_line:
                # A blank line: the comments above it cover nothing below (but are reported unused).
                found.extend((c, (c[0], c[0])) for c in above)
                above = []
            continue
        if kind == tokenize.NEWLINE:
            if start is None:
                continue
            found.extend((c, (start, row)) for c in trailing)
            if decorator and leading:
                # Comments above a decorator cover the decorated `def`/`class` line too.
                carried_from = start if carried_from is None else carried_from
                above = leading + above
            else:
                first = carried_from if carried_from is not None else start
                found.extend((c, (first, row)) for c in leading)
                carried_from = None
            leading, trailing, start = [], [], None
            continue
        if start is None:
            start, decorator = row, text == "@"
            leading, above = above, []
    # Comments at the very end cover nothing but their own line.
    found.extend((c, (c[0], c[0])) for c in [*above, *leading, *trailing])
    return sorted(found)


def _scan_lines(source: str) -> list[tuple[_Comment, tuple[int, int]]]:
    """A fallback without the tokenizer: a trailing comment covers its line, an own-line comment
    the next line that is not a comment."""
    lines = source.splitlines()
    found: list[tuple[_Comment, tuple[int, int]]] = []
    for index, line in enumerate(lines):
        match = re.search(r"#\s*debtlint\s*:", line)
        if match is None:
            continue
        col = match.start()
        comment = (index + 1, col, line[col:])
        if line[:col].strip():
            found.append((comment, (index + 1, index + 1)))
            continue
        target = index + 1
        while target < len(lines) and lines[target].lstrip().startswith("#"):
            target += 1
        covered = target + 1 if target < len(lines) and lines[target].strip() else index + 1
        found.append((comment, (covered, covered)))
    return found


# ---------------------------------------------------------------------------------------------
# After the findings are gathered: applying them


@dataclass(frozen=True)
class Suppressed:
    """A finding left out of the results, and why: ``kind`` is ``ignore``, ``file-ignore``,
    ``per-file-ignores`` or ``per-rule-ignores``."""

    finding: Finding
    kind: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        f = self.finding
        return {
            "code": f.code,
            "path": f.location.path,
            "line": f.location.line,
            "entity": f.entity,
            "message": f.message,
            "fingerprint": f.fingerprint,
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)  # kept, with statuses, plus DL002-DL004
    suppressed: list[Suppressed] = field(default_factory=list)


def check_settings(settings: Settings, registry: Registry) -> None:
    """Every selector in ``per-file-ignores`` / ``per-rule-ignores`` must match a rule."""
    problems = [
        (f"per-file-ignores.{pattern}.{i}", sel)
        for pattern, selectors in settings.per_file_ignores
        for i, sel in enumerate(selectors)
    ] + [(f"per-rule-ignores.{sel}", sel) for sel in settings.per_rule_ignores]
    for key, selector in problems:
        if not registry.expand(selector):
            file, line = settings.line_of(key)
            raise ConfigError(
                file, line, key, f"{selector!r} matches no rule (see `debtlint rule --all`)"
            )


class _FileGlob:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.negated = pattern.startswith("!")
        self.spec = GitIgnoreSpec.from_lines([pattern[1:] if self.negated else pattern])

    def applies_to(self, path: str) -> bool:
        return self.spec.match_file(path) != self.negated


def apply_suppressions(
    findings: Sequence[Finding],
    facts: Iterable[FileFacts],
    settings: Settings,
    ruleset: RuleSet,
    registry: Registry,
) -> Outcome:
    outcome = Outcome()
    file_ignores = [
        (_FileGlob(pattern), _expand(registry, selectors))
        for pattern, selectors in settings.per_file_ignores
    ]
    rule_ignores = [
        (registry.expand(selector), selector, globs)
        for selector, globs in settings.per_rule_ignores.items()
    ]
    facts = list(facts)
    comments = {f.path: f.suppressions for f in facts if f.suppressions}
    # Comments in a notebook have lines of its joined module; its findings have cell lines.
    notebooks = {f.path: f.notebook for f in facts if f.notebook is not None}
    used: set[tuple[int, str]] = set()  # (id of the comment, code it suppressed)
    for finding in findings:
        reason = _configured(finding, file_ignores, rule_ignores)
        if reason is not None:
            outcome.suppressed.append(Suppressed(finding, *reason))
            continue
        comment = None
        if finding.code not in UNSUPPRESSIBLE:
            comment = _matching_comment(
                _in_module_lines(finding, notebooks),
                comments.get(finding.location.path, ()),
                registry,
            )
        if comment is None:
            outcome.findings.append(finding)
            continue
        used.add((id(comment), finding.code))
        if comment.kind == "fixme":
            outcome.findings.append(finding.with_status("fixme", comment.reason))
        else:
            outcome.suppressed.append(Suppressed(finding, comment.kind, comment.reason))
    hygiene = {r.code: r for r in ruleset.file_rules if r.code in HYGIENE_CODES}
    enabled = set(ruleset.codes())
    for path, file_comments in sorted(comments.items()):
        for comment in file_comments:
            for code, message, entity in _problems(comment, used, registry, enabled):
                rule = hygiene.get(code)
                if rule is None:
                    continue
                finding = Finding(
                    code=rule.code,
                    name=rule.name,
                    severity=rule.effective_severity(None),
                    message=message,
                    location=notebooks[path].location(path, comment.span)
                    if path in notebooks
                    else Location(path, *comment.span),
                    entity=entity,
                    confidence=Confidence.HIGH,
                    help=_HELP[code],
                )
                if not _configured(finding, file_ignores, rule_ignores):
                    outcome.findings.append(finding)
    return outcome


_HELP = {
    UNUSED: "Remove the comment, or the codes that no longer apply.",
    BLANKET: "Name the rules to silence, e.g. `# debtlint: ignore[DL201] reason`.",
    UNKNOWN: "Check the code with `debtlint rule --all`; a typo leaves the finding reported.",
}


def _expand(registry: Registry, selectors: Iterable[str]) -> set[str]:
    return {code for sel in selectors for code in registry.expand(sel)}


def _configured(
    finding: Finding,
    file_ignores: Sequence[tuple[_FileGlob, set[str]]],
    rule_ignores: Sequence[tuple[set[str], str, list[str]]],
) -> tuple[str, str] | None:
    if finding.code == "DL000":
        return None
    for glob, codes in file_ignores:
        if finding.code in codes and glob.applies_to(finding.location.path):
            return "per-file-ignores", f"per-file-ignores {glob.pattern!r}"
    for codes, selector, globs in rule_ignores:
        if finding.code in codes:
            for pattern in globs:
                if fnmatch.fnmatchcase(finding.entity, pattern):
                    return "per-rule-ignores", f"per-rule-ignores {selector}: {pattern!r}"
    return None


def _codes_of(comment: SuppressionComment, registry: Registry) -> set[str]:
    """The rule codes a comment names (codes or rule names); unknown ones are left out."""
    found = set()
    for written in comment.codes:
        rule = registry.get(written)
        if rule is not None:
            found.add(rule.code)
    return found


def _in_module_lines(finding: Finding, notebooks: dict[str, NotebookInfo]) -> Finding:
    """A notebook finding with its line counted in the notebook's joined module (for matching)."""
    loc = finding.location
    info = notebooks.get(loc.path)
    if info is None or loc.cell is None:
        return finding
    return replace(finding, location=replace(loc, line=info.module_line(loc.cell, loc.line)))


def _matching_comment(
    finding: Finding, comments: Sequence[SuppressionComment], registry: Registry
) -> SuppressionComment | None:
    """The comment that applies: one on the statement before a file-wide one, ``ignore`` before
    ``fixme``, naming the code before a blanket one."""
    line = finding.location.line
    candidates = [
        c
        for c in comments
        if (c.kind == "file-ignore" or c.first_line <= line <= c.last_line)
        and (not c.codes or finding.code in _codes_of(c, registry))
    ]
    order = {"ignore": 0, "fixme": 1, "file-ignore": 2}
    candidates.sort(key=lambda c: (order[c.kind], not c.codes, c.span))
    return candidates[0] if candidates else None


def _problems(
    comment: SuppressionComment, used: set[tuple[int, str]], registry: Registry, enabled: set[str]
) -> list[tuple[str, str, str]]:
    """(code, message, entity) of what is wrong with one suppression comment."""
    directive = f"{comment.kind}[{', '.join(comment.codes)}]" if comment.codes else comment.kind
    problems = []
    if not comment.codes:
        problems.append(
            (
                BLANKET,
                f"`# debtlint: {comment.kind}` without codes silences every rule here; "
                f"name the rules it is for",
                directive,
            )
        )
        if not any(key[0] == id(comment) for key in used):
            problems.append((UNUSED, f"`{directive}` suppresses nothing", directive))
        return problems
    unused = []
    for written in comment.codes:
        rule = registry.get(written)
        if rule is None:
            problems.append(
                (
                    UNKNOWN,
                    f"{written!r} is not a debtlint rule, so `{directive}` does not suppress it",
                    f"{comment.kind}[{written}]",
                )
            )
        elif (id(comment), rule.code) not in used:
            unused.append(written if rule.code in enabled else f"{written} (not enabled)")
    if unused:
        problems.append(
            (
                UNUSED,
                f"`{directive}` suppresses nothing for {', '.join(unused)}",
                f"{comment.kind}[{', '.join(sorted(u.split()[0] for u in unused))}]",
            )
        )
    return problems
