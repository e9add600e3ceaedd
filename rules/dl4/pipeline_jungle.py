from debtlint.api import Option, ProjectExample, ProjectGraph, ProjectRule, Severity


def _at_least_two(value: int) -> bool:
    return value >= 2


class PipelineJungle(ProjectRule):
    """A long chain of scripts that hand data to each other through undeclared files.

    ## What it does
    Measures the pipeline-jungle index on the data-dependency graph: the length of the longest
    chain of **undeclared intermediate files** — files written by one (non-test) script and read
    by another, declared in no `dvc.yaml`, `.dvc` file, Kedro catalog or `debtlint.yaml` —
    where a script reads one file of the chain and writes the next (`scrape.py` writes
    `raw.json`, `join.py` reads it and writes `joined.csv`, `resample.py` reads that and writes
    `sampled.csv`, ...). When the chain reaches `min-chain` files the project is reported once, at
    the first write of the chain, with the chain in the message and the number of undeclared
    intermediate files in `properties`. Cycles count once (the graph is condensed first).

    A script is taken to pass what it reads on to what it writes (the chain is about who runs
    after whom); model artifacts are not intermediates.

    Known false positives: pipelines orchestrated elsewhere (an Airflow DAG in another
    repository) whose files are declared there.

    ## Why is this bad?
    Sculley et al. (2015, §5) describe pipeline jungles: data preparation grown from scrapes,
    joins and sampling steps with intermediate files, ordered only by convention. Nobody can
    rerun part of it safely, detect a failed step, or tell what a model was trained on.

    ## Example
    ```text
    scrape.py -> data/raw.json -> join.py -> data/joined.csv -> clean.py -> data/clean.csv
    -> resample.py -> data/sampled.csv -> train.py
    ```

    ## Use instead
    Declare the steps and their files in a pipeline tool (`dvc.yaml` stages, a Kedro pipeline,
    an orchestrator DAG), so that order, inputs and outputs are explicit and reruns are safe.

    ## Options
    - `min-chain` (integer, default 3, at least 2): undeclared intermediate files in a chain.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Pipeline Jungles").
    """

    code = "DL402"
    name = "pipeline-jungle"
    severity = Severity.WARNING
    remediation_minutes = 480
    options = {
        "min-chain": Option(
            int, 3, "undeclared intermediate files in a chain", _at_least_two, "must be >= 2"
        ),
    }

    _STEPS = {
        "scrape.py": 'import pandas as pd\npd.read_json("https://example.com/api/v2/x").to_json("data/raw.json"){m}\n',
        "join.py": 'import pandas as pd\npd.read_json("data/raw.json").to_csv("data/joined.csv")\n',
        "clean.py": 'import pandas as pd\npd.read_csv("data/joined.csv").to_csv("data/clean.csv")\n',
        "train.py": 'import pandas as pd\ndf = pd.read_csv("data/clean.csv")\nprint(df)\n',
    }
    VALID = [
        ProjectExample(
            {
                **{k: v.format(m="") for k, v in _STEPS.items()},
                "dvc.yaml": """
                stages:
                  join:
                    cmd: python join.py
                    deps: [data/raw.json]
                    outs: [data/joined.csv]
                """,
            },
            "declared steps break the chain",
        ),
    ]
    INVALID = [
        ProjectExample(
            {k: v.format(m="  # expect: DL402") for k, v in _STEPS.items()},
            "three undeclared files chained through four scripts",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        chain, total = flow.intermediate_chain()
        if len(chain) < int(self.opts["min-chain"]):
            return
        steps = " -> ".join(f"{flow.label(node)} ({loc.path}:{loc.line})" for node, loc in chain)
        self.report(
            chain[0][1],
            f"pipeline jungle: {len(chain)} undeclared intermediate files in a row: {steps} "
            f"({total} undeclared intermediate files in the project)",
            entity=flow.label(chain[0][0]),
            help="Declare the steps and their files in dvc.yaml, a Kedro pipeline or a DAG.",
            properties={
                "chain": [
                    {"path": flow.label(n), "written_at": f"{loc.path}:{loc.line}"}
                    for n, loc in chain
                ],
                "chain_length": len(chain),
                "undeclared_intermediates": total,
            },
        )
