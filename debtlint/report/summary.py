"""What every format says at the end: counts and the score line."""

from __future__ import annotations

from collections import Counter

from debtlint.engine import ScanResult


def counts_line(result: ScanResult) -> str:
    by_severity = Counter(f.severity.value for f in result.findings)
    files = len(result.discovery.files)
    if not result.findings:
        return f"No findings in {files} file{'s' if files != 1 else ''}."
    parts = [
        f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}"
        for s in ("error", "warning", "info")
        if by_severity[s]
    ]
    total = len(result.findings)
    return (
        f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) "
        f"in {files} file{'s' if files != 1 else ''}."
    )


def score_line(result: ScanResult) -> str:
    score = result.score
    extra = []
    if score.capped:
        extra.append("capped: an error-severity finding is open")
    if score.incomplete:
        extra.append("incomplete: some files or checks could not be analysed")
    graph = score.components.get("graph")
    detail = f"debt {score.components['debt']:g}"
    if graph is not None:
        detail += f", graph health {graph:g}"
    suffix = f" [{'; '.join(extra)}]" if extra else ""
    return f"Maintainability score: {score.value:g}/100 ({score.grade}) — {detail}{suffix}"
