"""``junit``: JUnit XML for CI test-report views. One ``<testsuite>`` per file with findings, one
``<testcase>`` per finding (a ``<failure>``; baselined and fixme ones are ``<skipped>``, since they
do not fail the gate). A clean scan is one passing test case, so the CI view shows that it ran."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from debtlint.engine import ScanResult
from debtlint.report.paths import file_line, repo_path, repo_prefix


def render_junit(result: ScanResult) -> str:
    root = ET.Element("testsuites", name="debtlint")
    prefix = repo_prefix(result.root)
    total = failures = skipped = 0
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        findings = list(group)
        suite = ET.SubElement(root, "testsuite", name=path)
        suite_failures = suite_skipped = 0
        for f in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.code} {f.name} at {f.location.display()}",
                classname=f"debtlint.{f.code}",
                file=repo_path(prefix, path),
                line=str(file_line(f.location)),
            )
            if f.status == "new":
                suite_failures += 1
                failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
                failure.text = f"{f.location.display()}: {f.code} [{f.severity.value}] {f.message}"
                if f.help:
                    failure.text += f"\nhelp: {f.help}"
            else:
                suite_skipped += 1
                reason = f"{f.status}: {f.status_reason}" if f.status_reason else f.status
                ET.SubElement(case, "skipped", message=f"{reason} — {f.message}")
        suite.set("tests", str(len(findings)))
        suite.set("failures", str(suite_failures))
        suite.set("skipped", str(suite_skipped))
        total += len(findings)
        failures += suite_failures
        skipped += suite_skipped
    if not result.findings:
        suite = ET.SubElement(root, "testsuite", name="debtlint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="debtlint")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
