"""debtlint.facts.positions gives exactly libcst's PositionProvider spans, for every node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from debtlint.facts.positions import Positions
from tests.conftest import FIXTURES, REPO

TRICKY = [
    # comments and blank lines before statements (excluded from statement spans)
    "# header\n\n\nimport os  # trailing\n\n# lead\nx = 1\n",
    # decorators, nested compound statements, else/finally, one-line bodies
    "@dec\n@dec2(1)\nclass A(B):\n    '''doc'''\n    def f(self, *a, **k):\n        if a: return 1\n"
    "        elif k:\n            pass\n        else:\n            try:\n                x()\n"
    "            except (E, F) as e:\n                raise\n            finally:\n"
    "                y = [i for i in a if i]\n",
    # semicolons, continuation lines, strings spanning lines, f-strings
    "a = 1; b = 2\nc = (a +\n     b)\nd = '''x\ny'''\ne = f\"{a!r:>{b}} {c}\"\nf = a \\\n    + b\n",
    # Windows and old Mac newlines, tabs, non-ASCII text
    "x = 1\r\nif x:\r\n\ty = 'héllo'\r\n\tz = {'ß': [1,\r\n  2]}\r\n",
    "a = 1\rb = 2\r",
    # no trailing newline, async, match, walrus, lambda, star expressions
    "async def g():\n    async with a as b:\n        async for i in c:\n            await i\n"
    "match p:\n    case [1, *rest] if (n := len(rest)):\n        f = lambda q: q\n"
    "    case {'k': v}:\n        pass",
    "",
    "\n\n",
]


def _check(source: str | bytes) -> int:
    module = cst.parse_module(source)
    stock = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ours = Positions(module)
    mismatches = []
    for node, rng in stock.items():
        expected = (rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)
        if ours.get(node) != expected:
            mismatches.append((type(node).__name__, expected, ours.get(node)))
    assert mismatches == []
    return len(stock)


@pytest.mark.parametrize("source", TRICKY)
def test_same_spans_as_libcst_on_tricky_code(source):
    _check(source)


def test_same_spans_as_libcst_on_every_fixture_and_debtlint_itself():
    files = sorted(FIXTURES.rglob("*.py")) + sorted((REPO / "debtlint").rglob("*.py"))
    nodes = sum(_check(path.read_bytes()) for path in files)
    assert nodes > 10_000


def test_a_node_from_another_module_has_no_span():
    positions = Positions(cst.parse_module("x = 1\n"))
    assert positions.get(cst.parse_expression("y")) is None
