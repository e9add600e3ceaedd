"""The baseline: a committed file of the findings a team has accepted for now, so that CI fails only
on new debt.

Entries are keyed by the line-independent fingerprint (code, path, entity and an occurrence number;
see :func:`debtlint.engine.assign_fingerprints`), so moving code does not churn the file. A finding
whose fingerprint is in the baseline gets status ``baselined``: it stays in the report and the
score, but does not fail the gate. Entries that no longer match anything are debt paid off; writing
the baseline again drops them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from debtlint import __version__
from debtlint.findings import Finding

SCHEMA_VERSION = "1"
_ENTRY_KEYS = ("fingerprint", "code", "path", "entity", "message")


class BaselineError(Exception):
    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")


@dataclass(frozen=True)
class Baseline:
    file: str
    entries: dict[str, dict[str, str]]  # fingerprint -> entry

    @classmethod
    def from_findings(cls, file: str, findings: Iterable[Finding]) -> Baseline:
        entries = {
            f.fingerprint: {
                "fingerprint": f.fingerprint,
                "code": f.code,
                "path": f.location.path,
                "entity": f.entity,
                "message": f.message,
            }
            for f in findings
            # An internal error is not debt: it must keep exiting 2 until it is fixed.
            if f.code != "DL000"
        }
        return cls(file, entries)

    def to_json(self) -> str:
        entries = sorted(
            self.entries.values(),
            key=lambda e: (e["path"], e["code"], e["entity"], e["fingerprint"]),
        )
        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "debtlint", "version": __version__},
            "entries": entries,
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path, display: str) -> Baseline:
    """Read a baseline file; every problem is a :class:`BaselineError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            display, "baseline file not found; create it with `debtlint scan --write-baseline FILE`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(display, f"cannot read the baseline: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{display}:{exc.lineno}",
            f"not valid JSON ({exc.msg}); rewrite it with --write-baseline",
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise BaselineError(display, "not a debtlint baseline (expected an object with 'entries')")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise BaselineError(
            display,
            f"baseline schema_version {doc.get('schema_version')!r} is not {SCHEMA_VERSION!r}; "
            f"rewrite it with --write-baseline",
        )
    entries: dict[str, dict[str, str]] = {}
    for index, entry in enumerate(doc["entries"]):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) for key in _ENTRY_KEYS
        ):
            raise BaselineError(
                display,
                f"entry {index} needs the string fields {', '.join(_ENTRY_KEYS)}",
            )
        entries[entry["fingerprint"]] = {key: entry[key] for key in _ENTRY_KEYS}
    return Baseline(display, entries)


def apply_baseline(findings: Sequence[Finding], baseline: Baseline) -> tuple[list[Finding], int]:
    """The findings with status ``baselined`` where the baseline has them, and how many baseline
    entries matched nothing (fixed since)."""
    out = []
    matched: set[str] = set()
    for finding in findings:
        entry = baseline.entries.get(finding.fingerprint)
        if entry is not None and entry["code"] == finding.code and finding.status == "new":
            matched.add(finding.fingerprint)
            finding = finding.with_status("baselined", baseline.file)
        elif entry is not None:
            matched.add(finding.fingerprint)
        out.append(finding)
    return out, len(set(baseline.entries) - matched)
