"""Plain-data facts about Jupyter notebooks, and about code that runs or imports notebooks.

A notebook is analysed as one module: its code cells joined in order (see :mod:`debtlint.notebook`).
Spans in a notebook's facts are in that joined module's coordinates; :meth:`NotebookInfo.location`
turns them into what a reader can find: the cell, the line inside the cell and the column, plus the
line of the ``.ipynb`` file that holds that source line (for formats that can only point at file
lines, such as SARIF).

Everything is made of str/int/list/None so that it caches as JSON like the rest of ``FileFacts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from debtlint.findings import Location

Span = tuple[int, int, int, int]  # 1-based line, col, end_line, end_col (same as facts.model.Span)


@dataclass
class CellInfo:
    """One cell of a notebook. ``number`` is 1-based and counts every cell (markdown and raw
    cells too), so "cell 7" is the seventh cell a reader sees and ``cells[6]`` in the JSON."""

    number: int
    kind: str  # "code", "markdown", "raw"
    execution_count: int | None = None
    first_line: int = 0  # line of the joined module where the cell starts; 0: no lines
    lines: int = 0
    has_code: bool = False  # Python other than blank lines, comments and IPython syntax
    file_line: int = 0  # line of the .ipynb file where the cell's source starts; 0: unknown


@dataclass
class NotebookCommand:
    """IPython syntax that was neutralised but matters: ``%run`` and shell commands."""

    kind: str  # "run" (%run), "shell" (!cmd, %sx, %system, %%bash bodies)
    text: str
    span: Span
    target: str | None = None  # %run: the project-relative path (or "-m module")


@dataclass
class NotebookInfo:
    language: str
    nbformat: int
    cells: list[CellInfo] = field(default_factory=list)
    # Per line of the joined module (index = line - 1): cell number, line inside the cell, line
    # of the .ipynb file (0 when unknown), columns removed from the start of the line (a `%time`
    # prefix, a dedented cell) that must be added back.
    line_map: list[tuple[int, int, int, int]] = field(default_factory=list)
    commands: list[NotebookCommand] = field(default_factory=list)

    def _entry(self, line: int) -> tuple[int, int, int, int] | None:
        if not self.line_map:
            return None
        index = min(max(line, 1), len(self.line_map)) - 1
        return self.line_map[index]

    def location(self, path: str, span: Span) -> Location:
        """Where a span of the joined module is in the notebook."""
        line, col, end_line, end_col = span
        start = self._entry(line)
        if start is None:
            return Location(path, line, col, end_line, end_col)
        cell, cell_line, file_line, offset = start
        end = self._entry(end_line)
        if end is None or end[0] != cell:
            # A span never crosses cells in valid code; clamp rather than point into another.
            cell_end_line, cell_end_col = cell_line, col + offset
        else:
            cell_end_line, cell_end_col = end[1], end_col + end[3]
        return Location(
            path,
            cell_line,
            col + offset,
            cell_end_line,
            cell_end_col,
            cell=cell,
            file_line=file_line or None,
        )

    def module_line(self, cell: int, line: int) -> int:
        """The line of the joined module that is ``line`` of ``cell`` (the inverse of the map)."""
        if 1 <= cell <= len(self.cells) and self.cells[cell - 1].first_line:
            return self.cells[cell - 1].first_line + line - 1
        return line

    def cell_start(self, path: str, cell: CellInfo) -> Location:
        """The first line of a cell (for findings about a whole cell)."""
        return Location(path, 1, 1, cell=cell.number, file_line=cell.file_line or None)


@dataclass
class NotebookRun:
    """A place where code runs, converts or imports a notebook: the prototype-in-pipeline smell.

    ``how`` names the mechanism (``papermill``, ``jupyter nbconvert --execute``, ``%run``,
    ``import``, ``nbclient.NotebookClient``); ``notebook`` is the notebook's path as written (None
    when it is not a literal); ``module`` is set for imports.
    """

    how: str
    span: Span
    notebook: str | None = None
    module: str | None = None
