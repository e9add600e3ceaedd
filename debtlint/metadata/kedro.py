"""Kedro data catalogs: which datasets a project declares and where their files live.

Catalog files are found the way Kedro's config loader finds them inside each environment
(``conf/<env>/``): ``catalog*``, ``catalog*/**`` and ``**/catalog*``, as ``.yml`` or ``.yaml``.
Gitignored files (Kedro's template ignores ``conf/local/``) are not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from debtlint.discovery import DiscoveryError, discover
from debtlint.metadata.dvc import Problem, resolve_path
from debtlint.yamlsafe import YamlError, load_yaml_file


@dataclass
class CatalogEntry:
    name: str
    type: str
    filepath: str | None
    file: str
    line: int
    versioned: bool


def load_kedro_catalog(root: Path) -> tuple[list[CatalogEntry], list[Problem]]:
    conf = root / "conf"
    if not conf.is_dir() or conf.is_symlink():
        return [], []
    try:
        found = discover(root, [conf], extensions=(".yml", ".yaml")).files
    except DiscoveryError as exc:
        return [], [("conf", None, str(exc))]
    entries: list[CatalogEntry] = []
    problems: list[Problem] = []
    for rel in found:
        if _is_catalog(rel):
            _load(root, rel, entries, problems)
    return entries, problems


def _is_catalog(rel: str) -> bool:
    inside_env = rel.split("/")[2:]
    return bool(inside_env) and (
        inside_env[0].startswith("catalog") or inside_env[-1].startswith("catalog")
    )


def _load(root: Path, rel: str, entries: list[CatalogEntry], problems: list[Problem]) -> None:
    try:
        doc = load_yaml_file(root / rel, rel)
    except YamlError as exc:
        problems.append((exc.path, exc.line, exc.message))
        return
    if doc.data is None:
        return
    if not isinstance(doc.data, dict):
        problems.append((rel, 1, "a catalog must be a mapping of dataset names"))
        return
    for name, body in doc.data.items():
        # Keys starting with "_" hold YAML anchors and templates, not datasets.
        if str(name).startswith("_"):
            continue
        line = doc.line_of((str(name),)) or 1
        if not isinstance(body, dict):
            problems.append((rel, line, f"dataset {name!r} must be a mapping"))
            continue
        kind = body.get("type")
        if not isinstance(kind, str):
            problems.append((rel, line, f"dataset {name!r} has no 'type'"))
            kind = ""
        versioned = body.get("versioned", False)
        if not isinstance(versioned, bool):
            problems.append((rel, line, f"'versioned' of {name!r} must be true or false"))
            versioned = False
        entries.append(CatalogEntry(str(name), kind, _filepath(body), rel, line, versioned))


def _filepath(body: dict[object, object]) -> str | None:
    # Partitioned and incremental datasets name their folder "path" instead of "filepath".
    value = body.get("filepath", body.get("path"))
    if not isinstance(value, str):
        return None
    # Kedro resolves relative filepaths against the project root, not the catalog's folder.
    return resolve_path("", value) or "."
