"""One self-contained HTML page: the graph as static SVG laid out left to right by data flow, the
findings listed below it, and a filter box that highlights a node and its neighbourhood.

Nothing is fetched: the stylesheet and the script are this package's own files, inlined, and a
Content-Security-Policy forbids the page any network access, so it opens the same offline, from a
CI artifact or an e-mail attachment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

import networkx as nx

from debtlint import __version__
from debtlint.findings import Finding
from debtlint.report.graph_export.layout import Layout, flow_graph, layered_layout
from debtlint.report.graph_export.plain import node_label
from debtlint.report.graph_export.style import (
    DASHED_RELS,
    DOTTED_RELS,
    FINDING_STROKES,
    KINDS,
    OTHER,
    SHORTCUT_RELS,
    kind_class,
)
from debtlint.report.graph_export.topology import node_ids

if TYPE_CHECKING:
    from debtlint.report.graph_export import GraphExport

# Geometry, in SVG pixels. Text widths are estimated (no font metrics offline): ~6.6 px per
# character of 12 px sans-serif is generous enough that labels stay inside their boxes.
CHAR_WIDTH = 6.6
MAX_LABEL = 44
NODE_HEIGHT = 34
ROW_PITCH = 48
COLUMN_GAP = 70
LANE_WIDTH = 24  # a column that only long edges pass through
MARGIN = 30
MIN_WIDTH, MAX_WIDTH = 90.0, MAX_LABEL * CHAR_WIDTH + 28

REL_COLOURS = {
    "reads": "#3182ce",
    "loads": "#3182ce",
    "writes": "#2f855a",
    "saves": "#2f855a",
    "trains": "#dd6b20",
    "predicts": "#d69e2e",
    "owns": "#805ad5",
    "declares": "#718096",
}
DEFAULT_EDGE = "#a0aec0"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class Box:
    x: float  # centre
    y: float
    width: float
    label: str
    layer: int

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Placement:
    boxes: dict[str, Box]  # real nodes
    lanes: dict[str, tuple[float, float, float]]  # dummy -> (column left, column right, y)
    layout: Layout
    width: float
    height: float


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _width(label: str) -> float:
    return min(max(len(label) * CHAR_WIDTH + 28, MIN_WIDTH), MAX_WIDTH)


def place(g: nx.MultiDiGraph) -> Placement:
    """Boxes for the nodes, lanes for the long edges, and the canvas size."""
    layout = layered_layout(g)
    rows = layout.position()
    labels = {n: _short(node_label(g.nodes[n])) for n in g.nodes}
    top = min((y for _, y in rows.values()), default=0.0)
    bottom = max((y for _, y in rows.values()), default=0.0)
    boxes: dict[str, Box] = {}
    lanes: dict[str, tuple[float, float, float]] = {}
    left = MARGIN
    for index, layer in enumerate(layout.layers):
        real = [n for n in layer if n not in layout.dummies]
        column = max((_width(labels[n]) for n in real), default=LANE_WIDTH)
        for node in layer:
            y = MARGIN + NODE_HEIGHT / 2 + (rows[node][1] - top) * ROW_PITCH
            if node in layout.dummies:
                lanes[node] = (left, left + column, y)
            else:
                boxes[node] = Box(left + column / 2, y, _width(labels[node]), labels[node], index)
        left += column + COLUMN_GAP
    width = max(left - COLUMN_GAP + MARGIN, 2 * MARGIN + MIN_WIDTH)
    height = 2 * MARGIN + (bottom - top) * ROW_PITCH + NODE_HEIGHT
    return Placement(boxes, lanes, layout, width, height)


def _shape(kind: str, width: float) -> str:
    a, h = width / 2, NODE_HEIGHT / 2
    if kind == "data":
        e = 5  # the cylinder's ellipse
        body = (
            f"M{-a:g},{-h + e:g} A{a:g},{e} 0 0 1 {a:g},{-h + e:g} V{h - e:g} "
            f"A{a:g},{e} 0 0 1 {-a:g},{h - e:g} Z"
        )
        rim = f"M{-a:g},{-h + e:g} A{a:g},{e} 0 0 0 {a:g},{-h + e:g}"
        return f'<path class="shape" d="{body}"/><path class="rim" d="{rim}"/>'
    if kind == "model":
        k = 12
        points = f"{-a:g},0 {-a + k:g},{-h} {a - k:g},{-h} {a:g},0 {a - k:g},{h} {-a + k:g},{h}"
        return f'<polygon class="shape" points="{points}"/>'
    radius = {"code": 3, "owner": h}.get(kind, 9)
    return (
        f'<rect class="shape" x="{-a:g}" y="{-h}" width="{width:g}" height="{NODE_HEIGHT}" '
        f'rx="{radius:g}"/>'
    )


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    bend = (x2 - x1) / 2
    return f"C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def _edge_path(placement: Placement, upstream: str, downstream: str) -> tuple[str, float, float]:
    """An SVG path from ``upstream`` to ``downstream`` and where its label goes. A forward edge
    leaves the right side of its source, runs along its lane through every layer it crosses and
    enters the left side of its target; an edge inside a cycle (both ends in one layer) loops
    round on the right."""
    a, b = placement.boxes[upstream], placement.boxes[downstream]
    if a.layer == b.layer:
        x1, x2 = a.right, b.right
        d = f"M{x1:.1f},{a.y:.1f} C{x1 + 50:.1f},{a.y:.1f} {x2 + 50:.1f},{b.y:.1f} {x2:.1f},{b.y:.1f}"
        return d, max(x1, x2) + 38, (a.y + b.y) / 2
    if a.layer > b.layer:  # only a shortcut edge, which the layout ignored, can run backwards
        x1, x2 = a.left, b.right
        d = f"M{x1:.1f},{a.y:.1f} C{x1 - 60:.1f},{a.y:.1f} {x2 + 60:.1f},{b.y:.1f} {x2:.1f},{b.y:.1f}"
        return d, (x1 + x2) / 2, (a.y + b.y) / 2
    points = [(a.right, a.y)]
    for dummy in placement.layout.chains.get((upstream, downstream), []):
        lane_left, lane_right, y = placement.lanes[dummy]
        points += [(lane_left, y), (lane_right, y)]
    points.append((b.left, b.y))
    parts = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for index in range(0, len(points) - 1, 2):
        (x1, y1), (x2, y2) = points[index], points[index + 1]
        parts.append(_curve(x1, y1, x2, y2))
        if index + 2 < len(points):
            parts.append(f"L{points[index + 2][0]:.1f},{points[index + 2][1]:.1f}")
    # The label sits on the first curve, next to the source, where it is easiest to attribute.
    (x1, y1), (x2, y2) = points[0], points[1]
    return " ".join(parts), (x1 + x2) / 2, (y1 + y2) / 2


def _svg(g: nx.MultiDiGraph, ids: dict[str, str]) -> str:
    placement = place(g)
    boxes = placement.boxes
    flow = set(flow_graph(g).edges)
    grouped: dict[tuple[str, str], list[str]] = {}
    for u, v, data in g.edges(data=True):
        rels = grouped.setdefault((u, v), [])
        rel = str(data.get("rel", ""))
        if rel not in rels:
            rels.append(rel)
    out = [
        f'<svg id="graph" role="img" aria-label="data-dependency graph" '
        f'width="{placement.width:.0f}" height="{placement.height:.0f}" '
        f'viewBox="0 0 {placement.width:.0f} {placement.height:.0f}">',
        "<defs>",
    ]
    for colour in sorted({*REL_COLOURS.values(), DEFAULT_EDGE}):
        out.append(
            f'<marker id="arrow-{colour[1:]}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append('<g class="edges">')
    for (u, v), rels in sorted(grouped.items()):
        if u == v:
            continue
        # Draw along the flow; an edge that points against it (a stage declaring its inputs, an
        # import) gets its arrowhead at the start of the path, so it still points at its target.
        along = (u, v) in flow or (v, u) not in flow
        d, mid_x, mid_y = _edge_path(placement, u, v) if along else _edge_path(placement, v, u)
        rels.sort()
        colour = REL_COLOURS.get(rels[0], DEFAULT_EDGE)
        dash = ""
        if all(r in DASHED_RELS for r in rels):
            dash = ' stroke-dasharray="6 4"'
        elif all(r in DOTTED_RELS for r in rels):
            dash = ' stroke-dasharray="2 3"'
        arrow = f'marker-{"end" if along else "start"}="url(#arrow-{colour[1:]})"'
        text = escape(", ".join(r for r in rels if r))
        shortcut = " shortcut" if all(r in SHORTCUT_RELS for r in rels) else ""
        out.append(
            f'<g class="edge{shortcut}" data-source="{ids[u]}" data-target="{ids[v]}">'
            f'<path d="{d}" stroke="{colour}"{dash} {arrow}/>'
            f'<text x="{mid_x:.1f}" y="{mid_y - 3:.1f}">{text}</text>'
            f"<title>{escape(node_label(g.nodes[u]))} {text} {escape(node_label(g.nodes[v]))}"
            f"</title></g>"
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in sorted(g.nodes, key=lambda n: ids[n]):
        data = g.nodes[node]
        box = boxes[node]
        kind = str(data.get("kind", ""))
        classes = ["node", f"kind-{kind_class(kind)}"]
        if data.get("resolved") is False:
            classes.append("symbolic")
        badge = ""
        if data.get("findings"):
            classes += ["has-findings", f"sev-{data.get('severity', 'error')}"]
            codes = escape(str(data["findings"]))
            badge = (
                f'<g class="badge" transform="translate({box.width / 2 - 4:g},{-NODE_HEIGHT / 2})">'
                f'<circle r="8"/><text y="4">!</text></g>'
                f'<text class="codes" y="{NODE_HEIGHT / 2 + 12}">{codes}</text>'
            )
        details = [f"{node}", f"kind: {kind}"]
        details += [f"{k}: {data[k]}" for k in ("path", "symbolic", "findings") if k in data]
        out.append(
            f'<g class="{" ".join(classes)}" id="{ids[node]}" '
            f'transform="translate({box.x:.1f},{box.y:.1f})">'
            f"{_shape(kind, box.width)}"
            f'<text class="label" y="4">{escape(box.label)}</text>{badge}'
            f"<title>{escape(chr(10).join(details))}</title></g>"
        )
    out.append("</g></svg>")
    return "\n".join(out)


def _finding_rows(export_findings: tuple[Finding, ...], targets: list[list[str]]) -> str:
    rows = []
    for finding, nodes in zip(export_findings, targets, strict=True):
        loc = finding.location
        rows.append(
            f'<tr class="sev-{escape(finding.severity.value)}" data-nodes="{" ".join(nodes)}">'
            f"<td>{escape(finding.severity.value)}</td><td>{escape(finding.code)}</td>"
            f"<td>{escape(loc.display())}</td><td>{escape(finding.message)}</td></tr>"
        )
    if not rows:
        return '<p class="none">No findings.</p>'
    return (
        "<table><thead><tr><th>severity</th><th>code</th><th>where</th><th>message</th></tr>"
        "</thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


def _legend(g: nx.MultiDiGraph) -> str:
    """The kinds, edge colours and marks that occur in this picture, and only those."""
    kinds = {kind_class(str(d.get("kind", ""))) for _, d in g.nodes(data=True)}
    items = []
    for kind, style in [*KINDS.items(), ("other", OTHER)]:
        if kind in kinds:
            items.append(
                f'<span class="swatch" style="background:{style.fill};'
                f'border-color:{style.stroke}">{kind}</span>'
            )
    rels = sorted({str(d.get("rel", "")) for _, _, d in g.edges(data=True)} - {""})
    for rel in rels:
        colour = REL_COLOURS.get(rel, DEFAULT_EDGE)
        line = "dashed" if rel in DASHED_RELS else "dotted" if rel in DOTTED_RELS else "solid"
        items.append(
            f'<span class="edge-swatch" style="border-top:2px {line} {colour}">{escape(rel)}</span>'
        )
    severities = {str(d.get("severity")) for _, d in g.nodes(data=True) if d.get("findings")}
    for severity, colour in FINDING_STROKES.items():
        if severity in severities:
            items.append(
                f'<span class="swatch" style="border-color:{colour};border-width:3px">'
                f"{severity} findings</span>"
            )
    if any(d.get("resolved") is False for _, d in g.nodes(data=True)):
        items.append('<span class="swatch symbolic-swatch">unresolved path</span>')
    return '<div class="legend">' + "".join(items) + "</div>"


def _shortcut_toggle(g: nx.MultiDiGraph) -> str:
    rels = sorted({str(d.get("rel")) for _, _, d in g.edges(data=True)} & SHORTCUT_RELS)
    if not rels:
        return ""
    return (
        f'<label title="edges that repeat what a path through a script already shows">'
        f'<input id="shortcuts" type="checkbox"> show {escape(", ".join(rels))} edges</label>'
    )


def _script_json(value: object) -> str:
    # Inside <script>, "</script>" or "<!--" in a label would end the element: escape < > &.
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _css_variables() -> str:
    rules = []
    for kind, style in [*KINDS.items(), ("other", OTHER)]:
        rules.append(f".kind-{kind} .shape{{fill:{style.fill};stroke:{style.stroke}}}")
        rules.append(f".kind-{kind} .rim{{stroke:{style.stroke}}}")
    for severity, colour in FINDING_STROKES.items():
        rules.append(
            f".node.sev-{severity} .shape{{stroke:{colour};stroke-width:3}} "
            f".node.sev-{severity} .badge circle{{fill:{colour}}} "
            f".node.sev-{severity} .codes{{fill:{colour}}}"
        )
    return "\n".join(rules)


def render_html(export: GraphExport) -> str:
    g: nx.MultiDiGraph = export.graph
    ids = node_ids(g)
    targets = [[ids[n] for n in export.targets(f) if n in ids] for f in export.findings]
    adjacency = {ids[n]: [] for n in g.nodes}
    for u, v, rel in g.edges(data="rel"):
        # Shortcut edges repeat a path that is drawn anyway; through them everything would be
        # one step from everything downstream.
        if u != v and rel not in SHORTCUT_RELS:
            adjacency[ids[u]].append(ids[v])
            adjacency[ids[v]].append(ids[u])
    nodes = {
        ids[n]: {
            "id": n,
            "name": str(g.nodes[n].get("name", n)),
            "adj": sorted(set(adjacency[ids[n]]), key=lambda i: int(i[1:])),
        }
        for n in g.nodes
    }
    title = f"debtlint graph: {export.project}"
    scope = f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges"
    if export.focus:
        scope += (
            f" — around “{export.focus}” (depth {export.depth if export.depth is not None else 2}"
            f", {export.total_nodes} nodes in the whole graph)"
        )
    findings_title = f"Findings ({len(export.findings)})"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="debtlint {escape(__version__)}">
<title>{escape(title)}</title>
<style>
{_asset("viewer.css")}
{_css_variables()}
</style>
</head>
<body>
<header>
<h1>Data-dependency graph of {escape(export.project)}</h1>
<p class="scope">{escape(scope)}. Edges point the way data flows. Hover a node for details; click
it, or type in the filter, to highlight its neighbourhood.</p>
<div class="controls">
<label>Filter <input id="filter" type="search" placeholder="node name or path" autocomplete="off"></label>
<label>Steps <input id="depth" type="number" min="1" max="9" value="1"></label>
<button id="clear" type="button">Clear</button>
<button id="zoom" type="button">Actual size</button>
{_shortcut_toggle(g)}
<span id="status" aria-live="polite"></span>
</div>
{_legend(g)}
</header>
<main>
<div id="canvas" class="canvas fit hide-shortcuts">
{_svg(g, ids)}
</div>
<section id="findings">
<h2>{escape(findings_title)}</h2>
{_finding_rows(export.findings, targets)}
</section>
</main>
<script type="application/json" id="graph-data">{_script_json(nodes)}</script>
<script>
{_asset("viewer.js")}
</script>
</body>
</html>
"""
