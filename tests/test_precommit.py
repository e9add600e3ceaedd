"""The pre-commit hook (.pre-commit-hooks.yaml), run with the real `pre-commit` tool.

A copy of this checkout is committed into a throwaway hook repository (the working tree may have
uncommitted changes, and pre-commit needs a committed revision), and a throwaway project repository
uses it through `repo: <path>` with `pre-commit install`, so `git commit` runs the hook exactly as it
would for a user. Installing the hook environment fetches debtlint's dependencies from PyPI once per
module (PRE_COMMIT_HOME is a temporary directory; the user's cache is never touched).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What a pip install of the hook repository needs (pyproject.toml names README.md as the readme).
HOOK_REPO_PATHS = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "debtlint", "rules")

# A complex, unowned model (the style of the INVALID example of rules/dl1/unowned_model.py).
TRAIN_PY = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier, StackingClassifier
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

df = pd.read_csv("data/train.csv")
X = df[["age", "income", "tenure", "plan", "region"]]
y = df["churned"]
model = StackingClassifier(
    estimators=[("xgb", XGBClassifier(n_estimators=500)), ("rf", RandomForestClassifier())],
    final_estimator=LogisticRegression(),
)
model.fit(X, y)
joblib.dump(model, "models/stack.pkl")
"""

OWNER_MANIFEST = """\
models:
  stack:
    owner: "@acme/ml"
    code: [train.py]
"""


def _pre_commit_command() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pass
    else:
        return [sys.executable, "-m", "pre_commit"]
    beside = Path(sys.executable).parent / "pre-commit"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("pre-commit")
    if found:
        return [found]
    pytest.skip("pre-commit is not installed (pip install -e '.[test]')")


def _base_env(tmp: Path) -> dict[str, str]:
    """The environment for git and pre-commit: no inherited GIT_* state (a test run from inside a
    git hook would otherwise act on the wrong repository), no user or system git configuration
    (a global core.hooksPath makes `pre-commit install` refuse, commit.gpgsign would prompt), and no
    PYTHONPATH, so the hook runs the debtlint installed in its own environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("PYTHONPATH", "PYTHONHOME")
    }
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = debtlint tests\n\temail = tests@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    env.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def _ok(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = _run(args, cwd, env)
    assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _hook_repo_files(env: dict[str, str]) -> list[Path]:
    """The checkout's files that make up the hook repository: tracked and untracked-but-not-ignored
    files under HOOK_REPO_PATHS (or, outside a git checkout, everything there but caches)."""
    listing = _run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            *HOOK_REPO_PATHS,
        ],
        ROOT,
        env,
    )
    if listing.returncode == 0 and listing.stdout:
        files = [ROOT / rel for rel in listing.stdout.split("\0") if rel]
        return sorted({f for f in files if f.is_file()})  # tracked files deleted in the tree: gone
    files = []
    for rel in HOOK_REPO_PATHS:
        path = ROOT / rel
        candidates = [path] if path.is_file() else path.rglob("*")
        files += [
            f
            for f in candidates
            if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc", ".pyo")
        ]
    return sorted(files)


@dataclass
class HookSetup:
    pre_commit: list[str]
    env: dict[str, str]
    config: str  # the .pre-commit-config.yaml text


@pytest.fixture(scope="module")
def hook_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookSetup]:
    pre_commit = _pre_commit_command()
    tmp = tmp_path_factory.mktemp("precommit")
    env = _base_env(tmp)

    hook_repo = tmp / "hookrepo"
    for source in _hook_repo_files(env):
        target = hook_repo / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert (hook_repo / ".pre-commit-hooks.yaml").is_file()
    assert (hook_repo / "rules" / "dl1" / "unowned_model.py").is_file()
    _ok(["git", "init", "-q"], hook_repo, env)
    _ok(["git", "add", "-A"], hook_repo, env)
    _ok(["git", "commit", "-q", "--no-verify", "-m", "debtlint under test"], hook_repo, env)
    rev = _ok(["git", "rev-parse", "HEAD"], hook_repo, env).strip()

    config = textwrap.dedent(
        f"""\
        repos:
          - repo: {hook_repo.as_posix()}
            rev: {rev}
            hooks:
              - id: debtlint
        """
    )
    # Install the hook environment once (pip fetches debtlint's dependencies); every project
    # repository below uses the same repo, rev and PRE_COMMIT_HOME, so pre-commit reuses it.
    bootstrap = tmp / "bootstrap"
    bootstrap.mkdir()
    _ok(["git", "init", "-q"], bootstrap, env)
    (bootstrap / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    _ok([*pre_commit, "install-hooks"], bootstrap, env)
    yield HookSetup(pre_commit, env, config)


def _project(path: Path, setup: HookSetup) -> Path:
    path.mkdir()
    _ok(["git", "init", "-q"], path, setup.env)
    _run(["git", "config", "--local", "--unset-all", "core.hooksPath"], path, setup.env)
    (path / ".pre-commit-config.yaml").write_text(setup.config, encoding="utf-8")
    (path / "README.md").write_text("# churn\n", encoding="utf-8")
    out = _ok([*setup.pre_commit, "install"], path, setup.env)
    assert "pre-commit installed" in out
    return path


def _commit(repo: Path, setup: HookSetup, *extra: str) -> subprocess.CompletedProcess[str]:
    _ok(["git", "add", "-A"], repo, setup.env)
    return _run(["git", "commit", "-m", "change", *extra], repo, setup.env)


def _commits(repo: Path, setup: HookSetup) -> int:
    return int(_ok(["git", "rev-list", "--count", "HEAD"], repo, setup.env))


# The one place a scan may write inside the project (DESIGN.md §12): its own cache folder, which
# ignores itself for git (`.gitignore` of `*`) and is tagged with CACHEDIR.TAG.
CACHE = ".debtlint_cache"


def _status(repo: Path, setup: HookSetup) -> list[str]:
    out = _ok(
        ["git", "status", "--porcelain=v1", "--ignored", "--untracked-files=all"], repo, setup.env
    )
    return [line for line in out.splitlines() if not line.startswith(f"!! {CACHE}/")]


def _tree(repo: Path) -> set[str]:
    """Every file and directory in the work tree but .git and the scan's own cache folder (git
    status cannot see empty folders)."""
    return {
        p.relative_to(repo).as_posix()
        for p in repo.rglob("*")
        if p.relative_to(repo).parts[0] not in (".git", CACHE)
    }


def test_commit_of_complex_unowned_model_is_refused_until_owned(
    tmp_path: Path, hook_setup: HookSetup
) -> None:
    repo = _project(tmp_path / "project", hook_setup)

    # A project without models passes; the hook ran (it was not skipped for want of files).
    first = _commit(repo, hook_setup)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert any(
        line.startswith("debtlint") and line.endswith("Passed") for line in output.splitlines()
    ), output
    assert _commits(repo, hook_setup) == 1

    # A complex, unowned stacking ensemble: the commit is refused.
    (repo / "train.py").write_text(TRAIN_PY, encoding="utf-8")
    refused = _commit(repo, hook_setup)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "hook id: debtlint" in output
    assert "Failed" in output
    assert "DL101 [error]" in output
    assert "StackingClassifier in train.py" in output
    assert _commits(repo, hook_setup) == 1
    # The scan wrote nothing into the project: the staged file is the only change, nothing
    # untracked or ignored (no cache directories, no reports).
    assert _status(repo, hook_setup) == ["A  train.py"]
    assert _tree(repo) == {".pre-commit-config.yaml", "README.md", "train.py"}

    # Owned through the manifest: the commit goes through (DL201 is only a warning).
    (repo / "debtlint.yaml").write_text(OWNER_MANIFEST, encoding="utf-8")
    accepted = _commit(repo, hook_setup)
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "DL101" not in output
    assert _commits(repo, hook_setup) == 2
    committed = _ok(["git", "show", "--name-only", "--format=", "HEAD"], repo, hook_setup.env)
    assert sorted(committed.split()) == ["debtlint.yaml", "train.py"]
    assert _status(repo, hook_setup) == []
    assert _tree(repo) == {".pre-commit-config.yaml", "README.md", "debtlint.yaml", "train.py"}


def test_hook_scans_whole_project_not_just_staged_files(
    tmp_path: Path, hook_setup: HookSetup
) -> None:
    """`pass_filenames: false`: a commit that touches only an unrelated file is still refused while
    an unowned complex model sits elsewhere in the project, and accepted once CODEOWNERS covers it."""
    repo = _project(tmp_path / "project", hook_setup)
    (repo / "train.py").write_text(TRAIN_PY, encoding="utf-8")
    skipped = _commit(repo, hook_setup, "--no-verify")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert _commits(repo, hook_setup) == 1

    (repo / "params.yaml").write_text("learning_rate: 0.05\n", encoding="utf-8")
    refused = _commit(repo, hook_setup)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "DL101 [error]" in output
    assert "train.py" in output
    assert _commits(repo, hook_setup) == 1
    assert _status(repo, hook_setup) == ["A  params.yaml"]
    assert _tree(repo) == {".pre-commit-config.yaml", "README.md", "params.yaml", "train.py"}

    (repo / "CODEOWNERS").write_text("/train.py @acme/ml\n", encoding="utf-8")
    accepted = _commit(repo, hook_setup)
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "DL101" not in output
    assert _commits(repo, hook_setup) == 2
    assert _status(repo, hook_setup) == []
