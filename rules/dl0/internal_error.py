from debtlint.api import FileRule, Severity


class InternalError(FileRule):
    """debtlint itself failed on part of the project; the results are incomplete.

    ## What it does
    Reports a rule (or the fact extractor) that raised an exception on a file or on the project
    graph. The scan goes on, the score is marked incomplete and `debtlint scan` exits with 2 so
    that CI notices. Run with `-v` to see the traceback.

    ## Why is this bad?
    A check that crashed checked nothing; silently dropping it would make the report look better
    than the code is.

    ## Example
    Any input that trips a bug in a rule.

    ## Use instead
    Please report it with the traceback from `debtlint scan -v`. Meanwhile `--ignore` the rule
    named in the message.

    ## Options
    None.

    ## References
    - PEERS.md, case 8: a crashed check must never raise a score.
    """

    code = "DL000"
    name = "internal-error"
    severity = Severity.ERROR
    remediation_minutes = 0

    # Emitted by the engine, not by a visitor: input cannot provoke it on purpose, so the engine's
    # own tests (a deliberately broken rule) stand in for examples.
    ENGINE = True
