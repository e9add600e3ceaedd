from debtlint.api import Confidence, ProjectExample, ProjectGraph, ProjectRule, Severity


class HiddenFeedbackLoop(ProjectRule):
    """Two or more models feed each other's training through their predictions.

    ## What it does
    Finds cycles in the data-dependency graph that pass through more than one model: model A's
    predictions are written to a file that (through scripts and files) trains model B, whose
    predictions in turn reach A's training data. Each cycle is reported once, on the write of
    the first model's predictions, with every hop's file and line in the message and in
    `properties.cycle`. A model whose own predictions come straight back to it without passing
    another model is a direct loop (DL301) instead.

    Predictions are followed as described for DL301; the same known false positives apply, and
    loops through the world (user behaviour influenced by both models) stay invisible unless the
    code writes and reads the same files.

    ## Why is this bad?
    Sculley et al. (2015, §4) call hidden feedback loops harder to detect than direct ones: two
    systems influence each other indirectly, so an improvement (or a bug) in one changes the
    other's training data, and neither team can evaluate its model in isolation.

    ## Example
    ```python
    # ranker/score.py writes data/ranked.csv from ranker predictions
    # reviews/train.py trains the review model on data/ranked.csv and
    # reviews/score.py writes data/review_scores.csv, which ranker/train.py trains on
    ```

    ## Use instead
    Break the cycle: train at least one of the models on data the other did not influence, or
    version the shared signal and update it deliberately.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §4
      ("Hidden Feedback Loops").
    """

    code = "DL302"
    name = "hidden-feedback-loop"
    severity = Severity.WARNING
    remediation_minutes = 480

    VALID = [
        ProjectExample(
            {
                "a.py": """
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                df = pd.read_csv("data/a_train.csv")
                a = LogisticRegression()
                a.fit(df[["x"]], df["y"])
                df["pa"] = a.predict(df[["x"]])
                df.to_csv("data/a_scores.csv")
                """,
                "b.py": """
                import pandas as pd
                from sklearn.linear_model import Ridge
                df = pd.read_csv("data/a_scores.csv")
                b = Ridge()
                b.fit(df[["pa"]], df["y"])
                """,
            },
            "a one-way cascade (DL103's business), not a loop",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "ranker.py": """
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                df = pd.read_csv("data/review_scores.csv")
                ranker = LogisticRegression()
                ranker.fit(df[["x", "review"]], df["clicked"])
                df["rank"] = ranker.predict_proba(df[["x", "review"]])[:, 1]
                df.to_csv("data/ranked.csv")  # expect: DL302
                """,
                "reviews.py": """
                import pandas as pd
                from sklearn.linear_model import Ridge
                shown = pd.read_csv("data/ranked.csv")
                reviewer = Ridge()
                reviewer.fit(shown[["rank"]], shown["stars"])
                products = pd.read_csv("data/products.csv")
                products["review"] = reviewer.predict(products[["rank"]])
                products.to_csv("data/review_scores.csv")
                """,
            },
            "two models trained on each other's predictions",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        reported: set[frozenset[str]] = set()
        for hop in flow.predictions():
            model = hop.source
            if hop.location is None or model in flow.first_models(hop.target):
                continue  # no cycle, or a direct loop (DL301)
            back = flow.path(hop.target, model)
            if back is None:
                continue
            cycle = [hop, *back]
            members = frozenset(h.source for h in cycle if flow.kind(h.source) == "model")
            if members in reported:
                continue
            reported.add(members)
            names = sorted(flow.label(m) for m in members)
            self.report(
                hop.location,
                f"hidden feedback loop between {', '.join(names)}: "
                + "; ".join(h.text(flow) for h in cycle),
                entity=" <-> ".join(names),
                confidence=Confidence.MEDIUM,
                help=(
                    "Train at least one of these models on data the others did not influence, "
                    "or version the shared signal and update it deliberately."
                ),
                properties={"cycle": [h.as_dict(flow) for h in cycle], "models": names},
            )
