"""What every format says at the end: counts and the score line."""

from __future__ import annotations

from collections import Counter

from debtlint.engine import ScanResult
from debtlint.score import (
    DEV_COST_MINUTES_PER_LINE,
    MIN_SIZE_LINES,
    SCORE_VERSION,
    grade_of,
)


def counts_line(result: ScanResult) -> str:
    by_severity = Counter(f.severity.value for f in result.findings)
    files = len(result.discovery.files)
    if not result.findings:
        return f"No findings in {files} file{'s' if files != 1 else ''}{status_note(result)}."
    parts = [
        f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}"
        for s in ("error", "warning", "info")
        if by_severity[s]
    ]
    total = len(result.findings)
    return (
        f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) "
        f"in {files} file{'s' if files != 1 else ''}{status_note(result)}."
    )


def status_note(result: ScanResult) -> str:
    """``; 7 baselined, 1 fixme, 2 suppressed`` — findings that do not fail the gate — or ``""``."""
    by_status = Counter(f.status for f in result.findings)
    parts = [f"{by_status[s]} {s}" for s in ("baselined", "fixme") if by_status[s]]
    if result.suppressed:
        parts.append(f"{len(result.suppressed)} suppressed")
    return f"; {', '.join(parts)}" if parts else ""


def score_line(result: ScanResult) -> str:
    score = result.score
    extra = []
    if score.capped:
        extra.append("capped: an error-severity finding is open")
    if score.incomplete:
        extra.append("incomplete: some files or checks could not be analysed")
    if score.mode == "no-model":
        extra.append("no-model mode")
    graph = score.components.get("graph")
    practice = score.components.get("practice")
    detail = f"debt {score.components['debt']:g}"
    if graph is not None and score.mode != "no-model":
        detail += f", graph health {graph:g}"
    if practice is not None:
        detail += f", practice {practice:g}"
    suffix = f" [{'; '.join(extra)}]" if extra else ""
    return f"Maintainability score: {score.value:g}/100 ({score.grade}) — {detail}{suffix}"


_RATIO_LABELS = {
    "owned_models": "owned models (complexity-weighted)",
    "declared_reads": "declared data reads",
    "versioned_sources": "versioned remote sources",
    "declared_consumers": "declared model consumers",
    "models_outside_cycles": "models outside feedback loops",
    "used_columns": "loaded columns that reach a model",
    "non_glue_share": "non-glue statements in ML modules",
}
SHOWN_IMPROVEMENTS = 3


def score_details(result: ScanResult) -> list[str]:
    """How the score was made, for the human formats: the components with their weights, what
    each is made of, the worst model and the fixes that would raise the score most (re-scored)."""
    score = result.score
    c = score.components
    terms = " + ".join(
        f"{w:.2f} x {name} {c[key]:g}"
        for key, name in (("debt", "debt"), ("graph", "graph health"), ("practice", "practice"))
        if (w := score.weights.get(key)) is not None and c.get(key) is not None
    )
    out = [f"Score v{SCORE_VERSION} ({score.mode} mode): {terms}"]
    size = max(score.ncloc, MIN_SIZE_LINES)
    out.append(
        f"  debt density {c['debt']:g}: {score.debt_minutes:g} min of debt over {size} lines x "
        f"{DEV_COST_MINUTES_PER_LINE} min (debt ratio {100 * score.debt_ratio:.2f} %, "
        f"SonarQube grade {grade_of(c['debt'])})"
    )
    for name, fam in score.families.items():
        out.append(
            f"    {name}: {fam['findings']} finding(s), {fam['debt_minutes']:g} min of debt, "
            f"-{fam['points_lost']:g} points"
        )
    if score.mode != "no-model" and c.get("graph") is not None:
        shown = []
        for key, ratio in score.ratios.items():
            if ratio is None:
                continue
            counts = score.ratio_counts.get(key)
            count = f" ({counts[0]}/{counts[1]})" if counts and key != "owned_models" else ""
            shown.append(f"{_RATIO_LABELS.get(key, key)} {100 * ratio:.0f} %{count}")
        na = [_RATIO_LABELS.get(k, k) for k, r in score.ratios.items() if r is None]
        line = f"  graph health {c['graph']:g}: " + ", ".join(shown)
        out.append(line + (f"; n/a: {', '.join(na)}" if na else ""))
    if c.get("practice") is not None:
        parts = [
            f"{key.replace('_', ' ')} {e['value']:g} ({e['detail']})"
            for key, e in score.practice.items()
            if e["value"] is not None
        ]
        out.append(f"  practice {c['practice']:g}: " + "; ".join(parts))
    if score.models:
        worst = score.models[0]
        out.append(
            f"  worst of {len(score.models)} model(s): {worst['label']} {worst['value']:g} "
            f"({worst['grade']}), complexity {worst['complexity']:g}"
        )
    if score.improvements:
        out.append("What would raise it most:")
        for item in score.improvements[:SHOWN_IMPROVEMENTS]:
            out.append(f"  {'+' + format(item['gain'], 'g'):>6}  {item['action']}")
    return out
