"""``--diff REF``: the project as it was at a git ref, to report only the findings introduced since.

The ref's tree is exported with ``git archive`` into a temporary folder outside the scanned tree
(nothing is written to the repository, its index or its work tree) and scanned like the current
tree; findings whose line-independent fingerprint (:func:`debtlint.engine.assign_fingerprints`)
the ref already had are not new. Fingerprints name the rule, the path and the entity, never a
line, so moving code does not make old findings new.

git is run only with arguments debtlint builds: the ref is resolved to a commit id first (and a
ref that looks like an option is refused), so nothing the user types reaches git as an option.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from debtlint.findings import Finding


class GitRefError(Exception):
    """Not a git repository, no git, or a ref that does not name a commit."""


@dataclass(frozen=True)
class RefTree:
    """The project root as it was at ``ref`` (commit ``commit``), materialised at ``root``."""

    ref: str
    commit: str
    root: Path


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *args],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitRefError("--diff needs git, and no `git` program was found on PATH") from None


def _text(output: bytes) -> str:
    return output.decode("utf-8", "replace").strip()


def resolve_ref(root: Path, ref: str) -> tuple[Path, str]:
    """The top level of the repository holding ``root`` and the commit id ``ref`` names."""
    if not ref.strip() or ref.startswith("-"):
        raise GitRefError(f"--diff {ref!r} is not a git ref; give a branch, tag or commit")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitRefError(
            f"--diff needs a git repository, and {root} is not in one ({_text(top.stderr)})"
        )
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise GitRefError(
            f"--diff {ref}: no such commit, branch or tag in {_text(top.stdout)} "
            "(in CI, fetch it first, e.g. `git fetch --depth=1 origin main` then --diff origin/main)"
        )
    return Path(_text(top.stdout)), _text(found.stdout)


@contextmanager
def materialise(root: Path, ref: str) -> Iterator[RefTree]:
    """The project at ``root`` as of ``ref``, in a temporary folder deleted on exit.

    A project in a sub-folder of the repository keeps its place: the whole folder is exported
    (so relative paths and CODEOWNERS patterns mean what they meant) and the root returned is
    the same sub-folder inside the export.
    """
    top, commit = resolve_ref(root, ref)
    try:
        prefix = Path(os.path.realpath(root)).relative_to(os.path.realpath(top)).as_posix()
    except ValueError:
        raise GitRefError(f"{root} is not inside the git repository {top}") from None
    tmp = Path(tempfile.mkdtemp(prefix="debtlint-diff-"))
    try:
        _export(top, commit, "" if prefix == "." else prefix, tmp)
        ref_root = tmp / prefix if prefix != "." else tmp
        ref_root.mkdir(parents=True, exist_ok=True)  # the project did not exist at the ref
        yield RefTree(ref, commit, ref_root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _export(top: Path, commit: str, prefix: str, target: Path) -> None:
    """Stream ``git archive`` of ``commit`` (only ``prefix`` when given) into ``target``."""
    args = ["git", "-C", str(top), "archive", "--format=tar", commit]
    if prefix:
        args += ["--", prefix]
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL
            )
        except FileNotFoundError:
            raise GitRefError("--diff needs git, and no `git` program was found on PATH") from None
        assert process.stdout is not None
        try:
            with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
                _extract(archive, target)
            # tar stops at its end marker; git may still be writing the record's padding, and
            # closing the pipe under it would kill git with SIGPIPE.
            while process.stdout.read(1 << 16):
                pass
        except tarfile.ReadError:
            pass  # an empty archive (a pathspec matching nothing) has no tar header at all
        except (tarfile.TarError, OSError) as exc:
            process.kill()
            process.wait()
            raise GitRefError(f"cannot export {commit[:12]} into {target}: {exc}") from None
        finally:
            process.stdout.close()
        if process.wait() != 0:
            errors.seek(0)
            message = _text(errors.read())
            if prefix and "did not match any files" in message:
                return  # the project folder did not exist at that commit
            raise GitRefError(f"git archive {commit[:12]} failed: {message}")


def _extract(archive: tarfile.TarFile, target: Path) -> None:
    if hasattr(tarfile, "data_filter"):
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        archive.extractall(target, filter="data")
        return
    # Pythons without extraction filters (before 3.10.12 / 3.11.4): plain files and folders
    # with safe names only. Discovery never follows symbolic links, so skipping them loses nothing.
    for member in archive:
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts:
            raise tarfile.TarError(f"unsafe path in the archive: {member.name!r}")
        if member.isfile() or member.isdir():
            archive.extract(member, target)


def ref_paths(paths: Sequence[Path], root: Path, ref_root: Path) -> list[Path] | None:
    """The scan targets inside the ref's tree; None when none of them existed there (nothing to
    scan: every current finding is new). An empty ``paths`` means the whole project."""
    if not paths:
        return []
    mapped = []
    for path in paths:
        try:
            rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
        except ValueError:
            continue
        candidate = ref_root / rel
        if candidate.exists():
            mapped.append(candidate)
    return mapped or None


def only_new(findings: Sequence[Finding], ref_fingerprints: set[str]) -> list[Finding]:
    """Findings the ref did not have. Internal errors (DL000) always stay: they must keep failing
    the run until fixed, whatever the ref had."""
    return [f for f in findings if f.code == "DL000" or f.fingerprint not in ref_fingerprints]
