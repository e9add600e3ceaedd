"""Score v1: the formula's properties (hypothesis), per-model scores, computed improvements, the
practice evidence loader, the fixtures' grades, and the README's remediation table.

Regenerate the README table after changing a rule's ``remediation_minutes`` with
``DEBTLINT_UPDATE_GOLDEN=1 pytest tests/test_score.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debtlint.config import load_settings
from debtlint.engine import ScanResult, scan
from debtlint.findings import Confidence, Finding, Location, Severity
from debtlint.loader import Registry
from debtlint.practice import MAX_BYTES, ci_evidence, load_evidence
from debtlint.score import (
    ERROR_CAP,
    SCORE_VERSION,
    compute_score,
    remediation_minutes,
    remediation_table,
)
from tests.conftest import FIXTURES, REPO, write_tree

README = REPO / "README.md"
TABLE = re.compile(
    r"(<!-- remediation-table:start -->\n)(.*?)(\n<!-- remediation-table:end -->)", re.S
)


def _scan(root: Path) -> ScanResult:
    return scan(load_settings(root))


@pytest.fixture(scope="module")
def kaggle() -> ScanResult:
    return _scan(FIXTURES / "kaggle_script")


@pytest.fixture(scope="module")
def minutes() -> dict[str, float]:
    registry = Registry.load([])
    return remediation_minutes(registry.rules[c] for c in registry.rules)


def _rescore(result: ScanResult, findings, minutes, incomplete: bool = False) -> float:
    return compute_score(findings, result.graph, minutes, incomplete).value


# -- synthetic findings about the kaggle project's real entities ----------------------------------
_KINDS = [
    ("DL101", "unowned-model", "train.py::model"),
    ("DL101", "unowned-model", "baseline.py::model"),
    ("DL201", "undeclared-data-dependency", "input/train.csv"),
    ("DL201", "undeclared-data-dependency", "input/test.csv"),
    ("DL202", "unstable-data-dependency", "https://example.com/data.csv"),
    ("DL801", "unseeded-randomness", ""),
    ("DL802", "machine-local-path", ""),
    ("DL905", "dataframe-values", ""),
    ("DL907", "zero-grad-missing", ""),
]


@st.composite
def a_finding(draw: st.DrawFn) -> Finding:
    code, name, entity = draw(st.sampled_from(_KINDS))
    return Finding(
        code=code,
        name=name,
        severity=draw(st.sampled_from(list(Severity))),
        message=f"{code} synthetic",
        location=Location(draw(st.sampled_from(["train.py", "baseline.py", "utils.py"])), 1, 1),
        entity=entity,
        confidence=draw(st.sampled_from(list(Confidence))),
    )


FINDINGS = st.lists(a_finding(), max_size=12)
HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(findings=FINDINGS)
def test_the_score_is_deterministic(kaggle, minutes, findings):
    first = compute_score(findings, kaggle.graph, minutes, False).to_dict()
    second = compute_score(list(findings), kaggle.graph, minutes, False).to_dict()
    assert first == second
    assert first["version"] == SCORE_VERSION


@HYPOTHESIS
@given(findings=FINDINGS, extra=a_finding())
def test_adding_a_finding_never_raises_the_score(kaggle, minutes, findings, extra):
    before = _rescore(kaggle, findings, minutes)
    after = _rescore(kaggle, [*findings, extra], minutes)
    assert after <= before


@HYPOTHESIS
@given(findings=st.lists(a_finding(), min_size=1, max_size=12), index=st.integers(min_value=0))
def test_fixing_a_finding_never_lowers_the_score(kaggle, minutes, findings, index):
    fixed = [f for i, f in enumerate(findings) if i != index % len(findings)]
    assert _rescore(kaggle, fixed, minutes) >= _rescore(kaggle, findings, minutes)


@HYPOTHESIS
@given(findings=FINDINGS, crashed=st.sampled_from(["DL201", "DL801", "DL907"]))
def test_a_crashed_check_never_raises_the_score(kaggle, minutes, findings, crashed):
    """A check that crashes loses its findings and leaves DL000 (an error) in their place: the
    score is capped and marked incomplete, and never higher than with what was analysed."""
    kept = [f for f in findings if f.code != crashed]
    crash = Finding(
        "DL000",
        "internal-error",
        Severity.ERROR,
        f"{crashed} crashed",
        Location(".", 1, 1),
        entity=f"{crashed}:<project>",
    )
    score = compute_score([*kept, crash], kaggle.graph, minutes, True)
    assert score.incomplete
    assert score.value <= min(_rescore(kaggle, kept, minutes), ERROR_CAP)


def test_an_error_caps_the_score_below_b_but_keeps_the_order(kaggle, minutes):
    error = Finding("DL907", "zero-grad-missing", Severity.ERROR, "m", Location("train.py", 1, 1))
    warnings = [
        Finding("DL201", "undeclared-data-dependency", Severity.WARNING, "m", Location("u.py", i))
        for i in range(1, 21)
    ]
    capped = compute_score([error], kaggle.graph, minutes, False)
    worse = compute_score([error, *warnings], kaggle.graph, minutes, False)
    assert capped.value <= ERROR_CAP and capped.grade not in ("A", "B")
    assert worse.value < capped.value  # a capped score still moves when other debt changes


def test_duplicating_a_clean_module_barely_changes_the_score(fixture_copy):
    project = fixture_copy("torch_project")
    before = _scan(project).score.value
    clean = "def add(a: int, b: int) -> int:\n    return a + b\n" * 20
    for i in range(10):
        (project / "src" / f"helpers_{i}.py").write_text(clean, encoding="utf-8")
    after = _scan(project).score.value
    assert abs(after - before) <= 3.0


# -- ratios, modes, per-model scores, improvements ---------------------------------------------------
def test_a_ratio_with_nothing_to_measure_is_not_applicable(kaggle):
    score = kaggle.score
    assert score.ratios["versioned_sources"] is None  # the project reads nothing remote
    assert score.ratio_counts["versioned_sources"] is None
    assert score.ratios["declared_reads"] == 0.0  # six local reads, none declared
    assert score.ratio_counts["declared_reads"] == [0, 6]


def test_a_library_without_models_is_scored_in_no_model_mode(tmp_path):
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": "select: [ALL]\n",
            "mathlib/core.py": "def add(a, b):\n    return a + b\n",
            "tests/test_core.py": "from mathlib.core import add\n\n\ndef test_add():\n"
            "    assert add(1, 2) == 3\n",
        },
    )
    score = _scan(tmp_path).score
    assert score.mode == "no-model"
    assert set(score.weights) == {"debt", "practice"}
    assert score.models == []


def test_each_model_gets_a_score_over_its_upstream_subgraph(kaggle):
    models = {m["label"]: m for m in kaggle.score.models}
    stack = models["'model' (StackingClassifier in train.py)"]
    assert stack["complexity"] >= 10 and "stacking" in stack["complexity_factors"]
    assert "train.py" in stack["files"]
    assert stack["grade"] in ("C", "D", "E")
    # worst first
    values = [m["value"] for m in kaggle.score.models]
    assert values == sorted(values)


def test_improvements_are_computed_and_match_a_real_fix(fixture_copy):
    project = fixture_copy("kaggle_script")
    before = _scan(project).score
    top = before.improvements[0]
    assert top["action"] == "add an owner to 'model' (StackingClassifier in train.py)"
    (project / "debtlint.yaml").write_text(
        'models:\n  stack:\n    owner: "@acme/risk"\n    code: [train.py]\n', encoding="utf-8"
    )
    after = _scan(project).score
    assert after.value - before.value == pytest.approx(top["gain"], abs=0.15)


# -- the fixtures ---------------------------------------------------------------------------------------
def test_the_clean_pipeline_grades_a_or_b_and_says_why():
    score = _scan(FIXTURES / "clean_dvc_pipeline").score
    assert score.grade in ("A", "B")
    assert score.ratios["owned_models"] == 1.0 and score.ratios["declared_reads"] == 1.0
    assert score.practice["dependencies"]["value"] == 1.0


def test_the_kaggle_script_grades_d_or_e_and_says_why(kaggle):
    score = kaggle.score
    assert score.grade in ("D", "E")
    assert score.ratios["owned_models"] == 0.0
    assert score.practice["tests"] == {"value": 0.0, "detail": "no test files"}
    assert score.practice["ci"]["value"] == 0.0


def test_full_output_ends_with_the_breakdown_and_the_top_fixes(run_cli):
    _, out, _ = run_cli("scan", FIXTURES / "kaggle_script", "--exit-zero")
    tail = out.rstrip("\n").splitlines()
    assert tail[-1].startswith("Maintainability score: ")
    assert "What would raise it most:" in tail
    assert any(line.startswith("Score v1 (model mode): ") for line in tail)
    assert any("add an owner to 'model' (StackingClassifier in train.py)" in t for t in tail)


# -- practice evidence ----------------------------------------------------------------------------------
def test_ci_that_runs_tests_counts_more_than_ci_alone(tmp_path):
    write_tree(tmp_path, {".github/workflows/lint.yml": "jobs:\n  l:\n    run: ruff check\n"})
    assert ci_evidence(tmp_path).runs_tests == []
    assert ci_evidence(tmp_path).files == [".github/workflows/lint.yml"]
    write_tree(tmp_path, {".github/workflows/test.yml": "steps:\n  - run: python -m pytest\n"})
    assert ci_evidence(tmp_path).runs_tests == [".github/workflows/test.yml"]


def test_the_evidence_loader_ignores_symlinks_and_oversized_files(tmp_path):
    outside = write_tree(tmp_path / "outside", {"ci.yml": "run: pytest\n"})
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "ci.yml").symlink_to(outside / "ci.yml")
    (project / ".travis.yml").write_text("script: pytest\n" + "#" * MAX_BYTES, encoding="utf-8")
    evidence = load_evidence(project, [])
    assert evidence.ci.files == []


def test_a_model_card_next_to_the_model_counts(tmp_path):
    write_tree(tmp_path, {"models/MODEL_CARD.md": "# Churn model\n", "setup.py": "x = 1\n"})
    evidence = load_evidence(tmp_path, ["models"])
    assert evidence.model_cards == ["models/MODEL_CARD.md"]
    assert evidence.manifests == []  # a setup.py that declares no dependencies


# -- documentation -------------------------------------------------------------------------------------
def test_readme_remediation_table_is_generated_from_the_rules():
    registry = Registry.load([])
    table = remediation_table(registry.rules[c] for c in registry.rules)
    text = README.read_text(encoding="utf-8")
    match = TABLE.search(text)
    assert match is not None, "README lacks the remediation-table markers"
    if os.environ.get("DEBTLINT_UPDATE_GOLDEN"):
        README.write_text(TABLE.sub(lambda m: m[1] + table + m[3], text), encoding="utf-8")
        return
    assert match[2] == table


def test_calibration_statistics_are_right():
    bench = pytest.importorskip("bench.calibrate")
    assert bench.auc([3, 2, 1, 0], [True, True, False, False]) == 1.0
    assert bench.auc([1, 1], [True, False]) == 0.5
    assert bench.auc([0, 1, 2, 3], [True, True, False, False]) == 0.0
    low, high = bench.bootstrap_ci([3, 2, 2.5, 1, 0, 2], [True, True, True, False, False, False])
    assert 0.0 <= low <= bench.auc([3, 2, 2.5, 1, 0, 2], [True] * 3 + [False] * 3) <= high <= 1.0


def test_model_folders_outside_the_project_are_never_listed(tmp_path):
    project = write_tree(tmp_path / "project", {"train.py": "x = 1\n"})
    write_tree(tmp_path, {"model_card.md": "# not ours\n"})
    evidence = load_evidence(project, ["..", "/tmp", "../elsewhere", "C:/Users"])
    assert evidence.model_cards == []
