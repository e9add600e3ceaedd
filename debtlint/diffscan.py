"""``debtlint scan --diff REF``: scan the ref's tree too, and keep only the findings it did not have.

The ref is scanned with its own configuration (its ``debtlint.yaml`` / ``pyproject.toml``, so an
owner removed since the ref makes the model's finding new) and the current run's choices: the
command-line rule selection, ``--config`` (its version at the ref when it lies in the project),
worker count and cache. Its cache entries are looked up in the project's own cache folder and
validated by content, so only files that differ between the trees are analysed twice. When the
ref's configuration cannot be loaded (written for an older debtlint, say), the current settings
are used for it and a note says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from debtlint.config import ConfigError, Settings, cache_dir_path, load_settings
from debtlint.engine import ScanResult, Selection, scan
from debtlint.gitref import RefTree, materialise, only_new, ref_paths


@dataclass(frozen=True)
class RefScan:
    """What the ref had: its commit and the fingerprints of its findings."""

    ref: str
    commit: str
    fingerprints: frozenset[str]
    notes: tuple[str, ...]


def scan_ref(
    settings: Settings,
    ref: str,
    paths: Sequence[Path],
    selection: Selection | None,
    config_file: Path | None,
    progress: Callable[[int, int], None] | None = None,
) -> RefScan:
    """Fingerprints of the findings of the project at ``ref`` (a GitRefError when git cannot
    give the ref; a ConfigError from the ref's rule selection propagates like the current one's)."""
    with materialise(settings.root, ref) as tree:
        notes: list[str] = []
        targets = ref_paths(paths, settings.root, tree.root)
        if targets is None:
            return RefScan(ref, tree.commit, frozenset(), tuple(notes))
        try:
            ref_settings = _ref_settings(settings, tree, config_file)
            result = scan(
                ref_settings, targets, selection, progress=progress, cache_root=settings.root
            )
        except ConfigError as exc:
            notes.append(
                f"--diff {ref}: its configuration does not work with this debtlint ({exc}); "
                "scanned it with the current settings"
            )
            ref_settings = _same_choices(replace(settings, root=tree.root), settings)
            result = scan(
                ref_settings, targets, selection, progress=progress, cache_root=settings.root
            )
        fingerprints = frozenset(f.fingerprint for f in result.findings if f.code != "DL000")
        if result.internal_errors:
            notes.append(
                f"--diff {ref}: internal errors while scanning {tree.commit[:12]}; what they hid "
                "there may be reported as new"
            )
        return RefScan(ref, tree.commit, fingerprints, tuple(notes))


def _ref_settings(current: Settings, tree: RefTree, config_file: Path | None) -> Settings:
    config = _ref_config_file(current.root, tree.root, config_file)
    return _same_choices(load_settings(tree.root, config), current)


def _same_choices(settings: Settings, current: Settings) -> Settings:
    # The baseline says nothing about what is new; the run's own performance choices apply.
    settings.baseline = None
    settings.jobs = current.jobs
    settings.use_cache = current.use_cache
    settings.cache_dir = str(cache_dir_path(current))
    settings.rule_pack_entry_points = current.rule_pack_entry_points
    return settings


def _ref_config_file(root: Path, ref_root: Path, config_file: Path | None) -> Path | None:
    """``--config`` as of the ref when the file is part of the project, else the same file."""
    if config_file is None:
        return None
    try:
        rel = Path(os.path.abspath(config_file)).relative_to(os.path.abspath(root))
    except ValueError:
        return config_file
    at_ref = ref_root / rel
    return at_ref if at_ref.is_file() else config_file


def keep_new(result: ScanResult, ref: RefScan) -> None:
    """Drop from ``result`` the findings the ref had (the score stays the current tree's)."""
    before = len(result.findings)
    result.findings = only_new(result.findings, set(ref.fingerprints))
    hidden = before - len(result.findings)
    result.notes.extend(ref.notes)
    result.notes.append(
        f"--diff {ref.ref} ({ref.commit[:12]}): {hidden} finding{'s' if hidden != 1 else ''} "
        "already there not shown; the score is the current tree's"
    )
