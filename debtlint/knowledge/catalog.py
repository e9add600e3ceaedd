"""The API catalog: which call reads or writes data, builds, trains, saves or loads a model, seeds.

That knowledge lives in versioned YAML tables next to this module (one per framework, schema in
``README.md``), so that adding a library means editing data, not code. Users add their own tables
with the same schema through ``api-catalogs:``. This module validates the tables, with errors that
name the file and line, and indexes them so that the lookups done for every call in every file are a
memoised dictionary hit.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib.resources
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from debtlint.yamlsafe import KeyPath, YamlDoc, YamlError, load_yaml_file, load_yaml_text

T = TypeVar("T")

SCHEMA_VERSION = 1

ROLES: frozenset[str] = frozenset(
    {
        "read",
        "write",
        "open",
        "model-class",
        "construct",
        "pretrained",
        "load-model",
        "save-model",
        "train",
        "predict",
        "evaluate",
        "seed",
        "determinism",
        "random",
        "convert",
        "glue",
        "ml-core",
    }
)

TRAITS: frozenset[str] = frozenset(
    {"ensemble", "boosting", "stacking", "neural-network", "linear", "tree"}
)

Kind = Literal["call", "method", "base"]
Receiver = Literal["any", "model"]

# The argument slots an entry may describe, and for which roles each one means something. Keeping
# this strict turns a misplaced key in a user table (say `value` on a `read`) into an error instead
# of knowledge that is silently never used.
_SLOT_ROLES: dict[str, frozenset[str]] = {
    "path": frozenset({"read", "write", "open", "pretrained", "load-model", "save-model"}),
    "columns": frozenset({"read", "write"}),
    "value": frozenset({"write", "save-model"}),
    "model": frozenset({"train", "predict", "evaluate"}),
    "inputs": frozenset({"train", "predict", "evaluate"}),
    "seed": frozenset({"seed", "random"}),
    "revision": frozenset({"read", "pretrained", "load-model"}),
    "mode": frozenset({"open"}),
    "submodels": frozenset({"construct"}),
}
_TRAIT_ROLES = frozenset({"model-class", "construct", "pretrained"})
_KIND_KEYS = ("call", "method", "base")
_ENTRY_KEYS = frozenset({*_KIND_KEYS, "role", "receiver", "traits", "doc", *_SLOT_ROLES})
# Reproducibility knowledge (DL805, DL808): how a run turns deterministic kernels on, and what
# records where a saved model comes from. See README.md, "Determinism and provenance".
_REPRO_KEYS = ("determinism", "provenance")
_REPRO_KINDS: dict[str, tuple[str, ...]] = {
    "determinism": ("call", "attribute", "text", "config-key"),
    "provenance": ("call", "method", "text"),
}
_TABLE_KEYS = frozenset(
    {"version", "framework", "imports", "ml", "aliases", "apis", "doc", "hyperparameters", "groups"}
) | frozenset(_REPRO_KEYS)
_HYPER_KEYS = frozenset({"call", "keys", "synonyms", "positional", "doc"})

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENT_RE = re.compile(rf"^{_IDENT}$")
_QUALNAME_RE = re.compile(rf"^{_IDENT}(\.{_IDENT})*$")
_GLOB_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_*?\[\]!-]+$")
_GLOB_CHARS = frozenset("*?[")
_FRAMEWORK_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_GROUP_RE = re.compile(r"^[a-z][a-z0-9-]*$")
# Aliases are applied until nothing changes; a chain longer than this is a cycle.
_MAX_ALIAS_STEPS = 16


class CatalogError(Exception):
    """An API table that cannot be used; ``line`` is 1-based when known."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ArgSpec:
    """Where an argument of a call is: positional indexes and/or keyword names."""

    args: tuple[int, ...] = ()
    kws: tuple[str, ...] = ()

    def find(self, positional: Sequence[T], keywords: Mapping[str, T]) -> T | None:
        """The first argument found, keywords before positions (a keyword is never ambiguous)."""
        for kw in self.kws:
            if kw in keywords:
                return keywords[kw]
        for index in self.args:
            if index < len(positional):
                return positional[index]
        return None

    def find_all(self, positional: Sequence[T], keywords: Mapping[str, T]) -> list[T]:
        """Every argument found (``inputs`` such as ``X`` and ``y``): positions, then keywords."""
        found = [positional[i] for i in self.args if i < len(positional)]
        found.extend(keywords[kw] for kw in self.kws if kw in keywords)
        return found


@dataclass(frozen=True)
class ModeSpec(ArgSpec):
    """The file-mode argument of an ``open``-like call and the mode used when it is absent."""

    default: str = "r"

    @staticmethod
    def writes(mode: str) -> bool:
        """Whether a mode string opens for writing (``w``, ``a``, ``x`` or ``+`` anywhere)."""
        return any(ch in mode for ch in "wax+")


@dataclass(frozen=True)
class ApiEntry:
    """One known API: a qualified call, a method name, or a model base class, and what it does."""

    framework: str
    role: str
    kind: Kind
    name: str  # the pattern as written (after aliases): qualname, glob, `prefix.*` or method name
    path: ArgSpec | None = None
    columns: ArgSpec | None = None
    value: ArgSpec | None = None
    model: ArgSpec | None = None
    inputs: ArgSpec | None = None
    seed: ArgSpec | None = None
    revision: ArgSpec | None = None
    mode: ModeSpec | None = None
    submodels: ArgSpec | None = None
    receiver: Receiver = "any"
    traits: tuple[str, ...] = ()
    file_object: bool = False  # the `path` argument is an open file object, not a path
    doc: str = ""
    origin: str = field(default="", compare=False)  # "file:line", for messages

    def _knowledge(self) -> tuple[object, ...]:
        """Everything but where the entry comes from: two entries equal here say the same thing."""
        return (
            self.role,
            self.kind,
            self.name,
            self.path,
            self.columns,
            self.value,
            self.model,
            self.inputs,
            self.seed,
            self.revision,
            self.mode,
            self.submodels,
            self.receiver,
            self.traits,
            self.file_object,
        )


@dataclass(frozen=True)
class KeyHyperparameters:
    """A constructor whose defaults matter: the few parameters its documentation says to tune.

    ``synonyms`` are other spellings the library accepts for them (LightGBM's ``eta``, Keras 2's
    ``lr``): they count as given but messages name only ``keys``. ``positional`` names the
    parameters of the leading positional slots (``params``, ``lr`` for a torch optimiser), so that
    ``Adam(model.parameters(), 1e-3)`` counts as setting ``lr``.
    """

    framework: str
    call: str  # a fully qualified name, canonical after aliases
    keys: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    positional: tuple[str, ...] = ()
    doc: str = ""
    origin: str = field(default="", compare=False)


@dataclass(frozen=True)
class _Table:
    framework: str
    imports: frozenset[str]
    ml: bool
    aliases: tuple[tuple[str, str, int | None], ...]  # (from, to, line)
    entries: tuple[ApiEntry, ...]
    source: str
    hyperparameters: tuple[KeyHyperparameters, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (group name, qualified names)
    repro: tuple[ReproEntry, ...] = ()  # `determinism:` and `provenance:` entries


@dataclass
class _Glob:
    pattern: str
    regex: re.Pattern[str]
    specificity: int
    entries: list[ApiEntry]


class Catalog:
    """Validated API tables indexed for fast lookups; immutable once built, lookups memoised."""

    def __init__(self, tables: Sequence[_Table]) -> None:
        self._tables = tuple(tables)
        self._call_memo: dict[str, tuple[ApiEntry, ...]] = {}
        self._method_memo: dict[tuple[str, frozenset[str]], tuple[ApiEntry, ...]] = {}
        self._norm_memo: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        self._index_aliases()
        self._exact: dict[str, list[ApiEntry]] = {}
        self._globs: dict[str, list[_Glob]] = {}
        self._prefixes: dict[str, list[ApiEntry]] = {}
        self._methods: dict[str, list[ApiEntry]] = {}
        self._bases: dict[str, ApiEntry] = {}
        self._imports: dict[str, frozenset[str]] = {t.framework: t.imports for t in self._tables}
        self._entries: tuple[ApiEntry, ...] = ()
        self._index_entries()
        # A later table (a user's) overrides an earlier one for the same constructor.
        self._hyper: dict[str, KeyHyperparameters] = {}
        for table in self._tables:
            for hyper in table.hyperparameters:
                call = self.normalise(hyper.call)
                self._hyper[call] = replace(hyper, call=call)
        # Files importing none of these cannot call a listed constructor: rules skip them.
        self.hyperparameter_modules: frozenset[str] = frozenset(
            module
            for hyper in self._hyper.values()
            for module in (hyper.call.partition(".")[0], *self._imports[hyper.framework])
        )
        # Named sets of calls that no role describes (`session-reset`, `no-grad`): the union over
        # tables, so a user's table adds to a built-in group.
        self._groups: dict[str, frozenset[str]] = {}
        for table in self._tables:
            for group, names in table.groups:
                found = self._groups.get(group, frozenset())
                self._groups[group] = found | {self.normalise(n) for n in names}
        self.repro = _ReproIndex(self, [e for t in self._tables for e in t.repro])
        self._module_framework = self._index_modules()
        self.ml_packages: frozenset[str] = frozenset(
            module for t in self._tables if t.ml for module in t.imports
        )

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def builtin(cls) -> Catalog:
        """The tables shipped with debtlint (loaded once per process)."""
        return _builtin_catalog()

    def extended(self, files: Sequence[Path], root: Path) -> Catalog:
        """This catalog plus user tables (``api-catalogs:``); relative paths are under ``root``."""
        if not files:
            return self
        tables = list(self._tables)
        for file in files:
            full = file if file.is_absolute() else root / file
            display = _display(full, root)
            try:
                doc = load_yaml_file(full, display)
            except YamlError as exc:
                raise CatalogError(exc.path, exc.line, exc.message) from None
            tables.append(_parse_table(doc))
        _check_unique_frameworks(tables)
        return Catalog(tables)

    def _index_aliases(self) -> None:
        lines: dict[str, tuple[str, int | None]] = {}
        for table in self._tables:
            for old, new, line in table.aliases:
                if old in self._aliases and self._aliases[old] != new:
                    first_file, first_line = lines[old]
                    raise CatalogError(
                        table.source,
                        line,
                        f"alias {old!r} -> {new!r} conflicts with {old!r} -> "
                        f"{self._aliases[old]!r} at {first_file}:{first_line}",
                    )
                self._aliases[old] = new
                lines.setdefault(old, (table.source, line))
        # A cycle (a -> b, b -> a) makes normalisation meaningless; find it now, not per lookup.
        for old, (file, line) in lines.items():
            if self._rewrite(old) is None:
                raise CatalogError(file, line, f"alias {old!r} is part of a cycle")

    def _index_entries(self) -> None:
        entries: list[ApiEntry] = []
        for table in self._tables:
            for raw in table.entries:
                entry = raw
                if raw.kind in ("call", "base"):
                    # Entries are stored under canonical names, so a table may be written against
                    # either spelling of an aliased module and still be found.
                    name = self._normalise_pattern(raw.name)
                    if name != raw.name:
                        entry = replace(raw, name=name)
                entries.append(entry)
                if entry.kind == "method":
                    self._methods.setdefault(entry.name, []).append(entry)
                elif entry.kind == "base":
                    self._bases.setdefault(entry.name, entry)
                elif entry.name.endswith(".*"):
                    self._prefixes.setdefault(entry.name[:-2], []).append(entry)
                else:
                    parent, _, last = entry.name.rpartition(".")
                    if _GLOB_CHARS.isdisjoint(last):
                        self._exact.setdefault(entry.name, []).append(entry)
                    else:
                        self._add_glob(parent, last, entry)
        for globs in self._globs.values():
            # Most literal characters first: `GradientBoosting*` is more specific than `[A-Z]*`.
            globs.sort(key=lambda g: -g.specificity)
        self._entries = tuple(entries)

    def _add_glob(self, parent: str, last: str, entry: ApiEntry) -> None:
        globs = self._globs.setdefault(parent, [])
        for glob in globs:
            if glob.pattern == last:
                glob.entries.append(entry)
                return
        literal = re.sub(r"\[[^\]]*\]|[*?]", "", last)
        # fnmatch's `*` would also match dots; the segment is matched on its own, so it cannot.
        regex = re.compile(fnmatch.translate(last))
        globs.append(_Glob(last, regex, len(literal), [entry]))

    def _index_modules(self) -> dict[str, str]:
        modules: dict[str, str] = {}
        # A module claimed by several tables (tensorflow by both keras and tensorflow) belongs to
        # the table named after it; otherwise to the first table that lists it.
        for table in self._tables:
            for module in table.imports:
                if module == table.framework:
                    modules[module] = table.framework
        for table in self._tables:
            for module in table.imports:
                modules.setdefault(module, table.framework)
        return modules

    # -- lookups ---------------------------------------------------------------------------------

    @property
    def frameworks(self) -> tuple[str, ...]:
        return tuple(t.framework for t in self._tables)

    def imports_of(self, framework: str) -> frozenset[str]:
        """The top-level modules whose import means ``framework`` is used (empty if unknown)."""
        return self._imports.get(framework, frozenset())

    def entries(self) -> tuple[ApiEntry, ...]:
        """Every entry of every table, in table order (canonical names)."""
        return self._entries

    def normalise(self, qualname: str) -> str:
        """Apply the alias prefix rewrites (``tensorflow.keras.Model`` -> ``keras.Model``)."""
        cached = self._norm_memo.get(qualname)
        if cached is None:
            # Cycles were rejected when the catalog was built, so this always terminates.
            cached = self._rewrite(qualname) or qualname
            self._norm_memo[qualname] = cached
        return cached

    def lookup_call(self, qualname: str) -> tuple[ApiEntry, ...]:
        """Entries for a call of the fully qualified ``qualname``: exact names first, else the most
        specific last-segment glob, else the longest ``prefix.*``."""
        found = self._call_memo.get(qualname)
        if found is None:
            found = self._lookup_call(self.normalise(qualname))
            self._call_memo[qualname] = found
        return found

    def _lookup_call(self, name: str) -> tuple[ApiEntry, ...]:
        exact = self._exact.get(name)
        if exact:
            return tuple(exact)
        parent, _, last = name.rpartition(".")
        best: list[ApiEntry] = []
        best_specificity = -1
        for glob in self._globs.get(parent, ()):
            if glob.specificity < best_specificity:
                break
            if glob.regex.match(last):
                best.extend(glob.entries)
                best_specificity = glob.specificity
        if best:
            return tuple(best)
        prefix = parent
        while prefix:
            entries = self._prefixes.get(prefix)
            if entries:
                return tuple(entries)
            prefix = prefix.rpartition(".")[0]
        return ()

    def lookup_method(self, name: str, imported_roots: frozenset[str]) -> tuple[ApiEntry, ...]:
        """Entries for ``<anything>.name(...)`` from frameworks imported in the file.

        Entries with ``receiver == "model"`` still need the caller to know the receiver is a model.
        Entries that say the same thing in several imported frameworks are returned once.
        """
        key = (name, imported_roots)
        found = self._method_memo.get(key)
        if found is None:
            seen: set[tuple[object, ...]] = set()
            selected: list[ApiEntry] = []
            for entry in self._methods.get(name, ()):
                if self._imports[entry.framework].isdisjoint(imported_roots):
                    continue
                knowledge = entry._knowledge()
                if knowledge not in seen:
                    seen.add(knowledge)
                    selected.append(entry)
            found = tuple(selected)
            self._method_memo[key] = found
        return found

    def key_hyperparameters(self, qualname: str) -> KeyHyperparameters | None:
        """The key hyperparameters of the constructor ``qualname``, when a table lists them."""
        return self._hyper.get(self.normalise(qualname))

    def group(self, name: str) -> frozenset[str]:
        """The canonical qualified names of the ``groups:`` entry ``name`` (empty if unknown);
        compare them with ``FileContext.qualname``, which is canonical too."""
        return self._groups.get(name, frozenset())

    def model_base(self, qualname: str) -> ApiEntry | None:
        """The ``model-class`` entry when ``qualname`` is a known model base class."""
        return self._bases.get(self.normalise(qualname))

    def frameworks_for(self, qualname: str) -> str | None:
        """The framework whose ``imports`` list the top-level module of ``qualname``."""
        root = self.normalise(qualname).partition(".")[0]
        found = self._module_framework.get(root)
        if found is None:
            found = self._module_framework.get(qualname.partition(".")[0])
        return found

    # -- aliases ---------------------------------------------------------------------------------

    def _rewrite(self, name: str) -> str | None:
        """``name`` with aliases applied to a fixpoint; None when the rewriting does not stop."""
        if not self._aliases:
            return name
        for _ in range(_MAX_ALIAS_STEPS):
            rewritten = self._rewrite_once(name)
            if rewritten is None:
                return name
            name = rewritten
        return None

    def _rewrite_once(self, name: str) -> str | None:
        # The longest dotted prefix that is an alias wins: `tensorflow.keras.x` is rewritten by a
        # `tensorflow.keras` alias even when `tensorflow` also has one.
        end = len(name)
        while end > 0:
            prefix = name[:end]
            target = self._aliases.get(prefix)
            if target is not None:
                return target + name[end:]
            end = name.rfind(".", 0, end)
        return None

    def _normalise_pattern(self, pattern: str) -> str:
        if pattern.endswith(".*"):
            return self.normalise(pattern[:-2]) + ".*"
        parent, _, last = pattern.rpartition(".")
        if _GLOB_CHARS.isdisjoint(last):
            return self.normalise(pattern)
        return f"{self.normalise(parent)}.{last}"


# -- loading and validation --------------------------------------------------------------------


@functools.cache
def _builtin_catalog() -> Catalog:
    tables: list[_Table] = []
    package = importlib.resources.files(__package__ or "debtlint.knowledge")
    for resource in sorted(package.iterdir(), key=lambda r: r.name):
        if not resource.name.endswith(".yaml") or not resource.is_file():
            continue
        display = f"debtlint/knowledge/{resource.name}"
        try:
            doc = load_yaml_text(resource.read_text(encoding="utf-8"), display)
        except YamlError as exc:
            raise CatalogError(exc.path, exc.line, exc.message) from None
        tables.append(_parse_table(doc))
    _check_unique_frameworks(tables)
    return Catalog(tables)


def _display(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return file.as_posix()


def _check_unique_frameworks(tables: Sequence[_Table]) -> None:
    seen: dict[str, str] = {}
    for table in tables:
        if table.framework in seen:
            raise CatalogError(
                table.source,
                None,
                f"framework {table.framework!r} is already defined in {seen[table.framework]}; "
                "give this table its own name",
            )
        seen[table.framework] = table.source


class _Parser:
    """Validation of one table, remembering the file so every error can name file and line."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc

    def fail(self, keypath: KeyPath, message: str) -> CatalogError:
        return CatalogError(self.doc.path, self.doc.line_of(keypath), message)

    def where(self, keypath: KeyPath) -> str:
        return ".".join(str(k) for k in keypath)

    def mapping(self, value: Any, keypath: KeyPath, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(keypath, f"{self.where(keypath) or 'table'}: expected a mapping")
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(
                    (*keypath, str(key)),
                    f"unknown key {key!r} in {self.where(keypath) or 'table'} "
                    f"(expected one of: {', '.join(sorted(allowed))})",
                )
        return cast(dict[str, Any], value)

    def string(self, value: Any, keypath: KeyPath, pattern: re.Pattern[str] | None = None) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(keypath, f"{self.where(keypath)}: expected a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(keypath, f"{self.where(keypath)}: invalid value {value!r}")
        return value

    def strings(self, value: Any, keypath: KeyPath, pattern: re.Pattern[str]) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail(keypath, f"{self.where(keypath)}: expected at least one name")
        path: KeyPath = keypath
        out: list[str] = []
        for i, item in enumerate(items):
            if isinstance(value, list):
                path = (*keypath, i)
            out.append(self.string(item, path, pattern))
        return tuple(out)

    def ints(self, value: Any, keypath: KeyPath) -> tuple[int, ...]:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail(keypath, f"{self.where(keypath)}: expected at least one index")
        for item in items:
            # bool is an int in Python; `arg: true` is a mistake, not index 1.
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                raise self.fail(
                    keypath,
                    f"{self.where(keypath)}: expected a positional index (integer >= 0) or a "
                    f"list of them, got {item!r}",
                )
        return tuple(items)

    def boolean(self, value: Any, keypath: KeyPath) -> bool:
        if not isinstance(value, bool):
            raise self.fail(keypath, f"{self.where(keypath)}: expected true or false")
        return value

    def argspec(self, value: Any, keypath: KeyPath, slot: str) -> tuple[ArgSpec, bool]:
        allowed = {"arg", "kw"}
        if slot == "path":
            allowed.add("file-object")
        if slot == "mode":
            allowed.add("default")
        spec = self.mapping(value, keypath, frozenset(allowed))
        if "arg" not in spec and "kw" not in spec:
            raise self.fail(keypath, f"{self.where(keypath)}: needs `arg` and/or `kw`")
        args = self.ints(spec["arg"], (*keypath, "arg")) if "arg" in spec else ()
        kws = self.strings(spec["kw"], (*keypath, "kw"), _IDENT_RE) if "kw" in spec else ()
        file_object = False
        if "file-object" in spec:
            file_object = self.boolean(spec["file-object"], (*keypath, "file-object"))
        if slot == "mode":
            default = "r"
            if "default" in spec:
                default = self.string(spec["default"], (*keypath, "default"))
            return ModeSpec(args, kws, default), file_object
        return ArgSpec(args, kws), file_object


def _parse_table(doc: YamlDoc) -> _Table:
    p = _Parser(doc)
    data = p.mapping(doc.data, (), _TABLE_KEYS)
    for required in ("framework", "imports", "apis"):
        if required not in data:
            raise p.fail((), f"missing required key {required!r}")
    version = data.get("version", SCHEMA_VERSION)
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        raise p.fail(("version",), f"unsupported table version {version!r} (expected 1)")
    framework = p.string(data["framework"], ("framework",), _FRAMEWORK_RE)
    if not isinstance(data["imports"], list):
        raise p.fail(("imports",), "imports: expected a list of top-level module names")
    imports = frozenset(p.strings(data["imports"], ("imports",), _IDENT_RE))
    ml = p.boolean(data["ml"], ("ml",)) if "ml" in data else False
    if "doc" in data:
        p.string(data["doc"], ("doc",))
    aliases: list[tuple[str, str, int | None]] = []
    if "aliases" in data:
        raw_aliases = data["aliases"]
        if not isinstance(raw_aliases, dict):
            raise p.fail(("aliases",), "aliases: expected a mapping of prefix: replacement")
        for old, new in raw_aliases.items():
            keypath: KeyPath = ("aliases", str(old))
            p.string(old, keypath, _QUALNAME_RE)
            p.string(new, keypath, _QUALNAME_RE)
            if new.startswith(old + "."):
                raise p.fail(keypath, f"alias {old!r} -> {new!r} would expand forever")
            if old != new:
                aliases.append((old, new, doc.line_of(keypath)))
    if not isinstance(data["apis"], list):
        raise p.fail(("apis",), "apis: expected a list of entries")
    entries = tuple(
        _parse_entry(p, framework, item, ("apis", i)) for i, item in enumerate(data["apis"])
    )
    hyper: list[KeyHyperparameters] = []
    if "hyperparameters" in data:
        if not isinstance(data["hyperparameters"], list):
            raise p.fail(("hyperparameters",), "hyperparameters: expected a list of entries")
        for i, item in enumerate(data["hyperparameters"]):
            hyper.extend(_parse_hyperparameters(p, framework, item, ("hyperparameters", i)))
    groups: list[tuple[str, tuple[str, ...]]] = []
    if "groups" in data:
        if not isinstance(data["groups"], dict):
            raise p.fail(("groups",), "groups: expected a mapping of group-name: [qualified names]")
        for group, names in data["groups"].items():
            keypath = ("groups", str(group))
            p.string(group, keypath, _GROUP_RE)
            if not isinstance(names, list):
                raise p.fail(keypath, f"group {group!r}: expected a list of qualified names")
            qualnames = p.strings(names, keypath, _QUALNAME_RE) if names else ()
            for name in qualnames:
                if "." not in name:
                    raise p.fail(keypath, f"{name!r}: expected a fully qualified name")
            groups.append((group, qualnames))
    repro = tuple(
        entry
        for key in _REPRO_KEYS
        if key in data
        for entry in _parse_repro(p, framework, key, data[key])
    )
    return _Table(
        framework,
        imports,
        ml,
        tuple(aliases),
        entries,
        doc.path,
        tuple(hyper),
        tuple(groups),
        repro,
    )


def _parse_hyperparameters(
    p: _Parser, framework: str, item: Any, keypath: KeyPath
) -> list[KeyHyperparameters]:
    """One `hyperparameters:` entry: `call` (a name or a list), `keys`, optional `positional`."""
    data = p.mapping(item, keypath, _HYPER_KEYS)
    for required in ("call", "keys"):
        if required not in data:
            raise p.fail(keypath, f"a hyperparameters entry needs `{required}`")
    calls = p.strings(data["call"], (*keypath, "call"), _QUALNAME_RE)
    for i, call in enumerate(calls):
        if "." not in call:
            where = (*keypath, "call", i) if isinstance(data["call"], list) else (*keypath, "call")
            raise p.fail(
                where, f"call {call!r}: expected a fully qualified name such as module.Name"
            )
    keys = p.strings(data["keys"], (*keypath, "keys"), _IDENT_RE)
    names: dict[str, tuple[str, ...]] = {}
    for optional in ("synonyms", "positional"):
        if optional not in data:
            continue
        if not isinstance(data[optional], list):
            raise p.fail((*keypath, optional), f"{optional}: expected a list of parameter names")
        if data[optional]:
            names[optional] = p.strings(data[optional], (*keypath, optional), _IDENT_RE)
    doc = p.string(data["doc"], (*keypath, "doc")) if "doc" in data else ""
    line = p.doc.line_of(keypath)
    origin = f"{p.doc.path}:{line}" if line else p.doc.path
    return [
        KeyHyperparameters(
            framework,
            call,
            tuple(dict.fromkeys(keys)),
            names.get("synonyms", ()),
            names.get("positional", ()),
            doc,
            origin,
        )
        for call in calls
    ]


def _parse_entry(p: _Parser, framework: str, item: Any, keypath: KeyPath) -> ApiEntry:
    data = p.mapping(item, keypath, _ENTRY_KEYS)
    kinds = [k for k in _KIND_KEYS if k in data]
    if len(kinds) != 1:
        raise p.fail(keypath, "an entry needs exactly one of `call`, `method` or `base`")
    kind = cast(Kind, kinds[0])
    name = p.string(data[kind], (*keypath, kind))
    _check_name(p, kind, name, (*keypath, kind))
    if "role" not in data:
        raise p.fail(keypath, "an entry needs a `role`")
    role = p.string(data["role"], (*keypath, "role"))
    if role not in ROLES:
        raise p.fail(
            (*keypath, "role"),
            f"unknown role {role!r} (expected one of: {', '.join(sorted(ROLES))})",
        )
    if (kind == "base") != (role == "model-class"):
        raise p.fail((*keypath, "role"), "`base` entries, and only they, have role model-class")
    receiver: Receiver = "any"
    if "receiver" in data:
        if kind != "method":
            raise p.fail((*keypath, "receiver"), "`receiver` applies to `method` entries only")
        value = p.string(data["receiver"], (*keypath, "receiver"))
        if value not in ("any", "model"):
            raise p.fail((*keypath, "receiver"), f"receiver must be any or model, not {value!r}")
        receiver = cast(Receiver, value)
    slots: dict[str, ArgSpec] = {}
    file_object = False
    for slot, roles in _SLOT_ROLES.items():
        if slot not in data:
            continue
        if role not in roles:
            raise p.fail(
                (*keypath, slot),
                f"`{slot}` does not apply to role {role} (only to: {', '.join(sorted(roles))})",
            )
        spec, is_file_object = p.argspec(data[slot], (*keypath, slot), slot)
        slots[slot] = spec
        file_object = file_object or is_file_object
    if role == "open" and "mode" not in slots:
        raise p.fail(keypath, "role open needs `mode` (where the file mode argument is)")
    traits: tuple[str, ...] = ()
    if "traits" in data:
        if role not in _TRAIT_ROLES:
            raise p.fail(
                (*keypath, "traits"),
                f"`traits` apply only to roles {', '.join(sorted(_TRAIT_ROLES))}",
            )
        raw = data["traits"]
        if not isinstance(raw, list):
            raise p.fail((*keypath, "traits"), "traits: expected a list")
        for i, trait in enumerate(raw):
            if not isinstance(trait, str) or trait not in TRAITS:
                raise p.fail(
                    (*keypath, "traits", i),
                    f"unknown trait {trait!r} (expected one of: {', '.join(sorted(TRAITS))})",
                )
        traits = tuple(dict.fromkeys(raw))
    doc = p.string(data["doc"], (*keypath, "doc")) if "doc" in data else ""
    line = p.doc.line_of(keypath)
    mode = slots.get("mode")
    return ApiEntry(
        framework=framework,
        role=role,
        kind=kind,
        name=name,
        path=slots.get("path"),
        columns=slots.get("columns"),
        value=slots.get("value"),
        model=slots.get("model"),
        inputs=slots.get("inputs"),
        seed=slots.get("seed"),
        revision=slots.get("revision"),
        mode=mode if isinstance(mode, ModeSpec) else None,
        submodels=slots.get("submodels"),
        receiver=receiver,
        traits=traits,
        file_object=file_object,
        doc=doc,
        origin=f"{p.doc.path}:{line}" if line else p.doc.path,
    )


def _check_name(p: _Parser, kind: str, name: str, keypath: KeyPath) -> None:
    if kind == "method":
        if not _IDENT_RE.match(name):
            raise p.fail(keypath, f"method {name!r}: expected a plain attribute name")
        return
    if kind == "call" and name.endswith(".*"):
        if not _QUALNAME_RE.match(name[:-2]):
            raise p.fail(keypath, f"call {name!r}: the part before `.*` must be a dotted name")
        return
    parent, _, last = name.rpartition(".")
    if not parent or not _QUALNAME_RE.match(parent):
        raise p.fail(
            keypath,
            f"{kind} {name!r}: expected a fully qualified name such as module.name "
            "(globs are allowed in the last segment only)",
        )
    if kind == "base" or _GLOB_CHARS.isdisjoint(last):
        if not _IDENT_RE.match(last):
            raise p.fail(keypath, f"{kind} {name!r}: invalid last segment {last!r}")
    elif not _GLOB_SEGMENT_RE.match(last):
        raise p.fail(keypath, f"call {name!r}: invalid glob {last!r}")


# -- reproducibility knowledge: `determinism:` and `provenance:` (DL805, DL808) -----------------

ReproKind = Literal["call", "method", "attribute", "text", "config-key"]


@dataclass(frozen=True)
class ReproEntry:
    """One way a run turns deterministic kernels on (``key`` determinism) or records where a saved
    model comes from (``key`` provenance).

    ``kind``: a ``call`` (qualified name, ``prefix.*`` or a glob in the last segment), a ``method``
    (any receiver, in files importing the table's modules), an ``attribute`` assigned a value
    (``torch.backends.cudnn.deterministic = True``), a ``text`` found in the source (an
    environment variable name such as ``TF_DETERMINISTIC_OPS``), or a ``config-key`` of a project
    configuration document (``deterministic`` under a Hydra trainer config). ``switch`` says which
    argument of a determinism call turns it on; without one, calling it is enough.
    """

    framework: str
    key: str
    kind: ReproKind
    name: str
    switch: ArgSpec | None = None
    doc: str = ""
    origin: str = field(default="", compare=False)


class _ReproIndex:
    """The reproducibility entries of every table, indexed like the API entries."""

    def __init__(self, catalog: Catalog, entries: Sequence[ReproEntry]) -> None:
        self._catalog = catalog
        self._exact: dict[tuple[str, str], ReproEntry] = {}
        self._prefixes: dict[tuple[str, str], ReproEntry] = {}
        self._globs: dict[tuple[str, str], list[tuple[re.Pattern[str], int, ReproEntry]]] = {}
        self._methods: dict[tuple[str, str], list[ReproEntry]] = {}
        self._names: dict[tuple[str, str], set[str]] = {}
        self._memo: dict[tuple[str, str], ReproEntry | None] = {}
        # A later table (a user's) overrides an earlier one for the same name.
        for entry in entries:
            if entry.kind == "method":
                self._methods.setdefault((entry.key, entry.name), []).append(entry)
            elif entry.kind in ("text", "config-key"):
                self._names.setdefault((entry.key, entry.kind), set()).add(entry.name)
            elif entry.kind == "attribute":
                name = catalog.normalise(entry.name)
                self._names.setdefault((entry.key, entry.kind), set()).add(name)
            elif entry.name.endswith(".*"):
                self._prefixes[(entry.key, catalog.normalise(entry.name[:-2]))] = entry
            else:
                parent, _, last = entry.name.rpartition(".")
                parent = catalog.normalise(parent)
                if _GLOB_CHARS.isdisjoint(last):
                    self._exact[(entry.key, f"{parent}.{last}")] = entry
                else:
                    literal = len(re.sub(r"\[[^\]]*\]|[*?]", "", last))
                    globs = self._globs.setdefault((entry.key, parent), [])
                    globs.append((re.compile(fnmatch.translate(last)), literal, entry))
                    globs.sort(key=lambda g: -g[1])

    def call(self, key: str, qualname: str) -> ReproEntry | None:
        """The ``key`` entry for a call: exact name, else the most specific glob of its module,
        else the longest ``prefix.*``."""
        memo_key = (key, qualname)
        if memo_key in self._memo:
            return self._memo[memo_key]
        name = self._catalog.normalise(qualname)
        found = self._exact.get((key, name))
        parent, _, last = name.rpartition(".")
        if found is None:
            found = next(
                (e for r, _, e in self._globs.get((key, parent), ()) if r.match(last)), None
            )
        prefix = parent
        while found is None and prefix:
            found = self._prefixes.get((key, prefix))
            prefix = prefix.rpartition(".")[0]
        self._memo[memo_key] = found
        return found

    def method(self, key: str, name: str, imported_roots: frozenset[str]) -> ReproEntry | None:
        """The ``key`` entry for ``<anything>.name(...)`` in a file importing its framework."""
        for entry in reversed(self._methods.get((key, name), ())):
            if not self._catalog.imports_of(entry.framework).isdisjoint(imported_roots):
                return entry
        return None

    def names(self, key: str, kind: str) -> frozenset[str]:
        """The ``attribute`` (canonical qualified names), ``text`` or ``config-key`` entries."""
        return frozenset(self._names.get((key, kind), ()))


_REPRO_ENTRY_KEYS = frozenset(
    {"call", "method", "attribute", "text", "config-key", "switch", "doc"}
)


def _parse_repro(p: _Parser, framework: str, key: str, raw: Any) -> list[ReproEntry]:
    if not isinstance(raw, list):
        raise p.fail((key,), f"{key}: expected a list of entries")
    allowed = _REPRO_KINDS[key]
    entries = []
    for i, item in enumerate(raw):
        keypath: KeyPath = (key, i)
        data = p.mapping(item, keypath, _REPRO_ENTRY_KEYS)
        kinds = [k for k in ("call", "method", "attribute", "text", "config-key") if k in data]
        if len(kinds) != 1 or kinds[0] not in allowed:
            raise p.fail(
                keypath,
                f"a {key} entry needs exactly one of: {', '.join(f'`{k}`' for k in allowed)}",
            )
        kind = cast(ReproKind, kinds[0])
        name = p.string(data[kind], (*keypath, kind))
        if kind == "call":
            _check_name(p, "call", name, (*keypath, kind))
        elif kind == "attribute" and ("." not in name or not _QUALNAME_RE.match(name)):
            raise p.fail((*keypath, kind), f"attribute {name!r}: expected module.name.attribute")
        elif kind in ("method", "config-key") and not _IDENT_RE.match(name):
            raise p.fail((*keypath, kind), f"{kind} {name!r}: expected a plain name")
        switch = None
        if "switch" in data:
            if kind != "call" or key != "determinism":
                raise p.fail((*keypath, "switch"), "`switch` applies to determinism calls only")
            switch, _ = p.argspec(data["switch"], (*keypath, "switch"), "switch")
        doc = p.string(data["doc"], (*keypath, "doc")) if "doc" in data else ""
        line = p.doc.line_of(keypath)
        origin = f"{p.doc.path}:{line}" if line else p.doc.path
        entries.append(ReproEntry(framework, key, kind, name, switch, doc, origin))
    return entries
