"""DL206 unused-column: regressions that do not fit the rule's examples — notebooks, confidence,
ordering of whole-frame uses, and one mutant per known trap (the trap removed, the column must be
reported, so that each VALID example really guards something)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.findings import Finding
from tests.conftest import write_tree


def run(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    write_tree(tmp_path, {k: textwrap.dedent(v).lstrip("\n") for k, v in files.items()})
    result = scan(load_settings(tmp_path), [tmp_path], Selection(select=["DL206"]))
    return [f for f in result.findings if f.code == "DL206"]


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": textwrap.dedent(cell).lstrip("\n").splitlines(keepends=True),
                }
                for cell in cells
            ],
            "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


LOAD = 'import pandas as pd\ndf = pd.read_csv("a.csv")\n'


def test_notebook_column_used_in_a_later_cell(tmp_path):
    nb = notebook(LOAD, 'df["ratio"] = df["x"] / df["y"]\n', 'print(df["ratio"].mean())\n')
    assert run(tmp_path, {"eda.ipynb": nb}) == []


def test_notebook_column_never_used_is_reported_in_its_cell(tmp_path):
    nb = notebook(LOAD, 'df["ratio"] = df["x"] / df["y"]\n', 'print(df["x"].mean())\n')
    (finding,) = run(tmp_path, {"eda.ipynb": nb})
    assert finding.location.cell == 2
    assert finding.location.line == 1
    assert finding.confidence.value == "high"
    assert finding.entity == "<module>:df[ratio]"


def test_notebook_display_of_the_frame_after_the_column_uses_it(tmp_path):
    nb = notebook(LOAD, 'df["ratio"] = df["x"] / df["y"]\n', "df\n")
    assert run(tmp_path, {"eda.ipynb": nb}) == []


def test_module_level_of_a_py_file_has_medium_confidence(tmp_path):
    src = LOAD + 'df["ratio"] = df["x"] / df["y"]\nprint(df["x"])\n'
    (finding,) = run(tmp_path, {"script.py": src})
    assert finding.confidence.value == "medium"
    assert finding.location.line == 3


def test_function_level_has_high_confidence_and_names_the_column(tmp_path):
    src = """
    import pandas as pd
    def main():
        df = pd.read_csv("a.csv")
        df["ratio"] = df["x"] / df["y"]
        return df["x"]
    """
    (finding,) = run(tmp_path, {"job.py": src})
    assert finding.confidence.value == "high"
    assert "'ratio'" in finding.message
    assert finding.entity == "main:df[ratio]"


def test_usecols_entry_is_reported_where_it_is_written(tmp_path):
    src = """
    import pandas as pd
    def main():
        df = pd.read_csv("a.csv", usecols=["x",
                                           "zip"])
        return df["x"]
    """
    (finding,) = run(tmp_path, {"job.py": src})
    assert finding.location.line == 4
    assert "loaded" in finding.message


def _fn(body: str) -> str:
    return "import pandas as pd\ndef main(y, col):\n" + textwrap.indent(
        textwrap.dedent(body).lstrip("\n"), "    "
    )


# (trap, the same code without the trap): the first must be silent, the second reported.
TRAPS = {
    "written": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf.to_csv("o.csv")\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf[["x"]].to_csv("o.csv")\n',
    ),
    "fitted": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nmodel.fit(df, y)\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nmodel.fit(df[["x"]], y)\n',
    ),
    "user-function": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nhelper(df)\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nhelper(df["x"])\n',
    ),
    "returned": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df["x"]\n',
    ),
    "yielded": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nyield df\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nyield df["x"]\n',
    ),
    "variable-column": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df[col]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df["x"]\n',
    ),
    "loc": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df.loc[:, "r"]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df.loc[:, "x"]\n',
    ),
    "attribute": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df.r\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df.x\n',
    ),
    "query": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf = df.query("r > 0")\nreturn df["x"]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf = df.query("x > 0")\nreturn df["x"]\n',
    ),
    "augmented": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf["r"] += 1\nreturn df["x"]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf["x"] += 1\nreturn df["x"]\n',
    ),
    "deleted": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndel df["r"]\nreturn df["x"]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndel df["x"]\nreturn df["x"]\n',
    ),
    "dropped-in-place": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf.drop(columns=["r"], inplace=True)\n'
        'return df["x"]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf.drop(columns=["z"], inplace=True)\n'
        'return df["x"]\n',
    ),
    "dropna-reads-every-column": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf = df.dropna()\nreturn df["x"]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf = df.dropna(subset=["x"])\nreturn df["x"]\n',
    ),
    "stored": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nframes.append(df)\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nframes.append(df["x"])\n',
    ),
    "iterated": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nfor c in df:\n    print(c)\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nfor c in df["x"]:\n    print(c)\n',
    ),
    "columns": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn list(df.columns)\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df.shape\n',
    ),
    "double-star": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn dict(**df)\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn dict(x=df["x"])\n',
    ),
    "locals": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn locals()\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn len(df)\n',
    ),
    "nested-function": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn lambda: df\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn lambda df: df\n',
    ),
    "groupby-before": (
        'df = pd.read_csv("a.csv")\ng = df.groupby("x")\ndf["r"] = 1\nreturn g.mean()\n',
        'df = pd.read_csv("a.csv")\ng = df.head()\ndf["r"] = 1\nreturn g.mean()\n',
    ),
    "use-before-in-a-loop": (
        'df = pd.read_csv("a.csv")\nfor i in y:\n    print(df.head())\n    df["r"] = i\n',
        'df = pd.read_csv("a.csv")\nprint(df.head())\nfor i in y:\n    df["r"] = i\n',
    ),
    "alias": (
        'df = pd.read_csv("a.csv")\nview = df\nview["r"] = 1\nreturn df["x"]\n',
        'df = pd.read_csv("a.csv")\nview = df.copy()\nview["r"] = 1\nreturn view["x"]\n',
    ),
    "column-list-mutated": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df[FEATURES]\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\nreturn df[COLUMNS]\n',
    ),
    "written-columns": (
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf.to_csv("o.csv", columns=["x", "r"])\n',
        'df = pd.read_csv("a.csv")\ndf["r"] = 1\ndf.to_csv("o.csv", columns=["x"])\n',
    ),
}
CONSTANTS = 'FEATURES = ["x"]\nFEATURES.append(name)\nCOLUMNS = ["x"]\n'


@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_trap_is_silent_and_its_mutant_is_reported(tmp_path, trap):
    silent, reported = TRAPS[trap]
    assert run(tmp_path / "a", {"job.py": _fn(silent) + CONSTANTS}) == []
    findings = run(tmp_path / "b", {"job.py": _fn(reported) + CONSTANTS})
    assert [f.entity for f in findings] == ["main:df[r]"] or [f.entity for f in findings] == [
        "main:view[r]"
    ]


def test_parameter_frame_is_an_output(tmp_path):
    src = """
    import pandas as pd
    def add(df: pd.DataFrame):
        df["r"] = 1
    def add_to_copy(df: pd.DataFrame):
        out = df.copy()
        out["r"] = 1
        return out["x"]
    """
    assert [f.entity for f in run(tmp_path, {"job.py": src})] == ["add_to_copy:out[r]"]


def test_module_frame_used_by_a_function_is_used(tmp_path):
    src = LOAD + 'df["r"] = 1\ndef show():\n    print(df)\n'
    assert run(tmp_path, {"job.py": src}) == []
    # A function with its own `df` parameter does not touch the module's frame.
    src = LOAD + 'df["r"] = 1\ndef show(df):\n    print(df)\nprint(df["x"])\n'
    assert [f.entity for f in run(tmp_path / "b", {"job.py": src})] == ["<module>:df[r]"]


def test_column_named_elsewhere_in_the_file_is_not_reported(tmp_path):
    src = LOAD + 'df["r"] = 1\nprint(df["x"])\ndef report(t):\n    return t["r"]\n'
    assert run(tmp_path, {"job.py": src}) == []


def test_assign_on_a_new_name_and_insert(tmp_path):
    src = """
    import pandas as pd
    def main():
        df = pd.read_csv("a.csv")
        out = df.assign(double=df["x"] * 2)
        out.insert(0, "first", 1)
        return out[["x"]]
    """
    findings = run(tmp_path, {"job.py": src})
    assert sorted(f.entity for f in findings) == ["main:out[double]", "main:out[first]"]


def test_loaded_columns_of_a_frame_never_used_are_left_to_dl204(tmp_path):
    src = """
    import pandas as pd
    def main():
        movies = pd.read_csv("m.csv", usecols=["id", "title"])
        ratings = pd.read_csv("r.csv", usecols=["id", "score"])
        return ratings["id"]
    """
    assert [f.entity for f in run(tmp_path, {"job.py": src})] == ["main:ratings[score]"]


def test_order_of_uses_within_one_line_and_one_statement(tmp_path):
    src = """
    import pandas as pd
    def same_line(p):
        df = pd.read_csv("a.csv")
        df["r"] = 1; df.to_csv(p)
    def right_hand_side():
        df = pd.read_csv("a.csv")
        df["s"] = df.apply(sum, axis=1)
        return df["x"]
    """
    assert [f.entity for f in run(tmp_path, {"job.py": src})] == ["right_hand_side:df[s]"]
