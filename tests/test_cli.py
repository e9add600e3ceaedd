"""The command line: exit codes, configuration errors, the JSON envelope, safety."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from debtlint.cli import rule_table
from debtlint.loader import Registry
from tests.conftest import FIXTURES, REPO, write_tree

SCHEMA = json.loads((REPO / "debtlint/report/schema/envelope-1.json").read_text())

SIMPLE_MODEL = (
    "from sklearn.linear_model import LogisticRegression\n"
    "model = LogisticRegression()\n"
    "model.fit([[0], [1]], [0, 1])\n"
)


@pytest.mark.parametrize("name", ["clean_dvc_pipeline", "kaggle_script", "torch_project"])
def test_json_output_validates_against_the_envelope_schema(name, run_cli):
    _, out, _ = run_cli("scan", FIXTURES / name, "--output-format", "json")
    doc = json.loads(out)  # stdout holds the document and nothing else
    jsonschema.validate(doc, SCHEMA)
    assert doc["summary"]["files_scanned"] >= 4


def test_schema_rejects_a_broken_envelope(run_cli):
    _, out, _ = run_cli("scan", FIXTURES / "kaggle_script", "--output-format", "json")
    doc = json.loads(out)
    doc["findings"][0]["line"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_malformed_yaml_exits_2_with_file_and_line(tmp_path, run_cli):
    write_tree(tmp_path, {"debtlint.yaml": "models:\n  a:\n    owner: [x\n", "train.py": "x = 1\n"})
    code, out, err = run_cli("scan", tmp_path)
    assert code == 2
    assert out == ""
    assert "debtlint.yaml:" in err and "invalid YAML" in err


def test_unknown_key_exits_2_naming_file_key_and_line(tmp_path, run_cli):
    write_tree(tmp_path, {"debtlint.yaml": "select: [DL101]\nexlude: [x]\n", "a.py": "x = 1\n"})
    code, _, err = run_cli("scan", tmp_path)
    assert code == 2
    assert "debtlint.yaml:2" in err and "exlude" in err and "exclude" in err


def test_wrong_type_exits_2(tmp_path, run_cli):
    write_tree(tmp_path, {"debtlint.yaml": "fail-under: high\n", "a.py": "x = 1\n"})
    code, _, err = run_cli("scan", tmp_path)
    assert code == 2 and "debtlint.yaml:1" in err and "fail-under" in err


def test_unknown_rule_in_config_exits_2_with_line(tmp_path, run_cli):
    write_tree(tmp_path, {"debtlint.yaml": "ignore:\n  - DL101\n  - DL999\n", "a.py": "x = 1\n"})
    code, _, err = run_cli("scan", tmp_path)
    assert code == 2 and "debtlint.yaml:3" in err and "DL999" in err


def test_bad_rule_option_exits_2(tmp_path, run_cli):
    config = "rule-options:\n  DL101:\n    complexity-threshold: lots\n"
    write_tree(tmp_path, {"debtlint.yaml": config, "a.py": "x = 1\n"})
    code, _, err = run_cli("scan", tmp_path)
    assert code == 2 and "complexity-threshold" in err and "debtlint.yaml:" in err


def test_pyproject_configuration_is_read(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {"pyproject.toml": '[tool.debtlint]\nignore = ["DL101"]\n', "train.py": SIMPLE_MODEL},
    )
    _, out, _ = run_cli("scan", tmp_path, "--output-format", "concise")
    assert "DL101" not in out
    write_tree(tmp_path, {"pyproject.toml": "[tool.debtlint]\nignore = 3\n"})
    code, _, err = run_cli("scan", tmp_path)
    assert code == 2 and "pyproject.toml:2" in err


def test_syntax_error_is_a_finding_and_the_scan_goes_on(tmp_path, run_cli):
    write_tree(tmp_path, {"broken.py": "def f(:\n    pass\n", "train.py": SIMPLE_MODEL})
    code, out, _ = run_cli("scan", tmp_path, "--output-format", "json")
    doc = json.loads(out)
    codes = {(f["path"], f["code"]) for f in doc["findings"]}
    assert ("broken.py", "DL001") in codes
    assert ("train.py", "DL101") in codes  # the other file was still analysed
    assert doc["score"]["incomplete"] is True
    assert code == 0  # a warning does not fail the gate


def test_scanned_code_is_never_executed(tmp_path, run_cli):
    sentinel = tmp_path / "sentinel"
    payload = (
        f"open({str(sentinel)!r}, 'w').write('imported')\n"
        "import os\n"
        "os._exit(7)\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "model = RandomForestClassifier()\n"
        "model.fit(X, y)\n"
    )
    project = write_tree(
        tmp_path / "proj",
        {"evil.py": payload, "conftest.py": payload, "setup.py": payload, "__init__.py": payload},
    )
    code, out, _ = run_cli("scan", project, "--output-format", "concise")
    assert not sentinel.exists()
    assert "DL101" in out and code == 0


def test_exit_codes_fail_under_and_exit_zero(run_cli):
    kaggle = FIXTURES / "kaggle_script"
    assert run_cli("scan", kaggle)[0] == 1
    assert run_cli("scan", kaggle, "--exit-zero")[0] == 0
    assert run_cli("scan", kaggle, "--ignore", "DL101")[0] == 0
    code, _, err = run_cli("scan", kaggle, "--ignore", "DL101", "--fail-under", "99")
    assert code == 1 and "fail-under" in err
    assert run_cli("scan", FIXTURES / "torch_project", "--fail-under", "50")[0] == 0


def test_internal_error_exits_2_even_with_exit_zero(tmp_path, run_cli):
    pack = tmp_path / "proj" / "lint_rules"
    write_tree(
        tmp_path / "proj",
        {
            "debtlint.yaml": "rule-packs: [lint_rules]\n",
            "train.py": SIMPLE_MODEL,
            "lint_rules/broken.py": (
                "from debtlint.api import FileRule\n"
                "class Broken(FileRule):\n"
                '    """Always crashes.\n\n    ## What it does\n    ## Why is this bad?\n'
                '    ## Example\n    ## Use instead\n    ## Options\n    ## References\n    """\n'
                '    code = "DL990"\n    name = "broken"\n'
                '    INVALID = ["x = 1  # expect: DL990\\n"]\n'
                "    def visit_Name(self, node):\n        raise RuntimeError('boom')\n"
            ),
        },
    )
    assert pack.is_dir()
    code, out, err = run_cli(
        "scan", tmp_path / "proj", "--exit-zero", "-v", "--output-format", "concise"
    )
    assert code == 2
    assert "DL000" in out and "DL990 crashed on train.py" in out
    assert "RuntimeError: boom" in err  # -v shows the traceback
    assert "DL101" in out  # the other rules still ran on the file


def test_select_and_ignore_on_the_command_line(run_cli):
    kaggle = FIXTURES / "kaggle_script"
    _, out, _ = run_cli("scan", kaggle, "--select", "DL2", "--output-format", "concise")
    assert "DL201" in out and "DL101" not in out
    _, out, _ = run_cli("scan", kaggle, "--select", "unowned-model", "--output-format", "concise")
    assert "DL101" in out and "DL201" not in out
    code, _, err = run_cli("scan", kaggle, "--select", "DL777")
    assert code == 2 and "DL777" in err


def test_output_file(tmp_path, run_cli):
    target = tmp_path / "report.json"
    code, out, _ = run_cli(
        "scan", FIXTURES / "torch_project", "--output-format", "json", "-o", target
    )
    assert out == ""
    assert json.loads(target.read_text())["summary"]["findings"] == 1
    assert code == 0


def test_full_format_shows_source_and_help(run_cli):
    _, out, _ = run_cli("scan", FIXTURES / "torch_project")
    assert "20 |" in out and "^" in out and "= help:" in out
    assert out.rstrip().splitlines()[-1].startswith("Maintainability score:")


def test_rule_command(run_cli):
    code, out, _ = run_cli("rule", "DL101")
    assert code == 0 and "## Why is this bad?" in out and "complexity" in out
    code, out, _ = run_cli("rule", "undeclared-data-dependency")
    assert code == 0 and "DL201" in out
    code, _, err = run_cli("rule", "DL999")
    assert code == 2 and "DL999" in err
    code, out, _ = run_cli("rule", "--all", "--output-format", "json")
    assert {r["code"] for r in json.loads(out)} >= {"DL001", "DL101", "DL201", "DL401"}


def test_readme_rule_table_is_generated_from_the_rules():
    registry = Registry.load()
    table = rule_table([registry.rules[c] for c in sorted(registry.rules)])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- rules-table:start -->\n") + len("<!-- rules-table:start -->\n")
    end = readme.index("<!-- rules-table:end -->")
    assert readme[start:end] == table, "run `debtlint rule --all --output-format table`"


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "debtlint",
            "scan",
            str(FIXTURES / "torch_project"),
            "--output-format",
            "concise",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "DL201" in result.stdout


def test_missing_path_exits_2(run_cli, tmp_path):
    code, _, err = run_cli("scan", tmp_path / "nope")
    assert code == 2 and "no such file" in err


def _snapshot(root: Path) -> dict[Path, bytes | None]:
    return {p.relative_to(root): (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")}


def test_scan_writes_nothing_into_the_tree_but_its_cache(fixture_copy, run_cli, monkeypatch):
    monkeypatch.delenv("DEBTLINT_CACHE_DIR", raising=False)
    project = fixture_copy("kaggle_script")
    shutil.rmtree(project / ".debtlint_cache", ignore_errors=True)  # a stray one in fixtures/
    before = _snapshot(project)
    run_cli("scan", project, "--output-format", "json")
    after = _snapshot(project)
    cache = Path(".debtlint_cache")
    outside = {p: data for p, data in after.items() if p != cache and cache not in p.parents}
    assert outside == before
    assert cache / "CACHEDIR.TAG" in after and cache / ".gitignore" in after


def test_scan_with_no_cache_writes_nothing_at_all(fixture_copy, run_cli, monkeypatch):
    monkeypatch.delenv("DEBTLINT_CACHE_DIR", raising=False)
    project = fixture_copy("kaggle_script")
    before = _snapshot(project)
    run_cli("scan", project, "--output-format", "json", "--no-cache")
    assert _snapshot(project) == before
