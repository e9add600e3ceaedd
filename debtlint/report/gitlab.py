"""``gitlab``: a GitLab Code Quality report (a Code Climate subset): a JSON array of issues with
``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location.path`` /
``location.lines.begin``. The fingerprint is debtlint's line-independent one, so GitLab's
merge-request widget does not see moved code as new debt."""

from __future__ import annotations

import json
from typing import Any

from debtlint.engine import ScanResult
from debtlint.findings import Severity
from debtlint.report.paths import file_line, repo_path, repo_prefix

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def code_quality_issues(result: ScanResult) -> list[dict[str, Any]]:
    prefix = repo_prefix(result.root)
    issues = []
    for f in result.findings:
        status = f" [{f.status}]" if f.status != "new" else ""
        issues.append(
            {
                "type": "issue",
                "description": f"{f.code} {f.message}{status}",
                "check_name": f"{f.code} {f.name}",
                "fingerprint": f.fingerprint,
                "severity": SEVERITIES[f.severity],
                "location": {
                    "path": repo_path(prefix, f.location.path),
                    "lines": {"begin": file_line(f.location)},
                },
            }
        )
    return issues


def render_gitlab(result: ScanResult) -> str:
    return json.dumps(code_quality_issues(result), indent=2, ensure_ascii=False) + "\n"
