"""Refuse, before parsing, source nested deeper than Python itself accepts.

libcst's native parser recurses once per nested bracket on the C stack: about 2,000 nested
parentheses or lists crash the whole process with a segmentation fault, which no ``except`` can
catch. CPython refuses more than 200 nested brackets ("too many nested parentheses"), so a file
deeper than that is not valid Python anyway and is reported as unparsable without being parsed.
(Indentation is bounded by libcst's tokenizer, which rejects more than 100 levels like CPython.)

The check is one regular-expression pass: strings and comments are skipped, except the
replacement fields of f-strings, which libcst parses as expressions too.
"""

from __future__ import annotations

import re

# CPython's tokenizer limit (MAXLEVEL in Parser/tokenizer.h).
MAX_BRACKET_DEPTH = 200

_TOKEN = re.compile(
    r"""
      \#[^\r\n]*                                     # a comment
    | (?P<prefix>[rRbBuUfF]{0,2})
      (?P<string>'''(?:\\.|[^\\])*?''' | \"\"\"(?:\\.|[^\\])*?\"\"\"
                | '(?:\\.|[^'\\\r\n])*' | "(?:\\.|[^"\\\r\n])*")
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    """,
    re.VERBOSE | re.DOTALL,
)
_BRACKETS = re.compile(r"[(\[{]|[)\]}]")


def bracket_depth(source: str) -> int:
    """The deepest bracket nesting of ``source``, as the tokenizer would count it (approximately
    for unterminated strings, which make the file unparsable anyway)."""
    depth = deepest = 0
    for match in _TOKEN.finditer(source):
        if match.group("open"):
            depth += 1
            deepest = max(deepest, depth)
        elif match.group("close"):
            depth = max(depth - 1, 0)
        elif match.group("string") and "f" in match.group("prefix").lower():
            deepest = max(deepest, depth + _inner_depth(match.group("string")))
    return deepest


def _inner_depth(text: str) -> int:
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def too_deep(source: str) -> str | None:
    """Why ``source`` must not be handed to the parser, or None."""
    # Cheap exit: without enough opening brackets in the whole file, no nesting can be too deep.
    if sum(source.count(c) for c in "([{") <= MAX_BRACKET_DEPTH:
        return None
    depth = bracket_depth(source)
    if depth > MAX_BRACKET_DEPTH:
        return (
            f"brackets nested {depth} deep; Python allows at most {MAX_BRACKET_DEPTH} "
            "(too many nested parentheses)"
        )
    return None
