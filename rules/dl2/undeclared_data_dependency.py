from debtlint.api import Confidence, Option, ProjectExample, ProjectGraph, ProjectRule, Severity


class UndeclaredDataDependency(ProjectRule):
    """Code reads data that no manifest declares.

    ## What it does
    Looks at every data read in the code — pandas/numpy/polars/pyarrow readers, `open()` for
    reading, `json`/`pickle`/`joblib` loads, `torch.load`, `datasets.load_dataset` and whatever the
    knowledge tables or your `api-catalogs` list — and checks that the path is declared: in
    `debtlint.yaml` `data:` (paths or globs), in a `dvc.yaml` stage's `deps`/`outs` or a `.dvc`
    file (a declared directory covers the files under it), or in a Kedro catalog. Paths are
    resolved through literals, module constants (also imported from another module), `os.path.join`,
    `pathlib` `/`, f-strings and `str.format` with constant parts. A read whose path cannot be
    resolved is reported as such, with low confidence and `info` severity, and never guessed.

    Not reported: reads of configuration files (`*.yaml`, `*.toml`, `*.ini`, `*.cfg`, JSON files
    named like `config`/`params`/`settings`), of source and text files, of model artifacts this
    project saves (that is a model consumer, see the DL1 family), and reads in test files.

    Known false positives: small static lookup files that are part of the code; data declared in
    a system debtlint does not read (a feature store, an internal catalog) — declare those in
    `debtlint.yaml` `data:` with `external: true`.

    ## Why is this bad?
    Sculley et al. (2015) call data dependencies costlier than code dependencies because no
    compiler or linker tracks them: an undeclared input can change, disappear or be reused
    elsewhere without anyone noticing, and nobody can compute what a model depends on.

    ## Example
    ```python
    df = pd.read_csv("data/raw/customers.csv")
    ```

    ## Use instead
    ```yaml
    # debtlint.yaml
    data:
      data/raw/customers.csv: {owner: "@acme/data-eng"}
    ```
    or list the file in a `dvc.yaml` stage's `deps`.

    ## Options
    - `report-unresolved` (bool, default true): report reads whose path could not be resolved
      (as `info`).
    - `include-tests` (bool, default false): also check reads in test files.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3
      ("Static Analysis of Data Dependencies").
    - Breck et al., "The ML Test Score", 2017, Data 1.
    """

    code = "DL201"
    name = "undeclared-data-dependency"
    severity = Severity.WARNING
    remediation_minutes = 30
    options = {
        "report-unresolved": Option(bool, True, "report reads whose path is unresolved (info)"),
        "include-tests": Option(bool, False, "also check reads in test files"),
    }

    VALID = [
        ProjectExample(
            {
                "train.py": """
                import pandas as pd
                df = pd.read_csv("data/train.csv")
                """,
                "debtlint.yaml": "data:\n  - data/*.csv\n",
            }
        ),
        ProjectExample(
            {
                "src/train.py": """
                import os
                import pandas as pd
                DATA = "data/prepared"
                df = pd.read_parquet(os.path.join(DATA, "train.parquet"))
                """,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python src/train.py
                    deps: [data/prepared, src/train.py]
                """,
            },
            "a declared dvc directory covers the files under it",
        ),
        ProjectExample(
            {
                "train.py": """
                import yaml
                params = yaml.safe_load(open("params.yaml"))
                """,
            },
            "reading configuration is not a data dependency",
        ),
        ProjectExample(
            {
                "train.py": """
                import joblib
                from sklearn.linear_model import LogisticRegression
                model = LogisticRegression()
                joblib.dump(model, "models/lr.pkl")
                """,
                "serve.py": """
                import joblib
                model = joblib.load("models/lr.pkl")
                """,
            },
            "loading a model artifact the project saves is a model dependency, not data",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "train.py": """
                from pathlib import Path
                import pandas as pd
                ROOT = Path("data")
                train = pd.read_csv(ROOT / "train.csv")  # expect: DL201
                test = pd.read_csv(f"{ROOT}/test.csv")  # expect: DL201
                """,
                "debtlint.yaml": "data:\n  - data/other.csv\n",
            }
        ),
        ProjectExample(
            {
                "config.py": 'TRAIN = "input/train.csv"\n',
                "train.py": """
                import json
                import pandas as pd
                from config import TRAIN
                df = pd.read_csv(TRAIN)  # expect: DL201
                with open("input/labels.json") as f:  # expect: DL201
                    labels = json.load(f)
                """,
            },
            "a constant imported from another module, and a file object",
        ),
        ProjectExample(
            {
                "load.py": """
                import pandas as pd
                def load_frame(path):
                    return pd.read_csv(path)  # expect: DL201
                """,
            },
            "an unresolved path is reported as such (info, low confidence)",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        for read in graph.data_reads(include_tests=self.opts["include-tests"]):
            node = graph.data_node(read.data_id)
            path = node.get("path")
            if path is None:
                if self.opts["report-unresolved"]:
                    self._report_unresolved(read, node)
                continue
            if graph.declarations_of(path):
                continue
            writers = graph.writers_of(read.data_id)
            produced = (
                f" (written by {', '.join(w.removeprefix('code:') for w in writers)})"
                if writers
                else ""
            )
            confidence = Confidence(read.access.path.confidence)
            self.report(
                read.location,
                f"reads {path}{produced}, which is not declared as a data dependency",
                entity=path,
                confidence=confidence,
                help=(
                    f"Declare it in debtlint.yaml (data: [{path}]), in a dvc.yaml stage's deps, "
                    "or in the Kedro catalog."
                ),
                properties={"path": path, "api": read.access.api},
            )

    def _report_unresolved(self, read, node) -> None:  # type: ignore[no-untyped-def]
        symbolic = node.get("symbolic") or "<unknown>"
        self.report(
            read.location,
            f"reads data from a path debtlint could not resolve: {symbolic}",
            entity=f"{read.location.path}:{symbolic}",
            severity=Severity.INFO,
            confidence=Confidence.LOW,
            help="Use a literal path or a module constant, or declare the data in debtlint.yaml.",
            properties={"path": None, "symbolic": symbolic, "api": read.access.api},
        )
