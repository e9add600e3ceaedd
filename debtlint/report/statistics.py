"""``--statistics``: how many findings each rule produced, most frequent first (flake8's and Ruff's
``count code name`` layout), instead of the findings themselves."""

from __future__ import annotations

import json
from collections import Counter

from debtlint.engine import ScanResult
from debtlint.report.summary import score_line


def statistics(result: ScanResult) -> list[dict[str, object]]:
    counts = Counter(f.code for f in result.findings)
    new = Counter(f.code for f in result.findings if f.status == "new")
    names = {f.code: f.name for f in result.findings}
    return [
        {"code": code, "name": names[code], "count": count, "new": new[code]}
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def render_statistics(result: ScanResult, as_json: bool = False) -> str:
    rows = statistics(result)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(str(r["count"])) for r in rows), default=1)
    lines = []
    for row in rows:
        line = f"{row['count']:>{width}}\t{row['code']}\t{row['name']}"
        if row["new"] != row["count"]:
            line += f"\t({row['new']} new)"
        lines.append(line)
    lines.append(score_line(result))
    return "\n".join(lines) + "\n"
