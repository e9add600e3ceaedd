"""Graphviz DOT, laid out left to right: ``dot -Tsvg graph.dot -o graph.svg``."""

from __future__ import annotations

import networkx as nx

from debtlint.report.graph_export.plain import node_label
from debtlint.report.graph_export.style import (
    DASHED_RELS,
    DOTTED_RELS,
    FINDING_STROKE,
    TEXT,
    kind_style,
)
from debtlint.report.graph_export.topology import distinct_edges


def dot_quote(text: str) -> str:
    """A DOT double-quoted string. Backslashes are doubled first so that label escapes such as
    ``\\n`` or ``\\N`` in a path cannot turn into Graphviz directives."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f'"{escaped}"'


def _attrs(pairs: dict[str, str]) -> str:
    return ", ".join(f"{key}={dot_quote(value)}" for key, value in pairs.items())


def render_dot(g: nx.MultiDiGraph) -> str:
    name = str(g.graph.get("name", "debtlint"))
    lines = [
        f"digraph {dot_quote(name)} {{",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica"];',
        f'  node [fontname="Helvetica", fontsize=10, fontcolor="{TEXT}"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#718096", fontcolor="#4a5568"];',
    ]
    for node, data in g.nodes(data=True):
        kind = str(data.get("kind", ""))
        style = kind_style(kind)
        line_style = style.dot_style
        if data.get("resolved") is False:
            line_style += ",dashed"
        attrs = {
            "label": node_label(data),
            "shape": style.dot_shape,
            "style": line_style,
            "fillcolor": style.fill,
            "color": style.stroke,
            "tooltip": node,
        }
        if data.get("findings"):
            attrs.update(color=FINDING_STROKE, penwidth="3", xlabel=str(data["findings"]))
        lines.append(f"  {dot_quote(node)} [{_attrs(attrs)}];")
    for u, v, rel in distinct_edges(g):
        attrs = {"label": rel} if rel else {}
        if rel in DASHED_RELS:
            attrs["style"] = "dashed"
        elif rel in DOTTED_RELS:
            attrs["style"] = "dotted"
        suffix = f" [{_attrs(attrs)}]" if attrs else ""
        lines.append(f"  {dot_quote(u)} -> {dot_quote(v)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
