"""Finds code that runs or imports a Jupyter notebook (facts for the notebook-in-pipeline rule).

Runs: ``papermill.execute_notebook``, nbconvert's ``ExecutePreprocessor``, nbclient, and
``subprocess``/``os.system`` commands that :func:`debtlint.notebook.notebook_invocation`
recognises. Imports: any import in a file that also imports a notebook importer (``import_ipynb``,
``nbimporter``, ``importnb``, ``ipynb``), since without one Python cannot import a notebook; the
rule decides in phase 2 whether the imported module is a notebook of the project.
"""

from __future__ import annotations

import shlex

import libcst as cst

from debtlint.facts.cells import NotebookRun
from debtlint.facts.context import FileContext
from debtlint.facts.names import dotted
from debtlint.notebook import notebook_invocation

NOTEBOOK_IMPORTERS = frozenset({"import_ipynb", "nbimporter", "importnb", "ipynb"})
# `from ipynb.fs.full.explore import f` imports explore.ipynb.
IPYNB_PREFIXES = ("ipynb.fs.full.", "ipynb.fs.defs.")

RUNNER_APIS = {
    "papermill.execute_notebook": "papermill.execute_notebook",
    "papermill.execute.execute_notebook": "papermill.execute_notebook",
    "nbconvert.preprocessors.ExecutePreprocessor": "nbconvert ExecutePreprocessor",
    "nbconvert.preprocessors.execute.ExecutePreprocessor": "nbconvert ExecutePreprocessor",
    "nbclient.NotebookClient": "nbclient.NotebookClient",
    "nbclient.client.NotebookClient": "nbclient.NotebookClient",
    "nbclient.execute": "nbclient.execute",
}
SHELL_APIS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
    }
)
_ROOTS = frozenset({"papermill", "nbconvert", "nbclient", "subprocess", "os"})


def _literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _command(node: cst.BaseExpression) -> str | None:
    """A command given as a string or a list/tuple of literal strings."""
    if isinstance(node, (cst.List, cst.Tuple)):
        words = [_literal(e.value) for e in node.elements if isinstance(e, cst.Element)]
        if words and all(w is not None for w in words):
            return shlex.join([w for w in words if w is not None])
        return None
    return _literal(node)


class NotebookRunFinder:
    """A visitor run in the engine's batched walk; read ``runs`` and ``notebook_modules`` after."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.runs: list[NotebookRun] = []
        self.notebook_modules: list[str] = []
        self._calls = bool(ctx.imported_roots & _ROOTS)
        self._importer = bool(ctx.imported_roots & NOTEBOOK_IMPORTERS)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._calls:
            return
        api = self.ctx.qualname(node.func)
        if api is None:
            return
        if api in RUNNER_APIS:
            first = node.args[0].value if node.args and node.args[0].keyword is None else None
            notebook = _literal(first) if first is not None else None
            if notebook is None:
                notebook = next(
                    (
                        _literal(a.value)
                        for a in node.args
                        if a.keyword is not None and a.keyword.value == "input_path"
                    ),
                    None,
                )
            self.runs.append(NotebookRun(RUNNER_APIS[api], self.ctx.span(node), notebook))
        elif api in SHELL_APIS and node.args:
            command = _command(node.args[0].value)
            found = notebook_invocation(command) if command else None
            if found is not None:
                self.runs.append(NotebookRun(found[0], self.ctx.span(node), found[1]))

    def visit_Import(self, node: cst.Import) -> None:
        if not self._importer:
            return
        for alias in node.names:
            self._imported(dotted(alias.name), node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not self._importer or node.relative or node.module is None:
            return
        module = dotted(node.module)
        self._imported(module, node)
        if module in ("ipynb.fs.full", "ipynb.fs.defs") and not isinstance(
            node.names, cst.ImportStar
        ):
            for alias in node.names:  # `from ipynb.fs.full import explore`
                self._imported(f"{module}.{dotted(alias.name)}", node)

    def _imported(self, module: str | None, node: cst.CSTNode) -> None:
        if not module or module.split(".", 1)[0] in NOTEBOOK_IMPORTERS - {"ipynb"}:
            return
        for prefix in IPYNB_PREFIXES:
            if module.startswith(prefix):
                module = module[len(prefix) :]
                self.notebook_modules.append(module)
                break
        else:
            if module.split(".", 1)[0] == "ipynb":
                return
        self.runs.append(NotebookRun("import", self.ctx.span(node), module=module))
