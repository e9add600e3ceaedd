"""Phase 1 for one file: one parse, one batched walk of the fact extractor and the file rules."""

from __future__ import annotations

import io
import re
import tokenize
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from debtlint.facts.context import FileContext
from debtlint.facts.extract import FactExtractor
from debtlint.facts.model import FileFacts
from debtlint.facts.names import add_import, module_name
from debtlint.facts.walk import Dispatcher
from debtlint.findings import Confidence, Finding, Location, Severity
from debtlint.knowledge import Catalog
from debtlint.rule import FileRule

TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


@dataclass
class FileResult:
    facts: FileFacts
    findings: list[Finding] = field(default_factory=list)
    # (rule code or "engine", message, traceback) for anything that crashed while analysing the file.
    crashes: list[tuple[str, str, str]] = field(default_factory=list)


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
    facts = FileFacts(path=path, module=module_name(path), is_test=bool(TEST_PATH.search(path)))
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        facts.parse_error = str(exc.message)
        return FileResult(
            facts, _syntax_finding(syntax_rule, path, exc.raw_line, exc.raw_column, exc)
        )
    except (RecursionError, MemoryError, UnicodeDecodeError, LookupError, ValueError) as exc:
        facts.parse_error = f"{type(exc).__name__}: {exc}"
        return FileResult(facts, _syntax_finding(syntax_rule, path, 1, 0, exc))

    source = decode_source(data)
    aliases: dict[str, str] = {}
    imported: list[str] = []
    is_package = path.endswith("__init__.py")
    for stmt in _top_level_imports(module):
        imported.extend(add_import(aliases, stmt, facts.module, is_package))
    roots = frozenset(m.split(".", 1)[0] for m in imported if m)
    ctx = FileContext(path, source, module, facts.module, catalog, aliases, roots)
    extractor = FactExtractor(ctx, project_module)
    extractor.facts.is_test = facts.is_test
    extractor.facts.imported_modules = [m for m in dict.fromkeys(imported) if m]
    for rule in file_rules:
        rule.start(ctx)
    dispatcher = Dispatcher([extractor, *file_rules])
    result = FileResult(extractor.facts)
    try:
        dispatcher.walk(module)
    except RecursionError as exc:
        result.crashes.append(("engine", f"RecursionError: {exc}", traceback.format_exc()))
    for visitor, exc, trace in dispatcher.crashes:
        code = getattr(visitor, "code", "facts")
        result.crashes.append((code, f"{type(exc).__name__}: {exc}", trace))
    result.facts = extractor.finish()
    for rule in file_rules:
        rule.finish()
        result.findings.extend(rule.take_findings())
    return result


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
    rule: FileRule | None, path: str, line: int, col: int, exc: BaseException
) -> list[Finding]:
    if rule is None:
        return []
    message = getattr(exc, "message", None) or str(exc).splitlines()[0]
    # libcst says "parser error: error at 1:6: expected one of ..."; its column is approximate.
    message = re.sub(r"^parser error: error at \d+:\d+: ", "", message)
    return [
        Finding(
            code=rule.code,
            name=rule.name,
            severity=rule.effective_severity(None),
            message=f"cannot parse this file, so it was not analysed: {message}",
            location=Location(path, max(line, 1), max(col, 0) + 1),
            entity=path,
            confidence=Confidence.HIGH,
            help="Fix the syntax error (debtlint parses Python 3 only), or exclude the file.",
        )
    ]


__all__ = ["FileResult", "Severity", "analyse_file", "decode_source"]
