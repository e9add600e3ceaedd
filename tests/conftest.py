from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from debtlint.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """CLI scans cache their per-file results; keep that cache out of the repository's fixtures
    and out of other tests (tests of the default location delete the variable)."""
    monkeypatch.setenv("DEBTLINT_CACHE_DIR", str(tmp_path_factory.mktemp("debtlint-cache")))


@pytest.fixture
def run_cli():
    """Invoke the CLI in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def fixture_copy(tmp_path):
    """A private copy of a fixture project, so a test may edit it."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
