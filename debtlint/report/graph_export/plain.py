"""The project graph as plain data, the common input of every export format.

``ProjectGraph.g`` carries Python objects on its nodes and edges (``Location``, ``DataAccess``, ...)
that no interchange format can hold. :func:`plain_graph` copies it into a new ``MultiDiGraph`` whose
attributes are only ``str``, ``int``, ``float`` or ``bool``, inserted in sorted order so that every
format comes out byte-for-byte the same on every run, and marks the nodes that findings are about.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from debtlint.findings import Finding, Location

# How an unresolved data node's id starts (see debtlint.graph): ``data:?<file>:<line>:<col>``.
SYMBOLIC_PREFIX = "data:?"


class FocusError(ValueError):
    """``--focus`` matched no node."""


def plain_value(value: Any) -> str | int | float | bool | None:
    """A value that JSON and GraphML can hold, or None to drop the attribute."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Location):
        return value.display()
    if isinstance(value, enum.Enum):
        return plain_value(value.value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain_value(v) for v in value]
        parts = [str(v) for v in items if v is not None]
        if isinstance(value, (set, frozenset)):
            parts.sort()
        return ", ".join(parts)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Facts such as DataAccess: the API that made the access is what a reader wants to see.
        api = getattr(value, "api", None)
        if isinstance(api, str):
            return api
    return str(value)


def _plain_attrs(attrs: dict[str, Any]) -> dict[str, str | int | float | bool]:
    out: dict[str, str | int | float | bool] = {}
    for key in sorted(attrs):
        value = plain_value(attrs[key])
        if value is not None:
            out[str(key)] = value
    return out


def finding_targets(g: nx.MultiDiGraph, finding: Finding) -> list[str]:
    """The nodes a finding is about: by its entity first (a data path, ``path::model``, a module
    path), else the unresolved data node at its location, else the code node of its file."""
    entity = finding.entity
    if entity:
        for candidate in (entity, f"data:{entity}", f"model:{entity}", f"code:{entity}"):
            if candidate in g:
                return [candidate]
        # A model whose id got a line suffix because two models share a name in one file.
        models = sorted(n for n in g if isinstance(n, str) and n.startswith(f"model:{entity}@"))
        if models:
            return models
        paths = sorted(n for n, d in g.nodes(data=True) if d.get("path") == entity)
        if len(paths) == 1:
            return paths
    loc = finding.location
    symbolic = f"{SYMBOLIC_PREFIX}{loc.path}:{loc.line}:{loc.col}"
    if symbolic in g:
        return [symbolic]
    code = f"code:{loc.path}"
    return [code] if code in g else []


def plain_graph(
    g: nx.MultiDiGraph, findings: Sequence[Finding] = (), name: str = ""
) -> nx.MultiDiGraph:
    """A copy of ``g`` with plain attributes, sorted nodes and edges, and on each node that findings
    are about: ``findings`` (their codes, comma-separated) and ``severity`` (the worst one)."""
    marks: dict[str, list[Finding]] = {}
    for finding in findings:
        for node in finding_targets(g, finding):
            marks.setdefault(node, []).append(finding)
    out = nx.MultiDiGraph()
    if name:
        out.graph["name"] = name
    for node in sorted(g.nodes, key=str):
        attrs = _plain_attrs(dict(g.nodes[node]))
        attrs.setdefault("kind", "unknown")
        attrs.setdefault("name", str(node))
        if node in marks:
            found = sorted(marks[node], key=lambda f: f.sort_key())
            attrs["findings"] = ", ".join(sorted({f.code for f in found}))
            attrs["severity"] = max(found, key=lambda f: f.severity.rank).severity.value
        out.add_node(str(node), **attrs)
    edges = sorted(
        (
            (str(u), str(v), _plain_attrs(dict(data)))
            for u, v, data in g.edges(data=True)  # keys are renumbered in sorted order
        ),
        key=lambda e: (e[0], e[1], str(e[2].get("rel", "")), sorted(e[2].items(), key=str)),
    )
    for u, v, attrs in edges:
        out.add_edge(u, v, **attrs)
    return out


def focus(g: nx.MultiDiGraph, query: str, depth: int) -> nx.MultiDiGraph:
    """The neighbourhood, ``depth`` steps in either direction, of every node whose id equals
    ``query`` or whose id or name contains it (case-insensitive)."""
    centres = [query] if query in g else matching_nodes(g, query)
    if not centres:
        raise FocusError(f"--focus {query!r} matches no node of the graph")
    undirected = g.to_undirected(as_view=True)
    keep: set[str] = set()
    for centre in centres:
        keep.update(nx.single_source_shortest_path_length(undirected, centre, cutoff=depth))
    return _subgraph(g, keep)


def matching_nodes(g: nx.MultiDiGraph, query: str) -> list[str]:
    needle = query.casefold()
    return [
        node
        for node, data in g.nodes(data=True)
        if needle in node.casefold() or needle in str(data.get("name", "")).casefold()
    ]


def _subgraph(g: nx.MultiDiGraph, keep: Iterable[str]) -> nx.MultiDiGraph:
    # A fresh graph rather than a view: exporters iterate it several times and must see the
    # same sorted order as the full graph.
    kept = set(keep)
    out = nx.MultiDiGraph()
    out.graph.update(g.graph)
    for node, data in g.nodes(data=True):
        if node in kept:
            out.add_node(node, **data)
    for u, v, data in g.edges(data=True):
        if u in kept and v in kept:
            out.add_edge(u, v, **data)
    return out


def node_label(data: dict[str, Any]) -> str:
    """What a picture shows for a node: its name, and for a model also the file defining it."""
    name = str(data.get("name", ""))
    if data.get("kind") == "model" and data.get("path"):
        return f"{name} ({data['path']})"
    return name
