"""The bundled fixture projects and their expected outputs (golden files, easy to review).

Regenerate after an intended change with ``DEBTLINT_UPDATE_GOLDEN=1 pytest tests/test_fixtures.py``
and review the diff.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import FIXTURES

CASES = {
    # fixture: expected exit code
    "clean_dvc_pipeline": 0,
    "kaggle_script": 1,
    "torch_project": 0,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_matches_expected_output(name, run_cli):
    code, out, _ = run_cli("scan", FIXTURES / name, "--output-format", "concise")
    golden = FIXTURES / name / "expected.concise.txt"
    if os.environ.get("DEBTLINT_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert code == CASES[name]


def test_clean_pipeline_reports_nothing(run_cli):
    code, out, _ = run_cli("scan", FIXTURES / "clean_dvc_pipeline", "--output-format", "json")
    doc = json.loads(out)
    assert doc["findings"] == []
    assert doc["score"]["grade"] in ("A", "B")  # clean code; no CI or model card
    assert doc["summary"]["models"] == 1
    assert doc["summary"]["resolution"]["rate"] == 1.0
    assert code == 0


def test_kaggle_gate_fails_on_the_complex_unowned_ensemble(run_cli):
    code, out, _ = run_cli("scan", FIXTURES / "kaggle_script", "--output-format", "json")
    doc = json.loads(out)
    dl101 = [f for f in doc["findings"] if f["code"] == "DL101"]
    errors = [f for f in dl101 if f["severity"] == "error"]
    assert code == 1
    assert [(f["path"], f["line"]) for f in errors] == [("train.py", 55)]
    factors = errors[0]["properties"]["complexity_factors"]
    assert "stacking" in factors and "4 nested estimators" in factors
    warnings = [f for f in dl101 if f["severity"] == "warning"]
    assert [(f["path"], f["line"]) for f in warnings] == [("baseline.py", 33)]


@pytest.mark.parametrize(
    "owner_file, content",
    [
        (
            "debtlint.yaml",
            'models:\n  loan-stack:\n    owner: "@acme/credit-risk"\n    code: [train.py]\n',
        ),
        ("CODEOWNERS", "/train.py @acme/credit-risk\n"),
        (
            "debtlint.yaml",
            'models:\n  stack:\n    owner: "@acme/x"\n    artifacts: [models/*.pkl]\n',
        ),
    ],
)
def test_adding_an_owner_opens_the_gate(owner_file, content, fixture_copy, run_cli):
    project = fixture_copy("kaggle_script")
    before, out, _ = run_cli("scan", project, "--output-format", "concise")
    assert before == 1 and "train.py:55:12: DL101 [error]" in out
    (project / owner_file).write_text(content, encoding="utf-8")
    after, out, _ = run_cli("scan", project, "--output-format", "concise")
    assert "train.py:55:12: DL101" not in out
    assert after == 0
    # the simple baseline model is still unowned (a warning, which does not fail the gate)
    assert "baseline.py:33:13: DL101 [warning]" in out


def test_torch_project_is_owned_and_has_one_undeclared_read(run_cli):
    code, out, _ = run_cli("scan", FIXTURES / "torch_project", "--output-format", "concise")
    lines = [line for line in out.splitlines() if ": DL" in line]
    assert lines == [
        "src/evaluate.py:20:10: DL201 [warning] reads data/processed/test.jsonl, "
        "which is not declared as a data dependency"
    ]
    assert code == 0
