"""Find the files to lint: fast, deterministic, and never leaving the project through a symlink.

Directories are pruned as soon as they are seen to be excluded, ignored or a virtual environment,
so a checkout with a huge ``data/`` or ``node_modules/`` costs one directory entry, not a walk.
What is skipped deliberately (default or configured excludes, gitignored paths, other extensions)
is skipped silently; what a user may not expect (symlinks, virtual environments under another
name, unreadable directories, oversized files, explicitly named paths that are excluded) is
reported in ``Discovery.skipped``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pathspec import GitIgnoreSpec

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    ".venv",
    "venv",
    "env",
    ".env",
    "virtualenv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".debtlint_cache",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    ".eggs",
    "*.egg-info",
    ".ipynb_checkpoints",
    ".idea",
    ".vscode",
)

# A notebook's size is mostly its saved outputs (plots, tables), so it may be this many times
# max-file-size; the code in it is limited after reading (debtlint.notebook.MAX_CODE_CHARS).
NOTEBOOK_SIZE_FACTOR = 10

SYMLINK_REASON = "symlink not followed"
EXCLUDED_REASON = "excluded by configuration"
GITIGNORED_REASON = "ignored by .gitignore"


class _Patterns:
    """Compiled gitignore-style patterns, with a one-regex pre-check.

    Most paths match no pattern at all; a single search of the union of the patterns' regexes
    says so about three times faster than asking every pattern in turn, and the walk asks this
    for every entry. If the union cannot be built, every path takes the full check.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.spec = GitIgnoreSpec.from_lines(lines)
        sources = [
            # Named groups would clash once the regexes share one expression.
            re.sub(r"\(\?P<\w+>", "(?:", pattern.regex.pattern)
            for pattern in self.spec.patterns
            if pattern.include is not None and getattr(pattern, "regex", None) is not None
        ]
        try:
            self.union: re.Pattern[str] | None = re.compile("|".join(f"(?:{s})" for s in sources))
        except re.error:
            self.union = None
        self.empty = not sources

    def verdict(self, path: str) -> bool | None:
        """True: ignored, False: re-included by a negation, None: no pattern matches."""
        if self.empty or (self.union is not None and self.union.search(path) is None):
            return None
        return self.spec.check_file(path).include


# (directory relative to root, "" for the root; patterns of one ignore file there)
_Layer = tuple[str, _Patterns]


class DiscoveryError(ValueError):
    """A requested path cannot be linted (outside the root, missing, or a bad pattern)."""


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _exclude_patterns(
    exclude: Sequence[str], extend_exclude: Sequence[str], use_defaults: bool | None
) -> _Patterns:
    if use_defaults is None:
        # An empty ``exclude`` cannot say "exclude nothing"; that takes use_default_excludes=False.
        use_defaults = not exclude
    # Default names are directories only: a module called ``env.py`` or ``build.py`` is source.
    defaults = [f"{name}/" for name in DEFAULT_EXCLUDES] if use_defaults else []
    base = [*defaults, *exclude]
    try:
        return _Patterns([*base, *extend_exclude])
    except (ValueError, re.error) as exc:
        raise DiscoveryError(f"invalid exclude pattern: {exc}") from None


def discover(
    root: Path,
    paths: Sequence[Path] = (),
    *,
    exclude: Sequence[str] = (),
    extend_exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    extensions: Sequence[str] = (".py",),
    max_file_size: int | None = None,
    use_default_excludes: bool | None = None,
) -> Discovery:
    """Files under ``root`` (or under the given ``paths``) to lint, as sorted POSIX relative paths.

    Relative ``paths`` are taken relative to the current directory, as a command line would.
    ``exclude`` replaces the default excludes unless ``use_default_excludes`` says otherwise
    (True: defaults plus ``exclude``; False: ``exclude`` alone, even when empty).
    """
    root_abs = Path(os.path.abspath(root))
    if not root_abs.is_dir():
        raise DiscoveryError(f"project root {root} is not a directory")
    excludes = _exclude_patterns(exclude, extend_exclude, use_default_excludes)
    walker = _Walker(root_abs, excludes, respect_gitignore, tuple(extensions), max_file_size)
    for path in paths or [root_abs]:
        walker.visit(_relative(root_abs, path), path)
    return Discovery(sorted(walker.files), sorted(walker.skipped.items()))


def _relative(root_abs: Path, path: Path) -> str:
    candidate = Path(os.path.abspath(path))
    try:
        rel = candidate.relative_to(root_abs)
    except ValueError:
        # The same place may be spelled through a symlinked ancestor (macOS /tmp); compare the
        # resolved forms, but leave the last component alone so a symlink itself is still seen.
        try:
            resolved = candidate.parent.resolve() / candidate.name
            rel = resolved.relative_to(root_abs.resolve())
        except (ValueError, OSError):
            raise DiscoveryError(f"{path} is outside the project root {root_abs}") from None
    return rel.as_posix() if rel.parts else ""


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def _compile_ignore_file(file: str) -> _Patterns | None:
    try:
        with open(file, "rb") as handle:
            lines = handle.read().decode("utf-8-sig", "replace").splitlines()
    except OSError:
        return None
    try:
        patterns = _Patterns(lines)
    except (ValueError, re.error):
        # Git skips lines it cannot parse; keep the rest rather than dropping the whole file.
        good = []
        for line in lines:
            try:
                GitIgnoreSpec.from_lines([line])
            except (ValueError, re.error):
                continue
            good.append(line)
        patterns = _Patterns(good)
    return None if patterns.empty else patterns


def _is_venv(entries: Iterable[os.DirEntry[str]]) -> str | None:
    for entry in entries:
        if entry.name == "pyvenv.cfg" and entry.is_file(follow_symlinks=False):
            return "virtual environment (pyvenv.cfg)"
        if entry.name == "conda-meta" and entry.is_dir(follow_symlinks=False):
            return "conda environment (conda-meta/)"
    return None


class _Walker:
    def __init__(
        self,
        root: Path,
        excludes: _Patterns,
        respect_gitignore: bool,
        extensions: tuple[str, ...],
        max_file_size: int | None,
    ) -> None:
        self.root = str(root)
        self.excludes = excludes
        self.respect_gitignore = respect_gitignore
        self.extensions = extensions
        self.max_file_size = max_file_size
        self.files: set[str] = set()
        self.skipped: dict[str, str] = {}
        # .git/info/exclude ranks below every .gitignore, so it is the outermost layer.
        info = _compile_ignore_file(os.path.join(self.root, ".git", "info", "exclude"))
        self._base: tuple[_Layer, ...] = (("", info),) if info and respect_gitignore else ()
        self._chains: dict[str, tuple[_Layer, ...]] = {}

    def _abs(self, rel: str) -> str:
        return os.path.join(self.root, rel) if rel else self.root

    def visit(self, rel: str, given: Path) -> None:
        """Lint one user-named path: the walk starts here, with its ancestors' ignore files."""
        parts = rel.split("/") if rel else []
        for depth in range(1, len(parts) + 1):
            if os.path.islink(self._abs("/".join(parts[:depth]))):
                self.skipped[rel] = SYMLINK_REASON
                return
        if not os.path.lexists(self._abs(rel)):
            raise DiscoveryError(f"{given} does not exist")
        if not rel:
            self._walk("", self._base)
            return
        is_dir = os.path.isdir(self._abs(rel))
        parent = rel.rpartition("/")[0]
        if self.excludes.verdict(rel + "/" if is_dir else rel):
            self.skipped[rel] = EXCLUDED_REASON
        elif not is_dir:
            # A file named on the command line is wanted even if gitignored.
            if rel.endswith(self.extensions):
                self._add_file(rel, None)
            else:
                self.skipped[rel] = f"not a {'/'.join(self.extensions)} file"
        elif self._gitignored(rel, True, self._chain(parent)):
            self.skipped[rel] = GITIGNORED_REASON
        else:
            self._walk(rel, self._chain(parent))

    def _chain(self, rel: str) -> tuple[_Layer, ...]:
        """Ignore layers in force for the entries of directory ``rel``."""
        if not self.respect_gitignore:
            return ()
        if rel not in self._chains:
            chain = self._chain(rel.rpartition("/")[0]) if rel else self._base
            own = self._ignore_file_in(rel)
            self._chains[rel] = (*chain, (rel, own)) if own else chain
        return self._chains[rel]

    def _ignore_file_in(self, rel: str) -> _Patterns | None:
        file = os.path.join(self._abs(rel), ".gitignore")
        # Like git, a .gitignore that is a symlink is not read.
        if os.path.isfile(file) and not os.path.islink(file):
            return _compile_ignore_file(file)
        return None

    def _gitignored(self, rel: str, is_dir: bool, chain: tuple[_Layer, ...]) -> bool:
        # Deeper ignore files override shallower ones; within one file the last match wins.
        for base, patterns in reversed(chain):
            sub = rel[len(base) + 1 :] if base else rel
            verdict = patterns.verdict(sub + "/" if is_dir else sub)
            if verdict is not None:
                return verdict
        return False

    def _excluded(self, rel: str, is_dir: bool, chain: tuple[_Layer, ...]) -> bool:
        if self.excludes.verdict(rel + "/" if is_dir else rel):
            return True
        return bool(chain) and self._gitignored(rel, is_dir, chain)

    def _add_file(self, rel: str, entry: os.DirEntry[str] | None) -> None:
        if self.max_file_size is not None:
            try:
                stat = entry.stat(follow_symlinks=False) if entry else os.lstat(self._abs(rel))
                size = stat.st_size
            except OSError as exc:
                self.skipped[rel] = _reason(exc)
                return
            limit = self.max_file_size
            if rel.endswith(".ipynb"):
                limit *= NOTEBOOK_SIZE_FACTOR
            if size > limit:
                self.skipped[rel] = f"larger than {limit} bytes ({size} bytes)"
                return
        self.files.add(rel)

    def _walk(self, start: str, chain: tuple[_Layer, ...]) -> None:
        stack = [(start, chain)]
        while stack:
            rel, chain = stack.pop()
            try:
                with os.scandir(self._abs(rel)) as scan:
                    entries = list(scan)
            except OSError as exc:
                self.skipped[rel or "."] = _reason(exc)
                continue
            # The project root may itself hold a pyvenv.cfg (``python -m venv .``); only
            # environments *inside* the project are skipped.
            venv = _is_venv(entries) if rel else None
            if venv:
                self.skipped[rel] = venv
                continue
            if self.respect_gitignore and any(e.name == ".gitignore" for e in entries):
                own = self._ignore_file_in(rel)
                chain = (*chain, (rel, own)) if own else chain
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                try:
                    self._classify(entry, path, chain, stack)
                except OSError as exc:
                    self.skipped[path] = _reason(exc)

    def _classify(
        self,
        entry: os.DirEntry[str],
        path: str,
        chain: tuple[_Layer, ...],
        stack: list[tuple[str, tuple[_Layer, ...]]],
    ) -> None:
        if entry.is_symlink():
            try:
                # The target's type decides whether directory patterns (``.venv/``) apply; the
                # target itself is never entered. A loop or dangling link counts as a file.
                points_to_dir = entry.is_dir()
            except OSError:
                points_to_dir = False
            if self._excluded(path, points_to_dir, chain):
                return
            if points_to_dir or path.endswith(self.extensions):
                self.skipped[path] = SYMLINK_REASON
        elif entry.is_dir(follow_symlinks=False):
            if not self._excluded(path, True, chain):
                stack.append((path, chain))
        elif (
            entry.name.endswith(self.extensions)
            and entry.is_file(follow_symlinks=False)
            and not self._excluded(path, False, chain)
        ):
            self._add_file(path, entry)
