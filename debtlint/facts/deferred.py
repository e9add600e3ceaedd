"""Values that phase 1 cannot know alone, written inline in a string so ordinary string operations
(joins, f-strings, concatenation) keep working on them; phase 2 substitutes them
(:mod:`debtlint.resolve`).

A marker is ``\\x00kind:payload\\x00``:

- ``const:config.TRAIN_CSV`` — a constant of another project module;
- ``cfg:params.yaml#train\\x02data`` — a key of a YAML/JSON config file (``/`` in the file is
  written ``\\x01`` so path normalisation cannot touch it; keys are separated by ``\\x02``);
- ``param:pkg.io.load_frame\\x020\\x02path`` — argument 0 (``path``) of a project function, resolved
  from the function's call sites.
"""

from __future__ import annotations

import re

MARK = "\x00"
_MARKER = re.compile("\x00([a-z]+):([^\x00]*)\x00")


def const(qualname: str) -> str:
    return f"{MARK}const:{qualname}{MARK}"


def cfg(file: str, keys: tuple[str, ...]) -> str:
    return f"{MARK}cfg:{file.replace('/', chr(1))}#{chr(2).join(keys)}{MARK}"


def param(function: str, index: int, name: str) -> str:
    return f"{MARK}param:{function}{chr(2)}{index}{chr(2)}{name}{MARK}"


def is_deferred(text: str | None) -> bool:
    return text is not None and MARK in text


def markers(text: str) -> list[tuple[str, str]]:
    return _MARKER.findall(text)


def split_cfg(payload: str) -> tuple[str, tuple[str, ...]]:
    file, _, keys = payload.partition("#")
    return file.replace(chr(1), "/"), tuple(k for k in keys.split(chr(2)) if k)


def split_param(payload: str) -> tuple[str, int, str]:
    function, index, name = payload.split(chr(2))
    return function, int(index), name


def readable(text: str) -> str:
    """The form users see: ``<config.TRAIN_CSV>/x``, ``<params.yaml: train.data>``."""

    def show(match: re.Match[str]) -> str:
        kind, payload = match.group(1), match.group(2)
        if kind == "cfg":
            file, keys = split_cfg(payload)
            return f"<{file}: {'.'.join(keys)}>"
        if kind == "param":
            function, _, name = split_param(payload)
            return f"<argument {name} of {function.rsplit('.', 1)[-1]}>"
        return f"<{payload}>"

    return _MARKER.sub(show, text)


def substitute(text: str, replace: dict[tuple[str, str], str]) -> str:
    return _MARKER.sub(lambda m: replace.get((m.group(1), m.group(2)), m.group(0)), text)
