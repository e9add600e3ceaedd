"""What value resolution costs: scan a corpus with and without it, alternating, in one process.

    python bench/resolution.py /path/to/corpus [--repeat 3]

"Without" replaces the evaluator by one that resolves string literals only and makes phase 2
resolve nothing, so the difference is what following constants, configs, joins, f-strings and
callers costs. Runs in-process, one worker, no cache. Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import libcst as cst

from debtlint.config import load_settings
from debtlint.engine import scan
from debtlint.facts.values import UNKNOWN, Evaluator, Value
from debtlint.resolve import Resolver


def _literal_only(self: Evaluator, node: cst.BaseExpression | None, scope: object) -> Value:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return Value(text=node.evaluated_value)
    return UNKNOWN


@contextmanager
def resolution_disabled():
    with (
        mock.patch.object(Evaluator, "eval", _literal_only),
        mock.patch.object(Resolver, "resolve", lambda self, template: []),
    ):
        yield


def run_once(root: Path) -> tuple[float, float]:
    settings = load_settings(root)
    start = time.perf_counter()
    result = scan(settings, [root])
    elapsed = time.perf_counter() - start
    return elapsed, result.graph.resolution["reads"]["resolved"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with_times, without_times = [], []
    resolved_with = resolved_without = 0.0
    for _ in range(args.repeat):
        elapsed, resolved_with = run_once(args.corpus)
        with_times.append(elapsed)
        with resolution_disabled():
            elapsed, resolved_without = run_once(args.corpus)
        without_times.append(elapsed)
    w, wo = statistics.median(with_times), statistics.median(without_times)
    print(f"corpus: {args.corpus}  (runs: {args.repeat}, one process, no cache)")
    print(f"with resolution:    median {w:.2f} s  (reads resolved: {resolved_with:g})")
    print(f"without resolution: median {wo:.2f} s  (reads resolved: {resolved_without:g})")
    print(f"ratio: {w / wo:.3f}x")


if __name__ == "__main__":
    main()
