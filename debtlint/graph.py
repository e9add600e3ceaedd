"""Phase 2: the project's data-dependency graph, behind a small typed API.

A ``networkx.MultiDiGraph`` whose edges point the way data flows: ``data -reads-> code``,
``code -writes-> data``, ``data -trains-> model``, ``model -saves-> data``, ``code -defines-> model``,
``owner -owns-> model|code``, ``stage -declares-> data``, ``code -imports-> code``. Every node and edge
carries where it came from (file, line) and how sure we are. Rules read it through
:class:`ProjectGraph` and never touch the raw dicts.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pathspec

from debtlint.facts import deferred
from debtlint.facts.model import DataAccess, FileFacts, ModelSite, PathValue
from debtlint.facts.names import module_name
from debtlint.facts.pathkinds import is_data_path
from debtlint.facts.values import normalise_path
from debtlint.findings import Location
from debtlint.graphflow import FlowQueries
from debtlint.knowledge import Catalog
from debtlint.metadata.codeowners import CodeOwners
from debtlint.metadata.configs import ConfigStore
from debtlint.metadata.dvc import DvcProject
from debtlint.metadata.kedro import CatalogEntry
from debtlint.metadata.mlproject import MLProject
from debtlint.metadata.requirements import Requirements
from debtlint.practice import CiEvidence, ci_evidence
from debtlint.resolve import Resolver


@dataclass
class Manifest:
    """What the project declares about itself (debtlint.yaml models/data, dvc, kedro, CODEOWNERS)."""

    models: dict[str, Any] = field(default_factory=dict)  # name -> config.ModelDecl
    data: dict[str, Any] = field(default_factory=dict)  # pattern -> config.DataDecl
    codeowners: CodeOwners | None = None
    dvc: DvcProject | None = None
    kedro: list[CatalogEntry] = field(default_factory=list)
    mlproject: MLProject | None = None
    consumers: dict[str, Any] = field(default_factory=dict)  # name -> config.ConsumerDecl
    requirements: Requirements | None = None  # requirements*.txt and lock files at the root


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
    # Files that instantiate, train, predict with, evaluate or save it.
    used_in: list[str] = field(default_factory=list)

    @property
    def in_use(self) -> bool:
        """Whether the project does anything with the model. A pretrained load is a use; a class
        nobody instantiates or an estimator nobody fits is a library definition."""
        return bool(self.used_in) or self.site.kind == "pretrained"

    @property
    def label(self) -> str:
        parts = 2 if self.site.kind == "pretrained" else 1  # `AutoModel.from_pretrained`
        what = ".".join(self.site.api.split(".")[-parts:]) if self.site.kind != "class" else "class"
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
        self._flow: FlowQueries | None = None
        self._ci: CiEvidence | None = None
        # Finds project files of other kinds (YAML/JSON configs, DL504) the way discovery found
        # the source files; set by the engine, walked only when a rule asks (project_files).
        self.file_finder: Callable[[tuple[str, ...]], list[str]] | None = None
        self._found: dict[tuple[str, ...], list[str]] = {}
        self.configs: ConfigStore | None = None
        self.root = Path(".")
        self.catalog: Catalog | None = None  # to tell which Hydra `_target_` is a model
        # How much of the code the graph understands: accesses resolved to a concrete artifact
        # (directly or through constants, configs and callers) versus left symbolic.
        self.resolution: dict[str, dict[str, int]] = {
            k: {"resolved": 0, "symbolic": 0} for k in ("reads", "writes", "model_sites")
        }
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

    def flow(self) -> FlowQueries:
        """Queries on the data flow (reads, writes, trains, predicts) for the DL1-DL6 rules."""
        if self._flow is None:
            self._flow = FlowQueries(self)
        return self._flow

    def test_files(self) -> list[FileFacts]:
        """The test files that hold tests: a path the score counts as a test (``FileFacts.is_test``:
        ``tests/``, ``test_*.py``, ``*_test.py``, ``conftest.py``, ...) that defines something a
        test runner collects (a ``test*`` function, a ``Test*`` class, a ``TestCase``) or imports
        a test framework. An evaluation script called ``test_model.py`` is not one."""
        return [f for _, f in sorted(self.files.items()) if _holds_tests(f)]

    def ci(self) -> CiEvidence:
        """The CI configurations at the root, which of them run tests and whether the root is a
        repository root (:func:`debtlint.practice.ci_evidence`, the evidence the score uses);
        read on first use."""
        if self._ci is None:
            self._ci = ci_evidence(self.root)
        return self._ci

    def project_files(self, extensions: Sequence[str]) -> list[str]:
        """Project files (POSIX paths relative to the root) ending with one of ``extensions``,
        found like the source files: same scanned paths, excludes, ``.gitignore`` and size
        limit. Walked on first use only; empty when the graph was built without a finder."""
        key = tuple(sorted(extensions))
        if key not in self._found:
            self._found[key] = sorted(self.file_finder(key)) if self.file_finder else []
        return self._found[key]

    def nodes_of_kind(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for node, data in self.g.nodes(data=True):
            if data.get("kind") == kind:
                yield node, data


# -- building -------------------------------------------------------------------------------------
_TEST_FRAMEWORKS = frozenset({"pytest", "unittest", "hypothesis", "nose", "nose2"})


def _holds_tests(facts: FileFacts) -> bool:
    if not facts.is_test or facts.parse_error is not None or facts.notebook is not None:
        return False
    for name, params in facts.functions.items():
        # `def test(model, loader)` is how ML scripts spell "evaluate on the test split".
        if name.startswith("test") and not (name == "test" and params):
            return True
    for info in facts.classes:
        if info.name.startswith("Test") or any(b.endswith("TestCase") for b in info.bases):
            return True
    return any(m.split(".", 1)[0] in _TEST_FRAMEWORKS for m in facts.imported_modules)


def build_graph(
    root: Path, files: Sequence[FileFacts], manifest: Manifest, catalog: Catalog | None = None
) -> ProjectGraph:
    graph = ProjectGraph(root.name, files, manifest)
    graph.root = root
    graph.catalog = catalog
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
        self.root = graph.root
        # Paths the project itself writes: a `from_pretrained` of one of them is local.
        self.written = {
            a.path.value
            for f in graph.files.values()
            for a in f.data
            if a.kind == "write" and a.path.value is not None
        }
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
        for facts in self.graph.files.values():
            self._derivations(facts)
            self._predictions(facts)
        self._declarations()
        self._pipelines()
        self._columns()
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
        location = facts.location(site.span)
        self.graph._models[model_id] = Model(model_id, name, site, facts.path, location)
        self.g.add_node(model_id, kind="model", name=name, path=facts.path, location=location)
        self.g.add_edge(f"code:{facts.path}", model_id, rel="defines", location=location)
        return model_id

    def _sites(self, facts: FileFacts) -> None:
        for site in facts.models:
            if site.kind == "class":
                continue
            if deferred.is_deferred(site.api):
                resolved = self._instantiated(site)
                if resolved is None:
                    continue  # a `_target_` that is no model (or cannot be read)
                site = resolved
            if site.kind == "instance":
                target = self._resolve_class(site.api)
                if target is not None:
                    self.site_ids[(facts.path, site.id)] = target
                    location = facts.location(site.span)
                    self.g.add_edge(f"code:{facts.path}", target, rel="uses", location=location)
                    used_in = self.graph._models[target].used_in
                    if facts.path not in used_in:
                        used_in.append(facts.path)
                    continue
            if site.kind == "load":
                continue  # loading an artifact consumes a model; it does not define one
            self._add_model(facts, site)

    def _instantiated(self, site: ModelSite) -> ModelSite | None:
        """A Hydra-instantiated object as the model its `_target_` names: a project model class
        (then an instance of it), or an estimator the knowledge tables know; else None."""
        target = self.resolver.expand(site.api)
        if target is None:
            return None
        if self._resolve_class(target) is not None:
            return replace(site, kind="instance", api=target)
        catalog = self.graph.catalog
        entries = catalog.lookup_call(catalog.normalise(target)) if catalog is not None else ()
        construct = next((e for e in entries if e.role == "construct"), None)
        if construct is None:
            return None
        return replace(
            site, api=target, framework=construct.framework, traits=list(construct.traits)
        )

    def _data_ids(
        self,
        facts: FileFacts,
        path: PathValue,
        span: tuple[int, int, int, int],
        hub: bool = False,
    ) -> list[tuple[str, str, Location, PathValue]]:
        """(data node, code node, location, resolved path) for every artifact a path names:
        one when it is known, one per resolving call site when it is a function's argument,
        and one symbolic node when it cannot be resolved."""
        here = (f"code:{facts.path}", facts.location(span))
        if path.value is not None:
            return [(self._data_node(path.value, hub), *here, path)]
        if path.template is not None:
            found = []
            for res in self.resolver.resolve(path.template):
                resolved = PathValue(res.path, None, "medium")
                if res.site is not None and res.caller is not None:
                    where = (f"code:{res.caller}", _location(res.caller, res.site.span))
                    found.append((self._data_node(res.path, hub), *where, resolved))
                else:
                    found.append((self._data_node(res.path, hub), *here, resolved))
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

    def _count(self, kind: str, targets: list[tuple[str, str, Location, PathValue]]) -> None:
        resolved = any(self.g.nodes[t[0]].get("resolved") for t in targets)
        self.graph.resolution[kind]["resolved" if resolved else "symbolic"] += 1

    def _data_node(self, value: str, hub: bool = False) -> str:
        if hub and not self._is_local(value):
            # A model or dataset id on a hub (`bert-base-uncased`, `org/data`), not a file here.
            value = f"hf:{value}"
        node = f"data:{value}"
        if node not in self.g:
            self.g.add_node(
                node,
                kind="data",
                name=value,
                path=value,
                resolved=True,
                remote=value.startswith("hf:"),
            )
        return node

    def _is_local(self, value: str) -> bool:
        if value.startswith((".", "/", "~")) or "://" in value:
            return True
        return value in self.written or (self.root / value).exists()

    def _data(self, facts: FileFacts) -> None:
        by_access: list[list[str]] = []
        for access in facts.data:
            targets = self._data_ids(facts, access.path, access.span, access.hub)
            by_access.append([t[0] for t in targets])
            self._count(access.kind + "s", targets)
            for data_id, code, location, resolved in targets:
                seen = access if resolved is access.path else replace(access, path=resolved)
                attrs = {"rel": access.kind + "s", "access": seen, "location": location}
                if access.kind == "read":
                    self.g.add_edge(data_id, code, **attrs)
                else:
                    self.g.add_edge(code, data_id, **attrs)
        for site in facts.models:
            if site.path is None or site.kind not in ("pretrained", "load"):
                self.graph.resolution["model_sites"]["resolved"] += 1
                continue
            targets = self._data_ids(facts, site.path, site.span, site.hub)
            self._count("model_sites", targets)
            for data_id, code, location, _ in targets:
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
            location = facts.location(use.span)
            if facts.path not in model.used_in:
                model.used_in.append(facts.path)
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

    def _derivations(self, facts: FileFacts) -> None:
        """`data -derives-> data` where a read's data flows into a write in the same file."""
        for access in facts.data:
            if access.kind != "write" or not access.inputs:
                continue
            location = facts.location(access.span)
            targets = [t[0] for t in self._data_ids(facts, access.path, access.span)]
            for index in access.inputs:
                if not 0 <= index < len(facts.data):
                    continue
                read = facts.data[index]
                for source, _, _, _ in self._data_ids(facts, read.path, read.span):
                    for target in targets:
                        if source != target:
                            self.g.add_edge(source, target, rel="derives", location=location)

    def _predictions(self, facts: FileFacts) -> None:
        """`model -predicts-> data` where a model's predictions flow into a write. A loaded
        artifact stands for every project model that saves it."""
        for pw in facts.predictions:
            if not 0 <= pw.data < len(facts.data):
                continue
            access = facts.data[pw.data]
            site = next((s for s in facts.models if s.id == pw.model), None)
            model_ids: list[str] = []
            own = self.site_ids.get((facts.path, pw.model))
            if own is not None:
                model_ids.append(own)
            else:
                source = site.path if site is not None and site.kind == "load" else None
                span = site.span if site is not None else pw.span
                if pw.model.startswith("read:") and pw.model[5:].isdigit():
                    # An artifact read as data (`joblib.load`), see debtlint/facts/graphfacts.py.
                    loaded = int(pw.model[5:])
                    if 0 <= loaded < len(facts.data):
                        source, span = facts.data[loaded].path, facts.data[loaded].span
                artifacts = self._data_ids(facts, source, span) if source is not None else []
                for artifact, _, _, _ in artifacts:
                    model_ids.extend(
                        u
                        for u, _, d in self.g.in_edges(artifact, data=True)
                        if d.get("rel") == "saves"
                    )
            location = facts.location(pw.span)
            for data_id, _, _, _ in self._data_ids(facts, access.path, access.span):
                for model_id in dict.fromkeys(model_ids):
                    self.g.add_edge(model_id, data_id, rel="predicts", location=location)

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
                        data_id = (
                            f"code:{p.path}"
                            if p.path in self.graph.files
                            else self._data_node(p.path)
                        )
                        # Edges follow the data: deps flow into the stage, outs out of it.
                        edge = (data_id, stage_id) if role == "deps" else (stage_id, data_id)
                        self.g.add_edge(*edge, rel="declares", role=role, location=loc)
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

    def _pipelines(self) -> None:
        """Declared pipeline steps: which script a dvc stage or MLflow entry point runs, and the
        datasets a Kedro node reads and writes through the catalog."""
        manifest = self.graph.manifest
        if manifest.dvc is not None:
            for stage in manifest.dvc.stages:
                base = stage.file.rpartition("/")[0]
                for command in stage.cmd:
                    for script in self._scripts_of(command, base):
                        loc = Location(stage.file, stage.line)
                        self.g.add_edge(f"stage:{stage.name}", script, rel="runs", location=loc)
                for param in stage.params:
                    node = f"config:{param.file}#{param.key}"
                    self.g.add_node(node, kind="config", name=f"{param.file}: {param.key}")
                    loc = Location(stage.file, param.line)
                    self.g.add_edge(node, f"stage:{stage.name}", rel="configures", location=loc)
        if manifest.mlproject is not None:
            for entry in manifest.mlproject.entry_points:
                node = f"stage:mlflow:{entry.name}"
                self.g.add_node(
                    node, kind="code", name=f"MLflow entry point {entry.name}", path=None
                )
                loc = Location(entry.file, entry.line)
                for script in self._scripts_of(entry.command, ""):
                    self.g.add_edge(node, script, rel="runs", location=loc)
                for param, default in sorted(entry.parameters.items()):
                    cfg = f"config:MLproject#{entry.name}.{param}"
                    self.g.add_node(
                        cfg, kind="config", name=f"{entry.name}.{param}", default=default
                    )
                    self.g.add_edge(cfg, node, rel="configures", location=loc)
        catalog = {e.name: e for e in manifest.kedro}
        for facts in self.graph.files.values():
            for step in facts.pipeline_nodes:
                node = f"stage:{step.framework}:{step.name or step.function}"
                loc = _location(facts.path, step.span)
                self.g.add_node(
                    node,
                    kind="code",
                    name=f"{step.framework} node {step.name or step.function}",
                    path=None,
                )
                module = step.function.rpartition(".")[0]
                target = self.modules.get(module)
                if target is not None:
                    self.g.add_edge(node, f"code:{target}", rel="runs", location=loc)
                for role, names in (("inputs", step.inputs), ("outputs", step.outputs)):
                    for name in names:
                        data = self._dataset_node(name, catalog)
                        edge = (data, node) if role == "inputs" else (node, data)
                        self.g.add_edge(*edge, rel="declares", role=role, location=loc)

    def _dataset_node(self, name: str, catalog: dict[str, CatalogEntry]) -> str:
        if name.startswith("params:") or name == "parameters":
            node = f"config:kedro#{name}"
            self.g.add_node(node, kind="config", name=name)
            return node
        entry = catalog.get(name)
        if entry is not None and entry.filepath:
            return self._data_node(entry.filepath)
        node = f"data:kedro:{name}"  # a memory dataset: lives only between two nodes
        self.g.add_node(node, kind="data", name=name, path=None, resolved=True, memory=True)
        return node

    def _scripts_of(self, command: str, base: str) -> list[str]:
        """Project scripts a shell command runs: `python src/train.py`, `python -m pkg.train`."""
        try:
            tokens = shlex.split(command)
        except ValueError:
            tokens = command.split()
        found = []
        for i, token in enumerate(tokens):
            if token.endswith(".py"):
                path = normalise_path(f"{base}/{token}" if base else token)
                if path in self.graph.files:
                    found.append(f"code:{path}")
            elif token == "-m" and i + 1 < len(tokens):
                target = self.modules.get(tokens[i + 1])
                if target is not None:
                    found.append(f"code:{target}")
        return found

    def _columns(self) -> None:
        """Column nodes: columns a read selects (`usecols=`) and columns a model is fitted on."""
        for model in self.graph.models():
            if not model.features:
                continue
            sources = [
                u for u, _, d in self.g.in_edges(model.id, data=True) if d.get("rel") == "trains"
            ]
            owner = sources[0] if len(sources) == 1 else model.id
            for column in model.features:
                col = f"col:{owner.removeprefix('data:')}#{column}"
                self.g.add_node(col, kind="column", name=column)
                if owner != model.id:
                    self.g.add_edge(owner, col, rel="has-column")
                self.g.add_edge(col, model.id, rel="uses-column")
        for facts in self.graph.files.values():
            for access in facts.data:
                if access.kind != "read" or not access.columns or access.path.value is None:
                    continue
                data = f"data:{access.path.value}"
                for column in access.columns:
                    col = f"col:{access.path.value}#{column}"
                    self.g.add_node(col, kind="column", name=column)
                    self.g.add_edge(data, col, rel="has-column")

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
