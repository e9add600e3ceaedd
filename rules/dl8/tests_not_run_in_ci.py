import re
from posixpath import basename

from debtlint.api import Confidence, Location, ProjectExample, ProjectGraph, ProjectRule, Severity

# Of several CI files, the one a reader would look at for the test job.
_MAIN_CI = re.compile(r"(^|[^a-z])(ci|tests?|build|main|python|checks?)([^a-z]|$)", re.I)


class TestsNotRunInCi(ProjectRule):
    """The project has tests, but no CI configuration runs them.

    ## What it does
    Reads the CI configurations at the project root that the score reads (GitHub Actions
    workflows, `.gitlab-ci.yml`, `.travis.yml`, `.circleci/config.yml`, Azure Pipelines,
    AppVeyor, Bitbucket, Jenkinsfile, Drone, Cirrus, Cloud Build, Buildkite) and reports once
    when the project has tests and none of them runs a test: `pytest`, `python -m unittest`,
    nose, `tox`, `nox`, `make test`/`make tests`/`make check`, `hatch test`, `pixi run test`,
    `just test`, `coverage run`, `bazel test`, a script named for it (`./run_tests.sh`,
    `script/test`, `python tests/run.py`) or CircleCI's `python/test` orb job. The finding is
    on the first line of the CI file that lacks a test run (the one named `ci`/`test`/`build`/
    `main` when there are several), or, when there is no CI configuration, on the first line of
    the first test file.

    A test is what untested-ml-code (DL806) counts: a `tests/`, `test/`, `test_*.py` or
    `*_test.py` file that defines a `test*` function, a `Test*` class or a `TestCase`, or imports
    pytest/unittest. A project without tests is DL806's business, not this rule's.

    `.pre-commit-config.yaml` is not CI: its hooks run on a developer's machine, only when
    installed, and `git commit --no-verify` skips them (and pre-commit.ci cannot run the
    `language: system` hooks that run pytest). A pytest hook counts when a CI job runs
    `pre-commit run`.

    "No CI configuration" is reported only at a repository root: a folder with `.git`, or, when no
    folder above it has one, with `.gitignore`, `.gitattributes` or `.github` (a snapshot of a
    repository). A project inside a larger repository keeps its CI at that repository's root,
    and a copy of the code (an sdist, a vendored folder) has none; there the rule stays silent.

    **Known false positives:** CI configured outside the repository (a Jenkins or TeamCity job
    set up in its web interface), and a test job hidden in a wrapper script with another name
    (`run: ./ci.sh`). A CI file that includes configuration from elsewhere (GitLab `include:`,
    a reusable workflow of another repository, Azure templates, CircleCI orbs) is reported with
    low confidence, since the test job may be there.

    ## Why is this bad?
    Tests that no machine runs stop being run: they rot, then fail, then get deleted. Breck et
    al. (2017) give a test of the ML Test Score its full point only when it runs automatically
    on a repeated basis; mllint and the NICHE labelling count continuous integration as a mark
    of an engineered ML project.

    ## Example
    ```yaml
    # .github/workflows/lint.yml
    on: [push]
    jobs:
      lint:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pip install ruff && ruff check .
    ```

    ## Use instead
    ```yaml
          - run: pip install -e .[test] && python -m pytest
    ```

    ## Options
    None.

    ## References
    - Breck et al., "The ML Test Score: A Rubric for ML Production Readiness and Technical Debt
      Reduction", IEEE BigData 2017 (scoring: automated tests earn the full point).
    - van Oort et al., "Project smells — Experiences in Analysing the Software Quality of ML
      Projects with mllint", ICSE-SEIP 2022 (`ci/use`).
    - Widyasari et al., "NICHE: A Curated Dataset of Engineered Machine Learning Projects in
      Python", MSR 2023 (continuous integration as an engineering criterion).
    """

    code = "DL807"
    name = "tests-not-run-in-ci"
    severity = Severity.WARNING
    remediation_minutes = 60

    _TEST = """
    import pytest
    from pkg.model import build

    def test_build():
        assert build() is not None
    """
    _PKG = {"pkg/__init__.py": "", "pkg/model.py": "def build():\n    return 1\n"}

    VALID = [
        ProjectExample(
            {
                **_PKG,
                "tests/test_model.py": _TEST,
                ".github/workflows/ci.yml": """
                on: [push]
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                      - run: pip install -e . && python -m pytest -q
                """,
            },
            "a workflow runs pytest",
        ),
        ProjectExample(
            {
                **_PKG,
                "test/model_test.py": _TEST,
                ".gitlab-ci.yml": """
                test:
                  image: python:3.12
                  script:
                    - pip install tox
                    - tox -e py312
                """,
            },
            "GitLab CI runs tox; tests in test/ with the *_test.py layout",
        ),
        ProjectExample(
            {
                **_PKG,
                "tests/test_model.py": _TEST,
                ".gitignore": "__pycache__/\n",
                ".github/workflows/lint.yml": "jobs:\n  l:\n    steps:\n      - run: ruff check\n",
                ".github/workflows/tests.yml": """
                jobs:
                  t:
                    steps:
                      - run: make test
                """,
            },
            "one of several workflows runs `make test`",
        ),
        ProjectExample(
            {
                **_PKG,
                "tests/test_model.py": _TEST,
                ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: nox -s tests\n",
                ".travis.yml": "script: hatch test\n",
                ".circleci/config.yml": "jobs:\n  t:\n    steps:\n      - run: ./scripts/run_tests.sh\n",
            },
            "nox, `hatch test`, a test script",
        ),
        ProjectExample(
            {
                **_PKG,
                "tests/test_model.py": _TEST,
                ".pre-commit-config.yaml": """
                repos:
                  - repo: local
                    hooks:
                      - id: tests
                        name: tests
                        entry: pytest
                        language: system
                """,
                ".github/workflows/ci.yml": """
                jobs:
                  checks:
                    steps:
                      - uses: pre-commit/action@v3.0.1
                """,
            },
            "CI runs pre-commit, whose hook runs pytest",
        ),
        ProjectExample(
            {**_PKG, "tests/test_model.py": _TEST},
            "no CI, but the folder is not a repository root (no .git, .gitignore, .github): a "
            "copy of the code or a subproject of a larger repository",
        ),
        ProjectExample(
            {
                **_PKG,
                ".gitignore": "*.pyc\n",
                "tests/__init__.py": "",
                "test_model.py": """
                from pkg.model import build

                def evaluate(model, loader):
                    return [model(x) for x in loader]
                """,
            },
            "no tests (a `test_model.py` that evaluates a model is not one): DL806's business",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                **_PKG,
                "tests/test_model.py": _TEST,
                ".github/workflows/ci.yml": """
                name: CI  # expect: DL807
                on: [push]
                jobs:
                  lint:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                      - run: pip install ruff && ruff check .
                """,
                ".github/workflows/release.yml": "jobs:\n  r:\n    steps:\n      - run: twine\n",
            },
            "CI lints and releases but never runs the tests",
        ),
        ProjectExample(
            {
                **_PKG,
                ".git/HEAD": "ref: refs/heads/main\n",
                "tests/test_model.py": """
                import pytest  # expect: DL807
                from pkg.model import build

                def test_build():
                    assert build() == 1
                """,
                ".pre-commit-config.yaml": """
                repos:
                  - repo: local
                    hooks:
                      - id: pytest
                        entry: pytest
                        language: system
                """,
            },
            "no CI at a repository root; a pre-commit hook alone is not CI",
        ),
        ProjectExample(
            {
                **_PKG,
                "tests/test_model.py": _TEST,
                ".gitlab-ci.yml": """
                pages:  # expect: DL807
                  script:
                    - mkdocs build
                """,
            },
            "GitLab CI builds the docs only",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        tests = graph.test_files()
        if not tests:
            return
        ci = graph.ci()
        if ci.runs_tests:
            return
        count = f"{len(tests)} test file{'s' if len(tests) != 1 else ''}"
        them = "them" if len(tests) != 1 else "it"
        if ci.files:
            main = next((f for f in ci.files if _MAIN_CI.search(basename(f))), ci.files[0])
            others = len(ci.files) - 1
            also = f" (nor do the {others} other CI files)" if others else ""
            delegated = bool(ci.delegates)
            self.report(
                Location(main, 1, 1),
                f"the project has {count}, but {main} never runs {them}{also}: no pytest, "
                "unittest, tox, nox or `make test`"
                + (" here; it includes configuration from elsewhere" if delegated else ""),
                entity="ci",
                confidence=Confidence.LOW if delegated else Confidence.HIGH,
                help="Add a job step that installs the project and runs the tests, e.g. "
                "`python -m pytest`.",
                properties={"ci_files": ci.files, "tests": len(tests)},
            )
            return
        if not ci.repository_root:
            return  # CI would live at the root of the enclosing repository, if any
        first = tests[0].path
        self.report(
            Location(first, 1, 1),
            f"the project has {count}, but no CI configuration runs {them} (no GitHub Actions "
            "workflow, .gitlab-ci.yml or other CI file at the root)",
            entity="ci",
            confidence=Confidence.MEDIUM,
            help="Add a CI workflow that runs the tests on every push, e.g. "
            ".github/workflows/tests.yml with `python -m pytest`.",
            properties={"tests": len(tests)},
        )
