"""Phase 1 over all files: each file read once and analysed (see :mod:`debtlint.analyse`), in
worker processes when there is enough to do, reusing cached results (see :mod:`debtlint.cache`).

Results come back in the order of ``files`` whatever happens (workers, cache, a worker dying), so
everything downstream is deterministic: ``-j1``, ``-j8``, cold and warm runs give the same report.

Workers are started once per scan and set up once each, from picklable inputs (rule pack folders,
rule codes with their options, catalog files, the module index): rule instances and the catalog are
rebuilt in the worker rather than sent, because rule classes live in packs loaded by path. A small
scan (fewer than :data:`MIN_FILES_PER_WORKER` files to analyse per worker) stays in process, so a
one-file run or a warm run with one change never pays for starting processes.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
import traceback
from collections.abc import Callable, Iterable, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from debtlint.analyse import TEST_PATH, FileResult, analyse_file
from debtlint.cache import Lookup, Phase1Cache, RecordingModules, Stamp, ruleset_key
from debtlint.config import Settings, cache_dir_path
from debtlint.facts.model import FileFacts
from debtlint.facts.names import module_name
from debtlint.findings import Severity
from debtlint.knowledge import Catalog
from debtlint.plugins import pack_directories
from debtlint.rule import FileRule

# Below this many files to analyse per worker, starting a process costs more than it saves.
MIN_FILES_PER_WORKER = 8
# Chunks per worker: enough for the big files (sent first) to even out, few enough to keep the
# inter-process traffic low.
CHUNKS_PER_WORKER = 12


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Phase1Options:
    """How phase 1 runs: ``jobs`` processes at most (None: all cores), the cache folder (None: no
    cache), what workers need to rebuild the analysis, and whether ``files`` is the whole project
    (then cache entries of other files are pruned)."""

    jobs: int | None = 1
    cache_dir: Path | None = None
    rule_packs: tuple[Path, ...] = ()
    api_catalogs: tuple[Path, ...] = ()
    complete: bool = False
    # The project root the cache key names, when not the scanned root: a `--diff` scan of a ref's
    # tree, exported to a temporary folder, reuses the project's entries (validated by content).
    cache_root: Path | None = None


def phase1_options(settings: Settings, paths: Sequence[Path] = ()) -> Phase1Options:
    """Phase-1 options of a scan of ``paths`` (none: the whole project) with ``settings``."""
    root = settings.root.resolve()
    complete = not paths or any(Path(p).resolve() == root for p in paths)
    return Phase1Options(
        jobs=settings.jobs,
        cache_dir=cache_dir_path(settings) if settings.use_cache else None,
        rule_packs=tuple(pack_directories(settings)),
        api_catalogs=tuple(settings.root / p for p in settings.api_catalogs),
        complete=complete,
    )


def run_phase1(
    root: Path,
    files: Sequence[str],
    catalog: Catalog,
    file_rules: Sequence[FileRule],
    project_modules: Set[str],
    syntax_rule: FileRule | None,
    notes: list[str],
    options: Phase1Options | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    """``progress(done, total)``, when given, is called as files are done (cached ones at once)."""
    options = options or Phase1Options()
    modules = frozenset(project_modules)
    cache = _open_cache(root, file_rules, syntax_rule, options, notes)
    slots: list[FileResult | str | None] = [None] * len(files)
    todo: list[tuple[int, Lookup]] = []
    for index, rel in enumerate(files):
        found = cache.lookup(rel, root / rel, modules) if cache is not None else Lookup()
        if found.result is not None:
            slots[index] = found.result
        else:
            todo.append((index, found))
    done = len(files) - len(todo)

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, len(files))

    advance(0)
    workers = _worker_count(options.jobs, len(todo), file_rules, syntax_rule)
    local = _Analyser(root, catalog, list(file_rules), syntax_rule, modules, cache)
    if workers > 1:
        spec = _WorkerSpec(
            root=root,
            rule_packs=options.rule_packs,
            api_catalogs=options.api_catalogs,
            rules=tuple(_rule_spec(r) for r in file_rules),
            syntax_rule=_rule_spec(syntax_rule) if syntax_rule is not None else None,
            modules=modules,
            cache=cache,
        )
        todo = _run_in_workers(spec, workers, root, files, todo, slots, notes, advance)
    for index, found in todo:
        slots[index] = local.run(files[index], found)
        advance(1)

    results: list[FileResult] = []
    for slot in slots:
        if isinstance(slot, FileResult):
            results.append(slot)
        elif isinstance(slot, str):
            notes.append(slot)
    if cache is not None:
        cache.prune(files if options.complete else None)
    return results


def _open_cache(
    root: Path,
    file_rules: Sequence[FileRule],
    syntax_rule: FileRule | None,
    options: Phase1Options,
    notes: list[str],
) -> Phase1Cache | None:
    if options.cache_dir is None:
        return None
    rules = [*file_rules, *([syntax_rule] if syntax_rule is not None else [])]
    key = ruleset_key(options.cache_root or root, rules, options.rule_packs, options.api_catalogs)
    cache = Phase1Cache(options.cache_dir, key)
    try:
        cache.open()
    except OSError as exc:
        notes.append(f"not caching: cannot write {options.cache_dir} ({exc.strerror or exc})")
        return None
    return cache


def _worker_count(
    jobs: int | None, pending: int, file_rules: Sequence[FileRule], syntax_rule: FileRule | None
) -> int:
    wanted = available_cores() if jobs is None else max(1, jobs)
    workers = min(wanted, pending // MIN_FILES_PER_WORKER)
    # A worker can only rebuild rules that a rule pack defines (the loader marks them).
    rebuildable = all(
        hasattr(type(r), "source_file")
        for r in [*file_rules, *([syntax_rule] if syntax_rule else [])]
    )
    return workers if rebuildable else 1


# -- analysing one file ---------------------------------------------------------------------------


class _Analyser:
    """Reads and analyses files of one project, and stores the results in the cache. The main
    process holds one for in-process runs; each worker builds its own from a :class:`_WorkerSpec`."""

    def __init__(
        self,
        root: Path,
        catalog: Catalog,
        file_rules: list[FileRule],
        syntax_rule: FileRule | None,
        modules: frozenset[str],
        cache: Phase1Cache | None,
    ) -> None:
        self.root = root
        self.catalog = catalog
        self.file_rules = file_rules
        self.syntax_rule = syntax_rule
        self.modules = modules
        self.cache = cache

    def run(self, rel: str, found: Lookup) -> FileResult | str:
        """The file's result, or a note saying why it was skipped."""
        data, stamp = found.data, found.stamp
        if data is None:
            full = self.root / rel
            try:
                stamp = Stamp.of(full.stat())
                data = full.read_bytes()
            except OSError as exc:
                return f"skipped {rel}: cannot read ({exc.strerror or exc})"
        read_at = time.time_ns()
        asked = RecordingModules(self.modules)
        try:
            result = analyse_file(rel, data, self.catalog, self.file_rules, asked, self.syntax_rule)
        except Exception as exc:  # a bug must cost one file, never the scan
            facts = FileFacts(
                path=rel, module=module_name(rel), is_test=bool(TEST_PATH.search(rel))
            )
            crash = ("engine", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            for rule in self.file_rules:
                rule.take_findings()  # nothing half-reported may leak into the next file
            return FileResult(facts, crashes=[crash])
        if self.cache is not None:
            sha = found.sha256 or hashlib.sha256(data).hexdigest()
            self.cache.store(rel, stamp, sha, asked.asked, result, read_at)
        return result


# -- workers --------------------------------------------------------------------------------------

RuleSpec = tuple[str, str, dict[str, Any], str | None]  # code, class qualname, options, severity


def _rule_spec(rule: FileRule) -> RuleSpec:
    severity = rule.severity_override.value if rule.severity_override is not None else None
    return (rule.code, type(rule).__qualname__, dict(rule.opts), severity)


@dataclass(frozen=True)
class _WorkerSpec:
    """Everything a worker needs, all picklable."""

    root: Path
    rule_packs: tuple[Path, ...]
    api_catalogs: tuple[Path, ...]
    rules: tuple[RuleSpec, ...]
    syntax_rule: RuleSpec | None
    modules: frozenset[str]
    cache: Phase1Cache | None


_WORKER: _Analyser | None = None


def _init_worker(spec: _WorkerSpec) -> None:
    """Build the worker's analyser once: load the rule packs, instantiate the enabled rules with
    the main process's options and severities, and load the catalog."""
    global _WORKER
    # Imported here: the parent process does not need the loader for an in-process run.
    from debtlint.loader import Registry

    registry = Registry.load(list(spec.rule_packs))

    def build(rs: RuleSpec) -> FileRule:
        code, qualname, opts, severity = rs
        cls = registry.rules.get(code)
        if cls is None or cls.__qualname__ != qualname or not issubclass(cls, FileRule):
            raise RuntimeError(f"worker cannot rebuild rule {code} ({qualname})")
        rule = cls(opts)
        rule.severity_override = Severity(severity) if severity is not None else None
        return rule

    catalog = Catalog.builtin()
    if spec.api_catalogs:
        catalog = catalog.extended(list(spec.api_catalogs), spec.root)
    _WORKER = _Analyser(
        spec.root,
        catalog,
        [build(rs) for rs in spec.rules],
        build(spec.syntax_rule) if spec.syntax_rule is not None else None,
        spec.modules,
        spec.cache,
    )
    # libcst trees have no reference cycles, so they are freed by reference counting; the cyclic
    # collector, run automatically, would rescan the millions of young nodes each parse allocates.
    # It runs once per file instead (about 3 % of the analysis): the fact extractor and some rules
    # do make cycles, and a cycle that reaches a tree kept it alive for a whole chunk (2.2 GiB on
    # transformers).
    gc.disable()


def _run_chunk(chunk: list[tuple[int, str, Lookup]]) -> list[tuple[int, FileResult | str]]:
    assert _WORKER is not None, "worker not initialised"
    out = []
    for index, rel, found in chunk:
        out.append((index, _WORKER.run(rel, found)))
        gc.collect(0)
    gc.collect(1)  # what survived one file (rules' own state, tracebacks)
    return out


def _run_in_workers(
    spec: _WorkerSpec,
    workers: int,
    root: Path,
    files: Sequence[str],
    todo: list[tuple[int, Lookup]],
    slots: list[FileResult | str | None],
    notes: list[str],
    advance: Callable[[int], None] | None = None,
) -> list[tuple[int, Lookup]]:
    """Analyse ``todo`` in ``workers`` processes, filling ``slots``; returns what is left undone
    (everything, if the pool could not start; the rest, if a worker died)."""
    chunks = _chunks(root, files, todo, workers)
    try:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(spec,)
        ) as pool:
            for outcome in pool.map(_run_chunk, chunks):
                for index, result in outcome:
                    slots[index] = result
                if advance is not None:
                    advance(len(outcome))
    except Exception as exc:  # BrokenProcessPool (a worker died), OSError, a pickling error
        notes.append(
            f"parallel analysis stopped ({type(exc).__name__}: {exc}); "
            "analysing the remaining files in one process"
        )
    return [(index, found) for index, found in todo if slots[index] is None]


def _chunks(
    root: Path, files: Sequence[str], todo: Iterable[tuple[int, Lookup]], workers: int
) -> list[list[tuple[int, str, Lookup]]]:
    """Largest files first, so that the last chunks are small and the workers finish together."""
    sized = []
    for index, found in todo:
        size = found.stamp.size if found.stamp is not None else _size(root / files[index])
        sized.append((size, index, found))
    sized.sort(key=lambda item: (-item[0], item[1]))
    per_chunk = max(1, len(sized) // (workers * CHUNKS_PER_WORKER))
    items = [(index, files[index], found) for _, index, found in sized]
    return [items[i : i + per_chunk] for i in range(0, len(items), per_chunk)]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
