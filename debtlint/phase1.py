"""Phase 1 over all files: read each file once and analyse it (see :mod:`debtlint.analyse`).

Results come back in the order of ``files`` whatever happens, so everything downstream is
deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from debtlint.analyse import FileResult, analyse_file
from debtlint.knowledge import Catalog
from debtlint.rule import FileRule


def run_phase1(
    root: Path,
    files: Sequence[str],
    catalog: Catalog,
    file_rules: Sequence[FileRule],
    project_module: Callable[[str], bool],
    syntax_rule: FileRule | None,
    notes: list[str],
) -> list[FileResult]:
    results: list[FileResult] = []
    for rel in files:
        try:
            data = (root / rel).read_bytes()
        except OSError as exc:
            notes.append(f"skipped {rel}: cannot read ({exc.strerror or exc})")
            continue
        results.append(analyse_file(rel, data, catalog, file_rules, project_module, syntax_rule))
    return results
