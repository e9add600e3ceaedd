"""``markdown``: a report for a pull-request comment or a CI job summary — the score and grade,
the score by family, the models with their owners and complexity, and the findings (new ones first;
baselined and fixme ones folded away)."""

from __future__ import annotations

from collections.abc import Sequence

from debtlint.complexity import model_complexity
from debtlint.engine import ScanResult
from debtlint.findings import Finding
from debtlint.report.summary import counts_line, score_line

MAX_ROWS = 100  # a PR comment is capped at 65,536 characters


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", "\n")
        .replace("\n", "<br>")
        .replace("<br><br>", "<br>")
    )


def code_cell(text: str) -> str:
    return f"`{text}`" if "`" not in text and "|" not in text and "\n" not in text else cell(text)


def _findings_table(findings: Sequence[Finding]) -> list[str]:
    lines = ["| severity | code | where | message |", "|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        status = f" ({f.status})" if f.status != "new" else ""
        lines.append(
            f"| {f.severity.value}{status} | {f.code} | {code_cell(f.location.display())} | "
            f"{cell(f.message)} |"
        )
    if len(findings) > MAX_ROWS:
        lines.append(f"| | | | … and {len(findings) - MAX_ROWS} more |")
    return lines


def _models_table(result: ScanResult) -> list[str]:
    graph = result.graph
    models = [m for m in graph.models() if not graph.files[m.path].is_test]
    if not models:
        return []
    lines = ["### Models", "", "| model | owners | complexity |", "|---|---|---:|"]
    for model in models[:MAX_ROWS]:
        owners = ", ".join(o.name for o in graph.owners_of(model.id)) or "**none**"
        lines.append(
            f"| {cell(model.label)} | {cell(owners)} | {model_complexity(graph, model).score:g} |"
        )
    if len(models) > MAX_ROWS:
        lines.append(f"| … and {len(models) - MAX_ROWS} more | | |")
    return [*lines, ""]


def render_markdown(result: ScanResult) -> str:
    score = result.score
    out = [f"## debtlint: {score.value:g}/100 ({score.grade})", ""]
    failing = [f for f in result.findings if f.fails_gate]
    if failing:
        out.append(
            f"**{len(failing)} new error-severity finding{'s' if len(failing) != 1 else ''}** "
            f"fail{'s' if len(failing) == 1 else ''} the gate."
        )
        out.append("")
    out.extend([counts_line(result), ""])
    if score.families:
        out += ["### Score by family", ""]
        out += ["| family | findings | debt (minutes) | points lost |", "|---|---:|---:|---:|"]
        for name, fam in score.families.items():
            out.append(
                f"| {name} | {fam['findings']} | {fam['debt_minutes']:g} | {fam['points_lost']:g} |"
            )
        out.append("")
    out += _models_table(result)
    new = [f for f in result.findings if f.status == "new"]
    known = [f for f in result.findings if f.status != "new"]
    if new:
        out += ["### New findings", "", *_findings_table(new), ""]
    if known:
        out += [
            "<details>",
            f"<summary>{len(known)} baselined or fixme finding{'s' if len(known) != 1 else ''}"
            f"</summary>",
            "",
            *_findings_table(known),
            "",
            "</details>",
            "",
        ]
    out.append(score_line(result))
    return "\n".join(out) + "\n"
