"""A progress bar for long scans, on standard error and only when it is a terminal.

Standard output carries nothing but the requested report, and a log file or a CI console gets no
carriage-return noise: the bar exists only for a person watching a terminal. It appears only once
a scan has run for :data:`SHOW_AFTER_S` (short scans never flicker) and is erased when done.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import TextIO

SHOW_AFTER_S = 0.5
REDRAW_EVERY_S = 0.1
BAR_WIDTH = 24


class ProgressBar:
    """``bar(done, total)`` is the ``progress`` callback of :func:`debtlint.engine.scan`."""

    def __init__(
        self,
        stream: TextIO,
        label: str = "analysing",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.clock = clock
        self.started = clock()
        self.drawn_at: float | None = None
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < SHOW_AFTER_S:
            return
        if self.drawn_at is not None and now - self.drawn_at < REDRAW_EVERY_S and done < total:
            return
        self.drawn_at = now
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        text = f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} files"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        """Erase the bar, leaving the line as it was."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def wanted(stream: TextIO, quiet: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to show a bar on ``stream``: a real terminal (not ``TERM=dumb``), and not ``-q``."""
    if quiet or environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
