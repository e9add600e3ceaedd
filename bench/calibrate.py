"""Does the score separate engineered ML projects from the others better than size does?

Scans checkouts of the NICHE calibration projects (Widyasari et al., MSR 2023; the labelled list is
``../shared/calibration/niche-calibration.tsv``) and reports the ROC AUC of the maintainability
score for "engineered" vs "not engineered", with a bootstrap 95 % confidence interval, beside the
AUCs of the size baselines in the same table (stars, commits, lines of code).

    python bench/calibrate.py /tmp/niche                  # checkouts in /tmp/niche/<owner>__<name>/
    python bench/calibrate.py /tmp/niche --variants       # also the alternative designs tried
    python bench/calibrate.py /tmp/niche --results r.jsonl --output report.json

Each project is scanned by ``python -m debtlint scan <checkout> --output-format json --no-cache
--exit-zero`` in a subprocess with a timeout, so nothing is written into the checkouts. With
``--results FILE`` the score objects are kept (one JSON line per project) and reused by the next run
unless ``--rescan`` is given. The checkouts live outside this repository: never commit them.

AUC is the Mann-Whitney statistic (ties count one half); the interval is a stratified percentile
bootstrap (positives and negatives resampled separately, fixed seed), so no sklearn is needed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TSV = REPO.parent / "shared" / "calibration" / "niche-calibration.tsv"
BOOTSTRAP_SAMPLES = 2000
SEED = 20240601


@dataclass
class Project:
    repo: str
    engineered: bool
    stars: float
    commits: float
    loc: float

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "__")


def read_table(path: Path) -> list[Project]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        Project(
            repo=row["repo"],
            engineered=row["engineered"].strip().upper() == "Y",
            stars=float(row["stars"]),
            commits=float(row["commits"]),
            loc=float(row["lines_of_code"]),
        )
        for row in rows
    ]


# -- statistics ------------------------------------------------------------------------------------
def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """P(a random positive scores above a random negative), ties counting one half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return math.nan
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def bootstrap_ci(
    scores: Sequence[float],
    labels: Sequence[bool],
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = SEED,
) -> tuple[float, float]:
    rng = random.Random(seed)
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    values = []
    for _ in range(samples):
        p = [rng.choice(pos) for _ in pos]
        n = [rng.choice(neg) for _ in neg]
        values.append(auc(p + n, [True] * len(p) + [False] * len(n)))
    values.sort()
    return values[int(0.025 * samples)], values[int(0.975 * samples) - 1]


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    def ranks(values: Sequence[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / var if var else math.nan


# -- scanning --------------------------------------------------------------------------------------
def scan(checkout: Path, timeout: float) -> dict[str, Any]:
    """The score object of one project, or {"error": why}."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scan.json"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [
            sys.executable,
            "-m",
            "debtlint",
            "scan",
            str(checkout),
            "--output-format",
            "json",
            "--no-cache",
            "--exit-zero",
            "-o",
            str(out),
        ]
        try:
            proc = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:g} s"}
        if not out.is_file():
            return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
        doc = json.loads(out.read_text(encoding="utf-8"))
        return {
            "score": doc["score"],
            "tool_version": doc["tool"]["version"],
            "files": doc["summary"]["files_scanned"],
            "models": doc["summary"]["models"],
            "by_code": doc["summary"]["by_code"],
            "errors": doc["summary"]["by_severity"].get("error", 0),
        }


def scan_all(
    projects: Sequence[Project],
    folder: Path,
    timeout: float,
    jobs: int,
    results: Path | None,
    rescan: bool,
) -> dict[str, dict[str, Any]]:
    known: dict[str, dict[str, Any]] = {}
    if results is not None and results.is_file() and not rescan:
        for line in results.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            known[entry["repo"]] = entry
    todo = [p for p in projects if p.repo not in known or "error" in known[p.repo]]

    def one(project: Project) -> dict[str, Any]:
        checkout = folder / project.folder
        if not checkout.is_dir():
            return {"repo": project.repo, "error": f"no checkout at {checkout}"}
        print(f"scanning {project.repo} ...", file=sys.stderr, flush=True)
        return {"repo": project.repo, **scan(checkout, timeout)}

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for entry in pool.map(one, todo):
            known[entry["repo"]] = entry
            if results is not None:
                with results.open("w", encoding="utf-8") as fh:
                    for repo in sorted(known):
                        fh.write(json.dumps(known[repo], sort_keys=True) + "\n")
    return known


# -- alternative designs (recomputed from each project's score components) -------------------------
def _variants() -> dict[str, Callable[[dict[str, Any]], float]]:
    """The designs that were tried, each recomputed from a project's score components (which do
    not depend on the weights): the shipped one, CATALOG.md §7's a-priori one, and one change at
    a time. No weight was fitted to the labels."""
    from debtlint import score as S

    def mean(values: dict[str, float | None], weights: dict[str, float]) -> float | None:
        present = {k: v for k, v in values.items() if v is not None}
        if not present:
            return None
        total = sum(weights[k] for k in present)
        return 100 * sum(weights[k] * v for k, v in present.items()) / total

    def soft(values: dict[str, float | None], weights: dict[str, float]) -> float | None:
        m = mean(values, weights)
        present = [v for v in values.values() if v is not None]
        return None if m is None else 0.5 * m + 0.5 * 100 * min(present)

    def combine(
        entry: dict[str, Any],
        weights: tuple[float, float, float],
        practice_agg: Callable[..., float | None] = soft,
        cap: str = "soft",
        no_model: tuple[float, float] | None = None,
    ) -> float:
        sc = entry["score"]
        debt = sc["components"]["debt"]
        graph = mean(sc["ratios"], S.RATIO_WEIGHTS)
        evidence = {k: v["value"] for k, v in sc["practice"].items()}
        practice = practice_agg(evidence, S.PRACTICE_WEIGHTS)
        if sc["mode"] == "no-model":
            w_debt, w_practice = no_model or (weights[0], weights[2])
            parts = [(debt, w_debt), (practice, w_practice)]
        else:
            parts = [(debt, weights[0]), (graph, weights[1]), (practice, weights[2])]
        present = [(v, w) for v, w in parts if v is not None]
        value = sum(v * w for v, w in present) / sum(w for _, w in present)
        if not entry["errors"] or cap == "none":
            return value
        if cap == "hard":
            return min(value, S.ERROR_CAP)
        return min(value, S.ERROR_CAP_FLOOR + (S.ERROR_CAP - S.ERROR_CAP_FLOOR) * value / 100)

    shipped = (S.W_DEBT, S.W_GRAPH, S.W_PRACTICE)
    catalog = (0.40, 0.35, 0.25)
    return {
        "shipped v1 (recomputed)": lambda e: combine(e, shipped),
        "CATALOG §7 a priori (0.40/0.35/0.25, no-model 0.55/0.45, hard cap)": lambda e: combine(
            e, catalog, cap="hard", no_model=(0.55, 0.45)
        ),
        "v1 with CATALOG weights 0.40/0.35/0.25": lambda e: combine(e, catalog),
        "v1 with equal weights": lambda e: combine(e, (1 / 3, 1 / 3, 1 / 3)),
        "v1 with the hard cap min(M, 49)": lambda e: combine(e, shipped, cap="hard"),
        "v1 without any cap": lambda e: combine(e, shipped, cap="none"),
        "v1 with a plain mean for practice": lambda e: combine(e, shipped, mean),
        "debt density only": lambda e: e["score"]["components"]["debt"],
        "graph health only (0 when n/a)": lambda e: e["score"]["components"]["graph"] or 0.0,
        "ML practice only": lambda e: e["score"]["components"]["practice"] or 0.0,
    }


# -- report ----------------------------------------------------------------------------------------
def report(
    projects: Sequence[Project], scanned: dict[str, dict[str, Any]], variants: bool
) -> dict[str, Any]:
    ok = [p for p in projects if "score" in scanned.get(p.repo, {})]
    failed = {p.repo: scanned.get(p.repo, {}).get("error", "not scanned") for p in projects}
    failed = {k: v for k, v in failed.items() if k not in {p.repo for p in ok}}
    labels = [p.engineered for p in ok]
    rows: dict[str, list[float]] = {
        "debtlint score": [scanned[p.repo]["score"]["value"] for p in ok],
        "stars": [p.stars for p in ok],
        "commits": [p.commits for p in ok],
        "lines of code": [p.loc for p in ok],
    }
    if variants:
        for name, fn in _variants().items():
            rows[f"variant: {name}"] = [fn(scanned[p.repo]) for p in ok]
    aucs = {}
    for name, values in rows.items():
        low, high = bootstrap_ci(values, labels)
        aucs[name] = {"auc": round(auc(values, labels), 3), "ci95": [round(low, 3), round(high, 3)]}
    all_labels = [p.engineered for p in projects]
    baselines_all = {
        name: round(auc([getattr(p, attr) for p in projects], all_labels), 3)
        for name, attr in (("stars", "stars"), ("commits", "commits"), ("lines of code", "loc"))
    }
    scores = rows["debtlint score"]
    ncloc = [scanned[p.repo]["score"]["ncloc"] for p in ok]
    versions = sorted({scanned[p.repo]["tool_version"] for p in ok})
    return {
        "date": dt.date.today().isoformat(),
        "debtlint_version": ", ".join(versions),
        "score_version": sorted({scanned[p.repo]["score"]["version"] for p in ok}),
        "projects": len(projects),
        "scanned": len(ok),
        "engineered": sum(labels),
        "failed": failed,
        "auc": aucs,
        "baselines_on_all_rows": baselines_all,
        "spearman_score_vs_log_ncloc": round(spearman(scores, [math.log1p(n) for n in ncloc]), 3),
        "spearman_score_vs_log_commits": round(
            spearman(scores, [math.log1p(p.commits) for p in ok]), 3
        ),
        "per_project": [
            {
                "repo": p.repo,
                "engineered": p.engineered,
                "score": scanned[p.repo]["score"]["value"],
                "grade": scanned[p.repo]["score"]["grade"],
                "mode": scanned[p.repo]["score"]["mode"],
                "components": scanned[p.repo]["score"]["components"],
            }
            for p in ok
        ],
    }


def markdown(doc: dict[str, Any]) -> str:
    out = [
        f"Calibration on {doc['scanned']}/{doc['projects']} NICHE projects "
        f"({doc['engineered']} engineered), {doc['date']}, debtlint {doc['debtlint_version']} "
        f"(score v{', '.join(doc['score_version'])})",
        "",
        "| signal | ROC AUC | bootstrap 95 % CI |",
        "|---|---|---|",
    ]
    for name, entry in doc["auc"].items():
        low, high = entry["ci95"]
        out.append(f"| {name} | {entry['auc']:.3f} | {low:.3f} to {high:.3f} |")
    out += [
        "",
        f"Spearman correlation of the score with log(ncloc): {doc['spearman_score_vs_log_ncloc']}; "
        f"with log(commits): {doc['spearman_score_vs_log_commits']}.",
    ]
    if doc["failed"]:
        out.append("Not scanned: " + "; ".join(f"{k} ({v})" for k, v in doc["failed"].items()))
    out += ["", "| project | engineered | score | grade | mode | debt | graph | practice |"]
    out.append("|---|---|---|---|---|---|---|---|")
    for row in sorted(doc["per_project"], key=lambda r: -r["score"]):
        c = row["components"]
        out.append(
            f"| {row['repo']} | {'Y' if row['engineered'] else 'N'} | {row['score']:g} | "
            f"{row['grade']} | {row['mode']} | {c['debt']} | {c['graph']} | {c['practice']} |"
        )
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", type=Path, help="folder of <owner>__<name>/ checkouts")
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV, help="the labelled table")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per project")
    parser.add_argument("--jobs", type=int, default=1, help="projects scanned at once")
    parser.add_argument("--results", type=Path, help="JSON-lines file of per-project results")
    parser.add_argument("--rescan", action="store_true", help="ignore results already stored")
    parser.add_argument(
        "--report-only", action="store_true", help="scan nothing; report the stored --results"
    )
    parser.add_argument("--variants", action="store_true", help="also the alternative designs")
    parser.add_argument("--output", type=Path, help="write the report as JSON here")
    args = parser.parse_args(argv)
    projects = read_table(args.tsv)
    if args.report_only:
        if args.results is None or not args.results.is_file():
            parser.error("--report-only needs an existing --results file")
        lines = args.results.read_text(encoding="utf-8").splitlines()
        scanned = {e["repo"]: e for e in map(json.loads, lines)}
    else:
        scanned = scan_all(
            projects, args.checkouts, args.timeout, args.jobs, args.results, args.rescan
        )
    doc = report(projects, scanned, args.variants)
    if args.output is not None:
        args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
