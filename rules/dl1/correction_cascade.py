from debtlint.api import ProjectExample, ProjectGraph, ProjectRule, Severity


class CorrectionCascade(ProjectRule):
    """A model trained on another model's predictions.

    ## What it does
    Follows each model's predictions (a `predicts` edge: predictions flowing into a write) through
    files derived from them (`data -derives-> data`: a read flowing into a write in the same
    file) to the training of a different model (`trains`). The finding sits on the training call
    of the downstream model and lists the whole path with files and lines (also in
    `properties.path`). Paths that come back to the first model are feedback loops (DL301,
    DL302) and are left to those rules.

    Only predictions that are written to a file and read back are seen: stacking done in one
    process (`StackingClassifier`, `model_b.fit(model_a.predict(X), y)` in the same script) is
    not reported, since it is one model's design rather than two models' coupling.

    Known false positives: deliberate distillation or pseudo-labelling through files (suppress
    with a reason); a predictions file whose path is reused for unrelated data.

    ## Why is this bad?
    Sculley et al. (2015, §2) describe correction cascades: a model learned on top of another
    model's output, to correct it for a slightly different problem, makes the first model
    impossible to improve alone: any change to it changes the second model's inputs, and the
    cascade ends in an improvement deadlock.

    ## Example
    ```python
    # base/score.py
    orders["eta_base"] = base.predict(orders[FEATURES])
    orders.to_parquet("data/nordic_scored.parquet")
    # correction/train.py
    scored = pd.read_parquet("data/nordic_scored.parquet")
    correction.fit(scored[["eta_base", "snow_cm"]], scored["minutes"])
    ```

    ## Use instead
    Give the base model the features it lacks (`snow_cm`) and train one model for the new case,
    or make the dependency explicit: one pipeline, versioned together, owned by one team.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §2
      ("Correction Cascades").
    """

    code = "DL103"
    name = "correction-cascade"
    severity = Severity.WARNING
    remediation_minutes = 240

    VALID = [
        ProjectExample(
            {
                "stack.py": """
                import pandas as pd
                from sklearn.linear_model import LogisticRegression, Ridge
                df = pd.read_csv("data/train.csv")
                base = Ridge()
                base.fit(df[["a"]], df["y"])
                meta = LogisticRegression()
                meta.fit(base.predict(df[["a"]]).reshape(-1, 1), df["label"])
                """,
            },
            "stacking inside one script is one model's design, not a cascade",
        ),
        ProjectExample(
            {
                "train.py": """
                import pandas as pd
                from sklearn.linear_model import Ridge
                df = pd.read_csv("data/train.csv")
                model = Ridge()
                model.fit(df[["a"]], df["y"])
                out = pd.DataFrame({"val/loss": [0.3], "pred": model.predict(df[["a"]])})
                out.to_csv("reports/val/loss.csv")
                """,
            },
            "predictions written to a report that no model trains on",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "base.py": """
                import pandas as pd
                from sklearn.linear_model import Ridge
                df = pd.read_csv("data/train.csv")
                base = Ridge()
                base.fit(df[["a"]], df["y"])
                df["base_pred"] = base.predict(df[["a"]])
                df.to_csv("data/with_base.csv")
                """,
                "correction.py": """
                import pandas as pd
                from sklearn.linear_model import Ridge
                df = pd.read_csv("data/with_base.csv")
                fix = Ridge()
                fix.fit(df[["base_pred", "b"]], df["y"])  # expect: DL103
                """,
            },
            "a second model trained on the first one's written predictions",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        seen: set[tuple[str, str]] = set()
        for hop in flow.predictions():
            first = hop.source
            # Models end a cascade's path: one through another model is two cascades.
            for second, back in sorted(flow.first_models(hop.target).items()):
                if second == first or (first, second) in seen:
                    continue
                if flow.path(second, first) is not None:
                    continue  # a feedback loop (DL301/DL302)
                seen.add((first, second))
                path = [hop, *back]
                last = path[-1]
                if last.location is None:
                    continue
                self.report(
                    last.location,
                    f"correction cascade: {flow.label(second)} is trained on predictions of "
                    f"{flow.label(first)}: " + "; ".join(h.text(flow) for h in path),
                    entity=f"{flow.label(first)} -> {flow.label(second)}",
                    help=(
                        "Give the first model the signal it lacks and train one model, or version "
                        "and own the two models together."
                    ),
                    properties={"path": [h.as_dict(flow) for h in path]},
                )
