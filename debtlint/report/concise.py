from __future__ import annotations

from debtlint.engine import ScanResult
from debtlint.report.summary import counts_line, score_line


def render_concise(result: ScanResult) -> str:
    lines = [
        f"{f.location.display()}: {f.code} [{f.severity.value}] "
        f"{f.message}"
        for f in result.findings
    ]
    lines.append(counts_line(result))
    lines.append(score_line(result))
    return "\n".join(lines) + "\n"
