"""A cheap read-only walk over a libcst tree that dispatches to many visitors in one pass.

libcst's own ``CSTVisitor`` rebuilds every node on the way up (it is a transformer underneath), which
costs about as much as parsing. Reading the dataclass fields directly costs about a quarter of that
(measured on networkx: 0.28 x parse against 0.95 x parse), so the engine walks the tree itself.
Children are visited in source order: the few node types whose field order differs from the source
order have an explicit order below.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import libcst as cst

Handler = Callable[[Any], Any]

# Field orders that follow the source text where libcst's dataclass order does not.
_SOURCE_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.FunctionDef: ("leading_lines", "decorators", "name", "params", "returns", "body"),
    cst.ClassDef: ("leading_lines", "decorators", "name", "bases", "keywords", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.ListComp: ("elt", "for_in"),
    cst.SetComp: ("elt", "for_in"),
    cst.GeneratorExp: ("elt", "for_in"),
    cst.DictComp: ("key", "value", "for_in"),
}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _SOURCE_ORDER.get(cls) or tuple(f.name for f in dataclasses.fields(cls))
        _FIELDS[cls] = names
    return names


# `isinstance(x, cst.CSTNode)` goes through ABC machinery and dominated the walk's cost; a
# per-type cache answers the same question with one dict lookup.
_IS_NODE: dict[type, bool] = {}


def _is_node(value: object) -> bool:
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def iter_children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in _child_fields(type(node)):
        value = getattr(node, name, None)
        if type(value) in (list, tuple):
            for item in value:  # type: ignore[union-attr]
                if _is_node(item):
                    yield item
        elif _is_node(value):
            yield value  # type: ignore[misc]


def iter_tree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (included), in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(iter_children(current))))


class Dispatcher:
    """Collects ``visit_<Node>``/``leave_<Node>`` methods of several visitors, once per walk."""

    def __init__(self, visitors: Iterable[object]) -> None:
        self.visit: dict[str, list[Handler]] = {}
        self.leave: dict[str, list[Handler]] = {}
        # (visitor, exception, traceback) of visitors that crashed; they are dropped for the rest
        # of the walk so one broken rule cannot take the others down.
        self.crashes: list[tuple[object, BaseException, str]] = []
        for visitor in visitors:
            for attr in dir(type(visitor)):
                if attr.startswith("visit_"):
                    self.visit.setdefault(attr[6:], []).append(getattr(visitor, attr))
                elif attr.startswith("leave_"):
                    self.leave.setdefault(attr[6:], []).append(getattr(visitor, attr))

    def walk(self, root: cst.CSTNode) -> None:
        """Depth-first, iterative (deeply nested code cannot overflow the Python stack)."""
        visit, leave = self.visit, self.leave
        # Stack items: (node, entering?)
        stack: list[tuple[cst.CSTNode, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            kind = type(node).__name__
            if entering:
                # Return values are ignored: one rule must never hide a subtree from the others.
                for handler in visit.get(kind, ()):
                    try:
                        handler(node)
                    except Exception as exc:
                        self._drop(handler, exc)
                stack.append((node, False))
                children = list(iter_children(node))
                stack.extend((child, True) for child in reversed(children))
            else:
                for handler in leave.get(kind, ()):
                    try:
                        handler(node)
                    except Exception as exc:
                        self._drop(handler, exc)

    def _drop(self, handler: Handler, exc: Exception) -> None:
        import traceback

        visitor = getattr(handler, "__self__", None)
        self.crashes.append((visitor, exc, traceback.format_exc()))
        for table in (self.visit, self.leave):
            for kind, handlers in table.items():
                table[kind] = [h for h in handlers if getattr(h, "__self__", None) is not visitor]
