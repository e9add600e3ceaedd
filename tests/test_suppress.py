"""Suppression comments and per-file/per-rule ignores (debtlint/suppress.py, DESIGN.md §9)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from debtlint.suppress import parse_directive, scan_comments
from tests.conftest import FIXTURES, write_tree

COMPLEX_MODEL = (FIXTURES / "kaggle_script" / "train.py").read_text("utf-8")


def covered(source: str) -> list[tuple[str, list[str], int, int]]:
    return [
        (c.kind, c.codes, c.first_line, c.last_line)
        for c in scan_comments(textwrap.dedent(source).lstrip("\n"))
    ]


def scan_json(run_cli, root: Path, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli("scan", root, "--output-format", "json", *args)
    assert code in (0, 1), err
    return code, json.loads(out)


def found(doc: dict) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["code"]) for f in doc["findings"]}


# --- reading the comments ---------------------------------------------------------------------


def test_directive_syntax():
    assert parse_directive("# debtlint: ignore[DL201] vendor data") == (
        "ignore",
        ["DL201"],
        "vendor data",
    )
    assert parse_directive("#debtlint:fixme[DL201,DL101]JIRA-9") == (
        "fixme",
        ["DL201", "DL101"],
        "JIRA-9",
    )
    assert parse_directive("# DebtLint: File-Ignore[unowned-model]") == (
        "file-ignore",
        ["unowned-model"],
        "",
    )
    assert parse_directive("# noqa: E501  # debtlint: ignore") == ("ignore", [], "")
    assert parse_directive("# debtlint is great") is None
    assert parse_directive("# debtlint: disable[DL201]") is None


def test_trailing_comment_covers_the_whole_logical_line():
    assert covered(
        """
        df = pd.read_csv(
            "data/x.csv",  # debtlint: ignore[DL201] why
        )
        y = 1
        """
    ) == [("ignore", ["DL201"], 1, 3)]


def test_comment_above_covers_the_statement_below():
    assert covered(
        """
        x = 1
        # debtlint: fixme[DL201] T-1
        # an ordinary comment in between
        df = pd.read_csv(
            "data/x.csv",
        )
        """
    ) == [("fixme", ["DL201"], 4, 6)]


def test_a_blank_line_detaches_a_comment_from_the_statement():
    assert covered(
        """
        # debtlint: ignore[DL201]

        df = pd.read_csv("data/x.csv")
        """
    ) == [("ignore", ["DL201"], 1, 1)]


def test_comment_above_decorators_covers_the_decorated_definition():
    assert covered(
        """
        # debtlint: ignore[DL101]
        @register
        @other(
            1,
        )
        class Net(nn.Module):
            pass
        """
    ) == [("ignore", ["DL101"], 2, 6)]


def test_file_ignore_covers_the_file_and_strings_are_not_comments():
    assert covered(
        '''
        """Docstring mentioning # debtlint: ignore[DL201]."""
        x = "# debtlint: ignore[DL101]"
        # debtlint: file-ignore[DL401]
        '''
    ) == [("file-ignore", ["DL401"], 1, 4)]


def test_comment_at_the_end_of_a_block_covers_only_its_line():
    assert covered(
        """
        def f():
            return 1
            # debtlint: ignore[DL201]
        """
    ) == [("ignore", ["DL201"], 3, 3)]


def test_source_the_tokenizer_rejects_falls_back_to_lines():
    # An unterminated bracket: libcst would refuse it too, but the reader must not crash.
    assert covered("x = (1,  # debtlint: ignore[DL201]\n") == [("ignore", ["DL201"], 1, 1)]


# --- applying them ----------------------------------------------------------------------------


def test_ignore_removes_the_finding_and_records_the_reason(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": "select: [DL201, DL002]\n",
            "load.py": textwrap.dedent(
                """
                import pandas as pd
                a = pd.read_csv(
                    "data/a.csv",  # debtlint: ignore[DL201] fixture data for a demo
                )
                # debtlint: ignore[undeclared-data-dependency] names work too
                b = pd.read_csv("data/b.csv")
                c = pd.read_csv("data/c.csv")
                """
            ).lstrip(),
        },
    )
    _, doc = scan_json(run_cli, tmp_path)
    assert found(doc) == {("load.py", 7, "DL201")}
    assert [(s["line"], s["kind"], s["reason"]) for s in doc["summary"]["suppressed"]] == [
        (2, "ignore", "fixture data for a demo"),
        (6, "ignore", "names work too"),
    ]
    assert doc["summary"]["findings"] == 1


def test_fixme_keeps_the_finding_in_the_score_but_opens_the_gate(tmp_path, run_cli):
    write_tree(tmp_path, {"train.py": COMPLEX_MODEL})
    code, doc = scan_json(run_cli, tmp_path)
    (error,) = [f for f in doc["findings"] if f["severity"] == "error"]
    assert code == 1
    score_before = doc["score"]["value"]
    lines = COMPLEX_MODEL.splitlines()
    lines.insert(error["line"] - 1, "# debtlint: fixme[DL101] ML-1234 owner being hired")
    (tmp_path / "train.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, doc = scan_json(run_cli, tmp_path)
    (error,) = [f for f in doc["findings"] if f["severity"] == "error"]
    assert (error["status"], error["status_reason"]) == ("fixme", "ML-1234 owner being hired")
    assert doc["score"]["value"] == score_before
    assert code == 0


def test_unused_blanket_and_unknown_suppressions_are_findings(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "a.py": textwrap.dedent(
                """
                import pandas as pd
                x = 1  # debtlint: ignore[DL201] nothing is read here
                df = pd.read_csv("data/a.csv")  # debtlint: ignore
                y = 2  # debtlint: fixme[DL2O1] letter O
                z = 3  # debtlint: ignore[DL101] not enabled
                """
            ).lstrip(),
        },
    )
    _, doc = scan_json(run_cli, tmp_path, "--select", "DL0,DL201")
    by_line = {(f["line"], f["code"]): f["message"] for f in doc["findings"]}
    assert set(by_line) == {(2, "DL002"), (3, "DL003"), (4, "DL004"), (5, "DL002")}
    assert "suppresses nothing for DL201" in by_line[(2, "DL002")]
    assert "DL101 (not enabled)" in by_line[(5, "DL002")]
    # the blanket one still applies: the read on line 3 is suppressed, not reported
    assert [s["line"] for s in doc["summary"]["suppressed"]] == [3]


def test_suppression_findings_are_not_emitted_when_their_rules_are_off(tmp_path, run_cli):
    write_tree(tmp_path, {"a.py": "x = 1  # debtlint: ignore\n"})
    _, doc = scan_json(run_cli, tmp_path, "--select", "DL201")
    assert doc["findings"] == []


def test_per_file_ignores_with_negation(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": textwrap.dedent(
                """
                select: [DL201]
                per-file-ignores:
                  "notebooks/**": [DL201]
                  "!src/**": [data-dependencies]
                """
            ),
            "notebooks/explore.py": 'import pandas as pd\npd.read_csv("data/a.csv")\n',
            "scripts/once.py": 'import pandas as pd\npd.read_csv("data/b.csv")\n',
            "src/pipeline.py": 'import pandas as pd\npd.read_csv("data/c.csv")\n',
        },
    )
    _, doc = scan_json(run_cli, tmp_path)
    assert found(doc) == {("src/pipeline.py", 2, "DL201")}
    reasons = {s["path"]: s["reason"] for s in doc["summary"]["suppressed"]}
    assert reasons == {
        "notebooks/explore.py": "per-file-ignores 'notebooks/**'",
        "scripts/once.py": "per-file-ignores '!src/**'",
    }


def test_per_rule_ignores_by_entity(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": textwrap.dedent(
                """
                select: [DL201]
                per-rule-ignores:
                  DL201: ["data/scratch/*", "s3://sandbox/*"]
                """
            ),
            "a.py": textwrap.dedent(
                """
                import pandas as pd
                pd.read_csv("data/scratch/tmp.csv")
                pd.read_csv("s3://sandbox/x.csv")
                pd.read_csv("data/real.csv")
                """
            ).lstrip(),
        },
    )
    _, doc = scan_json(run_cli, tmp_path)
    assert found(doc) == {("a.py", 4, "DL201")}
    assert {s["kind"] for s in doc["summary"]["suppressed"]} == {"per-rule-ignores"}


def test_unknown_selector_in_per_file_ignores_is_a_config_error(tmp_path, run_cli):
    write_tree(tmp_path, {"debtlint.yaml": 'per-file-ignores:\n  "tests/**": [DL201, DL9999]\n'})
    code, _, err = run_cli("scan", tmp_path)
    assert code == 2
    assert "debtlint.yaml:2: per-file-ignores.tests/**.1: 'DL9999' matches no rule" in err


def test_ignoring_a_finding_does_not_renumber_its_siblings(tmp_path, run_cli):
    # Two reads of the same file in one module share code, path and entity; their fingerprints
    # differ by occurrence. Ignoring the first must not hand its fingerprint to the second.
    source = 'import pandas as pd\npd.read_csv("data/a.csv")\npd.read_csv("data/a.csv")\n'
    write_tree(tmp_path, {"a.py": source})
    _, before = scan_json(run_cli, tmp_path, "--select", "DL201")
    second = before["findings"][1]["fingerprint"]
    lines = source.splitlines()
    lines[1] += "  # debtlint: ignore[DL201] test data"
    (tmp_path / "a.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, after = scan_json(run_cli, tmp_path, "--select", "DL201")
    assert [f["fingerprint"] for f in after["findings"]] == [second]
