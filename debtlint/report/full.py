"""The default human format: each finding with its source line, a caret and the help text."""

from __future__ import annotations

from pathlib import Path

from debtlint.engine import ScanResult
from debtlint.findings import Finding
from debtlint.notebook import cell_source_lines
from debtlint.report.style import Style
from debtlint.report.summary import counts_line, score_details, score_line


def _source_line(root: Path, finding: Finding, cache: dict[str, list[str]]) -> str | None:
    path = finding.location.path
    cell = finding.location.cell
    if cell is not None:
        # A notebook: the line of the cell's source, not of the .ipynb JSON.
        key = f"{path}\0cell {cell}"
        if key not in cache:
            try:
                cells = cell_source_lines((root / path).read_bytes())
            except OSError:
                cells = {}
            for number, lines in cells.items():
                cache[f"{path}\0cell {number}"] = lines
            cache.setdefault(key, [])
        lines = cache[key]
    else:
        if path not in cache:
            try:
                text = (root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            cache[path] = text.splitlines()
        lines = cache[path]
    index = finding.location.line - 1
    return lines[index] if 0 <= index < len(lines) else None


def render_full(result: ScanResult, color: bool = False) -> str:
    style = Style(color)
    out: list[str] = []
    cache: dict[str, list[str]] = {}
    for f in result.findings:
        loc = f.location
        out.append(
            f"{style.bold(loc.display())}: {style.code(f.code)} {style.label(f)} {f.message}"
        )
        source = _source_line(result.root, f, cache)
        if source is not None and source.strip():
            gutter = " " * len(str(loc.line))
            out.append(f"{gutter} |")
            out.append(f"{loc.line} | {source.rstrip()}")
            out.append(f"{gutter} | {' ' * (loc.col - 1)}{style.paint('^', '1;31')}")
        if f.status_reason:
            out.append(f"  = {f.status}: {f.status_reason}")
        if f.help:
            out.append(f"  = help: {f.help}")
        out.append("")
    out.append(counts_line(result))
    out.extend(score_details(result))
    out.append(score_line(result))
    return "\n".join(out) + "\n"
