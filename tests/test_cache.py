"""Parallel phase 1 and the per-file cache: same report whatever the worker count and cache state,
invalidation on every input the analysis depends on, corrupt entries rebuilt, the folder's tags,
`debtlint clean`, and the JSON codec the cache is made of."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import debtlint.cache as cache_module
from debtlint import phase1
from debtlint.analyse import FileResult, analyse_file
from debtlint.cache import ENTRIES, Phase1Cache, entry_name
from debtlint.config import load_settings
from debtlint.engine import prepare, scan
from debtlint.knowledge import Catalog
from debtlint.plaindata import PlainDataError, from_plain, to_plain
from debtlint.report import FORMATS
from tests.conftest import FIXTURES, REPO, write_tree

RULE = '''
from debtlint.api import FileRule, Option, Severity


class ShoutyPrint(FileRule):
    """Print in training code.

    ## What it does
    ## Why is this bad?
    ## Example
    ## Use instead
    ## Options
    ## References
    """

    code = "DL998"
    name = "shouty-print"
    severity = Severity.INFO
    options = {"word": Option(str, "logging", "what to use instead")}
    VALID = ["import logging\\nlogging.info('x')\\n"]
    INVALID = ["print('x')  # expect: DL998\\n"]

    def visit_Call(self, node):
        if self.ctx.qualname(node.func) == "builtins.print":
            self.report(node, "use " + self.opts["word"])
'''

MODULE = """\
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
{extra}
df = pd.read_csv("data/raw_{i}.csv")
model = RandomForestClassifier(n_estimators={i}, max_depth=3)
model.fit(df[["a", "b"]], df["y"])
print("trained", {i})
"""


def _project(root: Path, files: int = 20) -> Path:
    """A project big enough for workers: modules with findings, a syntax error, the user pack."""
    tree = {
        "debtlint.yaml": "rule-packs: [lint]\nselect: [ALL]\n",
        "lint/dl9/shouty_print.py": RULE,
        "broken.py": "def f(:\n    pass\n",
        "empty.py": "",
        "pkg/__init__.py": "",
    }
    for i in range(files):
        extra = "from settings import TRAIN\n" if i % 3 == 0 else ""
        tree[f"pkg/step_{i:02d}.py"] = MODULE.format(i=i, extra=extra)
    write_tree(root, tree)
    for source in (FIXTURES / "kaggle_script").glob("*.py"):
        shutil.copy(source, root / source.name)
    return root


def _scan(root: Path, jobs: int = 1, cache: Path | None = None, **changes: object) -> str:
    settings = load_settings(root)
    settings.jobs = jobs
    settings.use_cache = cache is not None
    settings.cache_dir = str(cache) if cache is not None else None
    for key, value in changes.items():
        setattr(settings, key, value)
    return FORMATS["json"](scan(settings))


@pytest.fixture
def spy_workers(monkeypatch):
    """Make even small scans use worker processes, and count the times they are started."""
    calls: list[int] = []
    original = phase1._run_in_workers

    def spy(spec, workers, *args):
        calls.append(workers)
        return original(spec, workers, *args)

    monkeypatch.setattr(phase1, "MIN_FILES_PER_WORKER", 2)
    monkeypatch.setattr(phase1, "_run_in_workers", spy)
    return calls


def _spy_analysis(monkeypatch) -> list[str]:
    """The files analysed in process from now on (not taken from the cache)."""
    analysed: list[str] = []
    original = phase1._Analyser.run

    def run(self, rel, found):
        analysed.append(rel)
        return original(self, rel, found)

    monkeypatch.setattr(phase1._Analyser, "run", run)
    return analysed


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / ENTRIES).glob("*/*.json"))


# -- determinism ----------------------------------------------------------------------------------


def test_report_is_identical_with_one_or_two_workers_and_with_or_without_cache(
    tmp_path, spy_workers
):
    root = _project(tmp_path / "project")
    cache = tmp_path / "cache"
    reference = _scan(root, jobs=1)
    assert spy_workers == []
    assert _scan(root, jobs=2) == reference
    assert spy_workers == [2]
    assert _scan(root, jobs=2, cache=cache) == reference  # cold: workers write the entries
    assert len(_entries(cache)) == json.loads(reference)["summary"]["files_scanned"]
    assert _scan(root, jobs=2, cache=cache) == reference  # warm
    assert _scan(root, jobs=1, cache=cache) == reference
    assert spy_workers == [2, 2]  # warm runs have nothing to analyse, so start no worker
    findings = json.loads(reference)["findings"]
    assert {"DL001", "DL998"} <= {f["code"] for f in findings}


def test_a_tiny_scan_stays_in_process(tmp_path, monkeypatch):
    root = write_tree(tmp_path, {"a.py": "print(1)\n", "debtlint.yaml": "select: [ALL]\n"})
    calls = []
    monkeypatch.setattr(phase1, "_run_in_workers", lambda *a: calls.append(a) or [])
    _scan(root, jobs=8)
    assert calls == []


def test_worker_count_respects_jobs_and_the_threshold():
    rules = prepare(load_settings(FIXTURES / "kaggle_script"))[1].file_rules
    per = phase1.MIN_FILES_PER_WORKER
    assert phase1._worker_count(8, per * 3, rules, None) == 3
    assert phase1._worker_count(2, per * 100, rules, None) == 2
    assert phase1._worker_count(8, per - 1, rules, None) == 0
    assert phase1._worker_count(None, per * 1000, rules, None) == phase1.available_cores()


def test_a_dead_worker_pool_falls_back_to_one_process(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", files=6)
    reference = _scan(root, jobs=1)
    monkeypatch.setattr(phase1, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(phase1, "_init_worker", _broken_initialiser)
    settings = load_settings(root)
    settings.jobs = 2
    result = scan(settings)
    assert json.loads(FORMATS["json"](result))["findings"] == json.loads(reference)["findings"]
    assert any("parallel analysis stopped" in note for note in result.notes)


def _broken_initialiser(spec):
    raise RuntimeError("cannot start")


# -- invalidation ---------------------------------------------------------------------------------


def test_a_changed_file_is_analysed_again_and_only_it(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    _scan(root, cache=cache)
    step = root / "pkg" / "step_01.py"
    step.write_text(step.read_text() + 'extra = pd.read_csv("data/new_input.csv")\n')
    reference = _scan(root)
    analysed = _spy_analysis(monkeypatch)
    report = _scan(root, cache=cache)
    assert report == reference and "data/new_input.csv" in report
    assert analysed == ["pkg/step_01.py"]


def test_a_change_that_keeps_size_and_mtime_is_seen_while_the_file_is_fresh(tmp_path):
    # Right after a write, the mtime is not trusted: coarse timestamps could hide a second write.
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    step = root / "pkg" / "step_01.py"
    _scan(root, cache=cache)
    stat = step.stat()
    step.write_text(step.read_text().replace("raw_1.csv", "raw_9.csv"))
    os.utime(step, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = _scan(root, cache=cache)
    assert "data/raw_9.csv" in report and report == _scan(root)


def test_an_old_unchanged_file_takes_the_fast_path(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    old = time.time() - 3600
    for path in root.rglob("*.py"):
        os.utime(path, (old, old))
    first = _scan(root, cache=cache)
    read: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    assert _scan(root, cache=cache) == first
    # Only the rule pack is read (its hash is part of the key), no file that is analysed.
    assert {p.relative_to(root).parts[0] for p in read if root in p.parents} == {"lint"}


def test_settings_that_change_file_analysis_invalidate_and_phase_2_settings_do_not(
    tmp_path, monkeypatch
):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    _scan(root, cache=cache)
    options = {"DL998": {"word": "the logging module"}}
    report = _scan(root, cache=cache, rule_options=options)
    assert "use the logging module" in report and report == _scan(root, rule_options=options)
    assert len(list((cache / ENTRIES).iterdir())) == 2  # one folder per rule set
    severity = {"DL998": "error"}
    assert _scan(root, cache=cache, severity=severity) == _scan(root, severity=severity)

    (root / "debtlint.yaml").write_text(
        "rule-packs: [lint]\nselect: [ALL]\n"
        "models:\n  forest:\n    owner: '@team'\n    code: [pkg/step_01.py]\n"
    )
    reference = _scan(root)
    analysed = _spy_analysis(monkeypatch)
    assert _scan(root, cache=cache) == reference
    assert analysed == []


def test_the_key_covers_version_code_rule_packs_and_catalogs(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", files=1)
    settings = load_settings(root)
    rules = prepare(settings)[1].file_rules
    packs = [root / "lint"]

    def key(catalogs=()):
        return cache_module.ruleset_key(root, rules, packs, catalogs)

    base = key()
    assert key() == base
    catalog = write_tree(tmp_path, {"apis.yaml": "version: 1\n"}) / "apis.yaml"
    with_catalog = key([catalog])
    catalog.write_text("version: 1\nframework: x\n")
    assert len({base, with_catalog, key([catalog])}) == 3
    (root / "lint" / "dl9" / "_helpers.py").write_text("X = 1\n")
    after_pack_change = key()
    assert after_pack_change != base
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    assert key() != after_pack_change
    monkeypatch.setattr(cache_module, "_CODE_HASH", "another build")
    assert len({key(), after_pack_change}) == 2


def test_a_new_debtlint_version_does_not_reuse_entries(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    _scan(root, cache=cache)
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    analysed = _spy_analysis(monkeypatch)
    _scan(root, cache=cache)
    assert "pkg/step_01.py" in analysed


def test_adding_a_project_module_invalidates_the_files_that_asked_about_it(tmp_path, monkeypatch):
    # `from settings import TRAIN` (in step_00 and step_03) resolves through settings.py only
    # once it exists.
    root = _project(tmp_path / "project", files=4)
    cache = tmp_path / "cache"
    _scan(root, cache=cache)
    (root / "settings.py").write_text('TRAIN = "data/train.csv"\n')
    reference = _scan(root)
    analysed = _spy_analysis(monkeypatch)
    assert _scan(root, cache=cache) == reference
    assert "settings.py" in analysed and "pkg/step_01.py" not in analysed


# -- damaged entries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\x00garbage",
        lambda text: json.dumps({"format": 1}),
        lambda text: text.replace('"span":[', '"span":["1",', 1),  # wrong types
        lambda text: text.replace('"key":"', '"key":"0', 1),  # another rule set's entry
        lambda text: text.replace('"is_test":false', '"is_test":false,"surprise":1', 1),
    ],
)
def test_a_corrupt_or_foreign_entry_is_discarded_and_rebuilt(tmp_path, damage):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    reference = _scan(root, cache=cache)
    entry = next(p for p in _entries(cache) if p.name == entry_name("train.py"))
    entry.write_text(damage(entry.read_text()))
    assert _scan(root, cache=cache) == reference
    rebuilt = json.loads(entry.read_text())
    assert rebuilt["path"] == "train.py" and rebuilt["result"]["facts"]["path"] == "train.py"


def test_an_entry_is_never_unpickled(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    reference = _scan(root, cache=cache)
    monkeypatch.setattr(pickle, "loads", None)
    monkeypatch.setattr(pickle, "load", None)
    assert _scan(root, cache=cache) == reference


# -- the folder -----------------------------------------------------------------------------------


def test_cache_folder_is_tagged_and_ignored_by_git(tmp_path):
    root = _project(tmp_path / "project", files=1)
    cache = tmp_path / "cache"
    _scan(root, cache=cache)
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_scan_of_the_whole_project_prunes_entries_of_deleted_files(tmp_path):
    root = _project(tmp_path / "project", files=3)
    cache = tmp_path / "cache"
    _scan(root, cache=cache)
    gone = entry_name("pkg/step_02.py")
    assert gone in {p.name for p in _entries(cache)}
    (root / "pkg" / "step_02.py").unlink()
    _scan(root, cache=cache)
    assert gone not in {p.name for p in _entries(cache)}


def test_folders_of_rule_sets_unused_for_a_week_are_pruned(tmp_path):
    root = _project(tmp_path / "project", files=1)
    cache = tmp_path / "cache"
    _scan(root, cache=cache, rule_options={"DL998": {"word": "x"}})
    (old,) = list((cache / ENTRIES).iterdir())
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old / "last-used", (week_ago, week_ago))
    _scan(root, cache=cache)
    assert old.exists() is False and len(list((cache / ENTRIES).iterdir())) == 1


def test_two_scans_sharing_a_cache_at_once_agree(tmp_path):
    root = _project(tmp_path / "project", files=12)
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DEBTLINT_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "debtlint", "scan", str(root), "--output-format", "json"]
    # The reference comes from a process too, so that all three run the same code.
    reference = subprocess.run(
        [*command, "--no-cache"], stdout=subprocess.PIPE, env=env, text=True, check=False
    ).stdout
    procs = [
        subprocess.Popen([*command, "-j", str(j)], stdout=subprocess.PIPE, env=env, text=True)
        for j in (1, 2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert outputs == [reference, reference]
    assert json.loads(reference)["findings"]
    assert len(_entries(cache)) == json.loads(reference)["summary"]["files_scanned"]


def test_clean_removes_only_what_debtlint_wrote(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("DEBTLINT_CACHE_DIR")
    root = _project(tmp_path / "project", files=1)
    assert run_cli("scan", root, "--exit-zero")[0] == 0
    folder = root / ".debtlint_cache"
    assert (folder / "CACHEDIR.TAG").is_file()
    code, out, _ = run_cli("clean", root)
    assert code == 0 and "removed" in out and not folder.exists()
    assert run_cli("clean", root)[1].startswith("debtlint: no cache")

    assert run_cli("scan", root, "--exit-zero")[0] == 0
    (folder / "notes.txt").write_text("mine")
    assert run_cli("clean", root)[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_clean_refuses_a_folder_that_is_not_a_debtlint_cache(tmp_path, run_cli):
    folder = write_tree(tmp_path, {"precious/data.csv": "a,b\n"}) / "precious"
    code, _, err = run_cli("clean", tmp_path, "--cache-dir", folder)
    assert code == 2 and "CACHEDIR.TAG" in err
    assert (folder / "data.csv").read_text() == "a,b\n"


def test_cache_dir_comes_from_the_option_then_the_environment(tmp_path, run_cli, monkeypatch):
    root = _project(tmp_path / "project", files=1)
    from_env, from_option = tmp_path / "env-cache", tmp_path / "option-cache"
    monkeypatch.setenv("DEBTLINT_CACHE_DIR", str(from_env))
    run_cli("scan", root, "--exit-zero")
    assert (from_env / "CACHEDIR.TAG").is_file()
    run_cli("scan", root, "--exit-zero", "--cache-dir", from_option)
    assert (from_option / "CACHEDIR.TAG").is_file()
    code, _, err = run_cli("scan", root, "--cache-dir", root)
    assert code == 2 and "project root" in err


def test_jobs_must_be_a_positive_number(run_cli):
    code, _, err = run_cli("scan", FIXTURES / "kaggle_script", "-j", "0")
    assert code == 2 and "--jobs" in err


# -- the codec ------------------------------------------------------------------------------------


def _fixture_results() -> list[FileResult]:
    settings = load_settings(FIXTURES / "kaggle_script")
    rules = prepare(settings)[1].file_rules
    syntax = next((r for r in rules if r.code == "DL001"), None)
    visitors = [r for r in rules if r.code not in ("DL000", "DL001")]
    results = []
    for path in [*sorted(FIXTURES.rglob("*.py")), None]:
        data = path.read_bytes() if path else b"def broken(:\n"
        rel = path.relative_to(FIXTURES).as_posix() if path else "broken.py"
        results.append(
            analyse_file(rel, data, Catalog.builtin(), visitors, lambda m: False, syntax)
        )
    return results


def test_results_round_trip_through_json_and_pickle():
    results = _fixture_results()
    assert any(r.findings for r in results) and any(r.facts.data for r in results)
    assert any(r.facts.parse_error for r in results)
    for result in results:
        plain = json.loads(json.dumps(to_plain(result)))
        back = from_plain(FileResult, plain)
        assert back == result
        assert to_plain(back) == to_plain(result)  # properties too (not compared by ==)
        assert pickle.loads(pickle.dumps(result)) == result


def test_tuples_inside_free_form_properties_come_back_as_tuples():
    result = next(r for r in _fixture_results() if r.findings)
    finding = result.findings[0]
    tagged = type(finding)(**{**finding.__dict__, "properties": {"pair": (1, "a"), "n": [1]}})
    back = from_plain(type(finding), json.loads(json.dumps(to_plain(tagged))))
    assert back.properties == {"pair": (1, "a"), "n": [1]}


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["facts"].update(path=3),
        lambda d: d["facts"].update(is_test="yes"),
        lambda d: d["facts"].update(unknown_field=1),
        lambda d: d["facts"].pop("path"),
        lambda d: d["findings"][0].update(severity="catastrophic"),
        lambda d: d["findings"][0]["location"].update(line=True),
        lambda d: d["findings"][0]["location"].update(line=1.5),
        lambda d: d.update(findings={}),
    ],
)
def test_data_that_does_not_match_the_declared_types_is_rejected(change):
    result = next(r for r in _fixture_results() if r.findings)
    plain = to_plain(result)
    change(plain)
    with pytest.raises(PlainDataError):
        from_plain(FileResult, plain)


def test_a_span_must_be_four_integers():
    result = next(r for r in _fixture_results() if r.facts.data)
    plain = to_plain(result)
    plain["facts"]["data"][0]["span"] = [1, 2, 3]
    with pytest.raises(PlainDataError, match="4 items"):
        from_plain(FileResult, plain)


def test_a_cache_instance_travels_to_workers():
    cache = Phase1Cache(Path("/nonexistent"), "k" * 64)
    copy = pickle.loads(pickle.dumps(cache))
    assert (copy.folder, copy.key) == (cache.folder, cache.key)
