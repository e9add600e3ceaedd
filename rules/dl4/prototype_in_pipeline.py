import libcst as cst

from debtlint.api import FileRule, Severity, dotted

# Folder (package) names that hold prototypes, not production code.
PROTOTYPE_DIRS = frozenset(
    {
        "scratch",
        "experiments",
        "experimental",
        "sandbox",
        "notebooks",
        "prototype",
        "prototypes",
        "playground",
    }
)


class PrototypeInPipeline(FileRule):
    """Production code imports from a prototype folder (`scratch/`, `experiments/`, `notebooks/`).

    ## What it does
    Reports `import` and `from ... import` statements in a module that is not itself prototype
    or test code when the imported module lives in a package named `scratch`, `experiments`,
    `experimental`, `sandbox`, `notebooks`, `prototype(s)` or `playground` — absolute
    (`from experiments.features import add_lags`) or relative (`from ..scratch import utils`).
    Modules under those folders, tests and notebooks may import each other freely.

    Known false positives: a production package that happens to be named `experiments` (an
    experiment-tracking service, say); third-party packages with those names (rare).

    ## Why is this bad?
    Sculley et al. (2015, §5) list the prototype smell: when production depends on the
    prototyping environment, code that was never reviewed, tested or meant to last becomes
    part of the system, and the prototype can no longer change freely.

    ## Example
    ```python
    # src/train.py
    from experiments.new_features import add_lags
    ```

    ## Use instead
    Move the code that production needs into the production package, with tests, and import it
    from there.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Prototype Smell").
    """

    code = "DL404"
    name = "prototype-in-pipeline"
    severity = Severity.WARNING
    remediation_minutes = 60

    VALID = [
        """
        import sklearn.experimental.enable_iterative_imputer
        from sklearn.experimental import enable_halving_search_cv
        from src.features import add_lags
        """,
    ]
    INVALID = [
        """
        from experiments.new_features import add_lags  # expect: DL404
        import scratch.helpers as h  # expect: DL404
        from .notebooks import cleaning  # expect: DL404
        """,
    ]

    def start(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().start(ctx)
        folders = ctx.path.split("/")[:-1]
        name = ctx.path.rsplit("/", 1)[-1]
        self._exempt = (
            bool(set(folders) & PROTOTYPE_DIRS)
            or bool({"tests", "test"} & set(folders))
            or name.startswith("test_")
            or name.endswith(".ipynb")
        )

    def visit_Import(self, node: cst.Import) -> None:
        if self._exempt:
            return
        for alias in node.names:
            parts = (dotted(alias.name) or "").split(".")
            # The first segment only: `sklearn.experimental` is a library's own subpackage.
            if parts and parts[0] in PROTOTYPE_DIRS:
                self._report(node, ".".join(parts), parts[0])
                return

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self._exempt:
            return
        parts = (dotted(node.module) or "").split(".") if node.module else []
        relative = len(node.relative) > 0
        hit = next((p for p in parts if p in PROTOTYPE_DIRS), None) if relative else None
        if not relative and parts and parts[0] in PROTOTYPE_DIRS:
            hit = parts[0]
        if hit is not None:
            self._report(node, "." * len(node.relative) + ".".join(parts), hit)

    def _report(self, node: cst.CSTNode, module: str, folder: str) -> None:
        self.report(
            node,
            f"production code imports {module} from the prototype folder {folder}/",
            entity=module,
            help="Move what production needs out of the prototype folder, with tests.",
            properties={"module": module, "folder": folder},
        )
