"""Jupyter notebooks as modules: read an ``.ipynb`` with the standard ``json`` module (nbformat 4
schema; no Jupyter installed or run), neutralise IPython syntax, join the code cells.

IPython syntax at the start of a statement is replaced by a harmless statement of the same line
count and the same indentation, so libcst parses the rest and every line keeps its number:

- line magics (``%matplotlib inline``), shell escapes (``!pip install x``, ``files = !ls``), help
  (``df.head?``, ``??model``) and autocall escapes (``/f x``) become ``pass  # <original>``;
- ``%time``/``%timeit``/``%prun``/``%memit`` followed by a statement keep the statement (its
  columns are shifted back in the line map), so ``%time model.fit(X, y)`` is still a fit;
- a cell magic (``%%bash``, ``%%writefile``, ``%%sql``) turns its whole cell into comments, except
  the magics whose body is Python (``%%time``, ``%%capture``, ...), where only the first line goes.

Lines inside brackets, continued lines and lines inside triple-quoted strings are never touched (a
``%s`` in a SQL string stays). ``%run`` and shell commands are kept as facts. Each line of the
joined module maps back to (cell, line in the cell, line of the ``.ipynb`` file, column shift).
"""

from __future__ import annotations

import bisect
import itertools
import json
import json.decoder
import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from debtlint.facts.cells import CellInfo, NotebookCommand, NotebookInfo

# Bigger joined code than this is not parsed (a .py file of that size is skipped by discovery's
# default max-file-size; a notebook's file size is dominated by its outputs, so it is checked here).
MAX_CODE_CHARS = 1_000_000

# Kernel languages analysed as Python ("" when the notebook does not say).
PYTHON_LANGUAGES = frozenset({"", "python", "python2", "python3", "ipython", "ipython3"})

# Cell magics whose body is Python that IPython runs (only their first line is neutralised).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "mprun"})
# Line magics that run the statement after them.
STATEMENT_MAGICS = frozenset({"time", "timeit", "prun", "memit"})
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "script", "system"})

_NEWLINE = re.compile("\n")
_MAGIC_NAME = re.compile(r"%%?([A-Za-z_][\w.]*)")
_ASSIGNED = re.compile(r"^([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*([!%].*)$")


class NotebookError(ValueError):
    """The file is not a notebook debtlint can read; ``line``/``col`` are in the .ipynb file."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Notebook:
    """A notebook read for analysis. ``source`` is the joined module (empty when skipped)."""

    source: str
    info: NotebookInfo
    # The original source lines of every cell, by cell number (for report excerpts).
    cell_lines: dict[int, list[str]] = field(default_factory=dict)
    skip_reason: str | None = None


# -- reading ---------------------------------------------------------------------------------------
def _decode(data: bytes) -> tuple[Any, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 (byte {exc.start}): notebooks are UTF-8 JSON") from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise NotebookError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise NotebookError("invalid notebook: JSON nested too deeply") from None


def _language(doc: dict[str, Any]) -> str:
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict):
        return ""
    for key, field_name in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field_name), str):
            return str(section[field_name]).strip().lower()
    return ""


def _source_parts(cell: dict[str, Any], number: int) -> list[str]:
    source = cell.get("source", [])
    # nbformat allows both a list of strings (what Jupyter writes) and one string.
    if isinstance(source, str):
        return [source]
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return list(source)
    raise NotebookError(f"cell {number}: 'source' must be a string or a list of strings")


def _source_offsets(text: str, cells: list[Any]) -> list[list[int]]:
    """Where each string of each cell's ``source`` starts in the text (empty when unknown).

    The ``"source"`` keys are found in order and each value is decoded where it stands and
    checked against the parsed cell, so a ``"source"`` key elsewhere (in metadata or outputs) is
    passed over; cheaper than decoding the whole file again with positions."""
    decoder = json.JSONDecoder()
    keys = _source_keys(text)
    out: list[list[int]] = []
    for cell in cells:
        source = cell.get("source") if isinstance(cell, dict) else None
        found: list[int] = []
        if isinstance(source, (str, list)):
            for key_end in keys:
                start = _skip_space(text, key_end)
                try:
                    value, _ = decoder.raw_decode(text, start)
                except ValueError:
                    continue
                if value == source:
                    found = _string_starts(text, start)
                    break
        out.append(found)
    return out


def _source_keys(text: str) -> Iterator[int]:
    """Offsets just after each ``"source":`` key (str.find: far faster than a regex here)."""
    pos = text.find('"source"')
    while pos != -1:
        after = _skip_space(text, pos + 8)
        # Inside a string the quote would be escaped; a key is followed by a colon.
        if text[pos - 1 : pos] != "\\" and text[after : after + 1] == ":":
            yield after + 1
        pos = text.find('"source"', pos + 8)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _string_starts(text: str, pos: int) -> list[int]:
    """Offsets of the string (or of each string of the array) starting at ``pos``."""
    if text[pos] == '"':
        return [pos]
    starts = []
    pos = _skip_space(text, pos + 1)
    while pos < len(text) and text[pos] == '"':
        starts.append(pos)
        _, end = json.decoder.scanstring(text, pos + 1)
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
    return starts


def _lines_with_file_lines(
    parts: list[str], offsets: list[int], newlines: list[int]
) -> list[tuple[str, int]]:
    """The cell's source lines, each with the .ipynb line where it starts (0 when unknown)."""
    if len(offsets) != len(parts):
        offsets = []
    lines: list[tuple[str, int]] = []
    pending = ""
    pending_line = 0
    for index, part in enumerate(parts):
        file_line = bisect.bisect_right(newlines, offsets[index]) + 1 if offsets else 0
        pieces = part.split("\n")
        for number, piece in enumerate(pieces):
            if number == 0:
                if not pending:
                    pending_line = file_line
                pending += piece
            else:
                lines.append((pending, pending_line))
                pending, pending_line = piece, file_line
    if pending:
        lines.append((pending, pending_line))
    return [(line.rstrip("\r"), file_line) for line, file_line in lines]


def read_notebook(data: bytes, path: str) -> Notebook:
    """Read and convert one notebook; raise :class:`NotebookError` when it cannot be read."""
    doc, text = _decode(data)
    if not isinstance(doc, dict):
        raise NotebookError("not a Jupyter notebook: the top level is not a JSON object")
    nbformat = doc.get("nbformat")
    if "worksheets" in doc or (isinstance(nbformat, int) and nbformat < 4):
        raise NotebookError(
            f"nbformat {nbformat if isinstance(nbformat, int) else 3} notebook (with 'worksheets'): "
            "only nbformat 4 is read; convert it with "
            "`jupyter nbconvert --to notebook --nbformat 4`"
        )
    cells = doc.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not an nbformat 4 notebook: no 'cells' list")
    info = NotebookInfo(
        language=_language(doc), nbformat=nbformat if isinstance(nbformat, int) else 4
    )
    notebook = Notebook("", info)
    if info.language not in PYTHON_LANGUAGES:
        notebook.skip_reason = f"the notebook's kernel language is {info.language!r}, not Python"
        return notebook
    newlines = [match.start() for match in _NEWLINE.finditer(text)]
    offsets = _source_offsets(text, cells)
    directory = posixpath.dirname(path)
    out: list[str] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {number} is not a JSON object")
        kind = cell.get("cell_type")
        count = cell.get("execution_count")
        entry = CellInfo(
            number=number,
            kind=kind if isinstance(kind, str) else "?",
            execution_count=count
            if isinstance(count, int) and not isinstance(count, bool)
            else None,
        )
        info.cells.append(entry)
        if entry.kind != "code":
            continue
        lines = _lines_with_file_lines(_source_parts(cell, number), offsets[number - 1], newlines)
        notebook.cell_lines[number] = [line for line, _ in lines]
        entry.file_line = next((fl for _, fl in lines if fl), 0)
        if not lines:
            continue
        entry.first_line = len(out) + 1
        entry.lines = len(lines)
        converted = _convert_cell(number, [line for line, _ in lines], entry.first_line, directory)
        entry.has_code = converted.has_code
        info.commands.extend(converted.commands)
        for index, ((_, file_line), (new_line, shift)) in enumerate(
            zip(lines, converted.lines, strict=True), start=1
        ):
            out.append(new_line)
            info.line_map.append((number, index, file_line, shift))
    notebook.source = "".join(line + "\n" for line in out)
    if len(notebook.source) > MAX_CODE_CHARS:
        notebook.source = ""
        notebook.skip_reason = f"its code cells hold more than {MAX_CODE_CHARS} characters of code"
    return notebook


def cell_source_lines(data: bytes) -> dict[int, list[str]]:
    """The original source lines of every code cell, by cell number; {} if it cannot be read."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return {}
    cells = doc.get("cells") if isinstance(doc, dict) else None
    out: dict[int, list[str]] = {}
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            try:
                parts = _source_parts(cell, number)
            except NotebookError:
                continue
            out[number] = [line for line, _ in _lines_with_file_lines(parts, [], [])]
    return out


# -- IPython syntax ----------------------------------------------------------------------------------
@dataclass
class _Converted:
    lines: list[tuple[str, int]]  # new line, columns removed from its start
    commands: list[NotebookCommand]
    has_code: bool


@dataclass
class _LexState:
    """Where a line starts: inside a string (its delimiter), inside brackets, after a backslash."""

    quote: str | None = None
    depth: int = 0
    continued: bool = False

    @property
    def at_statement(self) -> bool:
        return self.quote is None and self.depth == 0 and not self.continued


def _scan(line: str, state: _LexState) -> int:
    """Advance ``state`` over one line of Python; return where its code ends (a comment starts)."""
    quote, depth = state.quote, state.depth
    i, n = 0, len(line)
    code_end = n
    state.continued = False
    while i < n:
        char = line[i]
        if quote is not None:
            if char == "\\":
                if i == n - 1:
                    state.continued = True
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            i += 1
            continue
        if char == "#":
            code_end = i
            break
        if char in "\"'":
            quote = char * 3 if line.startswith(char * 3, i) else char
            i += len(quote)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "\\" and i == n - 1:
            state.continued = True
        i += 1
    if quote is not None and len(quote) == 1 and not state.continued:
        quote = None  # an unterminated one-line string; let the parser report it
    state.quote, state.depth = quote, depth
    return code_end


def _comment(indent: str, original: str) -> str:
    return f"{indent}pass  # {original.strip()}"


def _convert_cell(number: int, lines: list[str], first_line: int, directory: str) -> _Converted:
    result = _Converted([], [], False)
    # IPython removes the indentation of a cell whose first line is indented.
    first = next((line for line in lines if line.strip()), "")
    dedent = first[: len(first) - len(first.lstrip())]
    cell_magic = None
    first_index = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if first.lstrip().startswith("%%"):
        match = _MAGIC_NAME.match(first.lstrip())
        cell_magic = match.group(1) if match else ""
    state = _LexState()
    for index, raw in enumerate(lines):
        line_no = first_line + index
        shift = len(dedent) if dedent and raw.startswith(dedent) else 0
        line = raw[shift:]
        if cell_magic is not None and (
            index <= first_index or cell_magic not in PYTHON_CELL_MAGICS
        ):
            result.lines.append((f"# {raw.strip()}" if raw.strip() else "", 0))
            if index > first_index and cell_magic in SHELL_CELL_MAGICS and raw.strip():
                result.commands.append(
                    NotebookCommand("shell", raw.strip(), (line_no, 1, line_no, len(raw) + 1))
                )
            continue
        if not state.at_statement:
            _scan(line, state)
            result.lines.append((line, shift))
            result.has_code = True
            continue
        new, extra, command = _convert_line(line, line_no, directory)
        if command is not None:
            result.commands.append(command)
        code_end = _scan(new, state)
        # A line left as it was (or a statement kept after `%time`) is Python the cell runs.
        if (new is line or extra) and new[:code_end].strip():
            result.has_code = True
        result.lines.append((new, shift + extra))
    return result


def _convert_line(
    line: str, line_no: int, directory: str
) -> tuple[str, int, NotebookCommand | None]:
    """One line that starts a statement: (new line, columns removed, command fact)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if not stripped or stripped.startswith("#"):
        return line, 0, None
    span = (line_no, len(indent) + 1, line_no, len(line) + 1)
    assigned = _ASSIGNED.match(stripped)
    if assigned and not stripped.startswith(("!", "%")):
        # `files = !ls`, `out = %sx ls`: IPython syntax on the right of an assignment.
        return _comment(indent, line), 0, _shell_command(assigned.group(2), span)
    if stripped.startswith("!"):
        return _comment(indent, line), 0, _shell_command(stripped, span)
    if stripped.startswith("%"):
        return _line_magic(line, indent, stripped, span, directory)
    if stripped[0] in "?/,;":
        return _comment(indent, line), 0, None
    state = _LexState()
    code_end = _scan(stripped, state)
    if stripped[:code_end].rstrip().endswith("?"):
        return _comment(indent, line), 0, None  # help: `obj?`, `obj??`, `np.*load*?`
    return line, 0, None


def _line_magic(
    line: str, indent: str, stripped: str, span: tuple[int, int, int, int], directory: str
) -> tuple[str, int, NotebookCommand | None]:
    match = _MAGIC_NAME.match(stripped)
    name = match.group(1) if match else ""
    rest = stripped[match.end() :].strip() if match else ""
    if name in STATEMENT_MAGICS and rest and not rest.startswith("-"):
        # `%time model.fit(X, y)` runs `model.fit(X, y)`: keep it, shifted to the indentation.
        start = line.index(rest, len(indent) + 1)
        return indent + line[start:], start - len(indent), None
    if name == "run" and rest:
        return _comment(indent, line), 0, _run_command(rest, span, directory)
    if name in ("sx", "system") and rest:
        return _comment(indent, line), 0, NotebookCommand("shell", rest, span)
    return _comment(indent, line), 0, None


def _shell_command(text: str, span: tuple[int, int, int, int]) -> NotebookCommand | None:
    text = text.strip()
    if text.startswith("!"):
        return NotebookCommand("shell", text.lstrip("!").strip(), span)
    match = _MAGIC_NAME.match(text)
    if match and match.group(1) in ("sx", "system"):
        return NotebookCommand("shell", text[match.end() :].strip(), span)
    return None


def _run_command(
    rest: str, span: tuple[int, int, int, int], directory: str
) -> NotebookCommand | None:
    try:
        words = shlex.split(rest, comments=True)
    except ValueError:
        words = rest.split()
    for index, word in enumerate(words):
        if word == "-m" and index + 1 < len(words):
            return NotebookCommand("run", f"%run {rest}", span, target=f"-m {words[index + 1]}")
        if not word.startswith("-"):
            target = posixpath.normpath(posixpath.join(directory, word))
            return NotebookCommand("run", f"%run {rest}", span, target=target)
    return None


# -- commands that run notebooks ------------------------------------------------------------------------
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_PYTHONS = re.compile(r"^python(\d(\.\d+)?)?$")


def notebook_invocation(command: str) -> tuple[str, str | None] | None:
    """Whether a shell command runs a notebook or converts one to run it: ``(how, notebook)``.

    Found: ``papermill in.ipynb out.ipynb``, ``jupyter nbconvert --execute x.ipynb``,
    ``jupyter nbconvert --to script x.ipynb`` (converted to be run as a script), ``jupyter
    execute x.ipynb``, ``ipython x.ipynb``, ``runipy x.ipynb``, and the ``python -m`` forms. Not
    found: conversions for reading (``--to html``/``markdown``/``pdf``/``slides``), ``jupyter lab``.
    """
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    segment: list[str] = []
    for word in [*words, ";"]:
        if word not in _SEPARATORS:
            segment.append(word)
            continue
        found = _segment_invocation(segment)
        if found is not None:
            return found
        segment = []
    return None


def _segment_invocation(words: list[str]) -> tuple[str, str | None] | None:
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]  # VAR=value prefixes
    if not words:
        return None
    head = posixpath.basename(words[0])
    args = words[1:]
    if _PYTHONS.match(head) and len(args) >= 2 and args[0] == "-m":
        head, args = args[1], args[2:]
    notebook = next((w for w in args if w.endswith(".ipynb")), None)
    if head == "papermill":
        return "papermill", notebook
    if head in ("runipy", "ipython") and notebook is not None:
        return head, notebook
    if head == "jupyter" and args:
        head, args = f"jupyter-{args[0]}", args[1:]
    if head == "jupyter-execute":
        return "jupyter execute", notebook
    if head in ("jupyter-nbconvert", "nbconvert"):
        if "--execute" in args:
            return "jupyter nbconvert --execute", notebook
        targets = {a.split("=", 1)[1] for a in args if a.startswith("--to=")}
        targets.update(b for a, b in itertools.pairwise(args) if a == "--to")
        if targets & {"script", "python"}:
            return "jupyter nbconvert --to script", notebook
    return None
