"""The JSON envelope (schema documented in the README, checked by tests/test_json_schema.py)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from debtlint import __version__
from debtlint.engine import ScanResult
from debtlint.findings import Finding

SCHEMA_VERSION = "1"


def resolution(result: ScanResult) -> dict[str, Any]:
    """How much of the repository the graph understands: resolved vs symbolic sites."""
    counts = result.graph.resolution
    total = sum(c["resolved"] + c["symbolic"] for c in counts.values())
    resolved = sum(c["resolved"] for c in counts.values())
    return {
        **{k: dict(v) for k, v in counts.items()},
        "rate": round(resolved / total, 4) if total else None,
    }


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
            "by_status": dict(sorted(Counter(f.status for f in findings).items())),
            "suppressed": [s.to_dict() for s in result.suppressed],
            "models": len(result.graph.models()),
            "resolution": resolution(result),
            "metrics": result.metrics,
            "rules": result.ruleset.codes(),
            "notes": result.notes,
        },
        "findings": [finding_dict(f) for f in findings],
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as the envelope (and ``json-lines``) shows it."""
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        **f.location.to_dict(),
        "entity": f.entity,
        "confidence": f.confidence.value,
        "fingerprint": f.fingerprint,
        "status": f.status,
        "status_reason": f.status_reason,
        "help": f.help,
        "properties": f.properties,
    }


def render_json(result: ScanResult) -> str:
    return json.dumps(envelope(result), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
