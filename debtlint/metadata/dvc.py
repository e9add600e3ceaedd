"""DVC pipelines (``dvc.yaml``), tracked data (``*.dvc``) and parameters (``params.yaml``), as data.

Nothing is templated or run: ``${item}`` and other interpolations stay in paths literally, and
``foreach``/``matrix`` stages are recorded once, as written. Every path is made POSIX and relative
to the project root, the way DVC resolves it: relative to the declaring file's directory and
that stage's ``wdir``. Remote URLs and absolute paths are kept as written.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from debtlint.discovery import DiscoveryError, discover
from debtlint.yamlsafe import KeyPath, YamlDoc, YamlError, load_yaml_file

# (file, line or None, message)
Problem = tuple[str, int | None, str]

# The key of a DvcParam that stands for every parameter of its file (``- other.yaml:``).
ALL_PARAMS = "*"
DEFAULT_PARAMS_FILE = "params.yaml"

# Absolute paths, Windows drives and URLs (s3://, remote://) are not inside the project.
ABSOLUTE = re.compile(r"^(?:/|[A-Za-z]:/|[A-Za-z][A-Za-z0-9+.-]*://)")


@dataclass
class DvcPath:
    """A dependency or output; ``file``/``line`` say where it is declared."""

    path: str
    file: str
    line: int
    cache: bool = True


@dataclass
class DvcParam:
    """A parameter a stage depends on; ``file`` is the params file, ``line`` is in the dvc.yaml."""

    key: str
    file: str
    line: int


@dataclass
class DvcStage:
    name: str
    file: str
    line: int
    cmd: list[str] = field(default_factory=list)
    deps: list[DvcPath] = field(default_factory=list)
    outs: list[DvcPath] = field(default_factory=list)
    params: list[DvcParam] = field(default_factory=list)
    metrics: list[DvcPath] = field(default_factory=list)
    plots: list[DvcPath] = field(default_factory=list)


@dataclass
class DvcProject:
    stages: list[DvcStage] = field(default_factory=list)
    tracked: list[DvcPath] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def load_dvc(root: Path, files: Sequence[str] | None = None) -> DvcProject:
    """Every dvc.yaml, ``*.dvc`` and params.yaml in the project, or those among ``files``."""
    project = DvcProject()
    if files is None:
        try:
            # DVC's own .dvc/ directory holds the cache, which can be enormous.
            found = discover(
                root,
                extensions=("dvc.yaml", ".dvc", DEFAULT_PARAMS_FILE),
                extend_exclude=(".dvc/",),
            ).files
        except DiscoveryError as exc:
            project.problems.append((".", None, str(exc)))
            return project
    else:
        found = [posixpath.normpath(name.replace("\\", "/")) for name in files]
    for rel in sorted(set(found)):
        name = posixpath.basename(rel)
        if name == "dvc.yaml":
            _load_pipeline(root, rel, project)
        elif name.endswith(".dvc"):
            _load_tracked(root, rel, project)
        elif name == DEFAULT_PARAMS_FILE:
            _load_params(root, rel, project)
    # Custom params files named by stages are read too, so a rule can look their keys up.
    wanted = {param.file for stage in project.stages for param in stage.params}
    for rel in sorted(wanted - project.params.keys()):
        inside = not (ABSOLUTE.match(rel) or rel.startswith("../") or "${" in rel)
        if inside and rel.endswith((".yaml", ".yml")) and _regular_file(root, rel):
            _load_params(root, rel, project)
    return project


def _regular_file(root: Path, rel: str) -> bool:
    file = os.path.join(root, rel)
    return os.path.isfile(file) and not os.path.islink(file)


def _read(root: Path, rel: str, project: DvcProject) -> YamlDoc | None:
    try:
        return load_yaml_file(root / rel, rel)
    except YamlError as exc:
        project.problems.append((exc.path, exc.line, exc.message))
        return None


def resolve_path(base: str, path: str) -> str:
    """``path`` as written in a file under ``base``, made relative to the project root."""
    path = path.replace("\\", "/")
    if ABSOLUTE.match(path):
        return path
    joined = posixpath.normpath(posixpath.join(base, path))
    return "" if joined == "." else joined


def _load_params(root: Path, rel: str, project: DvcProject) -> None:
    doc = _read(root, rel, project)
    if doc is None:
        return
    if doc.data is not None and not isinstance(doc.data, dict):
        project.problems.append((rel, 1, "a params file must be a mapping"))
        return
    project.params[rel] = doc.data or {}


def _load_tracked(root: Path, rel: str, project: DvcProject) -> None:
    doc = _read(root, rel, project)
    if doc is None or doc.data is None:
        return
    if not isinstance(doc.data, dict):
        project.problems.append((rel, 1, "a .dvc file must be a mapping"))
        return
    base = _base(doc, rel, (), doc.data, project)
    outs = doc.data.get("outs")
    if not isinstance(outs, list):
        project.problems.append((rel, doc.line_of(("outs",)), "'outs' must be a list"))
        return
    for index, out in enumerate(outs):
        line = doc.line_of(("outs", index, "path")) or 1
        if not isinstance(out, dict) or not isinstance(out.get("path"), str):
            project.problems.append((rel, line, "each entry of 'outs' needs a 'path'"))
            continue
        cache = _cache_flag(out, rel, line, project)
        project.tracked.append(DvcPath(resolve_path(base, out["path"]), rel, line, cache))


def _base(
    doc: YamlDoc, rel: str, keypath: KeyPath, body: dict[Any, Any], project: DvcProject
) -> str:
    """The directory, relative to the root, that the paths in ``body`` are relative to."""
    wdir = body.get("wdir", ".")
    if not isinstance(wdir, str):
        project.problems.append((rel, doc.line_of((*keypath, "wdir")), "'wdir' must be a path"))
        wdir = "."
    return resolve_path(posixpath.dirname(rel), wdir)


def _cache_flag(options: dict[Any, Any], rel: str, line: int, project: DvcProject) -> bool:
    cache = options.get("cache", True)
    if isinstance(cache, bool):
        return cache
    project.problems.append((rel, line, "'cache' must be true or false"))
    return True


def _load_pipeline(root: Path, rel: str, project: DvcProject) -> None:
    doc = _read(root, rel, project)
    if doc is None or doc.data is None:
        return
    if not isinstance(doc.data, dict):
        project.problems.append((rel, 1, "dvc.yaml must be a mapping"))
        return
    stages = doc.data.get("stages") or {}
    if not isinstance(stages, dict):
        project.problems.append((rel, doc.line_of(("stages",)), "'stages' must be a mapping"))
        return
    for name, body in stages.items():
        keypath: KeyPath = ("stages", str(name))
        line = doc.line_of(keypath) or 1
        if isinstance(body, dict) and "foreach" in body:
            # The template is recorded once; its ${item} references stay literal.
            keypath = (*keypath, "do")
            body = body.get("do")
        if not isinstance(body, dict):
            project.problems.append((rel, line, f"stage {name!r} must be a mapping"))
            continue
        stage = DvcStage(str(name), rel, line)
        base = _base(doc, rel, keypath, body, project)
        _Stage(doc, rel, keypath, base, project).fill(stage, body)
        project.stages.append(stage)


@dataclass
class _Stage:
    """Reads one stage body, reporting each malformed part and keeping the rest."""

    doc: YamlDoc
    file: str
    keypath: KeyPath
    base: str
    project: DvcProject

    def problem(self, keys: KeyPath, message: str) -> None:
        self.project.problems.append((self.file, self.doc.line_of((*self.keypath, *keys)), message))

    def line(self, keys: KeyPath) -> int:
        return self.doc.line_of((*self.keypath, *keys)) or 1

    def fill(self, stage: DvcStage, body: dict[Any, Any]) -> None:
        cmd = body.get("cmd")
        if isinstance(cmd, str):
            stage.cmd = [cmd]
        elif isinstance(cmd, list) and all(isinstance(part, str) for part in cmd):
            stage.cmd = list(cmd)
        elif cmd is None:
            self.problem((), f"stage {stage.name!r} has no 'cmd'")
        else:
            self.problem(("cmd",), "'cmd' must be a string or a list of strings")
        stage.deps = self.paths(body, "deps")
        stage.outs = self.paths(body, "outs")
        stage.metrics = self.paths(body, "metrics")
        stage.plots = self.paths(body, "plots")
        stage.params = self.params(body)

    def entries(self, body: dict[Any, Any], key: str) -> list[Any]:
        value = body.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem((key,), f"'{key}' must be a list")
            return []
        return value

    def paths(self, body: dict[Any, Any], key: str) -> list[DvcPath]:
        found: list[DvcPath] = []
        for index, entry in enumerate(self.entries(body, key)):
            line = self.line((key, index))
            if isinstance(entry, str):
                found.append(DvcPath(resolve_path(self.base, entry), self.file, line))
                continue
            # The long form is a one-key mapping: ``- model.pkl: {cache: false}``.
            if not (isinstance(entry, dict) and len(entry) == 1):
                self.problem((key, index), f"each entry of '{key}' must be a path")
                continue
            ((path, options),) = entry.items()
            if not isinstance(path, str) or not isinstance(options, (dict, type(None))):
                self.problem((key, index), f"each entry of '{key}' must be a path")
                continue
            cache = _cache_flag(options or {}, self.file, line, self.project)
            found.append(DvcPath(resolve_path(self.base, path), self.file, line, cache))
        return found

    def params(self, body: dict[Any, Any]) -> list[DvcParam]:
        default_file = resolve_path(self.base, DEFAULT_PARAMS_FILE)
        found: list[DvcParam] = []
        for index, entry in enumerate(self.entries(body, "params")):
            line = self.line(("params", index))
            if isinstance(entry, str):
                found.append(DvcParam(entry, default_file, line))
                continue
            if not isinstance(entry, dict):
                self.problem(("params", index), "each entry of 'params' must be a key or a file")
                continue
            for file, keys in entry.items():
                params_file = resolve_path(self.base, str(file))
                if keys is None or keys == []:
                    found.append(DvcParam(ALL_PARAMS, params_file, line))
                elif isinstance(keys, list) and all(isinstance(key, str) for key in keys):
                    found += [
                        DvcParam(
                            key, params_file, self.line(("params", index, str(file), position))
                        )
                        for position, key in enumerate(keys)
                    ]
                else:
                    self.problem(("params", index, str(file)), f"keys of {file!r} must be a list")
        return found
