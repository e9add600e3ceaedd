"""Output formats. Each takes a ScanResult and returns the text to print; machine formats print
nothing but their document."""

from __future__ import annotations

from collections.abc import Callable

from debtlint.engine import ScanResult
from debtlint.report.concise import render_concise
from debtlint.report.full import render_full
from debtlint.report.json_envelope import render_json

FORMATS: dict[str, Callable[[ScanResult], str]] = {
    "full": render_full,
    "concise": render_concise,
    "json": render_json,
}
