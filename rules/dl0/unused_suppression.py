from debtlint.api import FileRule, ProjectExample, Severity


class UnusedSuppression(FileRule):
    """A `# debtlint: ignore` or `fixme` comment that suppresses nothing.

    ## What it does
    Reports a suppression comment (`ignore[...]`, `fixme[...]`, `file-ignore[...]`) when no finding
    of the codes it names is reported where it applies: on the statement it trails, the statement
    directly below it, or (for `file-ignore`) anywhere in the file. A comment naming several codes
    is reported for the ones that suppress nothing. A code whose rule is not enabled in this run
    suppresses nothing either; the message says so.

    Known false positives: a suppression for a rule you only run in some jobs (e.g. `--select`
    in a quick pre-commit check and everything in CI); run this rule only where all rules run, or
    ignore it in that job.

    ## Why is this bad?
    Stale suppressions pile up after the debt they excused is paid, and then silently hide the
    next real finding on that line.

    ## Example
    ```python
    df = load_frame()  # debtlint: ignore[DL201] legacy loader
    ```

    ## Use instead
    ```python
    df = load_frame()
    ```

    ## Options
    None.

    ## References
    - Ruff's `unused-noqa` (RUF100) and Fixit's suppression hygiene (ANCHORS.md §1.5, §2.4).
    """

    code = "DL002"
    name = "unused-suppression"
    severity = Severity.WARNING
    remediation_minutes = 2

    VALID = [
        "x = 1  # an ordinary comment that mentions debtlint\n",
        ProjectExample(
            {
                "debtlint.yaml": "extend-select: [DL201]\n",
                "train.py": """
                import pandas as pd
                df = pd.read_csv("data/raw/customers.csv")  # debtlint: ignore[DL201] fake data
                # debtlint: fixme[DL201] ML-42 declare it
                other = pd.read_csv(
                    "data/raw/orders.csv",
                )
                """,
            },
            "used suppressions, trailing and above a multi-line statement",
        ),
    ]
    INVALID = [
        "x = 1  # debtlint: ignore[DL201]  # expect: DL002\n",
        "# debtlint: fixme[undeclared-data-dependency] JIRA-1  # expect: DL002\ny = 2\n",
        ProjectExample(
            {
                "debtlint.yaml": "extend-select: [DL201]\n",
                "train.py": """
                import pandas as pd
                # debtlint: ignore[DL201, DL101] only the read is reported here  # expect: DL002
                df = pd.read_csv("data/raw/customers.csv")
                # debtlint: ignore[DL201] a blank line separates it from the read  # expect: DL002

                other = pd.read_csv("data/raw/orders.csv")
                """,
            },
            "one of two codes unused; a comment that is not directly above the statement",
        ),
    ]
