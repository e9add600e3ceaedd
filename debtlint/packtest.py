"""``debtlint test [PACK]``: run a rule pack's VALID/INVALID examples, the way debtlint's own test
suite runs the built-in ones (:mod:`debtlint.testing`), and report each example's outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from debtlint.loader import Registry, builtin_rules_dir, load_pack
from debtlint.rule import Rule
from debtlint.testing import ExampleCase, cases, run_case


@dataclass(frozen=True)
class Outcome:
    case: ExampleCase
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def where(self) -> str:
        return getattr(self.case.rule, "source_file", "")


def pack_rules(directory: Path) -> tuple[list[type[Rule]], tuple[Path, ...]]:
    """The rules of the pack at ``directory`` and the packs a scan must load to run them (none
    for the built-in pack, which every scan loads). A LoaderError when the pack cannot be used,
    including a code that clashes with a built-in rule."""
    directory = directory.resolve()
    if directory == builtin_rules_dir().resolve():
        return sorted(load_pack(directory, "builtin"), key=lambda r: r.code), ()
    Registry.load([directory])  # the same checks a scan makes, before running anything
    return sorted(load_pack(directory, directory.name), key=lambda r: r.code), (directory,)


def run_pack(
    directory: Path, report: Callable[[Outcome], None] | None = None
) -> tuple[list[type[Rule]], list[Outcome]]:
    """Run every example of every rule of the pack; ``report`` is told each outcome as it comes."""
    rules, packs = pack_rules(directory)
    outcomes = []
    for rule in rules:
        for case in cases(rule):
            outcome = Outcome(case, tuple(run_case(case, packs)))
            outcomes.append(outcome)
            if report is not None:
                report(outcome)
    return rules, outcomes
