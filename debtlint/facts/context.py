"""What a file rule sees of the file it is walking."""

from __future__ import annotations

import builtins

import libcst as cst

from debtlint.facts.comments import Comment, source_comments
from debtlint.facts.deepstack import call_with_deep_stack
from debtlint.facts.model import Span
from debtlint.facts.names import dotted, qualify
from debtlint.facts.positions import Positions
from debtlint.findings import Location
from debtlint.knowledge import Catalog

_BUILTINS = frozenset(dir(builtins))


class FileContext:
    """One parsed file: its path, source, import aliases, the API catalog and lazy positions.

    Positions cost a code generation of the whole module (about half a parse, see
    :mod:`debtlint.facts.positions`), so they are computed once, and only for files where something
    is actually reported or recorded.
    """

    def __init__(
        self,
        path: str,
        source: str,
        module: cst.Module,
        module_name: str,
        catalog: Catalog,
        aliases: dict[str, str],
        imported_roots: frozenset[str],
        is_test: bool = False,
    ) -> None:
        self.path = path
        self.is_test = is_test  # by path: tests/, test_*.py, *_test.py, conftest.py
        self.source = source
        self.module = module
        self.module_name = module_name
        self.catalog = catalog
        self.aliases = aliases
        self.imported_roots = imported_roots
        self._positions: Positions | None = None
        self._comments: list[Comment] | None = None
        # Analyses several rules share (pandas names, row facts), computed once per file. Kept on
        # the context so they die with it: a module-level cache keyed by the context leaked every
        # file's tree when its values referred back to the context.
        self.memo: dict[object, object] = {}

    def qualname(self, expr: cst.BaseExpression) -> str | None:
        """The fully qualified name an expression refers to through imports, normalised by the
        catalog's aliases (``tf.keras.Model`` -> ``keras.Model``); None if it is not imported."""
        plain = dotted(expr)
        name = qualify(self.aliases, plain)
        if name is None and plain is not None:
            head = plain.partition(".")[0]
            # Builtins are not imported; `open(...)` is `builtins.open` unless shadowed by an import.
            if head in _BUILTINS:
                name = f"builtins.{plain}"
        return self.catalog.normalise(name) if name else None

    def release(self) -> None:
        """Drop what was computed for this file, once its analysis is over."""
        self.memo.clear()
        self._positions = None
        self._comments = None

    @property
    def comments(self) -> list[Comment]:
        """The file's comments from the tokenizer (the walk does not visit comment nodes)."""
        if self._comments is None:
            self._comments = source_comments(self.source)
        return self._comments

    def span(self, node: cst.CSTNode) -> Span:
        if self._positions is None:
            try:
                self._positions = Positions(self.module)
            except RecursionError:
                # A very deep expression (generated code); see debtlint/facts/deepstack.py.
                self._positions = call_with_deep_stack(lambda: Positions(self.module))
        span = self._positions.get(node)
        if span is None:  # a node that is not part of this module
            return (1, 1, 1, 1)
        return span

    def location(self, node: cst.CSTNode) -> Location:
        line, col, end_line, end_col = self.span(node)
        return Location(self.path, line, col, end_line, end_col)
