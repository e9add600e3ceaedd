"""Static evidence of ML engineering practice for the score: CI, declared dependencies, model cards.

Only a fixed, small set of files at known places is read (CI configurations, dependency
manifests), each at most :data:`MAX_BYTES`, never through a symlink; folders are listed, never
walked recursively. Nothing is executed, imported or written. What the code itself shows (tests,
seeds) comes from the phase-1 facts and is scored in :mod:`debtlint.score`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_BYTES = 512 * 1024  # a hand-written CI or dependency file is far smaller
MAX_FILES_PER_FOLDER = 50  # .github/workflows of a large monorepo; more is not more evidence

# CI systems and where they keep their configuration (files, or folders of YAML files).
CI_FILES = (
    ".gitlab-ci.yml",
    ".travis.yml",
    ".circleci/config.yml",
    "azure-pipelines.yml",
    ".azure-pipelines.yml",
    "appveyor.yml",
    ".appveyor.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    ".drone.yml",
    ".cirrus.yml",
    "cloudbuild.yaml",
    "cloudbuild.yml",
)
CI_FOLDERS = (".github/workflows", ".buildkite", ".azure-pipelines", ".ci")
# A CI job that runs tests says one of these somewhere: a test runner, a task runner's test task
# (tox, nox, `make test`/`make tests`/`make unit-test`, `hatch test`, `pixi run test`, `just test`),
# a script named for running tests (`./run_tests.sh`, `script/test`, `python tests/run.py`) or
# CircleCI's python orb `python/test` job.
RUNS_TESTS = re.compile(
    r"\b(pytest|py\.test|unittest|nosetests|nose2|tox|nox|bazel\s+test"
    r"|make\s+(?:[\w-]*test[\w-]*|check)|coverage\s+run|setup\.py\s+test"
    r"|(?:hatch|pdm|pixi|rye|uv|poetry|just|invoke|inv|task)\s+(?:run\s+)?tests?"
    r"|python/test)\b"
    r"|(?:^|[\s/'\"=])(?:run[-_]?)?(?:unit[-_]?)?tests?(?:[-_][\w-]+)?\.(?:sh|bash|py)\b"
    r"|\bscripts?/(?:run[-_]?)?tests?\b|\btests?/[\w./-]+\.py\b",
    re.MULTILINE,
)
# CI configuration that pulls jobs from files debtlint does not read (GitLab's top-level
# `include:`, a reusable workflow of another repository, Azure `template:`, CircleCI orbs, Travis
# `import:`, a Jenkins shared library): a test run may be hidden there. (An indented `include:`
# is a GitHub matrix entry, not an include.)
DELEGATES = re.compile(
    r"^(?:include|orbs|import)\s*:|^\s*(?:-\s*)?template\s*:"
    r"|\buses:\s*['\"]?[\w.-]+/[\w.-]+/\.github/workflows/|@Library\b",
    re.MULTILINE,
)
# A CI job that runs pre-commit runs the hooks of `.pre-commit-config.yaml`, which may run tests.
RUNS_PRE_COMMIT = re.compile(r"\bpre-commit\s+run\b|\bpre-commit/action@|\bprek\s+run\b")
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
# Files that only a repository root has (or a checkout exported from one, such as a snapshot).
REPOSITORY_MARKERS = (
    ".git",
    ".hg",
    ".gitignore",
    ".gitattributes",
    ".github",
    ".gitlab",
    ".hgignore",
)
MAX_PARENTS = 64  # how far up to look for an enclosing repository
# Dependency manifests: a project that declares what it needs, pinned or not.
_SETUP_DEPS = re.compile(r"\b(install_requires|requires)\s*=")
_PYPROJECT_DEPS = re.compile(
    r"^\s*(dependencies\s*=|\[tool\.poetry\.dependencies\]|\[project\.optional-dependencies\])",
    re.MULTILINE,
)
_ENV_DEPS = re.compile(r"^dependencies\s*:", re.MULTILINE)
MANIFESTS = (
    ("setup.py", _SETUP_DEPS),
    ("setup.cfg", re.compile(r"^\s*install_requires\s*=", re.MULTILINE)),
    ("pyproject.toml", _PYPROJECT_DEPS),
    ("environment.yml", _ENV_DEPS),
    ("environment.yaml", _ENV_DEPS),
    ("conda.yaml", _ENV_DEPS),
    ("Pipfile", re.compile(r"^\[packages\]", re.MULTILINE)),
)
# Model cards (Mitchell et al. 2019): a file by that name, or a Hugging Face card's front matter.
MODEL_CARD_NAME = re.compile(r"^(model[_-]?card.*|.*\.modelcard)\.(md|markdown|ya?ml|json)$", re.I)
HF_CARD_FRONT_MATTER = re.compile(r"\A---\s*\n(?:.*\n){0,60}?(model-index|pipeline_tag)\s*:", re.M)


@dataclass
class CiEvidence:
    files: list[str] = field(default_factory=list)
    runs_tests: list[str] = field(default_factory=list)  # the CI files that run tests
    # CI files that pull jobs from configuration not read here (includes, remote templates).
    delegates: list[str] = field(default_factory=list)
    # Whether the root is where CI configuration would live: a repository root (or an exported
    # copy of one), not a folder inside a larger repository or a bare copy of some code (an
    # sdist, a vendored folder). Where it is not, missing CI files say nothing.
    repository_root: bool = False


@dataclass
class ProjectEvidence:
    ci: CiEvidence = field(default_factory=CiEvidence)
    manifests: list[str] = field(default_factory=list)  # dependency manifests that declare some
    model_cards: list[str] = field(default_factory=list)


def read_small(path: Path) -> str | None:
    """The text of a regular file under :data:`MAX_BYTES`, else None (symlinks are not followed)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _listed(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    try:
        if folder.is_symlink() or not folder.is_dir():
            return []
        entries = sorted(p for p in folder.iterdir() if p.name.endswith(suffixes))
    except OSError:
        return []
    return entries[:MAX_FILES_PER_FOLDER]


def ci_evidence(root: Path) -> CiEvidence:
    found = CiEvidence()
    candidates = [root / name for name in CI_FILES]
    for folder in CI_FOLDERS:
        candidates.extend(_listed(root / folder, (".yml", ".yaml")))
    for path in candidates:
        text = read_small(path)
        if text is None:
            continue
        rel = path.relative_to(root).as_posix()
        found.files.append(rel)
        if RUNS_TESTS.search(text) or (RUNS_PRE_COMMIT.search(text) and _pre_commit_tests(root)):
            found.runs_tests.append(rel)
        if DELEGATES.search(text):
            found.delegates.append(rel)
    found.repository_root = is_repository_root(root)
    return found


def _pre_commit_tests(root: Path) -> bool:
    """Whether a hook of the pre-commit configuration runs tests. Counted only when a CI job runs
    pre-commit: hooks on developers' machines can be skipped or never installed."""
    text = read_small(root / PRE_COMMIT_CONFIG)
    return text is not None and RUNS_TESTS.search(text) is not None


def is_repository_root(root: Path) -> bool:
    """The root holds a ``.git``/``.hg``, or, when no folder above it does, a file or folder that
    only repository roots have (``.gitignore``, ``.github``, ...: a snapshot of a repository
    without its history). A folder inside a larger repository is not one: its CI lives above."""
    try:
        if any((root / vcs).exists() for vcs in (".git", ".hg")):
            return True
        for parent in list(root.resolve().parents)[:MAX_PARENTS]:
            if (parent / ".git").exists() or (parent / ".hg").exists():
                return False
        return any((root / marker).exists() for marker in REPOSITORY_MARKERS)
    except OSError:
        return False


def dependency_manifests(root: Path) -> list[str]:
    found = []
    for name, declares in MANIFESTS:
        text = read_small(root / name)
        if text is not None and declares.search(text):
            found.append(name)
    return found


def model_cards(root: Path, folders: Iterable[str]) -> list[str]:
    """Model cards at the root, in ``docs/`` and ``models/``, and in the given folders (where the
    project defines, trains or saves its models)."""
    found: set[str] = set()
    for folder in sorted({"", "docs", "models", "model", *folders}):
        if not _inside(folder):
            continue  # an artifact saved to /tmp or ../elsewhere is not the project's to read
        base = root / folder if folder else root
        for path in _listed(base, (".md", ".markdown", ".yml", ".yaml", ".json")):
            rel = path.relative_to(root).as_posix()
            if MODEL_CARD_NAME.match(path.name):
                found.add(rel)
            elif path.name.lower() == "readme.md" and folder:
                text = read_small(path)
                if text is not None and HF_CARD_FRONT_MATTER.search(text):
                    found.add(rel)
    return sorted(found)


def _inside(folder: str) -> bool:
    parts = PurePosixPath(folder).parts
    return not folder.startswith(("/", "~")) and ".." not in parts and ":" not in folder


def load_evidence(root: Path, model_folders: Iterable[str]) -> ProjectEvidence:
    return ProjectEvidence(
        ci=ci_evidence(root),
        manifests=dependency_manifests(root),
        model_cards=model_cards(root, model_folders),
    )
