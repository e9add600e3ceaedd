"""The per-file cache of phase 1: facts and file findings, as JSON, one entry per source file.

Layout (``.debtlint_cache/`` at the project root unless configured)::

    CACHEDIR.TAG                 marks the folder as a cache for backup tools
    .gitignore                   "*": never committed
    phase1-v1/<key>/             one folder per project and rule set (see ruleset_key)
        last-used                touched by every scan that uses the folder
        <sha256 of the path>.json

An entry is used only when everything it depends on is unchanged:

- the file: same size and mtime (fast path; not trusted for a file modified within two seconds of
  being read, because coarse timestamps could hide a later change), else the same SHA-256 of the
  content;
- the analysis: the folder's key covers debtlint's version and the hash of its code, libcst's
  version, the enabled file rules with their options, severity overrides and the hashes of their
  rule packs, and the API catalogs; settings that only phase 2 reads (models, data, ownership) do
  not invalidate it, because phase 2 is rebuilt on every run;
- the project: the answers to "is this module part of the project?" that the analysis asked are
  stored with the entry and asked again (adding ``config.py`` changes how ``config.X`` resolves in
  other files).

Entries are written atomically (a temporary file, then ``os.replace``), so two scans sharing the
folder never see half an entry; the worst a race does is compute a file twice. An entry that does
not parse, has another format, key or path, or does not match the declared types is ignored and
rewritten: entries are read with :func:`debtlint.plaindata.from_plain`, never unpickled. Folders of
other rule sets unused for a week are deleted, and so are entries of files that a scan of the
whole project did not see.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst

from debtlint import __version__
from debtlint.analyse import FileResult
from debtlint.plaindata import PlainDataError, from_plain, to_plain
from debtlint.rule import FileRule

CACHE_DIR_NAME = ".debtlint_cache"
ENV_CACHE_DIR = "DEBTLINT_CACHE_DIR"
FORMAT = 1
ENTRIES = f"phase1-v{FORMAT}"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by debtlint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
GITIGNORE = "# Created by debtlint: this folder is a cache.\n*\n"
# A file modified this recently when it was read may change again within the same timestamp.
RACY_NS = 2_000_000_000
PRUNE_AFTER_S = 7 * 24 * 3600
KEEP_FOLDERS = 8
STALE_TMP_S = 3600


class CacheError(Exception):
    """A folder that ``debtlint clean`` will not remove (it was not created by debtlint)."""


# -- keys -----------------------------------------------------------------------------------------

_CODE_HASH: str | None = None


def code_hash() -> str:
    """SHA-256 of debtlint's own code and knowledge tables, so a changed debtlint (even at the same
    version, as in development) never reuses entries made by another."""
    global _CODE_HASH
    if _CODE_HASH is None:
        package = Path(__file__).resolve().parent
        _CODE_HASH = _tree_hash(package, ("*.py", "*.yaml", "*.json"))
    return _CODE_HASH


def _tree_hash(directory: Path, patterns: Sequence[str]) -> str:
    digest = hashlib.sha256()
    files = sorted({f for pattern in patterns for f in directory.rglob(pattern)})
    for file in files:
        if "__pycache__" in file.parts:
            continue
        digest.update(file.relative_to(directory).as_posix().encode() + b"\0")
        try:
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "<unreadable>"


def ruleset_key(
    root: Path,
    rules: Sequence[FileRule],
    rule_packs: Iterable[Path],
    api_catalogs: Iterable[Path],
) -> str:
    """Everything phase 1's output depends on besides the file itself and the module index."""
    packs = {Path(getattr(type(r), "source_file", "")).resolve().parent for r in rules}
    pack_roots = sorted({p.resolve() for p in rule_packs}, key=str)
    parts: dict[str, Any] = {
        "format": FORMAT,
        "debtlint": __version__,
        "code": code_hash(),
        "libcst": getattr(libcst, "__version__", "?"),
        "root": str(root.resolve()),
        "rules": [
            [
                r.code,
                f"{type(r).__module__}.{type(r).__qualname__}",
                _json_key(r.opts),
                r.severity_override.value if r.severity_override is not None else None,
            ]
            for r in rules
        ],
        # Every Python file of every pack (a rule may import helpers next to it).
        "packs": [_tree_hash(p, ("*.py",)) for p in [*pack_roots, *sorted(packs, key=str)]],
        "catalogs": [[str(c), _file_hash(c)] for c in api_catalogs],
    }
    return hashlib.sha256(_json_key(parts).encode()).hexdigest()


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


# -- the folder -----------------------------------------------------------------------------------


def prepare_dir(cache_dir: Path) -> None:
    """Create the cache folder with its CACHEDIR.TAG and .gitignore (idempotent, race-safe)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
        target = cache_dir / name
        if not target.exists():
            write_atomic(target, text.encode())


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the new one, never a part."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def is_debtlint_cache(cache_dir: Path) -> bool:
    try:
        tag = (cache_dir / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "created by debtlint" in tag


def clean(cache_dir: Path) -> bool:
    """Delete what debtlint put in ``cache_dir`` (and the folder when that leaves it empty).

    Returns False when there was nothing to delete. Refuses (CacheError) a folder without
    debtlint's CACHEDIR.TAG: a misconfigured ``cache-dir`` must never cost the user a folder.
    """
    if not cache_dir.exists():
        return False
    if not is_debtlint_cache(cache_dir):
        raise CacheError(f"{cache_dir} has no CACHEDIR.TAG written by debtlint; not deleting it")
    for child in cache_dir.iterdir():
        if child.name.startswith("phase1-v") and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.endswith(".tmp") and child.is_file():
            child.unlink(missing_ok=True)
    gitignore = cache_dir / ".gitignore"
    if gitignore.is_file() and gitignore.read_text(encoding="utf-8", errors="replace") == GITIGNORE:
        gitignore.unlink()
    (cache_dir / "CACHEDIR.TAG").unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        cache_dir.rmdir()  # fails when the user keeps other things there
    return True


# -- entries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """What is known about a file's content without reading it."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stamp:
        return cls(st.st_size, st.st_mtime_ns)


def entry_name(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:40] + ".json"


@dataclass
class Lookup:
    """The outcome of looking a file up: a usable result, or the content when it had to be read
    (so that it is not read twice)."""

    result: FileResult | None = None
    data: bytes | None = None
    sha256: str | None = None
    stamp: Stamp | None = None


class Phase1Cache:
    """The entries of one project and rule set. Instances are picklable (workers write entries)."""

    def __init__(self, cache_dir: Path, key: str) -> None:
        self.cache_dir = cache_dir
        self.key = key
        self.folder = cache_dir / ENTRIES / key[:24]

    def open(self) -> None:
        prepare_dir(self.cache_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "last-used").touch()

    def lookup(self, path: str, full: Path, project_module: Mapping[str, bool] | Any) -> Lookup:
        """The cached result of ``path`` if it is still valid. ``project_module`` answers module
        membership (a set of module names or a mapping)."""
        try:
            st = full.stat()
        except OSError:
            return Lookup()
        stamp = Stamp.of(st)
        entry = self._read(path)
        if entry is None:
            return Lookup(stamp=stamp)
        fast = entry.get("size") == stamp.size and entry.get("mtime_ns") == stamp.mtime_ns
        data = sha = None
        if not fast:
            try:
                data = full.read_bytes()
            except OSError:
                return Lookup(stamp=stamp)
            sha = hashlib.sha256(data).hexdigest()
            if sha != entry.get("sha256"):
                return Lookup(data=data, sha256=sha, stamp=stamp)
        modules = entry.get("modules")
        if not isinstance(modules, dict) or any(
            (name in project_module) is not answer for name, answer in modules.items()
        ):
            return Lookup(data=data, sha256=sha, stamp=stamp)
        try:
            result = from_plain(FileResult, entry.get("result"))
        except PlainDataError:
            return Lookup(data=data, sha256=sha, stamp=stamp)
        if result.facts.path != path:
            return Lookup(data=data, sha256=sha, stamp=stamp)
        if not fast:
            # Same content with a new mtime (a checkout, a touch), or a file that was too fresh
            # to trust its mtime: refresh the stamp so that the next run takes the fast path.
            before = (entry.get("size"), entry.get("mtime_ns"))
            _stamped(entry, stamp, time.time_ns())
            if (entry["size"], entry["mtime_ns"]) != before:
                self._write(path, entry)
        return Lookup(result=result)

    def _read(self, path: str) -> dict[str, Any] | None:
        try:
            raw = (self.folder / entry_name(path)).read_bytes()
            entry = json.loads(raw)
        except (OSError, ValueError):
            return None
        if (
            not isinstance(entry, dict)
            or entry.get("format") != FORMAT
            or entry.get("key") != self.key
            or entry.get("path") != path
        ):
            return None
        return entry

    def store(
        self,
        path: str,
        stamp: Stamp | None,
        sha256: str,
        modules: Mapping[str, bool],
        result: FileResult,
        read_at_ns: int,
    ) -> bool:
        """Write the entry of ``path``; False when it cannot be stored (never an error)."""
        if result.crashes:
            return False  # a crash is reported with its traceback every time, until fixed
        try:
            plain = to_plain(result)
        except PlainDataError:
            return False
        entry = {
            "format": FORMAT,
            "key": self.key,
            "path": path,
            "sha256": sha256,
            "modules": dict(modules),
            "result": plain,
        }
        return self._write(path, _stamped(entry, stamp, read_at_ns))

    def _write(self, path: str, entry: dict[str, Any]) -> bool:
        try:
            text = json.dumps(entry, separators=(",", ":"), ensure_ascii=False)
            write_atomic(self.folder / entry_name(path), text.encode("utf-8"))
        except (OSError, ValueError, UnicodeError):
            return False
        return True

    def prune(self, scanned: Iterable[str] | None) -> None:
        """Delete folders of other rule sets unused for a week (keeping the most recent few), stale
        temporary files, and, when ``scanned`` lists every file of the project, entries of files
        that no longer exist. Errors are ignored: another scan may be pruning too."""
        now = time.time()
        base = self.cache_dir / ENTRIES
        folders: list[tuple[float, Path]] = []
        try:
            for child in base.iterdir():
                if child == self.folder or not child.is_dir() or child.is_symlink():
                    continue
                try:
                    used = (child / "last-used").stat().st_mtime
                except OSError:
                    used = child.stat().st_mtime
                folders.append((used, child))
        except OSError:
            return
        folders.sort(reverse=True)
        for index, (used, child) in enumerate(folders):
            if now - used > PRUNE_AFTER_S or index >= KEEP_FOLDERS - 1:
                shutil.rmtree(child, ignore_errors=True)
        keep = {entry_name(p) for p in scanned} if scanned is not None else None
        try:
            children = list(os.scandir(self.folder))
        except OSError:
            return
        for child in children:
            name = child.name
            try:
                if name.endswith(".tmp"):
                    if now - child.stat().st_mtime > STALE_TMP_S:
                        os.unlink(child.path)
                elif keep is not None and name.endswith(".json") and name not in keep:
                    os.unlink(child.path)
            except OSError:
                pass


def _stamped(entry: dict[str, Any], stamp: Stamp | None, read_at_ns: int) -> dict[str, Any]:
    """The entry with the file's size and mtime; the mtime only when the file had not been
    modified just before it was read (else the next run compares content hashes)."""
    trusted = stamp is not None and read_at_ns - stamp.mtime_ns > RACY_NS
    entry["size"] = stamp.size if stamp is not None else None
    entry["mtime_ns"] = stamp.mtime_ns if stamp is not None and trusted else None
    return entry


class RecordingModules:
    """``project_module`` for the fact extractor that remembers every question and its answer,
    so that the cache entry can be checked against a later project's module index."""

    def __init__(self, modules: frozenset[str] | set[str]) -> None:
        self.modules = modules
        self.asked: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        answer = name in self.modules
        self.asked[name] = answer
        return answer
