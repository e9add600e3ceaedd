"""Every output format on one project, compared with golden files (tests/golden/), plus the
properties each consumer relies on: SARIF against the official 2.1.0 schema and GitHub's own
requirements, workflow-command escaping, the job summary, JUnit and GitLab shapes.

Regenerate the golden files after an intended change with
``DEBTLINT_UPDATE_GOLDEN=1 pytest tests/test_formats.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from debtlint import __version__
from debtlint.baseline import Baseline
from debtlint.findings import Confidence, Finding, Location, Severity
from debtlint.report import FORMATS
from debtlint.report.github import annotation, escape_data, escape_property
from debtlint.report.paths import repo_path, repo_prefix
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"
SARIF_SCHEMA = json.loads((REPO / "tests/data/sarif-schema-2.1.0.json").read_text("utf-8"))
# Fixed rules, so that rules other people add do not change these files.
SELECT = "DL001,DL002,DL003,DL004,DL101,DL201"
EXTENSIONS = {
    "json": "json",
    "sarif": "json",
    "gitlab": "json",
    "json-lines": "jsonl",
    "junit": "xml",
    "markdown": "md",
}


@pytest.fixture
def project(tmp_path: Path, run_cli) -> Path:
    """A copy of tests/golden/project whose baseline holds the findings of baseline_model.py."""
    target = tmp_path / "project"
    shutil.copytree(GOLDEN / "project", target)
    _, out, _ = run_cli("scan", target, "--select", SELECT, "--output-format", "json")
    doc = json.loads(out)
    keep = [
        Finding(
            code=f["code"],
            name=f["name"],
            severity=Severity(f["severity"]),
            message=f["message"],
            location=Location(f["path"], f["line"]),
            entity=f["entity"],
            fingerprint=f["fingerprint"],
        )
        for f in doc["findings"]
        if f["path"] == "baseline_model.py"
    ]
    assert len(keep) == 2
    baseline = Baseline.from_findings(".debtlint-baseline.json", keep)
    (target / ".debtlint-baseline.json").write_text(baseline.to_json(), encoding="utf-8")
    return target


def _scan(run_cli, project: Path, fmt: str, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "scan",
        project,
        "--select",
        SELECT,
        "--baseline",
        project / ".debtlint-baseline.json",
        "--output-format",
        fmt,
        *extra,
    )


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_format_matches_golden_output(fmt, project, run_cli, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    code, out, _ = _scan(run_cli, project, fmt)
    assert code == 1  # the complex unowned ensemble is new debt
    out = out.replace(__version__, "<version>")
    golden = GOLDEN / f"{fmt}.{EXTENSIONS.get(fmt, 'txt')}"
    if os.environ.get("DEBTLINT_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["full", "concise", "grouped", "markdown"])
def test_human_formats_end_with_the_score_line(fmt, project, run_cli):
    _, out, _ = _scan(run_cli, project, fmt)
    assert out.rstrip("\n").splitlines()[-1].startswith("Maintainability score: ")


@pytest.mark.parametrize("fmt", ["json", "json-lines", "sarif", "gitlab"])
def test_machine_formats_print_only_their_document(fmt, project, run_cli):
    _, out, _ = _scan(run_cli, project, fmt)
    if fmt == "json-lines":
        rows = [json.loads(line) for line in out.splitlines()]
        assert rows and all(row["fingerprint"] for row in rows)
    else:
        json.loads(out)


def test_json_lines_rows_are_the_envelope_findings(project, run_cli):
    _, lines, _ = _scan(run_cli, project, "json-lines")
    _, envelope, _ = _scan(run_cli, project, "json")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(envelope)["findings"]


def test_statuses_and_suppressions_in_the_envelope(project, run_cli):
    _, out, _ = _scan(run_cli, project, "json")
    doc = json.loads(out)
    statuses = {(f["path"], f["line"], f["code"]): f["status"] for f in doc["findings"]}
    assert statuses[("baseline_model.py", 6, "DL201")] == "baselined"
    assert statuses[("train.py", 15, "DL201")] == "fixme"
    assert statuses[("train.py", 16, "DL101")] == "new"
    fixme = next(f for f in doc["findings"] if f["status"] == "fixme")
    assert fixme["status_reason"] == "DATA-7 catalog it"
    assert doc["summary"]["suppressed"] == [
        {
            "code": "DL201",
            "path": "train.py",
            "line": 14,
            "entity": "data/scratch.csv",
            "message": "reads data/scratch.csv, which is not declared as a data dependency",
            "fingerprint": doc["summary"]["suppressed"][0]["fingerprint"],
            "kind": "ignore",
            "reason": "notebook leftover",
        }
    ]
    assert doc["summary"]["by_status"] == {"baselined": 2, "fixme": 1, "new": 5}


# --- SARIF ------------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(project, run_cli):
    _, out, _ = _scan(run_cli, project, "sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log), key=str)
    assert errors == []


def test_the_schema_catches_a_broken_log(project, run_cli):
    # Without this, a schema that accepts anything would make the test above vacuous.
    _, out, _ = _scan(run_cli, project, "sarif")
    log = json.loads(out)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log))


def test_sarif_meets_github_code_scanning_requirements(project, run_cli):
    """ANCHORS.md §6.2: what GitHub requires beyond the schema."""
    _, out, _ = _scan(run_cli, project, "sarif")
    log = json.loads(out)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "debtlint" and driver["semanticVersion"] == __version__
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(SELECT.split(",")) <= set(rules)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(
            rule["shortDescription"]["text"]
        )
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
    assert run["results"]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["partialFingerprints"]["debtlint/v1"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and "\\" not in uri
        region = physical["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert min(region.values()) >= 1  # SARIF is 1-based
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["DL101"] in ("error", "warning") and levels["DL002"] == "warning"
    states = {r["properties"]["status"]: r.get("baselineState") for r in run["results"]}
    assert states == {"new": "new", "baselined": "unchanged", "fixme": "new"}


def test_sarif_fingerprints_survive_inserted_lines(project, run_cli):
    def fingerprints() -> dict[str, tuple[str, int]]:
        _, out, _ = _scan(run_cli, project, "sarif")
        found = {}
        for result in json.loads(out)["runs"][0]["results"]:
            physical = result["locations"][0]["physicalLocation"]
            found[result["partialFingerprints"]["debtlint/v1"]] = (
                physical["artifactLocation"]["uri"],
                physical["region"]["startLine"],
            )
        return found

    before = fingerprints()
    train = project / "train.py"
    train.write_text('"""Moved down."""\n\n\n' + train.read_text("utf-8"), encoding="utf-8")
    after = fingerprints()
    assert set(after) == set(before)
    for fingerprint, (uri, line) in before.items():
        assert after[fingerprint] == (uri, line + 3 if uri == "train.py" else line)


def test_uris_are_relative_to_the_repository_not_the_project(tmp_path, run_cli):
    repo = tmp_path / "repo"
    project = repo / "services" / "ml"
    shutil.copytree(GOLDEN / "project", project)
    (repo / ".git").mkdir()  # enough for the root search; git itself is never run
    _, out, _ = run_cli("scan", project, "--select", "DL201", "--output-format", "sarif")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
    }
    assert uris == {"services/ml/train.py", "services/ml/baseline_model.py"}
    _, out, _ = run_cli("scan", project, "--select", "DL201", "--output-format", "gitlab")
    assert {i["location"]["path"] for i in json.loads(out)} == uris
    _, out, _ = run_cli("scan", project, "--select", "DL201", "--output-format", "github")
    assert all("file=services/ml/" in line for line in out.splitlines())


def test_repo_paths():
    assert repo_path("", "a/b.py") == "a/b.py"
    assert repo_path("ml/", "a/b.py") == "ml/a/b.py"
    assert repo_path("ml/", ".") == "ml"
    assert repo_path("", ".") == "."


def test_repo_prefix_outside_a_repository(tmp_path):
    assert repo_prefix(tmp_path) == ""


# --- GitHub annotations -----------------------------------------------------------------------


def _finding(message: str, path: str, line: int = 3, end_line: int | None = 3) -> Finding:
    return Finding(
        code="DL201",
        name="undeclared-data-dependency",
        severity=Severity.WARNING,
        message=message,
        location=Location(path, line, 5, end_line, 9),
        confidence=Confidence.HIGH,
        fingerprint="0" * 16,
    )


def test_github_escaping_of_data_and_properties():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"
    line = annotation(_finding("reads a%b, c:d\nsecond line", "we%ird,na:me.py"), "we%ird,na:me.py")
    assert line == (
        "::warning file=we%25ird%2Cna%3Ame.py,line=3,endLine=3,col=5,endColumn=9,"
        "title=debtlint DL201 (undeclared-data-dependency)"
        "::DL201 reads a%25b, c:d%0Asecond line"
    )
    assert "\n" not in line


def test_github_omits_columns_for_multi_line_ranges():
    line = annotation(_finding("m", "a.py", line=3, end_line=7), "a.py")
    assert line.startswith("::warning file=a.py,line=3,endLine=7,title=")
    assert "col=" not in line and "endColumn=" not in line


def test_github_annotations_for_awkward_paths_end_to_end(tmp_path, run_cli):
    (tmp_path / "debtlint.yaml").write_text("select: [DL201]\n", encoding="utf-8")
    (tmp_path / "load%50,v1:b.py").write_text(
        'import pandas as pd\ndf = pd.read_csv("data/a%b,c:d.csv")\n', encoding="utf-8"
    )
    code, out, _ = run_cli("scan", tmp_path, "--output-format", "github")
    assert out == (
        "::warning file=load%2550%2Cv1%3Ab.py,line=2,endLine=2,col=6,endColumn=37,"
        "title=debtlint DL201 (undeclared-data-dependency)::DL201 reads data/a%25b,c:d.csv, "
        "which is not declared as a data dependency%0Ahelp: Declare it in debtlint.yaml "
        "(data: [data/a%25b,c:d.csv]), in a dvc.yaml stage's deps, or in the Kedro catalog.\n"
    )
    assert code == 0


def test_github_writes_the_job_summary(project, run_cli, tmp_path, monkeypatch):
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _, out, _ = _scan(run_cli, project, "github")
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n## debtlint: ")  # appended, not replaced
    assert "| error | DL101 | `train.py:16:13` |" in text
    assert "## debtlint" not in out  # stdout stays annotations only


# --- GitLab, JUnit, Markdown ------------------------------------------------------------------


def test_gitlab_code_quality_fields(project, run_cli):
    _, out, _ = _scan(run_cli, project, "gitlab")
    issues = json.loads(out)
    assert issues
    for issue in issues:
        assert issue["description"] and issue["check_name"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert {i["severity"] for i in issues if i["check_name"].startswith("DL101")} == {
        "critical",
        "minor",
    }


def test_junit_is_well_formed_and_counts_failures(project, run_cli):
    _, out, _ = _scan(run_cli, project, "junit")
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("tests")) == len(cases) == 8
    assert int(root.get("failures")) == len(root.findall("./testsuite/testcase/failure")) == 5
    assert int(root.get("skipped")) == 3  # two baselined, one fixme


def test_junit_for_a_clean_project_has_one_passing_case(tmp_path, run_cli):
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    _, out, _ = run_cli("scan", tmp_path, "--output-format", "junit")
    root = ET.fromstring(out.encode("utf-8"))
    assert root.get("tests") == "1" and root.get("failures") == "0"


def test_markdown_escapes_table_cells():
    from debtlint.report.markdown import cell

    assert cell("a | b\nc") == "a \\| b<br>c"
