"""Benchmark debtlint against its floor and its peers on real code downloaded from PyPI.

One invocation prepares the corpora (wheels of pinned packages, unpacked into a work folder outside
the repository), then runs, for each repetition and each corpus, every tool in turn, so that a
change in machine load affects them all alike:

    ast        stdlib ast.parse of every file, one process (the floor)
    libcst     libcst.parse_module of every file, one process
    ruff-cold  ruff check --no-cache           ruff-warm  ruff check, cache primed
    pylint     pylint --recursive=y (medium and small corpora only; slow: --skip-pylint)
    debtlint   cold (empty cache), warm (nothing changed) and one file changed, with -j1 and
               with -jN (all cores)

It prints medians, ratios and the peak memory of each run (the sum over the process and all its
descendants, sampled from /proc: PSS where the kernel provides it, else RSS), then checks the
targets of the performance issue. See bench/README.md.

Usage: python bench/bench.py [--corpus large,medium,small] [--repeat 3] [--skip-pylint]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path(os.environ.get("DEBTLINT_BENCH_DIR", "/tmp/debtlint-bench"))

# name -> (package requirement, folder inside the wheel that holds the code)
CORPORA: dict[str, tuple[str, str]] = {
    "large": ("transformers==5.24.0", "transformers"),
    "medium": ("scikit-learn==1.9.1", "sklearn"),
    "small": ("lightgbm==4.7.0", "lightgbm"),
}
TOOLS_VENV_PACKAGES = ("ruff", "pylint")
SAMPLE_SECONDS = 0.05


# -- corpora -------------------------------------------------------------------------------------


def prepare_corpus(workdir: Path, name: str) -> Path:
    """The unpacked Python files of the corpus's package, downloaded once."""
    requirement, package = CORPORA[name]
    target = workdir / "corpora" / name
    marker = target / ".prepared"
    if marker.is_file() and marker.read_text() == requirement:
        return target
    shutil.rmtree(target, ignore_errors=True)
    downloads = workdir / "downloads" / name
    downloads.mkdir(parents=True, exist_ok=True)
    archive = _download(requirement, downloads)
    target.mkdir(parents=True)
    _unpack_python_files(archive, package, target)
    # Pin the project root (debtlint, ruff and pylint look upwards for configuration).
    (target / "debtlint.yaml").write_text("# benchmark corpus: default settings\n")
    (target / "ruff.toml").write_text("# benchmark corpus: ruff's default rules\n")
    marker.write_text(requirement)
    return target


def _download(requirement: str, folder: Path) -> Path:
    for extra in (["--only-binary", ":all:"], ["--no-binary", ":all:"]):
        found = _archives(folder)
        if found:
            return found[0]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                *extra,
                "-d",
                str(folder),
                requirement,
            ],
            check=False,
        )
    found = _archives(folder)
    if not found:
        raise SystemExit(f"bench: could not download {requirement} from the package index")
    return found[0]


def _archives(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip")))


def _unpack_python_files(archive: Path, package: str, target: Path) -> None:
    """Only ``*.py`` files under the package folder (an sdist's ``src/`` layout included)."""

    def keep(member: str) -> str | None:
        parts = member.split("/")
        if package not in parts or not member.endswith(".py"):
            return None
        return "/".join(parts[parts.index(package) :])

    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                relative = keep(info.filename)
                if relative:
                    out = target / relative
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(zipped.read(info))
    else:
        with tarfile.open(archive) as tarred:
            for member in tarred.getmembers():
                relative = keep(member.name)
                extracted = tarred.extractfile(member) if member.isfile() else None
                if relative and extracted is not None:
                    out = target / relative
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(extracted.read())


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def tools_venv(workdir: Path, skip_pylint: bool) -> Path:
    """A virtual environment with ruff (and pylint), so that the user's own is left alone."""
    venv = workdir / "tools-venv"
    bindir = venv / "bin"
    wanted = [p for p in TOOLS_VENV_PACKAGES if not (skip_pylint and p == "pylint")]
    if not all((bindir / p).exists() for p in wanted):
        if not (bindir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", *wanted], check=True)
    return bindir


# -- parse baselines (run in a child process, like every tool) -----------------------------------


def parse_all(root: Path, parser: str) -> None:
    if parser == "ast":
        for path in python_files(root):
            with contextlib.suppress(SyntaxError, ValueError):
                ast.parse(path.read_bytes())
    else:
        import libcst

        for path in python_files(root):
            with contextlib.suppress(libcst.ParserSyntaxError, RecursionError):
                libcst.parse_module(path.read_bytes())


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mib: float
    exit_code: int


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


def _memory_kib(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}") as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak memory (all descendants together) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            total = sum(_memory_kib(pid) for pid in _descendants(proc.pid))
            peak = max(peak, total)
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        print(f"  ! {' '.join(command[:4])}... exited {proc.returncode}: {stderr[-400:]}")
    # The sampler may miss a short peak; the child's own maximum is a floor.
    peak = max(peak, usage.ru_maxrss)
    return Run(seconds, peak / 1024, proc.returncode)


@contextlib.contextmanager
def one_file_changed(root: Path, counter: int) -> Iterator[Path]:
    """Append a comment to one mid-sized module (a real content change), then restore it."""
    files = python_files(root)
    sized = sorted(files, key=lambda p: (p.stat().st_size, str(p)))
    target = sized[len(sized) * 3 // 4]
    original = target.read_bytes()
    target.write_bytes(original + f"\n# benchmark edit {counter}\n".encode())
    try:
        yield target
    finally:
        target.write_bytes(original)


# -- the benchmark -------------------------------------------------------------------------------


@dataclass
class Results:
    runs: dict[tuple[str, str], list[Run]] = field(default_factory=dict)

    def add(self, corpus: str, tool: str, run: Run) -> None:
        self.runs.setdefault((corpus, tool), []).append(run)
        print(f"  {corpus:<7} {tool:<22} {run.seconds:8.2f} s {run.peak_mib:8.0f} MiB", flush=True)

    def median(self, corpus: str, tool: str) -> float | None:
        runs = self.runs.get((corpus, tool))
        return statistics.median(r.seconds for r in runs) if runs else None

    def peak(self, corpus: str, tool: str) -> float | None:
        runs = self.runs.get((corpus, tool))
        return statistics.median(r.peak_mib for r in runs) if runs else None


def run_benchmark(args: argparse.Namespace) -> Results:
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    corpora = {name: prepare_corpus(workdir, name) for name in args.corpus}
    bindir = tools_venv(workdir, args.skip_pylint)
    jobs = args.jobs or _cores()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DEBTLINT_CACHE_DIR", None)
    results = Results()
    for name, root in corpora.items():
        files = python_files(root)
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        print(f"corpus {name}: {CORPORA[name][0]}, {len(files)} files, {lines} lines, at {root}")
        results.runs[(name, "_size")] = [Run(len(files), lines, 0)]

    debtlint = [
        sys.executable,
        "-m",
        "debtlint",
        "scan",
        ".",
        "--exit-zero",
        "-q",
        "--output-format",
        "json",
        "-o",
        str(workdir / "report.json"),
    ]
    pylint_runs = 0
    for rep in range(args.repeat):
        print(f"repetition {rep + 1}/{args.repeat}")
        for name, root in corpora.items():
            ruff_cache = workdir / "ruff-cache" / name
            cache = root / ".debtlint_cache"

            def tool(label: str, command: list[str]) -> None:
                results.add(name, label, measure(command, root, env))  # noqa: B023

            me = __file__
            tool("ast", [sys.executable, me, "--parse", "ast", str(root)])
            tool("libcst", [sys.executable, me, "--parse", "libcst", str(root)])
            tool(
                "ruff-cold", [str(bindir / "ruff"), "check", "--no-cache", "--exit-zero", "-q", "."]
            )
            ruff_warm = [
                str(bindir / "ruff"),
                "check",
                "--cache-dir",
                str(ruff_cache),
                "--exit-zero",
                "-q",
                ".",
            ]
            subprocess.run(ruff_warm, cwd=root, capture_output=True, check=False)  # prime
            tool("ruff-warm", ruff_warm)
            if not args.skip_pylint and name != "large" and rep < args.pylint_repeat:
                pylint_runs += 1
                tool(
                    "pylint",
                    [
                        str(bindir / "pylint"),
                        "--recursive=y",
                        "--exit-zero",
                        "--output-format=text",
                        "-j",
                        "1",
                        CORPORA[name][1],
                    ],
                )
            for j in (1, jobs):
                shutil.rmtree(cache, ignore_errors=True)
                tool(f"debtlint cold -j{j}", [*debtlint, "-j", str(j)])
                tool(f"debtlint warm -j{j}", [*debtlint, "-j", str(j)])
                with one_file_changed(root, rep):
                    tool(f"debtlint 1 changed -j{j}", [*debtlint, "-j", str(j)])
            shutil.rmtree(cache, ignore_errors=True)
    return results


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# -- report --------------------------------------------------------------------------------------


def report(results: Results, args: argparse.Namespace) -> str:
    jobs = args.jobs or _cores()
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {_cores()} cores, "
        f"{_memory_gib():.0f} GiB, Python {platform.python_version()}, {platform.system()}; "
        f"{time.strftime('%Y-%m-%d')}; {args.repeat} repetitions (pylint: "
        f"{min(args.pylint_repeat, args.repeat) if not args.skip_pylint else 0}).",
        "",
        "| corpus | tool | median s | / libcst parse | / ruff warm | peak MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name in args.corpus:
        size = results.runs.get((name, "_size"))
        label = f"{name} ({int(size[0].seconds)} files, {size[0].peak_mib / 1000:.0f} kLOC)"
        libcst = results.median(name, "libcst")
        ruff = results.median(name, "ruff-warm")
        for (corpus, tool), runs in results.runs.items():
            if corpus != name or tool == "_size":
                continue
            median = statistics.median(r.seconds for r in runs)
            ratio_l = f"{median / libcst:.2f}" if libcst else "-"
            ratio_r = f"{median / ruff:.1f}" if ruff else "-"
            peak = statistics.median(r.peak_mib for r in runs)
            lines.append(
                f"| {label} | {tool} | {median:.2f} | {ratio_l} | {ratio_r} | {peak:.0f} |"
            )
            label = ""
    lines += ["", "Targets:", ""]
    lines += [f"- {line}" for line in targets(results, jobs)]
    return "\n".join(lines) + "\n"


def targets(results: Results, jobs: int) -> list[str]:
    out: list[str] = []

    def check(text: str, value: float | None, limit: float, at_most: bool = True) -> None:
        if value is None:
            out.append(f"{text}: not measured")
            return
        ok = value <= limit if at_most else value >= limit
        bound = "≤" if at_most else "≥"
        out.append(f"{'PASS' if ok else 'FAIL'} {text}: {value:.2f} ({bound} {limit:g})")

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    m = results.median
    cold_n, cold_1 = f"debtlint cold -j{jobs}", "debtlint cold -j1"
    warm_n, changed_n = f"debtlint warm -j{jobs}", f"debtlint 1 changed -j{jobs}"
    check(
        "large: cold, all workers / libcst parse",
        ratio(m("large", cold_n), m("large", "libcst")),
        1.0,
    )
    check("large: warm / ruff warm", ratio(m("large", warm_n), m("large", "ruff-warm")), 3.0)
    check("large: warm / own cold", ratio(m("large", warm_n), m("large", cold_n)), 0.10)
    warm, changed = m("large", warm_n), m("large", changed_n)
    check(
        "large: one file changed minus warm (s)", changed - warm if warm and changed else None, 1.0
    )
    check(
        "medium: pylint / debtlint cold, all workers",
        ratio(m("medium", "pylint"), m("medium", cold_n)),
        20.0,
        at_most=False,
    )
    for name in ("large", "medium"):
        check(
            f"{name}: cold -j1 / cold -j{jobs}",
            ratio(m(name, cold_1), m(name, cold_n)),
            1.7,
            at_most=False,
        )
    check("large: peak memory of cold, all workers (MiB)", results.peak("large", cold_n), 600)
    return out


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo") as handle:
            return int(handle.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=lambda s: [c for c in s.split(",") if c],
        default=list(CORPORA),
        help="comma-separated: large,medium,small",
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument(
        "--pylint-repeat",
        type=int,
        default=1,
        help="repetitions for pylint, which takes minutes (default 1)",
    )
    parser.add_argument("--skip-pylint", action="store_true")
    parser.add_argument("--jobs", type=int, help="debtlint's -jN (default: all cores)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"downloads, corpora, tools (default {DEFAULT_WORKDIR})",
    )
    parser.add_argument("--json", type=Path, help="also write the raw runs to this file")
    parser.add_argument("--parse", nargs=2, metavar=("PARSER", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parse:
        parse_all(Path(args.parse[1]), args.parse[0])
        return 0
    unknown = [c for c in args.corpus if c not in CORPORA]
    if unknown:
        parser.error(f"unknown corpus {unknown}; choose from {', '.join(CORPORA)}")
    if REPO in args.workdir.resolve().parents or args.workdir.resolve() == REPO:
        parser.error("--workdir must be outside the repository (corpora are never committed)")
    results = run_benchmark(args)
    text = report(results, args)
    print()
    print(text)
    if args.json:
        raw = {f"{c}|{t}": [r.__dict__ for r in runs] for (c, t), runs in results.runs.items()}
        args.json.write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
