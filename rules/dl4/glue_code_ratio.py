from debtlint.api import Location, Option, ProjectExample, ProjectGraph, ProjectRule, Severity


def _share_ok(value: float) -> bool:
    return 0 < value <= 1


def _count_ok(value: int) -> bool:
    return value >= 1


class GlueCodeRatio(ProjectRule):
    """A module that is mostly glue around black-box ML calls.

    ## What it does
    Classifies every simple statement (one logical line; imports, `pass` and docstrings are not
    counted) by the calls it makes, using the knowledge tables:

    - **model code**: constructing, training, predicting with, evaluating, loading or saving a
      model, and core ML calls (network layers, optimisers, losses);
    - **glue**: data I/O (reads, writes, `open`), format conversions into and out of ML packages
      (`to_numpy`, `tolist`, `np.asarray`, `torch.from_numpy`, …) and argument and environment
      plumbing (`argparse`, `click`, `logging`, `os`, `pathlib`, `shutil`, `subprocess`, `sys`);
    - **other**: everything else (data preparation, control flow, plain Python).

    A statement with a model call is model code even if it also does I/O. The project's glue
    share (glue / all classified statements in modules that import an ML package) and the scatter
    of direct ML-API calls per module are reported as metrics in the JSON summary. A finding is
    raised for a module that imports an ML package, has at least `min-statements` classified
    statements and at least one model statement, and whose glue share reaches `max-glue-share`.

    Known false positives: command-line entry points and data-loading modules are glue by design;
    a high project-wide glue share is normal in mature systems (Sculley's "95 % glue") and is not a
    finding on its own. Test files are not counted.

    ## Why is this bad?
    Sculley et al. (2015) observe that general-purpose ML packages lead to glue code: much
    supporting code that moves data into and out of them. It freezes a system to the peculiarities
    of one package and makes trying alternatives expensive. Wrapping the black box in a common API
    keeps the glue in one place.

    ## Example
    A `predict.py` of argument parsing, path joining, reading, converting, one `model.predict`
    and writing.

    ## Use instead
    Move the I/O and conversions behind a small adapter module (one `load_features()`, one
    `save_predictions()`) so the ML code reads as ML code.

    ## Options
    - `max-glue-share` (number in (0, 1], default 0.6): glue share at which a module is reported.
    - `min-statements` (integer, default 12): smaller modules are never reported.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Glue Code").
    """

    code = "DL401"
    name = "glue-code-ratio"
    severity = Severity.INFO
    remediation_minutes = 60
    options = {
        "max-glue-share": Option(
            (int, float),
            0.6,
            "glue share at which a module is reported",
            _share_ok,
            "must be in (0, 1]",
        ),
        "min-statements": Option(int, 12, "smaller modules are never reported", _count_ok, ">= 1"),
    }

    VALID = [
        ProjectExample(
            {
                "train.py": """
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                df = pd.read_csv("data/train.csv")
                df = df.dropna()
                df["ratio"] = df["a"] / df["b"]
                df["flag"] = df["c"] > 3
                X = df[["ratio", "flag"]]
                y = df["target"]
                model = LogisticRegression(C=0.5)
                model.fit(X, y)
                score = model.score(X, y)
                print(score)
                best = max(score, 0.5)
                print(best)
                """,
            },
            "mostly data preparation and model code",
        )
    ]
    INVALID = [
        ProjectExample(
            {
                "predict.py": """
                import argparse  # expect: DL401
                import json
                import logging
                import os
                import joblib
                import pandas as pd
                from sklearn.linear_model import LogisticRegression
                logger = logging.getLogger(__name__)
                parser = argparse.ArgumentParser()
                parser.add_argument("--input", default="data/in.csv")
                parser.add_argument("--output", default="out")
                args = parser.parse_args()
                os.makedirs(args.output, exist_ok=True)
                frame = pd.read_csv(args.input)
                features = frame.to_numpy()
                logger.info("loaded %d rows", len(features))
                model = LogisticRegression()
                model.fit(features, features[:, 0])
                preds = model.predict(features)
                pd.DataFrame({"p": preds.tolist()}).to_csv(os.path.join(args.output, "p.csv"))
                json.dump({"n": len(preds)}, open(os.path.join(args.output, "m.json"), "w"))
                logger.info("done")
                """,
            },
            "argument plumbing, I/O and conversions around two model calls",
        )
    ]

    def ml_modules(self, graph: ProjectGraph) -> list:  # type: ignore[type-arg]
        return [
            f
            for path, f in sorted(graph.files.items())
            if f.stats.ml_packages and not f.is_test and f.parse_error is None
        ]

    def metrics(self, graph: ProjectGraph) -> dict[str, object]:
        modules = self.ml_modules(graph)
        glue = sum(f.stats.glue for f in modules)
        total = sum(f.stats.glue + f.stats.model + f.stats.other for f in modules)
        scatter: dict[str, list[str]] = {}
        for f in modules:
            for package in f.stats.ml_packages:
                scatter.setdefault(package, []).append(f.path)
        return {
            "glue_share": round(glue / total, 4) if total else None,
            "ml_modules": len(modules),
            "statements": {
                "model": sum(f.stats.model for f in modules),
                "glue": glue,
                "other": sum(f.stats.other for f in modules),
            },
            "ml_api_calls_per_module": {f.path: f.stats.model for f in modules if f.stats.model},
            "modules_importing_package": {k: len(v) for k, v in sorted(scatter.items())},
        }

    def check(self, graph: ProjectGraph) -> None:
        threshold = float(self.opts["max-glue-share"])
        for facts in self.ml_modules(graph):
            stats = facts.stats
            total = stats.glue + stats.model + stats.other
            if total < self.opts["min-statements"] or stats.model == 0:
                continue
            share = stats.glue / total
            if share < threshold:
                continue
            self.report(
                Location(facts.path, 1, 1),
                f"{facts.path} is {share:.0%} glue ({stats.glue} of {total} statements: I/O, "
                f"conversions, argument plumbing) around {stats.model} model statement(s)",
                entity=facts.path,
                help="Move I/O and conversions behind a small adapter module.",
                properties={"glue_share": round(share, 4), **stats.__dict__},
            )
