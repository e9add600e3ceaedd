"""Tests for finding the files to lint (debtlint.discovery)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from debtlint.discovery import (
    EXCLUDED_REASON,
    GITIGNORED_REASON,
    SYMLINK_REASON,
    DiscoveryError,
    discover,
)


def make(root: Path, *files: str, text: str = "x = 1\n") -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def symlink(link: Path, target: str, *, directory: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=directory)
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")


# --- walking and default excludes -------------------------------------------------------------


def test_walk_is_sorted_posix_and_prunes_default_excludes(tmp_path: Path) -> None:
    make(
        tmp_path,
        "b.py",
        "a.py",
        "pkg/env.py",  # a module named like an excluded directory is still source
        "pkg/sub/c.py",
        "notes.txt",
        "node_modules/x/y.py",
        ".venv/lib/z.py",
        "build/gen.py",
        "pkg/__pycache__/c.py",
        "pkg/mod.egg-info/d.py",
        ".git/hooks/pre-commit.py",
    )
    found = discover(tmp_path)
    assert found.files == ["a.py", "b.py", "pkg/env.py", "pkg/sub/c.py"]
    assert found.skipped == []


def test_unusual_names_work(tmp_path: Path) -> None:
    names = ["with space/a b.py", "braces {x}/[y].py", "données/modèle_é.py", "*star/q?.py"]
    make(tmp_path, *names)
    assert discover(tmp_path).files == sorted(names)


def test_other_extensions(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "b.pyi", "c.ipynb")
    assert discover(tmp_path, extensions=(".pyi", ".ipynb")).files == ["b.pyi", "c.ipynb"]


def test_virtual_environments_are_found_by_content_not_name(tmp_path: Path) -> None:
    make(tmp_path, "src/a.py", "py311/pyvenv.cfg", "py311/lib/site.py", "tools/lib/t.py")
    (tmp_path / "tools" / "conda-meta").mkdir()
    found = discover(tmp_path)
    assert found.files == ["src/a.py"]
    reasons = dict(found.skipped)
    assert "pyvenv.cfg" in reasons["py311"]
    assert "conda-meta" in reasons["tools"]


def test_root_with_pyvenv_cfg_is_still_linted(tmp_path: Path) -> None:
    make(tmp_path, "pyvenv.cfg", "app.py")
    assert discover(tmp_path).files == ["app.py"]


def test_max_file_size(tmp_path: Path) -> None:
    make(tmp_path, "small.py", text="x\n")
    make(tmp_path, "big.py", text="x = 1\n" * 100)
    found = discover(tmp_path, max_file_size=100)
    assert found.files == ["small.py"]
    assert found.skipped[0][0] == "big.py"
    assert "larger than 100 bytes" in found.skipped[0][1]


# --- .gitignore -------------------------------------------------------------------------------


def test_nested_gitignore_with_negation(tmp_path: Path) -> None:
    make(
        tmp_path,
        "a.gen.py",
        "local_y.py",
        "scratch/s.py",
        "sub/keep.gen.py",
        "sub/other.gen.py",
        "sub/local_x.py",
        "sub/scratch/t.py",
    )
    (tmp_path / ".gitignore").write_text("*.gen.py\n/scratch/\n")
    # A nested file overrides its parents, and applies to its own subtree only.
    (tmp_path / "sub" / ".gitignore").write_text("!keep.gen.py\nlocal_*.py\n")
    found = discover(tmp_path)
    assert found.files == ["local_y.py", "sub/keep.gen.py", "sub/scratch/t.py"]
    everything = discover(tmp_path, respect_gitignore=False).files
    assert len(everything) == 7


def test_files_in_an_ignored_directory_cannot_be_reincluded(tmp_path: Path) -> None:
    make(tmp_path, "data/x.py", "data/y.py", "main.py")
    # As in git: once data/ is excluded, nothing below it is looked at.
    (tmp_path / ".gitignore").write_text("data/\n!data/x.py\n")
    assert discover(tmp_path).files == ["main.py"]


def test_git_info_exclude_ranks_below_gitignore(tmp_path: Path) -> None:
    make(tmp_path, "secret.py", "private_keep.py", "main.py")
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("secret.py\nprivate_*.py\n")
    (tmp_path / ".gitignore").write_text("!private_keep.py\n")
    assert discover(tmp_path).files == ["main.py", "private_keep.py"]


# --- exclude / extend_exclude -----------------------------------------------------------------


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    make(tmp_path, "build/x.py", "legacy/y.py", "src/z.py", "src/z_test.py")
    assert discover(tmp_path).files == ["legacy/y.py", "src/z.py", "src/z_test.py"]
    assert discover(tmp_path, extend_exclude=["legacy/", "*_test.py"]).files == ["src/z.py"]
    # build/ is only excluded by default; replacing the list brings it back.
    replaced = discover(tmp_path, exclude=["legacy/"]).files
    assert replaced == ["build/x.py", "src/z.py", "src/z_test.py"]


def test_use_default_excludes_false_excludes_nothing(tmp_path: Path) -> None:
    make(tmp_path, "build/x.py", "src/z.py")
    assert discover(tmp_path, use_default_excludes=False).files == ["build/x.py", "src/z.py"]


def test_invalid_exclude_pattern_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="invalid exclude pattern"):
        discover(tmp_path, extend_exclude=["!"])


# --- symlinks and unreadable directories ------------------------------------------------------


def test_symlinks_are_reported_not_followed(tmp_path: Path) -> None:
    make(tmp_path, "real.py", "pkg/mod.py", "README.md")
    symlink(tmp_path / "link.py", "real.py")
    symlink(tmp_path / "linkdir", "pkg", directory=True)
    symlink(tmp_path / "pkg" / "loop", "..", directory=True)
    symlink(tmp_path / "gone.py", "missing.py")
    symlink(tmp_path / "readme_link.md", "README.md")  # not a candidate: not reported
    found = discover(tmp_path)
    assert found.files == ["pkg/mod.py", "real.py"]
    assert found.skipped == [
        ("gone.py", SYMLINK_REASON),
        ("link.py", SYMLINK_REASON),
        ("linkdir", SYMLINK_REASON),
        ("pkg/loop", SYMLINK_REASON),
    ]


def test_symlink_to_an_excluded_directory_is_silently_excluded(tmp_path: Path) -> None:
    make(tmp_path, "app.py", "elsewhere/lib/x.py")
    symlink(tmp_path / ".venv", "elsewhere", directory=True)
    found = discover(tmp_path, [tmp_path / "app.py"])
    assert found.files == ["app.py"]
    assert discover(tmp_path).skipped == []


def test_explicit_path_through_a_symlink_is_not_followed(tmp_path: Path) -> None:
    make(tmp_path, "pkg/mod.py")
    symlink(tmp_path / "alias", "pkg", directory=True)
    found = discover(tmp_path, [tmp_path / "alias" / "mod.py"])
    assert found.files == []
    assert found.skipped == [("alias/mod.py", SYMLINK_REASON)]


@pytest.fixture
def locked_dir(tmp_path: Path) -> Iterator[Path]:
    locked = tmp_path / "locked"
    make(tmp_path, "locked/hidden.py", "open.py")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("permissions are not enforced for this user (root?)")
        yield locked
    finally:
        locked.chmod(0o755)


def test_unreadable_directory_is_recorded_not_fatal(tmp_path: Path, locked_dir: Path) -> None:
    found = discover(tmp_path)
    assert found.files == ["open.py"]
    assert found.skipped == [("locked", "permission denied")]


# --- explicitly named paths -------------------------------------------------------------------


def test_explicit_file_is_included_even_if_gitignored(tmp_path: Path) -> None:
    make(tmp_path, "scratch.py", "main.py")
    (tmp_path / ".gitignore").write_text("scratch.py\n")
    assert discover(tmp_path).files == ["main.py"]
    assert discover(tmp_path, [tmp_path / "scratch.py"]).files == ["scratch.py"]


def test_config_excludes_still_apply_to_explicit_paths(tmp_path: Path) -> None:
    make(tmp_path, "build/gen.py", "legacy.py", "notes.txt")
    found = discover(
        tmp_path,
        [tmp_path / "build" / "gen.py", tmp_path / "legacy.py", tmp_path / "notes.txt"],
        extend_exclude=["legacy.py"],
    )
    assert found.files == []
    reasons = dict(found.skipped)
    assert reasons["build/gen.py"] == EXCLUDED_REASON
    assert reasons["legacy.py"] == EXCLUDED_REASON
    assert "not a .py file" in reasons["notes.txt"]


def test_explicit_directory_keeps_its_ancestors_gitignore(tmp_path: Path) -> None:
    make(tmp_path, "src/pkg/a.py", "src/pkg/a_pb2.py", "src/other.py", "gen/x.py")
    (tmp_path / ".gitignore").write_text("*_pb2.py\ngen/\n")
    assert discover(tmp_path, [tmp_path / "src" / "pkg"]).files == ["src/pkg/a.py"]
    ignored = discover(tmp_path, [tmp_path / "gen"])
    assert ignored.files == []
    assert ignored.skipped == [("gen", GITIGNORED_REASON)]


def test_overlapping_paths_are_deduplicated(tmp_path: Path) -> None:
    make(tmp_path, "src/a.py")
    found = discover(tmp_path, [tmp_path, tmp_path / "src", tmp_path / "src" / "a.py"])
    assert found.files == ["src/a.py"]


def test_relative_paths_are_taken_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "src/a.py", "b.py")
    monkeypatch.chdir(tmp_path / "src")
    assert discover(tmp_path, [Path(".")]).files == ["src/a.py"]


def test_paths_outside_the_root_are_rejected(tmp_path: Path) -> None:
    make(tmp_path, "project/a.py", "elsewhere/b.py")
    root = tmp_path / "project"
    with pytest.raises(DiscoveryError, match="outside the project root"):
        discover(root, [tmp_path / "elsewhere" / "b.py"])
    with pytest.raises(DiscoveryError, match="outside the project root"):
        discover(root, [root / ".." / "elsewhere"])
    with pytest.raises(DiscoveryError, match="does not exist"):
        discover(root, [root / "missing.py"])


def test_scandir_errors_are_recorded_for_any_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chmod test above cannot run as root; this one fakes the failure instead.
    make(tmp_path, "locked/hidden.py", "open.py")
    real_scandir = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover(tmp_path)
    assert found.files == ["open.py"]
    assert found.skipped == [("locked", "permission denied")]
