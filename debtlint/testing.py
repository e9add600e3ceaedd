"""Rule examples are tests: run a rule's VALID and INVALID examples through the real engine.

``VALID`` examples must give no finding of the rule; every line of an ``INVALID`` example that
carries ``# expect: DL201`` (several codes comma-separated) must get exactly those findings of the
rule, and no other line may get one.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.findings import Finding
from debtlint.rule import Example, ProjectExample, Rule

EXPECT = re.compile(r"#\s*expect:\s*(DL\d{3}(?:\s*,\s*DL\d{3})*)")


@dataclass(frozen=True)
class ExampleCase:
    rule: type[Rule]
    kind: str  # "VALID" or "INVALID"
    index: int
    example: Example

    @property
    def id(self) -> str:
        return f"{self.rule.code}-{self.kind}-{self.index}"


def cases(rule: type[Rule]) -> list[ExampleCase]:
    return [
        *(ExampleCase(rule, "VALID", i, e) for i, e in enumerate(rule.VALID)),
        *(ExampleCase(rule, "INVALID", i, e) for i, e in enumerate(rule.INVALID)),
    ]


def example_files(example: Example) -> dict[str, str]:
    if isinstance(example, ProjectExample):
        return example.dedented()
    return {"example.py": textwrap.dedent(example).lstrip("\n")}


def expected_findings(files: dict[str, str], code: str) -> set[tuple[str, int]]:
    expected = set()
    for path, text in files.items():
        for number, line in enumerate(text.splitlines(), start=1):
            match = EXPECT.search(line)
            if match and code in {c.strip() for c in match.group(1).split(",")}:
                expected.add((path, number))
    return expected


def run_case(case: ExampleCase, packs: tuple[Path, ...] = ()) -> list[str]:
    """Problems with one example (empty when it behaves as documented)."""
    files = example_files(case.example)
    code = case.rule.code
    with tempfile.TemporaryDirectory(prefix="debtlint-example-") as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        settings = load_settings(root)
        settings.rule_packs = [str(p) for p in packs]
        result = scan(settings, [root], Selection(select=[code]))
    internal = [f.message for f in result.findings if f.code == "DL000"]
    if internal:
        return [f"internal error: {m}" for m in internal]
    got = {(f.location.path, _file_line(f)) for f in result.findings if f.code == code}
    expected = expected_findings(files, code) if case.kind == "INVALID" else set()
    problems = []
    if case.kind == "INVALID" and not expected:
        problems.append("INVALID example has no `# expect:` marker for this rule")
    for path, line in sorted(expected - got):
        problems.append(f"expected {code} at {path}:{line}, got none")
    for path, line in sorted(got - expected):
        messages = [
            f.message
            for f in result.findings
            if f.code == code and (f.location.path, _file_line(f)) == (path, line)
        ]
        problems.append(f"unexpected {code} at {path}:{line}: {'; '.join(messages)}")
    return problems


def _file_line(finding: Finding) -> int:
    """The line of the file a finding is on: in a notebook, the .ipynb line that holds the cell's
    source line, so `# expect:` markers work inside notebook JSON too."""
    return finding.location.file_line or finding.location.line
