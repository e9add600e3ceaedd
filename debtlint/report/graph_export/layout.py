"""A layered, left-to-right layout of the graph by data flow, computed in Python so that the HTML
picture is static SVG that needs no layout library in the browser.

1. Orient every edge the way data flows (most already do; see :func:`flow_graph`).
2. Collapse cycles (networkx.condensation) and give each node the length of the longest path that
   reaches it (topological generations); a source with successors moves right next to its nearest
   successor, so that an owner or a parameters file does not sit in the first column with long
   edges crossing everything.
3. Split every edge that spans several layers with a placeholder in each layer it passes, so it
   gets a lane of its own instead of cutting through boxes.
4. Order the nodes within each layer by the barycentre of their neighbours, sweeping right and
   left a few times, and keep the order with the fewest edge crossings.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from debtlint.report.graph_export.style import SHORTCUT_RELS

# Roles of a pipeline declaration whose data feeds the stage rather than comes out of it.
INPUT_ROLES = frozenset({"deps", "dep", "params", "inputs", "input"})
# Sort order within a layer before any barycentre sweep: pipelines read top-down this way.
KIND_ORDER = {"owner": 0, "config": 1, "data": 2, "column": 3, "code": 4, "model": 5, "consumer": 6}
SWEEPS = 8


# A long edge passes each layer it crosses through a placeholder ("dummy") node that takes part in
# the ordering like a real one, so long edges get lanes of their own instead of cutting through
# boxes. A dummy needs less room than a box: its height, in rows.
DUMMY_HEIGHT = 0.4


@dataclass(frozen=True)
class Layout:
    layers: list[list[str]]  # node ids (and dummies), per layer from left to right, top to bottom
    dummies: frozenset[str] = frozenset()
    # flow edge (upstream, downstream) spanning more than one layer -> its dummies, left to right
    chains: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def position(self) -> dict[str, tuple[int, float]]:
        """(layer, y): y in rows, each layer centred on 0."""
        out: dict[str, tuple[int, float]] = {}
        for index, layer in enumerate(self.layers):
            heights = [DUMMY_HEIGHT if n in self.dummies else 1.0 for n in layer]
            top = -(sum(heights) - heights[0] / 2 - heights[-1] / 2) / 2 if layer else 0.0
            y = top
            for row, node in enumerate(layer):
                if row:
                    y += (heights[row - 1] + heights[row]) / 2
                out[node] = (index, y)
        return out


def flow_graph(g: nx.MultiDiGraph, skip: Iterable[str] = SHORTCUT_RELS) -> nx.DiGraph:
    """A simple digraph whose edges point from upstream to downstream, without the ``skip`` rels.

    Graph edges already point the way data flows, except two kinds that describe structure: an
    import (``importer -imports-> imported``: the imported module comes first) and a pipeline
    declaration (``stage -declares-> data``, where the data of a stage's inputs comes first,
    whichever way the edge itself points).
    """
    skipped = frozenset(skip)
    flow = nx.DiGraph()
    flow.add_nodes_from(g.nodes)
    for u, v, data in g.edges(data=True):
        rel = data.get("rel")
        if rel in skipped:
            continue
        a, b = u, v
        if rel == "imports":
            a, b = v, u
        elif rel == "declares":
            data_end, other = (u, v) if g.nodes[u].get("kind") == "data" else (v, u)
            is_input = str(data.get("role", "")) in INPUT_ROLES
            a, b = (data_end, other) if is_input else (other, data_end)
        if a != b:
            flow.add_edge(a, b)
    return flow


def assign_layers(flow: nx.DiGraph) -> dict[str, int]:
    condensed = nx.condensation(flow)
    layer_of: dict[int, int] = {}
    for depth, generation in enumerate(nx.topological_generations(condensed)):
        for component in generation:
            layer_of[component] = depth
    for component in condensed:
        successors = list(condensed.successors(component))
        if condensed.in_degree(component) == 0 and successors:
            layer_of[component] = min(layer_of[s] for s in successors) - 1
    members = condensed.graph["mapping"]  # node -> component
    return {node: layer_of[members[node]] for node in flow}


def layered_layout(g: nx.MultiDiGraph) -> Layout:
    flow = flow_graph(g)
    layer_of = assign_layers(flow)
    count = max(layer_of.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for node in sorted(flow, key=lambda n: (KIND_ORDER.get(g.nodes[n].get("kind"), 9), str(n))):
        layers[layer_of[node]].append(node)
    # Unconnected nodes go to the bottom of their layer and stay there.
    isolated = {n for n in flow if flow.degree(n) == 0}
    for layer in layers:
        layer.sort(key=lambda n: n in isolated)
    ordered = nx.DiGraph()  # the flow graph with long edges split at every layer
    ordered.add_nodes_from(flow)
    chains: dict[tuple[str, str], list[str]] = {}
    for u, v in sorted(flow.edges):
        if layer_of[u] == layer_of[v]:
            continue  # inside a cycle: drawn as a loop beside the layer
        chain = [f"\0{u}\0{v}\0{layer}" for layer in range(layer_of[u] + 1, layer_of[v])]
        for dummy, layer in zip(chain, range(layer_of[u] + 1, layer_of[v]), strict=True):
            layer_of[dummy] = layer
            layers[layer].append(dummy)
        if chain:
            chains[(u, v)] = chain
        nx.add_path(ordered, [u, *chain, v])
    dummies = frozenset(d for chain in chains.values() for d in chain)
    best = Layout([list(layer) for layer in layers], dummies, chains)
    best_crossings = count_crossings(best, ordered.edges)
    for sweep in range(SWEEPS):
        downstream = sweep % 2 == 0
        neighbours = ordered.predecessors if downstream else ordered.successors
        for index in range(1, count) if downstream else range(count - 2, -1, -1):
            y = Layout(layers, dummies).position()

            def key(
                node: str, y: dict[str, tuple[int, float]] = y, neighbours=neighbours
            ) -> tuple[bool, float]:
                ys = [y[n][1] for n in neighbours(node)]
                return node in isolated, sum(ys) / len(ys) if ys else y[node][1]

            layers[index].sort(key=key)
        candidate = Layout([list(layer) for layer in layers], dummies, chains)
        crossings = count_crossings(candidate, ordered.edges)
        if crossings < best_crossings:
            best, best_crossings = candidate, crossings
    return best


def count_crossings(layout: Layout, edges: Iterable[tuple[str, str]]) -> int:
    """Crossings of the edges between each pair of adjacent layers (long edges are already split
    into one-layer pieces): the inversions of their end heights once sorted by start height."""
    y = layout.position()
    gaps: dict[int, list[tuple[float, float]]] = {}
    for u, v in edges:
        (lu, yu), (lv, yv) = y[u], y[v]
        if lu != lv:
            gaps.setdefault(min(lu, lv), []).append((yu, yv) if lu < lv else (yv, yu))
    total = 0
    for segments in gaps.values():
        segments.sort()
        seen: list[float] = []
        for _, end in segments:
            # Segments already seen start higher or level; those ending strictly lower cross.
            total += len(seen) - bisect.bisect_right(seen, end)
            bisect.insort(seen, end)
    return total
