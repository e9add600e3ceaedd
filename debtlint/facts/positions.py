"""Source positions of libcst nodes, identical to libcst's ``PositionProvider`` but several times
cheaper.

libcst computes positions by regenerating the code of the whole module. Its ``PositionProvider``
(through ``MetadataWrapper``) first walks the tree with a stock visitor, then regenerates the code
while splitting every token on newlines with a regular expression and building a ``CodeRange`` per
node. Measured on scikit-learn files that costs about 1.8 parses; plain code generation costs about
0.2. Here the generation records only token indexes (two integers per node, keyed by ``id``), and
turns them into line/column for the few nodes that are actually asked about, from the joined text.

The semantics are libcst's own (syntactic positions: a statement's range excludes its leading
comment lines, compound statements end where their body ends, other nodes include the whitespace
they own); ``tests/test_positions.py`` checks every node of real files against ``PositionProvider``.
This relies on ``CSTNode._codegen`` and ``CodegenState``, libcst internals that have been stable
since libcst 0.3 and that ``PositionProvider`` itself is built on.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState

from debtlint.facts.model import Span

# The newline forms libcst's position provider counts (its NEWLINE_RE).
_NEWLINE = re.compile(r"\r\n?|\n")


class _TokenIndexState(CodegenState):
    """Code generation that remembers, per node, the token indexes where it starts and ends."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.ranges: dict[int, tuple[int, int]] = {}
        self._starts: list[int] = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        # A syntactic position recorded while generating the node wins (as in libcst).
        self.ranges.setdefault(id(node), (start, len(self.tokens)))

    def pop_trailing_newline(self) -> None:
        # libcst's position provider has already counted the trailing newline when the module
        # drops it, so the module's range includes it; keeping the token gives the same result.
        pass

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = len(self.tokens)
        yield
        end = len(self.tokens)
        if start_node is not None:
            start = self.ranges[id(start_node)][0]
        if end_node is not None:
            end = self.ranges[id(end_node)][1]
        self.ranges[id(node)] = (start, end)


class Positions:
    """1-based ``(line, col, end_line, end_col)`` spans of the nodes of one module.

    Computed once per module, in one code-generation pass.
    """

    def __init__(self, module: cst.Module) -> None:
        # Nodes are identified by id(): holding the module keeps every id taken by its nodes.
        self._module = module
        state = _TokenIndexState(module)
        module._codegen(state)
        self._ranges = state.ranges
        tokens = state.tokens
        self._offsets = list(itertools.accumulate(map(len, tokens), initial=0))
        text = "".join(tokens)
        self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def _line_col(self, token_index: int) -> tuple[int, int]:
        offset = self._offsets[token_index]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def get(self, node: cst.CSTNode) -> Span | None:
        """The node's span with 1-based columns, or None for a node that is not in the module."""
        found = self._ranges.get(id(node))
        if found is None:
            return None
        line, col = self._line_col(found[0])
        end_line, end_col = self._line_col(found[1])
        return (line, col + 1, end_line, end_col + 1)
