from debtlint.api import FileRule, Severity


class UnparsableFile(FileRule):
    """A file that cannot be parsed, so nothing in it was analysed.

    ## What it does
    Reports a Python file that libcst cannot parse (a syntax error, Python 2 code, a broken
    encoding). The scan goes on with the other files; the score is marked incomplete.

    ## Why is this bad?
    Whatever the file reads, trains or saves is invisible to every other rule: its models are not
    checked for owners and its data reads are not checked for declarations.

    ## Example
    ```python
    def train(:
        pass
    ```

    ## Use instead
    Fix the syntax, or exclude the file (`exclude` in debtlint.yaml) if it is not Python 3.

    ## Options
    None.

    ## References
    - DESIGN.md §8: a file that does not parse is a finding, never a crash.
    """

    code = "DL001"
    name = "syntax-error"
    severity = Severity.WARNING
    remediation_minutes = 10

    VALID = ["x = 1\n"]
    INVALID = [
        "x = = 1  # expect: DL001\n",
        'print "python 2"  # expect: DL001\n',
    ]
