"""GitHub CODEOWNERS: who owns a path, read the way GitHub reads the file (not the way git would).

Differences from gitignore that matter here: the last matching line wins outright (no negation),
``docs/*`` owns only files directly in ``docs/``, and a line GitHub cannot parse is skipped as a
whole. Each such line is reported in ``problems``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

SEARCH_ORDER: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
# GitHub does not load a CODEOWNERS file above this size.
MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024

# A backslash escapes the next character, so "my\ file.txt" is one token.
_TOKEN = re.compile(r"(?:\\.|\S)+")
_USER_OR_TEAM = re.compile(r"@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WILDCARD = re.compile(r"[*?\[\]\\]")
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)[\[\]]")
# pathspec's class for one gitignore pattern, taken from a spec rather than named, so the code
# works with pathspec 0.x and 1.x alike and avoids the deprecated "gitwildmatch" name.
_PATTERN_CLASS = type(GitIgnoreSpec.from_lines(["x"]).patterns[0])


@dataclass(frozen=True)
class OwnerMatch:
    owners: tuple[str, ...]
    pattern: str
    file: str
    line: int


@dataclass(frozen=True)
class _Rule:
    match: OwnerMatch
    regex: re.Pattern[str]
    # "dir/*" in CODEOWNERS owns the files directly inside dir, not those in its subdirectories.
    direct_children_only: bool
    # The literal first path segment every match must start with, when the pattern has one.
    top: str | None


class CodeOwners:
    """One CODEOWNERS file; ``problems`` are (line, message), line 0 for the file as a whole."""

    def __init__(self, file: str, rules: list[_Rule], problems: list[tuple[int, str]]) -> None:
        self.file = file
        self.problems = problems
        self._rules = rules
        # Most lines are anchored at a literal top-level directory ("/src/api/", "docs/*"); a
        # path can only match those filed under its own first segment, so each path is tried
        # against that bucket plus the unanchored lines, newest first, instead of every line.
        general = [rule for rule in rules if rule.top is None]
        buckets: dict[str, list[_Rule]] = {}
        for rule in rules:
            if rule.top is not None:
                buckets.setdefault(rule.top, []).append(rule)
        self._general = general[::-1]
        self._buckets = {
            top: sorted(general + own, key=lambda rule: rule.match.line, reverse=True)
            for top, own in buckets.items()
        }

    def __repr__(self) -> str:
        return f"CodeOwners({self.file!r}, {len(self._rules)} rules, {len(self.problems)} problems)"

    @property
    def rules(self) -> list[OwnerMatch]:
        """Every usable line, in file order (a rule with no owners un-owns its paths)."""
        return [rule.match for rule in self._rules]

    @classmethod
    def load(cls, root: Path) -> CodeOwners | None:
        """The first CODEOWNERS file in GitHub's search order, or None if there is none."""
        real_root = os.path.realpath(root)
        for rel in SEARCH_ORDER:
            file = os.path.join(root, rel)
            if not os.path.isfile(file):
                continue
            # A symlink is followed only while it stays inside the repository.
            if os.path.commonpath([real_root, os.path.realpath(file)]) != real_root:
                continue
            try:
                if os.path.getsize(file) > MAX_CODEOWNERS_BYTES:
                    return cls(rel, [], [(0, "larger than 3 MiB, so GitHub ignores it")])
                with open(file, "rb") as handle:
                    text = handle.read().decode("utf-8-sig", "replace")
            except OSError as exc:
                return cls(rel, [], [(0, f"cannot read: {exc.strerror or exc}")])
            return cls.parse(text, rel)
        return None

    @classmethod
    def parse(cls, text: str, file: str) -> CodeOwners:
        rules: list[_Rule] = []
        problems: list[tuple[int, str]] = []
        owners: list[str]
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            tokens = _TOKEN.findall(line)
            pattern, owners = tokens[0], []
            for token in tokens[1:]:
                if token.startswith("#"):
                    break
                owners.append(token)
            problem = _pattern_problem(pattern) or _owners_problem(owners)
            compiled = None if problem else _compile(pattern)
            if compiled is None:
                problems.append((number, problem or f"invalid pattern {pattern!r}; line ignored"))
                continue
            match = OwnerMatch(tuple(owners), pattern, file, number)
            rules.append(_Rule(match, compiled, _is_direct_children(pattern), _top(pattern)))
        return cls(file, rules, problems)

    def owners_of(self, path: str) -> OwnerMatch | None:
        """The rule that decides ``path`` (relative to the root), or None if nobody owns it."""
        path = path.replace("\\", "/").lstrip("/")
        while path.startswith("./"):
            path = path[2:]
        parent = path.rpartition("/")[0]
        for rule in self._buckets.get(path.partition("/")[0], self._general):
            if rule.regex.search(path) is None:
                continue
            if rule.direct_children_only and parent and rule.regex.search(parent):
                continue
            return rule.match if rule.match.owners else None
        return None


def _pattern_problem(pattern: str) -> str | None:
    if pattern.startswith("!"):
        return "negation (!) is not supported in CODEOWNERS; line ignored"
    if _UNESCAPED_BRACKET.search(pattern):
        return "character ranges ([ ]) are not supported in CODEOWNERS; line ignored"
    return None


def _owners_problem(owners: list[str]) -> str | None:
    for owner in owners:
        if not (_USER_OR_TEAM.fullmatch(owner) or _EMAIL.fullmatch(owner)):
            return f"owner {owner!r} is not @user, @org/team or an email address; line ignored"
    return None


def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        compiled = _PATTERN_CLASS(pattern)
    except (ValueError, re.error):
        return None
    regex = getattr(compiled, "regex", None)
    return regex if compiled.include and isinstance(regex, re.Pattern) else None


def _is_direct_children(pattern: str) -> bool:
    # "docs/**/*" still reaches every depth through its "**".
    return pattern.endswith("/*") and not pattern.endswith(("\\*", "**/*"))


def _top(pattern: str) -> str | None:
    # gitignore anchors a pattern with a slash at its start or in its middle to the root.
    body = pattern.removeprefix("/")
    first, slash, _ = body.partition("/")
    anchored = pattern.startswith("/") or (bool(slash) and body.rstrip("/") != first)
    if not anchored or not first or _WILDCARD.search(first):
        return None
    return first
