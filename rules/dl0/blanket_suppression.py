from debtlint.api import FileRule, Severity


class BlanketSuppression(FileRule):
    """A `# debtlint: ignore` or `file-ignore` comment that names no rule.

    ## What it does
    Reports a suppression comment without a code list: `# debtlint: ignore`, `fixme` or
    `file-ignore` with no `[CODE, ...]`. It still applies (to every rule), but it is reported so
    that it gets narrowed down.

    ## Why is this bad?
    A blanket suppression added for one finding also hides every other finding that later
    appears on that statement or file: new debt slips in unseen.

    ## Example
    ```python
    df = pd.read_csv("legacy.csv")  # debtlint: ignore
    ```

    ## Use instead
    ```python
    df = pd.read_csv("legacy.csv")  # debtlint: ignore[DL201] generated in the notebook step
    ```

    ## Options
    None.

    ## References
    - Fixit: "Implicit noqa suppression comments sometimes accidentally silence warnings
      unexpectedly" (ANCHORS.md §1.5); pygrep-hooks' blanket-noqa (PGH004).
    """

    code = "DL003"
    name = "blanket-suppression"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        "x = 1  # debtlint: ignore[DL201] reason\n",
        "# debtlint: file-ignore[DL401]\nx = 1\n",
    ]
    INVALID = [
        "x = 1  # debtlint: ignore  # expect: DL003\n",
        "# debtlint: file-ignore  # expect: DL003\nx = 1\n",
        "# debtlint: fixme[] ML-7  # expect: DL003\nx = 1\n",
    ]
