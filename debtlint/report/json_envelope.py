"""The JSON envelope (schema documented in the README, checked by tests/test_json_schema.py)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from debtlint import __version__
from debtlint.engine import ScanResult

SCHEMA_VERSION = "1"


def resolution(result: ScanResult) -> dict[str, Any]:
    """How much of the repository the graph understands: resolved vs symbolic sites."""
    counts: dict[str, dict[str, int]] = {
        k: {"resolved": 0, "symbolic": 0} for k in ("reads", "writes", "model_sites")
    }
    for facts in result.facts:
        for access in facts.data:
            resolved = access.path.value is not None
            counts[access.kind + "s"]["resolved" if resolved else "symbolic"] += 1
        for site in facts.models:
            if site.path is not None:
                counts["model_sites"]["resolved" if site.path.value else "symbolic"] += 1
            else:
                counts["model_sites"]["resolved"] += 1
    total = sum(c["resolved"] + c["symbolic"] for c in counts.values())
    resolved = sum(c["resolved"] for c in counts.values())
    return {**counts, "rate": round(resolved / total, 4) if total else None}


def envelope(result: ScanResult) -> dict[str, Any]:
    findings = result.findings
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "debtlint", "version": __version__},
        "score": result.score.to_dict(),
        "summary": {
            "files_scanned": len(result.discovery.files),
            "files_skipped": len(result.discovery.skipped),
            "findings": len(findings),
            "by_code": dict(sorted(Counter(f.code for f in findings).items())),
            "by_severity": dict(sorted(Counter(f.severity.value for f in findings).items())),
            "models": len(result.graph.models()),
            "resolution": resolution(result),
            "metrics": result.metrics,
            "rules": result.ruleset.codes(),
            "notes": result.notes,
        },
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "message": f.message,
                **f.location.to_dict(),
                "entity": f.entity,
                "confidence": f.confidence.value,
                "fingerprint": f.fingerprint,
                "status": "new",
                "help": f.help,
                "properties": f.properties,
            }
            for f in findings
        ],
    }


def render_json(result: ScanResult) -> str:
    return json.dumps(envelope(result), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
