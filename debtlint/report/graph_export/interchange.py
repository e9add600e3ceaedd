"""GraphML and node-link JSON, for tools (Gephi, yEd, Cytoscape, networkx, jq)."""

from __future__ import annotations

import io
import json

import networkx as nx


def render_graphml(g: nx.MultiDiGraph) -> str:
    """GraphML with every attribute as a string: GraphML declares one type per attribute key, and a
    key that is a bool on one node and a string on another would not round-trip."""
    stringly = nx.MultiDiGraph()
    stringly.graph.update({k: str(v) for k, v in g.graph.items()})
    for node, data in g.nodes(data=True):
        stringly.add_node(node, **{k: _text(v) for k, v in data.items()})
    for u, v, key, data in g.edges(keys=True, data=True):
        stringly.add_edge(u, v, key=key, **{k: _text(w) for k, w in data.items()})
    buffer = io.BytesIO()
    nx.write_graphml(stringly, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_node_link_json(g: nx.MultiDiGraph) -> str:
    """networkx node-link data (``nodes``, ``edges``), readable back with
    ``networkx.node_link_graph(doc, edges="edges")``."""
    doc = nx.node_link_data(g, edges="edges")
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
