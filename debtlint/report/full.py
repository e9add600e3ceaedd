"""The default human format: each finding with its source line, a caret and the help text."""

from __future__ import annotations

from pathlib import Path

from debtlint.engine import ScanResult
from debtlint.findings import Finding
from debtlint.report.summary import counts_line, score_line


def _source_line(root: Path, finding: Finding, cache: dict[str, list[str]]) -> str | None:
    path = finding.location.path
    if path not in cache:
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        cache[path] = text.splitlines()
    lines = cache[path]
    index = finding.location.line - 1
    return lines[index] if 0 <= index < len(lines) else None


def render_full(result: ScanResult) -> str:
    out: list[str] = []
    cache: dict[str, list[str]] = {}
    for f in result.findings:
        loc = f.location
        out.append(f"{loc.display()}: {f.code} [{f.severity.value}] {f.message}")
        source = _source_line(result.root, f, cache)
        if source is not None and source.strip():
            gutter = " " * len(str(loc.line))
            out.append(f"{gutter} |")
            out.append(f"{loc.line} | {source.rstrip()}")
            out.append(f"{gutter} | {' ' * (loc.col - 1)}^")
        if f.help:
            out.append(f"  = help: {f.help}")
        out.append("")
    out.append(counts_line(result))
    for name, fam in result.score.families.items():
        out.append(
            f"  {name}: {fam['findings']} finding(s), {fam['debt_minutes']:g} min of debt, "
            f"-{fam['points_lost']:g} points"
        )
    out.append(score_line(result))
    return "\n".join(out) + "\n"
