"""The progress bar: on standard error, only on a terminal, only for scans that take a while."""

from __future__ import annotations

import io

from debtlint.config import load_settings
from debtlint.engine import scan
from debtlint.progress import SHOW_AFTER_S, ProgressBar, wanted
from tests.conftest import write_tree


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bar_waits_then_draws_then_erases_itself():
    stream, clock = Terminal(), Clock()
    bar = ProgressBar(stream, "analysing", clock=clock)
    bar(1, 10)
    assert stream.getvalue() == ""  # a quick scan never shows a bar
    clock.now += SHOW_AFTER_S
    bar(5, 10)
    assert stream.getvalue() == "\ranalysing [############............] 5/10 files"
    bar(6, 10)  # too soon to redraw
    assert "6/10" not in stream.getvalue()
    bar(10, 10)  # the last one is always drawn
    assert stream.getvalue().endswith("10/10 files")
    bar.close()
    assert stream.getvalue().endswith(
        "\r" + " " * len("analysing [" + "#" * 24 + "] 10/10 files") + "\r"
    )


def test_bar_is_wanted_only_on_a_terminal():
    assert wanted(Terminal(), quiet=False, environ={}) is True
    assert wanted(io.StringIO(), quiet=False, environ={}) is False
    assert wanted(Terminal(), quiet=True, environ={}) is False
    assert wanted(Terminal(), quiet=False, environ={"TERM": "dumb"}) is False


def test_scan_reports_progress_per_file(tmp_path):
    write_tree(tmp_path, {f"m{i}.py": f"x = {i}\n" for i in range(5)})
    seen: list[tuple[int, int]] = []
    scan(load_settings(tmp_path), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path, run_cli):
    write_tree(tmp_path, {f"m{i}.py": f"x = {i}\n" for i in range(5)})
    code, out, err = run_cli("scan", tmp_path, "--output-format", "json")
    assert code == 0 and "\r" not in err and "\r" not in out
