"""Paths as code hosts want them: relative to the repository, not to the debtlint project root.

SARIF, GitHub annotations and GitLab reports resolve paths against the checkout. When the project
root is a sub-directory of the repository (a monorepo with `debtlint.yaml` in `ml/`), its findings
must carry the `ml/` prefix. The repository is the nearest directory holding `.git` (a directory,
or a file in worktrees and submodules); git itself is never run.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from debtlint.findings import Location


def repo_prefix(root: Path) -> str:
    """``"ml/"`` when ``root`` is ``<repo>/ml``; ``""`` at the repository root or outside one."""
    for candidate in (root, *root.parents):
        try:
            found = (candidate / ".git").exists()
        except OSError:
            found = False
        if found:
            relative = root.relative_to(candidate).as_posix()
            return "" if relative == "." else relative + "/"
    return ""


def repo_path(prefix: str, path: str) -> str:
    """A finding's path relative to the repository; ``"."`` (the project itself) is the prefix."""
    if path in ("", "."):
        return prefix.rstrip("/") or "."
    return str(PurePosixPath(prefix + path)) if prefix else path


def file_line(location: Location) -> int:
    """The line of the file itself: for a notebook cell, the ``.ipynb`` line holding the source."""
    if location.cell is not None:
        return location.file_line or 1
    return location.line
