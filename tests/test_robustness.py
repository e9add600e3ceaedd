"""Robustness: a crash in one check costs that check on that file, never the scan; bad input of
any kind gives a clear message and the scan goes on; deep nesting cannot overflow any stack."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import libcst as cst
import pytest

from debtlint.config import load_settings
from debtlint.engine import ScanResult, scan
from debtlint.facts.extract import FactExtractor
from debtlint.facts.nesting import MAX_BRACKET_DEPTH, bracket_depth, too_deep
from debtlint.facts.values import Evaluator, Scope
from tests.conftest import write_tree

READ = "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"
MODEL = (
    "import joblib\nfrom sklearn.linear_model import LogisticRegression\n"
    "model = LogisticRegression()\nmodel.fit(df[['a']], df.y)\njoblib.dump(model, 'model.pkl')\n"
)

RULE_DOC = (
    '    """Test rule.\n\n    ## What it does\n    ## Why is this bad?\n    ## Example\n'
    '    ## Use instead\n    ## Options\n    ## References\n    """\n'
)


def scan_tree(root: Path, *paths: Path) -> ScanResult:
    settings = load_settings(root)
    settings.jobs = 1  # in-process, so monkeypatches reach the analysis
    return scan(settings, list(paths) or [root])


def codes(result: ScanResult) -> list[tuple[str, str]]:
    return sorted((f.code, f.location.path) for f in result.findings)


def crashing_file_rule(where: str = "visit_Name", only: str = "bad.py") -> str:
    """A rule pack module whose rule reports every `print` and crashes on the file ``only``."""
    return (
        "from debtlint.api import FileRule\n"
        "class Flaky(FileRule):\n" + RULE_DOC + '    code = "DL990"\n    name = "flaky"\n'
        '    INVALID = ["print(1)  # expect: DL990\\n"]\n'
        "    def visit_Call(self, node):\n"
        "        if getattr(node.func, 'value', None) == 'print':\n"
        "            self.report(node, 'print')\n"
        "    remediation_minutes = 30\n"
        f"    def {where}(self, *args):\n"
        f"        if self.ctx.path == {only!r}:\n"
        "            raise RuntimeError('boom in ' + self.ctx.path)\n"
    )


CRASHING_PROJECT_RULE = (
    "from debtlint.api import ProjectRule\n"
    "class Broken(ProjectRule):\n" + RULE_DOC + '    code = "DL991"\n    name = "broken-graph"\n'
    '    INVALID = ["x = 1  # expect: DL991\\n"]\n'
    "    def check(self, graph):\n"
    "        raise KeyError('no such node')\n"
)


# -- fault containment ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["visit_Name", "start", "finish"])
def test_a_file_rule_crashing_on_one_file_costs_only_that_rule_on_that_file(tmp_path, where):
    write_tree(
        tmp_path,
        {
            "debtlint.yaml": "rule-packs: [lint]\n",
            "lint/flaky.py": crashing_file_rule(where),
            "bad.py": READ + "print(1)\n",
            "good.py": "print(2)\n",
        },
    )
    if where == "start":
        # start() must call super().start() to set ctx; crash before that on every file but good.py
        source = crashing_file_rule(where).replace(
            "    def start(self, *args):\n        if self.ctx.path",
            "    def start(self, *args):\n        super().start(*args)\n        if self.ctx.path",
        )
        (tmp_path / "lint/flaky.py").write_text(source)
    result = scan_tree(tmp_path)
    errors = [f for f in result.findings if f.code == "DL000"]
    assert len(errors) == 1
    assert "DL990 crashed on bad.py" in errors[0].message
    assert "RuntimeError: boom in bad.py" in errors[0].message
    found = codes(result)
    assert ("DL990", "good.py") in found  # the rule still ran on the other file
    assert ("DL990", "bad.py") not in found  # a half-finished check reports nothing
    assert ("DL201", "bad.py") in found  # the other rules still ran on the file
    assert result.score.incomplete
    assert any("boom in bad.py" in trace for trace in result.tracebacks)


def test_a_crash_in_the_fact_extractor_is_contained(tmp_path, monkeypatch):
    write_tree(
        tmp_path, {"a.py": READ, "b.py": READ.replace("train", "test"), "m.py": READ + MODEL}
    )
    clean = scan_tree(tmp_path)

    original = FactExtractor.leave_Call

    def leave_call(self, node):
        if self.ctx.path == "a.py":
            raise ValueError("extractor bug")
        return original(self, node)

    monkeypatch.setattr(FactExtractor, "leave_Call", leave_call)
    broken = scan_tree(tmp_path)
    errors = [f.message for f in broken.findings if f.code == "DL000"]
    assert errors == [
        "facts crashed on a.py (ValueError: extractor bug); results are incomplete"
    ] or (len(errors) == 1 and "crashed on a.py" in errors[0] and "extractor bug" in errors[0])
    assert ("DL201", "b.py") in codes(broken)  # other files are analysed as before
    assert ("DL101", "m.py") in codes(broken)
    assert broken.score.incomplete and not clean.score.incomplete
    assert broken.score.value <= clean.score.value


def test_a_crashing_project_rule_is_contained_and_exits_2_even_with_exit_zero(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {"debtlint.yaml": "rule-packs: [lint]\n", "lint/broken.py": CRASHING_PROJECT_RULE},
    )
    write_tree(tmp_path, {"train.py": READ + MODEL})
    result = scan_tree(tmp_path)
    errors = [f for f in result.findings if f.code == "DL000"]
    assert len(errors) == 1 and "DL991 crashed on the project graph" in errors[0].message
    assert ("DL101", "train.py") in codes(result)  # the other project rules ran
    assert result.score.incomplete

    code, out, err = run_cli("scan", tmp_path, "--exit-zero", "--output-format", "concise")
    assert code == 2 and "DL991 crashed" in out and "Traceback" not in err
    code, _, err = run_cli("scan", tmp_path, "--exit-zero", "-v", "--output-format", "concise")
    assert code == 2 and "Traceback" in err and "KeyError: 'no such node'" in err


def test_a_crash_never_raises_the_score(tmp_path):
    # The crashing rule would have reported debt on bad.py; losing it must not improve the score.
    files = {"lint/flaky.py": crashing_file_rule("visit_Name", only="none.py")}
    files |= {f"f{i}.py": "print(1)\n" * 40 for i in range(3)} | {"bad.py": "print(1)\n" * 200}
    clean = scan_tree(
        write_tree(tmp_path / "a", {"debtlint.yaml": "rule-packs: [lint]\n", **files})
    )
    files["lint/flaky.py"] = crashing_file_rule("visit_Name")
    broken = scan_tree(
        write_tree(tmp_path / "b", {"debtlint.yaml": "rule-packs: [lint]\n", **files})
    )
    assert any(f.code == "DL000" for f in broken.findings)
    assert broken.score.incomplete
    assert broken.score.value <= clean.score.value


# -- deep nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "x = " + "[" * 5000 + "1" + "]" * 5000 + "\n",
        "x = " + "{'a': " * 5000 + "1" + "}" * 5000 + "\n",
        "x = f'{" + "(" * 5000 + "1" + ")" * 5000 + "}'\n",
    ],
    ids=["parentheses", "lists", "dicts", "f-string"],
)
def test_brackets_nested_thousands_deep_are_a_syntax_finding_not_a_crash(tmp_path, source):
    # libcst's native parser would take the whole process down with a segmentation fault here.
    write_tree(tmp_path, {"deep.py": source, "ok.py": READ})
    result = scan_tree(tmp_path)
    found = [f for f in result.findings if f.location.path == "deep.py"]
    assert [f.code for f in found] == ["DL001"]
    # (an f-string's own braces count as one more level, as in CPython 3.12)
    assert "nested 500" in found[0].message and "at most 200" in found[0].message
    assert ("DL201", "ok.py") in codes(result)


def test_bracket_depth_ignores_strings_and_comments():
    text = "x = ('(((((', \"[[[\", '''\n{{{''')  # (((((\n"
    assert bracket_depth(text) == 1
    assert bracket_depth("f'{((a))}'") == 3
    legal = "x = " + "(" * MAX_BRACKET_DEPTH + "1" + ")" * MAX_BRACKET_DEPTH
    assert too_deep(legal) is None
    assert too_deep("s = '" + "(" * 1000 + "'\n") is None


def test_a_2000_deep_if_chain_is_a_syntax_finding(tmp_path):
    chain = "".join(" " * i + f"if x{i}:\n" for i in range(2000)) + " " * 2000 + "pass\n"
    assert len(chain) > 2_000_000
    write_tree(tmp_path, {"debtlint.yaml": "max-file-size: 3000000\n", "deep.py": chain})
    result = scan_tree(tmp_path)
    assert [f.code for f in result.findings if f.location.path == "deep.py"] == ["DL001"]
    assert not result.internal_errors


def test_long_expression_chains_are_analysed_with_exact_positions(tmp_path):
    # 700 terms: deeper than Python's recursion limit lets libcst generate code (positions) on
    # the main thread, and than the value evaluator could recurse.
    chain = " + ".join(["'a'"] * 700)
    source = f"import pandas as pd\nx = {chain}\ny = a{'.b' * 700}\ndf = pd.read_csv({chain})\n"
    write_tree(tmp_path, {"gen.py": source})
    result = scan_tree(tmp_path)
    assert not result.internal_errors
    reads = [f for f in result.findings if f.code == "DL201"]
    assert len(reads) == 1
    assert (reads[0].location.line, reads[0].location.col) == (4, 6)


def test_the_evaluator_does_not_recurse_without_bound():
    node: cst.BaseExpression = cst.SimpleString("'a'")
    for _ in range(20_000):  # built directly: parsing this would take minutes
        node = cst.BinaryOperation(node, cst.Add(), cst.SimpleString("'a'"))
    evaluator = Evaluator("a.py", lambda n: None, lambda n: None, lambda m: False)
    value = evaluator.eval(node, Scope("<module>"))
    assert value.text is None and value.confidence == "low"


# -- bad input: encodings, line endings, odd bytes -------------------------------------------------


def _scan_bytes(tmp_path: Path, name: str, data: bytes) -> tuple[ScanResult, list]:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(data)
    (tmp_path / "ok.py").write_text(READ)
    result = scan_tree(tmp_path)
    assert ("DL201", "ok.py") in codes(result), "the scan went on"
    assert not result.internal_errors
    return result, [f for f in result.findings if f.location.path == name]


def _position(findings: list, code: str = "DL201") -> tuple[int, int, int | None, int | None]:
    (finding,) = [f for f in findings if f.code == code]
    loc = finding.location
    return loc.line, loc.col, loc.end_line, loc.end_col


# The read is on line 3, columns 6-33, in every variant below.
PLAIN = "import pandas as pd\n\ndf = pd.read_csv('data/x.csv')\n"


@pytest.mark.parametrize(
    "data",
    [
        PLAIN.encode(),
        PLAIN.replace("\n", "\r\n").encode(),
        b"import pandas as pd\r\n\ndf = pd.read_csv('data/x.csv')\r\n",
        b"import pandas as pd\r\rdf = pd.read_csv('data/x.csv')\r",
        b"\xef\xbb\xbf" + PLAIN.encode(),
        b"\xef\xbb\xbf" + PLAIN.replace("\n", "\r\n").encode(),
    ],
    ids=["lf", "crlf", "mixed", "cr", "bom", "bom-crlf"],
)
def test_positions_are_right_whatever_the_line_endings_and_bom(tmp_path, data):
    _, found = _scan_bytes(tmp_path, "a.py", data)
    assert _position(found) == (3, 6, 3, 31)


def test_positions_count_a_tab_as_one_column(tmp_path):
    data = b"import pandas as pd\nif True:\n\tdf = pd.read_csv('data/x.csv')\n"
    _, found = _scan_bytes(tmp_path, "a.py", data)
    assert _position(found) == (3, 7, 3, 32)


def test_latin1_with_a_declaration_is_read_as_latin1(tmp_path):
    data = "# -*- coding: latin-1 -*-\nimport pandas as pd\npd.read_csv('données/x.csv')\n"
    _, found = _scan_bytes(tmp_path, "a.py", data.encode("latin-1"))
    (finding,) = [f for f in found if f.code == "DL201"]
    assert finding.entity == "données/x.csv"
    assert _position(found)[:2] == (3, 1)


def test_latin1_without_a_declaration_is_a_syntax_finding(tmp_path):
    data = "import pandas as pd\nx = 'café'\n".encode("latin-1")
    _, found = _scan_bytes(tmp_path, "a.py", data)
    assert [f.code for f in found] == ["DL001"]
    assert "cannot parse" in found[0].message


def test_an_unknown_encoding_declaration_is_a_syntax_finding(tmp_path):
    _, found = _scan_bytes(tmp_path, "a.py", b"# -*- coding: klingon -*-\nx = 1\n")
    assert [f.code for f in found] == ["DL001"]


@pytest.mark.parametrize(
    "data",
    [
        b"x = 1\x00\ny = 2\n",
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(0) + b"\xff" * 500,
        b"print 'hello'\nexec 'x = 1'\n",
        b"def f(x):\n    return x <> 1\n",
        b"x = 1\n  y = 2\n",
    ],
    ids=["nul-byte", "binary", "png-named-py", "python2-print", "python2-diamond", "bad-indent"],
)
def test_unparsable_input_is_a_syntax_finding_and_the_scan_goes_on(tmp_path, data):
    result, found = _scan_bytes(tmp_path, "a.py", data)
    assert [f.code for f in found] == ["DL001"]
    assert found[0].message.startswith("cannot parse this file")
    assert result.score.incomplete


def test_an_empty_file_is_fine(tmp_path):
    result, found = _scan_bytes(tmp_path, "empty.py", b"")
    assert found == [] and not result.score.incomplete
    assert "empty.py" in result.discovery.files


def test_tabs_and_spaces_mixed_consistently_parse(tmp_path):
    _, found = _scan_bytes(
        tmp_path, "a.py", b"import pandas as pd\nif 1:\n\tif 2:\n\t    pd.read_csv('x.csv')\n"
    )
    assert [f.code for f in found] == ["DL201"]


def test_a_very_long_line_is_analysed(tmp_path):
    name = "a" * 200_000
    data = f"import pandas as pd\npd.read_csv('{name}.csv')\n".encode()
    _, found = _scan_bytes(tmp_path, "a.py", data)
    (finding,) = [f for f in found if f.code == "DL201"]
    assert finding.entity == f"{name}.csv"


def test_files_above_max_file_size_are_skipped_and_reported(tmp_path):
    big = "x = 1\n" * 400_000  # 2.4 MB of generated code
    write_tree(tmp_path, {"debtlint.yaml": "max-file-size: 100000\n", "gen.py": big, "ok.py": READ})
    result = scan_tree(tmp_path)
    assert "gen.py" not in result.discovery.files
    assert any(n.startswith("skipped gen.py: larger than 100000 bytes") for n in result.notes)
    assert ("DL201", "ok.py") in codes(result)


# -- bad input: the file system --------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "No such file or directory"),
        PermissionError(13, "Permission denied"),
        IsADirectoryError(21, "Is a directory"),
    ],
    ids=["vanished", "permission", "replaced-by-a-directory"],
)
def test_a_file_that_vanishes_or_becomes_unreadable_during_the_scan_is_noted(
    tmp_path, monkeypatch, error
):
    write_tree(tmp_path, {"gone.py": READ, "ok.py": READ})
    real_read = Path.read_bytes

    def read_bytes(self):
        if self.name == "gone.py":
            raise error
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = scan_tree(tmp_path)
    assert any(n.startswith("skipped gone.py: cannot read") for n in result.notes)
    assert ("DL201", "ok.py") in codes(result) and not result.internal_errors


def test_a_file_deleted_between_discovery_and_reading_is_noted(tmp_path, monkeypatch):
    import debtlint.engine as engine

    write_tree(tmp_path, {"gone.py": READ, "ok.py": READ})
    real_discover = engine.discover

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        (tmp_path / "gone.py").unlink()
        return found

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    result = scan_tree(tmp_path)
    assert any(n.startswith("skipped gone.py: cannot read") for n in result.notes)
    assert ("DL201", "ok.py") in codes(result) and not result.internal_errors


def test_an_unreadable_directory_is_noted(tmp_path, monkeypatch):
    write_tree(tmp_path, {"locked/inner.py": READ, "ok.py": READ})
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = scan_tree(tmp_path)
    assert ("locked", "permission denied") in result.discovery.skipped
    assert ("DL201", "ok.py") in codes(result) and not result.internal_errors


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX non-root")
def test_unreadable_files_and_directories_are_noted(tmp_path):
    write_tree(tmp_path, {"secret.py": READ, "locked/inner.py": READ, "ok.py": READ})
    (tmp_path / "secret.py").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        result = scan_tree(tmp_path)
    finally:
        (tmp_path / "secret.py").chmod(0o644)
        (tmp_path / "locked").chmod(0o755)
    notes = "\n".join(result.notes)
    assert "skipped secret.py: cannot read (Permission denied)" in notes
    assert "skipped locked: permission denied" in notes
    assert ("DL201", "ok.py") in codes(result) and not result.internal_errors


def test_symlinks_are_not_followed_in_or_out_of_the_project(tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"evil.py": READ})
    project = write_tree(tmp_path / "proj", {"ok.py": READ, "pkg/a.py": READ})
    (project / "loop").symlink_to(project, target_is_directory=True)
    (project / "pkg" / "self").symlink_to("../pkg", target_is_directory=True)
    (project / "escape").symlink_to(outside, target_is_directory=True)
    (project / "escape.py").symlink_to(outside / "evil.py")
    (project / "dangling.py").symlink_to(project / "nowhere.py")
    (project / "a_to_b.py").symlink_to(project / "b_to_a.py")
    (project / "b_to_a.py").symlink_to(project / "a_to_b.py")
    result = scan_tree(project)
    assert result.discovery.files == ["ok.py", "pkg/a.py"]
    skipped = dict(result.discovery.skipped)
    for link in ("loop", "pkg/self", "escape", "escape.py", "dangling.py", "a_to_b.py"):
        assert skipped[link] == "symlink not followed"
    assert not result.internal_errors


@pytest.mark.parametrize(
    "name",
    ["my project/src dir/train model.py", "{{cookiecutter.project}}/train.py", "données/模型.py"],
)
def test_odd_path_names(tmp_path, name, run_cli):
    write_tree(tmp_path, {name: READ, ".git/HEAD": "ref: refs/heads/main\n"})
    result = scan_tree(tmp_path)
    assert ("DL201", name) in codes(result)
    _, out, _ = run_cli("scan", tmp_path, "--output-format", "json", "--no-cache")
    assert [f["path"] for f in json.loads(out)["findings"] if f["code"] == "DL201"] == [name]
    # The odd directory itself can be named on the command line.
    sub = tmp_path / name.rpartition("/")[0]
    assert ("DL201", name) in codes(scan_tree(tmp_path, sub))


# -- hostile configuration and metadata ------------------------------------------------------------

ANCHOR_BOMB = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
    f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_YAML = "[" * 20_000 + "]" * 20_000 + "\n"
HUGE_YAML = "# padding\n" * 600_000  # 6 MB, over the 5 MiB bound
CODE_TAG = "x: !!python/object/apply:os.system ['touch PWNED']\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ANCHOR_BOMB, "debtlint.yaml:"),
        (DEEP_YAML, "nested too deeply"),
        (HUGE_YAML, "larger than 5 MiB"),
        (CODE_TAG, "debtlint.yaml:1"),
        ("- select\n- ignore\n", "expected a mapping of settings"),
        ("models: 3\n", "debtlint.yaml:1"),
        ("rule-packs: {a: 1}\n", "debtlint.yaml:1"),
        ("select: [DL101]\nmax-file-size: -4\n", "debtlint.yaml:2"),
        ("select: [DL101\n", "debtlint.yaml:2"),
        ("\tselect: x\n", "debtlint.yaml:1"),
    ],
    ids=[
        "anchor-bomb",
        "deep",
        "huge",
        "python-tag",
        "list",
        "models-int",
        "packs-map",
        "negative-size",
        "unclosed",
        "tab",
    ],
)
def test_hostile_debtlint_yaml_is_an_error_naming_the_file(tmp_path, run_cli, text, expected):
    write_tree(tmp_path, {"debtlint.yaml": text, "ok.py": READ})
    code, out, err = run_cli("scan", tmp_path, "--no-cache")
    assert code == 2 and out == ""
    assert err.startswith("debtlint: error: debtlint.yaml") and expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "PWNED").exists()


def test_non_utf8_debtlint_yaml_is_an_error(tmp_path, run_cli):
    (tmp_path / "debtlint.yaml").write_bytes(b"select: ['\xff\xfe']\n")
    code, _, err = run_cli("scan", tmp_path, "--no-cache")
    assert code == 2 and "debtlint.yaml" in err and "UTF-8" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tool.debtlint\n", "pyproject.toml:1"),
        ("[tool]\ndebtlint = 3\n", "pyproject.toml"),
        ('[tool.debtlint]\nselect = "DL101"\nignore = {a = 1}\n', "pyproject.toml:"),
        ("[tool.debtlint]\n" + "x = [" * 5000 + "]" * 5000 + "\n", "pyproject.toml"),
        ("[tool.debtlint]\n" + "# pad\n" * 1_000_000, "too large"),
    ],
    ids=["unclosed", "not-a-table", "wrong-types", "deep", "huge"],
)
def test_hostile_pyproject_is_an_error_naming_the_file(tmp_path, run_cli, text, expected):
    write_tree(tmp_path, {"pyproject.toml": text, "ok.py": READ})
    code, out, err = run_cli("scan", tmp_path, "--no-cache")
    assert code == 2 and out == ""
    assert err.startswith("debtlint: error: pyproject.toml") and expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("CODEOWNERS", b"\x00\xff\xfe binary \x00\n" * 100),
        ("CODEOWNERS", b"[z-a] @team\n*.py\t@a @b\n\\\n!!! @x\n" + b"a/" * 5000 + b" @deep\n"),
        ("CODEOWNERS", b"* @owner\n" * 500_000),
        ("dvc.yaml", ANCHOR_BOMB.encode()),
        ("dvc.yaml", b"stages: 3\n"),
        ("dvc.yaml", b"stages:\n  train:\n    deps: {a: 1}\n    outs: 7\n"),
        ("dvc.yaml", b"stages:\n  train: [\n"),
        ("dvc.yaml", DEEP_YAML.encode()),
        ("dvc.yaml", b"\xff\xfe\x00"),
        ("data.dvc", b"outs: {path: 3}\n"),
        ("params.yaml", HUGE_YAML.encode()),
        ("conf/base/catalog.yml", ANCHOR_BOMB.encode()),
        ("conf/base/catalog.yml", b"companies: 3\nshuttles:\n  filepath: [1, 2]\n"),
        ("conf/base/catalog.yml", b"- a\n- b\n"),
        ("conf/base/catalog.yml", b"x: !!python/object/apply:os.system ['touch PWNED']\n"),
        ("MLproject", b"entry_points: [1, 2\n"),
        ("requirements.txt", b"\xff\xfe\x00numpy==\n-r requirements.txt\n"),
        ("configs/config.yaml", b"defaults:\n  - ../../../../etc: passwd\n  - data: 3\n"),
    ],
)
def test_hostile_metadata_is_noted_and_the_scan_goes_on(tmp_path, run_cli, name, data):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(data)
    write_tree(tmp_path, {"train.py": READ + MODEL, "debtlint.yaml": "select: [ALL]\n"})
    result = scan_tree(tmp_path)
    assert not result.internal_errors
    assert ("DL201", "train.py") in codes(result)
    code, out, err = run_cli("scan", tmp_path, "--no-cache", "--output-format", "json")
    assert code in (0, 1) and "Traceback" not in err
    assert json.loads(out)["summary"]["files_scanned"] == 1
    assert not (tmp_path / "PWNED").exists()


def test_yaml_problems_name_the_file_and_line(tmp_path):
    write_tree(
        tmp_path,
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [\n",
            "conf/base/catalog.yml": "a:\n  type: pandas.CSVDataset\n  filepath: [x\n",
            "train.py": READ,
        },
    )
    notes = "\n".join(scan_tree(tmp_path).notes)
    assert "dvc.yaml:5: invalid YAML" in notes or "dvc.yaml:4: invalid YAML" in notes
    assert "conf/base/catalog.yml:" in notes


def test_a_hostile_notebook_is_a_finding_and_the_scan_goes_on(tmp_path):
    write_tree(
        tmp_path,
        {
            "deep.ipynb": "[" * 100_000 + "]" * 100_000,
            "types.ipynb": '{"cells": 3, "nbformat": "four"}',
            "junk.ipynb": "\x00\x01 not json",
            "ok.py": READ,
        },
    )
    result = scan_tree(tmp_path)
    assert not result.internal_errors
    by_path = {f.location.path: f.code for f in result.findings}
    assert by_path["deep.ipynb"] == by_path["types.ipynb"] == by_path["junk.ipynb"] == "DL001"


# -- regressions found by bench/sweep.py -----------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "'{0[key]}'.format(unknown)",  # stdlib test_configparser: TypeError on the placeholder
        "'{0.attr}'.format(unknown)",
        "'{:999999999999}'.format('a')",  # would allocate a terabyte
        "'{:{}}'.format('a', '9999999999')",  # the width comes from an argument
        "'{:,d}'.format('a')",
        "'{'.format('a')",
    ],
)
def test_str_format_of_any_kind_is_resolved_or_left_symbolic(tmp_path, call):
    write_tree(tmp_path, {"a.py": f"import pandas as pd\npd.read_csv({call})\n", "ok.py": READ})
    result = scan_tree(tmp_path)
    assert not result.internal_errors
    assert ("DL201", "ok.py") in codes(result)
