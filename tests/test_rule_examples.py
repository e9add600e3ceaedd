"""Every example of every built-in rule, run through the real engine."""

from __future__ import annotations

import pytest

from debtlint.loader import Registry
from debtlint.rule import rule_problems
from debtlint.testing import cases, run_case

REGISTRY = Registry.load()
CASES = [case for code in sorted(REGISTRY.rules) for case in cases(REGISTRY.rules[code])]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_example(case):
    assert run_case(case) == []


@pytest.mark.parametrize("code", sorted(REGISTRY.rules))
def test_rule_metadata(code):
    assert rule_problems(REGISTRY.rules[code]) == []


def test_builtin_pack_has_the_core_rules():
    assert {"DL000", "DL001", "DL101", "DL201", "DL401"} <= set(REGISTRY.rules)
