"""Score v0: one number 0-100 and a letter A-E, size-normalised and decomposed by family.

Formula (also in the README):

1. **Debt density.** Every finding costs its rule's remediation minutes times its confidence
   weight (high 1.0, medium 0.7, low 0.4); ``info`` findings cost nothing. The technical-debt ratio
   is ``TDR = debt minutes / (DEV_COST_MINUTES_PER_LINE * max(ncloc, MIN_SIZE_LINES))`` — SonarQube's
   ratio, so its A-E grid applies — mapped piecewise-linearly to ``S_debt``:
   TDR 0 -> 100, 0.05 -> 80, 0.10 -> 60, 0.20 -> 40, 0.50 -> 20, >= 1 -> 0.
2. **Graph health** ``S_graph`` = 100 x the weighted mean of the ratios that apply: owned models
   (weighted by complexity index), and resolved data reads that are declared.
3. ``score = W_DEBT * S_debt + W_GRAPH * S_graph`` (just ``S_debt`` when no ratio applies), capped at
   ``ERROR_CAP`` while an error-severity finding is open, so a project that fails the gate cannot
   grade A or B.
4. Grade: A >= 80, B >= 60, C >= 40, D >= 20, else E.

A score is *incomplete* when a file could not be parsed or a check crashed; it is then an upper
bound for what the analysed part shows, never raised by what was skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from debtlint.complexity import model_complexity
from debtlint.findings import Finding, Severity
from debtlint.graph import ProjectGraph
from debtlint.rule import FAMILIES

SCORE_VERSION = "0"
DEV_COST_MINUTES_PER_LINE = 30  # SonarQube's default development cost per line
MIN_SIZE_LINES = 500  # tiny projects must not swing wildly on one finding
SEVERITY_COST = {Severity.ERROR: 1.0, Severity.WARNING: 1.0, Severity.INFO: 0.0}
TDR_GRID = ((0.0, 100.0), (0.05, 80.0), (0.10, 60.0), (0.20, 40.0), (0.50, 20.0), (1.0, 0.0))
W_DEBT = 0.6  # local debt is what developers can act on file by file
W_GRAPH = 0.4  # ownership and declared data are the CACE debt the paper is about
RATIO_WEIGHTS = {
    "owned_models": 0.6,  # an unowned model is the costliest boundary erosion
    "declared_reads": 0.4,  # undeclared data dependencies
}
ERROR_CAP = 49.0
GRADES = ((80.0, "A"), (60.0, "B"), (40.0, "C"), (20.0, "D"))


@dataclass
class Score:
    value: float
    grade: str
    incomplete: bool
    debt_minutes: float
    ncloc: int
    debt_ratio: float
    components: dict[str, float | None]
    ratios: dict[str, float | None]
    families: dict[str, dict[str, Any]] = field(default_factory=dict)
    capped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCORE_VERSION,
            "value": self.value,
            "grade": self.grade,
            "incomplete": self.incomplete,
            "capped": self.capped,
            "debt_minutes": self.debt_minutes,
            "ncloc": self.ncloc,
            "debt_ratio": self.debt_ratio,
            "components": self.components,
            "ratios": self.ratios,
            "breakdown": self.families,
        }


def grade_of(value: float) -> str:
    return next((g for bound, g in GRADES if value >= bound), "E")


def debt_to_score(ratio: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(TDR_GRID):
        if ratio <= x1:
            return y0 + (y1 - y0) * (ratio - x0) / (x1 - x0)
    return 0.0


def finding_cost(finding: Finding, minutes: Mapping[str, float]) -> float:
    return (
        minutes.get(finding.code, 0.0) * SEVERITY_COST[finding.severity] * finding.confidence.weight
    )


def compute_score(
    findings: Sequence[Finding],
    graph: ProjectGraph,
    minutes: Mapping[str, float],
    incomplete: bool,
) -> Score:
    ncloc = sum(f.stats.ncloc for f in graph.files.values() if not f.is_test)
    size = max(ncloc, MIN_SIZE_LINES)
    families: dict[str, dict[str, Any]] = {}
    total = 0.0
    for finding in findings:
        cost = finding_cost(finding, minutes)
        total += cost
        fam = families.setdefault(
            FAMILIES.get(finding.code[:3], "other"), {"findings": 0, "debt_minutes": 0.0}
        )
        fam["findings"] += 1
        fam["debt_minutes"] = round(fam["debt_minutes"] + cost, 2)
    for fam in families.values():
        ratio = fam["debt_minutes"] / (DEV_COST_MINUTES_PER_LINE * size)
        fam["debt_ratio"] = round(ratio, 5)
        fam["points_lost"] = round(W_DEBT * (100.0 - debt_to_score(ratio)), 2)
    ratio = total / (DEV_COST_MINUTES_PER_LINE * size)
    s_debt = debt_to_score(ratio)
    ratios = graph_ratios(graph)
    applicable = {k: v for k, v in ratios.items() if v is not None}
    s_graph = (
        100.0
        * sum(RATIO_WEIGHTS[k] * v for k, v in applicable.items())
        / sum(RATIO_WEIGHTS[k] for k in applicable)
        if applicable
        else None
    )
    value = s_debt if s_graph is None else W_DEBT * s_debt + W_GRAPH * s_graph
    capped = any(f.severity is Severity.ERROR for f in findings) and value > ERROR_CAP
    if capped:
        value = ERROR_CAP
    value = round(value, 1)
    return Score(
        value=value,
        grade=grade_of(value),
        incomplete=incomplete,
        debt_minutes=round(total, 2),
        ncloc=ncloc,
        debt_ratio=round(ratio, 5),
        components={
            "debt": round(s_debt, 2),
            "graph": round(s_graph, 2) if s_graph is not None else None,
        },
        ratios=ratios,
        families=dict(sorted(families.items())),
        capped=capped,
    )


def graph_ratios(graph: ProjectGraph) -> dict[str, float | None]:
    models = [m for m in graph.models() if not graph.files[m.path].is_test]
    owned_weight = total_weight = 0.0
    for model in models:
        weight = 1.0 + model_complexity(graph, model).score
        total_weight += weight
        if graph.owners_of(model.id):
            owned_weight += weight
    reads = [r for r in graph.data_reads() if graph.data_node(r.data_id).get("path")]
    declared = sum(1 for r in reads if graph.data_node(r.data_id).get("declared"))
    return {
        "owned_models": round(owned_weight / total_weight, 4) if total_weight else None,
        "declared_reads": round(declared / len(reads), 4) if reads else None,
    }


def remediation_minutes(rules: Iterable[Any]) -> dict[str, float]:
    return {rule.code: float(rule.remediation_minutes) for rule in rules}
