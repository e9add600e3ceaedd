"""The wheel: built non-editably from this checkout, installed into a bare --target directory and run
from outside the repository, so nothing can come from the source tree.

The built-in rule pack lives in rules/ in the repository and must ship as debtlint/_builtin_rules
(pyproject.toml force-include), found by debtlint.loader.builtin_rules_dir(); the knowledge tables
are package data of debtlint/knowledge.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KAGGLE = ROOT / "fixtures" / "kaggle_script"


def _version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    assert match, "no version in pyproject.toml"
    return match.group(1)


def _pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling is needed to build the wheel")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        env=_pip_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("debtlint-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("installed") / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        env=_pip_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """An empty working directory outside the repository."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    assert ROOT not in cwd.resolve().parents
    return cwd


def _run_installed(
    site: Path, cwd: Path, *args: str, executable: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run with the --target directory first on sys.path, so it wins over an editable install of
    the checkout; the dependencies (libcst, click, ...) come from the test interpreter."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONHOME", None)
    command = [executable, *args] if executable else [sys.executable, *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def test_wheel_ships_rules_and_knowledge_inside_the_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(
            zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")
        )

    assert "debtlint/_builtin_rules/dl1/unowned_model.py" in names
    assert "debtlint/knowledge/pandas.yaml" in names
    assert "debtlint/loader.py" in names
    # The pack never becomes an importable top-level `rules` package, and the repository's tests
    # and fixtures stay out of the wheel.
    assert not [n for n in names if n.startswith(("rules/", "tests/", "fixtures/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]

    # Every rule file and every knowledge table of the checkout is shipped.
    rule_files = {
        "debtlint/_builtin_rules/" + p.relative_to(ROOT / "rules").as_posix()
        for p in (ROOT / "rules").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert rule_files and rule_files <= names, sorted(rule_files - names)
    tables = {
        "debtlint/knowledge/" + p.name for p in (ROOT / "debtlint" / "knowledge").glob("*.yaml")
    }
    assert tables and tables <= names, sorted(tables - names)

    assert re.search(r"^debtlint\s*=\s*debtlint\.cli:main\s*$", entry_points, re.MULTILINE)


def test_installed_package_and_rules_come_from_the_wheel(site: Path, outside: Path) -> None:
    proc = _run_installed(
        site,
        outside,
        "-c",
        "import debtlint, debtlint.loader as l; print(debtlint.__file__); "
        "print(l.builtin_rules_dir())",
    )
    assert proc.returncode == 0, proc.stderr
    module_file, rules_dir = (Path(line).resolve() for line in proc.stdout.splitlines())
    site = site.resolve()
    assert module_file == site / "debtlint" / "__init__.py"
    assert rules_dir == site / "debtlint" / "_builtin_rules"
    assert (rules_dir / "dl1" / "unowned_model.py").is_file()


def test_installed_rule_documentation(site: Path, outside: Path) -> None:
    proc = _run_installed(site, outside, "-m", "debtlint", "rule", "DL101")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# DL101 unowned-model")
    assert "## What it does" in proc.stdout
    assert "complexity-threshold" in proc.stdout

    listing = _run_installed(
        site, outside, "-m", "debtlint", "rule", "--all", "--output-format", "json"
    )
    assert listing.returncode == 0, listing.stderr
    codes = {rule["code"] for rule in json.loads(listing.stdout)}
    assert {"DL000", "DL001", "DL101", "DL201", "DL401"} <= codes


def test_installed_scan_of_the_kaggle_fixture(site: Path, outside: Path, tmp_path: Path) -> None:
    project = tmp_path / "kaggle_script"
    shutil.copytree(KAGGLE, project)

    proc = _run_installed(
        site, outside, "-m", "debtlint", "scan", str(project), "--output-format", "json"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["tool"] == {"name": "debtlint", "version": _version()}
    errors = [f for f in report["findings"] if f["code"] == "DL101" and f["severity"] == "error"]
    assert [f["path"] for f in errors] == ["train.py"]
    assert "StackingClassifier" in errors[0]["message"]
    # The installed wheel found its knowledge tables: the pandas reads are resolved too.
    assert any(f["code"] == "DL201" for f in report["findings"])

    # Same result as the checkout itself: nothing the source tree provides is missing from the
    # wheel. (The wheel is built once per module: editing debtlint/ or rules/ while this module
    # runs makes the two legitimately differ.)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    reference = subprocess.run(
        [sys.executable, "-m", "debtlint", "scan", str(project), "--output-format", "json"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert reference.returncode == 1, reference.stdout + reference.stderr
    expected = json.loads(reference.stdout)

    def summary(r: dict) -> list[str]:
        return [f"{f['path']}:{f['line']}: {f['code']} [{f['severity']}]" for f in r["findings"]]

    assert summary(report) == summary(expected)
    assert report == expected


def test_installed_version(site: Path, outside: Path) -> None:
    proc = _run_installed(site, outside, "-m", "debtlint", "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"debtlint, version {_version()}"

    # The console script pip generated from the wheel's entry point.
    script = site / "bin" / "debtlint"
    if not script.exists():  # Windows
        script = site / "Scripts" / "debtlint.exe"
    assert script.exists()
    proc = _run_installed(site, outside, "--version", executable=str(script))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"debtlint, version {_version()}"
