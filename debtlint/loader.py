"""Rule packs: the built-in one and users' own, loaded by path through the same code.

A pack is a folder of Python files, one rule class per file, grouped in family folders. Files are
imported under the private ``debtlint_packs.<pack>`` namespace, so a pack never collides with an
importable ``rules`` package of the scanned project or of the user's environment.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from debtlint.rule import (
    FAMILIES,
    FileRule,
    ProjectRule,
    Rule,
    RuleSet,
    Severity,
    Status,
    rule_problems,
)


class LoaderError(Exception):
    """A rule pack that cannot be used (import error, invalid rule metadata, duplicate code)."""


def builtin_rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    shipped = here / "_builtin_rules"  # inside an installed wheel
    return shipped if shipped.is_dir() else here.parent / "rules"


def load_pack(directory: Path, name: str | None = None) -> list[type[Rule]]:
    directory = directory.resolve()
    if not directory.is_dir():
        raise LoaderError(f"rule pack {directory} is not a directory")
    digest = hashlib.sha1(str(directory).encode()).hexdigest()[:10]
    namespace = f"debtlint_packs.{name or 'pack'}_{digest}"
    found: list[type[Rule]] = []
    for file in sorted(directory.rglob("*.py")):
        relative = file.relative_to(directory).with_suffix("")
        # Only the part inside the pack counts: the pack itself may live under `.venv/`.
        if file.name.startswith("_") or any(p.startswith(".") for p in relative.parts):
            continue
        module_name = f"{namespace}." + ".".join(relative.parts)
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, file)
            if spec is None or spec.loader is None:
                raise LoaderError(f"{file}: cannot be loaded as a rule module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                del sys.modules[module_name]
                raise LoaderError(f"{file}: failed to import: {type(exc).__name__}: {exc}") from exc
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, (FileRule, ProjectRule))
                and obj.__module__ == module_name
                and not inspect.isabstract(obj)
                and getattr(obj, "code", None)
            ):
                problems = rule_problems(obj)
                if problems:
                    raise LoaderError(f"{file}: " + "; ".join(problems))
                obj.source_file = str(file)  # type: ignore[attr-defined]
                found.append(obj)
    if not found:
        # An empty pack is a misconfiguration (a wrong path, a packaging mistake), never silence.
        raise LoaderError(f"rule pack {directory} defines no rules")
    return found


@dataclass
class Registry:
    rules: dict[str, type[Rule]] = field(default_factory=dict)

    @classmethod
    def load(cls, packs: Sequence[Path] = ()) -> Registry:
        registry = cls()
        registry.add(load_pack(builtin_rules_dir(), "builtin"))
        for pack in packs:
            registry.add(load_pack(pack, pack.name))
        return registry

    def add(self, rules: Iterable[type[Rule]]) -> None:
        for rule in rules:
            other = self.rules.get(rule.code)
            if other is not None and other is not rule:
                raise LoaderError(
                    f"rule code {rule.code} is defined twice: {other.__name__} and {rule.__name__}"
                )
            self.rules[rule.code] = rule

    def get(self, code_or_name: str) -> type[Rule] | None:
        key = code_or_name.strip()
        if key.upper() in self.rules:
            return self.rules[key.upper()]
        return next((r for r in self.rules.values() if r.name == key.lower()), None)

    def expand(self, selector: str) -> set[str]:
        """Codes matched by a selector: ``ALL``, a code, a prefix (``DL2``), a family or rule name."""
        sel = selector.strip()
        if sel.upper() == "ALL":
            return set(self.rules)
        if sel.upper().startswith("DL"):
            return {c for c in self.rules if c.startswith(sel.upper())}
        family_prefixes = {p for p, fam in FAMILIES.items() if fam == sel.lower()}
        if family_prefixes:
            return {c for c in self.rules if c[:3] in family_prefixes}
        return {c for c, r in self.rules.items() if r.name == sel.lower()}

    def unknown(self, selectors: Iterable[str]) -> list[str]:
        return [s for s in selectors if not self.expand(s)]

    def select(
        self,
        select: Sequence[str] | None,
        extend_select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        severity: Mapping[str, str] | None = None,
        options: Mapping[str, Mapping[str, object]] | None = None,
    ) -> RuleSet:
        """Instantiate the enabled rules. Preview rules run only when selected by exact code."""
        explicit = {s.strip().upper() for s in [*(select or ()), *extend_select]}
        chosen: set[str] = set()
        for sel in select if select is not None else ["ALL"]:
            chosen |= self.expand(sel)
        for sel in extend_select:
            chosen |= self.expand(sel)
        reasons: dict[str, str] = {}
        for sel in ignore:
            for code in self.expand(sel) & chosen:
                reasons[code] = f"ignored by {sel!r}"
            chosen -= self.expand(sel)
        for code in sorted(chosen):
            rule = self.rules[code]
            if rule.status is Status.PREVIEW and code not in explicit:
                reasons[code] = "preview rule: select it by its code to enable it"
            elif rule.status is Status.DEPRECATED and code not in explicit:
                reasons[code] = "deprecated"
        chosen -= set(reasons)
        for code in self.rules:
            if code not in chosen and code not in reasons:
                reasons[code] = "not selected"
        overrides: dict[str, Severity] = {}
        for sel, value in (severity or {}).items():
            for code in self.expand(sel):
                overrides[code] = Severity(value)
        ruleset = RuleSet(disabled=reasons)
        for code in sorted(chosen):
            cls = self.rules[code]
            opts = _options_for(cls, options or {})
            instance = cls(opts)
            instance.severity_override = overrides.get(code)
            if isinstance(instance, FileRule):
                ruleset.file_rules.append(instance)
            elif isinstance(instance, ProjectRule):
                ruleset.project_rules.append(instance)
        return ruleset

    def option_errors(self, options: Mapping[str, Mapping[str, object]]) -> list[tuple[str, str]]:
        """(config key, message) for rule options that name no rule or do not validate."""
        errors = []
        for key, values in options.items():
            rule = self.get(key)
            if rule is None:
                errors.append((key, f"no rule is called {key!r}"))
                continue
            errors.extend((key, msg) for msg in rule.validate_options(values))
        return errors


def _options_for(cls: type[Rule], options: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    merged: dict[str, object] = {}
    for key in (cls.name, cls.code):
        merged.update(options.get(key, {}))
    return merged
