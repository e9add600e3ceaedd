"""Robustness sweep: run debtlint over large real code and report what happened.

Targets are the standard library of the running interpreter and big packages from PyPI
(downloaded with ``pip download --no-deps`` into a temporary folder outside the repository and
unpacked there; nothing is installed or kept). Each scan runs as its own process, so even a crash
of the interpreter (a segmentation fault in a native parser) is counted rather than ending the
sweep. What must hold: 0 internal errors (``DL000``) and 0 crashed processes.

    python bench/sweep.py                                  # stdlib + the default packages
    python bench/sweep.py --target stdlib --target pandas  # a selection
    python bench/sweep.py --jobs 2 --json sweep.json       # also write the figures as JSON

Packages come as wheels where one exists (the installed form of the sources, which is what users'
code imports), else as an sdist.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PACKAGES = ("scikit-learn", "pandas", "transformers", "torch")
# The scan's own limits stay at their defaults except the file size: generated modules of a few
# MB are exactly what a sweep should exercise.
SWEEP_CONFIG = "select: [ALL]\nmax-file-size: 10000000\n"


@dataclass
class Outcome:
    target: str
    version: str = ""
    files_scanned: int = 0
    files_skipped: int = 0
    findings: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    internal_errors: int = 0
    internal_error_messages: list[str] = field(default_factory=list)
    parse_failures: int = 0
    seconds: float = 0.0
    exit_code: int | None = None
    problem: str = ""  # why the target could not be swept, or how the process died


def fetch_package(name: str, into: Path) -> tuple[Path, str]:
    """Download ``name`` without dependencies and unpack it; returns (folder, version)."""
    download = into / "download"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(download)]
    done = subprocess.run(
        [*command, "--only-binary=:all:", name], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        done = subprocess.run([*command, "--no-binary=:all:", name], capture_output=True, text=True)
    archives = sorted(download.glob("*")) if download.is_dir() else []
    if done.returncode != 0 or not archives:
        raise RuntimeError(f"pip download {name} failed: {done.stderr.strip()[-300:]}")
    archive = archives[0]
    target = into / "src"
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(target)
    else:
        with tarfile.open(archive) as sdist:
            sdist.extractall(target, filter="data")
    version = archive.name.split("-")[1] if archive.name.count("-") >= 2 else "?"
    return target, version


def run_debtlint(folder: Path, jobs: int | None, workdir: Path) -> tuple[dict | None, Outcome]:
    """One scan of ``folder`` with the sweep configuration; the report goes to a file outside it."""
    config = workdir / "sweep.debtlint.yaml"
    config.write_text(SWEEP_CONFIG)
    report = workdir / "report.json"
    command = [
        sys.executable,
        "-m",
        "debtlint",
        "scan",
        str(folder),
        "--config",
        str(config),
        "--output-format",
        "json",
        "-o",
        str(report),
        "--no-cache",
        "--exit-zero",
    ]
    if jobs is not None:
        command += ["-j", str(jobs)]
    env_path = str(REPO)
    start = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**_environ(), "PYTHONPATH": env_path},
        cwd=workdir,
        check=False,
    )
    outcome = Outcome(target=str(folder), seconds=round(time.perf_counter() - start, 1))
    outcome.exit_code = done.returncode
    if done.returncode < 0 or not report.is_file():
        outcome.problem = f"debtlint exited {done.returncode}: {done.stderr.strip()[-500:]}"
        return None, outcome
    return json.loads(report.read_text(encoding="utf-8")), outcome


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def summarise(doc: dict, outcome: Outcome) -> Outcome:
    summary = doc["summary"]
    outcome.files_scanned = summary["files_scanned"]
    outcome.files_skipped = summary.get("files_skipped", 0)
    outcome.findings = len(doc["findings"])
    outcome.by_code = dict(sorted(Counter(f["code"] for f in doc["findings"]).items()))
    errors = [f for f in doc["findings"] if f["code"] == "DL000"]
    outcome.internal_errors = len(errors)
    outcome.internal_error_messages = [f"{f['path']}: {f['message']}" for f in errors][:20]
    outcome.parse_failures = outcome.by_code.get("DL001", 0)
    return outcome


def sweep(target: str, jobs: int | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="debtlint-sweep-") as tmp:
        workdir = Path(tmp)
        if target == "stdlib":
            # A copy: the installed tree may sit inside someone's git checkout (pyenv), whose
            # .gitignore would hide it from discovery.
            folder = workdir / "stdlib"
            shutil.copytree(
                sysconfig.get_paths()["stdlib"],
                folder,
                symlinks=True,
                ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc"),
            )
            version = f"Python {sys.version.split()[0]}"
        else:
            try:
                folder, version = fetch_package(target, workdir)
            except (RuntimeError, OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
                return Outcome(target=target, problem=str(exc))
        doc, outcome = run_debtlint(folder, jobs, workdir)
        outcome.target, outcome.version = target, version
        return summarise(doc, outcome) if doc is not None else outcome


def markdown(outcomes: list[Outcome]) -> str:
    lines = [
        "| target | files scanned | findings | internal errors | parse failures (DL001) "
        "| skipped | time (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        if o.problem and not o.files_scanned:
            lines.append(f"| {o.target} | — | — | — | — | — | {o.problem[:80]} |")
            continue
        lines.append(
            f"| {o.target} {o.version} | {o.files_scanned} | {o.findings} | {o.internal_errors} "
            f"| {o.parse_failures} | {o.files_skipped} | {o.seconds:g} |"
        )
    codes = Counter()
    for o in outcomes:
        codes.update(o.by_code)
    lines.append("")
    lines.append(
        "Findings by code, all targets: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items()))
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target",
        action="append",
        help="stdlib or a PyPI package name (repeatable; default: stdlib and "
        + ", ".join(DEFAULT_PACKAGES)
        + ")",
    )
    parser.add_argument("--jobs", "-j", type=int, default=None, help="debtlint -j")
    parser.add_argument("--json", type=Path, help="also write the outcomes to this JSON file")
    args = parser.parse_args(argv)
    targets = args.target or ["stdlib", *DEFAULT_PACKAGES]
    outcomes = []
    for target in targets:
        print(f"sweeping {target} ...", file=sys.stderr, flush=True)
        outcome = sweep(target, args.jobs)
        outcomes.append(outcome)
        for message in outcome.internal_error_messages:
            print(f"  internal error: {message}", file=sys.stderr)
        if outcome.problem:
            print(f"  problem: {outcome.problem}", file=sys.stderr)
    print(markdown(outcomes))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
    crashed = any(
        o.internal_errors or (o.exit_code is not None and o.exit_code < 0) for o in outcomes
    )
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
