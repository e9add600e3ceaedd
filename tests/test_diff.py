"""`debtlint scan --diff REF` on real git repositories (debtlint/gitref.py, debtlint/diffscan.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import debtlint.phase1
from tests.conftest import write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

SIMPLE_MODEL = """\
import pandas as pd
from sklearn.linear_model import LogisticRegression

df = pd.read_csv("data/train.csv")
model = LogisticRegression()
model.fit(df[["a"]], df["y"])
"""

COMPLEX_MODEL = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier, StackingClassifier
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

df = pd.read_csv("data/train.csv")
X, y = df[["a", "b", "c"]], df["target"]
stack = StackingClassifier(
    estimators=[("xgb", XGBClassifier(n_estimators=500)), ("rf", RandomForestClassifier())],
    final_estimator=LogisticRegression(),
)
stack.fit(X, y)
joblib.dump(stack, "models/stack.pkl")
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    write_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """First commit: a simple unowned model (findings today). Second commit: the old code moved
    down, and a complex unowned model added."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"baseline.py": SIMPLE_MODEL}, "a model")
    commit(
        root,
        {"baseline.py": '"""Moved down."""\n\n\n' + SIMPLE_MODEL, "stack.py": COMPLEX_MODEL},
        "an unowned complex model",
    )
    return root


# "No tests" and "no CI" are project-level findings placed at one file of the project (adding
# stack.py makes a two-script project without tests); they are not what these tests are about.
NOT_PROJECT_LEVEL = ("--ignore", "DL806,DL807")


def findings(run_cli, *args: str) -> tuple[int, dict, str]:
    code, out, err = run_cli("scan", *args, *NOT_PROJECT_LEVEL, "--output-format", "json")
    assert code in (0, 1), err
    return code, json.loads(out), err


def test_diff_reports_only_what_the_ref_did_not_have(repo, run_cli):
    code, everything, _ = findings(run_cli, repo)
    assert {f["path"] for f in everything["findings"]} == {"baseline.py", "stack.py"}
    code, new, _ = findings(run_cli, repo, "--diff", "HEAD~1")
    assert code == 1  # the complex unowned model fails the gate
    assert new["findings"] and {f["path"] for f in new["findings"]} == {"stack.py"}
    assert "DL101" in {f["code"] for f in new["findings"]}
    assert {f["status"] for f in new["findings"]} == {"new"}
    # moving the old code down three lines did not make its findings new
    old = [f for f in everything["findings"] if f["path"] == "baseline.py"]
    assert old
    _, out, err = run_cli(
        "scan", repo, "--diff", "HEAD~1", *NOT_PROJECT_LEVEL, "--output-format", "concise"
    )
    assert "baseline.py" not in out and f"{len(old)} findings already there not shown" in err
    assert new["score"] == everything["score"]  # the score is the current tree's

    code, same, _ = findings(run_cli, repo, "--diff", "HEAD")
    assert code == 0 and same["findings"] == []


def test_diff_uses_the_refs_configuration(repo, run_cli):
    """An owner removed since the ref makes the model's finding new."""
    owned = "models:\n  stack:\n    owner: '@acme/ml'\n    code: [stack.py]\n"
    commit(repo, {"debtlint.yaml": owned}, "own it")
    commit(repo, {"debtlint.yaml": "models: {}\n"}, "disown it")
    _, new, _ = findings(run_cli, repo, "--diff", "HEAD~1")
    assert [(f["code"], f["path"]) for f in new["findings"]] == [("DL101", "stack.py")]


def test_diff_of_a_project_in_a_subfolder(repo, run_cli):
    commit(repo, {"ml/debtlint.yaml": "select: [ALL]\n", "ml/baseline.py": SIMPLE_MODEL}, "ml")
    commit(repo, {"ml/stack.py": COMPLEX_MODEL}, "ml stack")
    _, new, _ = findings(run_cli, repo / "ml", "--diff", "HEAD~1")
    assert {f["path"] for f in new["findings"]} == {"stack.py"}
    # before the folder existed, everything in it is new
    _, all_new, _ = findings(run_cli, repo / "ml", "--diff", "HEAD~2")
    assert {f["path"] for f in all_new["findings"]} == {"baseline.py", "stack.py"}


def test_diff_reuses_the_cache_for_unchanged_files(repo, run_cli, monkeypatch):
    commit(repo, {f"lib/mod{i}.py": f"VALUE = {i}\n" for i in range(6)}, "library")
    commit(repo, {"lib/mod0.py": "VALUE = 100\n"}, "change one file")
    analysed: list[str] = []
    real = debtlint.phase1.analyse_file

    def counting(rel, *args, **kwargs):
        analysed.append(rel)
        return real(rel, *args, **kwargs)

    monkeypatch.setattr(debtlint.phase1, "analyse_file", counting)
    findings(run_cli, repo, "-j", "1")  # fills the cache
    assert len(analysed) == 8
    analysed.clear()
    findings(run_cli, repo, "-j", "1", "--diff", "HEAD~1")
    # only the file that differs is analysed: once as it was at the ref, once as it is now
    assert analysed == ["lib/mod0.py", "lib/mod0.py"]


def test_diff_errors(tmp_path, repo, run_cli):
    write_tree(tmp_path / "plain", {"a.py": "x = 1\n"})
    code, _, err = run_cli("scan", tmp_path / "plain", "--diff", "HEAD")
    assert code == 2 and "not in" in err and "git repository" in err
    code, _, err = run_cli("scan", repo, "--diff", "no-such-branch")
    assert code == 2 and "--diff no-such-branch: no such commit" in err
    code, _, err = run_cli("scan", repo, "--diff", "--output=/tmp/x")
    assert code == 2 and "is not a git ref" in err
    code, _, err = run_cli("scan", repo, "--diff", "HEAD", "--write-baseline", tmp_path / "b.json")
    assert code == 2 and "cannot be combined" in err
    assert git(repo, "status", "--porcelain") == ""  # nothing written into the repository


def test_diff_without_tar_extraction_filters(repo, run_cli, monkeypatch):
    """Pythons before 3.10.12 / 3.11.4 have no tarfile filters; the export still works."""
    import tarfile

    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    _, new, _ = findings(run_cli, repo, "--diff", "HEAD~1")
    assert {f["path"] for f in new["findings"]} == {"stack.py"}
