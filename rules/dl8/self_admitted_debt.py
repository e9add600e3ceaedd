import re

import libcst as cst

from debtlint.api import FileContext, FileRule, Location, Severity

_TAG = re.compile(r"(?<![A-Za-z])(TODO|FIXME|HACK|XXX|KLUDGE)(?![A-Za-z])")
_MAYBE_COMMENTED_TAG = re.compile(r"#.*(?<![A-Za-z])(?:TODO|FIXME|HACK|XXX|KLUDGE)(?![A-Za-z])")
# Which pipeline stage a call belongs to, by its role in the knowledge tables.
_STAGES = {
    "read": "data",
    "write": "data",
    "open": "data",
    "construct": "training",
    "train": "training",
    "save-model": "training",
    "predict": "evaluation",
    "evaluate": "evaluation",
}
_ORDER = ("data", "training", "evaluation")
_MODULE = "<module>"


class SelfAdmittedDebt(FileRule):
    """A TODO, FIXME, HACK, XXX or KLUDGE comment in ML code, tagged with its pipeline stage.

    ## What it does
    Reports comments carrying one of the tags `TODO`, `FIXME`, `HACK`, `XXX`, `KLUDGE` (upper
    case, as a word) in files that import an ML package. Each finding is tagged with the
    pipeline stage of the code around it — `data` (reads and writes), `training` (building,
    fitting and saving models) or `evaluation` (predicting and scoring) — from the calls made in
    the enclosing function, or in the whole file for top-level comments; `other` when none is
    made. The stage is in the message and in the finding's `stage` property, so a report can
    count debt per stage.

    Severity `info`: each comment is a metric more than a defect. Docstrings are not scanned.

    ## Why is this bad?
    Self-admitted technical debt is debt the authors know about. Bhatia et al. (2023) find twice
    the SATD share in ML projects as in others, concentrated in data preprocessing and model
    building; O'Brien et al. (2022) catalogue its kinds per pipeline stage. Tracking it by stage
    shows where the known shortcuts sit.

    ## Example
    ```python
    # TODO: this threshold was tuned on the test set, redo on validation
    THRESHOLD = 0.37
    ```

    ## Use instead
    Fix the shortcut, or move it to the issue tracker and link it (`# see #123`).

    ## Options
    None.

    ## References
    - Bhatia, Khomh, Adams & Hassan, "An Empirical Study of Self-Admitted Technical Debt in
      Machine Learning Software", arXiv 2311.12019, 2023.
    - O'Brien et al., "23 Shades of Self-Admitted Technical Debt: An Empirical Study on Machine
      Learning Software", ESEC/FSE 2022.
    """

    code = "DL803"
    name = "self-admitted-debt"
    severity = Severity.INFO
    remediation_minutes = 15

    VALID = [
        """
        # TODO: not ML code, so not counted
        import json
        data = json.loads("{}")
        """,
        """
        import pandas as pd
        # Todo lists and the word "hacky" are not tags; nor is a docstring:
        def load():
            '''TODO: document'''
            return pd.read_csv("data.csv")  # reads the data
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        def load():
            # FIXME: drops rows with missing income  # expect: DL803
            return pd.read_csv("data.csv").dropna()
        def train(X, y):
            model = LogisticRegression()  # HACK: default C  # expect: DL803
            return model.fit(X, y)
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        # The tokenizer runs only for ML files with a line where a tag follows a `#`.
        self.enabled = not ctx.catalog.ml_packages.isdisjoint(ctx.imported_roots) and bool(
            _MAYBE_COMMENTED_TAG.search(ctx.source)
        )
        self.functions: list[str] = [_MODULE]
        self.roles: dict[str, set[str]] = {}
        self.defs: list[tuple[cst.FunctionDef, str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        key = f"{node.name.value}@{id(node)}"
        self.functions.append(key)
        if self.enabled:
            self.defs.append((node, key))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if not self.enabled:
            return
        qual = self.ctx.qualname(node.func)
        entries = self.ctx.catalog.lookup_call(qual) if qual else ()
        if not entries and isinstance(node.func, cst.Attribute):
            entries = self.ctx.catalog.lookup_method(node.func.attr.value, self.ctx.imported_roots)
        stages = {_STAGES[e.role] for e in entries if e.role in _STAGES}
        for function in {self.functions[-1], _MODULE}:
            self.roles.setdefault(function, set()).update(stages)

    def finish(self) -> None:
        if not self.enabled:
            return
        tagged = [(c, m.group(1)) for c in self.ctx.comments if (m := _TAG.search(c.text))]
        ranges = self._function_ranges() if tagged else []
        for comment, tag in tagged:
            inside = [r for r in ranges if r[0] <= comment.line <= r[1]]
            function = max(inside)[2] if inside else _MODULE
            stages = self.roles.get(function) or set()
            stage = next((s for s in _ORDER if s in stages), "other")
            text = comment.text.lstrip("#").strip()
            where = Location(
                self.ctx.path,
                comment.line,
                comment.col + 1,
                comment.line,
                comment.col + 1 + len(comment.text),
            )
            self.report(
                where,
                f"{tag} in {stage} code: {text[:80]}",
                entity=f"{tag}:{text[:80]}",
                help="Fix the shortcut, or track it in the issue tracker.",
                properties={"stage": stage, "tag": tag},
            )

    def _function_ranges(self) -> list[tuple[int, int, str]]:
        """(first line, last line, key) of every function; a comment belongs to the innermost one.
        The first line includes the comment lines right above the `def` and its decorators."""
        ranges = []
        for node, key in self.defs:
            first, _, last, _ = self.ctx.span(node)
            if node.decorators:
                first = min(first, self.ctx.span(node.decorators[0])[0])
            ranges.append((first - len(node.leading_lines), last, key))
        return ranges
