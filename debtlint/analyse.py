"""Phase 1 for one file: one parse, one batched walk of the fact extractor and the file rules."""

from __future__ import annotations

import io
import re
import tokenize
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from debtlint.facts.cells import NotebookInfo, NotebookRun
from debtlint.facts.context import FileContext
from debtlint.facts.extract import FactExtractor
from debtlint.facts.model import FileFacts
from debtlint.facts.names import add_import, module_name
from debtlint.facts.nesting import too_deep
from debtlint.facts.notebook_runs import NotebookRunFinder
from debtlint.facts.walk import Dispatcher
from debtlint.findings import Confidence, Finding, Location, Severity
from debtlint.knowledge import Catalog
from debtlint.notebook import NotebookError, notebook_invocation, read_notebook
from debtlint.rule import FileRule
from debtlint.suppress import scan_comments

TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


@dataclass
class FileResult:
    facts: FileFacts
    findings: list[Finding] = field(default_factory=list)
    # (rule code or "engine", message, traceback) for anything that crashed while analysing the file.
    crashes: list[tuple[str, str, str]] = field(default_factory=list)
    # Why the file was deliberately not analysed (a notebook with an R kernel); a note, not a finding.
    skip_reason: str | None = None


def decode_source(data: bytes) -> str:
    """Text of a Python file as the interpreter would read it (PEP 263 declaration, BOM)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace").lstrip("\ufeff")


def analyse_file(
    path: str,
    data: bytes,
    catalog: Catalog,
    file_rules: Sequence[FileRule],
    project_module: Callable[[str], bool],
    syntax_rule: FileRule | None,
) -> FileResult:
    if path.endswith(".ipynb"):
        return _analyse_notebook(path, data, catalog, file_rules, project_module, syntax_rule)
    return _analyse_source(path, data, catalog, file_rules, project_module, syntax_rule)


def _analyse_notebook(
    path: str,
    data: bytes,
    catalog: Catalog,
    file_rules: Sequence[FileRule],
    project_module: Callable[[str], bool],
    syntax_rule: FileRule | None,
) -> FileResult:
    """A notebook is its code cells joined into one module (debtlint/notebook.py); everything
    reported in it is mapped back to (cell, line in the cell)."""
    try:
        notebook = read_notebook(data, path)
    except NotebookError as exc:
        facts = FileFacts(path=path, module=module_name(path), is_test=bool(TEST_PATH.search(path)))
        facts.parse_error = exc.message
        where = Location(path, max(exc.line, 1), max(exc.col, 1))
        return FileResult(facts, _syntax_finding(syntax_rule, path, 1, 0, exc, where, "notebook"))
    info = notebook.info
    if notebook.skip_reason:
        facts = FileFacts(path=path, module=module_name(path), notebook=info)
        return FileResult(facts, skip_reason=notebook.skip_reason)
    result = _analyse_source(
        path, notebook.source, catalog, file_rules, project_module, syntax_rule, info
    )
    facts = result.facts
    facts.notebook = info
    for command in info.commands:
        _record_command(facts, command.kind, command.text, command.target, command.span)
    result.findings = [
        replace(f, location=_in_cells(info, f.location))
        if f.location.path == path and f.location.cell is None
        else f
        for f in result.findings
    ]
    return result


def _in_cells(info: NotebookInfo, loc: Location) -> Location:
    end_line = loc.end_line if loc.end_line is not None else loc.line
    end_col = loc.end_col if loc.end_col is not None else loc.col
    return info.location(loc.path, (loc.line, loc.col, end_line, end_col))


def _record_command(
    facts: FileFacts,
    kind: str,
    text: str,
    target: str | None,
    span: tuple[int, int, int, int],
) -> None:
    """`%run x.py` links the notebook to the script like an import; `%run x.ipynb` and shell
    commands that run notebooks are facts for the prototype-in-pipeline rule."""
    if kind == "run" and target is not None:
        if target.startswith("-m "):
            facts.imported_modules.append(target[3:])
        elif target.endswith(".ipynb"):
            facts.notebook_runs.append(NotebookRun("%run", span, notebook=target))
        elif target.endswith(".py"):
            facts.imported_modules.append(module_name(target))
    elif kind == "shell":
        found = notebook_invocation(text)
        if found is not None:
            facts.notebook_runs.append(NotebookRun(f"!{found[0]}", span, notebook=found[1]))


def _analyse_source(
    path: str,
    data: bytes | str,
    catalog: Catalog,
    file_rules: Sequence[FileRule],
    project_module: Callable[[str], bool],
    syntax_rule: FileRule | None,
    notebook: NotebookInfo | None = None,
) -> FileResult:
    facts = FileFacts(path=path, module=module_name(path), is_test=bool(TEST_PATH.search(path)))
    facts.notebook = notebook
    text = data if isinstance(data, str) else decode_source(data)
    deep = too_deep(text)
    if deep is not None:
        # Not parsed at all: libcst's parser would crash the process (see facts/nesting.py).
        facts.parse_error = deep
        where = facts.location((1, 1, 1, 1))
        return FileResult(facts, _syntax_finding(syntax_rule, path, 1, 0, ValueError(deep), where))
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        facts.parse_error = str(exc.message)
        # libcst's own message ("error at 3:6") is nearer the mistake than raw_line, which can
        # be the line after it.
        at = re.search(r"error at (\d+):(\d+)", str(exc.message))
        line, col = (int(at[1]), int(at[2])) if at else (exc.raw_line, exc.raw_column + 1)
        line, col = max(line, 1), max(col, 1)
        where = facts.location((line, col, line, col))
        return FileResult(facts, _syntax_finding(syntax_rule, path, line, col, exc, where))
    except (
        RecursionError,
        MemoryError,
        UnicodeDecodeError,
        LookupError,
        ValueError,
        SyntaxError,
    ) as exc:
        # SyntaxError: an unknown or malformed encoding declaration (from tokenize).
        facts.parse_error = f"{type(exc).__name__}: {exc}"
        return FileResult(
            facts, _syntax_finding(syntax_rule, path, 1, 0, exc, facts.location((1, 1, 1, 1)))
        )

    source = text
    aliases: dict[str, str] = {}
    imported: list[str] = []
    is_package = path.endswith("__init__.py")
    for stmt in _top_level_imports(module):
        imported.extend(add_import(aliases, stmt, facts.module, is_package))
    roots = frozenset(m.split(".", 1)[0] for m in imported if m)
    ctx = FileContext(path, source, module, facts.module, catalog, aliases, roots, facts.is_test)
    extractor = FactExtractor(ctx, project_module)
    extractor.facts.is_test = facts.is_test
    extractor.facts.imported_modules = [m for m in dict.fromkeys(imported) if m]
    result = FileResult(extractor.facts)
    # A rule that crashes anywhere (start, walk, finish) is reported and leaves the others be.
    started = [rule for rule in file_rules if _contained(result, rule.code, rule.start, ctx)]
    finder = NotebookRunFinder(ctx)
    dispatcher = Dispatcher([extractor, finder, *started])
    try:
        dispatcher.walk(module)
    except RecursionError as exc:
        result.crashes.append(("engine", f"RecursionError: {exc}", traceback.format_exc()))
    for visitor, exc, trace in dispatcher.crashes:
        code = getattr(visitor, "code", "facts")
        result.crashes.append((code, f"{type(exc).__name__}: {exc}", trace))
    finished = _contained(result, "facts", extractor.finish)
    result.facts = finished if isinstance(finished, FileFacts) else extractor.facts
    result.facts.notebook = notebook
    result.facts.notebook_runs = finder.runs
    result.facts.imported_modules.extend(finder.notebook_modules)
    result.facts.suppressions = scan_comments(source)
    crashed = {id(visitor) for visitor, _, _ in dispatcher.crashes}
    for rule in started:
        if id(rule) not in crashed and _contained(result, rule.code, rule.finish):
            result.findings.extend(rule.take_findings())
            _contained(result, rule.code, _share_facts, rule, result.facts)
        else:
            rule.take_findings()  # a half-finished check reports nothing
    # Nothing may keep this file's tree alive through a cycle (the context's memo holds analyses
    # that hold the context): worker processes collect cycles only between files.
    ctx.release()
    for rule in file_rules:
        rule.ctx = None  # type: ignore[assignment]
    return result


def _share_facts(rule: FileRule, facts: FileFacts) -> None:
    """What a rule with a project part keeps of this file for phase 2."""
    data = rule.project_facts()
    if data is not None:
        facts.rule_facts[rule.code] = data


def _contained(result: FileResult, code: str, func: Callable[..., object], *args: object) -> object:
    """``func(*args)``, or False after recording its crash in ``result`` (its return value
    otherwise, True for None)."""
    try:
        value = func(*args)
    except Exception as exc:
        result.crashes.append((code, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        return False
    return True if value is None else value


def _top_level_imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    found: list[cst.Import | cst.ImportFrom] = []
    pending: list[cst.BaseStatement | cst.BaseSmallStatement] = list(module.body)
    while pending:
        stmt = pending.pop(0)
        if isinstance(stmt, cst.SimpleStatementLine):
            found.extend(s for s in stmt.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(stmt, cst.Try):
            # `try: import x / except ImportError:` is how optional dependencies are imported.
            pending.extend(stmt.body.body)
            for handler in stmt.handlers:
                pending.extend(handler.body.body)
        elif isinstance(stmt, cst.If):
            pending.extend(stmt.body.body)
    return found


def _syntax_finding(
    rule: FileRule | None,
    path: str,
    line: int,
    col: int,
    exc: BaseException,
    location: Location | None = None,
    what: str = "file",
) -> list[Finding]:
    """A DL001 finding; ``location`` overrides ``line``/``col`` (0-based) when it is known better
    (a notebook cell); ``what`` is "notebook" when the .ipynb itself cannot be read."""
    if rule is None:
        return []
    message = getattr(exc, "message", None) or str(exc).splitlines()[0]
    # libcst says "parser error: error at 1:6: expected one of ..."; its column is approximate.
    message = re.sub(r"^parser error: error at \d+:\d+: ", "", message)
    if what == "notebook":
        text = f"cannot read this notebook, so it was not analysed: {message}"
        help_text = "Save it again from Jupyter (nbformat 4), or exclude the file."
    else:
        text = f"cannot parse this file, so it was not analysed: {message}"
        help_text = "Fix the syntax error (debtlint parses Python 3 only), or exclude the file."
        if location is not None and location.cell is not None:
            help_text = (
                "Fix the syntax error in this cell (IPython magics, shell escapes and help "
                "syntax are understood; debtlint parses Python 3 only), or exclude the notebook."
            )
    return [
        Finding(
            code=rule.code,
            name=rule.name,
            severity=rule.effective_severity(None),
            message=text,
            location=location or Location(path, max(line, 1), max(col, 0) + 1),
            entity=path,
            confidence=Confidence.HIGH,
            help=help_text,
        )
    ]


__all__ = ["FileResult", "Severity", "analyse_file", "decode_source"]
