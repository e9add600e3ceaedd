"""Safety: a scan never imports, executes or compiles the scanned code, never opens a network
connection, writes nothing into the scanned tree but its cache and the files the user named, and
configuration cannot pull code or catalogs from outside the project."""

from __future__ import annotations

import builtins
import hashlib
import importlib
import socket
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import scan
from tests.conftest import write_tree

MARKER = "SCANNED_CODE_MARKER_4f1c"

# Each module would leave a trace if it were ever imported or run.
HOSTILE = {
    "train.py": (
        f"# {MARKER}\n"
        "import pathlib, pandas as pd\n"
        "pathlib.Path(__file__).with_name('IMPORTED').write_text('train')\n"
        "df = pd.read_csv('data/train.csv')\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "model = RandomForestClassifier(n_estimators=10).fit(df, df.y)\n"
    ),
    "pkg/__init__.py": f"# {MARKER}\nraise SystemExit('imported pkg')\n",
    "pkg/hub.py": (
        f"# {MARKER}\n"
        "from transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('bert-base-uncased')\n"
        "import urllib.request\nurllib.request.urlopen('https://example.com/data.csv')\n"
    ),
    "conftest.py": f"# {MARKER}\nimport os\nos._exit(3)\n",
    "setup.py": f"# {MARKER}\nopen('SETUP_RAN', 'w').write('x')\n",
    "notebook.ipynb": (
        '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,'
        f' "source": ["# {MARKER}\\n", "open(\'NOTEBOOK_RAN\', \'w\')\\n", "!touch SHELL_RAN\\n"]}}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    ),
}
TRACES = ("IMPORTED", "SETUP_RAN", "NOTEBOOK_RAN", "SHELL_RAN", "pkg/IMPORTED")


def _scan(root: Path) -> None:
    settings = load_settings(root)
    settings.jobs = 1  # in-process, so the patches below see everything
    result = scan(settings, [root])
    assert not result.internal_errors
    assert "train.py" in result.discovery.files


def test_scanned_code_is_never_imported_executed_or_compiled(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "proj", HOSTILE)
    seen: list[str] = []

    def spy(name, real):
        def wrapper(*args, **kwargs):
            text = args[0] if args else kwargs.get("source", "")
            if isinstance(text, (bytes, bytearray)):
                text = bytes(text).decode("utf-8", "replace")
            if isinstance(text, str) and (MARKER in text or str(root) in text):
                seen.append(f"{name}({text[:60]!r})")
            return real(*args, **kwargs)

        return wrapper

    for name in ("compile", "exec", "eval", "__import__"):
        monkeypatch.setattr(builtins, name, spy(name, getattr(builtins, name)))
    monkeypatch.setattr(importlib, "import_module", spy("import_module", importlib.import_module))
    before = set(importlib.sys.modules)
    _scan(root)
    assert seen == []
    new_modules = set(importlib.sys.modules) - before
    assert not {m for m in new_modules if m in ("train", "pkg", "pkg.hub", "conftest", "setup")}
    for trace in TRACES:
        assert not (root / trace).exists()
    assert not (Path.cwd() / "SETUP_RAN").exists()


def test_a_scan_never_opens_a_network_connection(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "proj", HOSTILE)
    attempts: list[str] = []

    def forbid(name):
        def refuse(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"network access during a scan: {name}")

        return refuse

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, forbid(name))
    _scan(root)
    assert attempts == []


def _tree_state(root: Path) -> dict[str, tuple[int, str]]:
    """Every entry under root: (mtime_ns, content hash) for files, (0, 'dir'/'link') otherwise."""
    state = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            state[rel] = (0, "link")
        elif path.is_dir():
            state[rel] = (0, "dir")
        else:
            state[rel] = (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return state


def test_a_scan_writes_only_its_cache_and_the_files_named(tmp_path, run_cli):
    root = write_tree(tmp_path / "proj", {**HOSTILE, ".git/HEAD": "ref: refs/heads/main\n"})
    (root / "data").mkdir()
    (root / "data/train.csv").write_text("a,y\n1,0\n")
    before = _tree_state(root)
    for args in (
        ["scan", root, "--exit-zero"],  # default: with the cache, whose place is inside the tree
        ["scan", root, "--exit-zero", "-j", "2"],
        ["scan", root, "--exit-zero", "--output-format", "sarif", "-o", root / "report.sarif"],
        ["scan", root, "--exit-zero", "--write-baseline", root / "baseline.json"],
    ):
        code, _, err = run_cli(*args)
        assert code == 0, err
    after = _tree_state(root)
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed == set()  # scanned files are untouched, even their mtimes
    assert not before.keys() - after.keys()
    added = after.keys() - before.keys()
    allowed = {"report.sarif", "baseline.json"}
    assert {
        a for a in added if a != ".debtlint_cache" and not a.startswith(".debtlint_cache/")
    } <= (allowed)
    assert "report.sarif" in added and "baseline.json" in added
    for trace in TRACES:
        assert trace not in added


def test_no_cache_writes_nothing_at_all(tmp_path, run_cli):
    root = write_tree(tmp_path / "proj", HOSTILE)
    before = _tree_state(root)
    code, _, _ = run_cli("scan", root, "--exit-zero", "--no-cache")
    assert code == 0
    assert _tree_state(root) == before


PACK = (
    "import pathlib\n"
    "pathlib.Path(__file__).with_name('PACK_RAN').write_text('x')\n"
    "from debtlint.api import FileRule\n"
    "class Outside(FileRule):\n"
    '    """x.\n\n    ## What it does\n    ## Why is this bad?\n    ## Example\n'
    '    ## Use instead\n    ## Options\n    ## References\n    """\n'
    '    code = "DL995"\n    name = "outside"\n    INVALID = ["x  # expect: DL995\\n"]\n'
)


@pytest.mark.parametrize("key", ["rule-packs", "api-catalogs"])
@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "symlinked-parent"])
def test_configuration_cannot_reach_outside_the_project(tmp_path, run_cli, key, how):
    outside = write_tree(
        tmp_path / "outside",
        {"pack/evil.py": PACK, "catalog.yaml": "framework: evil\napis: {}\n"},
    )
    target = outside / ("pack" if key == "rule-packs" else "catalog.yaml")
    root = write_tree(tmp_path / "proj", {"train.py": "x = 1\n"})
    if how == "dotdot":
        value = f"../outside/{target.name}"
    elif how == "absolute":
        value = str(target)
    elif how == "symlink":
        (root / "inside").symlink_to(target)
        value = "inside"
    else:
        (root / "vendor").symlink_to(outside, target_is_directory=True)
        value = f"vendor/{target.name}"
    (root / "debtlint.yaml").write_text(f"{key}: ['{value}']\n")
    code, out, err = run_cli("scan", root, "--no-cache")
    assert code == 2 and out == ""
    assert "debtlint.yaml:1" in err and key in err and "outside the project root" in err
    assert not (outside / "pack/PACK_RAN").exists()


def test_a_config_file_named_on_the_command_line_still_cannot_point_outside(tmp_path, run_cli):
    outside = write_tree(tmp_path / "outside", {"pack/evil.py": PACK})
    config = write_tree(tmp_path / "elsewhere", {"cfg.yaml": "rule-packs: ['../outside/pack']\n"})
    root = write_tree(tmp_path / "proj", {"train.py": "x = 1\n"})
    code, _, err = run_cli("scan", root, "--config", config / "cfg.yaml", "--no-cache")
    assert code == 2 and "outside the project root" in err
    assert not (outside / "pack/PACK_RAN").exists()


def test_a_rule_pack_inside_the_project_does_load(tmp_path, run_cli):
    # The counterpart of the tests above: the check is not simply refusing every pack.
    root = write_tree(
        tmp_path / "proj",
        {"lint/ok.py": PACK, "train.py": "x = 1\n", "debtlint.yaml": "rule-packs: [lint]\n"},
    )
    code, _out, err = run_cli("scan", root, "--no-cache", "--output-format", "concise")
    assert code == 0, err
    assert (root / "lint/PACK_RAN").exists()  # a pack is code the project chose to run


def test_an_output_file_that_cannot_be_written_is_a_clear_error(tmp_path, run_cli):
    root = write_tree(tmp_path / "proj", {"train.py": "x = 1\n"})
    code, _, err = run_cli("scan", root, "--no-cache", "-o", root / "missing/dir/report.txt")
    assert code == 2 and "cannot write" in err and "report.txt" in err
    assert not (root / "missing").exists()
