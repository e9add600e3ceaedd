import libcst as cst

from debtlint.api import Confidence, FileRule, Severity

# Calls whose result is a score or probability that a threshold turns into a decision.
_SCORE_METHODS = frozenset({"predict_proba", "decision_function", "predict_log_proba"})
_SCORE_FUNCTIONS = frozenset(
    {
        "torch.sigmoid",
        "torch.softmax",
        "torch.nn.functional.sigmoid",
        "torch.nn.functional.softmax",
        "scipy.special.expit",
        "scipy.special.softmax",
        "tensorflow.sigmoid",
        "tensorflow.nn.sigmoid",
        "tensorflow.math.sigmoid",
    }
)


class FixedDecisionThreshold(FileRule):
    """A model's scores are turned into decisions with a hard-coded threshold.

    ## What it does
    Reports comparisons (`>`, `>=`, `<`, `<=`) between a literal strictly between 0 and 1 —
    or a module constant holding one — and a model score: the result of `predict_proba`,
    `predict_log_proba`, `decision_function`, a sigmoid or softmax (`torch.sigmoid`,
    `scipy.special.expit`, ...), directly or through a name assigned from one in the same
    function (`proba = model.predict_proba(X)[:, 1]`, then `proba > 0.5`).

    Not reported: thresholds that come from configuration or a calibration step
    (`proba >= params["threshold"]`, `proba > best_threshold`), comparisons with 0 or 1, and
    comparisons of anything else.

    Known false positives: 0.5 on well-calibrated binary probabilities can be a deliberate
    choice; document it with a suppression and a reason.

    ## Why is this bad?
    Sculley et al. (2015, §7) warn about fixed thresholds in dynamic systems: a threshold picked
    by hand for one model version silently becomes wrong when the model is retrained or the data
    drifts. Learn it on held-out data and keep it with the model or in configuration.

    ## Example
    ```python
    proba = model.predict_proba(X)[:, 1]
    flagged = proba > 0.7
    ```

    ## Use instead
    ```python
    flagged = proba > params["threshold"]   # chosen on validation data, e.g. with
                                            # TunedThresholdClassifierCV or a PR curve
    ```

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §7
      ("Fixed Thresholds in Dynamic Systems").
    """

    code = "DL601"
    name = "fixed-decision-threshold"
    severity = Severity.WARNING
    remediation_minutes = 30

    VALID = [
        """
        import yaml
        params = yaml.safe_load(open("params.yaml"))
        proba = model.predict_proba(X)[:, 1]
        y_pred = (proba >= params["threshold"]).astype(int)
        margin = model.decision_function(X) > 0
        counts = df["n"] > 0.5
        """,
        """
        def metrics(history):
            return {"val/loss": history["val/loss"] < 0.5}
        """,
    ]
    INVALID = [
        """
        import torch
        THRESHOLD = 0.35

        def decide(model, X):
            proba = model.predict_proba(X)[:, 1]
            flagged = proba > 0.7  # expect: DL601
            return flagged, proba >= THRESHOLD  # expect: DL601

        def gate(logits):
            return torch.sigmoid(logits) > 0.5  # expect: DL601
        """,
    ]

    def start(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().start(ctx)
        self._constants: dict[str, str] = {}
        self._scopes: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(set())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            name = target.target.value
            if len(self._scopes) == 1 and _fraction(node.value) is not None:
                self._constants[name] = _fraction(node.value) or ""
            if self._is_score(node.value):
                self._scopes[-1].add(name)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        ops = [c.operator for c in node.comparisons]
        if not all(
            isinstance(op, (cst.GreaterThan, cst.GreaterThanEqual, cst.LessThan, cst.LessThanEqual))
            for op in ops
        ):
            return
        scores = [o for o in operands if self._is_score(o)]
        if not scores:
            return
        for operand in operands:
            value = _fraction(operand)
            constant = None
            if value is None and isinstance(operand, cst.Name):
                constant = operand.value
                value = self._constants.get(constant)
            if value is None:
                continue
            shown = f"{constant} = {value}" if constant else value
            self.report(
                node,
                f"model scores are compared with a fixed threshold ({shown}); it goes stale "
                "when the model is retrained or the data drifts",
                entity=shown,
                confidence=Confidence.MEDIUM if constant else Confidence.HIGH,
                help=(
                    "Choose the threshold on held-out data (a PR curve, TunedThresholdClassifierCV) "
                    "and keep it with the model or in configuration."
                ),
                properties={"threshold": value},
            )
            return

    def _is_score(self, node: cst.BaseExpression) -> bool:
        while isinstance(node, (cst.Subscript, cst.Attribute)) and not self._is_call(node):
            if isinstance(node, cst.Attribute) and node.attr.value not in ("T", "values"):
                return False
            node = node.value
        if isinstance(node, cst.Name):
            return any(node.value in scope for scope in self._scopes)
        if isinstance(node, cst.Call):
            return self._is_call(node)
        return False

    def _is_call(self, node: cst.BaseExpression) -> bool:
        if not isinstance(node, cst.Call):
            return False
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SCORE_METHODS:
            return True
        return self.ctx.qualname(func) in _SCORE_FUNCTIONS


def _fraction(node: cst.BaseExpression) -> str | None:
    """A float literal strictly between 0 and 1, as written."""
    if isinstance(node, cst.Float):
        try:
            value = float(node.value.replace("_", ""))
        except ValueError:
            return None
        return node.value if 0 < value < 1 else None
    return None
