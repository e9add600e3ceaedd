from __future__ import annotations

from debtlint.engine import ScanResult
from debtlint.report.style import Style
from debtlint.report.summary import counts_line, score_line


def render_concise(result: ScanResult, color: bool = False) -> str:
    style = Style(color)
    lines = [
        f"{style.bold(f.location.display())}: {style.code(f.code)} {style.label(f)} {f.message}"
        for f in result.findings
    ]
    lines.append(counts_line(result))
    lines.append(score_line(result))
    return "\n".join(lines) + "\n"
