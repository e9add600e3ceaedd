"""Phase 2 value resolution: substitute what phase 1 deferred (see :mod:`debtlint.facts.deferred`).

- another module's constant: looked up in that module's facts (constants may themselves be deferred;
  followed up to ``MAX_DEPTH`` steps);
- a config key: read from the YAML/JSON file (:class:`debtlint.metadata.configs.ConfigStore`);
- a function's argument: each call site in the project that passes a resolvable string gives one
  resolution (one level up only), located at the call site.

Nothing is guessed: a marker that cannot be substituted leaves the whole path unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from debtlint.facts import deferred
from debtlint.facts.model import CallSite, FileFacts
from debtlint.facts.values import normalise_path
from debtlint.metadata.configs import ConfigStore

MAX_DEPTH = 8


@dataclass
class Resolution:
    path: str
    caller: str | None = None  # the file of the call site that supplied an argument
    site: CallSite | None = None


class Resolver:
    def __init__(
        self, files: Mapping[str, FileFacts], modules: Mapping[str, str], configs: ConfigStore
    ) -> None:
        self.files = files
        self.modules = modules  # module-name suffix -> file path
        self.configs = configs
        self._sites: dict[tuple[str, str], list[tuple[str, CallSite]]] = {}
        for facts in files.values():
            for site in facts.calls:
                target = self._function_file(site.callee)
                if target is not None:
                    key = (target, site.callee.rpartition(".")[2])
                    self._sites.setdefault(key, []).append((facts.path, site))

    def _function_file(self, qualname: str) -> str | None:
        module, _, name = qualname.rpartition(".")
        path = self.modules.get(module)
        if path is None or name not in self.files[path].functions:
            return None
        return path

    def resolve(self, template: str) -> list[Resolution]:
        text = self._expand(template, 0)
        if text is None:
            return []
        params = [m for m in deferred.markers(text) if m[0] == "param"]
        if not params:
            return [] if deferred.is_deferred(text) else [Resolution(normalise_path(text))]
        if len({p[1] for p in params}) != 1:
            return []  # arguments of two different functions: more than one level up
        function, index, name = deferred.split_param(params[0][1])
        path = self._function_file(function)
        if path is None:
            return []
        out: dict[tuple[str, str, tuple[int, ...]], Resolution] = {}
        for caller, site in self._sites.get((path, function.rpartition(".")[2]), []):
            value = site.kwargs.get(name)
            if value is None and index < len(site.args):
                value = site.args[index]
            if value is None:
                continue
            filled = deferred.substitute(text, {("param", params[0][1]): value})
            filled = self._expand(filled, 0)
            if filled is not None and not deferred.is_deferred(filled):
                resolution = Resolution(normalise_path(filled), caller, site)
                out.setdefault((resolution.path, caller, tuple(site.span)), resolution)
        return [out[key] for key in sorted(out)]

    def expand(self, text: str) -> str | None:
        """``text`` with constants and config keys substituted; None if one cannot be."""
        found = self._expand(text, 0)
        return None if found is None or deferred.is_deferred(found) else found

    def _expand(self, text: str, depth: int) -> str | None:
        """Substitute constants and config keys (not arguments); None if one cannot be."""
        for _ in range(MAX_DEPTH):
            found = [m for m in deferred.markers(text) if m[0] != "param"]
            if not found:
                return text
            values: dict[tuple[str, str], str] = {}
            for kind, payload in found:
                value = self._one(kind, payload)
                if value is None:
                    return None
                values[(kind, payload)] = value
            text = deferred.substitute(text, values)
        return None

    def _one(self, kind: str, payload: str) -> str | None:
        if kind == "const":
            module, _, name = payload.rpartition(".")
            path = self.modules.get(module)
            return self.files[path].constants.get(name) if path else None
        if kind == "cfg":
            file, keys = deferred.split_cfg(payload)
            return self.configs.lookup(file, keys)
        return None


__all__ = ["Resolution", "Resolver"]
