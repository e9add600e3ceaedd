"""``debtlint init``: a commented starter ``debtlint.yaml`` written from what a scan found.

It lists every model the project uses (as DL101 sees them: test files left out) with the files that
define and train it, its saved artifacts, its complexity factors and the owner it already has
(CODEOWNERS, or an existing manifest entry), else a ``null`` owner marked TODO — the configuration
refuses an empty owner string, and ``null`` means "none yet", so the gate keeps failing on a complex
model until someone fills it in. Then every dataset the code reads: not yet declared (entries to
complete), declared in the manifest already (kept), declared by dvc.yaml or Kedro (comments), and
reads whose path could not be resolved (comments).

Entry names are ``<file stem>-<variable>``: a manifest key also matches models by name, and a
hyphenated key cannot collide with a Python variable elsewhere in the project. Estimator classes
are not written as ``class:`` (that would match every model built from the same class); only
project-defined model classes are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from debtlint.complexity import DEFAULT_THRESHOLD, model_complexity
from debtlint.config import DataDecl, ModelDecl
from debtlint.engine import ScanResult
from debtlint.graph import Model, ProjectGraph

BASELINE_FILE = ".debtlint-baseline.json"
OWNER_TODO = 'owner: null  # TODO: the team that answers for it, e.g. "@acme/ml-team"'


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid ones)."""
    return json.dumps(text, ensure_ascii=False)


def _flow_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _owner_value(owners: Sequence[str]) -> str:
    return _q(owners[0]) if len(owners) == 1 else _flow_list(owners)


@dataclass
class _ModelEntry:
    key: str
    model: Model | None
    decl: ModelDecl | None = None
    owners: list[str] = field(default_factory=list)
    owner_note: str = ""


def render_starter(result: ScanResult) -> str:
    graph = result.graph
    threshold = _threshold(result)
    lines = [
        "# debtlint.yaml: written by `debtlint init` from what a scan of this project found.",
        "# Fill in every TODO (owners first: a complex model without one fails the gate), then",
        "#   debtlint scan --write-baseline " + BASELINE_FILE + "   # accept today's findings",
        "# and add the pre-commit hook or CI job: from then on only new debt fails.",
        "# Reference: the Configuration section of debtlint's README.",
        "",
        f"baseline: {BASELINE_FILE}   # written by `debtlint scan --write-baseline`",
        "# fail-under: 60               # also fail when the score drops under this",
        "# ignore: []                   # rule codes, prefixes or names to switch off",
        "",
    ]
    lines += _models_section(graph, result, threshold)
    lines.append("")
    lines += _data_section(graph, result)
    return "\n".join(lines).rstrip("\n") + "\n"


def _threshold(result: ScanResult) -> float:
    for rule in result.ruleset.project_rules:
        if rule.code == "DL101":
            return float(rule.opts.get("complexity-threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


# -- models ----------------------------------------------------------------------------------------


def _models_section(graph: ProjectGraph, result: ScanResult, threshold: float) -> list[str]:
    entries = _model_entries(graph, result)
    if not entries:
        return [
            "# No models found: nothing trains, saves or loads a model that debtlint recognises.",
            "models: {}",
        ]
    lines = [
        "# Who owns each model: matched by the entry's name, `class:`, `code:` (files that define",
        "# or train it) or `artifacts:` globs. An owner from CODEOWNERS is written out too, so the",
        "# manifest can be read on its own; delete it if you prefer CODEOWNERS alone.",
        "models:",
    ]
    for entry in entries:
        lines.append("")
        lines += _model_lines(graph, entry, threshold)
    return lines


def _model_entries(graph: ProjectGraph, result: ScanResult) -> list[_ModelEntry]:
    declared = dict(graph.manifest.models)
    used_keys = set(declared)
    entries: list[_ModelEntry] = []
    for model in graph.models():
        if not model.in_use or graph.files[model.path].is_test:
            continue
        owners = graph.owners_of(model.id)
        decl_keys = sorted(
            {o.source.rsplit(" models.", 1)[1] for o in owners if " models." in o.source}
        )
        if decl_keys:
            decl = declared.pop(decl_keys[0], None)
            if decl is not None:
                entries.append(_ModelEntry(decl.name, model, decl, list(decl.owner), "kept"))
            continue  # else covered by the entry already written for another model
        key = _unique(_model_key(model), used_keys)
        names = sorted({o.name for o in owners})
        note = owners[0].source if owners else ""
        entries.append(_ModelEntry(key, model, None, names, note))
    # Declared entries that match no model found today (a model in code debtlint cannot read,
    # or one not written yet) are kept as they are.
    for decl in declared.values():
        entries.append(_ModelEntry(decl.name, None, decl, list(decl.owner), "kept"))
    return entries


def _model_key(model: Model) -> str:
    stem = PurePosixPath(model.path).stem
    raw = f"{stem}-{model.name}" if model.name != stem else stem
    key = re.sub(r"[^A-Za-z0-9]+", "-", raw).strip("-").lower()
    return key or "model"


def _unique(key: str, used: set[str]) -> str:
    candidate, number = key, 2
    while candidate in used:
        candidate = f"{key}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _model_lines(graph: ProjectGraph, entry: _ModelEntry, threshold: float) -> list[str]:
    model, decl = entry.model, entry.decl
    lines = [f"  {_q(entry.key)}:"]
    if model is not None:
        complexity = model_complexity(graph, model)
        verdict = "complex" if complexity.score >= threshold else "not complex"
        lines.append(f"    # {model.label}, line {model.location.line}")
        lines.append(
            f"    # complexity {complexity.score:g} ({verdict}; threshold {threshold:g}): "
            f"{complexity.explain()}"
        )
        if model.site.kind != "class" and model.site.api:
            lines.append(f"    # built with {model.site.api}")
    if entry.owners:
        where = "" if entry.owner_note == "kept" else f"  # from {entry.owner_note}"
        lines.append(f"    owner: {_owner_value(entry.owners)}{where}")
    else:
        lines.append(f"    {OWNER_TODO}")
    code = list(decl.code) if decl is not None else []
    artifacts = list(decl.artifacts) if decl is not None else []
    classes = list(decl.classes) if decl is not None else []
    if decl is None and model is not None:
        code = list(dict.fromkeys([model.path, *model.trained_in]))
        artifacts = [a for a in model.artifacts if "://" not in a and not a.startswith("hf:")]
        if model.site.kind == "class":
            classes = [model.site.name]
    if code:
        lines.append(f"    code: {_flow_list(code)}")
    if artifacts:
        lines.append(f"    artifacts: {_flow_list(artifacts)}")
    if classes:
        value = _q(classes[0]) if len(classes) == 1 else _flow_list(classes)
        lines.append(f"    class: {value}")
    if decl is not None and decl.consumers:
        lines.append(f"    consumers: {_flow_list(decl.consumers)}")
    if decl is not None and decl.description:
        lines.append(f"    description: {_q(decl.description)}")
    elif decl is None:
        lines.append('    # description: ""')
    return lines


# -- data ------------------------------------------------------------------------------------------


@dataclass
class _DataGroups:
    undeclared: dict[str, list[str]] = field(default_factory=dict)  # path -> "file:line" reads
    elsewhere: dict[str, str] = field(default_factory=dict)  # path -> where it is declared
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # "file:line", expression


def _data_groups(graph: ProjectGraph) -> _DataGroups:
    groups = _DataGroups()
    for read in graph.data_reads():
        node = graph.data_node(read.data_id)
        path = node.get("path")
        where = f"{read.location.path}:{read.location.line}"
        if path is None:
            groups.unresolved.append((where, str(node.get("symbolic") or "<unknown>")))
            continue
        declarations = graph.declarations_of(path)
        manifest = [d for d in declarations if d.source == "debtlint.yaml data"]
        if manifest:
            continue  # written with the manifest's own entries
        if declarations:
            groups.elsewhere.setdefault(path, declarations[0].source)
            continue
        reads = groups.undeclared.setdefault(path, [])
        if where not in reads:
            reads.append(where)
    return groups


def _data_section(graph: ProjectGraph, result: ScanResult) -> list[str]:
    groups = _data_groups(graph)
    declared = graph.manifest.data
    lines = [
        "# Data the code reads. Declaring a path (or a glob) says the project depends on it on",
        "# purpose; give each an owner, `external: true` for data that comes from outside, and a",
        "# `version` where it has one.",
    ]
    if not groups.undeclared and not declared:
        lines.append("data: {}")
    else:
        lines.append("data:")
    if groups.undeclared:
        lines.append("  # Read by the code, declared nowhere yet:")
        for path in sorted(groups.undeclared):
            reads = groups.undeclared[path]
            shown = ", ".join(reads[:3]) + (f" and {len(reads) - 3} more" if len(reads) > 3 else "")
            lines.append(f"  {_q(path)}:  # read at {shown}")
            lines.append(f"    {OWNER_TODO}")
            if "://" in path or path.startswith(("hf:", "/")):
                lines.append("    # external: true")
    if declared:
        lines.append("  # Declared in the manifest already:")
        for decl in sorted(declared.values(), key=lambda d: d.pattern):
            lines += _declared_data_lines(decl)
    if groups.elsewhere:
        lines.append("")
        lines.append("# Read by the code and declared elsewhere (nothing to do):")
        for path in sorted(groups.elsewhere):
            lines.append(f"#   {path}: {groups.elsewhere[path]}")
    if groups.unresolved:
        lines.append("")
        lines.append("# Reads whose path debtlint could not work out: declare what they read, or")
        lines.append("# use a literal path or a module constant so that it can.")
        for where, expression in sorted(groups.unresolved):
            lines.append(f"#   {where}: {expression}")
    return lines


def _declared_data_lines(decl: DataDecl) -> list[str]:
    fields = []
    if decl.owner:
        fields.append(f"owner: {_owner_value(decl.owner)}")
    if decl.description:
        fields.append(f"description: {_q(decl.description)}")
    if decl.version:
        fields.append(f"version: {_q(decl.version)}")
    if decl.external:
        fields.append("external: true")
    if not fields:
        return [f"  {_q(decl.pattern)}: {{}}"]
    return [f"  {_q(decl.pattern)}:", *(f"    {f}" for f in fields)]


def other_settings(result: ScanResult, file: str) -> list[str]:
    """Keys of ``file`` (an existing debtlint.yaml) that the starter does not carry over."""
    settings = result.settings
    return sorted(
        key
        for key, source in settings._key_files.items()  # where each key was set
        if source == file and key not in ("models", "data", "baseline")
    )
