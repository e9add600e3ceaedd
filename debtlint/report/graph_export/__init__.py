"""``debtlint graph``: the project's data-dependency graph as Mermaid, DOT, GraphML, node-link JSON
or one self-contained HTML page.

Every format starts from the same plain copy of the graph (:mod:`.plain`), optionally cut down to
the neighbourhood of some nodes (``--focus``/``--depth``), so that all formats agree on what is
shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx

from debtlint.findings import Finding
from debtlint.report.graph_export.dot import render_dot
from debtlint.report.graph_export.html import render_html
from debtlint.report.graph_export.interchange import render_graphml, render_node_link_json
from debtlint.report.graph_export.mermaid import render_mermaid
from debtlint.report.graph_export.plain import FocusError, finding_targets, focus, plain_graph

__all__ = ["DEFAULT_DEPTH", "GRAPH_FORMATS", "FocusError", "GraphExport", "prepare_export"]

# Two steps reach a model's training data and the script that wrote it, or a dataset's readers and
# what they produce: enough context without pulling in the whole project.
DEFAULT_DEPTH = 2


@dataclass(frozen=True)
class GraphExport:
    """What one export shows."""

    graph: nx.MultiDiGraph  # plain attributes, sorted
    findings: tuple[Finding, ...]  # about the nodes shown (all of them when nothing is focused)
    project: str
    focus: str | None = None
    depth: int | None = None
    total_nodes: int = 0

    def targets(self, finding: Finding) -> list[str]:
        return finding_targets(self.graph, finding)


def prepare_export(
    g: nx.MultiDiGraph,
    findings: Sequence[Finding],
    project: str,
    focus_on: str | None = None,
    depth: int | None = None,
) -> GraphExport:
    """The plain graph, findings marked on their nodes, cut to ``depth`` steps around the nodes
    matching ``focus_on`` when given. Raises :class:`FocusError` when nothing matches."""
    full = plain_graph(g, findings, name=project)
    shown = full
    kept = tuple(sorted(findings, key=lambda f: f.sort_key()))
    if focus_on:
        shown = focus(full, focus_on, DEFAULT_DEPTH if depth is None else depth)
        kept = tuple(f for f in kept if any(n in shown for n in finding_targets(full, f)))
    return GraphExport(shown, kept, project, focus_on, depth, full.number_of_nodes())


GRAPH_FORMATS: dict[str, Callable[[GraphExport], str]] = {
    "mermaid": lambda e: render_mermaid(e.graph),
    "dot": lambda e: render_dot(e.graph),
    "graphml": lambda e: render_graphml(e.graph),
    "json": lambda e: render_node_link_json(e.graph),
    "html": render_html,
}
