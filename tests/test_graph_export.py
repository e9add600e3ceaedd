"""``debtlint graph``: Mermaid, DOT, GraphML, node-link JSON and the offline HTML page.

The Mermaid golden file of the DVC fixture is regenerated after an intended change of the graph with
``DEBTLINT_UPDATE_GOLDEN=1 pytest tests/test_graph_export.py`` (review the diff).
The browser test renders the HTML page in headless Chromium when one is installed and is skipped
otherwise; CI does not need a browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html import escape
from pathlib import Path

import networkx as nx
import pytest

from debtlint.findings import Finding, Location, Severity
from debtlint.report.graph_export import GRAPH_FORMATS, prepare_export
from debtlint.report.graph_export.dot import dot_quote, render_dot
from debtlint.report.graph_export.html import MAX_LABEL
from debtlint.report.graph_export.layout import count_crossings, flow_graph, layered_layout
from debtlint.report.graph_export.mermaid import mermaid_text, render_mermaid
from debtlint.report.graph_export.plain import node_label, plain_graph
from debtlint.report.graph_export.style import KINDS
from tests.conftest import FIXTURES

DVC = FIXTURES / "clean_dvc_pipeline"
KAGGLE = FIXTURES / "kaggle_script"
GOLDEN_MERMAID = DVC / "expected.graph.mmd"


@pytest.fixture(scope="module")
def dvc_outputs() -> dict[str, str]:
    """Every format of the DVC fixture's graph, through the real command (one scan each)."""
    from click.testing import CliRunner

    from debtlint.cli import main

    out = {}
    for fmt in GRAPH_FORMATS:
        result = CliRunner().invoke(main, ["graph", str(DVC), "--format", fmt])
        assert result.exit_code == 0, result.output
        out[fmt] = result.stdout
    return out


@pytest.fixture(scope="module")
def dvc_graph(dvc_outputs) -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(dvc_outputs["json"]), edges="edges")


def _tricky_graph() -> nx.MultiDiGraph:
    """Labels with every character that means something to Mermaid, DOT or HTML."""
    g = nx.MultiDiGraph()
    g.add_node("code:src/a b.py", kind="code", name='src/a "b".py', path="src/a b.py")
    g.add_node("data:x[1]|y", kind="data", name="x[1]|y {#z} <script>&amp;`q`", path="x[1]|y")
    g.add_node("data:https://example.com/d.csv", kind="data", name="https://example.com/d.csv")
    g.add_node("model:m", kind="model", name="m", path="src/a b.py")
    g.add_node("owner:@t", kind="owner", name="@t\\n")
    g.add_node("odd", kind="weird-kind", name="odd")
    g.add_edge("data:x[1]|y", "code:src/a b.py", rel="reads", location=Location("src/a b.py", 3))
    g.add_edge("data:https://example.com/d.csv", "code:src/a b.py", rel="reads")
    g.add_edge("code:src/a b.py", "model:m", rel="defines")
    g.add_edge("owner:@t", "model:m", rel="owns", source="x")
    g.add_edge("owner:@t", "model:m", rel="owns", source="y")
    g.add_edge("model:m", "odd", rel="we|ird")
    return g


# -- Mermaid ------------------------------------------------------------------------------------
def test_mermaid_of_the_dvc_fixture_matches_the_golden_file(dvc_outputs):
    text = dvc_outputs["mermaid"]
    if os.environ.get("DEBTLINT_UPDATE_GOLDEN"):
        GOLDEN_MERMAID.write_text(text, encoding="utf-8")
    assert text == GOLDEN_MERMAID.read_text(encoding="utf-8")


def test_mermaid_declares_every_node_once_with_stable_ids_and_shapes(dvc_outputs, dvc_graph):
    lines = dvc_outputs["mermaid"].splitlines()
    assert lines[0] == "flowchart LR"
    declared = [m.group(1) for line in lines if (m := re.match(r"\s+(n\d+)[\[({]", line))]
    assert declared == [f"n{i}" for i in range(dvc_graph.number_of_nodes())]
    ids = {node: f"n{i}" for i, node in enumerate(sorted(dvc_graph.nodes))}
    assert any(d["rel"] == "declares" for _, _, d in dvc_graph.edges(data=True))
    text = dvc_outputs["mermaid"]
    assert f'{ids["data:data/raw/customers.csv"]}[("data/raw/customers.csv")]' in text
    model = next(n for n, d in dvc_graph.nodes(data=True) if d["kind"] == "model")
    assert re.search(rf"{ids[model]}\{{\{{\"model \(src/train\.py\)\"\}}\}}", text)
    assert f'{ids["owner:@acme/ml-platform"]}(["@acme/ml-platform"])' in text
    # Edges only between declared ids, labelled with their relation.
    for src, label, dst in re.findall(r"(n\d+) -\.?->\|(\w+)\| (n\d+)", text):
        assert src in declared and dst in declared and label
    assert "classDef data " in text and "class " in text


def test_mermaid_escapes_quotes_brackets_pipes_and_markup():
    assert mermaid_text('a "b" [c] |d| {e} #f <g> &h `i` \\n') == (
        "a #34;b#34; #91;c#93; #124;d#124; #123;e#125; #35;f #60;g#62; #38;h #96;i#96; #92;n"
    )
    text = render_mermaid(plain_graph(_tricky_graph()))
    for line in text.splitlines()[1:]:
        # Inside a node declaration the only double quotes are the two around the label.
        if re.match(r"\s+n\d+[\[({]", line):
            assert line.count('"') == 2, line
            assert "<" not in line and "|" not in line.split('"')[1], line
    assert '-->|"we#124;ird"|' in text
    # Parallel edges (two sources saying the same owner owns the model) are drawn once.
    assert text.count("-.->|owns|") == 1
    assert "classDef other " in text  # an unknown kind still gets a style


# -- DOT ----------------------------------------------------------------------------------------
def _dot_structure(text: str) -> tuple[int, set[str], list[tuple[str, str]]]:
    """Brace depth at the end, declared node ids and edges, reading quoted strings properly."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[{}\[\];]|->|[^\s{}\[\];"]+', text)
    depth, declared, edges, statement = 0, set(), [], []
    in_attrs = False
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            assert depth >= 0
        elif token == "[":
            in_attrs = True
        elif token == "]":
            in_attrs = False
        elif token == ";":
            if len(statement) == 3 and statement[1] == "->":
                edges.append((statement[0], statement[2]))
            elif len(statement) == 1 and statement[0].startswith('"'):
                declared.add(statement[0])
            statement = []
        elif not in_attrs:
            statement.append(token)
    return depth, declared, edges


def test_dot_is_balanced_and_declares_every_edge_endpoint(dvc_outputs, dvc_graph):
    text = dvc_outputs["dot"]
    assert text.startswith('digraph "clean_dvc_pipeline" {') and "rankdir=LR;" in text
    depth, declared, edges = _dot_structure(text)
    assert depth == 0
    assert declared == {dot_quote(n) for n in dvc_graph.nodes}
    assert edges and all(u in declared and v in declared for u, v in edges)


def test_dot_quotes_ids_and_labels():
    assert dot_quote('a "b" \\n c\nd') == '"a \\"b\\" \\\\n c\\nd"'
    text = render_dot(plain_graph(_tricky_graph()))
    depth, declared, edges = _dot_structure(text)
    assert depth == 0 and len(declared) == 6
    assert all(u in declared and v in declared for u, v in edges)
    assert '"owner:@t" [label="@t\\\\n"' in text  # a backslash in a name is not an escape


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot_output(dvc_outputs, tmp_path):
    for name, text in (
        ("dvc", dvc_outputs["dot"]),
        ("tricky", render_dot(plain_graph(_tricky_graph()))),
    ):
        source = tmp_path / f"{name}.dot"
        source.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            ["dot", "-Tsvg", str(source)], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        assert "<svg" in proc.stdout


# -- GraphML and JSON ---------------------------------------------------------------------------
def test_graphml_round_trips_through_networkx(dvc_outputs, dvc_graph, tmp_path):
    path = tmp_path / "graph.graphml"
    path.write_text(dvc_outputs["graphml"], encoding="utf-8")
    back = nx.read_graphml(path, force_multigraph=True)
    assert sorted(back.nodes) == sorted(dvc_graph.nodes)
    assert back.number_of_edges() == dvc_graph.number_of_edges()
    for node, data in dvc_graph.nodes(data=True):
        expected = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()}
        assert back.nodes[node] == expected
    rels = sorted(d["rel"] for _, _, d in back.edges(data=True))
    assert rels == sorted(d["rel"] for _, _, d in dvc_graph.edges(data=True))


def test_json_is_node_link_data_with_plain_attributes(dvc_outputs, dvc_graph):
    doc = json.loads(dvc_outputs["json"])
    assert doc["directed"] is True and doc["multigraph"] is True
    assert doc["graph"] == {"name": "clean_dvc_pipeline"}
    assert [n["id"] for n in doc["nodes"]] == sorted(n["id"] for n in doc["nodes"])
    for item in [*doc["nodes"], *doc["edges"]]:
        for value in item.values():
            assert isinstance(value, (str, int, float, bool)), item
            assert not str(value).startswith(("Location(", "DataAccess(")), item
    kinds = {n["kind"] for n in doc["nodes"]}
    assert {"code", "data", "model", "owner"} <= kinds
    edge = next(e for e in doc["edges"] if e["rel"] == "reads")
    assert re.fullmatch(r"[^:]+:\d+:\d+", edge["location"])
    assert {"source", "target", "key", "rel"} <= set(edge)


def test_exports_are_deterministic():
    g = _tricky_graph()
    shuffled = nx.MultiDiGraph()
    for node in reversed(list(g.nodes)):
        shuffled.add_node(node, **g.nodes[node])
    for u, v, data in reversed(list(g.edges(data=True))):
        shuffled.add_edge(u, v, **data)
    for fmt, render in GRAPH_FORMATS.items():
        first = render(prepare_export(g, [], "p"))
        assert first == render(prepare_export(shuffled, [], "p")), fmt


# -- findings, focus and the command ------------------------------------------------------------
def _finding(code: str, entity: str, path: str, line: int = 1, col: int = 1) -> Finding:
    return Finding(code, "x", Severity.WARNING, "m", Location(path, line, col), entity=entity)


def test_findings_are_marked_on_the_nodes_they_are_about():
    g = nx.MultiDiGraph()
    g.add_node("code:a.py", kind="code", name="a.py", path="a.py")
    g.add_node("data:in.csv", kind="data", name="in.csv", path="in.csv")
    g.add_node("data:?a.py:7:5", kind="data", name="<argument 1 of f>", resolved=False)
    g.add_node("model:a.py::clf", kind="model", name="clf", path="a.py")
    findings = [
        _finding("DL201", "in.csv", "a.py", 3),
        _finding("DL201", "a.py:<argument 1 of f>", "a.py", 7, 5),
        _finding("DL101", "a.py::clf", "a.py", 9),
        _finding("DL401", "a.py", "a.py"),
    ]
    plain = plain_graph(g, findings)
    assert plain.nodes["data:in.csv"]["findings"] == "DL201"
    assert plain.nodes["data:?a.py:7:5"]["findings"] == "DL201"
    assert plain.nodes["model:a.py::clf"]["findings"] == "DL101"
    assert plain.nodes["code:a.py"]["findings"] == "DL401"
    assert plain.nodes["code:a.py"]["severity"] == "warning"


def test_focus_keeps_the_neighbourhood_and_its_findings():
    g = nx.MultiDiGraph()
    nx.add_path(g, ["data:raw", "code:x", "data:mid", "code:y", "data:out"], rel="flows")
    for node in g:
        g.nodes[node].update(kind=node.split(":")[0], name=node.split(":")[1])
    findings = [_finding("DL201", "raw", "x"), _finding("DL201", "out", "y")]
    export = prepare_export(g, findings, "p", focus_on="data:mid", depth=1)
    assert sorted(export.graph.nodes) == ["code:x", "code:y", "data:mid"]
    assert export.total_nodes == 5 and export.findings == ()
    export = prepare_export(g, findings, "p", focus_on="RAW", depth=1)  # case-insensitive
    assert sorted(export.graph.nodes) == ["code:x", "data:raw"]
    assert [f.entity for f in export.findings] == ["raw"]


def test_graph_command_focus_depth_and_errors(run_cli, tmp_path):
    code, out, _ = run_cli("graph", DVC, "--format", "json", "--focus", "model", "--depth", "1")
    assert code == 0
    doc = json.loads(out)
    ids = {n["id"] for n in doc["nodes"]}
    assert "owner:@acme/ml-platform" in ids and "code:src/train.py" in ids
    assert "data:data/raw/customers.csv" not in ids  # more than one step away
    assert all(e["source"] in ids and e["target"] in ids for e in doc["edges"])
    code, _, err = run_cli("graph", DVC, "--focus", "no-such-node")
    assert code == 2 and "no-such-node" in err and "matches no node" in err
    code, _, err = run_cli("graph", DVC, "--depth", "2")
    assert code == 2 and "--depth needs --focus" in err
    target = tmp_path / "graph.html"
    code, out, _ = run_cli("graph", DVC, "--format", "html", "-o", target)
    assert code == 0 and out == "" and target.read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_graph_command_marks_findings_of_the_kaggle_fixture(run_cli):
    code, out, _ = run_cli("graph", KAGGLE, "--format", "json")
    assert code == 0  # the graph command draws; it does not gate
    nodes = {n["id"]: n for n in json.loads(out)["nodes"]}
    assert "DL201" in nodes["data:input/train.csv"]["findings"]
    assert any(
        n["kind"] == "model" and n.get("severity") == "error" and "DL101" in n["findings"]
        for n in nodes.values()
    )


# -- layout -------------------------------------------------------------------------------------
def _flow(edges: list[tuple[str, str, dict]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for u, v, data in edges:
        for node in (u, v):
            g.add_node(node, kind=node.split(":")[0], name=node)
        g.add_edge(u, v, **data)
    return g


def test_flow_orients_imports_and_stage_inputs_upstream():
    g = _flow(
        [
            ("code:test", "code:lib", {"rel": "imports"}),
            ("stage:s", "data:in", {"rel": "declares", "role": "deps"}),
            ("data:in2", "stage:s", {"rel": "declares", "role": "deps"}),
            ("stage:s", "data:out", {"rel": "declares", "role": "outs"}),
            ("data:in", "data:out", {"rel": "derives"}),
        ]
    )
    assert sorted(flow_graph(g).edges) == [
        ("code:lib", "code:test"),
        ("data:in", "stage:s"),
        ("data:in2", "stage:s"),
        ("stage:s", "data:out"),
    ]


def test_layers_follow_the_longest_path_and_sources_sit_next_to_their_targets():
    g = _flow(
        [
            ("data:raw", "code:prep", {"rel": "reads"}),
            ("code:prep", "data:clean", {"rel": "writes"}),
            ("data:clean", "code:train", {"rel": "reads"}),
            ("data:raw", "code:train", {"rel": "reads"}),
            ("code:train", "model:m", {"rel": "defines"}),
            ("owner:o", "model:m", {"rel": "owns"}),
            ("code:a", "code:b", {"rel": "x"}),  # a cycle shares one layer
            ("code:b", "code:a", {"rel": "x"}),
        ]
    )
    layout = layered_layout(g)
    layer = {n: i for i, nodes in enumerate(layout.layers) for n in nodes}
    assert [layer[n] for n in ("data:raw", "code:prep", "data:clean", "code:train", "model:m")] == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert layer["owner:o"] == 3
    assert layer["code:a"] == layer["code:b"]
    # The long edge raw -> train passes layers 1 and 2 through placeholders.
    assert len(layout.chains[("data:raw", "code:train")]) == 2


def test_barycentre_ordering_removes_avoidable_crossings():
    # a1 -> b2 and a2 -> b1 cross in the initial (alphabetical) order; the sweep untangles them.
    g = _flow(
        [
            ("data:a1", "code:b2", {"rel": "reads"}),
            ("data:a2", "code:b1", {"rel": "reads"}),
            ("data:a3", "code:b3", {"rel": "reads"}),
        ]
    )
    layout = layered_layout(g)
    assert count_crossings(layout, flow_graph(g).edges) == 0


# -- HTML ---------------------------------------------------------------------------------------
NETWORK_REFERENCE = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _labels(g: nx.MultiDiGraph) -> list[str]:
    out = []
    for _, data in g.nodes(data=True):
        label = node_label(data)
        out.append(label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…")
    return out


def test_html_is_self_contained_and_shows_every_node(dvc_outputs, dvc_graph):
    page = dvc_outputs["html"]
    assert page.startswith("<!DOCTYPE html>")
    assert not NETWORK_REFERENCE.search(page)
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=", page)
    assert "default-src 'none'" in page  # the CSP forbids any fetch
    for label in _labels(dvc_graph):
        assert f">{escape(label)}</text>" in page, label
    assert page.count('class="node ') == dvc_graph.number_of_nodes()
    assert "No findings." in page


def test_html_escapes_labels_and_never_links_a_uri():
    g = _tricky_graph()
    findings = [_finding("DL201", "https://example.com/d.csv", "src/a b.py")]
    page = GRAPH_FORMATS["html"](prepare_export(g, findings, "p<1>"))
    assert not NETWORK_REFERENCE.search(page)
    assert "<script>&amp;" not in page
    assert "x[1]|y {#z} &lt;script&gt;&amp;amp;`q`" in page
    assert ">https://example.com/d.csv</text>" in page  # shown as text, never fetched
    assert "Data-dependency graph of p&lt;1&gt;" in page
    assert "Findings (1)" in page and "has-findings" in page
    # The embedded node data cannot close its <script> element.
    data = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
    assert data and "<" not in data.group(1)
    assert json.loads(data.group(1))


# -- in a real browser --------------------------------------------------------------------------
def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


CHROMIUM = _chromium()
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of an 8-bit RGB/RGBA PNG, unfiltered (no imaging library)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += length + 12
    assert header is not None
    width, height, bit_depth, colour_type, _, _, interlace = header
    assert bit_depth == 8 and colour_type in (2, 6) and interlace == 0, header
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        method, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if method == 1:
                line[i] = (line[i] + left) & 0xFF
            elif method == 2:
                line[i] = (line[i] + up) & 0xFF
            elif method == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif method == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r) for r in rows] if bpp == 3 else _drop_alpha(rows)


def _drop_alpha(rows: list[bytes]) -> list[bytes]:
    return [bytes(b for i, b in enumerate(row) if i % 4 != 3) for row in rows]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_html_renders_in_headless_chromium(dvc_outputs, dvc_graph, tmp_path):
    page = tmp_path / "graph.html"
    page.write_text(dvc_outputs["html"], encoding="utf-8")
    shot = tmp_path / "shot.png"
    proc = _browser(tmp_path, f"--screenshot={shot}", "--window-size=1400,900", page.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1400, 900)
    colours = {row[i : i + 3] for row in rows for i in range(0, len(row), 3)}
    assert len(colours) > 50  # not a blank page
    # The node shapes are drawn in their kinds' colours (exact fills inside the boxes).
    for kind in ("code", "data", "model", "owner"):
        assert bytes(_rgb(KINDS[kind].fill)) in colours, kind

    # The script runs under the page's CSP; a #filter= link highlights a neighbourhood.
    proc = _browser(tmp_path, "--dump-dom", page.as_uri() + "#filter=model")
    dom = proc.stdout
    assert 'data-viewer="ready"' in dom, proc.stderr[-2000:]
    assert dom.count('class="node ') == dvc_graph.number_of_nodes()
    assert re.search(r'class="node kind-model[^"]*\bmatch\b', dom)
    assert re.search(r'class="node kind-data[^"]*\bdim\b', dom)
