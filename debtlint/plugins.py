"""Rule packs installed as Python distributions, found through the ``debtlint.rules`` entry point
group, and the list of every pack folder a scan loads.

Installing a package must not be enough to run its code inside every scan: entry-point packs load
only when the project asks (``rule-pack-entry-points: true`` or a list of names) or the command
line does (``--rule-pack-entry-point NAME``). An entry point names the pack's folder either as a
package (``my_rules = acme_debt_rules``: the package's folder is the pack) or as an attribute
(``my_rules = acme_debt_rules:RULES_DIR``, a path or a function returning one). Each pack is then
loaded by :func:`debtlint.loader.load_pack`, exactly like a pack given by path.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from debtlint.config import Settings

GROUP = "debtlint.rules"


class PluginError(Exception):
    """An entry point that was asked for but is not installed or names no folder."""


@dataclass(frozen=True)
class EntryPointPack:
    name: str
    value: str
    distribution: str  # "name version", or "" when unknown
    directory: Path


def installed() -> list[importlib.metadata.EntryPoint]:
    """Every installed entry point of the group, by name (the first one found of a name wins, as
    on ``sys.path``)."""
    seen: dict[str, importlib.metadata.EntryPoint] = {}
    for entry in importlib.metadata.entry_points(group=GROUP):
        seen.setdefault(entry.name, entry)
    return [seen[name] for name in sorted(seen)]


def _distribution(entry: importlib.metadata.EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    if dist is None:
        return ""
    return f"{dist.metadata['Name']} {dist.version}"


def directory_of(entry: importlib.metadata.EntryPoint) -> Path:
    """The pack folder an entry point names; importing its code only for the ``module:attr`` form."""
    value = entry.value.strip()
    module, _, attr = value.partition(":")
    module = module.strip()
    where = f"entry point {entry.name!r} ({GROUP} = {value!r})"
    if not attr:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError) as exc:
            raise PluginError(f"{where}: cannot find {module!r}: {exc}") from None
        if spec is None:
            raise PluginError(f"{where}: no module {module!r} is installed")
        locations = list(spec.submodule_search_locations or [])
        if not locations:
            raise PluginError(
                f"{where}: {module!r} is a single module, not a package; point the entry point "
                f"at the package folder holding the rule files, or at 'module:ATTRIBUTE' holding "
                f"that folder's path"
            )
        return Path(locations[0])
    try:
        target: object = importlib.import_module(module)
        for part in attr.strip().split("."):
            target = getattr(target, part)
        if callable(target):
            target = target()
    except Exception as exc:  # third-party code the user chose to load; report, never crash
        raise PluginError(f"{where}: failed to load: {type(exc).__name__}: {exc}") from None
    if not isinstance(target, (str, os.PathLike)):
        raise PluginError(
            f"{where}: expected the path of a rule pack folder, got {type(target).__name__}"
        )
    return Path(os.fspath(target))


def enabled_packs(choice: bool | Sequence[str]) -> list[EntryPointPack]:
    """The entry-point packs ``choice`` enables: all installed ones (True), none (False), or the
    named ones (each must be installed)."""
    if choice is False or (not isinstance(choice, bool) and not choice):
        return []
    entries = installed()
    if choice is not True:
        by_name = {e.name: e for e in entries}
        missing = [name for name in choice if name not in by_name]
        if missing:
            known = ", ".join(by_name) or "none is installed"
            raise PluginError(
                f"no {GROUP} entry point named {', '.join(map(repr, missing))} (installed: {known})"
            )
        entries = [by_name[name] for name in dict.fromkeys(choice)]
    return [
        EntryPointPack(e.name, e.value, _distribution(e), directory_of(e).resolve())
        for e in entries
    ]


def pack_directories(settings: Settings) -> list[Path]:
    """Every rule pack folder of a scan besides the built-in one: ``rule-packs`` (relative to the
    root), then the enabled entry-point packs."""
    folders = [settings.root / p for p in settings.rule_packs]
    for pack in enabled_packs(settings.rule_pack_entry_points):
        if pack.directory not in folders:
            folders.append(pack.directory)
    return folders
