"""Output formats. Each takes a ScanResult and returns the text to print; machine formats print
nothing but their document."""

from __future__ import annotations

from collections.abc import Callable

from debtlint.engine import ScanResult
from debtlint.report.concise import render_concise
from debtlint.report.full import render_full
from debtlint.report.github import render_github
from debtlint.report.gitlab import render_gitlab
from debtlint.report.grouped import render_grouped
from debtlint.report.json_envelope import render_json
from debtlint.report.json_lines import render_json_lines
from debtlint.report.junit import render_junit
from debtlint.report.markdown import render_markdown
from debtlint.report.sarif import render_sarif

FORMATS: dict[str, Callable[[ScanResult], str]] = {
    "full": render_full,
    "concise": render_concise,
    "grouped": render_grouped,
    "json": render_json,
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
    "markdown": render_markdown,
    "junit": render_junit,
}
# Human formats: they may be coloured (their renderers take ``color=``) and end with the score line.
COLOR_FORMATS = frozenset({"full", "concise", "grouped"})
