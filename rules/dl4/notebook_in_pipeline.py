import json
from typing import Any

from debtlint.api import (
    Location,
    ProjectExample,
    ProjectGraph,
    ProjectRule,
    Severity,
    notebook_invocation,
)


def _notebook(*sources: str) -> str:
    """An nbformat 4 notebook as Jupyter saves it, one code cell per source."""
    doc: dict[str, Any] = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for source in sources
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1) + "\n"


def _notebook_modules(paths: list[str]) -> dict[str, str]:
    """Every dotted suffix of every notebook's module name -> its path (`nb/explore.ipynb` is
    importable as `nb.explore` and, from inside nb/, as `explore`)."""
    out: dict[str, str] = {}
    for path in sorted(paths):
        parts = path[: -len(".ipynb")].split("/")
        for start in range(len(parts)):
            out.setdefault(".".join(parts[start:]), path)
    return out


class NotebookInPipeline(ProjectRule):
    """A script or pipeline stage that runs or imports a Jupyter notebook.

    ## What it does
    Reports production code that depends on a notebook:

    - a pipeline stage (`dvc.yaml` `cmd`) or a script that runs one: `papermill`, `jupyter
      nbconvert --execute`, `jupyter nbconvert --to script` (converted to be run), `jupyter
      execute`, `ipython x.ipynb`, through `subprocess`/`os.system` or the papermill, nbconvert
      and nbclient APIs;
    - a notebook that runs another notebook (`%run other.ipynb`, `!papermill ...`);
    - an import of a notebook of the project through a notebook importer (`import_ipynb`,
      `nbimporter`, `importnb`, `from ipynb.fs.full.explore import clean`).

    Not reported: test files (executing notebooks in tests keeps documentation notebooks
    working), conversions for reading (`--to html`, `--to markdown`), a notebook that `%run`s a
    script, and an import of a module that exists as a `.py` file (a jupytext pair).

    Known false positives: a project whose product *is* parameterised notebooks (reports rendered
    with papermill on purpose).

    ## Why is this bad?
    Notebooks are prototypes: hidden state, cells run in any order, no tests, no review-friendly
    diffs. Sculley et al. call the prototype that slips into production a debt that teaches the
    system to depend on code nobody treats as production code; once a pipeline stage runs a
    notebook, every exploratory edit to it is a production change.

    ## Example
    ```yaml
    # dvc.yaml
    stages:
      features:
        cmd: papermill notebooks/features.ipynb out/features.ipynb
    ```

    ## Use instead
    Move the code the pipeline needs into a module (`src/features.py`) that both the notebook
    and the stage import or run; keep the notebook for exploration and reporting.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Prototype Smell").
    - Pimentel et al., "A Large-scale Study about Quality and Reproducibility of Jupyter
      Notebooks", MSR 2019.
    """

    code = "DL450"
    name = "notebook-in-pipeline"
    severity = Severity.WARNING
    remediation_minutes = 60

    VALID = [
        ProjectExample(
            {
                "dvc.yaml": """
                stages:
                  report:
                    cmd: jupyter nbconvert --to html notebooks/report.ipynb
                """,
                "notebooks/report.ipynb": _notebook("x = 1\n"),
            },
            "rendering a notebook for reading",
        ),
        ProjectExample(
            {
                "tests/test_notebooks.py": """
                import subprocess

                def test_tutorial_runs():
                    subprocess.run(["jupyter", "nbconvert", "--execute", "docs/tutorial.ipynb"])
                """,
            },
            "a test that executes a documentation notebook",
        ),
        ProjectExample(
            {
                "explore.ipynb": _notebook("%run features.py\n", "df = build()\n"),
                "features.py": "def build():\n    return 1\n",
            },
            "a notebook that runs a script",
        ),
        ProjectExample(
            {
                "train.py": "import import_ipynb\nimport features\n",
                "features.py": "X = 1\n",
                "features.ipynb": _notebook("X = 1\n"),
            },
            "a jupytext pair: Python imports the .py file",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "dvc.yaml": """
                stages:
                  features:  # expect: DL450
                    cmd: papermill notebooks/features.ipynb out/features.ipynb
                    deps: [notebooks/features.ipynb]
                """,
                "notebooks/features.ipynb": _notebook("x = 1\n"),
            },
        ),
        ProjectExample(
            {
                "run_all.py": """
                import subprocess

                import papermill as pm

                pm.execute_notebook("prep.ipynb", "out/prep.ipynb")  # expect: DL450
                subprocess.run(["jupyter", "nbconvert", "--execute", "train.ipynb"])  # expect: DL450
                """,
            },
        ),
        ProjectExample(
            {
                "train.py": """
                import import_ipynb
                from cleaning import clean  # expect: DL450
                """,
                "cleaning.ipynb": _notebook("def clean(df):\n    return df\n"),
            },
        ),
        ProjectExample(
            {
                "main.ipynb": _notebook("%run prep.ipynb  # expect: DL450\n", "train()\n"),
                "prep.ipynb": _notebook("def train():\n    pass\n"),
            },
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        notebooks = _notebook_modules([p for p in graph.files if p.endswith(".ipynb")])
        python = {p[: -len(".py")].replace("/", ".") for p in graph.files if p.endswith(".py")}
        for path in sorted(graph.files):
            facts = graph.files[path]
            if facts.is_test:
                continue
            for run in facts.notebook_runs:
                if run.how == "import":
                    self._import(path, facts, run, notebooks, python)
                    continue
                target = f" {run.notebook}" if run.notebook else " a notebook"
                self.report(
                    facts.location(run.span),
                    f"{path} runs{target} ({run.how}): production code that depends on a notebook",
                    entity=f"{path}->{run.notebook or run.how}",
                    help="Move the code into a module that the pipeline runs and the notebook "
                    "imports.",
                    properties={"how": run.how, "notebook": run.notebook},
                )
        dvc = graph.manifest.dvc
        for stage in dvc.stages if dvc is not None else []:
            for cmd in stage.cmd:
                found = notebook_invocation(cmd)
                if found is None:
                    continue
                how, notebook = found
                self.report(
                    Location(stage.file, stage.line, 1),
                    f"pipeline stage {stage.name!r} runs {notebook or 'a notebook'} ({how})",
                    entity=f"{stage.file}:{stage.name}->{notebook or how}",
                    help="Make the stage run a script or module; keep the notebook for "
                    "exploration.",
                    properties={"how": how, "notebook": notebook, "stage": stage.name},
                )

    def _import(
        self,
        path: str,
        facts: Any,
        run: Any,
        notebooks: dict[str, str],
        python: set[str],
    ) -> None:
        module = run.module or ""
        target = notebooks.get(module)
        # A module that also exists as a .py file is what Python imports (a jupytext pair).
        if (
            target is None
            or target == path
            or any(p == module or p.endswith("." + module) for p in python)
        ):
            return
        self.report(
            facts.location(run.span),
            f"{path} imports the notebook {target} (as {module!r})",
            entity=f"{path}->{target}",
            help="Move the imported code into a module that both the notebook and this file "
            "import.",
            properties={"how": "import", "notebook": target},
        )
