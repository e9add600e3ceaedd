"""Score v1: one number 0-100 and a letter A-E, decomposed, per model, and explained.

Every weight and constant of the formula is a named constant below, with the reason for its value;
the README ("The score") documents the same formula for users.

1. **Debt density** ``S_debt``. Every finding costs its rule's ``remediation_minutes`` (a class
   attribute of the rule) x its confidence weight (high 1.0, medium 0.7, low 0.4); ``info``
   findings cost nothing. ``TDR = debt minutes / (DEV_COST_MINUTES_PER_LINE x max(ncloc,
   MIN_SIZE_LINES))`` is SonarQube's technical-debt ratio (``ncloc``: non-comment, non-blank lines
   of non-test code), read on its A-E grid and mapped piecewise-linearly to 0-100 (``TDR_GRID``).
2. **Graph health** ``S_graph`` = 100 x the weighted mean (``RATIO_WEIGHTS``) of the ratios that
   apply to this project; a ratio with nothing to measure is N/A and left out, never 0 or 1.
3. **ML practice** ``S_practice`` = 100 x (half the minimum, half the weighted mean, as in
   Breck's ML Test Score; ``PRACTICE_WEIGHTS``) of static evidence: tests that import the ML modules, a CI job that runs tests, pinned dependencies,
   seeded training code, model cards for saved models (see :mod:`debtlint.practice`).
4. ``score = W_DEBT S_debt + W_GRAPH S_graph + W_PRACTICE S_practice``. A project without models
   (an ML library) is scored in **no-model mode**, labelled so: the graph ratios are about models,
   so graph health is left out and the other two weights renormalised.
5. **Cap**: at most ``ERROR_CAP`` while an ``error`` finding is open (baselined or not), so a
   project that fails the gate cannot grade A or B; ``min(M, ERROR_CAP_FLOOR + (ERROR_CAP -
   ERROR_CAP_FLOOR) x M / 100)`` keeps capped projects in order. Grades: A >= 80, B >= 60, C >= 40,
   D >= 20.

Properties (tests/test_score.py): deterministic; removing a finding never lowers the score and
adding one never raises it (the findings only ever take away: debt, and the numerators of the
ratios that count flagged items; which ratios apply depends on the graph alone); a crashed check
(DL000) or an unparsable file (DL001) marks the score *incomplete* and never raises it (DL000
sets the score to 0).

**Per model**: the same formula over the model's upstream subgraph (the files that define and
train it, the scripts that write the data it is trained on, that data and the findings located in
those files or about those entities), next to its complexity index. **What would raise it most**:
each candidate fix (one finding group removed, an owner added to a model, a data file declared, a
piece of practice evidence added) is re-scored and the largest gains are reported.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import networkx as nx

from debtlint.complexity import model_complexity
from debtlint.facts.model import FileFacts
from debtlint.findings import Finding, Severity
from debtlint.graph import Model, ProjectGraph
from debtlint.practice import ProjectEvidence, load_evidence
from debtlint.rule import FAMILIES

SCORE_VERSION = "1"

# -- debt density ---------------------------------------------------------------------------------
DEV_COST_MINUTES_PER_LINE = 30  # SonarQube's default development cost of one line
MIN_SIZE_LINES = 500  # a tiny project must not swing from A to E on one finding
SEVERITY_COST = {  # info findings are observations, not debt
    Severity.ERROR: 1.0,
    Severity.WARNING: 1.0,
    Severity.INFO: 0.0,
}
# SonarQube's maintainability grid (A <= 5 % < B <= 10 % < C <= 20 % < D <= 50 % < E), mapped so
# that its letter bands line up with ours.
TDR_GRID = ((0.0, 100.0), (0.05, 80.0), (0.10, 60.0), (0.20, 40.0), (0.50, 20.0), (1.0, 0.0))

# -- combination ----------------------------------------------------------------------------------
# A component that does not apply (graph health in no-model mode) is left out and the others are
# renormalised, so a library is scored 0.38 x debt + 0.62 x practice.
W_DEBT = 0.25  # SonarQube's grid rates nearly all code A (97-100 on real ML repos): least weight
W_GRAPH = 0.35  # ownership and declared, stable data: the CACE debt Sculley et al. are about
W_PRACTICE = 0.40  # tests, CI and pinned environments decide whether any debt gets paid back

# -- graph health ratios (1 = healthy) ------------------------------------------------------------
RATIO_WEIGHTS = {
    "owned_models": 0.25,  # an unowned model is the costliest boundary erosion (DL101)
    "declared_reads": 0.20,  # undeclared data dependencies break silently (DL201)
    "versioned_sources": 0.15,  # a remote source that changes under its name changes the model
    "declared_consumers": 0.10,  # undeclared consumers are Sculley's hidden coupling (DL102)
    "models_outside_cycles": 0.10,  # feedback loops make a model's behaviour unanalysable
    "used_columns": 0.05,  # columns loaded but never used are a weak, noisy signal
    "non_glue_share": 0.15,  # glue around black-box packages freezes the system (DL401)
}

# -- ML-practice evidence (1 = present) -----------------------------------------------------------
PRACTICE_WEIGHTS = {
    "tests": 0.35,  # tests are the first thing Breck's ML Test Score asks for
    "ci": 0.25,  # tests nobody runs automatically rot
    "dependencies": 0.20,  # an unpinned environment makes a result unreproducible
    "seeds": 0.10,  # unseeded training makes regressions invisible
    "model_cards": 0.10,  # a saved model without a card has no documented intended use
}
# Breck et al. take the minimum over sections; static evidence is noisy, so half min, half mean
# (CATALOG.md §7.4): one missing practice costs more than its weight alone.
PRACTICE_MIN_SHARE = 0.5
TESTS_PRESENT = 0.5  # test files exist; the other half is the share of ML modules they import
CI_PRESENT = 0.5  # a CI configuration exists; the other half is a job that runs tests
DEPENDENCIES_DECLARED = 0.5  # a manifest declares dependencies; the other half is pinning them

ERROR_CAP = 49.0  # below B: a project failing the gate cannot look healthy
# Under the cap the order is kept: min(M, floor + (cap - floor) x M / 100). A hard min(M, 49) would
# tie every capped project and freeze its score while its other debt is paid off.
ERROR_CAP_FLOOR = 40.0
# A check that crashed (DL000) could have found anything: its lost findings could cost more than
# the cap takes away (tests/test_robustness.py), so only 0 is a bound that never raises the score.
CRASHED_SCORE = 0.0
GRADES = ((80.0, "A"), (60.0, "B"), (40.0, "C"), (20.0, "D"))
MAX_IMPROVEMENTS = 10  # candidate fixes kept in the JSON; text formats show the first three
MIN_GAIN = 0.05  # smaller gains are rounding noise, not advice

PRACTICE_ACTIONS = {
    "tests": "add tests that import the ML modules",
    "ci": "add a CI job that runs the tests",
    "dependencies": "pin the dependencies (a lock file or `==` pins)",
    "seeds": "seed the randomness of the training code",
    "model_cards": "add a model card for the saved models",
}
# Findings whose codes also count in a ratio's numerator (flagged items are unhealthy).
_VERSION_CODES = ("DL202", "DL203")
_CONSUMER_CODES = ("DL102",)
_SEED_CODES = ("DL801",)


# -- result ----------------------------------------------------------------------------------------
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
    mode: str = "model"  # "model" or "no-model"
    weights: dict[str, float] = field(default_factory=dict)
    ratio_counts: dict[str, list[int] | None] = field(default_factory=dict)
    practice: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: list[dict[str, Any]] = field(default_factory=list)
    improvements: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCORE_VERSION,
            "value": self.value,
            "grade": self.grade,
            "incomplete": self.incomplete,
            "capped": self.capped,
            "mode": self.mode,
            "debt_minutes": self.debt_minutes,
            "ncloc": self.ncloc,
            "debt_ratio": self.debt_ratio,
            "components": self.components,
            "weights": self.weights,
            "ratios": self.ratios,
            "ratio_counts": self.ratio_counts,
            "practice": self.practice,
            "breakdown": self.families,
            "models": self.models,
            "improvements": self.improvements,
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


def remediation_minutes(rules: Iterable[Any]) -> dict[str, float]:
    return {rule.code: float(rule.remediation_minutes) for rule in rules}


def remediation_table(rules: Iterable[Any]) -> str:
    """The Markdown table of remediation minutes the README embeds (kept in sync by a test)."""
    lines = ["| rule | name | minutes |", "|---|---|---|"]
    for rule in sorted(rules, key=lambda r: r.code):
        lines.append(f"| {rule.code} | `{rule.name}` | {rule.remediation_minutes} |")
    return "\n".join(lines)


# -- what the formula reads ------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelInput:
    id: str
    entity: str  # how DL101 names it: "path::name"
    label: str
    weight: float  # 1 + complexity index
    owned: bool


@dataclass(frozen=True)
class Evidence:
    """One piece of practice evidence: its value in [0, 1] (None: not applicable) and why."""

    value: float | None
    detail: str


@dataclass(frozen=True)
class Inputs:
    """Everything the formula reads besides the findings, computed once from the graph."""

    ncloc: int
    models: tuple[ModelInput, ...]
    reads: tuple[tuple[str, bool], ...]  # (data path, declared) of resolved data reads
    remote_sources: tuple[str, ...]  # names of remote sources the code reads
    consumer_files: tuple[str, ...] | None  # files loading a model artifact; None: no consumers
    cycle_models: frozenset[str]
    predicting_models: frozenset[str]  # models whose predictions flow into a write
    columns: tuple[int, int] | None  # (used by a model, loaded)
    glue: tuple[int, int] | None  # (glue statements, classified statements) in ML modules
    training_files: tuple[str, ...]
    evidence: Mapping[str, Evidence]  # tests, ci, dependencies, model_cards (seeds: findings)
    no_model: bool


@dataclass(frozen=True)
class WhatIf:
    """A hypothetical fix: models that get an owner, data paths that get declared, evidence added."""

    owned: frozenset[str] = frozenset()
    declared: frozenset[str] = frozenset()
    practice: frozenset[str] = frozenset()


@dataclass
class Tally:
    """What the findings contribute, in a form a group of findings can be subtracted from."""

    cost: float = 0.0
    errors: int = 0
    flagged: Counter[tuple[str, str]] = field(default_factory=Counter)  # (ratio, item)

    @classmethod
    def of(cls, findings: Iterable[Finding], minutes: Mapping[str, float]) -> Tally:
        tally = cls()
        for f in findings:
            tally.cost += finding_cost(f, minutes)
            tally.errors += f.severity is Severity.ERROR
            if f.code in _VERSION_CODES:
                tally.flagged["versioned_sources", f.entity.removeprefix("hf:")] += 1
            elif f.code in _CONSUMER_CODES:
                tally.flagged["declared_consumers", f.location.path] += 1
            elif f.code in _SEED_CODES:
                tally.flagged["seeds", f.location.path] += 1
        return tally

    def minus(self, other: Tally) -> Tally:
        return Tally(
            max(0.0, self.cost - other.cost),
            max(0, self.errors - other.errors),
            self.flagged - other.flagged,
        )

    def flagged_items(self, ratio: str) -> set[str]:
        return {item for (name, item), n in self.flagged.items() if name == ratio and n > 0}


@dataclass
class Parts:
    value: float
    capped: bool
    tdr: float
    s_debt: float
    s_graph: float | None
    s_practice: float | None
    ratios: dict[str, float | None]
    counts: dict[str, list[int] | None]
    evidence: dict[str, Evidence]


# -- the formula -------------------------------------------------------------------------------------
def evaluate(inputs: Inputs, tally: Tally, what_if: WhatIf = WhatIf()) -> Parts:
    tdr = tally.cost / (DEV_COST_MINUTES_PER_LINE * max(inputs.ncloc, MIN_SIZE_LINES))
    s_debt = debt_to_score(tdr)
    counts = _ratio_counts(inputs, tally, what_if)
    ratios = {k: (round(c[0] / c[1], 4) if c else None) for k, c in counts.items()}
    s_graph = _weighted(ratios, RATIO_WEIGHTS)
    evidence = _evidence(inputs, tally, what_if)
    s_practice = _soft_min({k: e.value for k, e in evidence.items()}, PRACTICE_WEIGHTS)
    weights = component_weights(inputs.no_model)
    parts = {"debt": s_debt, "graph": s_graph, "practice": s_practice}
    present = {k: w for k, w in weights.items() if parts[k] is not None}
    value = sum(w * (parts[k] or 0.0) for k, w in present.items()) / sum(present.values())
    if tally.errors > 0:
        limit = ERROR_CAP_FLOOR + (ERROR_CAP - ERROR_CAP_FLOOR) * value / 100.0
        capped = value > limit
        value = min(value, limit)
    else:
        capped = False
    return Parts(value, capped, tdr, s_debt, s_graph, s_practice, ratios, counts, evidence)


def component_weights(no_model: bool) -> dict[str, float]:
    """The weights as applied: without models, graph health is left out and the rest renormalised."""
    if no_model:
        total = W_DEBT + W_PRACTICE
        return {"debt": round(W_DEBT / total, 4), "practice": round(W_PRACTICE / total, 4)}
    return {"debt": W_DEBT, "graph": W_GRAPH, "practice": W_PRACTICE}


def _weighted(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    present = {k: v for k, v in values.items() if v is not None}
    if not present:
        return None
    return (
        100.0 * sum(weights[k] * v for k, v in present.items()) / sum(weights[k] for k in present)
    )


def _soft_min(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    mean = _weighted(values, weights)
    if mean is None:
        return None
    low = 100.0 * min(v for v in values.values() if v is not None)
    return PRACTICE_MIN_SHARE * low + (1 - PRACTICE_MIN_SHARE) * mean


def _ratio_counts(inputs: Inputs, tally: Tally, what_if: WhatIf) -> dict[str, list[int] | None]:
    """(healthy, applicable) per ratio; None when nothing is there to measure. Model weights are
    rounded to hundredths so that the counts stay integers (x100)."""
    counts: dict[str, list[int] | None] = {}
    total = sum(round(100 * m.weight) for m in inputs.models)
    owned = sum(round(100 * m.weight) for m in inputs.models if m.owned or m.id in what_if.owned)
    counts["owned_models"] = [owned, total] if total else None
    declared = sum(1 for path, d in inputs.reads if d or path in what_if.declared)
    counts["declared_reads"] = [declared, len(inputs.reads)] if inputs.reads else None
    unversioned = tally.flagged_items("versioned_sources")
    remote = inputs.remote_sources
    counts["versioned_sources"] = (
        [sum(1 for r in remote if r not in unversioned), len(remote)] if remote else None
    )
    consumers = inputs.consumer_files
    flagged = tally.flagged_items("declared_consumers")
    counts["declared_consumers"] = (
        [sum(1 for c in consumers if c not in flagged), len(consumers)] if consumers else None
    )
    # Only a model whose predictions are written somewhere can feed itself.
    models = [m for m in inputs.models if m.id in inputs.predicting_models]
    counts["models_outside_cycles"] = (
        [sum(1 for m in models if m.id not in inputs.cycle_models), len(models)] if models else None
    )
    counts["used_columns"] = list(inputs.columns) if inputs.columns else None
    counts["non_glue_share"] = (
        [inputs.glue[1] - inputs.glue[0], inputs.glue[1]] if inputs.glue else None
    )
    return counts


def _evidence(inputs: Inputs, tally: Tally, what_if: WhatIf) -> dict[str, Evidence]:
    evidence = dict(inputs.evidence)
    files = inputs.training_files
    if files:
        unseeded = tally.flagged_items("seeds")
        seeded = sum(1 for f in files if f not in unseeded)
        evidence["seeds"] = Evidence(
            round(seeded / len(files), 4),
            f"no DL801 in {seeded}/{len(files)} training files",
        )
    else:
        evidence["seeds"] = Evidence(None, "no training code")
    for name in what_if.practice:
        if evidence.get(name) is not None and evidence[name].value is not None:
            evidence[name] = Evidence(1.0, "(assumed added)")
    return {k: evidence[k] for k in PRACTICE_WEIGHTS if k in evidence}


# -- building the inputs ------------------------------------------------------------------------------
def compute_score(
    findings: Sequence[Finding],
    graph: ProjectGraph,
    minutes: Mapping[str, float],
    incomplete: bool,
) -> Score:
    models = [m for m in graph.models() if not graph.files[m.path].is_test]
    complexities = {m.id: model_complexity(graph, m) for m in models}
    project = load_evidence(graph.root, _model_folders(graph, models))
    inputs = project_inputs(graph, models, complexities, project)
    tally = Tally.of(findings, minutes)
    parts = evaluate(inputs, tally)
    weights = component_weights(inputs.no_model)
    value = round(parts.value, 1)
    crashed = any(f.code == "DL000" for f in findings)
    if crashed:
        value = CRASHED_SCORE
    return Score(
        value=value,
        grade=grade_of(value),
        incomplete=incomplete,
        debt_minutes=round(tally.cost, 2),
        ncloc=inputs.ncloc,
        debt_ratio=round(parts.tdr, 5),
        components=_components(parts),
        ratios=parts.ratios,
        families=_families(findings, minutes, inputs, weights["debt"]),
        capped=parts.capped,
        mode="no-model" if inputs.no_model else "model",
        weights=weights,
        ratio_counts=parts.counts,
        practice={k: {"value": e.value, "detail": e.detail} for k, e in parts.evidence.items()},
        models=per_model_scores(graph, models, complexities, project, findings, minutes),
        # After a crash no fix of the analysed part can be promised to raise the score.
        improvements=[] if crashed else improvements(inputs, findings, minutes, tally, parts.value),
    )


def _components(parts: Parts) -> dict[str, float | None]:
    def r(v: float | None) -> float | None:
        return round(v, 2) if v is not None else None

    return {"debt": r(parts.s_debt), "graph": r(parts.s_graph), "practice": r(parts.s_practice)}


def _families(
    findings: Sequence[Finding], minutes: Mapping[str, float], inputs: Inputs, w_debt: float
) -> dict[str, dict[str, Any]]:
    size = DEV_COST_MINUTES_PER_LINE * max(inputs.ncloc, MIN_SIZE_LINES)
    families: dict[str, dict[str, Any]] = {}
    for finding in findings:
        fam = families.setdefault(
            FAMILIES.get(finding.code[:3], "other"), {"findings": 0, "debt_minutes": 0.0}
        )
        fam["findings"] += 1
        fam["debt_minutes"] = round(fam["debt_minutes"] + finding_cost(finding, minutes), 2)
    for fam in families.values():
        ratio = fam["debt_minutes"] / size
        fam["debt_ratio"] = round(ratio, 5)
        fam["points_lost"] = round(w_debt * (100.0 - debt_to_score(ratio)), 2)
    return dict(sorted(families.items()))


def _model_folders(graph: ProjectGraph, models: Sequence[Model]) -> set[str]:
    folders = set()
    for m in models:
        for path in (m.path, *m.trained_in, *m.artifacts):
            parent = PurePosixPath(path).parent.as_posix()
            if parent not in (".", "") and not path.startswith("hf:") and "://" not in path:
                folders.add(parent)
    return folders


def _model_input(graph: ProjectGraph, model: Model, complexity: float) -> ModelInput:
    return ModelInput(
        id=model.id,
        entity=f"{model.path}::{model.name}",
        label=model.label,
        weight=1.0 + complexity,
        owned=bool(graph.owners_of(model.id)),
    )


def project_inputs(
    graph: ProjectGraph,
    models: Sequence[Model],
    complexities: Mapping[str, Any],
    project: ProjectEvidence,
) -> Inputs:
    code_files = [f for f in graph.files.values() if not f.is_test]
    reads = _reads(_read_sites(graph), None)
    return Inputs(
        ncloc=sum(f.stats.ncloc for f in code_files),
        models=tuple(_model_input(graph, m, complexities[m.id].score) for m in models),
        reads=reads,
        remote_sources=_remote_sources(_remote_nodes(graph), None),
        consumer_files=_consumer_files(graph),
        cycle_models=_cycle_models(graph),
        predicting_models=_predicting_models(graph),
        columns=_columns(graph),
        glue=_glue(code_files),
        training_files=tuple(sorted({p for m in models for p in m.trained_in})),
        evidence=_static_evidence(_project_wide(graph, project), covered_scope=None),
        no_model=not models,
    )


def _read_sites(graph: ProjectGraph) -> list[tuple[str, str, bool]]:
    """Resolved local data reads, one per read site: (data id, path, declared)."""
    out = []
    for read in graph.data_reads():
        node = graph.data_node(read.data_id)
        path = node.get("path")
        if path and not node.get("remote") and "://" not in path:
            out.append((read.data_id, path, bool(node.get("declared"))))
    return out


def _reads(
    sites: Sequence[tuple[str, str, bool]], scope: set[str] | None
) -> tuple[tuple[str, bool], ...]:
    return tuple(sorted((p, d) for node, p, d in sites if scope is None or node in scope))


def _remote_nodes(graph: ProjectGraph) -> dict[str, str]:
    """Remote data nodes the code reads or trains on (hub ids, URLs) -> their names."""
    names = {}
    for node, data in graph.nodes_of_kind("data"):
        path = data.get("path") or ""
        if not (data.get("remote") or "://" in path):
            continue
        rels = {d.get("rel") for _, _, d in graph.g.out_edges(node, data=True)}
        if rels & {"reads", "trains"}:
            names[node] = path.removeprefix("hf:")
    return names


def _remote_sources(remote: Mapping[str, str], scope: set[str] | None) -> tuple[str, ...]:
    return tuple(sorted({n for node, n in remote.items() if scope is None or node in scope}))


def _consumer_files(graph: ProjectGraph) -> tuple[str, ...] | None:
    """Files that load a model artifact this project saves, when the project declares consumers."""
    if not graph.manifest.consumers:
        return None
    files = set()
    for node, _ in graph.nodes_of_kind("data"):
        if not graph.is_model_artifact(node):
            continue
        for _, code, d in graph.g.out_edges(node, data=True):
            path = graph.g.nodes[code].get("path")
            relevant = d.get("rel") in ("loads", "reads") and path in graph.files
            if relevant and not graph.files[path].is_test:
                files.add(path)
    return tuple(sorted(files))


def _cycle_models(graph: ProjectGraph) -> frozenset[str]:
    """Models on a cycle of the data flow (predicts -> derives* -> trains), test code left out."""
    flow = nx.DiGraph()
    for u, v, d in graph.g.edges(data=True):
        if d.get("rel") not in ("derives", "trains", "predicts"):
            continue
        location = d.get("location")
        path = location.path if location is not None else None
        if path in graph.files and graph.files[path].is_test:
            continue
        flow.add_edge(u, v)
    on_cycle: set[str] = set()
    for component in nx.strongly_connected_components(flow):
        if len(component) > 1:
            on_cycle.update(n for n in component if graph.g.nodes[n].get("kind") == "model")
    return frozenset(on_cycle)


def _predicting_models(graph: ProjectGraph) -> frozenset[str]:
    return frozenset(u for u, _, d in graph.g.edges(data=True) if d.get("rel") == "predicts")


def _columns(graph: ProjectGraph) -> tuple[int, int] | None:
    """Columns a read selects by name (``usecols=``) that reach a model's fit, over all of them."""
    loaded = set()
    for facts in graph.files.values():
        if facts.is_test:
            continue
        for access in facts.data:
            if access.kind == "read" and access.columns and access.path.value is not None:
                loaded.update(f"col:{access.path.value}#{c}" for c in access.columns)
    if not loaded:
        return None
    used = sum(
        1
        for col in loaded
        if col in graph.g
        and any(d.get("rel") == "uses-column" for _, _, d in graph.g.out_edges(col, data=True))
    )
    return used, len(loaded)


def _glue(files: Iterable[Any]) -> tuple[int, int] | None:
    """(glue, classified) statements of the modules that import an ML package (as DL401)."""
    glue = total = 0
    for f in files:
        if f.stats.ml_packages and f.parse_error is None:
            glue += f.stats.glue
            total += f.stats.glue + f.stats.model + f.stats.other
    return (glue, total) if total else None


def _is_ml_code(facts: Any) -> bool:
    """Code a team would want tested: it imports an ML package, reads or writes data, or defines
    or uses a model (not tests, not unparsable files)."""
    if facts.is_test or facts.parse_error is not None:
        return False
    return bool(facts.stats.ml_packages or facts.data or facts.models)


def _suffixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def _covered(module: str, imports: set[str]) -> bool:
    """A test imports the module (by any dotted suffix, since tests may import it as installed)
    or a package that contains it."""
    for suffix in _suffixes(module):
        pieces = suffix.split(".")
        if any(".".join(pieces[:i]) in imports for i in range(1, len(pieces) + 1)):
            return True
    return False


def _static_evidence(base: _ProjectWide, covered_scope: set[str] | None) -> dict[str, Evidence]:
    tests, imports, ml = base.tests, base.imports, base.ml
    if covered_scope is not None:
        ml = [f for f in ml if f.path in covered_scope]
    evidence: dict[str, Evidence] = {}
    if not tests:
        evidence["tests"] = Evidence(0.0, "no test files")
    else:
        covered = sum(1 for f in ml if _covered(f.module, imports))
        share = covered / len(ml) if ml else 1.0
        evidence["tests"] = Evidence(
            round(TESTS_PRESENT + (1 - TESTS_PRESENT) * share, 4),
            f"{len(tests)} test files; they import {covered}/{len(ml)} ML modules",
        )
    evidence.update(base.fixed)
    return evidence


@dataclass
class _ProjectWide:
    """The evidence that is the same for the project and for each of its models (computed once
    per scan: once per model, it was a third of a warm scan of scikit-learn)."""

    tests: list[FileFacts]
    imports: set[str]
    ml: list[FileFacts]
    fixed: dict[str, Evidence]


def _project_wide(graph: ProjectGraph, project: ProjectEvidence) -> _ProjectWide:
    tests = [f for f in graph.files.values() if f.is_test]
    fixed: dict[str, Evidence] = {}
    ci = project.ci
    if ci.runs_tests:
        fixed["ci"] = Evidence(1.0, f"{ci.runs_tests[0]} runs tests")
    elif ci.files:
        fixed["ci"] = Evidence(CI_PRESENT, f"{ci.files[0]} (no test run found)")
    else:
        fixed["ci"] = Evidence(0.0, "no CI configuration")
    fixed["dependencies"] = _dependency_evidence(graph, project)
    saved = any(m.artifacts for m in graph.models() if not graph.files[m.path].is_test)
    if not saved:
        fixed["model_cards"] = Evidence(None, "no saved models")
    elif project.model_cards:
        fixed["model_cards"] = Evidence(1.0, ", ".join(project.model_cards[:3]))
    else:
        fixed["model_cards"] = Evidence(0.0, "models are saved, no model card found")
    return _ProjectWide(
        tests=tests,
        imports={m for f in tests for m in f.imported_modules},
        ml=[f for f in graph.files.values() if _is_ml_code(f)],
        fixed=fixed,
    )


def _dependency_evidence(graph: ProjectGraph, project: ProjectEvidence) -> Evidence:
    reqs = graph.manifest.requirements
    if reqs is not None and reqs.lock_files:
        return Evidence(1.0, f"lock file {reqs.lock_files[0]}")
    entries = [r for f in (reqs.files if reqs else []) for r in f.requirements]
    pinned = sum(1 for r in entries if r.pinned)
    if entries and pinned == len(entries):
        return Evidence(1.0, f"all {len(entries)} requirements pinned")
    declared = bool(entries) or bool(project.manifests)
    share = pinned / len(entries) if entries else 0.0
    value = DEPENDENCIES_DECLARED * declared + (1 - DEPENDENCIES_DECLARED) * share
    where = [f.path for f in reqs.files] if reqs else []
    where += project.manifests
    detail = (
        f"{pinned}/{len(entries)} requirements pinned ({', '.join(where[:3])})"
        if declared
        else "no dependency manifest"
    )
    return Evidence(round(value, 4), detail)


# -- per model -------------------------------------------------------------------------------------------
def model_scope(graph: ProjectGraph, model: Model) -> tuple[set[str], set[str]]:
    """(files, data ids) of the model's upstream subgraph: the files that define and train it,
    the data its training depends on and the scripts that write that data."""
    data = graph.upstream_data(model.id)
    files = {model.path, *model.trained_in}
    for node in data:
        for writer in graph.writers_of(node):
            path = graph.g.nodes[writer].get("path")
            if path in graph.files and not graph.files[path].is_test:
                files.add(path)
    return files, data


def per_model_scores(
    graph: ProjectGraph,
    models: Sequence[Model],
    complexities: Mapping[str, Any],
    project: ProjectEvidence,
    findings: Sequence[Finding],
    minutes: Mapping[str, float],
) -> list[dict[str, Any]]:
    by_path: dict[str, list[Finding]] = {}
    by_entity: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.location.path, []).append(f)
        if f.entity:
            by_entity.setdefault(f.entity, []).append(f)
    cycles = _cycle_models(graph)
    predicting = _predicting_models(graph)
    sites = _read_sites(graph)
    remote = _remote_nodes(graph)
    wide = _project_wide(graph, project)
    out = []
    for model in models:
        files, data = model_scope(graph, model)
        paths = {graph.data_node(d).get("path") for d in data} - {None}
        mine: dict[int, Finding] = {}
        for key in sorted(files):
            mine.update((id(f), f) for f in by_path.get(key, []))
        for key in sorted({f"{model.path}::{model.name}", *paths}):
            mine.update((id(f), f) for f in by_entity.get(key, []))
        scoped = [f for f in findings if id(f) in mine]  # keep the findings' order
        complexity = complexities[model.id]
        inputs = Inputs(
            ncloc=sum(graph.files[p].stats.ncloc for p in files),
            models=(_model_input(graph, model, complexity.score),),
            reads=_reads(sites, data),
            remote_sources=_remote_sources(remote, data),
            consumer_files=None,
            cycle_models=cycles & {model.id},
            predicting_models=predicting & {model.id},
            columns=None,
            glue=_glue(graph.files[p] for p in sorted(files)),
            training_files=tuple(sorted(model.trained_in)),
            evidence=_static_evidence(wide, covered_scope=files),
            no_model=False,
        )
        tally = Tally.of(scoped, minutes)
        parts = evaluate(inputs, tally)
        value = round(parts.value, 1)
        out.append(
            {
                "model": model.id,
                "label": model.label,
                "value": value,
                "grade": grade_of(value),
                "capped": parts.capped,
                "complexity": complexity.score,
                "complexity_factors": complexity.explain(),
                "files": sorted(files),
                "findings": len(scoped),
                "debt_minutes": round(tally.cost, 2),
                "components": _components(parts),
                "ratios": parts.ratios,
            }
        )
    # Worst first; a complex model at the same score is the bigger risk.
    return sorted(out, key=lambda m: (m["value"], -m["complexity"], m["model"]))


# -- what would raise it most ---------------------------------------------------------------------------
@dataclass
class _Group:
    action: str
    findings: list[Finding] = field(default_factory=list)
    what_if: WhatIf = WhatIf()


def improvements(
    inputs: Inputs,
    findings: Sequence[Finding],
    minutes: Mapping[str, float],
    tally: Tally,
    current: float,
) -> list[dict[str, Any]]:
    """Candidate fixes, each re-scored; the largest gains first."""
    groups = _groups(inputs, findings)
    for name, evidence in sorted(inputs.evidence.items()):
        if evidence.value is not None and evidence.value < 1.0:
            groups[("practice", name)] = _Group(
                PRACTICE_ACTIONS[name], what_if=WhatIf(practice=frozenset({name}))
            )
    if inputs.training_files and tally.flagged_items("seeds"):
        groups[("practice", "seeds")] = _Group(
            PRACTICE_ACTIONS["seeds"],
            [f for f in findings if f.code in _SEED_CODES],
            WhatIf(practice=frozenset({"seeds"})),
        )
    found = []
    for key, group in groups.items():
        rest = tally.minus(Tally.of(group.findings, minutes))
        gain = evaluate(inputs, rest, group.what_if).value - current
        if gain >= MIN_GAIN:
            codes = sorted({f.code for f in group.findings})
            found.append(
                {
                    "action": group.action,
                    "gain": round(gain, 1),
                    "codes": codes,
                    "findings": len(group.findings),
                    "_key": repr(key),
                }
            )
    found.sort(key=lambda i: (-i["gain"], i["_key"]))
    for item in found:
        del item["_key"]
    return found[:MAX_IMPROVEMENTS]


def _groups(inputs: Inputs, findings: Sequence[Finding]) -> dict[tuple[str, ...], _Group]:
    by_entity = {m.entity: m for m in inputs.models}
    groups: dict[tuple[str, ...], _Group] = {}
    for f in findings:
        if f.code == "DL101" and f.entity in by_entity:
            model = by_entity[f.entity]
            key: tuple[str, ...] = ("owner", model.id)
            group = groups.setdefault(
                key,
                _Group(
                    f"add an owner to {model.label}", what_if=WhatIf(owned=frozenset({model.id}))
                ),
            )
        elif f.code == "DL201":
            key = ("declare", f.entity)
            group = groups.setdefault(
                key,
                _Group(
                    f"declare {f.entity} as a data dependency",
                    what_if=WhatIf(declared=frozenset({f.entity})),
                ),
            )
        else:
            where = f.entity or f.location.path
            key = ("fix", f.code, where)
            group = groups.setdefault(key, _Group(f"fix {f.code} ({f.name}) on {where}"))
        group.findings.append(f)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    error_ids = {id(f) for f in errors}
    error_groups = [g for g in groups.values() if any(id(f) in error_ids for f in g.findings)]
    if len(error_groups) > 1:
        groups[("errors",)] = _Group(
            f"fix all {len(errors)} error-severity findings (lifts the cap of {ERROR_CAP:g})",
            errors,
            WhatIf(owned=frozenset().union(*(g.what_if.owned for g in error_groups))),
        )
    for group in groups.values():
        n = len(group.findings)
        if n > 1 and group.action.startswith(("declare", "fix ")):
            group.action += f" ({n} findings)"
    return groups
