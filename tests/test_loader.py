from __future__ import annotations

import shutil

import pytest

from debtlint.loader import LoaderError, Registry, builtin_rules_dir, load_pack
from tests.conftest import write_tree

RULE = '''
from debtlint.api import FileRule, Severity


class NoPrint(FileRule):
    """Print in training code.

    ## What it does
    ## Why is this bad?
    ## Example
    ## Use instead
    ## Options
    ## References
    """

    code = "DL950"
    name = "no-print"
    severity = Severity.INFO
    VALID = ["import logging\\nlogging.info('x')\\n"]
    INVALID = ["print('x')  # expect: DL950\\n"]

    def visit_Call(self, node):
        if self.ctx.qualname(node.func) == "builtins.print":
            self.report(node, "use logging")
'''


def test_builtin_pack_loads_from_under_a_hidden_directory(tmp_path):
    # A wheel installed into `.venv/` puts the pack under a dot-directory.
    hidden = tmp_path / ".venv" / "rules"
    shutil.copytree(builtin_rules_dir(), hidden)
    codes = {rule.code for rule in load_pack(hidden, "copy")}
    assert {"DL001", "DL101", "DL201", "DL401"} <= codes


def test_empty_pack_is_an_error(tmp_path):
    (tmp_path / "pack").mkdir()
    with pytest.raises(LoaderError, match="defines no rules"):
        load_pack(tmp_path / "pack")


def test_user_pack_runs_like_a_builtin_rule(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "lint/dl9/no_print.py": RULE,
            "debtlint.yaml": "rule-packs: [lint]\n",
            "train.py": "print('training')\n",
        },
    )
    code, out, _ = run_cli("scan", tmp_path, "--output-format", "concise")
    assert "train.py:1:1: DL950 [info] use logging" in out
    assert code == 0


def test_duplicate_code_is_an_error(tmp_path):
    write_tree(tmp_path, {"pack/a.py": RULE, "pack/b.py": RULE.replace("NoPrint", "Other")})
    with pytest.raises(LoaderError, match="DL950 is defined twice"):
        registry = Registry()
        registry.add(load_pack(tmp_path / "pack"))


def test_invalid_rule_metadata_is_an_error(tmp_path):
    write_tree(tmp_path, {"pack/bad.py": RULE.replace('"DL950"', '"X1"')})
    with pytest.raises(LoaderError, match="not DL followed by three digits"):
        load_pack(tmp_path / "pack")


def test_a_pack_outside_the_project_loads_only_from_the_command_line(tmp_path, run_cli):
    write_tree(tmp_path / "shared", {"team_rules/no_print.py": RULE})
    project = write_tree(tmp_path / "proj", {"train.py": "print('x')\n"})
    outside = tmp_path / "shared" / "team_rules"
    write_tree(project, {"debtlint.yaml": f"rule-packs: [{outside}]\n"})
    code, _, err = run_cli("scan", project)
    assert code == 2 and "rule-packs" in err  # configuration cannot reach outside the project
    (project / "debtlint.yaml").unlink()
    code, out, _ = run_cli("scan", project, "--rule-pack", outside, "--output-format", "concise")
    assert "train.py:1:1: DL950 [info] use logging" in out
    assert code == 0
