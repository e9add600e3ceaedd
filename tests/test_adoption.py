"""Adoption helpers: `debtlint init`, `debtlint config`, `debtlint test` and rule packs installed
through the `debtlint.rules` entry point group."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from debtlint.config import ConfigError, load_settings
from debtlint.plugins import PluginError, enabled_packs
from tests.conftest import FIXTURES, write_tree

RULE_DOC = (
    '    """Flags print calls.\n\n'
    "    ## What it does\n    x\n    ## Why is this bad?\n    x\n    ## Example\n    x\n"
    "    ## Use instead\n    x\n    ## Options\n    x\n    ## References\n    x\n"
    '    """\n'
)


def rule_source(code: str = "DL960", invalid_line: str = "print('x')  # expect: DL960") -> str:
    return (
        "from debtlint.api import FileRule, Severity\n\n\n"
        "class NoPrint(FileRule):\n" + RULE_DOC + f'    code = "{code}"\n'
        '    name = "no-print-in-training"\n'
        "    severity = Severity.INFO\n"
        '    VALID = ["import logging\\nlogging.info(1)\\n"]\n'
        f"    INVALID = [{invalid_line + chr(10)!r}]\n\n"
        "    def visit_Call(self, node):\n"
        '        if self.ctx.qualname(node.func) == "builtins.print":\n'
        '            self.report(node, "use logging")\n'
    )


# -- init -----------------------------------------------------------------------------------------


@pytest.fixture
def kaggle(tmp_path: Path) -> Path:
    repo = tmp_path / "kaggle"
    shutil.copytree(FIXTURES / "kaggle_script", repo, ignore=shutil.ignore_patterns("expected*"))
    return repo


def test_init_lists_models_and_data_and_loads(kaggle, run_cli):
    code, out, err = run_cli("init", kaggle)
    assert code == 0, err
    assert out == ""  # nothing but the file; the message is on stderr
    written = kaggle / "debtlint.yaml"
    text = written.read_text("utf-8")
    settings = load_settings(kaggle)  # the starter is a valid configuration
    assert settings.baseline == ".debtlint-baseline.json"
    assert set(settings.models) == {"train-model", "baseline-model"}
    stack = settings.models["train-model"]
    assert stack.owner == [] and stack.code == ["train.py"]
    assert stack.artifacts == ["models/stack.pkl"]
    # the complexity factors are listed as a comment on the model
    assert "# complexity 3" in text and "stacking +5" in text and "(complex; threshold 10)" in text
    assert text.count("owner: null  # TODO") == len(settings.models) + len(settings.data)
    assert set(settings.data) == {
        "input/train.csv",
        "input/test.csv",
        "input/sample_submission.csv",
        "models/features.json",
    }
    assert '"input/train.csv":  # read at baseline.py:13, train.py:' in text


def test_adoption_in_three_commands(kaggle, run_cli):
    """The README's path: init, write the baseline, gate. Only new debt fails afterwards."""
    assert run_cli("init", kaggle)[0] == 0
    code, _, err = run_cli("scan", kaggle)  # the baseline the starter names is not written yet
    assert code == 2 and "--write-baseline" in err
    code, _, err = run_cli("scan", kaggle, "--write-baseline", kaggle / ".debtlint-baseline.json")
    assert code == 0, err
    code, out, _ = run_cli("scan", kaggle, "--output-format", "json")
    doc = json.loads(out)
    assert code == 0 and {f["status"] for f in doc["findings"]} == {"baselined"}
    # the declared reads are no findings; the null owners are (baselined for now)
    assert "DL201" not in {f["code"] for f in doc["findings"]}
    assert "DL101" in {f["code"] for f in doc["findings"]}
    write_tree(kaggle, {"second.py": (FIXTURES / "kaggle_script" / "train.py").read_text("utf-8")})
    code, out, _ = run_cli("scan", kaggle, "--output-format", "concise")
    assert code == 1 and "second.py" in out and "DL101 [error]" in out


def test_init_refuses_to_overwrite_without_force_and_prints_with_stdout(kaggle, run_cli):
    write_tree(kaggle, {"debtlint.yaml": "ignore: [DL401]\n"})
    code, _, err = run_cli("init", kaggle)
    assert code == 2 and "exists" in err and "--force" in err
    assert (kaggle / "debtlint.yaml").read_text("utf-8") == "ignore: [DL401]\n"
    code, out, _ = run_cli("init", kaggle, "--stdout")
    assert code == 0 and out.startswith("# debtlint.yaml: written by `debtlint init`")
    assert (kaggle / "debtlint.yaml").read_text("utf-8") == "ignore: [DL401]\n"
    code, _, err = run_cli("init", kaggle, "--force")
    assert code == 0 and "ignore" in err  # says what the replaced file set that is gone
    assert "train-model" in load_settings(kaggle).models


def test_init_takes_owners_from_codeowners_and_keeps_declared_entries(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "",
            "CODEOWNERS": "/src/ @acme/vision\n",
            "src/train.py": (
                "import joblib\nimport pandas as pd\n"
                "from sklearn.ensemble import GradientBoostingClassifier\n"
                "df = pd.read_csv('data/raw/a.csv')\n"
                "m = GradientBoostingClassifier()\nm.fit(df[['x']], df['y'])\n"
                "joblib.dump(m, 'models/m.pkl')\n"
            ),
            "scripts/fit.py": (
                "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
                "path = input()\nframe = pd.read_csv(path)\n"
                "clf = LogisticRegression()\nclf.fit(frame[['x']], frame['y'])\n"
            ),
            "old.yaml": "",
        },
    )
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": (
                "models:\n  fitter:\n    owner: '@acme/analytics'\n    code: [scripts/fit.py]\n"
                "data:\n  data/raw/*.csv: {owner: '@acme/data', version: '1.10'}\n"
            )
        },
    )
    code, out, err = run_cli("init", tmp_path, "--stdout")
    assert code == 0, err
    doc = yaml.safe_load(out)
    assert doc["models"]["train-m"]["owner"] == "@acme/vision"
    assert '"train-m":' in out and "# from CODEOWNERS:1" in out
    assert doc["models"]["fitter"] == {"owner": "@acme/analytics", "code": ["scripts/fit.py"]}
    assert doc["data"] == {"data/raw/*.csv": {"owner": "@acme/data", "version": "1.10"}}
    # an unresolved read is listed as a comment, with where it is
    assert "# Reads whose path debtlint could not work out" in out
    assert "#   scripts/fit.py:4:" in out


def test_init_on_a_project_without_models(tmp_path, run_cli):
    write_tree(tmp_path, {"a.py": "x = 1\n"})
    code, _, err = run_cli("init", tmp_path)
    assert code == 0, err
    settings = load_settings(tmp_path)
    assert settings.models == {} and settings.data == {}


# -- config ---------------------------------------------------------------------------------------


def test_config_shows_sources_and_rule_states(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("DEBTLINT_CACHE_DIR")
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": "fail-under: 60\nignore:\n  - DL401\nseverity: {DL201: error}\n",
            "a.py": "x = 1\n",
        },
    )
    code, out, err = run_cli("config", tmp_path, "--output-format", "json")
    assert code == 0, err
    doc = json.loads(out)
    rows = {row["key"]: row for row in doc["settings"]}
    assert rows["fail-under"] == {"key": "fail-under", "value": 60.0, "source": "debtlint.yaml:1"}
    assert rows["ignore"]["source"] == "debtlint.yaml:2"
    assert rows["max-file-size"]["source"] == "default"
    assert doc["cache_folder"] == str(tmp_path / ".debtlint_cache")
    rules = {row["code"]: row for row in doc["rules"]}
    assert rules["DL401"]["enabled"] is False and rules["DL401"]["reason"] == "ignored by 'DL401'"
    assert rules["DL201"]["enabled"] is True and rules["DL201"]["severity"] == "error"
    assert "debtlint.yaml:4" in rules["DL201"]["reason"]
    assert rules["DL101"]["options"]["complexity-threshold"] == 10.0
    previews = [r for r in doc["rules"] if r["reason"].startswith("preview rule")]
    for row in previews:  # a preview rule is enabled by naming its code
        code, out, _ = run_cli(
            "config", tmp_path, "--output-format", "json", "--select", row["code"]
        )
        assert {r["code"]: r for r in json.loads(out)["rules"]}[row["code"]]["enabled"] is True

    code, text, _ = run_cli("config", tmp_path)
    assert code == 0
    assert "fail-under" in text and "[debtlint.yaml:1]" in text
    assert "DL401  glue-code-ratio" in text and "ignored by 'DL401'" in text


def test_config_reports_configuration_errors(tmp_path, run_cli):
    write_tree(tmp_path, {"debtlint.yaml": "ignore: [DL999]\n"})
    code, _, err = run_cli("config", tmp_path)
    assert code == 2 and "debtlint.yaml:1" in err and "DL999" in err


# -- test -----------------------------------------------------------------------------------------


def test_test_command_runs_a_pack_and_fails_on_a_broken_example(tmp_path, run_cli):
    pack = write_tree(tmp_path / "my_rules", {"dl9/no_print.py": rule_source()})
    code, out, err = run_cli("test", pack)
    assert code == 0, out + err
    assert "PASS  DL960-VALID-0" in out and "PASS  DL960-INVALID-0" in out
    assert "2 examples of 1 rule: 2 passed, 0 failed" in out

    broken = rule_source(invalid_line="print('x')\nprint('y')  # expect: DL960")
    # (another folder: a pack's modules are imported once per process)
    broken_pack = write_tree(tmp_path / "broken_rules", {"dl9/no_print.py": broken})
    code, out, _ = run_cli("test", broken_pack)
    assert code == 1
    assert "FAIL  DL960-INVALID-0" in out and "unexpected DL960 at example.py:1" in out


def test_test_command_defaults_to_the_configured_packs(tmp_path, run_cli, monkeypatch):
    write_tree(tmp_path / "lint" / "rules", {"dl9/no_print.py": rule_source()})
    write_tree(tmp_path, {"debtlint.yaml": "rule-packs: [lint/rules]\n"})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("test")
    assert code == 0 and "PASS  DL960-INVALID-0" in out
    write_tree(tmp_path, {"debtlint.yaml": "select: [ALL]\n"})
    code, _, err = run_cli("test")
    assert code == 2 and "no rule pack given" in err


def test_test_command_refuses_a_pack_that_clashes_with_a_builtin_rule(tmp_path, run_cli):
    clash = write_tree(tmp_path / "clash", {"dl1/x.py": rule_source(code="DL101")})
    code, _, err = run_cli("test", clash)
    assert code == 2 and "DL101 is defined twice" in err


# -- entry points ---------------------------------------------------------------------------------


@pytest.fixture
def installed_pack(tmp_path, monkeypatch) -> Path:
    """A distribution 'acme-debt-rules' with a `debtlint.rules` entry point, installed by writing
    its dist-info and package into a folder on sys.path (what pip would leave behind)."""
    site = tmp_path / "site-packages"
    write_tree(
        site,
        {
            "acme_debt_rules/__init__.py": "",
            "acme_debt_rules/dl9/no_print.py": rule_source(),
            "acme_debt_rules-0.1.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: acme-debt-rules\nVersion: 0.1\n"
            ),
            "acme_debt_rules-0.1.dist-info/entry_points.txt": (
                "[debtlint.rules]\nacme = acme_debt_rules\nbroken = no_such_module_here\n"
            ),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    return site


def test_entry_point_packs_load_only_when_enabled(installed_pack, tmp_path, run_cli):
    project = write_tree(tmp_path / "project", {"train.py": "print('training')\n"})

    def codes(*args: str) -> set[str]:
        code, out, err = run_cli("scan", project, "--output-format", "json", *args)
        assert code in (0, 1), err
        return {f["code"] for f in json.loads(out)["findings"]}

    assert "DL960" not in codes()  # installed is not enough
    assert "DL960" in codes("--rule-pack-entry-point", "acme")
    write_tree(project, {"debtlint.yaml": "rule-pack-entry-points: [acme]\n"})
    assert "DL960" in codes()
    code, out, _ = run_cli("config", project, "--output-format", "json")
    doc = json.loads(out)
    assert [p["name"] for p in doc["entry_point_packs"]] == ["acme"]
    assert doc["entry_point_packs"][0]["distribution"] == "acme-debt-rules 0.1"
    assert {r["code"]: r for r in doc["rules"]}["DL960"]["enabled"] is True
    code, out, _ = run_cli("test", "--config", project / "debtlint.yaml")
    assert code == 0 and "PASS  DL960-INVALID-0" in out


def test_entry_point_errors_name_the_entry_point(installed_pack, tmp_path, run_cli):
    project = write_tree(tmp_path / "project", {"train.py": "x = 1\n"})
    code, _, err = run_cli("scan", project, "--rule-pack-entry-point", "nope")
    assert code == 2 and "no debtlint.rules entry point named 'nope'" in err and "acme" in err
    write_tree(project, {"debtlint.yaml": "rule-pack-entry-points: true\n"})
    code, _, err = run_cli("scan", project)
    assert code == 2 and "debtlint.yaml:1" in err and "'broken'" in err
    with pytest.raises(PluginError, match="no module 'no_such_module_here'"):
        enabled_packs(["broken"])
    assert enabled_packs(False) == [] and enabled_packs([]) == []


def test_entry_point_config_values(tmp_path):
    write_tree(tmp_path, {"debtlint.yaml": "rule-pack-entry-points: yes-please\n"})
    with pytest.raises(ConfigError, match=r"debtlint\.yaml:1.*true, false or a list"):
        load_settings(tmp_path)
