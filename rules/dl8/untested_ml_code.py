from collections.abc import Iterable, Iterator
from posixpath import basename

from debtlint.api import (
    Confidence,
    Location,
    Option,
    ProjectExample,
    ProjectGraph,
    ProjectRule,
    Severity,
)

# Folders of code that is shown, not shipped: nobody unit-tests a tutorial.
DEFAULT_EXCLUDED_DIRS = [
    "examples",
    "example",
    "tutorials",
    "tutorial",
    "docs",
    "doc",
    "demo",
    "demos",
    "notebooks",
    "benchmarks",
]
# Files that are project tooling, not modules anyone would import in a test.
TOOLING_FILES = frozenset({"setup.py", "conftest.py", "noxfile.py"})


def _names_ok(value: list) -> bool:  # type: ignore[type-arg]
    return all(isinstance(v, str) and v and "/" not in v for v in value)


def _prefixes(name: str) -> Iterator[str]:
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        yield ".".join(parts[:i])


class _Imports:
    """Which project modules a file imports, seen through every spelling: `import pkg.train`,
    `from pkg.train import fit`, `from pkg import train` (the alias map names `pkg.train`), and
    through an installed name or a `src/` layout (a module is known by every dotted suffix of
    its path). Importing `pkg.train` also runs `pkg/__init__.py`."""

    def __init__(self, graph: ProjectGraph) -> None:
        self.graph = graph
        self.by_suffix: dict[str, list[str]] = {}
        for path, facts in sorted(graph.files.items()):
            if facts.notebook is not None or not path.endswith(".py"):
                continue  # a notebook is not importable
            parts = facts.module.split(".") if facts.module else []
            for i in range(len(parts)):
                self.by_suffix.setdefault(".".join(parts[i:]), []).append(path)

    def targets(self, facts) -> set[str]:  # type: ignore[no-untyped-def]
        found: set[str] = set()
        for name in {*facts.imported_modules, *facts.aliases.values()}:
            for prefix in _prefixes(name):
                found.update(self.by_suffix.get(prefix, ()))
        found.discard(facts.path)
        return found

    def reached_from(self, starts: Iterable[str]) -> set[str]:
        """Every file the start files import, directly or through other project modules."""
        seen = set(starts)
        frontier = list(seen)
        while frontier:
            path = frontier.pop()
            for target in self.targets(self.graph.files[path]):
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        return seen


class UntestedMlCode(ProjectRule):
    """Model code (a model class, a hand-written training loop) that no test imports.

    ## What it does
    Finds the modules that hold the project's own model code: a class the graph knows as a model
    (a `torch.nn.Module`, `LightningModule`, Keras `Model` or scikit-learn estimator subclass,
    or a subclass of one of the project's own), or a hand-written training loop (an optimiser
    built on `model.parameters()`). When the project has tests, each such module that no test
    imports is reported, at its model class or training loop. A test imports a module directly
    (`import pkg.train`, `from pkg.train import fit`, `from pkg import train`, through an
    installed package name or a `src/` layout) or through other project modules (a test of
    `pkg.api` that imports `pkg.train` covers it); `conftest.py` counts as a test. Only the code
    base the tests are about is checked: top-level packages (folders with `__init__.py`) and
    top-level folders holding a module some test imports. A loose folder of scripts beside a
    tested library (`experiments/`, an application built on it) is not.

    When the project has no tests at all, it is reported once, at the first module with model
    code, else the first that builds, trains or saves a model the graph knows (a fitted
    scikit-learn estimator, a Keras model, a pretrained checkpoint too): as a
    warning in a package (a folder with `__init__.py`), as information in a collection of
    scripts. A project whose code is a single script (a Kaggle or course notebook turned into
    `train.py`) is not reported: the score's practice evidence already counts the missing tests,
    and asking a one-off analysis for a test suite is noise.

    A test file is one the score counts as a test by its path (`tests/`, `test/`, `testing/`,
    `test_*.py`, `*_test.py`, `conftest.py`) that defines something a test runner collects
    (`test*` functions, `Test*` classes, `TestCase`s) or imports pytest/unittest/hypothesis;
    a `test_model.py` that evaluates a model is not one.

    Not reported: notebooks (a notebook cannot be imported by a test; its hygiene is DL4xx/DL8xx
    notebook rules), modules under `examples/`, `tutorials/`, `docs/`, `demo/`, `notebooks/`,
    `benchmarks/` (option `exclude-dirs`), tests themselves, `setup.py`, `conftest.py`,
    `noxfile.py`, and, by default, scripts that only fit or save a library estimator
    (`LogisticRegression().fit(...)`): the estimator is tested by its library, and running such a
    script is an integration test of the pipeline (DL807 and Breck's Infra 3), not a unit test
    of a model spec. Set `report-fit-scripts` to report them too. Modules that only load a model
    and predict are not reported.

    **Known false positives:** modules a test exercises without importing them (through
    `subprocess`, `runpy`, `importlib.import_module("...")` with a computed name, or a CLI
    entry point called by name), and tests kept in another repository. Findings on modules in
    a project with tests are therefore of medium confidence.

    ## Why is this bad?
    Model code fails silently: a wrong tensor shape is broadcast, a layer is never called, a loss
    goes to NaN after an update, and the model still trains to a plausible but worse number.
    Breck et al. (2017) ask that "model specs are unit tested" (Infra 2), as they ask it of
    feature code (Data 7); a model class or a training loop with no test is where such bugs
    stay. And since in an ML system changing anything changes everything (Sculley et al. 2015,
    §2), a test is what tells a refactoring from a change to the model.

    ## Example
    ```python
    # src/model.py — no test imports it
    class Net(torch.nn.Module):
        def forward(self, x):
            return self.head(self.body(x))
    ```

    ## Use instead
    ```python
    # tests/test_model.py
    from src.model import Net

    def test_forward_shape():
        assert Net()(torch.zeros(2, 3, 32, 32)).shape == (2, 10)

    def test_one_step_lowers_the_loss_on_one_batch(): ...
    ```

    ## Options
    - `report-fit-scripts` (boolean, default false): also report modules that only fit or save
      a library model (a scikit-learn, XGBoost, Hugging Face `Trainer` run) when tests exist.
    - `exclude-dirs` (list of folder names): folders whose modules are never reported, at any
      depth (default: examples, example, tutorials, tutorial, docs, doc, demo, demos,
      notebooks, benchmarks).

    ## References
    - Breck et al., "The ML Test Score: A Rubric for ML Production Readiness and Technical Debt
      Reduction", IEEE BigData 2017: Infra 2, Data 7.
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §2.
    - van Oort et al., "Project smells — Experiences in Analysing the Software Quality of ML
      Projects with mllint", ICSE-SEIP 2022 (testing category).
    """

    code = "DL806"
    name = "untested-ml-code"
    severity = Severity.WARNING
    remediation_minutes = 60

    options = {
        "report-fit-scripts": Option(
            bool, False, "also report modules that only fit or save a library model"
        ),
        "exclude-dirs": Option(
            list,
            DEFAULT_EXCLUDED_DIRS,
            "folders whose modules are never reported",
            _names_ok,
            "a list of folder names (no slashes)",
        ),
    }

    VALID = [
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/model.py": """
                import torch

                class Net(torch.nn.Module):
                    def forward(self, x):
                        return x
                """,
                "tests/test_model.py": """
                from pkg.model import Net

                def test_forward():
                    assert Net()(1) == 1
                """,
            },
            "the model module is imported by a test",
        ),
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/train.py": """
                import torch
                from pkg.model import Net

                def fit(loader):
                    net = Net()
                    opt = torch.optim.Adam(net.parameters())
                    for x, y in loader:
                        opt.zero_grad()
                        net(x).sum().backward()
                        opt.step()
                """,
                "pkg/model.py": """
                import torch

                class Net(torch.nn.Module):
                    pass
                """,
                "test/train_test.py": """
                from pkg import train

                def test_fit_runs():
                    train.fit([])
                """,
            },
            "`from pkg import train` in a `test/…_test.py` file; the model module is reached "
            "through train.py",
        ),
        ProjectExample(
            {
                "src/churn/__init__.py": "",
                "src/churn/model.py": """
                from sklearn.base import BaseEstimator

                class Churn(BaseEstimator):
                    def fit(self, X, y):
                        return self
                """,
                "tests/conftest.py": """
                import pytest
                from churn.model import Churn

                @pytest.fixture
                def model():
                    return Churn()
                """,
                "tests/test_churn.py": """
                def test_fit(model):
                    assert model.fit([[0]], [0]) is model
                """,
            },
            "a `src/` layout imported by the installed name, from conftest.py",
        ),
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/train.py": """
                import joblib
                from sklearn.linear_model import LogisticRegression

                def main(X, y):
                    model = LogisticRegression()
                    model.fit(X, y)
                    joblib.dump(model, "model.pkl")
                """,
                "pkg/features.py": "def scale(x):\n    return x / 2\n",
                "tests/test_features.py": """
                from pkg.features import scale

                def test_scale():
                    assert scale(2) == 1
                """,
            },
            "a script that only fits a library estimator (report-fit-scripts is off)",
        ),
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/util.py": "def f():\n    return 1\n",
                "examples/mnist/model.py": """
                import torch

                class Net(torch.nn.Module):
                    pass
                """,
                "docs/tutorial.py": """
                from sklearn.linear_model import LogisticRegression
                LogisticRegression().fit([[0]], [0])
                """,
                "tests/test_util.py": """
                from pkg.util import f

                def test_f():
                    assert f() == 1
                """,
            },
            "models in examples/ and docs/ are not reported",
        ),
        ProjectExample(
            {
                "fastrnn/__init__.py": "from fastrnn.cell import Cell\n",
                "fastrnn/cell.py": """
                import torch

                class Cell(torch.nn.Module):
                    pass
                """,
                "language_model/train_lm.py": """
                import torch
                from fastrnn import Cell

                class LM(torch.nn.Module):
                    pass
                """,
                "test/test_cell.py": """
                from fastrnn import Cell

                def test_cell():
                    Cell()
                """,
            },
            "a folder of scripts beside the tested library (an application of it) is not the "
            "code base the tests are about",
        ),
        ProjectExample(
            {
                "train.py": """
                import pandas as pd
                from sklearn.ensemble import RandomForestClassifier

                df = pd.read_csv("train.csv")
                RandomForestClassifier().fit(df.drop(columns="y"), df.y)
                """,
            },
            "a single script: no project-level finding",
        ),
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/model.py": """
                import torch

                class Net(torch.nn.Module):
                    pass
                """,
                "tests/test_model.py": """
                import pkg.model

                def test_net():
                    pkg.model.Net()
                """,
            },
            "`import pkg.model`",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/model.py": """
                import torch

                class Net(torch.nn.Module):  # expect: DL806
                    def forward(self, x):
                        return x
                """,
                "pkg/data.py": "def load():\n    return []\n",
                "tests/test_data.py": """
                from pkg.data import load

                def test_load():
                    assert load() == []
                """,
            },
            "tests exist, but none imports the model module",
        ),
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/model.py": """
                import torch

                class Net(torch.nn.Module):  # expect: DL806
                    pass
                """,
                "pkg/train.py": """
                import torch
                from pkg.model import Net

                net = Net()
                opt = torch.optim.SGD(net.parameters(), lr=0.1)
                """,
            },
            "no tests at all: one finding for the project, at the first model module",
        ),
        ProjectExample(
            {
                "pkg/__init__.py": "",
                "pkg/train.py": """
                import torch
                from pkg.net import Net

                def fit(loader):
                    net = Net()
                    opt = torch.optim.SGD(net.parameters(), lr=0.1)  # expect: DL806
                    for x in loader:
                        net(x).sum().backward()
                        opt.step()
                """,
                "pkg/net.py": "import torch\n\nNet = torch.nn.Linear\n",
                "tests/test_other.py": """
                import unittest

                class TestNothing(unittest.TestCase):
                    def test_true(self):
                        self.assertTrue(True)
                """,
                "test_model.py": """
                from pkg.train import fit

                def evaluate(model, loader):
                    return sum(model(x) for x in loader)
                """,
            },
            "a hand-written training loop; `test_model.py` that defines no test does not count",
        ),
        ProjectExample(
            {
                "baseline.py": """
                import joblib
                from sklearn.linear_model import LogisticRegression

                model = LogisticRegression()
                model.fit([[0]], [0])  # expect: DL806
                joblib.dump(model, "model.pkl")
                """,
                "utils.py": "def clean(df):\n    return df.dropna()\n",
            },
            "no tests in a collection of scripts: reported once, as information",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        excluded = set(self.opts["exclude-dirs"])
        eligible = {path for path, f in graph.files.items() if self._eligible(path, f, excluded)}
        model_code = self._model_code(graph, eligible)
        tests = graph.test_files()
        if not tests:
            self._no_tests(graph, eligible, model_code)
            return
        reported = dict(model_code)
        if self.opts["report-fit-scripts"]:
            for path, where in self._fit_scripts(graph, eligible).items():
                reported.setdefault(path, where)
        if not reported:
            return
        covered = _Imports(graph).reached_from(f.path for f in tests)
        scope = _tested_code_base(graph, covered)
        for path, (location, what) in sorted(reported.items()):
            if path in covered or _top(path) not in scope:
                continue
            module = graph.files[path].module
            self.report(
                location,
                f"{what} is in {path}, but no test imports `{module}` directly or through other "
                f"modules ({len(tests)} test file{'s' if len(tests) != 1 else ''})",
                entity=module,
                confidence=Confidence.MEDIUM,
                help="Add a test that imports it: build the model, run one forward pass or one "
                "training step on a tiny batch, check shapes and that the loss goes down.",
            )

    @staticmethod
    def _eligible(path: str, facts, excluded: set[str]) -> bool:  # type: ignore[no-untyped-def]
        if facts.is_test or facts.parse_error is not None or facts.notebook is not None:
            return False
        if not path.endswith(".py") or basename(path) in TOOLING_FILES:
            return False
        return not excluded.intersection(path.split("/")[:-1])

    @staticmethod
    def _model_code(graph: ProjectGraph, eligible: set[str]) -> dict[str, tuple[Location, str]]:
        """Modules with the project's own model code -> (where, what) of the first piece of it."""
        found: dict[str, tuple[Location, str]] = {}
        for model in graph.models():
            if model.site.kind == "class" and model.path in eligible:
                where = (model.location, f"model class '{model.name}'")
                if model.path not in found or _before(where[0], found[model.path][0]):
                    found[model.path] = where
        for path in sorted(eligible):
            facts = graph.files[path]
            for use in facts.uses:
                if use.kind == "train" and use.api.startswith("torch.optim."):
                    where = (facts.location(use.span), "a training loop")
                    if path not in found or _before(where[0], found[path][0]):
                        found[path] = where
                    break
        return found

    @staticmethod
    def _fit_scripts(graph: ProjectGraph, eligible: set[str]) -> dict[str, tuple[Location, str]]:
        """Modules that fit or save any model -> where they first do."""
        found: dict[str, tuple[Location, str]] = {}
        for path in sorted(eligible):
            facts = graph.files[path]
            uses = [u for u in facts.uses if u.kind in ("train", "save")]
            if uses:
                first = min(uses, key=lambda u: u.span)
                verb = "trained" if first.kind == "train" else "saved"
                found[path] = (facts.location(first.span), f"a model {verb} (`{first.api}`)")
        return found

    @staticmethod
    def _model_sites(graph: ProjectGraph, eligible: set[str]) -> dict[str, tuple[Location, str]]:
        """Modules that build, load or otherwise use a model the graph knows -> the first site
        (enough to call a project with no tests an ML project)."""
        found: dict[str, tuple[Location, str]] = {}
        for path in sorted(eligible):
            facts = graph.files[path]
            if facts.models:
                site = min(facts.models, key=lambda m: m.span)
                found[path] = (facts.location(site.span), f"model '{site.name}'")
        return found

    def _no_tests(
        self,
        graph: ProjectGraph,
        eligible: set[str],
        model_code: dict[str, tuple[Location, str]],
    ) -> None:
        candidates = self._model_sites(graph, eligible)
        candidates.update(self._fit_scripts(graph, eligible))
        candidates.update(model_code)
        if not candidates:
            return
        modules = [p for p in eligible if graph.files[p].stats.ncloc > 0]
        if len(modules) < 2:
            return  # a single script
        packaged = any(basename(p) == "__init__.py" for p in eligible)
        first = min(model_code) if model_code else min(candidates)
        location, what = candidates[first]
        names = sorted(candidates)
        listed = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        self.report(
            location,
            f"the project has no tests; {_modules(len(names))} models ({listed}), starting "
            f"with {what} here",
            entity="tests",
            severity=Severity.WARNING if packaged else Severity.INFO,
            help="Add a tests/ folder with a smoke test per model: build it, run one step on a "
            "tiny batch, save and reload it.",
            properties={"modules": names, "packaged": packaged},
        )


def _modules(n: int) -> str:
    if n == 1:
        return "1 module builds, trains or saves"
    return f"{n} modules build, train or save"


def _top(path: str) -> str:
    """The top-level folder of a path ("" for a file at the root)."""
    return path.split("/", 1)[0] if "/" in path else ""


def _tested_code_base(graph: ProjectGraph, covered: set[str]) -> set[str]:
    """The top-level folders whose code is under test: those holding a module some test reaches,
    and the top-level packages (folders with an `__init__.py`). A loose folder of scripts beside
    a tested library (an application of it, experiments) is not."""
    scope = {_top(p) for p in covered if not graph.files[p].is_test}
    scope.update(
        p.split("/", 1)[0] for p in graph.files if p.count("/") == 1 and p.endswith("/__init__.py")
    )
    return scope


def _before(a: Location, b: Location) -> bool:
    return (a.line, a.col) < (b.line, b.col)
