import re

import libcst as cst

from debtlint.api import FileContext, FileRule, Severity

_DEPENDENT = frozenset(
    {
        "sklearn.metrics.accuracy_score",
        "sklearn.metrics.balanced_accuracy_score",
        "sklearn.metrics.f1_score",
        "sklearn.metrics.fbeta_score",
        "sklearn.metrics.precision_score",
        "sklearn.metrics.recall_score",
    }
)
# Any call or string naming one of these counts as a threshold-independent evaluation:
# roc_auc_score, average_precision_score, roc_curve, log_loss, torchmetrics.AUROC, "roc_auc", ...
_INDEPENDENT = re.compile(
    r"auc|auroc|average_precision|averageprecision|log_?loss|brier|roc_curve|"
    r"precision_recall_curve|det_curve|cross_entropy|calibration",
    re.IGNORECASE,
)


class ThresholdDependentMetricsOnly(FileRule):
    """A module evaluates a classifier only with metrics that depend on a decision threshold.

    ## What it does
    Reports a module that calls scikit-learn's `accuracy_score`, `balanced_accuracy_score`,
    `f1_score`, `fbeta_score`, `precision_score` or `recall_score` and nowhere names a
    threshold-independent metric: no call or string mentioning ROC AUC, average precision,
    log loss, Brier score, ROC or precision-recall curves, calibration or cross-entropy (so
    `scoring="roc_auc"` and `eval_metric="logloss"` count). The finding is on the first
    threshold-dependent call. Test files are not checked.

    Known false positives: a problem whose decision threshold is fixed by the business (then the
    thresholded metric is the right one), and multi-class problems evaluated by argmax. Lower
    the severity or ignore the rule for those modules.

    ## Why is this bad?
    Accuracy, precision, recall and F1 describe one threshold (usually 0.5) and hide how the
    model ranks; on imbalanced data they can look good for a useless model. A ranking metric
    (ROC AUC, average precision) or a proper scoring rule (log loss) shows the model's quality
    independently of the threshold. This is smell 22, "Threshold-Dependent Validation", of Zhang
    et al. (2022).

    ## Example
    ```python
    print(f1_score(y_test, model.predict(X_test)))
    ```

    ## Use instead
    ```python
    print(f1_score(y_test, model.predict(X_test)))
    print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #22.
    """

    code = "DL910"
    name = "threshold-dependent-metrics-only"
    severity = Severity.INFO
    remediation_minutes = 10

    VALID = [
        """
        from sklearn.metrics import f1_score, roc_auc_score
        print(f1_score(y, pred), roc_auc_score(y, proba))
        """,
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import cross_val_score
        cv = cross_val_score(model, X, y, scoring="roc_auc")
        acc = accuracy_score(y, pred)
        """,
        """
        from sklearn.metrics import mean_squared_error
        print(mean_squared_error(y, pred))
        """,
    ]
    INVALID = [
        """
        from sklearn.metrics import accuracy_score, f1_score
        acc = accuracy_score(y_test, pred)  # expect: DL910
        f1 = f1_score(y_test, pred)
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.enabled = "sklearn" in ctx.imported_roots and not ctx.is_test
        self.first: tuple[cst.Call, str] | None = None
        self.independent = False

    def visit_Call(self, node: cst.Call) -> None:
        if not self.enabled:
            return
        qual = self.ctx.qualname(node.func) or ""
        if qual in _DEPENDENT and self.first is None:
            self.first = (node, qual.rsplit(".", 1)[-1])
        elif _INDEPENDENT.search(qual):
            self.independent = True

    def visit_Name(self, node: cst.Name) -> None:
        # `from sklearn.metrics import roc_auc_score` used as `scoring=roc_auc_score` etc.
        if self.enabled and _INDEPENDENT.search(node.value):
            self.independent = True

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.enabled and _INDEPENDENT.search(node.value):
            self.independent = True

    def finish(self) -> None:
        if self.first is None or self.independent:
            return
        call, metric = self.first
        self.report(
            call,
            f"only threshold-dependent metrics ({metric}, …) in this module; the model's ranking "
            "quality is never measured",
            entity=metric,
            help="Also report roc_auc_score, average_precision_score or log_loss.",
        )
