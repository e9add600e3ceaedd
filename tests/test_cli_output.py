"""Terminal manners of `debtlint scan`: --quiet, --statistics, --color and NO_COLOR."""

from __future__ import annotations

import json

import pytest

from debtlint.report.style import use_color
from tests.conftest import FIXTURES

ESC = "\x1b["


def test_quiet_prints_nothing_when_the_gate_passes(run_cli):
    code, out, err = run_cli("scan", FIXTURES / "torch_project", "-q")
    assert (code, out, err) == (0, "", "")


def test_quiet_prints_the_report_when_the_gate_fails(run_cli):
    code, out, _ = run_cli("scan", FIXTURES / "kaggle_script", "-q", "--output-format", "concise")
    assert code == 1
    assert "train.py:55:12: DL101 [error]" in out


def test_statistics_counts_per_code(run_cli):
    code, out, _ = run_cli(
        "scan", FIXTURES / "kaggle_script", "--statistics", "--select", "DL1,DL2"
    )
    lines = out.splitlines()
    rows = [line.split("\t") for line in lines[:-1]]
    counts = [int(row[0]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    assert ["2", "DL101", "unowned-model"] in [row[:3] for row in rows]
    assert lines[-1].startswith("Maintainability score:")
    assert code == 1  # statistics do not change the gate


def test_statistics_as_json(run_cli):
    _, out, _ = run_cli(
        "scan", FIXTURES / "kaggle_script", "--statistics", "--output-format", "json"
    )
    rows = json.loads(out)
    assert {"code": "DL101", "name": "unowned-model", "count": 2, "new": 2} in rows


@pytest.mark.parametrize("fmt", ["full", "concise", "grouped"])
def test_color_always_colours_human_formats(fmt, run_cli):
    _, out, _ = run_cli(
        "scan", FIXTURES / "kaggle_script", "--color", "always", "--output-format", fmt
    )
    assert f"{ESC}1;31merror{ESC}0m" in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_formats_are_never_coloured(fmt, run_cli):
    _, out, _ = run_cli(
        "scan", FIXTURES / "kaggle_script", "--color", "always", "--output-format", fmt
    )
    assert ESC not in out


def test_no_colour_when_not_a_terminal_or_never(run_cli):
    for choice in ("auto", "never"):
        _, out, _ = run_cli("scan", FIXTURES / "kaggle_script", "--color", choice)
        assert ESC not in out


def test_auto_colour_rules():
    assert use_color("auto", True, {}) is True
    assert use_color("auto", False, {}) is False
    assert use_color("auto", True, {"NO_COLOR": "1"}) is False
    assert use_color("auto", True, {"NO_COLOR": ""}) is True  # no-color.org: set and non-empty
    assert use_color("auto", True, {"TERM": "dumb"}) is False
    assert use_color("always", False, {"NO_COLOR": "1"}) is True  # an explicit flag wins
    assert use_color("never", True, {}) is False
