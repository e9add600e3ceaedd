"""DL806 untested-ml-code and DL807 tests-not-run-in-ci: the CI evidence they share with the score
(debtlint.practice), and behaviour the rule examples cannot express (severity, confidence,
options)."""

from __future__ import annotations

from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import ScanResult, Selection, scan
from debtlint.findings import Confidence, Severity
from debtlint.practice import DELEGATES, RUNS_TESTS, ci_evidence, is_repository_root
from tests.conftest import write_tree

MODEL = "import torch\n\n\nclass Net(torch.nn.Module):\n    pass\n"
TEST = "import pytest\nfrom pkg.util import f\n\n\ndef test_f():\n    assert f() == 1\n"


def _scan(root: Path, code: str) -> ScanResult:
    return scan(load_settings(root), [root], Selection(select=[code]))


def _under_a_repository(path: Path) -> bool:
    return any((p / ".git").exists() for p in path.resolve().parents)


# -- the shared CI evidence -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        "python -m pytest -q",
        "poetry run pytest",
        "python -m unittest discover",
        "tox -e py312",
        "nox -s tests",
        "make test",
        "make tests",
        "make unit-test",
        "hatch test",
        "pixi run test",
        "just test",
        "./scripts/run_tests.sh",
        "bash ci/test.sh",
        "script/test",
        "python tests/run_all.py",
        "- python/test:",
    ],
)
def test_test_commands_are_recognised(command):
    assert RUNS_TESTS.search(f"steps:\n  - run: {command}\n")


@pytest.mark.parametrize(
    "command",
    ["ruff check .", "mkdocs build", "python -m build", "twine upload dist/*", "make docs"],
)
def test_other_commands_are_not_test_runs(command):
    assert not RUNS_TESTS.search(f"steps:\n  - run: {command}\n")


def test_a_github_matrix_include_is_not_delegation():
    matrix = "jobs:\n  t:\n    strategy:\n      matrix:\n        include:\n          - py: 3.9\n"
    assert not DELEGATES.search(matrix)
    assert DELEGATES.search("include:\n  - project: group/ci\n    file: python.yml\n")
    assert DELEGATES.search("jobs:\n  t:\n    uses: org/shared/.github/workflows/test.yml@v1\n")


def test_pre_commit_counts_only_when_ci_runs_it(tmp_path):
    write_tree(
        tmp_path,
        {
            ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: t\n    entry: pytest\n",
            ".github/workflows/lint.yml": "jobs:\n  l:\n    steps:\n      - run: ruff check\n",
        },
    )
    assert ci_evidence(tmp_path).runs_tests == []
    write_tree(tmp_path, {".github/workflows/hooks.yml": "steps:\n  - run: pre-commit run -a\n"})
    assert ci_evidence(tmp_path).runs_tests == [".github/workflows/hooks.yml"]


def test_repository_root_markers(tmp_path):
    if _under_a_repository(tmp_path):
        pytest.skip("the temporary folder is inside a repository")
    project = tmp_path / "project"
    project.mkdir()
    assert not is_repository_root(project)  # a bare copy of some code
    (project / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    assert is_repository_root(project)  # a snapshot of a repository
    nested = project / "sub"
    nested.mkdir()
    (nested / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    (project / ".git").mkdir()
    assert is_repository_root(project)
    assert not is_repository_root(nested)  # its CI lives at the root of the enclosing repository


# -- DL806 ----------------------------------------------------------------------------------------
def test_no_tests_is_one_finding_a_warning_in_a_package(tmp_path):
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": MODEL,
            "pkg/b.py": MODEL.replace("Net", "Other"),
        },
    )
    findings = _scan(tmp_path, "DL806").findings
    assert [(f.location.path, f.severity, f.entity) for f in findings] == [
        ("pkg/a.py", Severity.WARNING, "tests")
    ]
    assert findings[0].properties["modules"] == ["pkg/a.py", "pkg/b.py"]


def test_no_tests_in_loose_scripts_is_information(tmp_path):
    write_tree(tmp_path, {"model.py": MODEL, "util.py": "def f():\n    return 1\n"})
    findings = _scan(tmp_path, "DL806").findings
    assert [(f.location.path, f.severity) for f in findings] == [("model.py", Severity.INFO)]


def test_untested_module_is_medium_confidence_and_named_by_module(tmp_path):
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/model.py": MODEL,
            "pkg/util.py": "def f():\n    return 1\n",
            "tests/test_util.py": TEST,
        },
    )
    findings = _scan(tmp_path, "DL806").findings
    assert [(f.location.path, f.location.line, f.entity) for f in findings] == [
        ("pkg/model.py", 4, "pkg.model")
    ]
    assert findings[0].confidence == Confidence.MEDIUM


def test_fit_scripts_are_reported_only_when_asked(tmp_path):
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/util.py": "def f():\n    return 1\n",
            "pkg/train.py": (
                "from sklearn.linear_model import LogisticRegression\n\n"
                "LogisticRegression().fit([[0]], [0])\n"
            ),
            "tests/test_util.py": TEST,
        },
    )
    assert _scan(tmp_path, "DL806").findings == []
    (tmp_path / "debtlint.yaml").write_text(
        "rule-options:\n  DL806:\n    report-fit-scripts: true\n", encoding="utf-8"
    )
    findings = _scan(tmp_path, "DL806").findings
    assert [(f.location.path, f.location.line) for f in findings] == [("pkg/train.py", 3)]


def test_exclude_dirs_option(tmp_path):
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/util.py": "def f():\n    return 1\n",
            "research/__init__.py": "",
            "research/model.py": MODEL,
            "tests/test_util.py": TEST,
        },
    )
    assert [f.location.path for f in _scan(tmp_path, "DL806").findings] == ["research/model.py"]
    (tmp_path / "debtlint.yaml").write_text(
        "rule-options:\n  DL806:\n    exclude-dirs: [research]\n", encoding="utf-8"
    )
    assert _scan(tmp_path, "DL806").findings == []


# -- DL807 ----------------------------------------------------------------------------------------
def test_ci_that_includes_other_configuration_is_low_confidence(tmp_path):
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/util.py": "def f():\n    return 1\n",
            "tests/test_util.py": TEST,
            ".gitlab-ci.yml": "include:\n  - project: acme/ci\n    file: python.yml\n",
        },
    )
    findings = _scan(tmp_path, "DL807").findings
    assert [(f.location.path, f.confidence) for f in findings] == [
        (".gitlab-ci.yml", Confidence.LOW)
    ]


def test_no_ci_in_a_subproject_of_a_repository_is_not_reported(tmp_path):
    project = write_tree(
        tmp_path / "mono" / "project",
        {"pkg/__init__.py": "", "pkg/util.py": "def f():\n    return 1\n", "tests/test_u.py": TEST},
    )
    (project / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    (tmp_path / "mono" / ".git").mkdir()
    assert _scan(project, "DL807").findings == []
    (project / ".git").mkdir()  # now it is a repository of its own
    assert [f.location.path for f in _scan(project, "DL807").findings] == ["tests/test_u.py"]
