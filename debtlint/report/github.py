"""``github``: GitHub Actions workflow-command annotations (ANCHORS.md §6.3).

``::warning file=src/a.py,line=3,endLine=3,col=5,endColumn=9,title=debtlint DL201::message``. Data is
escaped (``%``, CR, LF) and so are property values (also ``:`` and ``,``), as actions/toolkit does;
``col``/``endColumn`` are given only for one-line ranges, which is all GitHub accepts. Baselined
and fixme findings are notices, since they do not fail the gate. Actions shows only ten annotations
of each level per step, so :func:`append_step_summary` also writes the Markdown report to the job
summary (``$GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from debtlint.engine import ScanResult
from debtlint.findings import Finding, Severity
from debtlint.report.markdown import render_markdown
from debtlint.report.paths import file_line, repo_path, repo_prefix

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, path: str) -> str:
    loc = finding.location
    end = loc.to_dict()
    command = COMMANDS[finding.severity] if finding.status == "new" else "notice"
    line = file_line(loc)
    props = [("file", path), ("line", str(line))]
    # A notebook cell's columns are not columns of the .ipynb file: the line alone, then.
    end_line = max(end["end_line"], line) if loc.cell is None else line
    props.append(("endLine", str(end_line)))
    if end_line == line and loc.cell is None:
        props.append(("col", str(loc.col)))
        props.append(("endColumn", str(max(end["end_column"], loc.col))))
    title = f"debtlint {finding.code} ({finding.name})"
    if finding.status != "new":
        title += f" [{finding.status}]"
    props.append(("title", title))
    params = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    message = f"{finding.code} {finding.message}"
    if loc.cell is not None:
        message = f"{loc.display()}: {message}"
    if finding.status_reason:
        message += f"\n{finding.status}: {finding.status_reason}"
    if finding.help:
        message += f"\nhelp: {finding.help}"
    return f"::{command} {params}::{escape_data(message)}"


def render_github(result: ScanResult) -> str:
    prefix = repo_prefix(result.root)
    return "".join(
        annotation(f, repo_path(prefix, f.location.path)) + "\n" for f in result.findings
    )


def append_step_summary(result: ScanResult, env: Mapping[str, str] = os.environ) -> Path | None:
    """Append the Markdown report to the job summary when running in GitHub Actions."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(render_markdown(result) + "\n")
    return path
