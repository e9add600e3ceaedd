"""Project configuration and the ML manifest, read from one project root.

Settings come from ``debtlint.yaml`` (or ``.debtlint.yaml``) and/or the ``[tool.debtlint]`` table
of ``pyproject.toml`` in the project root. There is no cascading: a nested directory never adds
settings, so what a run does is decided by one place. Both files may be used together only when
they set different top-level keys, because silently preferring one would hide half of the user's
intent.

Every problem is a :class:`ConfigError` naming the file, the 1-based line and the key, with a
message that says what to change. Later stages (e.g. the rule registry checking the codes in
``select``) report their own errors at the right place through :meth:`Settings.line_of`.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from pathspec import GitIgnoreSpec

from debtlint.yamlsafe import MAX_YAML_BYTES, KeyPath, YamlError, load_yaml_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - only Python 3.10 lacks tomllib
    import tomli as tomllib

YAML_CONFIG_NAMES = ("debtlint.yaml", ".debtlint.yaml")
PYPROJECT = "pyproject.toml"
SEVERITY_LEVELS = ("error", "warning", "info")
DEFAULT_MAX_FILE_SIZE = 1_000_000

_MODEL_KEYS = ("artifacts", "class", "code", "consumers", "description", "owner")
_DATA_KEYS = ("description", "external", "owner", "path", "version")
_CONSUMER_KEYS = ("models", "paths")


class ConfigError(Exception):
    """A configuration problem at ``file:line`` about ``key``; unknown parts are empty or None."""

    def __init__(self, file: str, line: int | None, key: str, message: str) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}" if where else str(self.line)
        return ": ".join(part for part in (where, self.key, self.message) if part)


@dataclass(frozen=True)
class ModelDecl:
    """A model declared in the manifest; ``line`` and ``file`` locate its entry for findings."""

    name: str
    owner: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    consumers: list[str] = field(default_factory=list)
    description: str = ""
    line: int = 0
    file: str = ""


@dataclass(frozen=True)
class DataDecl:
    """A dataset (path or glob) declared in the manifest."""

    pattern: str
    owner: list[str] = field(default_factory=list)
    description: str = ""
    version: str = ""
    external: bool = False
    line: int = 0
    file: str = ""


@dataclass(frozen=True)
class ConsumerDecl:
    """A downstream consumer of models: the code paths that use them and which models they use."""

    name: str
    paths: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    line: int = 0
    file: str = ""


@dataclass
class Settings:
    """Validated settings; YAML/TOML keys are kebab-case, fields are the snake_case equivalents."""

    root: Path
    config_files: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    notebooks: bool = True  # Jupyter notebooks (*.ipynb) are discovered and analysed
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_under: float | None = None
    rule_packs: list[str] = field(default_factory=list)
    api_catalogs: list[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    models: dict[str, ModelDecl] = field(default_factory=dict)
    data: dict[str, DataDecl] = field(default_factory=dict)
    consumers: dict[str, ConsumerDecl] = field(default_factory=dict)
    # (glob, rule selectors) in file order; a glob starting with "!" applies to the files it
    # does not match. Checked against the registry by debtlint.suppress.check_settings.
    per_file_ignores: list[tuple[str, list[str]]] = field(default_factory=list)
    per_rule_ignores: dict[str, list[str]] = field(default_factory=dict)  # selector -> entity globs
    baseline: str | None = None  # relative to the root, or absolute when given on the command line
    # Performance (debtlint/phase1.py, debtlint/cache.py). jobs: worker processes, None for all
    # cores. cache_dir: relative to the root or absolute; None for .debtlint_cache at the root.
    # use_cache is a run-time choice (the CLI turns it on unless --no-cache), not a config key:
    # library callers of engine.scan get no cache unless they ask.
    jobs: int | None = None
    cache_dir: str | None = None
    use_cache: bool = False
    # Rule packs installed as distributions (the `debtlint.rules` entry point group, see
    # debtlint/plugins.py): off unless chosen, True for all, or a list of entry point names.
    rule_pack_entry_points: bool | list[str] = False
    # Where each top-level key was set and the line maps of the files, kept so that later stages
    # can point at the configured value instead of only at the file.
    _key_files: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _line_maps: dict[str, dict[KeyPath, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def line_of(self, key: str) -> tuple[str, int | None]:
        """The file and 1-based line where dotted ``key`` (e.g. ``rule-options.DL101.threshold``,
        ``select.2``) was configured; the nearest configured parent's line if the full key is not
        found. For a key that no file sets, the first config file (or ``""``) and ``None``.

        Components may contain dots themselves (data patterns such as ``data/*.csv``): each step
        takes the longest configured child key that matches, so ``data.data/*.csv.owner`` works.
        """
        top, _, rest = key.partition(".")
        file = self._key_files.get(top)
        if file is None:
            return (self.config_files[0] if self.config_files else "", None)
        lines = self._line_maps.get(file, {})
        path: KeyPath = (top,)
        while rest:
            depth = len(path)
            best: str | int | None = None
            for known in lines:
                if len(known) != depth + 1 or known[:depth] != path:
                    continue
                text = str(known[-1])
                if (rest == text or rest.startswith(text + ".")) and (
                    best is None or len(text) > len(str(best))
                ):
                    best = known[-1]
            if best is None:
                break
            path = (*path, best)
            rest = rest[len(str(best)) + 1 :]
        for end in range(len(path), 0, -1):
            line = lines.get(path[:end])
            if line is not None:
                return file, line
        return file, None


# ---------------------------------------------------------------------------------------------
# Finding the project root


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding debtlint config or ``.git``.

    ``start`` may be a file or a directory. A ``pyproject.toml`` only counts when it has a
    ``[tool.debtlint]`` table, so a sub-package's packaging metadata does not split a repository.
    Without any marker the start directory itself is the root.
    """
    # abspath normalises ".." without following symlinks, so paths stay as the user sees them.
    begin = Path(os.path.abspath(start))
    begin_dir = begin if _is_dir(begin) else begin.parent
    for candidate in (begin_dir, *begin_dir.parents):
        if any(_is_file(candidate / name) for name in YAML_CONFIG_NAMES):
            return candidate
        if _pyproject_has_table(candidate / PYPROJECT):
            return candidate
        # .git is a file in worktrees and submodules, so any kind of entry counts.
        if _exists(candidate / ".git"):
            return candidate
    return begin_dir


_TABLE_HEADER_RE = re.compile(r"^\s*\[\s*tool\s*\.\s*debtlint\s*[\].]", re.MULTILINE)


def _pyproject_has_table(file: Path) -> bool:
    if not _is_file(file):
        return False
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        # A broken file that clearly meant to configure us is still the root, so that loading it
        # reports the syntax error instead of silently using another directory's settings.
        return _TABLE_HEADER_RE.search(text) is not None
    tool = doc.get("tool")
    return isinstance(tool, dict) and "debtlint" in tool


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass
class _Source:
    """One file's settings mapping with its key-path → line map (relative to the settings table)."""

    display: str
    data: dict[Any, Any]
    lines: dict[KeyPath, int]

    def line(self, path: KeyPath) -> int | None:
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def error(self, path: KeyPath, message: str) -> ConfigError:
        return ConfigError(self.display, self.line(path), _format_key(path), message)


def load_settings(root: Path, config_file: Path | None = None) -> Settings:
    """Read and validate the settings of the project at ``root``.

    With ``config_file`` only that file is used: a ``.toml`` file is read as a pyproject (its
    ``[tool.debtlint]`` table), anything else as YAML. Otherwise ``debtlint.yaml`` /
    ``.debtlint.yaml`` and ``pyproject.toml`` in ``root`` are read. No configuration means defaults.
    """
    root = Path(os.path.abspath(root))
    settings = Settings(root=root)
    sources: list[_Source] = []
    if config_file is not None:
        path = Path(os.path.abspath(config_file))
        display = _display(path, root)
        if not _is_file(path):
            raise ConfigError(display, None, "", "config file not found; check the path")
        settings.config_files.append(display)
        if path.suffix == ".toml":
            source = _read_pyproject(path, display)
            if source is None:
                raise ConfigError(
                    display, None, "", "has no [tool.debtlint] table; add one or pass a YAML file"
                )
        else:
            source = _read_yaml(path, display)
        sources.append(source)
    else:
        yaml_files = [root / name for name in YAML_CONFIG_NAMES if _is_file(root / name)]
        if len(yaml_files) > 1:
            raise ConfigError(
                YAML_CONFIG_NAMES[1],
                None,
                "",
                f"both {YAML_CONFIG_NAMES[0]} and {YAML_CONFIG_NAMES[1]} exist; keep only one",
            )
        for file in yaml_files:
            display = _display(file, root)
            sources.append(_read_yaml(file, display))
            settings.config_files.append(display)
        pyproject = root / PYPROJECT
        if _is_file(pyproject):
            display = _display(pyproject, root)
            toml_source = _read_pyproject(pyproject, display)
            # A pyproject.toml without [tool.debtlint] is someone else's file, not our config.
            if toml_source is not None:
                sources.append(toml_source)
                settings.config_files.append(display)

    for source in sources:
        _check_keys(source, (), source.data, KNOWN_KEYS)
    _check_overlap(sources)
    for source in sources:
        for key, value in source.data.items():
            _PARSERS[key](settings, source, key, value)
            settings._key_files[key] = source.display
        settings._line_maps[source.display] = source.lines
    return settings


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _read_yaml(file: Path, display: str) -> _Source:
    try:
        doc = load_yaml_file(file, display)
    except YamlError as exc:
        raise ConfigError(exc.path, exc.line, "", exc.message) from None
    if doc.data is None:
        return _Source(display, {}, dict(doc.lines))
    if not isinstance(doc.data, dict):
        raise ConfigError(
            display,
            doc.line_of(()),
            "",
            f"expected a mapping of settings at the top level (e.g. 'select: [DL101]'), "
            f"got {_type_name(doc.data)}",
        )
    return _Source(display, doc.data, dict(doc.lines))


_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END = " (at end of document)"


def _read_pyproject(file: Path, display: str) -> _Source | None:
    """The ``[tool.debtlint]`` table of a pyproject file, or None when it has none."""
    try:
        if file.stat().st_size > MAX_YAML_BYTES:
            raise ConfigError(display, None, "", "file is too large to be a configuration file")
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(display, None, "", f"not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(display, None, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib carries no structured position before Python 3.14; its message ends with one.
        message = str(exc)
        line: int | None = None
        match = _TOML_POSITION_RE.search(message)
        if match is not None:
            line = int(match.group(1))
            message = f"{message[: match.start()]} at column {match.group(2)}"
        elif message.endswith(_TOML_AT_END):
            # Something left open (an array, a string); the last line is where it shows.
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
            message = f"{message[: -len(_TOML_AT_END)]} at the end of the file"
        raise ConfigError(display, line, "", f"invalid TOML: {message}; fix the syntax") from None
    tool = doc.get("tool")
    if not isinstance(tool, dict) or "debtlint" not in tool:
        return None
    lines = _toml_line_map(text)
    table = tool["debtlint"]
    if not isinstance(table, dict):
        raise ConfigError(
            display,
            lines.get(()),
            "tool.debtlint",
            f"expected a table ('[tool.debtlint]' followed by 'key = value' lines), "
            f"got {_type_name(table)}",
        )
    return _Source(display, table, lines)


def _check_keys(
    source: _Source, path: KeyPath, mapping: dict[Any, Any], known: tuple[str, ...]
) -> None:
    for key in mapping:
        if not isinstance(key, str):
            raise source.error(
                (*path, str(key)), f"keys must be strings, got {_type_name(key)}; quote it"
            )
        if key not in known:
            raise source.error((*path, key), _unknown_key_message(key, known))


def _unknown_key_message(key: str, known: tuple[str, ...]) -> str:
    # snake_case is the most common slip (Python habits), so suggest its kebab form first.
    kebab = key.replace("_", "-")
    matches = [kebab] if kebab in known else difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if matches:
        return f"unknown key '{key}' (did you mean '{matches[0]}'?)"
    return f"unknown key '{key}'; expected one of: {', '.join(known)}"


def _check_overlap(sources: list[_Source]) -> None:
    for i, first in enumerate(sources):
        for second in sources[i + 1 :]:
            for key in first.data:
                if key in second.data:
                    other_line = second.line((key,))
                    where = f"{second.display}:{other_line}" if other_line else second.display
                    raise first.error(
                        (key,),
                        f"also set in {where}; set each key in only one of "
                        f"{first.display} and {second.display}",
                    )


# ---------------------------------------------------------------------------------------------
# Value validation


def _format_key(path: KeyPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else part
    return text


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) <= 40 else "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (date, datetime, time)):
        return f"a date/time ({value})"
    return f"a {type(value).__name__}"


def _str_list(source: _Source, path: KeyPath, value: object, example: str) -> list[str]:
    if not isinstance(value, list):
        raise source.error(
            path, f"expected a list of strings, e.g. {example}; got {_type_name(value)}"
        )
    items: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise source.error(
                (*path, index),
                f"expected every item to be a non-empty string, e.g. {example}; "
                f"got {_type_name(item)}",
            )
        items.append(item)
    return items


def _str_or_list(source: _Source, path: KeyPath, value: object, example: str) -> list[str]:
    """A single string or a list of strings (for ``owner`` and ``class``), or null for none."""
    if value is None:
        return []
    if isinstance(value, str):
        if not value.strip():
            raise source.error(path, f"expected a non-empty string or a list, e.g. {example}")
        return [value]
    if isinstance(value, list):
        return _str_list(source, path, value, example)
    raise source.error(
        path, f"expected a string or a list of strings, e.g. {example}; got {_type_name(value)}"
    )


def _text(source: _Source, path: KeyPath, value: object, hint: str = "") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise source.error(path, f"expected a string{hint}; got {_type_name(value)}")
    return value


def _mapping(source: _Source, path: KeyPath, value: object, example: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise source.error(path, f"expected a mapping, e.g. {example}; got {_type_name(value)}")
    return value


def _name_key(source: _Source, path: KeyPath, key: object, what: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise source.error(
            (*path, str(key)), f"{what} must be a non-empty string, got {_type_name(key)}; quote it"
        )
    return key


def _no_null(source: _Source, key: str, value: object, example: str) -> None:
    # For these keys null is ambiguous ("use the default" or "nothing"?), so make the user choose.
    if value is None:
        raise source.error(
            (key,), f"has no value; remove the key to use the default, or set it, e.g. {example}"
        )


_Parser = Callable[[Settings, _Source, str, Any], None]


def _list_parser(attr: str, example: str, nullable: bool) -> _Parser:
    def parse(settings: Settings, source: _Source, key: str, value: Any) -> None:
        if value is None and nullable:
            # The default of these keys is the empty list, so null cannot mean anything else.
            setattr(settings, attr, [])
            return
        _no_null(source, key, value, example)
        setattr(settings, attr, _str_list(source, (key,), value, example))

    return parse


def _path_list_parser(attr: str, example: str) -> _Parser:
    def parse(settings: Settings, source: _Source, key: str, value: Any) -> None:
        if value is None:
            setattr(settings, attr, [])
            return
        items = _str_list(source, (key,), value, example)
        setattr(
            settings,
            attr,
            [_inside_root(settings.root, source, (key, i), item) for i, item in enumerate(items)],
        )

    return parse


def _inside_root(root: Path, source: _Source, path: KeyPath, value: str) -> str:
    """``value`` as a normalised POSIX path relative to ``root``; an error if it leaves the root.

    Rule packs and catalogs are code and trusted data, so a config file (which may come from a
    checked-out branch) must not pull them from elsewhere on the machine.
    """
    target = Path(os.path.normpath(root / value))
    # The lexical check catches "../x"; the resolved one catches symlinks that point outside.
    lexical_ok = target == root or root in target.parents
    resolved_root = root.resolve()
    resolved = target.resolve()
    resolved_ok = resolved == resolved_root or resolved_root in resolved.parents
    if not (lexical_ok and resolved_ok):
        raise source.error(
            path,
            f"'{value}' is outside the project root {root}; keep it inside the project, "
            f"or give it on the command line (`debtlint scan --rule-pack DIR` / "
            f"`--api-catalog FILE`)",
        )
    return target.relative_to(root).as_posix()


def _parse_exclude(settings: Settings, source: _Source, key: str, value: Any) -> None:
    example = '["build/", "notebooks/scratch/"]'
    _no_null(source, key, value, example)
    settings.exclude = _str_list(source, (key,), value, example)


def _parse_select(settings: Settings, source: _Source, key: str, value: Any) -> None:
    example = '["DL101"]'
    _no_null(source, key, value, example)
    settings.select = _str_list(source, (key,), value, example)


def _parse_notebooks(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise source.error((key,), f"expected true or false; got {_type_name(value)}")
    settings.notebooks = value


def _parse_respect_gitignore(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise source.error((key,), f"expected true or false; got {_type_name(value)}")
    settings.respect_gitignore = value


def _parse_severity(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        settings.severity = {}
        return
    mapping = _mapping(source, (key,), value, "{DL101: warning}")
    result: dict[str, str] = {}
    for selector, level in mapping.items():
        selector = _name_key(source, (key,), selector, "a rule selector")
        if level not in SEVERITY_LEVELS:
            close = (
                difflib.get_close_matches(level, SEVERITY_LEVELS, n=1)
                if isinstance(level, str)
                else []
            )
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise source.error(
                (key, selector),
                f"expected one of {', '.join(SEVERITY_LEVELS)}; got {_type_name(level)}{hint}",
            )
        result[selector] = level
    settings.severity = result


def _parse_rule_options(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        settings.rule_options = {}
        return
    mapping = _mapping(source, (key,), value, "{DL101: {threshold: 3}}")
    result: dict[str, dict[str, Any]] = {}
    for rule, options in mapping.items():
        rule = _name_key(source, (key,), rule, "a rule code or name")
        # Option names and value types belong to each rule; the registry checks them later.
        options = _mapping(source, (key, rule), options, "{threshold: 3}")
        for option in options:
            _name_key(source, (key, rule), option, "an option name")
        result[rule] = dict(options)
    settings.rule_options = result


def _parse_fail_under(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        settings.fail_under = None
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise source.error(
            (key,), f"expected a number from 0 to 100, e.g. 80; got {_type_name(value)}"
        )
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise source.error((key,), f"expected a number from 0 to 100, e.g. 80; got {value}")
    settings.fail_under = float(value)


def _parse_max_file_size(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise source.error(
            (key,),
            f"expected a positive whole number of bytes, e.g. {DEFAULT_MAX_FILE_SIZE}; "
            f"got {_type_name(value)}",
        )
    settings.max_file_size = value


MAX_JOBS = 1024


def _parse_jobs(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        settings.jobs = None  # all cores
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_JOBS:
        shown = value if isinstance(value, int) and not isinstance(value, bool) else None
        raise source.error(
            (key,),
            f"expected a whole number of worker processes from 1 to {MAX_JOBS}, e.g. 4, or null "
            f"for all cores; got {shown if shown is not None else _type_name(value)}",
        )
    settings.jobs = value


def _parse_cache_dir(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        settings.cache_dir = None
        return
    if not isinstance(value, str) or not value.strip():
        raise source.error(
            (key,), f"expected a folder path, e.g. .debtlint_cache; got {_type_name(value)}"
        )
    settings.cache_dir = value
    target = Path(os.path.normpath(settings.root / os.path.expanduser(value)))
    root = settings.root
    # debtlint writes a CACHEDIR.TAG there, and backup tools skip a tagged folder entirely.
    if target == root or target in root.parents:
        raise source.error(
            (key,),
            f"'{value}' is the project root or a folder above it; use a folder of its own, "
            "e.g. .debtlint_cache",
        )


def cache_dir_path(settings: Settings) -> Path:
    """The cache folder of a scan: ``cache_dir`` (``~`` expanded, relative to the root) or
    ``.debtlint_cache`` at the root."""
    if settings.cache_dir is None:
        return settings.root / ".debtlint_cache"
    return Path(os.path.normpath(settings.root / os.path.expanduser(settings.cache_dir)))


def _parse_models(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        return
    mapping = _mapping(source, (key,), value, "{churn: {owner: ml-team, code: [src/churn/*.py]}}")
    for name, entry in mapping.items():
        name = _name_key(source, (key,), name, "a model name")
        path: KeyPath = (key, name)
        if entry is None:
            entry = {}
        entry = _mapping(source, path, entry, "{owner: ml-team, code: [src/churn/*.py]}")
        _check_keys(source, path, entry, _MODEL_KEYS)
        settings.models[name] = ModelDecl(
            name=name,
            owner=_str_or_list(source, (*path, "owner"), entry.get("owner"), '["ml-team"]'),
            code=_manifest_list(source, path, entry, "code", '["src/churn/train.py"]'),
            artifacts=_manifest_list(source, path, entry, "artifacts", '["models/churn/*.pkl"]'),
            classes=_str_or_list(source, (*path, "class"), entry.get("class"), '["ChurnModel"]'),
            consumers=_manifest_list(source, path, entry, "consumers", '["billing-api"]'),
            description=_text(source, (*path, "description"), entry.get("description")),
            line=source.line(path) or 0,
            file=source.display,
        )


def _manifest_list(
    source: _Source, path: KeyPath, entry: dict[Any, Any], key: str, example: str
) -> list[str]:
    value = entry.get(key)
    return [] if value is None else _str_list(source, (*path, key), value, example)


def _parse_data(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for index, pattern in enumerate(_str_list(source, (key,), value, '["data/raw/*.csv"]')):
            # The first declaration wins so that its line is the one findings point at.
            settings.data.setdefault(
                pattern,
                DataDecl(pattern, line=source.line((key, index)) or 0, file=source.display),
            )
        return
    if not isinstance(value, dict):
        raise source.error(
            (key,),
            f'expected a list of paths/globs (e.g. ["data/raw/*.csv"]) or a mapping of '
            f'path/glob to details (e.g. {{"data/raw/*.csv": {{owner: data-team}}}}); '
            f"got {_type_name(value)}",
        )
    for pattern, entry in value.items():
        pattern = _name_key(source, (key,), pattern, "a data path or glob")
        path: KeyPath = (key, pattern)
        if entry is None:
            entry = {}
        entry = _mapping(source, path, entry, "{owner: data-team, external: true}")
        _check_keys(source, path, entry, _DATA_KEYS)
        external = entry.get("external", False)
        if external is None:
            external = False
        if not isinstance(external, bool):
            raise source.error(
                (*path, "external"), f"expected true or false; got {_type_name(external)}"
            )
        if entry.get("path") is not None:
            # `name: {path: data/raw/x.csv, owner: ...}`: the key names the dataset.
            pattern = _text(source, (*path, "path"), entry.get("path"))
        settings.data[pattern] = DataDecl(
            pattern=pattern,
            owner=_str_or_list(source, (*path, "owner"), entry.get("owner"), '["data-team"]'),
            description=_text(source, (*path, "description"), entry.get("description")),
            # YAML turns 1.10 into the float 1.1, so refuse numbers rather than guess the text.
            version=_text(
                source,
                (*path, "version"),
                entry.get("version"),
                " (quote versions, e.g. '1.10', so they stay exact)",
            ),
            external=external,
            line=source.line(path) or 0,
            file=source.display,
        )


def _parse_consumers(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        return
    example = '{billing-api: {paths: ["services/billing/**"], models: [churn]}}'
    mapping = _mapping(source, (key,), value, example)
    for name, entry in mapping.items():
        name = _name_key(source, (key,), name, "a consumer name")
        path: KeyPath = (key, name)
        if entry is None:
            entry = {}
        entry = _mapping(source, path, entry, '{paths: ["services/billing/**"], models: [churn]}')
        _check_keys(source, path, entry, _CONSUMER_KEYS)
        settings.consumers[name] = ConsumerDecl(
            name=name,
            paths=_manifest_list(source, path, entry, "paths", '["services/billing/**"]'),
            models=_manifest_list(source, path, entry, "models", '["churn"]'),
            line=source.line(path) or 0,
            file=source.display,
        )


def _parse_per_file_ignores(settings: Settings, source: _Source, key: str, value: Any) -> None:
    example = '{"tests/**": [DL201], "!src/**": [DL4]}'
    if value is None:
        settings.per_file_ignores = []
        return
    mapping = _mapping(source, (key,), value, example)
    result: list[tuple[str, list[str]]] = []
    for pattern, selectors in mapping.items():
        pattern = _name_key(source, (key,), pattern, "a file glob")
        body = pattern[1:] if pattern.startswith("!") else pattern
        try:
            GitIgnoreSpec.from_lines([body])
        except ValueError as exc:
            raise source.error(
                (key, pattern), f"invalid glob {pattern!r} ({exc}); e.g. {example}"
            ) from None
        if not body.strip() or body.startswith("!"):
            raise source.error(
                (key, pattern),
                f"invalid glob {pattern!r}: write one '!' then a glob, e.g. '!src/**'",
            )
        result.append((pattern, _str_list(source, (key, pattern), selectors, '["DL201"]')))
    settings.per_file_ignores = result


def _parse_per_rule_ignores(settings: Settings, source: _Source, key: str, value: Any) -> None:
    example = '{DL201: ["data/raw/*", "s3://scratch/*"]}'
    if value is None:
        settings.per_rule_ignores = {}
        return
    mapping = _mapping(source, (key,), value, example)
    result: dict[str, list[str]] = {}
    for selector, globs in mapping.items():
        selector = _name_key(source, (key,), selector, "a rule code or name")
        result[selector] = _str_list(source, (key, selector), globs, '["data/raw/*"]')
    settings.per_rule_ignores = result


def _parse_rule_pack_entry_points(
    settings: Settings, source: _Source, key: str, value: Any
) -> None:
    # Loading code from the environment must be a choice, so only an explicit value enables it.
    if value is None or isinstance(value, bool):
        settings.rule_pack_entry_points = bool(value)
        return
    if not isinstance(value, list):
        raise source.error(
            (key,),
            f'expected true, false or a list of entry point names, e.g. ["acme-rules"]; '
            f"got {_type_name(value)}",
        )
    settings.rule_pack_entry_points = _str_list(source, (key,), value, '["acme-rules"]')


def _parse_baseline(settings: Settings, source: _Source, key: str, value: Any) -> None:
    if value is None:
        settings.baseline = None
        return
    if not isinstance(value, str) or not value.strip():
        raise source.error(
            (key,), f"expected a file path, e.g. .debtlint-baseline.json; got {_type_name(value)}"
        )
    settings.baseline = _inside_root(settings.root, source, (key,), value)


_PARSERS: dict[str, _Parser] = {
    "api-catalogs": _path_list_parser("api_catalogs", '["catalogs/internal_apis.yaml"]'),
    "baseline": _parse_baseline,
    "cache-dir": _parse_cache_dir,
    "consumers": _parse_consumers,
    "data": _parse_data,
    "exclude": _parse_exclude,
    "extend-exclude": _list_parser("extend_exclude", '["legacy/"]', nullable=True),
    "extend-select": _list_parser("extend_select", '["DL3"]', nullable=True),
    "fail-under": _parse_fail_under,
    "ignore": _list_parser("ignore", '["DL203"]', nullable=True),
    "jobs": _parse_jobs,
    "max-file-size": _parse_max_file_size,
    "models": _parse_models,
    "per-file-ignores": _parse_per_file_ignores,
    "per-rule-ignores": _parse_per_rule_ignores,
    "notebooks": _parse_notebooks,
    "respect-gitignore": _parse_respect_gitignore,
    "rule-options": _parse_rule_options,
    "rule-packs": _path_list_parser("rule_packs", '["tools/debt_rules"]'),
    "rule-pack-entry-points": _parse_rule_pack_entry_points,
    "select": _parse_select,
    "severity": _parse_severity,
}

KNOWN_KEYS: tuple[str, ...] = tuple(sorted(_PARSERS))


# ---------------------------------------------------------------------------------------------
# Line numbers for pyproject.toml
#
# tomllib returns plain dicts without positions, so lines are recovered by scanning the text:
# table headers ("[tool.debtlint.rule-options.DL101]") and "key = value" lines (keys may be dotted
# or quoted) are mapped to key paths relative to [tool.debtlint]. Strings, comments and brackets
# are tracked only so that text inside multi-line arrays and strings is not mistaken for keys.
# Keys inside inline tables and items of arrays get the line of the key that holds them. This is
# best effort: an unusual layout gives a less precise line, never a wrong file.

_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")


def _toml_line_map(text: str) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}
    table: tuple[str, ...] = ()
    depth = 0
    open_string: str | None = None
    # TOML (and tomllib's error positions) count only "\n" as a line break.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if open_string is not None:
            end = _find_string_end(line, 0, open_string)
            if end < 0:
                continue
            depth, open_string = _scan_value(line, end, depth)
            continue
        if depth > 0:
            depth, open_string = _scan_value(line, 0, depth)
            continue
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            start = len(line) - len(stripped) + (2 if stripped.startswith("[[") else 1)
            header = _parse_dotted_key(line, start)
            # An unreadable header still ends the previous table; "" matches nothing of ours.
            table = tuple(header[0]) if header is not None else ("",)
            _record(lines, table, lineno)
            continue
        parsed = _parse_dotted_key(line, 0)
        if parsed is None:
            continue
        keys, pos = parsed
        if pos >= len(line) or line[pos] != "=":
            continue
        _record(lines, (*table, *keys), lineno)
        depth, open_string = _scan_value(line, pos + 1, depth)
    return lines


def _record(lines: dict[KeyPath, int], full: tuple[str, ...], lineno: int) -> None:
    if full[:2] != ("tool", "debtlint"):
        return
    relative = full[2:]
    for end in range(len(relative) + 1):
        lines.setdefault(relative[:end], lineno)


def _parse_dotted_key(text: str, pos: int) -> tuple[list[str], int] | None:
    """Parse ``a."b.c".'d'`` at ``pos``; the parts and the position after trailing spaces."""
    parts: list[str] = []
    while True:
        pos = _skip_spaces(text, pos)
        if pos >= len(text):
            return None
        char = text[pos]
        if char == '"':
            end = pos + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                return None
            try:
                decoded = json.loads(text[pos : end + 1])
            except ValueError:
                decoded = text[pos + 1 : end]
            parts.append(str(decoded))
            pos = end + 1
        elif char == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                return None
            parts.append(text[pos + 1 : end])
            pos = end + 1
        else:
            match = _BARE_KEY_RE.match(text, pos)
            if match is None:
                return None
            parts.append(match.group())
            pos = match.end()
        pos = _skip_spaces(text, pos)
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _scan_value(text: str, pos: int, depth: int) -> tuple[int, str | None]:
    """Walk a value's text: the bracket depth after it and an unclosed multi-line delimiter."""
    while pos < len(text):
        char = text[pos]
        if char == "#":
            break
        if text.startswith('"""', pos) or text.startswith("'''", pos):
            delimiter = text[pos : pos + 3]
            end = _find_string_end(text, pos + 3, delimiter)
            if end < 0:
                return depth, delimiter
            pos = end
            continue
        if char == '"':
            pos += 1
            while pos < len(text) and text[pos] != '"':
                pos += 2 if text[pos] == "\\" else 1
            pos += 1
            continue
        if char == "'":
            end = text.find("'", pos + 1)
            pos = len(text) if end < 0 else end + 1
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        pos += 1
    return depth, None


def _find_string_end(text: str, pos: int, delimiter: str) -> int:
    """The position after the closing ``delimiter`` of a multi-line string, or -1."""
    escapes = delimiter == '"""'
    while pos < len(text):
        if escapes and text[pos] == "\\":
            pos += 2
            continue
        if text.startswith(delimiter, pos):
            end = pos + 3
            # Up to two more quotes belong to the string's content ('''a'''' is valid TOML).
            while end < len(text) and end - pos < 5 and text[end] == delimiter[0]:
                end += 1
            return end
        pos += 1
    return -1
