import libcst as cst

from debtlint.api import FileRule, Severity

_SHELL_CALLS = frozenset({"os.system", "os.popen"})
_SUBPROCESS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
    }
)
_SQL_CALLS = frozenset({"pandas.read_sql", "pandas.read_sql_query"})
_PROGRAMS = {
    "Rscript": "R",
    "R": "R",
    "julia": "Julia",
    "java": "Java",
    "spark-submit": "Scala/Java (Spark)",
    "scala": "Scala",
    "sbt": "Scala",
    "node": "JavaScript",
    "bash": "shell",
    "sh": "shell",
    "psql": "SQL",
    "mysql": "SQL",
    "sqlite3": "SQL",
    "bq": "SQL",
    "hive": "SQL",
    "beeline": "SQL",
}
_SQL_START = ("select", "with", "insert", "create", "update", "delete", "merge")


class MultipleLanguages(FileRule):
    """A pipeline step written in another language, inside a Python string.

    ## What it does
    Reports, as information, pipeline steps embedded as strings: commands given to `os.system`
    or `os.popen` (shell), to `subprocess` with `shell=True` (shell) or running another
    language's interpreter (`Rscript`, `julia`, `spark-submit`, `java`, `psql`, ...), and SQL
    statements given literally to `pandas.read_sql`/`read_sql_query` or `spark.sql`. Only literal
    strings and lists are read; a command built at run time is not guessed at.

    ## Why is this bad?
    Sculley et al. (2015, §5) name the multiple-language smell: pieces of a system in several
    languages, here hidden in strings, are harder to test, lint and review, and ownership is
    harder to hand over. It is often fine; this rule makes it visible.

    ## Example
    ```python
    os.system("Rscript fit_gam.R data/train.csv")
    df = pd.read_sql("SELECT id, amount FROM payments WHERE ...", con)
    ```

    ## Use instead
    Keep the other language in its own files, tested and reviewed as such (`queries/payments.sql`,
    `r/fit_gam.R`), and call them through one documented entry point.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §5
      ("Multiple-Language Smell").
    """

    code = "DL405"
    name = "multiple-languages"
    severity = Severity.INFO
    remediation_minutes = 0

    VALID = [
        """
        import subprocess
        import pandas as pd
        subprocess.run(["python", "train.py"], check=True)
        subprocess.run(cmd, shell=True)
        df = pd.read_sql_table("payments", con)
        run = {"val/loss": 0.3}
        """,
    ]
    INVALID = [
        """
        import os
        import subprocess
        import pandas as pd
        os.system("Rscript fit_gam.R data/train.csv")  # expect: DL405
        subprocess.run(["spark-submit", "jobs/agg.py"], check=True)  # expect: DL405
        subprocess.run("cat a.csv b.csv > all.csv", shell=True)  # expect: DL405
        df = pd.read_sql("SELECT id, amount FROM payments", con)  # expect: DL405
        """,
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.ctx.qualname(node.func)
        language = None
        if qual in _SHELL_CALLS and _literal(node, 0) is not None:
            language = "shell"
        elif qual in _SUBPROCESS:
            language = self._subprocess_language(node)
        elif qual in _SQL_CALLS or _is_spark_sql(node, qual):
            text = _literal(node, 0)
            if text is not None and text.lstrip().lower().startswith(_SQL_START):
                language = "SQL"
        if language is None:
            return
        self.report(
            node,
            f"a pipeline step in {language}, embedded in a Python string",
            entity=language,
            help="Keep it in its own file, tested and reviewed as such.",
            properties={"language": language},
        )

    def _subprocess_language(self, node: cst.Call) -> str | None:
        shell = any(
            a.keyword is not None
            and a.keyword.value == "shell"
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in node.args
        )
        if shell and _literal(node, 0) is not None:
            return "shell"
        if not node.args or node.args[0].keyword is not None:
            return None
        first = node.args[0].value
        program = None
        if isinstance(first, (cst.List, cst.Tuple)) and first.elements:
            head = first.elements[0].value
            if isinstance(head, cst.SimpleString) and isinstance(head.evaluated_value, str):
                program = head.evaluated_value
        return _PROGRAMS.get(program.rsplit("/", 1)[-1]) if program else None


def _literal(node: cst.Call, index: int) -> str | None:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    if len(positional) <= index:
        return None
    value = positional[index].value
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        return value.evaluated_value
    if isinstance(value, cst.ConcatenatedString):
        parts = [_string(value.left), _string(value.right)]
        if parts[0] is not None and parts[1] is not None:
            return parts[0] + parts[1]
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return None


def _is_spark_sql(node: cst.Call, qual: str | None) -> bool:
    func = node.func
    return (
        qual is None
        and isinstance(func, cst.Attribute)
        and func.attr.value == "sql"
        and isinstance(func.value, cst.Name)
        and func.value.value in ("spark", "session", "spark_session")
    )
