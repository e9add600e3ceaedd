"""The baseline workflow on a real git repository: adopt on legacy code, move code around without
churning the baseline, and fail only on new debt (debtlint/baseline.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from debtlint.baseline import BaselineError, load_baseline
from tests.conftest import FIXTURES

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BASELINE = ".debtlint-baseline.json"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def legacy_repo(tmp_path: Path) -> Path:
    """The Kaggle fixture as a committed legacy repository: it fails the gate today."""
    repo = tmp_path / "legacy"
    shutil.copytree(FIXTURES / "kaggle_script", repo, ignore=shutil.ignore_patterns("expected*"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "legacy code")
    return repo


def scan(run_cli, repo: Path, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli("scan", repo, "--output-format", "json", *args)
    assert code in (0, 1), err
    return code, json.loads(out)


def test_adopt_move_code_and_fail_only_on_new_debt(legacy_repo, run_cli):
    repo = legacy_repo
    code, before = scan(run_cli, repo)
    assert code == 1  # the complex unowned ensemble

    # 1. write the baseline and commit it; the configuration points at it
    code, out, err = run_cli("scan", repo, "--write-baseline", repo / BASELINE)
    assert code == 0, out + err
    assert f"wrote {len(before['findings'])} findings" in err
    with (repo / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'baseline = "{BASELINE}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "adopt debtlint")
    code, doc = scan(run_cli, repo)
    assert code == 0
    assert {f["status"] for f in doc["findings"]} == {"baselined"}

    # 2. moving code (lines inserted above every finding) changes no fingerprint
    for name in ("train.py", "utils.py", "baseline.py"):
        path = repo / name
        path.write_text('"""Moved down."""\n\n\n\n' + path.read_text("utf-8"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "move code")
    code, moved = scan(run_cli, repo)
    assert code == 0
    assert {f["status"] for f in moved["findings"]} == {"baselined"}
    assert sorted(f["fingerprint"] for f in moved["findings"]) == sorted(
        f["fingerprint"] for f in before["findings"]
    )
    assert [f["line"] for f in moved["findings"]] == [f["line"] + 4 for f in before["findings"]]
    assert moved["score"]["value"] == before["score"]["value"]  # baselined debt still counts
    # rewriting the baseline now changes nothing in the committed file
    run_cli("scan", repo, "--write-baseline", repo / BASELINE)
    assert git(repo, "status", "--porcelain") == ""

    # 3. new debt: a second complex unowned model fails the gate, alone
    shutil.copy(repo / "train.py", repo / "train_v2.py")
    git(repo, "add", "train_v2.py")
    git(repo, "commit", "-q", "-m", "a new ensemble")
    code, doc = scan(run_cli, repo)
    assert code == 1
    new = [f for f in doc["findings"] if f["status"] == "new"]
    assert [(f["path"], f["code"]) for f in new if f["severity"] == "error"] == [
        ("train_v2.py", "DL101")
    ]
    # everything that was there before is still baselined; only the new file's debt is new
    # (project rules may also see new debt elsewhere, e.g. a dataset now feeding more models)
    old = {f["fingerprint"] for f in before["findings"]}
    assert old <= {f["fingerprint"] for f in doc["findings"] if f["status"] == "baselined"}
    assert "train_v2.py" in {f["path"] for f in new}


def test_paid_off_debt_is_noted(legacy_repo, run_cli):
    repo = legacy_repo
    run_cli("scan", repo, "--write-baseline", repo / BASELINE)
    (repo / "baseline.py").unlink()
    code, _, err = run_cli("scan", repo, "--baseline", repo / BASELINE)
    assert code == 0
    assert "baselined findings no longer occur" in err
    assert "--write-baseline .debtlint-baseline.json" in err


def test_command_line_baseline_overrides_nothing_but_must_exist(legacy_repo, run_cli):
    code, _, err = run_cli("scan", legacy_repo, "--baseline", legacy_repo / "missing.json")
    assert code == 2
    assert "missing.json: baseline: baseline file not found" in err


def test_a_broken_baseline_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "b.json"
    path.write_text("{\n  oops\n}\n", encoding="utf-8")
    with pytest.raises(BaselineError, match=r"b.json:2: not valid JSON"):
        load_baseline(path, "b.json")
    path.write_text('{"schema_version": "1", "entries": [{"code": "DL201"}]}', encoding="utf-8")
    with pytest.raises(BaselineError, match="entry 0 needs the string fields"):
        load_baseline(path, "b.json")


def test_baseline_file_shape(legacy_repo, run_cli):
    run_cli("scan", legacy_repo, "--write-baseline", legacy_repo / BASELINE)
    doc = json.loads((legacy_repo / BASELINE).read_text("utf-8"))
    assert doc["schema_version"] == "1"
    assert doc["tool"]["name"] == "debtlint"
    entries = doc["entries"]
    assert entries == sorted(
        entries, key=lambda e: (e["path"], e["code"], e["entity"], e["fingerprint"])
    )
    assert set(entries[0]) == {"fingerprint", "code", "path", "entity", "message"}
    assert not any("line" in entry for entry in entries)
