import json
from typing import Any

from debtlint.api import ProjectExample, ProjectGraph, ProjectRule, Severity


def _notebook(*cells: tuple[int | None, str]) -> str:
    """An nbformat 4 notebook as Jupyter saves it: code cells of (execution_count, source)."""
    doc: dict[str, Any] = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": count,
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for count, source in cells
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1) + "\n"


class NotebookExecutionOrder(ProjectRule):
    """A notebook saved after running its cells out of order, or with cells never run.

    ## What it does
    Reads the execution counts Jupyter saves with every code cell (`"execution_count"`, the `[3]`
    beside a cell) and reports, once per notebook each:

    - **out of order**: a code cell whose count is not larger than the count of an executed cell
      above it (cell 5 ran before cell 4), at the first such cell;
    - **never executed**: code cells with no count in a notebook where other cells ran, at the
      first such cell (the finding lists all of them).

    Gaps in the counts (1, 2, 7) are not reported: re-running a cell is normal. A notebook saved
    with all outputs cleared (no counts at all, e.g. by `nbstripout`) is never reported, nor are
    cells that hold only comments, magics or shell commands (`%pip install` left unrun).

    Known false positives: a notebook deliberately saved mid-session (a tutorial that shows a cell
    before running it); a copied cell keeps the count of its original.

    ## Why is this bad?
    The saved outputs (figures, metrics, the model file it wrote) came from a kernel state that
    running the notebook top to bottom would not reproduce: a variable redefined below, a cell
    skipped. Pimentel et al. (MSR 2019) found that only about a quarter of notebooks on GitHub ran
    without errors and fewer still reproduced their saved results, with out-of-order execution and
    skipped cells among the main causes. Results nobody can reproduce are debt for whoever
    builds on them.

    ## Example
    Counts 1, 3, 2 down the notebook: the third cell ran before the second.

    ## Use instead
    Restart the kernel and run all cells (Kernel → Restart & Run All) before saving or committing,
    or strip outputs in a pre-commit hook (`nbstripout`) and run the notebook in CI.

    ## Options
    None.

    ## References
    - Pimentel, Murta, Braganholo, Freire, "A Large-scale Study about Quality and Reproducibility
      of Jupyter Notebooks", MSR 2019.
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §8
      ("Reproducibility Debt").
    """

    code = "DL850"
    name = "notebook-execution-order"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        ProjectExample(
            {
                "explore.ipynb": _notebook(
                    (1, "import pandas as pd\n"), (2, "x = 1\n"), (5, "y = x\n")
                )
            },
            "counts increase down the notebook (gaps are fine)",
        ),
        ProjectExample(
            {"explore.ipynb": _notebook((None, "import pandas as pd\n"), (None, "x = 1\n"))},
            "outputs cleared: nothing ran, nothing to report",
        ),
        ProjectExample(
            {"setup.ipynb": _notebook((None, "%pip install lightgbm\n"), (1, "x = 1\n"))},
            "an unrun cell that holds only a magic",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "explore.ipynb": _notebook(
                    (1, "import pandas as pd\n"),
                    (3, "df = pd.DataFrame()\n"),
                    (2, "df['x'] = 1  # expect: DL850\n"),
                )
            },
            "the third cell ran before the second",
        ),
        ProjectExample(
            {
                "explore.ipynb": _notebook(
                    (1, "import pandas as pd\n"),
                    (None, "df = pd.DataFrame()  # expect: DL850\n"),
                    (2, "df.describe()\n"),
                )
            },
            "the second cell was never run",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        for path in sorted(graph.files):
            info = graph.files[path].notebook
            if info is None:
                continue
            cells = [c for c in info.cells if c.kind == "code" and c.has_code]
            executed = [c for c in cells if c.execution_count is not None]
            if not executed:
                continue
            self._out_of_order(path, info, executed)
            never = [c for c in cells if c.execution_count is None]
            if never:
                numbers = ", ".join(str(c.number) for c in never)
                self.report(
                    info.cell_start(path, never[0]),
                    f"cell {never[0].number} was never executed, but {len(executed)} other "
                    f"cell{'s' if len(executed) != 1 else ''} of this notebook were "
                    f"(never executed: cell{'s' if len(never) != 1 else ''} {numbers}); its "
                    "saved results do not come from running it top to bottom",
                    entity=f"{path}#never-executed",
                    help="Restart the kernel and run all cells before saving, or clear the "
                    "outputs (nbstripout).",
                    properties={"never_executed_cells": [c.number for c in never]},
                )

    def _out_of_order(self, path: str, info: Any, executed: list[Any]) -> None:
        previous = executed[0]
        for cell in executed[1:]:
            if cell.execution_count <= previous.execution_count:
                order = [[c.number, c.execution_count] for c in executed]
                self.report(
                    info.cell_start(path, cell),
                    f"cell {cell.number} ran (execution count {cell.execution_count}) before "
                    f"cell {previous.number} above it (execution count "
                    f"{previous.execution_count}): the notebook was run out of order, so its "
                    "saved results may not reproduce",
                    entity=f"{path}#execution-order",
                    help="Restart the kernel and run all cells in order before saving.",
                    properties={"execution_order": order},
                )
                return
            previous = cell
