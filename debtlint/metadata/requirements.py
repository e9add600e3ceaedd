"""pip requirements files and lock files at the project root, for the dependency-pinning rule.

Only what a pinning check needs is parsed: each requirement's name, whether it is pinned to one
version (``==``/``===``, or a direct reference ``name @ url``), and its line. Options (``-r``,
``--hash``, ``--index-url``), editable installs and comments are skipped. Nothing is resolved or
downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Lock files of the common managers: with one of them, versions are pinned there.
LOCK_FILES = (
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    "Pipfile.lock",
    "conda-lock.yml",
    "pixi.lock",
    "requirements.lock",
)
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
_PINNED = re.compile(r"===?\s*[^\s,;*]+(\s*;.*)?$")
_CONSTRAINT = re.compile(r"^(-c|--constraint)[\s=]+(\S+)")


@dataclass(frozen=True)
class Requirement:
    name: str
    line: int
    pinned: bool
    text: str


@dataclass
class RequirementsFile:
    path: str  # relative to the project root, POSIX
    requirements: list[Requirement] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)  # `-c` files it names


@dataclass
class Requirements:
    files: list[RequirementsFile] = field(default_factory=list)
    lock_files: list[str] = field(default_factory=list)

    def pinned_names(self, paths: list[str]) -> set[str]:
        """Names pinned in the given files (constraints files)."""
        wanted = set(paths)
        return {r.name for f in self.files if f.path in wanted for r in f.requirements if r.pinned}


MAX_REQUIREMENTS_BYTES = 5 * 1024 * 1024


def load_requirements(root: Path) -> Requirements:
    found = Requirements()
    candidates = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    candidates += sorted(root.glob("constraints*.txt"))
    for path in candidates:
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(root).as_posix()
        try:
            if path.stat().st_size > MAX_REQUIREMENTS_BYTES:
                continue  # not a hand-written requirements file; never read it whole
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.files.append(parse_requirements(rel, text))
    found.lock_files = [name for name in LOCK_FILES if (root / name).is_file()]
    return found


def parse_requirements(path: str, text: str) -> RequirementsFile:
    parsed = RequirementsFile(path)
    for number, raw in enumerate(text.splitlines(), start=1):
        # pip: a comment starts with `#` at the start of a line or after whitespace.
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        constraint = _CONSTRAINT.match(line)
        if constraint:
            parsed.constraints.append(constraint.group(2))
            continue
        if line.startswith("-") or "://" in line.split("@", 1)[0]:
            continue  # options, editable installs, bare URLs
        match = _NAME.match(line)
        if not match:
            continue
        rest = line[match.end() :].strip()
        spec = rest.split(";", 1)[0].strip()
        pinned = spec.startswith("@") or (bool(_PINNED.search(spec)) and "," not in spec)
        name = match.group(1).lower().replace("_", "-")
        parsed.requirements.append(Requirement(name, number, pinned, line))
    return parsed
