from debtlint.api import Option, ProjectExample, ProjectGraph, ProjectRule, Severity


def _at_least_two(value: int) -> bool:
    return value >= 2


class EntanglementHotspot(ProjectRule):
    """A data source that feeds many models: change it and they all change.

    ## What it does
    For each data source — a file, table, URL or hub name that the project reads but no code of
    the project writes — counts the models whose training it reaches: directly (`trains`), through
    files derived from it (`derives`: its data flows into a write in the same file), and through
    other models' predictions. When at least `min-models` models depend on it, the finding sits
    on the source's declaration (`debtlint.yaml`, `dvc.yaml`) or, if it has none, on its first read,
    and lists the blast radius (`properties.models`).

    Reachability is computed once on the condensation of the data-flow graph, so large projects
    stay fast. Only sources are reported: the files derived from a hotspot share its blast radius
    and would only repeat it.

    Known false positives: a shared, versioned, well-tested feature table is intended sharing;
    raise `min-models` or suppress the finding with the reason.

    ## Why is this bad?
    Sculley et al. (2015, §2) call it CACE, "changing anything changes everything": models that
    share an input are entangled, so a change in its distribution, schema or cleaning silently
    changes all of them, and the blast radius is unknown unless someone computes it.

    ## Example
    ```python
    events = pd.read_parquet("data/events.parquet")  # read by churn, upsell and fraud training
    ```

    ## Use instead
    Version the shared source and let each model pin a version; give it an owner and tests; or
    isolate the models that should not move together.

    ## Options
    - `min-models` (integer, default 3, at least 2): how many models a source must feed.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §2
      ("Entanglement").
    """

    code = "DL104"
    name = "entanglement-hotspot"
    severity = Severity.INFO
    remediation_minutes = 120
    options = {
        "min-models": Option(
            int, 3, "models a source must feed to be reported", _at_least_two, "must be >= 2"
        ),
    }

    _TRAIN = """
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        df = pd.read_csv("data/customers.csv"){expect}
        model = LogisticRegression()
        model.fit(df[["a", "b"]], df["{target}"])
        """
    VALID = [
        ProjectExample(
            {
                "churn.py": _TRAIN.format(expect="", target="churned"),
                "upsell.py": _TRAIN.format(expect="", target="upsold"),
            },
            "two models share a source: under the threshold",
        ),
        ProjectExample(
            {
                "tests/test_a.py": _TRAIN.format(expect="", target="a"),
                "tests/test_b.py": _TRAIN.format(expect="", target="b"),
                "tests/test_c.py": _TRAIN.format(expect="", target="c"),
            },
            "models in tests do not count",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "churn.py": _TRAIN.format(expect="  # expect: DL104", target="churned"),
                "upsell.py": _TRAIN.format(expect="", target="upsold"),
                "prep.py": """
                import pandas as pd
                df = pd.read_csv("data/customers.csv")
                df.dropna().to_csv("data/clean.csv")
                """,
                "fraud.py": """
                import pandas as pd
                from sklearn.ensemble import RandomForestClassifier
                clean = pd.read_csv("data/clean.csv")
                model = RandomForestClassifier()
                model.fit(clean[["a"]], clean["fraud"])
                """,
            },
            "one source, three models (one through a derived file)",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        minimum = int(self.opts["min-models"])
        for source in flow.sources():
            models = flow.models_downstream(source)
            if len(models) < minimum:
                continue
            location = flow.where_declared_or_read(source)
            if location is None:
                continue
            labels = sorted(flow.label(m) for m in models)
            name = flow.label(source)
            self.report(
                location,
                f"{name} feeds {len(labels)} models ({', '.join(labels)}): a change to it "
                "changes all of them",
                entity=name,
                help=(
                    "Version the source and let each model pin a version, give it an owner and "
                    "tests, or isolate the models that should not move together."
                ),
                properties={"source": name, "models": labels, "blast_radius": len(labels)},
            )
