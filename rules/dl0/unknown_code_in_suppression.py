from debtlint.api import FileRule, Severity


class UnknownCodeInSuppression(FileRule):
    """A suppression comment that names a code or rule name debtlint does not have.

    ## What it does
    Reports each entry of a `# debtlint: ignore[...]`, `fixme[...]` or `file-ignore[...]` list
    that is neither the code (`DL201`) nor the name (`undeclared-data-dependency`) of a loaded
    rule, built-in or from a rule pack.

    ## Why is this bad?
    A typo (`DL21`, `DL102` for `DL101`) makes the comment do nothing while it looks like it does;
    another tool's code (`E501`, `F401`) belongs in that tool's own comment.

    ## Example
    ```python
    df = pd.read_csv("legacy.csv")  # debtlint: ignore[DL21] generated upstream
    ```

    ## Use instead
    ```python
    df = pd.read_csv("legacy.csv")  # debtlint: ignore[DL201] generated upstream
    ```

    ## Options
    None.

    ## References
    - Ruff's `unused-noqa` reports unknown codes too (ANCHORS.md §2.4).
    """

    code = "DL004"
    name = "unknown-code-in-suppression"
    severity = Severity.WARNING
    remediation_minutes = 2

    VALID = [
        "x = 1  # debtlint: ignore[DL201]\n",
        "x = 1  # debtlint: ignore[undeclared-data-dependency] names work too\n",
    ]
    INVALID = [
        "x = 1  # debtlint: ignore[DL21] typo  # expect: DL004\n",
        "# debtlint: file-ignore[E501]  # expect: DL004\nx = 1\n",
        "x = 1  # debtlint: fixme[DL201, no-such-rule]  # expect: DL004\n",
    ]
