"""Property tests: whatever source or notebook debtlint is given (real code mutated at random,
random bytes, random notebook JSON), the analysis returns a result and records no internal error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debtlint.analyse import FileResult, analyse_file
from debtlint.config import Settings, load_settings
from debtlint.engine import prepare, scan
from debtlint.knowledge import Catalog
from tests.conftest import FIXTURES

SEEDS = sorted(
    p.read_text(encoding="utf-8")
    for p in FIXTURES.rglob("*.py")
    if p.stat().st_size < 20_000 and "expected" not in p.name
)
assert SEEDS, "the fixtures hold the seed corpus"

CATALOG = Catalog.builtin()
_, RULESET = prepare(Settings(root=FIXTURES))
SYNTAX_RULE = next(r for r in RULESET.file_rules if r.code == "DL001")
FILE_RULES = [r for r in RULESET.file_rules if r.code not in ("DL000", "DL001")]

# Characters that matter to a tokenizer, plus a few that should not appear in source at all.
PIECES = [
    *list("()[]{}:;,.='\"\\#@*+-/%<>!~&|^ \t\n\r"),
    "\x00",
    "\ufeff",
    "é",
    "模",
    "\u2028",
    '"""',
    "'''",
    "f'{",
    "}'",
    "lambda",
    "async ",
    "await ",
    "import ",
    "from . import ",
    "def ",
    "class ",
    "if ",
    "else:",
    "yield ",
    "pd.read_csv(",
    "model.fit(",
    "\n    ",
    "\n\t",
    "# debtlint: ignore[DL201]",
    "%matplotlib inline\n",
    "!pip install x\n",
]
# DEBTLINT_FUZZ_EXAMPLES=5000 for a longer hunt; no example database is written into the checkout.
EXAMPLES = int(os.environ.get("DEBTLINT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated_source(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 8))):
        if not text:
            text = draw(st.sampled_from(PIECES))
        kind = draw(st.sampled_from(["delete", "insert", "swap", "duplicate", "truncate"]))
        at = draw(st.integers(0, len(text) - 1 if text else 0))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            piece = draw(st.sampled_from(PIECES) | st.text(max_size=5))
            text = text[:at] + piece + text[at:]
        elif kind == "swap" and len(text) > 1:
            other = draw(st.integers(0, len(text) - 1))
            chars = list(text)
            chars[at], chars[other] = chars[other], chars[at]
            text = "".join(chars)
        elif kind == "duplicate":
            lines = text.splitlines(keepends=True)
            if lines:
                index = draw(st.integers(0, len(lines) - 1))
                lines.insert(index, lines[index])
                text = "".join(lines)
        else:
            text = text[:at]
    return text


def _analyse(path: str, data: bytes) -> FileResult:
    result = analyse_file(path, data, CATALOG, FILE_RULES, lambda module: False, SYNTAX_RULE)
    assert isinstance(result, FileResult)
    assert result.crashes == [], result.crashes[0][2]
    for finding in result.findings:
        assert finding.location.line >= 1 and finding.location.col >= 1
    return result


@FUZZ
@given(mutated_source(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_mutated_python_never_crashes_the_analysis(source, encoding):
    data = source.encode(encoding, errors="replace")
    _analyse("pkg/mod.py", data)


@FUZZ
@given(mutated_source())
def test_mutated_python_with_crlf_never_crashes_the_analysis(source):
    _analyse("train.py", source.replace("\n", "\r\n").encode("utf-8", errors="replace"))


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_analysis(data):
    _analyse("blob.py", data)


_SOURCE_LINES = st.lists(mutated_source().map(lambda s: s[:400]) | st.text(max_size=40), max_size=4)
_CELL = st.fixed_dictionaries(
    {
        "cell_type": st.sampled_from(["code", "markdown", "raw", "weird"]) | st.integers(),
        "source": _SOURCE_LINES | _SOURCE_LINES.map("".join) | st.none() | st.integers(),
        "metadata": st.just({}) | st.none() | st.text(max_size=5),
    },
    optional={
        "outputs": st.just([]) | st.integers(),
        "execution_count": st.none() | st.integers() | st.text(max_size=3),
        "id": st.text(max_size=8),
    },
)
_NOTEBOOK = st.fixed_dictionaries(
    {"cells": st.lists(_CELL, max_size=5) | st.integers() | st.none()},
    optional={
        "nbformat": st.sampled_from([4, 3, 5, "4", None]),
        "nbformat_minor": st.integers(-1, 6),
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "kernelspec": st.fixed_dictionaries(
                    {"language": st.sampled_from(["python", "R", "julia", "", 3])},
                    optional={"name": st.text(max_size=10)},
                )
                | st.text(max_size=4),
                "language_info": st.fixed_dictionaries(
                    {"name": st.sampled_from(["python", "r", None])}
                ),
            },
        ),
    },
)


@FUZZ
@given(_NOTEBOOK)
def test_random_notebooks_never_crash_the_analysis(notebook):
    _analyse("notebooks/explore.ipynb", json.dumps(notebook).encode())


@FUZZ
@given(_NOTEBOOK, st.integers(0, 400), st.integers(0, 30))
def test_truncated_notebook_json_never_crashes_the_analysis(notebook, cut, drop):
    text = json.dumps(notebook)
    cut = min(cut, len(text))
    _analyse("n.ipynb", (text[:cut] + text[cut + drop :]).encode())


@settings(
    max_examples=max(EXAMPLES // 8, 25),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(st.lists(mutated_source(), min_size=1, max_size=4), st.sampled_from(["", "dvc"]))
def test_a_project_of_mutated_files_scans_without_internal_errors(tmp_path_factory, sources, extra):
    root: Path = tmp_path_factory.mktemp("fuzz")
    for index, source in enumerate(sources):
        (root / f"m{index}.py").write_text(source, encoding="utf-8", errors="replace")
    if extra == "dvc":
        (root / "dvc.yaml").write_text(
            "stages:\n  train:\n    cmd: python m0.py\n    deps: [m0.py]\n"
        )
    config = load_settings(root)
    config.jobs = 1
    result = scan(config, [root])
    assert result.internal_errors == [], result.tracebacks
    assert len(result.facts) == len(sources)
