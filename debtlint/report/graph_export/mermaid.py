"""Mermaid ``flowchart LR``, which GitHub renders wherever Markdown is rendered (wrap it in a
```` ```mermaid ```` fence)."""

from __future__ import annotations

import re

import networkx as nx

from debtlint.report.graph_export.plain import node_label
from debtlint.report.graph_export.style import (
    DASHED_RELS,
    DOTTED_RELS,
    FINDING_STROKE,
    KINDS,
    OTHER,
    TEXT,
    kind_class,
    kind_style,
)
from debtlint.report.graph_export.topology import distinct_edges, node_ids

# Characters that mean something to Mermaid's parser or to the HTML it renders labels into, even
# inside a quoted label. Mermaid decodes ``#<decimal>;`` back into the character.
_ESCAPE = {c: f"#{ord(c)};" for c in '"#&<>[]{}|`\\'}
_PLAIN_EDGE_LABEL = re.compile(r"^[A-Za-z0-9_ -]+$")


def mermaid_text(text: str) -> str:
    """Text that is safe inside a quoted Mermaid label."""
    flat = " ".join(text.split())
    return "".join(_ESCAPE.get(c, c) for c in flat)


def _class_def(name: str, fill: str, stroke: str, extra: str = "") -> str:
    return f"    classDef {name} fill:{fill},stroke:{stroke},color:{TEXT}{extra}"


def render_mermaid(g: nx.MultiDiGraph) -> str:
    ids = node_ids(g)
    lines = ["flowchart LR"]
    by_class: dict[str, list[str]] = {}
    for node, data in g.nodes(data=True):
        kind = str(data.get("kind", ""))
        opening, closing = kind_style(kind).mermaid_shape
        lines.append(f'    {ids[node]}{opening}"{mermaid_text(node_label(data))}"{closing}')
        by_class.setdefault(kind_class(kind), []).append(ids[node])
        if data.get("resolved") is False:
            by_class.setdefault("symbolic", []).append(ids[node])
        if data.get("findings"):
            by_class.setdefault("finding", []).append(ids[node])
    for u, v, rel in distinct_edges(g):
        # Mermaid has one non-solid line style: declarations, ownership and imports share it.
        arrow = "-.->" if rel in DASHED_RELS | DOTTED_RELS else "-->"
        if not rel:
            lines.append(f"    {ids[u]} {arrow} {ids[v]}")
            continue
        label = rel if _PLAIN_EDGE_LABEL.match(rel) else f'"{mermaid_text(rel)}"'
        lines.append(f"    {ids[u]} {arrow}|{label}| {ids[v]}")
    # Class definitions in a fixed order, the finding marker last so its stroke wins.
    for kind, style in [*KINDS.items(), ("other", OTHER)]:
        if kind in by_class:
            lines.append(_class_def(kind, style.fill, style.stroke))
    if "symbolic" in by_class:
        lines.append("    classDef symbolic stroke-dasharray:5 4")
    if "finding" in by_class:
        lines.append(f"    classDef finding stroke:{FINDING_STROKE},stroke-width:3px")
    for name in [*KINDS, "other", "symbolic", "finding"]:
        if name in by_class:
            lines.append(f"    class {','.join(by_class[name])} {name}")
    return "\n".join(lines) + "\n"
