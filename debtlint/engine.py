"""The one way data flows: discover -> phase 1 per file -> graph -> project rules -> findings ->
fingerprints -> score. The CLI and the tests both call :func:`scan`."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from debtlint.baseline import BaselineError, apply_baseline, load_baseline
from debtlint.config import ConfigError, Settings
from debtlint.discovery import Discovery, discover
from debtlint.facts.model import FileFacts
from debtlint.facts.names import module_name
from debtlint.findings import Confidence, Finding, Location, Severity
from debtlint.graph import Manifest, ProjectGraph, build_graph
from debtlint.knowledge import Catalog, CatalogError
from debtlint.loader import LoaderError, Registry
from debtlint.metadata.codeowners import CodeOwners
from debtlint.metadata.dvc import load_dvc
from debtlint.metadata.kedro import load_kedro_catalog
from debtlint.metadata.mlproject import load_mlproject
from debtlint.metadata.requirements import load_requirements
from debtlint.phase1 import phase1_options, run_phase1
from debtlint.plugins import PluginError, pack_directories
from debtlint.rule import FileRule, RuleSet
from debtlint.score import Score, compute_score, remediation_minutes
from debtlint.suppress import Suppressed, apply_suppressions, check_settings


@dataclass
class Selection:
    """Rule selection given on the command line; it extends or replaces the configured one."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


@dataclass
class ScanResult:
    root: Path
    settings: Settings
    discovery: Discovery
    facts: list[FileFacts]
    graph: ProjectGraph
    findings: list[Finding]
    score: Score
    ruleset: RuleSet
    registry: Registry
    metrics: dict[str, Any]
    notes: list[str]
    tracebacks: list[str]
    # Findings left out by `# debtlint: ignore` comments or per-file/per-rule ignores.
    suppressed: list[Suppressed] = field(default_factory=list)

    @property
    def internal_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.code == "DL000"]


def prepare(settings: Settings, selection: Selection | None = None) -> tuple[Registry, RuleSet]:
    """Load rule packs and select rules, turning every configuration mistake into a ConfigError."""
    try:
        registry = Registry.load(pack_directories(settings))
    except PluginError as exc:
        file, line = settings.line_of("rule-pack-entry-points")
        key = "rule-pack-entry-points"
        raise ConfigError(file if line is not None else "", line, key, str(exc)) from None
    except LoaderError as exc:
        file, line = settings.line_of("rule-packs")
        raise ConfigError(file or "rule-packs", line, "rule-packs", str(exc)) from None
    for key, selectors in (
        ("select", settings.select or []),
        ("extend-select", settings.extend_select),
        ("ignore", settings.ignore),
        ("severity", list(settings.severity)),
    ):
        for index, sel in enumerate(selectors):
            if not registry.expand(sel):
                file, line = settings.line_of(
                    f"{key}.{index}" if key != "severity" else f"{key}.{sel}"
                )
                raise ConfigError(
                    file, line, key, f"{sel!r} matches no rule (see `debtlint rule --all`)"
                )
    for key, message in registry.option_errors(settings.rule_options):
        file, line = settings.line_of(f"rule-options.{key}")
        raise ConfigError(file, line, f"rule-options.{key}", message)
    check_settings(settings, registry)
    selection = selection or Selection()
    for sel in [*(selection.select or []), *selection.extend_select, *selection.ignore]:
        if not registry.expand(sel):
            raise ConfigError("command line", None, "--select/--ignore", f"{sel!r} matches no rule")
    select = selection.select if selection.select is not None else settings.select
    ruleset = registry.select(
        select,
        [*settings.extend_select, *selection.extend_select],
        [*settings.ignore, *selection.ignore],
        settings.severity,
        settings.rule_options,
    )
    return registry, ruleset


def load_catalog(settings: Settings) -> Catalog:
    catalog = Catalog.builtin()
    if not settings.api_catalogs:
        return catalog
    try:
        return catalog.extended([settings.root / p for p in settings.api_catalogs], settings.root)
    except CatalogError as exc:
        raise ConfigError(str(exc.file), exc.line, "api-catalogs", exc.message) from None


def load_manifest(settings: Settings, notes: list[str]) -> Manifest:
    root = settings.root
    codeowners = CodeOwners.load(root)
    if codeowners is not None:
        notes.extend(f"{codeowners.file}:{line}: {msg}" for line, msg in codeowners.problems)
    dvc = load_dvc(root)
    notes.extend(
        f"{file}:{line}: {msg}" if line else f"{file}: {msg}" for file, line, msg in dvc.problems
    )
    kedro, kedro_problems = load_kedro_catalog(root)
    notes.extend(
        f"{file}:{line}: {msg}" if line else f"{file}: {msg}" for file, line, msg in kedro_problems
    )
    mlproject = load_mlproject(root)
    notes.extend(f"{file}:{line}: {msg}" for file, line, msg in mlproject.problems)
    return Manifest(
        models=settings.models,
        data=settings.data,
        codeowners=codeowners,
        dvc=dvc,
        kedro=kedro,
        mlproject=mlproject,
        consumers=settings.consumers,
        requirements=load_requirements(root),
    )


def scan(
    settings: Settings,
    paths: Sequence[Path] = (),
    selection: Selection | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cache_root: Path | None = None,
) -> ScanResult:
    """Scan ``paths`` (none: the whole project). ``progress(done, total)`` is told how phase 1
    advances. ``cache_root``: another project root whose cache entries this scan may reuse (a
    ``--diff`` scan of a ref's tree exported to a temporary folder); such a scan never prunes."""
    registry, ruleset = prepare(settings, selection)
    catalog = load_catalog(settings)
    root = settings.root

    def find(extensions: tuple[str, ...]) -> Discovery:
        return discover(
            root,
            paths,
            exclude=settings.exclude if settings.exclude is not None else (),
            extend_exclude=settings.extend_exclude,
            respect_gitignore=settings.respect_gitignore,
            max_file_size=settings.max_file_size,
            use_default_excludes=settings.exclude is None,
            extensions=extensions,
        )

    found = find((".py", ".ipynb") if settings.notebooks else (".py",))
    project_modules = _module_index(found.files)
    syntax_rule = next((r for r in ruleset.file_rules if r.code == "DL001"), None)
    visitors = [r for r in ruleset.file_rules if r.code not in ("DL001", "DL000")]
    notes = [f"skipped {path}: {reason}" for path, reason in found.skipped]
    options = phase1_options(settings, paths)
    if cache_root is not None:
        options = replace(options, cache_root=cache_root, complete=False)
    results = run_phase1(
        root,
        found.files,
        catalog,
        visitors,
        project_modules,
        syntax_rule,
        notes,
        options,
        progress=progress,
    )
    manifest = load_manifest(settings, notes)
    facts = [r.facts for r in results]
    graph = build_graph(root, facts, manifest, catalog)

    # Other kinds of project files (DL504's configs), found as the sources were.
    graph.file_finder = lambda extensions: find(extensions).files
    findings: list[Finding] = []
    tracebacks: list[str] = []
    for result in results:
        findings.extend(result.findings)
        if result.skip_reason:
            notes.append(f"skipped {result.facts.path}: {result.skip_reason}")
        for code, message, trace in result.crashes:
            findings.append(_internal_error(code, result.facts.path, message))
            tracebacks.append(trace)
    metrics: dict[str, Any] = {}
    for rule in ruleset.project_rules:
        try:
            rule.check(graph)
            collect = getattr(rule, "metrics", None)
            if collect is not None:
                metrics[rule.code] = collect(graph)
            findings.extend(rule.take_findings())
        except Exception as exc:
            rule.take_findings()  # a half-finished check must not report anything
            findings.append(_internal_error(rule.code, None, f"{type(exc).__name__}: {exc}"))
            tracebacks.append(traceback.format_exc())
    # File rules with a project part (FileRule.check_project), on the facts their file part kept.
    for file_rule in ruleset.file_rules:
        if type(file_rule).check_project is FileRule.check_project:
            continue
        try:
            file_rule.check_project(graph)
            findings.extend(file_rule.take_findings())
        except Exception as exc:
            file_rule.take_findings()
            findings.append(_internal_error(file_rule.code, None, f"{type(exc).__name__}: {exc}"))
            tracebacks.append(traceback.format_exc())
    findings = _in_notebook_cells(findings, graph.files)
    findings = assign_fingerprints(findings)
    # Fingerprints come first, so that ignoring one finding never renumbers its siblings.
    outcome = apply_suppressions(findings, facts, settings, ruleset, registry)
    findings = sorted(
        [f for f in outcome.findings if f.fingerprint]
        + assign_fingerprints([f for f in outcome.findings if not f.fingerprint]),
        key=lambda f: f.sort_key(),
    )
    if settings.baseline:
        findings = _baselined(settings, findings, notes)
    incomplete = any(f.code in ("DL000", "DL001") for f in findings) or any(
        r.facts.parse_error for r in results
    )
    minutes = remediation_minutes(registry.rules[c] for c in registry.rules)
    score = compute_score(findings, graph, minutes, incomplete)
    return ScanResult(
        root=root,
        settings=settings,
        discovery=found,
        facts=facts,
        graph=graph,
        findings=findings,
        score=score,
        ruleset=ruleset,
        registry=registry,
        metrics=metrics,
        notes=notes,
        tracebacks=tracebacks,
        suppressed=outcome.suppressed,
    )


def _baselined(settings: Settings, findings: list[Finding], notes: list[str]) -> list[Finding]:
    assert settings.baseline is not None
    try:
        baseline = load_baseline(settings.root / settings.baseline, settings.baseline)
    except BaselineError as exc:
        raise ConfigError(exc.file, None, "baseline", exc.message) from None
    findings, gone = apply_baseline(findings, baseline)
    if gone:
        notes.append(
            f"{baseline.file}: {gone} baselined finding{'s' if gone != 1 else ''} no longer "
            f"occur; run `debtlint scan --write-baseline {baseline.file}` to lock in the progress"
        )
    return findings


def _module_index(files: Sequence[str]) -> set[str]:
    """Every dotted suffix of every project module: `src.pkg.mod`, `pkg.mod`, `mod`, and packages."""
    names: set[str] = set()
    for path in files:
        parts = module_name(path).split(".")
        for start in range(len(parts)):
            for end in range(start + 1, len(parts) + 1):
                names.add(".".join(parts[start:end]))
    return names


def _in_notebook_cells(findings: list[Finding], files: dict[str, FileFacts]) -> list[Finding]:
    """A project rule that built a notebook location from a fact's span by hand (line of the joined
    module, no cell) gets it mapped to the cell, like everything else in a notebook."""
    out = []
    for finding in findings:
        loc = finding.location
        facts = files.get(loc.path)
        if loc.cell is None and facts is not None and facts.notebook is not None:
            end_line = loc.end_line if loc.end_line is not None else loc.line
            end_col = loc.end_col if loc.end_col is not None else loc.col
            span = (loc.line, loc.col, end_line, end_col)
            finding = replace(finding, location=facts.location(span))
        out.append(finding)
    return out


def _internal_error(code: str, path: str | None, message: str) -> Finding:
    where = f" on {path}" if path else " on the project graph"
    return Finding(
        code="DL000",
        name="internal-error",
        severity=Severity.ERROR,
        message=f"{code} crashed{where} ({message}); results are incomplete",
        location=Location(path or ".", 1, 1),
        entity=f"{code}:{path or '<project>'}",
        confidence=Confidence.HIGH,
        help="Run with -v for the traceback and report it; --ignore the rule meanwhile.",
    )


def assign_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """Line-independent fingerprints: code, path, entity (else the message), and an occurrence
    number among findings that share all of those. Moving code does not change them."""
    ordered = sorted(findings, key=lambda f: f.sort_key())
    seen: dict[str, int] = {}
    out = []
    for finding in ordered:
        key = f"{finding.code}|{finding.location.path}|{finding.entity or finding.message}"
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        digest = hashlib.sha256(f"{key}|{occurrence}".encode()).hexdigest()[:16]
        out.append(finding.with_fingerprint(digest))
    return out
