from debtlint.api import ProjectExample, ProjectGraph, ProjectRule, Severity


class UnusedDataSource(ProjectRule):
    """Data is read into a variable that is never used.

    ## What it does
    Reports a read (`df = pd.read_csv(...)`, `x = np.load(...)`, `table = pq.read_table(...)`)
    whose result is bound to a plain name that appears nowhere else in its scope: not in the
    function (nested functions included), or, for a module-level name, nowhere in the module and
    the module is not imported by another project module (which could use the name).

    Deliberately narrow, so that it is precise: reads bound to attributes, unpacked into
    tuples, passed straight to a call, or bound to names starting with `_` are not considered, and
    a scope that calls `locals()`, `vars()`, `eval` or `exec` is left alone. Reads of
    configuration files and test files are skipped.

    ## Why is this bad?
    Sculley et al. (2015, §3) describe underutilized data dependencies: inputs that no longer
    contribute still have to be fetched, declared and kept stable, and they break the pipeline
    when they disappear. A read whose result is thrown away is the plainest case: it costs I/O
    and a dependency for nothing.

    ## Example
    ```python
    train = pd.read_csv("data/train.csv")
    holidays = pd.read_csv("data/holidays.csv")   # never used
    model.fit(train[FEATURES], train["y"])
    ```

    ## Use instead
    Delete the read (and the dependency's declaration), or use the data.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3
      ("Underutilized Data Dependencies").
    """

    code = "DL204"
    name = "unused-data-source"
    severity = Severity.WARNING
    remediation_minutes = 15

    VALID = [
        """
        import pandas as pd

        def main():
            train = pd.read_csv("data/train.csv")
            extra = pd.read_csv("data/extra.csv")
            return train.merge(extra, on="id")

        def dynamic():
            frame = pd.read_csv("data/x.csv")
            return locals()["frame"]

        _unused = pd.read_csv("data/warmup.csv")
        """,
        ProjectExample(
            {
                "data.py": """
                import pandas as pd
                LOOKUP = pd.read_csv("data/lookup.csv")
                """,
                "train.py": "from data import LOOKUP\nprint(LOOKUP)\n",
            },
            "a module-level read another module imports",
        ),
    ]
    INVALID = [
        """
        import numpy as np
        import pandas as pd

        def main():
            train = pd.read_csv("data/train.csv")
            holidays = pd.read_csv("data/holidays.csv")  # expect: DL204
            return train

        embeddings = np.load("data/embeddings.npy")  # expect: DL204
        """,
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        for path, facts in sorted(graph.files.items()):
            if facts.is_test or not facts.unused_reads:
                continue
            importable = path.endswith("__init__.py") or bool(flow.imported_by(path))
            for index in facts.unused_reads:
                access = facts.data[index]
                if access.function is None and importable:
                    continue
                target = access.path.value
                if target is not None and not flow.is_data_path(target):
                    continue
                shown = access.path.describe()
                name = access.target or "a variable"
                self.report(
                    facts.location(access.span),
                    f"reads {shown} into `{name}`, which is never used",
                    entity=f"{shown}:{name}",
                    help="Delete the read (and its declaration), or use the data.",
                    properties={"path": target, "variable": access.target},
                )
