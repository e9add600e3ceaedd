"""Safe, bounded YAML loading that remembers the line of every key, for errors that name file and line.

Only the safe loader is used (libyaml's ``CSafeLoader`` when PyYAML was built with it: it reads the
knowledge tables about ten times faster, which is a quarter of a warm scan's start-up). Inputs are bounded in size and in the number of nodes reachable
through aliases, so a hostile file (an "anchor bomb") is an error, not a hang.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_YAML_NODES = 200_000

KeyPath = tuple[str | int, ...]


class YamlError(Exception):
    """A YAML file that cannot be used; ``line`` is 1-based when known."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass
class YamlDoc:
    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, keypath: KeyPath) -> int | None:
        """The line of the deepest known prefix of ``keypath`` (1-based)."""
        for end in range(len(keypath), -1, -1):
            line = self.lines.get(tuple(keypath[:end]))
            if line is not None:
                return line
        return None


def load_yaml_text(text: str, path: str) -> YamlDoc:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlError(path, None, f"file is larger than {MAX_YAML_BYTES // 1024 // 1024} MiB")
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(path, None, {})
        lines: dict[KeyPath, int] = {}
        _index(node, (), lines, [0], path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # libyaml's own guard against what RecursionError is below
            raise YamlError(path, line, "YAML nested too deeply") from None
        raise YamlError(path, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(path, None, "YAML nested too deeply") from None
    finally:
        loader.dispose()
    return YamlDoc(path, data, lines)


def load_yaml_file(file: Path, display: str) -> YamlDoc:
    try:
        size = file.stat().st_size
        if size > MAX_YAML_BYTES:
            raise YamlError(
                display, None, f"file is larger than {MAX_YAML_BYTES // 1024 // 1024} MiB"
            )
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(display, None, f"not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise YamlError(display, None, f"cannot read: {exc.strerror or exc}") from None
    return load_yaml_text(text, display)


def _index(
    node: yaml.Node, keypath: KeyPath, lines: dict[KeyPath, int], budget: list[int], path: str
) -> None:
    budget[0] += 1
    if budget[0] > MAX_YAML_NODES:
        raise YamlError(path, node.start_mark.line + 1, "too many YAML nodes (alias expansion?)")
    lines.setdefault(keypath, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.tag)
            lines.setdefault((*keypath, key), key_node.start_mark.line + 1)
            _index(value_node, (*keypath, key), lines, budget, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*keypath, i), lines, budget, path)
