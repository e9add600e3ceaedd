"""Jupyter notebooks as input: reading, IPython syntax, cell locations, bad notebooks, the graph,
and the notebook_project fixture's outputs (golden files; regenerate with
``DEBTLINT_UPDATE_GOLDEN=1 pytest tests/test_notebook.py`` and review the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from debtlint.config import ConfigError, load_settings
from debtlint.discovery import discover
from debtlint.engine import Selection, scan
from debtlint.findings import Location
from debtlint.notebook import (
    MAX_CODE_CHARS,
    NotebookError,
    cell_source_lines,
    notebook_invocation,
    read_notebook,
)
from tests.conftest import FIXTURES, write_tree

PROJECT = FIXTURES / "notebook_project"


def notebook(*cells: Any, language: str = "python", **top: Any) -> str:
    """nbformat 4 JSON as Jupyter writes it. A cell is a source string (a code cell, not run),
    ``(count, source)``, or ``("markdown", text)``; a source given as a list is kept as is."""
    out = []
    for cell in cells:
        count, source = cell if isinstance(cell, tuple) else (None, cell)
        if count == "markdown":
            out.append({"cell_type": "markdown", "metadata": {}, "source": source})
            continue
        if isinstance(source, str):
            source = source.splitlines(keepends=True)
        out.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        )
    doc = {
        "cells": out,
        "metadata": {"kernelspec": {"language": language, "name": language}},
        "nbformat": 4,
        "nbformat_minor": 5,
        **top,
    }
    return json.dumps(doc, indent=1) + "\n"


def scan_tree(tmp_path: Path, files: dict[str, str], select: list[str] | None = None):
    write_tree(tmp_path, files)
    settings = load_settings(tmp_path)
    return scan(settings, [tmp_path], Selection(select=select) if select else None)


# -- IPython syntax ---------------------------------------------------------------------------------
IPYTHON_CELL = """\
%matplotlib inline
%load_ext autoreload
import pandas as pd
!pip install -q lightgbm
!!ls
files = !ls data
out, err = %sx ls
pd.read_csv?
??pd.read_parquet
%pinfo pd
np.*load*?
/print 1
for name in files:
    !echo {name}
    if name:
        %time df = pd.read_csv(name)
x = 1  # what is this?
q = '''
%s is a SQL placeholder
!not a shell escape
'''
total = (1 +
   2)
"""


def test_ipython_syntax_is_neutralised_line_for_line():
    nb = read_notebook(notebook(IPYTHON_CELL).encode(), "nb.ipynb")
    original = IPYTHON_CELL.splitlines()
    joined = nb.source.splitlines()
    assert len(joined) == len(original)
    kept = {i for i, (a, b) in enumerate(zip(original, joined, strict=True)) if a == b}
    # Python lines, the inside of the triple-quoted string and bracket continuations are untouched.
    assert {2, 12, 14, 16, 17, 18, 19, 20, 21, 22} <= kept
    assert joined[0] == "pass  # %matplotlib inline"
    assert joined[5] == "pass  # files = !ls data"
    assert joined[13] == "    pass  # !echo {name}"  # the loop keeps a body
    assert joined[15] == "        df = pd.read_csv(name)"  # %time runs the statement
    # libcst parses the result
    import libcst

    libcst.parse_module(nb.source)


def test_magics_shell_escapes_and_help_give_no_syntax_error(tmp_path):
    result = scan_tree(tmp_path, {"nb.ipynb": notebook(IPYTHON_CELL)})
    assert [f for f in result.findings if f.code == "DL001"] == []


def test_time_magic_statement_keeps_its_columns(tmp_path):
    files = {"nb.ipynb": notebook("import pandas as pd\n%time df = pd.read_csv('data/x.csv')\n")}
    result = scan_tree(tmp_path, files, ["DL201"])
    [finding] = result.findings
    assert finding.location.display() == "nb.ipynb:cell 1:2:12"


def test_cell_magics():
    cells = [
        "%%bash\npapermill a.ipynb b.ipynb\nfor f in *; do echo $f; done\n",
        "%%writefile helper.py\ndef f(:\n",
        "%%time\nimport pandas as pd\nx = 1\n",
    ]
    nb = read_notebook(notebook(*cells).encode(), "nb.ipynb")
    lines = nb.source.splitlines()
    assert lines[:5] == [
        "# %%bash",
        "# papermill a.ipynb b.ipynb",
        "# for f in *; do echo $f; done",
        "# %%writefile helper.py",
        "# def f(:",
    ]
    assert lines[5:] == ["# %%time", "import pandas as pd", "x = 1"]
    shell = [c.text for c in nb.info.commands if c.kind == "shell"]
    assert shell == ["papermill a.ipynb b.ipynb", "for f in *; do echo $f; done"]
    assert [c.has_code for c in nb.info.cells] == [False, False, True]


def test_run_magic_targets_are_resolved_from_the_notebook_folder():
    cells = ["%run ../src/prep.py --fast\n%run -i other.ipynb\n%run -m pkg.tool\n"]
    nb = read_notebook(notebook(*cells).encode(), "notebooks/nb.ipynb")
    assert [c.target for c in nb.info.commands] == [
        "src/prep.py",
        "notebooks/other.ipynb",
        "-m pkg.tool",
    ]


def test_indented_cell_is_dedented_with_columns_kept(tmp_path):
    files = {"nb.ipynb": notebook("    import pandas as pd\n    df = pd.read_csv('d.csv')\n")}
    [finding] = scan_tree(tmp_path, files, ["DL201"]).findings
    assert (finding.location.cell, finding.location.line, finding.location.col) == (1, 2, 10)


# -- locations ------------------------------------------------------------------------------------
def test_locations_point_at_cell_line_and_file_line(tmp_path):
    text = notebook(
        ("markdown", "# Title"),
        (1, "import pandas as pd\n"),
        (2, "x = 1\n\ndf = pd.read_csv('data/raw.csv')\n"),
    )
    result = scan_tree(tmp_path, {"nb.ipynb": text}, ["DL201"])
    [finding] = result.findings
    loc = finding.location
    assert (loc.cell, loc.line, loc.col, loc.end_line) == (3, 3, 6, 3)
    assert loc.display() == "nb.ipynb:cell 3:3:6"
    assert "pd.read_csv('data/raw.csv')" in text.splitlines()[loc.file_line - 1]
    assert loc.to_dict()["cell"] == 3
    assert loc.file_region() == {"startLine": loc.file_line}
    assert loc.notebook_properties() == {"cell": 3, "cellLine": 3, "cellColumn": 6}


def test_string_sources_and_list_sources_both_work(tmp_path):
    text = notebook(
        (1, ["import pandas as pd\n", "df = pd.read_csv(", "'data/a.csv')\n"]),
        (2, "import pandas as pd\nother = pd.read_csv('data/b.csv')"),
    )
    doc = json.loads(text)
    doc["cells"][1]["source"] = "import pandas as pd\nother = pd.read_csv('data/b.csv')"
    result = scan_tree(tmp_path, {"nb.ipynb": json.dumps(doc)}, ["DL201"])
    got = [(f.location.cell, f.location.line, f.location.col) for f in result.findings]
    # A list element without a newline continues the same line.
    assert got == [(1, 2, 6), (2, 2, 9)]


def test_plain_file_locations_are_unchanged():
    loc = Location("a.py", 3, 5, 3, 9)
    assert loc.display() == "a.py:3:5"
    assert "cell" not in loc.to_dict()
    assert loc.file_region() == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9}
    assert loc.notebook_properties() == {}
    # Ordered by cell before line, and comparable with locations without a cell.
    assert (
        sorted([Location("n.ipynb", 1, 1, cell=2), Location("n.ipynb", 5, 1, cell=1)])[0].cell == 1
    )
    assert Location("n.ipynb", 1, 1) < Location("n.ipynb", 1, 1, cell=1)


def test_full_report_shows_the_cell_line(tmp_path, run_cli):
    text = notebook((1, "import pandas as pd\n"), (2, "df = pd.read_csv('data/raw.csv')\n"))
    write_tree(tmp_path, {"nb.ipynb": text, "debtlint.yaml": "select: [DL201]\n"})
    _, out, _ = run_cli("scan", tmp_path, "--output-format", "full", "--exit-zero")
    assert "nb.ipynb:cell 2:1:6: DL201" in out
    assert "1 | df = pd.read_csv('data/raw.csv')" in out


# -- bad notebooks --------------------------------------------------------------------------------
BAD = {
    "invalid JSON": ('{"cells": [\n  {"cell_type": "code",,}\n]}', "invalid JSON", 2),
    "not an object": ("[1, 2]", "top level is not a JSON object", 1),
    "missing cells": ('{"metadata": {}, "nbformat": 4}', "no 'cells' list", 1),
    "nbformat 3": (
        '{"nbformat": 3, "worksheets": [{"cells": []}], "metadata": {}}',
        "nbformat 3 notebook",
        1,
    ),
    "source of the wrong type": (
        '{"cells": [{"cell_type": "code", "source": 42}], "nbformat": 4}',
        "cell 1: 'source' must be a string or a list of strings",
        1,
    ),
    "cell not an object": ('{"cells": ["x = 1"], "nbformat": 4}', "cell 1 is not", 1),
    "not UTF-8": ('{"cells": [], "x": "\udcff"}', "not UTF-8", 1),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply", 1),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_notebook_is_a_dl001_finding_not_a_crash(tmp_path, name):
    text, message, line = BAD[name]
    (tmp_path / "nb.ipynb").write_bytes(text.encode("utf-8", "surrogateescape"))
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    result = scan(load_settings(tmp_path), [tmp_path])
    assert [f.code for f in result.findings] == ["DL001"]
    [finding] = result.findings
    assert message in finding.message
    assert finding.message.startswith("cannot read this notebook")
    assert (finding.location.path, finding.location.line, finding.location.cell) == (
        "nb.ipynb",
        line,
        None,
    )
    assert result.score.incomplete


def test_syntax_error_in_a_cell_points_at_the_cell(tmp_path):
    text = notebook((1, "import os\n"), ("markdown", "text"), (2, "x = 1\ny = = 2\nz = 3\n"))
    result = scan_tree(tmp_path, {"nb.ipynb": text})
    [finding] = result.findings
    assert finding.code == "DL001"
    assert (finding.location.cell, finding.location.line) == (3, 2)


def test_non_python_kernel_is_skipped_with_a_note(tmp_path):
    text = notebook("summary(cars)\n", language="R")
    result = scan_tree(tmp_path, {"r.ipynb": text})
    assert result.findings == []
    assert "skipped r.ipynb: the notebook's kernel language is 'r', not Python" in result.notes
    assert not result.score.incomplete


def test_notebook_without_kernel_metadata_is_python(tmp_path):
    doc = json.loads(notebook("x = = 1\n"))
    del doc["metadata"]
    result = scan_tree(tmp_path, {"nb.ipynb": json.dumps(doc)})
    assert [f.code for f in result.findings] == ["DL001"]


def test_huge_code_is_skipped_with_a_note(tmp_path):
    text = notebook("x = 1\n" * (MAX_CODE_CHARS // 6 + 10))
    result = scan_tree(tmp_path, {"big.ipynb": text})
    assert result.findings == []
    assert any(
        n.startswith("skipped big.ipynb: its code cells hold more than") for n in result.notes
    )


def test_empty_notebook_and_markdown_only_notebook(tmp_path):
    result = scan_tree(
        tmp_path,
        {
            "empty.ipynb": notebook(),
            "md.ipynb": notebook(("markdown", "# notes")),
            "blank.ipynb": notebook(""),
        },
    )
    assert result.findings == []


def test_notebook_errors_carry_the_json_line():
    with pytest.raises(NotebookError) as info:
        read_notebook(b'{\n"cells": [\n}\n', "nb.ipynb")
    assert info.value.line == 3
    assert cell_source_lines(b"not json") == {}


# -- discovery and configuration ----------------------------------------------------------------------
def test_notebooks_are_discovered_by_default_and_can_be_turned_off(tmp_path):
    write_tree(tmp_path, {"a.py": "x = 1\n", "nb.ipynb": notebook("x = 1\n")})
    assert scan(load_settings(tmp_path), [tmp_path]).discovery.files == ["a.py", "nb.ipynb"]
    (tmp_path / "debtlint.yaml").write_text("notebooks: false\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.notebooks is False
    assert scan(settings, [tmp_path]).discovery.files == ["a.py"]


def test_notebooks_setting_must_be_a_boolean(tmp_path):
    (tmp_path / "debtlint.yaml").write_text("notebooks: yes please\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert info.value.key == "notebooks" and info.value.line == 1
    assert "expected true or false" in str(info.value)


def test_checkpoints_are_not_discovered(tmp_path):
    write_tree(tmp_path, {".ipynb_checkpoints/nb-checkpoint.ipynb": notebook("x = 1\n")})
    found = discover(tmp_path, extensions=(".py", ".ipynb"))
    assert found.files == []


def test_notebook_size_limit_is_larger_than_for_scripts(tmp_path):
    write_tree(tmp_path, {"nb.ipynb": notebook("x = 1\n") + " " * 2000, "a.py": "x = 1\n" * 400})
    found = discover(tmp_path, extensions=(".py", ".ipynb"), max_file_size=1000)
    assert found.files == ["nb.ipynb"]
    assert found.skipped == [("a.py", "larger than 1000 bytes (2400 bytes)")]


# -- the graph ----------------------------------------------------------------------------------------
def test_notebook_facts_join_the_graph():
    result = scan(load_settings(PROJECT), [PROJECT])
    graph = result.graph
    writers = {w.code_id for w in graph.writes() if w.location.path.endswith(".ipynb")}
    assert "code:notebooks/01_explore.ipynb" in writers
    [write] = [w for w in graph.writes() if w.code_id == "code:notebooks/01_explore.ipynb"]
    readers = {r.code_id for r in graph.reads() if r.data_id == write.data_id}
    assert {"code:src/train.py", "code:notebooks/02_baseline.ipynb"} <= readers
    assert write.location.display() == "notebooks/01_explore.ipynb:cell 8:1:1"
    # `%run ../src/metrics.py` links the baseline notebook to the script like an import.
    assert "src.metrics" in graph.files["notebooks/02_baseline.ipynb"].imported_modules
    edges = graph.g.get_edge_data("code:notebooks/02_baseline.ipynb", "code:src/metrics.py")
    assert edges and any(e.get("rel") == "imports" for e in edges.values())


# -- commands that run notebooks ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "command, expected",
    [
        ("papermill nb/a.ipynb out.ipynb -p alpha 0.1", ("papermill", "nb/a.ipynb")),
        ("python -m papermill a.ipynb b.ipynb", ("papermill", "a.ipynb")),
        (
            "jupyter nbconvert --to notebook --execute a.ipynb",
            ("jupyter nbconvert --execute", "a.ipynb"),
        ),
        (
            "jupyter nbconvert --to=script a.ipynb && python a.py",
            ("jupyter nbconvert --to script", "a.ipynb"),
        ),
        ("cd nb && jupyter execute a.ipynb", ("jupyter execute", "a.ipynb")),
        ("ipython train.ipynb", ("ipython", "train.ipynb")),
        ("jupyter nbconvert --to html report.ipynb", None),
        ("jupyter lab", None),
        ("python train.py", None),
        ("echo 'unterminated", None),
    ],
)
def test_notebook_invocation(command, expected):
    assert notebook_invocation(command) == expected


# -- the fixture project: golden outputs ----------------------------------------------------------------
def _golden(name: str, text: str) -> None:
    golden = PROJECT / name
    if os.environ.get("DEBTLINT_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_fixture_text_formats(fmt, run_cli):
    code, out, err = run_cli("scan", PROJECT, "--output-format", fmt)
    _golden(f"expected.{fmt}.txt", out)
    assert code == 0
    assert "syntax-error" not in out and "DL001" not in out
    assert "skipped notebooks/03_survival.ipynb" in err


def test_fixture_json(run_cli):
    _, out, _ = run_cli("scan", PROJECT, "--output-format", "json")
    doc = json.loads(out)
    keys = ("code", "path", "cell", "line", "column", "end_line", "end_column", "message")
    findings = [{k: f.get(k) for k in keys} for f in doc["findings"]]
    _golden("expected.json", json.dumps(findings, indent=1) + "\n")
    where = {(f["code"], f["path"], f.get("cell"), f["line"], f["column"]) for f in findings}
    assert ("DL201", "notebooks/01_explore.ipynb", 5, 2, 12) in where
    assert ("DL850", "notebooks/01_explore.ipynb", 7, 1, 1) in where
    assert ("DL101", "notebooks/02_baseline.ipynb", 4, 1, 9) in where
    assert ("DL450", "dvc.yaml", None, 2, 1) in where
    assert "cell" not in next(f for f in doc["findings"] if f["path"] == "dvc.yaml")


def test_fixture_sarif(run_cli):
    _, out, _ = run_cli("scan", PROJECT, "--output-format", "sarif")
    doc = json.loads(out)
    summary = []
    for result in doc["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        props = {k: v for k, v in result["properties"].items() if k.startswith("cell")}
        summary.append(
            {
                "rule": result["ruleId"],
                "uri": physical["artifactLocation"]["uri"].rsplit("notebook_project/", 1)[-1],
                "region": physical["region"],
                **props,
            }
        )
    _golden("expected.sarif-locations.json", json.dumps(summary, indent=1) + "\n")
    explore = (PROJECT / "notebooks/01_explore.ipynb").read_text(encoding="utf-8").splitlines()
    dl201 = next(s for s in summary if s["rule"] == "DL201")
    assert "holidays.csv" in explore[dl201["region"]["startLine"] - 1]
    assert (dl201["cell"], dl201["cellLine"], dl201["cellColumn"]) == (5, 2, 12)


def test_suppression_comments_work_inside_cells(tmp_path):
    text = notebook(
        (1, "import pandas as pd\nx = 1\n"),
        (2, "a = pd.read_csv('data/a.csv')  # debtlint: ignore[DL201] vendor extract\n"),
        (3, "b = 2\nc = pd.read_csv('data/c.csv')\n"),
    )
    result = scan_tree(tmp_path, {"nb.ipynb": text}, ["DL201", "DL002"])
    # Cell 2 line 1 is suppressed; cell 3 line 2 (also a line 2 somewhere) is not.
    assert [f.location.display() for f in result.findings if f.code == "DL201"] == [
        "nb.ipynb:cell 3:2:5"
    ]
