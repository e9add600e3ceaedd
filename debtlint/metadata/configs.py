"""Config files that code reads keys from: YAML (also Hydra's composed configs) and JSON.

Loaded lazily, only when phase 2 needs a key from them, with the same bounded safe loader as
every other YAML file. Hydra composition is followed one level: a config's ``defaults:`` list
``- data: local`` merges ``<config dir>/data/local.yaml`` under the key ``data`` (or at the top
with a ``# @package _global_`` header); the config's own keys win.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from debtlint.yamlsafe import MAX_YAML_BYTES, YamlError, load_yaml_file


class ConfigStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[str, Any] = {}
        self.problems: list[str] = []

    def lookup(self, file: str, keys: tuple[str, ...]) -> str | None:
        """The string (or number, as text) at ``keys`` in ``file``; None when it is absent,
        not a scalar, or an unresolved interpolation (``${...}``)."""
        node = self.document(file)
        for key in keys:
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return None
        if isinstance(node, bool) or node is None or isinstance(node, (dict, list)):
            return None
        text = str(node)
        return None if "${" in text else text

    def document(self, file: str) -> Any:
        if file not in self._docs:
            self._docs[file] = self._load(file)
        return self._docs[file]

    def _load(self, file: str) -> Any:
        path = self.root / file
        try:
            if not path.resolve().is_relative_to(self.root.resolve()) or not path.is_file():
                return None
            if file.endswith(".json"):
                if path.stat().st_size > MAX_YAML_BYTES:
                    return None
                return json.loads(path.read_text(encoding="utf-8"))
            doc = load_yaml_file(path, file).data
        except (OSError, ValueError, YamlError, RecursionError) as exc:
            self.problems.append(f"{file}: cannot read config keys ({exc})")
            return None
        if isinstance(doc, dict) and isinstance(doc.get("defaults"), list):
            doc = self._compose(path, doc)
        return doc

    def _compose(self, path: Path, doc: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for item in doc["defaults"]:
            if not isinstance(item, dict) or len(item) != 1:
                continue
            group, option = next(iter(item.items()))
            if not isinstance(group, str) or not isinstance(option, str):
                continue
            group = group.split("@", 1)[0].lstrip("/")
            part_file = path.parent / group / f"{option}.yaml"
            try:
                # `defaults: [{../../elsewhere: x}]` must not read outside the project.
                inside = part_file.resolve().is_relative_to(self.root.resolve())
                if not inside or not part_file.is_file():
                    continue
                part = load_yaml_file(part_file, str(part_file.relative_to(self.root))).data
                with open(part_file, encoding="utf-8", errors="replace") as handle:
                    text = handle.readline(4096)  # the `# @package` header, size-checked above
            except (OSError, ValueError, YamlError, RecursionError):
                continue
            if not isinstance(part, dict):
                continue
            if "@package _global_" in text.split("\n", 1)[0]:
                _merge(merged, part)
            else:
                _merge(merged, {group.split("/")[-1]: part})
        _merge(merged, {k: v for k, v in doc.items() if k != "defaults"})
        return merged


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
