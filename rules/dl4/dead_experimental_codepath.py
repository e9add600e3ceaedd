import re
import textwrap

import libcst as cst

from debtlint.api import FileRule, Option, Severity

# Comment lines that are tooling, not code: shebangs, encodings, pragmas, type comments, markers.
_TOOLING = re.compile(
    r"^#\s*(!|-\*-|(type|noqa|pragma|pylint|mypy|fmt|isort|debtlint|ruff|nosec|expect)\b)|^#\s*%%"
)
# What makes a parsable comment look like code rather than prose.
_CODE_HINT = re.compile(r"[=(\[]|^(import|from|def|class|return|for|if|while|with|print)\b")


def _at_least_two(value: int) -> bool:
    return value >= 2


class DeadExperimentalCodepath(FileRule):
    """Code that can never run: `if False:` branches and commented-out code blocks.

    ## What it does
    Reports the precise cases of dead experimental code:
    - an `if` or `while` whose condition is the constant `False`, `0`, `None` or `""` (the
      body never runs), or `if True:`/`if 1:` with an `else:` (the `else` never runs);
    - a block of at least `min-comment-lines` consecutive comment lines that, uncommented,
      parse as Python and look like code (assignments, calls, imports, definitions): an
      experiment switched off by commenting it out.

    Flags that are constant by convention (`USE_NEW_FEATURES = False` set once and never
    changed) are not reported: another module or a test may change them, and telling needs every
    config and call site.

    Known false positives: a commented-out usage example in a module header (raise
    `min-comment-lines`, or make it a docstring).

    ## Why is this bad?
    Sculley et al. (2015, §5) describe dead experimental codepaths: conditional branches and
    switched-off experiments pile up, interact in ways nobody tests, and one day run by accident
    (the paper recalls Knight Capital's loss). Version control already remembers old code.

    ## Example
    ```python
    if False:
        df = add_holiday_features(df)
    # model = XGBClassifier(n_estimators=2000)
    # model.fit(X, y)
    ```

    ## Use instead
    Delete it; to keep an experiment, put it behind a configuration flag that some config
    actually sets.

    ## Options
    - `min-comment-lines` (integer, default 5, at least 2): consecutive comment lines that make
      a commented-out block.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Dead Experimental Codepaths").
    """

    code = "DL403"
    name = "dead-experimental-codepath"
    severity = Severity.WARNING
    remediation_minutes = 30
    options = {
        "min-comment-lines": Option(
            int, 5, "consecutive commented-out code lines to report", _at_least_two, "must be >= 2"
        ),
    }

    VALID = [
        """
        DEBUG = False
        if DEBUG:
            print("debug")
        while True:
            break
        if True:
            pass
        # This explains the next step in words, over several lines of prose
        # so that the reader knows why the loop below stops early when the
        # validation loss has not improved for a while. It is not code at all,
        # and it does not parse as Python, so it is
        # not reported.
        x = 1
        """,
    ]
    INVALID = [
        """
        import pandas as pd
        df = pd.DataFrame()
        if False:  # expect: DL403
            df["holiday"] = 1
        if 0:  # expect: DL403
            print("old path")
        if True:  # expect: DL403
            pass
        else:
            print("never")
        # model = XGBClassifier(n_estimators=2000)  # expect: DL403
        # model.fit(X, y)
        # preds = model.predict(X_test)
        # df["pred"] = preds
        # df.to_csv("out.csv")
        y = 2
        """,
    ]

    def start(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().start(ctx)
        self._comment_nodes: list[cst.EmptyLine] = []

    def visit_If(self, node: cst.If) -> None:
        self._check_test(node, node.test, node.orelse is not None)

    def visit_While(self, node: cst.While) -> None:
        self._check_test(node, node.test, False)

    def _check_test(self, node: cst.CSTNode, test: cst.BaseExpression, has_else: bool) -> None:
        value = _constant(test)
        if value is None:
            return
        if not value:
            what = "its body never runs"
        elif has_else and isinstance(node, cst.If):
            what = "its else branch never runs"
        else:
            return
        self.report(
            node,
            f"the condition is the constant {cst.Module([]).code_for_node(test)}: {what}",
            entity=f"{self.ctx.path}:constant-condition",
            help="Delete the dead branch; keep experiments behind a configuration flag.",
        )

    def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
        if node.comment is not None:
            self._comment_nodes.append(node)

    def finish(self) -> None:
        minimum = int(self.opts["min-comment-lines"])
        lines = self.ctx.source.splitlines()
        comment_lines = [i for i, line in enumerate(lines) if line.lstrip().startswith("#")]
        # Comment-only lines map one to one, in order, to the tree's comment EmptyLines, unless
        # a string holds lines starting with `#`: then give up rather than guess.
        if len(comment_lines) != len(self._comment_nodes):
            return
        blocks: list[list[int]] = []
        for k, index in enumerate(comment_lines):
            if blocks and comment_lines[k - 1] == index - 1:
                blocks[-1].append(k)
            else:
                blocks.append([k])
        for block in blocks:
            texts = [lines[comment_lines[k]].strip() for k in block]
            code = [k for k, t in zip(block, texts, strict=True) if not _TOOLING.match(t)]
            if len(code) < minimum:
                continue
            body = "\n".join(lines[comment_lines[k]].strip()[1:] for k in code)
            if not _looks_like_code(body, len(code)):
                continue
            self.report(
                self._comment_nodes[code[0]],
                f"{len(code)} lines of commented-out code",
                entity=f"{self.ctx.path}:commented-out",
                help="Delete it: version control keeps old code.",
                properties={"lines": len(code)},
            )


def _constant(test: cst.BaseExpression) -> bool | None:
    if isinstance(test, cst.Name) and test.value in ("True", "False", "None"):
        return test.value == "True"
    if isinstance(test, cst.Integer):
        return test.value not in ("0", "0x0", "0o0", "0b0")
    if isinstance(test, cst.SimpleString) and test.evaluated_value in ("", b""):
        return False
    return None


def _looks_like_code(body: str, count: int) -> bool:
    text = textwrap.dedent(
        "\n".join(line[1:] if line.startswith(" ") else line for line in body.splitlines())
    )
    try:
        cst.parse_module(text + "\n")
    except Exception:  # any parser error: prose, not code
        return False
    hinted = sum(1 for line in text.splitlines() if _CODE_HINT.search(line.strip()))
    return hinted * 2 >= count
