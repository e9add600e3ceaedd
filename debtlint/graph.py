"""Phase 2: the project's data-dependency graph, behind a small typed API.

A ``networkx.MultiDiGraph`` whose edges point the way data flows: ``data -reads-> code``,
``code -writes-> data``, ``data -trains-> model``, ``model -saves-> data``, ``code -defines-> model``,
``owner -owns-> model|code``, ``stage -declares-> data``, ``code -imports-> code``. Every node and edge
carries where it came from (file, line) and how sure we are. Rules read it through
:class:`ProjectGraph` and never touch the raw dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pathspec

from debtlint.facts.model import DataAccess, FileFacts, ModelSite, PathValue
from debtlint.facts.names import module_name
from debtlint.facts.pathkinds import is_data_path
from debtlint.findings import Location
from debtlint.metadata.codeowners import CodeOwners
from debtlint.metadata.configs import ConfigStore
from debtlint.metadata.dvc import DvcProject
from debtlint.metadata.kedro import CatalogEntry
from debtlint.resolve import Resolver


@dataclass
class Manifest:
    """What the project declares about itself (debtlint.yaml models/data, dvc, kedro, CODEOWNERS)."""

    models: dict[str, Any] = field(default_factory=dict)  # name -> config.ModelDecl
    data: dict[str, Any] = field(default_factory=dict)  # pattern -> config.DataDecl
    codeowners: CodeOwners | None = None
    dvc: DvcProject | None = None
    kedro: list[CatalogEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Declaration:
    """Where a data path is declared."""

    source: str  # "debtlint.yaml", "dvc.yaml stage train (deps)", "kedro catalog", ...
    pattern: str
    location: Location


@dataclass(frozen=True)
class Owner:
    name: str
    source: str  # "debtlint.yaml models.churn", "CODEOWNERS:3 (src/)"
    location: Location | None


@dataclass(frozen=True)
class Read:
    """One data access seen in code."""

    data_id: str
    code_id: str
    access: DataAccess
    location: Location


@dataclass
class Model:
    """A model node: its defining site and what phase 2 learnt about it."""

    id: str
    name: str
    site: ModelSite
    path: str
    location: Location
    trained_in: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        what = self.site.api.rsplit(".", 1)[-1] if self.site.kind != "class" else "class"
        if what == self.name:
            return f"{self.name} in {self.path}"
        return f"'{self.name}' ({what} in {self.path})"


class ProjectGraph:
    def __init__(self, root_name: str, files: Sequence[FileFacts], manifest: Manifest) -> None:
        self.root_name = root_name
        self.g = nx.MultiDiGraph()
        self.files: dict[str, FileFacts] = {f.path: f for f in files}
        self.manifest = manifest
        self._models: dict[str, Model] = {}
        self.configs: ConfigStore | None = None
        self._declarations: list[tuple[pathspec.PathSpec | None, str, Declaration]] = []

    # -- queries ---------------------------------------------------------------------------------
    def models(self) -> list[Model]:
        return [self._models[k] for k in sorted(self._models)]

    def model(self, model_id: str) -> Model:
        return self._models[model_id]

    def owners_of(self, model_id: str) -> list[Owner]:
        found = []
        for src, _, data in self.g.in_edges(model_id, data=True):
            if data.get("rel") == "owns":
                found.append(Owner(self.g.nodes[src]["name"], data["source"], data.get("location")))
        return sorted(found, key=lambda o: (o.name, o.source))

    def reads(self) -> list[Read]:
        return self._accesses("reads")

    def writes(self) -> list[Read]:
        return self._accesses("writes")

    def _accesses(self, rel: str) -> list[Read]:
        out = []
        for u, v, data in self.g.edges(data=True):
            if data.get("rel") != rel:
                continue
            data_id, code_id = (u, v) if rel == "reads" else (v, u)
            out.append(Read(data_id, code_id, data["access"], data["location"]))
        return sorted(out, key=lambda r: (r.location, r.data_id))

    def data_reads(self, include_tests: bool = False) -> list[Read]:
        """Reads that are data dependencies: not configuration, source or text files, not model
        artifacts this project saves (loading those makes a model consumer), and by default not in
        test files. Unresolved reads are included; their data node has ``path`` None."""
        out = []
        for read in self.reads():
            if not include_tests and self.files[read.location.path].is_test:
                continue
            path = self.g.nodes[read.data_id].get("path")
            if path is not None and not is_data_path(path):
                continue
            if self.is_model_artifact(read.data_id):
                continue
            out.append(read)
        return out

    def data_node(self, data_id: str) -> dict[str, Any]:
        return self.g.nodes[data_id]

    def declarations_of(self, path: str) -> list[Declaration]:
        found = []
        for spec, prefix, decl in self._declarations:
            if (spec is not None and spec.match_file(path)) or (
                prefix and (path == prefix or path.startswith(prefix + "/"))
            ):
                found.append(decl)
        return found

    def writers_of(self, data_id: str) -> list[str]:
        return sorted(
            {u for u, _, d in self.g.in_edges(data_id, data=True) if d.get("rel") == "writes"}
        )

    def is_model_artifact(self, data_id: str) -> bool:
        return any(d.get("rel") == "saves" for _, _, d in self.g.in_edges(data_id, data=True))

    def upstream_data(self, model_id: str) -> set[str]:
        """Every data node the model's training depends on, through intermediate scripts too."""
        seen: set[str] = set()
        frontier = [
            u for u, _, d in self.g.in_edges(model_id, data=True) if d.get("rel") == "trains"
        ]
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            # data <- written by code <- which read other data
            for writer in self.writers_of(node):
                frontier.extend(
                    u
                    for u, _, d in self.g.in_edges(writer, data=True)
                    if d.get("rel") == "reads" and u not in seen
                )
        return seen

    def nodes_of_kind(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for node, data in self.g.nodes(data=True):
            if data.get("kind") == kind:
                yield node, data


# -- building -------------------------------------------------------------------------------------
def build_graph(root: Path, files: Sequence[FileFacts], manifest: Manifest) -> ProjectGraph:
    graph = ProjectGraph(root.name, files, manifest)
    graph.configs = ConfigStore(root)
    _Builder(graph).build()
    return graph


def _location(path: str, span: tuple[int, int, int, int]) -> Location:
    return Location(path, span[0], span[1], span[2], span[3])


def _module_suffixes(path: str) -> list[str]:
    parts = module_name(path).split(".")
    return [".".join(parts[i:]) for i in range(len(parts)) if parts[i:]]


class _Builder:
    def __init__(self, graph: ProjectGraph) -> None:
        self.graph = graph
        self.g = graph.g
        self.modules: dict[str, str] = {}  # module suffix -> path
        for path in sorted(graph.files):
            for suffix in _module_suffixes(path):
                self.modules.setdefault(suffix, path)
        self.class_models: dict[str, str] = {}  # "module.Class" -> model id
        self.resolver = Resolver(graph.files, self.modules, graph.configs)
        self.site_ids: dict[tuple[str, str], str] = {}  # (path, site id) -> model node id

    def build(self) -> None:
        for facts in self.graph.files.values():
            self.g.add_node(f"code:{facts.path}", kind="code", path=facts.path, name=facts.path)
        for facts in self.graph.files.values():
            self._imports(facts)
        self._class_models()
        for facts in self.graph.files.values():
            self._sites(facts)
        for facts in self.graph.files.values():
            self._data(facts)
        self._declarations()
        self._owners()

    def _imports(self, facts: FileFacts) -> None:
        for module in facts.imported_modules:
            target = self.modules.get(module)
            if target is not None and target != facts.path:
                self.g.add_edge(f"code:{facts.path}", f"code:{target}", rel="imports")

    def _class_models(self) -> None:
        # Classes deriving from a known model base, then, to a fixed point, classes deriving
        # from those (a project base model in another file).
        for facts in self.graph.files.values():
            for site in facts.models:
                if site.kind == "class":
                    self._add_model(facts, site)
        changed = True
        while changed:
            changed = False
            for facts in self.graph.files.values():
                for info in facts.classes:
                    key = f"{facts.module}.{info.name}"
                    if self._class_key(facts.path, info.name) is not None:
                        continue
                    parent = next(
                        (m for b in info.bases if (m := self._resolve_class(b)) is not None), None
                    )
                    if parent is None:
                        continue
                    base_site = self.graph.model(parent).site
                    site = ModelSite(
                        id=f"class:{info.name}",
                        kind="class",
                        name=info.name,
                        api=key,
                        span=info.span,
                        framework=base_site.framework,
                        traits=list(base_site.traits),
                        loc=info.span[2] - info.span[0] + 1,
                        bases=info.bases,
                    )
                    self._add_model(facts, site)
                    changed = True

    def _class_key(self, path: str, name: str) -> str | None:
        return self.site_ids.get((path, f"class:{name}"))

    def _resolve_class(self, qualname: str) -> str | None:
        if qualname in self.class_models:
            return self.class_models[qualname]
        module, _, name = qualname.rpartition(".")
        path = self.modules.get(module)
        return self._class_key(path, name) if path else None

    def _add_model(self, facts: FileFacts, site: ModelSite) -> str:
        name = site.name or site.api.rsplit(".", 1)[-1]
        model_id = f"model:{facts.path}::{name}"
        if model_id in self.graph._models and self.site_ids.get((facts.path, site.id)) != model_id:
            model_id = f"{model_id}@{site.span[0]}"
        self.site_ids[(facts.path, site.id)] = model_id
        if site.kind == "class":
            for suffix in _module_suffixes(facts.path):
                self.class_models.setdefault(f"{suffix}.{site.name}", model_id)
        location = _location(facts.path, site.span)
        self.graph._models[model_id] = Model(model_id, name, site, facts.path, location)
        self.g.add_node(model_id, kind="model", name=name, path=facts.path, location=location)
        self.g.add_edge(f"code:{facts.path}", model_id, rel="defines", location=location)
        return model_id

    def _sites(self, facts: FileFacts) -> None:
        for site in facts.models:
            if site.kind == "class":
                continue
            if site.kind == "instance":
                target = self._resolve_class(site.api)
                if target is not None:
                    self.site_ids[(facts.path, site.id)] = target
                    location = _location(facts.path, site.span)
                    self.g.add_edge(f"code:{facts.path}", target, rel="uses", location=location)
                    continue
            if site.kind == "load":
                continue  # loading an artifact consumes a model; it does not define one
            self._add_model(facts, site)

    def _data_ids(
        self, facts: FileFacts, path: PathValue, span: tuple[int, int, int, int]
    ) -> list[tuple[str, str, Location, PathValue]]:
        """(data node, code node, location, resolved path) for every artifact a path names:
        one when it is known, one per resolving call site when it is a function's argument,
        and one symbolic node when it cannot be resolved."""
        here = (f"code:{facts.path}", _location(facts.path, span))
        if path.value is not None:
            return [(self._data_node(path.value), *here, path)]
        if path.template is not None:
            found = []
            for res in self.resolver.resolve(path.template):
                resolved = PathValue(res.path, None, "medium")
                if res.site is not None and res.caller is not None:
                    where = (f"code:{res.caller}", _location(res.caller, res.site.span))
                    found.append((self._data_node(res.path), *where, resolved))
                else:
                    found.append((self._data_node(res.path), *here, resolved))
            if found:
                return found
        node = f"data:?{facts.path}:{span[0]}:{span[1]}"
        self.g.add_node(
            node,
            kind="data",
            name=path.describe(),
            path=None,
            resolved=False,
            symbolic=path.describe(),
        )
        return [(node, *here, path)]

    def _data_node(self, value: str) -> str:
        node = f"data:{value}"
        if node not in self.g:
            self.g.add_node(node, kind="data", name=value, path=value, resolved=True)
        return node

    def _data(self, facts: FileFacts) -> None:
        by_access: list[list[str]] = []
        for access in facts.data:
            targets = self._data_ids(facts, access.path, access.span)
            by_access.append([t[0] for t in targets])
            for data_id, code, location, resolved in targets:
                seen = access if resolved is access.path else replace(access, path=resolved)
                attrs = {"rel": access.kind + "s", "access": seen, "location": location}
                if access.kind == "read":
                    self.g.add_edge(data_id, code, **attrs)
                else:
                    self.g.add_edge(code, data_id, **attrs)
        for site in facts.models:
            if site.path is None or site.kind not in ("pretrained", "load"):
                continue
            for data_id, code, location, _ in self._data_ids(facts, site.path, site.span):
                if site.kind == "load":
                    self.g.add_edge(data_id, code, rel="loads", location=location)
                else:
                    model_id = self.site_ids.get((facts.path, site.id))
                    if model_id:
                        self.g.add_edge(data_id, model_id, rel="trains", location=location)
        for use in facts.uses:
            model_id = self.site_ids.get((facts.path, use.model))
            if model_id is None:
                continue
            model = self.graph._models[model_id]
            location = _location(facts.path, use.span)
            if use.kind == "train":
                if facts.path not in model.trained_in:
                    model.trained_in.append(facts.path)
                model.features.extend(c for c in use.columns if c not in model.features)
                for index in use.inputs:
                    if 0 <= index < len(by_access) and facts.data[index].kind == "read":
                        for data_id in by_access[index]:
                            self.g.add_edge(data_id, model_id, rel="trains", location=location)
            elif use.kind == "save" and use.path is not None:
                for data_id, _, _, _ in self._data_ids(facts, use.path, use.span):
                    self.g.add_edge(model_id, data_id, rel="saves", location=location)
                    artifact = self.g.nodes[data_id].get("path") or self.g.nodes[data_id]["name"]
                    if artifact not in model.artifacts:
                        model.artifacts.append(artifact)

    def _declarations(self) -> None:
        manifest = self.graph.manifest
        decls = self.graph._declarations
        for pattern, decl in sorted(manifest.data.items()):
            loc = Location(decl.file, decl.line)
            decls.append(_declaration(pattern, Declaration("debtlint.yaml data", pattern, loc)))
        if manifest.dvc is not None:
            for stage in manifest.dvc.stages:
                stage_id = f"stage:{stage.name}"
                self.g.add_node(stage_id, kind="code", name=f"dvc stage {stage.name}", path=None)
                for role, paths in (("deps", stage.deps), ("outs", stage.outs)):
                    for p in paths:
                        loc = Location(p.file, p.line)
                        source = f"{p.file} stage {stage.name} ({role})"
                        decls.append(_declaration(p.path, Declaration(source, p.path, loc)))
                        data_id = f"data:{p.path}"
                        if data_id not in self.g:
                            self.g.add_node(
                                data_id, kind="data", name=p.path, path=p.path, resolved=True
                            )
                        self.g.add_edge(stage_id, data_id, rel="declares", role=role, location=loc)
            for p in manifest.dvc.tracked:
                decls.append(
                    _declaration(p.path, Declaration(f"{p.file}", p.path, Location(p.file, p.line)))
                )
        for entry in manifest.kedro:
            if entry.filepath:
                loc = Location(entry.file, entry.line)
                decls.append(
                    _declaration(
                        entry.filepath,
                        Declaration(f"kedro catalog {entry.name}", entry.filepath, loc),
                    )
                )
        for _, data in list(self.g.nodes(data=True)):
            if data.get("kind") == "data" and data.get("path"):
                data["declared"] = bool(self.graph.declarations_of(data["path"]))

    def _owners(self) -> None:
        manifest = self.graph.manifest
        for model in self.graph.models():
            for owner, source, loc in self._manifest_owners(model):
                self._own(owner, model.id, source, loc)
            if manifest.codeowners is None:
                continue
            paths = [model.path, *model.trained_in, *model.artifacts]
            for path in dict.fromkeys(paths):
                match = manifest.codeowners.owners_of(path)
                if match is None:
                    continue
                source = f"{match.file}:{match.line} ({match.pattern} covers {path})"
                for owner in match.owners:
                    self._own(owner, model.id, source, Location(match.file, match.line))

    def _own(self, owner: str, target: str, source: str, location: Location | None) -> None:
        node = f"owner:{owner}"
        self.g.add_node(node, kind="owner", name=owner)
        self.g.add_edge(node, target, rel="owns", source=source, location=location)

    def _manifest_owners(self, model: Model) -> Iterable[tuple[str, str, Location]]:
        site = model.site
        names = {model.name, site.name, site.api.rsplit(".", 1)[-1]}
        files = [model.path, *model.trained_in]
        for key, decl in sorted(self.graph.manifest.models.items()):
            matched = (
                key in names
                or bool(names & set(decl.classes))
                or _any_match(decl.code, files)
                or _any_match(decl.artifacts, model.artifacts)
            )
            if matched:
                for owner in decl.owner:
                    yield owner, f"{decl.file} models.{key}", Location(decl.file, decl.line)


def _spec(patterns: Sequence[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _any_match(patterns: Sequence[str], paths: Sequence[str]) -> bool:
    if not patterns or not paths:
        return False
    spec = _spec(patterns)
    return any(spec.match_file(p) for p in paths)


def _declaration(
    pattern: str, decl: Declaration
) -> tuple[pathspec.PathSpec | None, str, Declaration]:
    # A declared directory (dvc deps often are) covers every file under it.
    prefix = pattern.rstrip("/")
    if "://" in pattern:
        return None, prefix, decl
    return _spec([pattern]), prefix, decl
