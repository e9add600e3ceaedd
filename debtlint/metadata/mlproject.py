"""MLflow ``MLproject`` files: entry points, the command each runs, and their parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from debtlint.yamlsafe import YamlError, load_yaml_file


@dataclass
class EntryPoint:
    name: str
    command: str
    parameters: dict[str, str | None]  # name -> default as text
    file: str
    line: int


@dataclass
class MLProject:
    entry_points: list[EntryPoint] = field(default_factory=list)
    problems: list[tuple[str, int | None, str]] = field(default_factory=list)


def load_mlproject(root: Path) -> MLProject:
    project = MLProject()
    path = root / "MLproject"
    if not path.is_file():
        return project
    try:
        doc = load_yaml_file(path, "MLproject")
    except YamlError as exc:
        project.problems.append(("MLproject", exc.line, exc.message))
        return project
    entries = doc.data.get("entry_points") if isinstance(doc.data, dict) else None
    if not isinstance(entries, dict):
        return project
    for name, spec in entries.items():
        line = doc.line_of(("entry_points", name)) or 1
        if not isinstance(spec, dict) or not isinstance(spec.get("command"), str):
            project.problems.append(("MLproject", line, f"entry point {name!r} has no command"))
            continue
        params: dict[str, str | None] = {}
        raw = spec.get("parameters")
        if isinstance(raw, dict):
            for key, value in raw.items():
                default = value.get("default") if isinstance(value, dict) else value
                params[str(key)] = None if default is None else str(default)
        project.entry_points.append(
            EntryPoint(str(name), spec["command"], params, "MLproject", line)
        )
    return project
