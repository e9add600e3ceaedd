"""``debtlint config``: the settings a scan would use, where each came from, and every rule's state.

A setting's source is ``file:line`` when a configuration file sets it, the command line or the
environment when they override it, else ``default``. A rule is enabled, or disabled with the reason
the registry gives (not selected, ignored by a selector, preview, deprecated).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from debtlint.config import KNOWN_KEYS, Settings, cache_dir_path
from debtlint.loader import Registry
from debtlint.plugins import enabled_packs
from debtlint.rule import RuleSet

# How a key's unset value reads, where the bare default would say little.
_DEFAULT_TEXT = {
    "exclude": "the default excludes (virtual environments, build, cache and VCS folders)",
    "select": ["ALL"],
    "jobs": "all cores",
}


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a setting's value; manifest entries without their bookkeeping."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("line", "file", "name", "pattern") and getattr(value, f.name)
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def setting_rows(settings: Settings, overrides: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per configuration key: ``key``, ``value``, ``source``."""
    rows = []
    for key in KNOWN_KEYS:
        value = getattr(settings, key.replace("-", "_"))
        if key in overrides:
            source = overrides[key]
        elif key in settings._key_files:  # set by a file: line_of finds its line
            file, line = settings.line_of(key)
            source = f"{file}:{line}" if line is not None else file
        else:
            source = "default"
            if value is None and key in _DEFAULT_TEXT:
                value = _DEFAULT_TEXT[key]
        if key == "per-file-ignores":
            value = {glob: selectors for glob, selectors in value}
        rows.append({"key": key, "value": _plain(value), "source": source})
    return rows


def rule_rows(registry: Registry, ruleset: RuleSet, settings: Settings) -> list[dict[str, Any]]:
    """One row per known rule: ``code``, ``name``, ``enabled``, ``severity``, ``reason`` (why it is
    off, or where its severity was changed), ``options`` (enabled rules), ``pack``."""
    enabled = {rule.code: rule for rule in ruleset.all}
    rows = []
    for code in sorted(registry.rules):
        cls = registry.rules[code]
        rule = enabled.get(code)
        row: dict[str, Any] = {
            "code": code,
            "name": cls.name,
            "enabled": rule is not None,
            "severity": cls.severity.value,
            "reason": ruleset.disabled.get(code, ""),
            "pack": _pack_of(cls),
        }
        if rule is not None:
            row["options"] = _plain(rule.opts)
            if rule.severity_override is not None:
                row["severity"] = rule.severity_override.value
                row["reason"] = (
                    f"severity changed to {row['severity']} ({_severity_source(settings, code, registry)})"
                )
        rows.append(row)
    return rows


def _pack_of(cls: type) -> str:
    source = getattr(cls, "source_file", "")
    module = getattr(cls, "__module__", "")
    return "builtin" if ".builtin_" in module else str(Path(source).parent) if source else ""


def _severity_source(settings: Settings, code: str, registry: Registry) -> str:
    for selector in settings.severity:
        if code in registry.expand(selector):
            file, line = settings.line_of(f"severity.{selector}")
            return f"severity.{selector} at {file}:{line}" if line else f"severity.{selector}"
    return "severity"


def report(
    settings: Settings,
    registry: Registry,
    ruleset: RuleSet,
    overrides: Mapping[str, str],
) -> dict[str, Any]:
    return {
        "root": str(settings.root),
        "config_files": list(settings.config_files),
        "cache_folder": str(cache_dir_path(settings)),
        "entry_point_packs": [
            {
                "name": p.name,
                "value": p.value,
                "distribution": p.distribution,
                "folder": str(p.directory),
            }
            for p in enabled_packs(settings.rule_pack_entry_points)
        ],
        "settings": setting_rows(settings, overrides),
        "rules": rule_rows(registry, ruleset, settings),
    }


def render_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_text(doc: Mapping[str, Any]) -> str:
    files = ", ".join(doc["config_files"]) or "none (every setting is a default)"
    lines = [
        f"project root:  {doc['root']}",
        f"configuration: {files}",
        f"cache folder:  {doc['cache_folder']}",
    ]
    for pack in doc["entry_point_packs"]:
        dist = f" from {pack['distribution']}" if pack["distribution"] else ""
        lines.append(f"entry-point rule pack: {pack['name']}{dist} ({pack['folder']})")
    lines += ["", "settings:"]
    width = max(len(row["key"]) for row in doc["settings"])
    for row in doc["settings"]:
        value = json.dumps(row["value"], ensure_ascii=False)
        lines.append(f"  {row['key']:<{width}}  {value}  [{row['source']}]")
    rules = doc["rules"]
    on = sum(1 for r in rules if r["enabled"])
    lines += ["", f"rules: {on} enabled, {len(rules) - on} disabled"]
    name_width = max((len(r["name"]) for r in rules), default=0)
    for row in rules:
        state = "enabled " if row["enabled"] else "disabled"
        detail = row["reason"]
        if row["enabled"] and row["pack"] != "builtin" and row["pack"]:
            detail = f"{detail}; pack {row['pack']}" if detail else f"pack {row['pack']}"
        text = f"  {row['code']}  {row['name']:<{name_width}}  {state}  {row['severity']:<7}"
        lines.append(f"{text}  {detail}".rstrip())
    return "\n".join(lines) + "\n"
