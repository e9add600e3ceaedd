"""Determinism: the same input gives byte-identical JSON and SARIF whatever the hash seed, the
number of worker processes, and whether the cache is cold, warm or off.

Each run is a separate ``python -m debtlint`` process, because the hash seed is fixed at
interpreter start-up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO


def _project(tmp_path: Path) -> Path:
    """Several fixture projects side by side under one root: enough files (> 16) that ``-j 2``
    really starts workers, and notebooks, DVC, Kedro, Hydra and an unparsable file among them."""
    root = tmp_path / "proj"
    for name in ("kaggle_script", "notebook_project", "kedro_project", "lightning_hydra"):
        shutil.copytree(FIXTURES / name, root / name, ignore=shutil.ignore_patterns("expected*"))
        for config in (root / name).glob("debtlint.yaml"):
            config.rename(config.with_name("debtlint.fixture.yaml"))
        for config in (root / name).glob("pyproject.toml"):
            config.unlink()
    (root / "broken.py").write_text("def f(:\n")
    (root / "debtlint.yaml").write_text("select: [ALL]\n")
    return root


def _run(root: Path, seed: str, *args: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "debtlint", "scan", str(root), "--exit-zero", *args],
        capture_output=True,
        env=env,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_is_byte_identical_across_seeds_jobs_and_cache(tmp_path, fmt):
    root = _project(tmp_path)
    cache = tmp_path / "cache"
    runs = {
        "seed 0, -j 1, no cache": _run(root, "0", "--output-format", fmt, "-j", "1", "--no-cache"),
        "seed 1, -j 2, cold cache": _run(
            root, "1", "--output-format", fmt, "-j", "2", "--cache-dir", str(cache)
        ),
        "seed 2, -j 2, warm cache": _run(
            root, "2", "--output-format", fmt, "-j", "2", "--cache-dir", str(cache)
        ),
        "seed 4242, -j 1, warm cache": _run(
            root, "4242", "--output-format", fmt, "-j", "1", "--cache-dir", str(cache)
        ),
        "random seed, -j 2, no cache": _run(
            root, "random", "--output-format", fmt, "-j", "2", "--no-cache"
        ),
    }
    reference = runs["seed 0, -j 1, no cache"]
    assert b'"DL001"' in reference or b"DL001" in reference  # the broken file is in there
    different = [name for name, out in runs.items() if out != reference]
    assert different == []
