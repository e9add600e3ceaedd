"""The comments of a source file, read with the tokenizer rather than from the libcst tree.

The batched walk skips whitespace nodes (where libcst keeps comments) because they are more than
half of every tree; the few rules that read comments take them from here instead.
"""

from __future__ import annotations

import io
import tokenize
from typing import NamedTuple


class Comment(NamedTuple):
    line: int  # 1-based
    col: int  # 0-based, where the `#` is
    text: str  # from the `#` to the end of the line, without the newline
    own_line: bool  # nothing but whitespace before it on its line


def source_comments(source: str) -> list[Comment]:
    """Every comment, in order. Strings that contain `#` are not comments."""
    if "#" not in source:
        return []
    lines = source.splitlines()
    try:
        found = [
            (tok.start[0], tok.start[1], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        # The tokenizer of this Python may not know syntax libcst accepts: own-line comments will
        # do (a `#` after code may be inside a string).
        found = [
            (n, len(line) - len(line.lstrip()), line.strip())
            for n, line in enumerate(lines, start=1)
            if line.lstrip().startswith("#")
        ]
    return [
        Comment(line, col, text.rstrip("\r\n"), not lines[line - 1][:col].strip())
        for line, col, text in found
    ]
