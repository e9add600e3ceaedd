from debtlint.api import Confidence, ProjectExample, ProjectGraph, ProjectRule, Severity


class DirectFeedbackLoop(ProjectRule):
    """A model's predictions are written where its own training later reads them.

    ## What it does
    Follows the data-dependency graph around a cycle: model M's predictions flow into a write
    (`preds_df.to_csv(...)`, `json.dump(scores, f)`: a `predicts` edge), and that file, possibly
    through further scripts that read it and write other files, is read by the code that trains M
    again. The finding sits on the write of the predictions and lists every hop of the cycle with
    its file and line (also under `properties.cycle`).

    Predictions are followed inside one function or module: names assigned from
    `predict`/`predict_proba`/`decision_function` (also of an artifact loaded with `joblib.load`
    or `pickle.load` that the project saves), frames that receive them as a column, and values
    built from them. A script that reads A and writes B is taken to pass A on to B, which is why a
    cycle through intermediate scripts has medium confidence; one where the training reads the
    predictions file itself has high confidence. Loops through the world (a click log that the
    recommendations influence) are invisible unless the code writes and reads the same file.

    Known false positives: a script that reads the predictions file and writes an unrelated
    file that training reads; the same path used for unrelated data in different environments.

    ## Why is this bad?
    Sculley et al. (2015, §4) describe direct feedback loops: a model that influences the
    selection of its own future training data learns from its own decisions, so its measured
    quality drifts away from its real quality, and changes to it are hard to evaluate. Bandit
    methods, randomisation or a held-out slice the model does not influence break the loop.

    ## Example
    ```python
    # score.py
    scored["risk"] = joblib.load("models/fraud.pkl").predict_proba(X)[:, 1]
    scored.to_csv("data/alerts.csv")
    # train.py
    model.fit(pd.read_csv("data/alerts.csv")[FEATURES], y)
    joblib.dump(model, "models/fraud.pkl")
    ```

    ## Use instead
    Train on data the model did not select (a random exploration slice, all transactions with
    delayed labels), or record the model's propensity with each example and correct for it.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §4
      ("Direct Feedback Loops").
    """

    code = "DL301"
    name = "direct-feedback-loop"
    severity = Severity.WARNING
    remediation_minutes = 480

    VALID = [
        ProjectExample(
            {
                "train.py": """
                import joblib
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                df = pd.read_csv("data/history.csv")
                model = LogisticRegression()
                model.fit(df[["a", "b"]], df["y"])
                joblib.dump(model, "models/m.pkl")
                """,
                "score.py": """
                import joblib
                import pandas as pd
                model = joblib.load("models/m.pkl")
                new = pd.read_csv("data/new.csv")
                new["p"] = model.predict(new[["a", "b"]])
                new.to_csv("reports/scored.csv")
                """,
            },
            "predictions go to a report nobody trains on",
        ),
        ProjectExample(
            {
                "train.py": """
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                df = pd.read_csv("data/history.csv")
                model = LogisticRegression()
                model.fit(df[["a"]], df["y"])
                log = pd.DataFrame({"val/loss": [0.1]})
                log.to_csv("metrics/val/loss.csv")
                """,
            },
            "metric names that look like paths are not predictions",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "train.py": """
                import joblib
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                df = pd.read_csv("data/labelled_alerts.csv")
                model = LogisticRegression()
                model.fit(df[["a", "b"]], df["y"])
                joblib.dump(model, "models/m.pkl")
                """,
                "score.py": """
                import joblib
                import pandas as pd
                model = joblib.load("models/m.pkl")
                new = pd.read_csv("data/new.csv")
                new["p"] = model.predict(new[["a", "b"]])
                new.to_csv("data/alerts.csv")  # expect: DL301
                """,
                "label.py": """
                import pandas as pd
                alerts = pd.read_csv("data/alerts.csv")
                verdicts = pd.read_csv("data/verdicts.csv")
                alerts.merge(verdicts, on="id").to_csv("data/labelled_alerts.csv")
                """,
            },
            "a scoring job's alerts become the next training set",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        for hop in flow.predictions():
            model = hop.source
            back = flow.first_models(hop.target).get(model)
            if back is None or hop.location is None:
                continue
            cycle = [hop, *back]
            direct = len(back) == 1  # the training reads the predictions file itself
            self.report(
                hop.location,
                f"feedback loop: {flow.label(model)} is trained on its own predictions: "
                + "; ".join(h.text(flow) for h in cycle),
                entity=f"{flow.label(model)} -> {flow.label(hop.target)}",
                confidence=Confidence.HIGH if direct else Confidence.MEDIUM,
                help=(
                    "Train on data the model did not select (an exploration slice, delayed "
                    "labels for everything), or log propensities and correct for them."
                ),
                properties={"cycle": [h.as_dict(flow) for h in cycle]},
            )
