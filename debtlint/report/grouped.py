"""``grouped``: findings under their file, one indented line each, then counts and the score."""

from __future__ import annotations

from itertools import groupby

from debtlint.engine import ScanResult
from debtlint.findings import Finding
from debtlint.report.style import Style
from debtlint.report.summary import counts_line, score_line


def _position(finding: Finding) -> str:
    # Location.display() decides how a place is shown (it knows notebook cells); under a file
    # heading only the part after the path is needed.
    shown = finding.location.display()
    prefix = finding.location.path + ":"
    return shown[len(prefix) :] if shown.startswith(prefix) else shown


def render_grouped(result: ScanResult, color: bool = False) -> str:
    style = Style(color)
    out: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        out.append(style.bold(f"{path}:"))
        for f in group:
            out.append(f"  {_position(f)} {style.code(f.code)} {style.label(f)} {f.message}")
        out.append("")
    out.append(counts_line(result))
    out.append(score_line(result))
    return "\n".join(out) + "\n"
