"""The GitHub Action (action.yml, composite) and its example workflow, tried for real as far as a
machine without GitHub allows: the action's own shell steps run with bash, in order, with the
`${{ ... }}` expressions they use substituted and `$GITHUB_OUTPUT` / `$GITHUB_STEP_SUMMARY` files
as on a runner. The `uses:` steps (setup-python, upload-sarif) are GitHub's own and are checked
for their inputs only; the install step is replaced by a shim running this checkout (installing
the package from its folder is what tests/test_packaging.py checks)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _lookup(expr: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    parts = expr.split(".")
    if parts[0] == "inputs":
        return inputs[parts[1]]
    if parts[0] == "steps" and parts[2] == "outputs":
        return outputs.get(parts[1], {}).get(parts[3], "")
    if expr == "github.action_path":
        return str(REPO)
    raise AssertionError(f"the test runner does not know {expr!r}")


def _substitute(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    return EXPRESSION.sub(lambda m: _lookup(m.group(1), inputs, outputs), str(text))


def _condition(expr: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> bool:
    match = re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", expr.strip())
    assert match, f"the test runner does not understand `if: {expr}`"
    left, op, right = match.groups()
    equal = _lookup(left, inputs, outputs) == right
    return equal if op == "==" else not equal


def run_action(workdir: Path, tmp: Path, **given: str) -> tuple[int, str, list[str], dict]:
    """Run the action in ``workdir``; (exit code of the failing or last step, its output, the
    `uses:` steps that would run, the step outputs)."""
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs.update(given)
    shim = tmp / "bin" / "debtlint"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m debtlint "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    summary = tmp / "summary.md"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RUNNER_TEMP": str(tmp),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTIONS": "true",
    }
    outputs: dict[str, dict[str, str]] = {}
    used: list[str] = []
    code, text = 0, ""
    for step in ACTION["runs"]["steps"]:
        if "if" in step and not _condition(step["if"], inputs, outputs):
            continue
        if "uses" in step:
            used.append(step["uses"])
            continue
        if step.get("id") == "install":
            outputs["install"] = {"bin": str(shim)}
            continue
        output_file = tmp / f"output-{step.get('id', len(used))}"
        output_file.write_text("", encoding="utf-8")
        step_env = {k: _substitute(v, inputs, outputs) for k, v in step.get("env", {}).items()}
        script = _substitute(step["run"], inputs, outputs)
        done = subprocess.run(
            [step["shell"], "-e", "-c", script],
            cwd=workdir,
            env={**env, **step_env, "GITHUB_OUTPUT": str(output_file)},
            capture_output=True,
            text=True,
        )
        code, text = done.returncode, done.stdout + done.stderr
        if "id" in step:
            outputs[step["id"]] = dict(
                line.split("=", 1) for line in output_file.read_text("utf-8").splitlines() if line
            )
        if code != 0:
            break
    return code, text, used, outputs


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "work"
    shutil.copytree(FIXTURES / "kaggle_script", target, ignore=shutil.ignore_patterns("expected*"))
    return target


def test_action_metadata_is_consistent():
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    ids = {step["id"] for step in ACTION["runs"]["steps"] if "id" in step}
    text = (REPO / "action.yml").read_text("utf-8")
    for expr in EXPRESSION.findall(text):
        parts = expr.split(".")
        if parts[0] == "inputs":
            assert parts[1] in declared, expr
        elif parts[0] == "steps":
            assert parts[1] in ids, expr
    for step in ACTION["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step  # composite steps need a shell
    install = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install["run"]


def test_action_gates_annotates_and_writes_sarif(project, tmp_path):
    code, out, used, outputs = run_action(project, tmp_path, sarif="true")
    assert code == 1, out  # the complex unowned ensemble fails the job
    assert "::error file=train.py" in out and "DL101" in out
    assert "github/codeql-action/upload-sarif@v3" in used
    sarif_file = project / outputs["sarif"]["file"]
    sarif = json.loads(sarif_file.read_text("utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "debtlint" in (tmp_path / "summary.md").read_text("utf-8")
    # the runner has a Python 3.10+ (this one), so the action does not install another
    assert "actions/setup-python@v5" not in used


def test_action_passes_args_and_diff(project, tmp_path):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "legacy"], cwd=project, check=True)
    code, out, used, _ = run_action(
        project, tmp_path, diff="HEAD", args="--select DL101 --fail-under 0"
    )
    assert code == 0, out  # nothing is new since HEAD
    assert used == []  # no SARIF unless asked
    assert "--diff HEAD" in out and "already there not shown" in out


def test_example_workflow_uses_the_action():
    workflow = yaml.safe_load((REPO / "docs" / "github-workflow.yml").read_text("utf-8"))
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["debtlint"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    action = steps[1]
    assert set(action["with"]) <= set(ACTION["inputs"])
    assert action["with"]["sarif"] == "true"
