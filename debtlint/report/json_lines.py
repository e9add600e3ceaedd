"""``json-lines``: one JSON object per finding and line, the fields of the envelope's findings."""

from __future__ import annotations

import json

from debtlint.engine import ScanResult
from debtlint.report.json_envelope import finding_dict


def render_json_lines(result: ScanResult) -> str:
    return "".join(
        json.dumps(finding_dict(f), ensure_ascii=False, separators=(",", ":")) + "\n"
        for f in result.findings
    )
