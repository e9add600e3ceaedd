"""Queries on the project's data flow, for the boundary, feedback-loop and pipeline rules.

The flow view keeps the edges along which data travels between artifacts and models —
``data -derives-> data`` (a read's data flows into a write in the same file), ``data -trains->
model``, ``model -predicts-> data`` — and drops test files. It does not go through code nodes: a
script that reads A and writes B does not pass A on to B unless A's data flows into the written
value, which keeps a model's own predictions apart from another model's.

Reachability questions (which models does this source feed?) are answered once, on the
condensation (strongly connected components) in reverse topological order, not with one
``descendants`` call per node.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections import deque
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import networkx as nx
import pathspec

from debtlint.facts.pathkinds import is_data_path
from debtlint.findings import Location
from debtlint.yamlsafe import YamlError, load_yaml_file

if TYPE_CHECKING:
    from debtlint.graph import Model, ProjectGraph

FLOW_RELS = frozenset({"derives", "trains", "predicts"})


@dataclass(frozen=True)
class Hop:
    """One edge of a flow path, with where it was seen."""

    source: str
    target: str
    rel: str
    location: Location | None

    def text(self, flow: FlowQueries) -> str:
        where = f" ({self.location.path}:{self.location.line})" if self.location else ""
        return f"{flow.label(self.source)} -{self.rel}-> {flow.label(self.target)}{where}"

    def as_dict(self, flow: FlowQueries) -> dict[str, Any]:
        return {
            "from": flow.label(self.source),
            "rel": self.rel,
            "to": flow.label(self.target),
            "path": self.location.path if self.location else None,
            "line": self.location.line if self.location else None,
        }


class FlowQueries:
    def __init__(self, graph: ProjectGraph) -> None:
        self.graph = graph
        self.g = nx.DiGraph()
        tests = {path for path, facts in graph.files.items() if facts.is_test}
        tests |= {m.id for m in graph.models() if m.path in tests}
        edges = [
            (u, v, d)
            for u, v, d in graph.g.edges(data=True)
            if d.get("rel") in FLOW_RELS
            and u not in tests
            and v not in tests
            and getattr(d.get("location"), "path", None) not in tests
        ]
        # Earliest location first, so the hop a rule shows is stable.
        edges.sort(key=lambda e: (e[0], e[1], _loc_key(e[2].get("location"))))
        for u, v, d in edges:
            if not self.g.has_edge(u, v):
                self.g.add_edge(u, v, rel=d["rel"], location=d.get("location"))
        self._downstream: dict[str, frozenset[str]] | None = None
        self._first: dict[str, dict[str, list[Hop]]] = {}
        self._lines: dict[str, dict[Any, int]] = {}
        self._raw: dict[str, Any] = {}

    # -- labels ----------------------------------------------------------------------------------
    def kind(self, node: str) -> str:
        return str(self.graph.g.nodes[node].get("kind", ""))

    def label(self, node: str) -> str:
        data = self.graph.g.nodes[node]
        if data.get("kind") == "model":
            model = self.graph.model(node)
            return f"model '{model.name}' ({model.path})"
        if data.get("kind") == "code":
            return str(data.get("path") or data.get("name"))
        return str(data.get("path") or data.get("name") or node)

    # -- edges -----------------------------------------------------------------------------------
    def hop(self, u: str, v: str) -> Hop:
        d = self.g.edges[u, v]
        return Hop(u, v, d["rel"], d.get("location"))

    def edges(self, rel: str) -> list[Hop]:
        found = [Hop(u, v, d["rel"], d.get("location")) for u, v, d in self.g.edges(data=True)]
        return sorted(
            (h for h in found if h.rel == rel), key=lambda h: (_loc_key(h.location), h.target)
        )

    def predictions(self) -> list[Hop]:
        return self.edges("predicts")

    # -- paths -----------------------------------------------------------------------------------
    def path(
        self,
        source: str,
        target: str,
        avoid: Iterable[str] = (),
        rels: frozenset[str] = FLOW_RELS,
    ) -> list[Hop] | None:
        """The shortest flow path from ``source`` to ``target`` not passing through ``avoid``
        (breadth-first, neighbours in sorted order, so the answer is deterministic)."""
        if source not in self.g or target not in self.g:
            return None
        blocked = set(avoid) - {source, target}
        previous: dict[str, str] = {}
        queue = deque([source])
        seen = {source}
        while queue:
            node = queue.popleft()
            for nxt in sorted(self.g.successors(node)):
                if nxt in seen or nxt in blocked or self.g.edges[node, nxt]["rel"] not in rels:
                    continue
                previous[nxt] = node
                if nxt == target:
                    return self._hops(source, target, previous)
                seen.add(nxt)
                queue.append(nxt)
        return None

    def first_models(self, source: str) -> dict[str, list[Hop]]:
        """The models reachable from ``source`` without passing through another model, each with
        its shortest path (one breadth-first search; models end paths)."""
        if source in self._first:
            return self._first[source]
        found: dict[str, list[Hop]] = {}
        self._first[source] = found
        if source not in self.g:
            return found
        previous: dict[str, str] = {}
        queue = deque([source])
        seen = {source}
        while queue:
            node = queue.popleft()
            for nxt in sorted(self.g.successors(node)):
                if nxt in seen:
                    continue
                seen.add(nxt)
                previous[nxt] = node
                if self.kind(nxt) == "model":
                    found[nxt] = self._hops(source, nxt, previous)
                else:
                    queue.append(nxt)
        return found

    def _hops(self, source: str, target: str, previous: dict[str, str]) -> list[Hop]:
        nodes = [target]
        while nodes[-1] != source:
            nodes.append(previous[nodes[-1]])
        nodes.reverse()
        return [self.hop(u, v) for u, v in pairwise(nodes)]

    def models(self) -> list[str]:
        return sorted(n for n in self.g if self.kind(n) == "model")

    def sources(self) -> list[str]:
        """Data nodes nothing in the project derives or predicts (resolved ones only)."""
        return sorted(
            n
            for n in self.g
            if self.kind(n) == "data"
            and self.graph.g.nodes[n].get("path")
            and self.g.in_degree(n) == 0
            and not self.graph.writers_of(n)
        )

    def where_declared_or_read(self, data_id: str) -> Location | None:
        """Where a data node is declared, else its first read in non-test code."""
        path = self.graph.g.nodes[data_id].get("path")
        if path:
            declarations = self.graph.declarations_of(path)
            if declarations:
                return min(d.location for d in declarations)
        reads = [
            d["location"]
            for _, _, d in self.graph.g.out_edges(data_id, data=True)
            if d.get("rel") in ("reads", "loads", "trains")
            and d.get("location") is not None
            and not self.graph.files[d["location"].path].is_test
        ]
        return min(reads) if reads else None

    def models_downstream(self, node: str) -> frozenset[str]:
        """Every model whose training ``node`` feeds, through any number of scripts, files and
        other models' predictions (the CACE blast radius)."""
        if self._downstream is None:
            self._downstream = self._reachable_models()
        return self._downstream.get(node, frozenset())

    def _reachable_models(self) -> dict[str, frozenset[str]]:
        condensed = nx.condensation(self.g)
        members = condensed.graph["mapping"]
        by_component: dict[int, frozenset[str]] = {}
        for component in reversed(list(nx.topological_sort(condensed))):
            found: set[str] = set()
            for nxt in condensed.successors(component):
                found |= by_component[nxt]
            nodes = condensed.nodes[component]["members"]
            found |= {n for n in nodes if self.kind(n) == "model"}
            by_component[component] = frozenset(found)
        out: dict[str, frozenset[str]] = {}
        for node, component in members.items():
            # A model is not its own downstream unless it sits on a cycle.
            models = by_component[component]
            if node in models and len(condensed.nodes[component]["members"]) == 1:
                models = models - {node}
            out[node] = models
        return out

    # -- the manifest ----------------------------------------------------------------------------
    def declared_models(self, model: Model) -> list[tuple[str, Any]]:
        """The ``debtlint.yaml`` ``models:`` entries that describe ``model`` (by name, class, code
        or artifact globs), as (key, ModelDecl)."""
        site = model.site
        names = {model.name, site.name, site.api.rsplit(".", 1)[-1]}
        files = [model.path, *model.trained_in]
        found = []
        for key, decl in sorted(self.graph.manifest.models.items()):
            if (
                key in names
                or bool(names & set(decl.classes))
                or matches(decl.code, files)
                or matches(decl.artifacts, model.artifacts)
            ):
                found.append((key, decl))
        return found

    def loads_of(self, model: Model) -> list[tuple[str, Location]]:
        """(artifact path, location) of every read or load of the model's saved artifacts."""
        found = []
        g = self.graph.g
        for artifact in model.artifacts:
            data_id = f"data:{artifact}"
            if data_id not in g:
                continue
            for _, _, d in g.out_edges(data_id, data=True):
                if d.get("rel") in ("reads", "loads") and d.get("location") is not None:
                    found.append((artifact, d["location"]))
        return sorted(found, key=lambda item: (item[1], item[0]))

    def is_remote(self, name: str) -> bool:
        """Whether phase 2 took ``name`` for a hub id (not a path here, nor one the project
        writes)."""
        node = self.graph.g.nodes.get(f"data:hf:{name}")
        return bool(node and node.get("remote"))

    def imported_by(self, path: str) -> list[str]:
        """Project files that import the module at ``path``."""
        code = f"code:{path}"
        if code not in self.graph.g:
            return []
        return sorted(
            str(u).removeprefix("code:")
            for u, _, d in self.graph.g.in_edges(code, data=True)
            if d.get("rel") == "imports"
        )

    def accessed_paths(self) -> set[str]:
        """Resolved paths that non-test code reads, writes, loads or saves."""
        rels = ("reads", "writes", "loads", "saves", "trains")
        found: set[str] = set()
        for u, v, d in self.graph.g.edges(data=True):
            location = d.get("location")
            if d.get("rel") not in rels or location is None:
                continue
            if location.path in self.graph.files and self.graph.files[location.path].is_test:
                continue
            for node in (u, v):
                data = self.graph.g.nodes[node]
                if data.get("kind") == "data" and data.get("path"):
                    found.add(str(data["path"]))
        return found

    def files_with_unresolved_access(self) -> set[str]:
        """Files with a read or write whose path phase 2 could not resolve."""
        found: set[str] = set()
        for u, v, d in self.graph.g.edges(data=True):
            if d.get("rel") not in ("reads", "writes", "loads") or d.get("location") is None:
                continue
            data = u if d["rel"] in ("reads", "loads") else v
            if not self.graph.g.nodes[data].get("path"):
                found.add(d["location"].path)
        return found

    def with_imports(self, paths: Iterable[str]) -> set[str]:
        """``paths`` and every project file they import, transitively."""
        seen: set[str] = set()
        todo = list(paths)
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            code = f"code:{path}"
            if code in self.graph.g:
                for _, target, d in self.graph.g.out_edges(code, data=True):
                    if d.get("rel") == "imports":
                        todo.append(str(target).removeprefix("code:"))
        return seen

    @staticmethod
    def covers(declared: str, used: set[str]) -> bool:
        """Whether a declared path, directory or glob names any of ``used``."""
        prefix = declared.rstrip("/")
        if any(c in declared for c in "*?["):
            return matches([declared], sorted(used))
        return any(
            u == prefix or u.startswith(prefix + "/") or prefix.startswith(u + "/") for u in used
        )

    def intermediate_chain(self) -> tuple[list[tuple[str, Location]], int]:
        """The longest chain of undeclared intermediate files (written by one non-test file,
        read by another, declared nowhere) linked by scripts that read one and write the next,
        as (data node, location of its first write); and how many such files there are."""
        g = self.graph.g
        writes: dict[str, list[tuple[str, Location]]] = {}
        reads: dict[str, set[str]] = {}
        for u, v, d in g.edges(data=True):
            location = d.get("location")
            if location is None or self.graph.files.get(location.path) is None:
                continue
            if self.graph.files[location.path].is_test:
                continue
            if d.get("rel") == "writes":
                writes.setdefault(v, []).append((location.path, location))
            elif d.get("rel") == "reads":
                reads.setdefault(u, set()).add(location.path)
        middle = {}
        for data, writers in writes.items():
            path = g.nodes[data].get("path")
            if not path or not is_data_path(path) or self.graph.is_model_artifact(data):
                continue
            writer_files = {w for w, _ in writers}
            if reads.get(data, set()) - writer_files and not self.graph.declarations_of(path):
                middle[data] = min(loc for _, loc in writers)
        written_by: dict[str, set[str]] = {}
        for data in middle:
            for writer, _ in writes[data]:
                written_by.setdefault(writer, set()).add(data)
        chain = nx.DiGraph()
        chain.add_nodes_from(middle)
        for data in middle:
            for reader in reads.get(data, ()):
                chain.add_edges_from(
                    (data, nxt) for nxt in written_by.get(reader, ()) if nxt != data
                )
        if not middle:
            return [], 0
        condensed = nx.condensation(chain)
        members = condensed.graph["mapping"]
        longest = nx.dag_longest_path(condensed)
        # One representative file per component, in chain order.
        nodes = [min(n for n in middle if members[n] == c) for c in longest]
        return [(n, middle[n]) for n in nodes], len(middle)

    def params_files(self) -> dict[str, Any]:
        """The DVC params files (``params.yaml`` and those stages name) and their contents."""
        dvc = self.graph.manifest.dvc
        return dict(dvc.params) if dvc is not None else {}

    def config_line(self, file: str, keys: Sequence[str]) -> int | None:
        """The line of ``keys`` in a project YAML file, for findings about config keys."""
        if file not in self._lines:
            self._lines[file] = {}
            configs = getattr(self.graph, "configs", None)
            root = getattr(configs, "root", None)
            if root is not None:
                with suppress(OSError, ValueError, YamlError):
                    self._lines[file] = load_yaml_file(root / file, file).lines
        return self._lines[file].get(tuple(keys))

    def raw_config(self, file: str, max_bytes: int = 512 * 1024) -> Any:
        """A project YAML or JSON file as written (no Hydra composition), None when it is
        larger than ``max_bytes`` or cannot be read; read once, its key lines then serve
        :meth:`config_line`."""
        if file in self._raw:
            return self._raw[file]
        self._raw[file] = None
        root = getattr(getattr(self.graph, "configs", None), "root", None)
        if root is None:
            return None
        path = root / file
        with suppress(OSError, ValueError, YamlError, RecursionError):
            if path.stat().st_size > max_bytes:
                return None
            try:
                doc = load_yaml_file(path, file)
            except YamlError:
                if not file.endswith(".json"):
                    raise
                # JSON that PyYAML's YAML 1.1 reader refuses (tabs, some escapes): no lines.
                self._raw[file] = json.loads(path.read_text(encoding="utf-8"))
                return self._raw[file]
            self._lines.setdefault(file, doc.lines)
            self._raw[file] = doc.data
        return self._raw[file]

    @staticmethod
    def is_data_path(path: str) -> bool:
        """Not configuration, code or text (see debtlint/facts/pathkinds.py)."""
        return is_data_path(path)

    @staticmethod
    def matches(patterns: Sequence[str], paths: Sequence[str]) -> bool:
        """Whether any of ``paths`` matches any gitignore-style pattern."""
        return matches(patterns, paths)

    def stage_scripts(self, cmds: Sequence[str]) -> list[str]:
        """Project Python files a dvc stage's commands run: ``python src/train.py``,
        ``python -m src.train``."""
        scripts: list[str] = []
        for cmd in cmds:
            for tokens in _commands(cmd):
                scripts.extend(self._scripts_of(tokens))
        return list(dict.fromkeys(scripts))

    def _scripts_of(self, tokens: list[str]) -> list[str]:
        if not tokens or not PYTHON.match(posixpath.basename(tokens[0])):
            return []
        args = tokens[1:]
        while args and args[0].startswith("-") and args[0] != "-m":
            args = args[1:]
        if len(args) >= 2 and args[0] == "-m":
            module = args[1]
            for path in self.graph.files:
                if path.endswith(".py") and _module_of(path) == module:
                    return [path]
            return []
        if args:
            path = posixpath.normpath(args[0])
            if path in self.graph.files:
                return [path]
        return []


PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")


def _commands(cmd: str) -> list[list[str]]:
    """A shell command line split at `&&`, `;` and `|` into argument lists (no expansion)."""
    try:
        tokens = shlex.split(cmd, comments=True)
    except ValueError:
        return []
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token in ("&&", "||", ";", "|"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _module_of(path: str) -> str:
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def matches(patterns: Sequence[str], paths: Sequence[str]) -> bool:
    """Whether any of ``paths`` matches any gitignore-style pattern."""
    if not patterns or not paths:
        return False
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return any(spec.match_file(p) for p in paths)


def _loc_key(location: Location | None) -> tuple[str, int, int]:
    if location is None:
        return ("", 0, 0)
    return (location.path, location.line, location.col)
