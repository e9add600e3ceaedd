"""``sarif``: SARIF 2.1.0 as GitHub code scanning accepts it (ANCHORS.md §6.2).

One run; the rules that ran (and any that reported) come from the registry with their summary,
their "What it does" section and their whole documentation as help. Regions are 1-based, URIs are
relative to the repository (see :mod:`debtlint.report.paths`), and ``partialFingerprints`` carry
debtlint's line-independent fingerprint, so an alert survives code moving above it. Baselined
findings have ``baselineState: unchanged`` and fixme ones keep their status in ``properties``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from debtlint import __version__
from debtlint.engine import ScanResult
from debtlint.findings import Finding, Severity
from debtlint.report.paths import repo_path, repo_prefix
from debtlint.rule import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "debtlint/v1"
MAX_DESCRIPTION = 1024  # GitHub's limit for fullDescription.text
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "recommendation",
}


def section(documentation: str, heading: str) -> str:
    """The text under ``## heading`` of a rule's documentation, without the heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", documentation, re.M | re.S)
    return match.group(1).strip() if match else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rule_descriptor(rule: Rule | type[Rule], level: Severity) -> dict[str, Any]:
    doc = rule.documentation()
    what = " ".join(section(doc, "What it does").split()) or rule.summary()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": _clip(what, MAX_DESCRIPTION)},
        "help": {
            "text": f"{rule.summary()} See `debtlint rule {rule.code}` for examples and options.",
            "markdown": doc,
        },
        "defaultConfiguration": {"level": LEVELS[level]},
        "properties": {
            "tags": ["maintainability", "ml-technical-debt", rule.family()],
            "problem.severity": PROBLEM_SEVERITY[level],
        },
    }


def _region(finding: Finding) -> dict[str, int]:
    loc = finding.location
    if loc.cell is not None:
        # A notebook: the .ipynb line holding the cell's source line (see Location.file_region);
        # the cell and the line and column inside it are in the result's properties.
        return loc.file_region()
    end = loc.to_dict()
    return {
        "startLine": loc.line,
        "startColumn": max(loc.col, 1),
        "endLine": max(end["end_line"], loc.line),
        "endColumn": max(end["end_column"], 1),
    }


def sarif_log(result: ScanResult) -> dict[str, Any]:
    enabled = {r.code: r for r in result.ruleset.all}
    codes = sorted(set(enabled) | {f.code for f in result.findings})
    rules = []
    for code in codes:
        instance = enabled.get(code)
        cls = result.registry.rules.get(code)
        if instance is not None:
            rules.append(rule_descriptor(instance, instance.effective_severity(None)))
        elif cls is not None:
            rules.append(rule_descriptor(cls, cls.severity))
    index = {r["id"]: i for i, r in enumerate(rules)}
    prefix = repo_prefix(result.root)
    baseline_used = any(f.status == "baselined" for f in result.findings) or bool(
        result.settings.baseline
    )
    results = []
    for f in result.findings:
        item: dict[str, Any] = {
            "ruleId": f.code,
            "level": LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": repo_path(prefix, f.location.path)},
                        "region": _region(f),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
            "properties": {
                "status": f.status,
                "entity": f.entity,
                "confidence": f.confidence.value,
                **f.location.notebook_properties(),
            },
        }
        if f.code in index:
            item["ruleIndex"] = index[f.code]
        if f.status_reason:
            item["properties"]["statusReason"] = f.status_reason
        if baseline_used:
            item["baselineState"] = "unchanged" if f.status == "baselined" else "new"
        results.append(item)
    score = result.score
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "debtlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": not result.internal_errors}],
                "results": results,
                "properties": {
                    "score": score.value,
                    "grade": score.grade,
                    "scoreIncomplete": score.incomplete,
                },
            }
        ],
    }


def render_sarif(result: ScanResult) -> str:
    return json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n"
