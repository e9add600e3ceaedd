"""Small structural helpers shared by the picture formats."""

from __future__ import annotations

import networkx as nx


def node_ids(g: nx.MultiDiGraph) -> dict[str, str]:
    """Short, stable identifiers ``n0``, ``n1``, ... in sorted node order, for formats whose
    identifiers must be simple (Mermaid) or should not leak paths into markup (HTML)."""
    return {node: f"n{index}" for index, node in enumerate(sorted(g.nodes))}


def distinct_edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    """Edges as (source, target, rel), parallel edges with the same rel drawn once: an owner listed
    by both debtlint.yaml and CODEOWNERS owns the model once in a picture."""
    return sorted({(u, v, str(d.get("rel", ""))) for u, v, d in g.edges(data=True)})
