"""Colour for the human formats: only on a terminal, never with NO_COLOR, unless --color always."""

from __future__ import annotations

from collections.abc import Mapping

from debtlint.findings import Finding

_RESET = "\x1b[0m"
_SEVERITY = {"error": "1;31", "warning": "33", "info": "36"}


def use_color(choice: str, is_tty: bool, env: Mapping[str, str]) -> bool:
    """``--color auto|always|never``; auto means a terminal and no ``NO_COLOR`` (no-color.org)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return is_tty and not env.get("NO_COLOR") and env.get("TERM") != "dumb"


class Style:
    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled

    def paint(self, text: str, sgr: str) -> str:
        return f"\x1b[{sgr}m{text}{_RESET}" if self.enabled and text else text

    def bold(self, text: str) -> str:
        return self.paint(text, "1")

    def dim(self, text: str) -> str:
        return self.paint(text, "2")

    def code(self, text: str) -> str:
        return self.paint(text, "1;35")

    def label(self, finding: Finding) -> str:
        """``[warning]``, or ``[warning, baselined]`` for findings that do not fail the gate."""
        severity = self.paint(finding.severity.value, _SEVERITY[finding.severity.value])
        if finding.status != "new":
            return f"[{severity}, {self.dim(finding.status)}]"
        return f"[{severity}]"
