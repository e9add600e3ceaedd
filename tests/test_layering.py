"""The import contract (DESIGN.md §4): cli -> engine -> (facts | graph | report | loader) -> rule API.

Rules import only ``debtlint.api``; the lower layers never import the layers above them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

# module (prefix) -> modules (prefixes) it must never import
FORBIDDEN = {
    "debtlint.facts": ["debtlint.engine", "debtlint.cli", "debtlint.report", "debtlint.graph"],
    "debtlint.graph": ["debtlint.engine", "debtlint.cli", "debtlint.report"],
    "debtlint.knowledge": ["debtlint.engine", "debtlint.cli", "debtlint.graph", "debtlint.facts"],
    "debtlint.metadata": ["debtlint.engine", "debtlint.cli", "debtlint.graph", "debtlint.facts"],
    "debtlint.rule": ["debtlint.engine", "debtlint.cli", "debtlint.report"],
    "debtlint.engine": ["debtlint.cli", "debtlint.report"],
    "debtlint.report": ["debtlint.cli"],
    "debtlint.score": ["debtlint.engine", "debtlint.cli", "debtlint.report"],
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def test_engine_layers_import_downwards_only():
    violations = []
    for path in sorted((REPO / "debtlint").rglob("*.py")):
        module = _module(path)
        for prefix, banned in FORBIDDEN.items():
            if module == prefix or module.startswith(prefix + "."):
                for imported in _imports(path):
                    if any(imported == b or imported.startswith(b + ".") for b in banned):
                        violations.append(f"{module} imports {imported}")
    assert violations == []


def test_rules_import_only_the_public_api():
    violations = []
    for path in sorted((REPO / "rules").rglob("*.py")):
        for imported in _imports(path):
            if imported.startswith("debtlint") and imported != "debtlint.api":
                violations.append(f"{path.relative_to(REPO)} imports {imported}")
    assert violations == []
