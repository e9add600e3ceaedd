"""Tests for reading settings and the ML manifest (debtlint.config)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from debtlint.config import (
    KNOWN_KEYS,
    ConfigError,
    ConsumerDecl,
    DataDecl,
    ModelDecl,
    Settings,
    cache_dir_path,
    find_project_root,
    load_settings,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_error(root: Path, config_file: Path | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(root, config_file)
    return info.value


# --- defaults ---------------------------------------------------------------------------------


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings == Settings(root=tmp_path)
    assert settings.config_files == []
    assert settings.exclude is None
    assert settings.select is None
    assert settings.respect_gitignore is True
    assert settings.max_file_size == 1_000_000
    assert settings.fail_under is None
    assert settings.models == {} and settings.data == {} and settings.consumers == {}
    assert settings.line_of("select") == ("", None)


def test_empty_yaml_gives_defaults_but_is_listed(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "# nothing configured yet\n")
    settings = load_settings(tmp_path)
    assert settings.config_files == ["debtlint.yaml"]
    assert settings.select is None
    assert settings.ignore == []


def test_pyproject_without_table_is_not_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    settings = load_settings(tmp_path)
    assert settings.config_files == []
    assert settings.exclude is None


def test_known_keys_are_sorted_and_complete() -> None:
    assert list(KNOWN_KEYS) == sorted(KNOWN_KEYS)
    assert {"select", "extend-exclude", "rule-options", "models", "data", "consumers"} <= set(
        KNOWN_KEYS
    )


# --- the two file forms ---------------------------------------------------------------------


def test_yaml_settings(tmp_path: Path) -> None:
    write(
        tmp_path / "debtlint.yaml",
        """
        exclude: [build/]
        extend-exclude: [legacy/]
        respect-gitignore: false
        select: [DL1, DL201]
        extend-select: [DL3]
        ignore: [DL203]
        severity:
          DL101: warning
          DL2: info
        rule-options:
          DL101:
            threshold: 3
            names: [a, b]
        fail-under: 75
        rule-packs: [tools/rules]
        api-catalogs: [catalogs/./internal.yaml]
        max-file-size: 2048
        """,
    )
    settings = load_settings(tmp_path)
    assert settings.config_files == ["debtlint.yaml"]
    assert settings.exclude == ["build/"]
    assert settings.extend_exclude == ["legacy/"]
    assert settings.respect_gitignore is False
    assert settings.select == ["DL1", "DL201"]
    assert settings.extend_select == ["DL3"]
    assert settings.ignore == ["DL203"]
    assert settings.severity == {"DL101": "warning", "DL2": "info"}
    assert settings.rule_options == {"DL101": {"threshold": 3, "names": ["a", "b"]}}
    assert settings.fail_under == 75.0 and isinstance(settings.fail_under, float)
    assert settings.rule_packs == ["tools/rules"]
    assert settings.api_catalogs == ["catalogs/internal.yaml"]  # normalised
    assert settings.max_file_size == 2048
    assert settings.line_of("rule-options.DL101.threshold") == ("debtlint.yaml", 12)
    assert settings.line_of("select") == ("debtlint.yaml", 4)


def test_dot_debtlint_yaml_is_accepted(tmp_path: Path) -> None:
    write(tmp_path / ".debtlint.yaml", "ignore: [DL203]\n")
    settings = load_settings(tmp_path)
    assert settings.config_files == [".debtlint.yaml"]
    assert settings.ignore == ["DL203"]


def test_both_yaml_names_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "ignore: [DL203]\n")
    write(tmp_path / ".debtlint.yaml", "ignore: [DL204]\n")
    error = load_error(tmp_path)
    assert "debtlint.yaml" in error.message and ".debtlint.yaml" in error.message
    assert "keep only one" in error.message


def test_pyproject_settings_and_lines(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "demo"

        [tool.debtlint]
        select = ["DL1"]
        extend-exclude = [
            "legacy/",  # old = code
            "vendor/",
        ]
        fail-under = 80.5
        ignore = ["DL203"]

        [tool.debtlint.rule-options.DL101]
        threshold = 3

        [tool.other]
        select = "not ours"
        """,
    )
    settings = load_settings(tmp_path)
    assert settings.config_files == ["pyproject.toml"]
    assert settings.select == ["DL1"]
    assert settings.extend_exclude == ["legacy/", "vendor/"]
    assert settings.ignore == ["DL203"]
    assert settings.fail_under == 80.5
    assert settings.rule_options == {"DL101": {"threshold": 3}}
    assert settings.line_of("select") == ("pyproject.toml", 5)
    assert settings.line_of("fail-under") == ("pyproject.toml", 10)
    assert settings.line_of("ignore") == ("pyproject.toml", 11)
    assert settings.line_of("rule-options") == ("pyproject.toml", 13)
    assert settings.line_of("rule-options.DL101.threshold") == ("pyproject.toml", 14)


def test_toml_line_map_skips_multiline_strings(tmp_path: Path) -> None:
    # A key-looking line inside a multi-line string must not move the line of a later real key.
    write(
        tmp_path / "pyproject.toml",
        '''
        [tool.debtlint]
        models.churn.description = """
        ignore = ["x"]
        """
        ignore = ["DL203"]
        ''',
    )
    settings = load_settings(tmp_path)
    assert settings.models["churn"].description == 'ignore = ["x"]\n'
    assert settings.line_of("ignore") == ("pyproject.toml", 5)
    assert settings.line_of("models.churn.description") == ("pyproject.toml", 2)


def test_yaml_and_pyproject_with_disjoint_keys(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "models:\n  churn:\n    owner: ml-team\n")
    write(tmp_path / "pyproject.toml", '[tool.debtlint]\nselect = ["DL1"]\n')
    settings = load_settings(tmp_path)
    assert settings.config_files == ["debtlint.yaml", "pyproject.toml"]
    assert settings.select == ["DL1"]
    assert settings.models["churn"].owner == ["ml-team"]
    assert settings.line_of("select") == ("pyproject.toml", 2)
    assert settings.line_of("models.churn.owner") == ("debtlint.yaml", 3)


def test_overlapping_keys_is_an_error_naming_both_files(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "ignore: [DL203]\nselect: [DL1]\n")
    write(tmp_path / "pyproject.toml", '[tool.debtlint]\n\nselect = ["DL2"]\n')
    error = load_error(tmp_path)
    assert (error.file, error.line, error.key) == ("debtlint.yaml", 2, "select")
    assert "pyproject.toml:3" in error.message
    assert str(error).startswith("debtlint.yaml:2: select: also set in pyproject.toml:3")


def test_explicit_config_file_is_used_alone(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "select: [DL1]\n")
    custom = write(tmp_path / "ci" / "strict.yaml", "select: [DL2]\nfail-under: 90\n")
    settings = load_settings(tmp_path, custom)
    assert settings.config_files == ["ci/strict.yaml"]
    assert settings.select == ["DL2"]
    assert settings.line_of("fail-under") == ("ci/strict.yaml", 2)


def test_explicit_pyproject_needs_the_table(tmp_path: Path) -> None:
    other = write(tmp_path / "other" / "pyproject.toml", '[tool.debtlint]\nignore = ["DL1"]\n')
    assert load_settings(tmp_path, other).ignore == ["DL1"]
    bare = write(tmp_path / "bare" / "pyproject.toml", '[project]\nname = "x"\n')
    assert "[tool.debtlint]" in load_error(tmp_path, bare).message


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    error = load_error(tmp_path, tmp_path / "nope.yaml")
    assert error.file == "nope.yaml"
    assert "not found" in error.message


# --- errors with file, key and line ------------------------------------------------------------


def test_unknown_top_level_key_suggests_and_has_line(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "select: [DL1]\n\nexlude: [build/]\n")
    error = load_error(tmp_path)
    assert (error.file, error.line, error.key) == ("debtlint.yaml", 3, "exlude")
    assert error.message == "unknown key 'exlude' (did you mean 'exclude'?)"
    assert str(error) == "debtlint.yaml:3: exlude: unknown key 'exlude' (did you mean 'exclude'?)"


def test_snake_case_key_suggests_kebab_case(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "extend_select: [DL1]\n")
    assert "did you mean 'extend-select'?" in load_error(tmp_path).message


def test_unknown_key_without_close_match_lists_known_keys(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "zzzzzz: 1\n")
    message = load_error(tmp_path).message
    assert message.startswith("unknown key 'zzzzzz'; expected one of: ")
    assert "rule-options" in message


def test_unknown_key_in_pyproject_has_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.debtlint]\nselct = []\n')
    error = load_error(tmp_path)
    assert (error.file, error.line, error.key) == ("pyproject.toml", 5, "selct")
    assert "did you mean 'select'?" in error.message


def test_string_instead_of_list_is_an_error_with_line(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "ignore: []\nselect: DL101\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (2, "select")
    assert 'expected a list of strings, e.g. ["DL101"]' in error.message
    assert "got a string ('DL101')" in error.message


def test_wrong_list_item_points_at_the_item(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "ignore:\n  - DL203\n  - 42\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (3, "ignore[1]")
    assert "an integer (42)" in error.message


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("respect-gitignore: maybe\n", "respect-gitignore", "expected true or false"),
        ("fail-under: 120\n", "fail-under", "from 0 to 100"),
        ("fail-under: .nan\n", "fail-under", "from 0 to 100"),
        ("fail-under: true\n", "fail-under", "from 0 to 100"),
        ("max-file-size: 0\n", "max-file-size", "positive whole number of bytes"),
        ("max-file-size: 1.5\n", "max-file-size", "positive whole number of bytes"),
        ("severity:\n  DL101: warn\n", "severity.DL101", "(did you mean 'warning'?)"),
        ("severity: [DL101]\n", "severity", "expected a mapping"),
        ("rule-options:\n  DL101: 3\n", "rule-options.DL101", "expected a mapping"),
        ("exclude:\n", "exclude", "remove the key to use the default"),
        ("select: ['']\n", "select[0]", "non-empty string"),
    ],
)
def test_invalid_values(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    write(tmp_path / "debtlint.yaml", "# settings\n" + text)
    error = load_error(tmp_path)
    assert error.key == key
    assert error.line == text.count("\n") + 1  # every case puts the bad value on its last line
    assert fragment in error.message


def test_null_means_empty_for_keys_defaulting_to_empty(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "ignore:\nmodels:\nfail-under:\n")
    settings = load_settings(tmp_path)
    assert settings.ignore == []
    assert settings.models == {}
    assert settings.fail_under is None


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "- select\n- ignore\n")
    error = load_error(tmp_path)
    assert (error.file, error.line) == ("debtlint.yaml", 1)
    assert "expected a mapping of settings at the top level" in error.message


def test_non_string_top_level_key(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "select: []\n1: x\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (2, "1")
    assert "keys must be strings" in error.message


def test_malformed_yaml_has_line(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "select: [DL1]\nignore: [DL2\nexclude: []\n")
    error = load_error(tmp_path)
    assert error.file == "debtlint.yaml"
    assert error.line is not None and error.line >= 2
    assert "invalid YAML" in error.message
    assert str(error).startswith(f"debtlint.yaml:{error.line}: invalid YAML")


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.debtlint]\nselect = ["DL1"]\nignore = [DL2]\n')
    error = load_error(tmp_path)
    assert (error.file, error.line, error.key) == ("pyproject.toml", 3, "")
    assert error.message.startswith("invalid TOML: ")
    assert "(at line" not in error.message  # the position moved into the line field
    assert str(error).startswith("pyproject.toml:3: invalid TOML: ")


def test_toml_error_at_end_of_document_points_at_last_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.debtlint]\nselect = [\n    "DL1",\n')
    error = load_error(tmp_path)
    assert (error.file, error.line) == ("pyproject.toml", 3)
    assert error.message.endswith("at the end of the file; fix the syntax")


def test_tool_debtlint_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool]\ndebtlint = 3\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (2, "tool.debtlint")
    assert "expected a table" in error.message


def test_error_str_omits_unknown_parts() -> None:
    assert str(ConfigError("a.yaml", None, "", "bad")) == "a.yaml: bad"
    assert str(ConfigError("a.yaml", 4, "select", "bad")) == "a.yaml:4: select: bad"
    assert str(ConfigError("a.yaml", None, "select", "bad")) == "a.yaml: select: bad"


# --- the ML manifest ----------------------------------------------------------------------------

MANIFEST = """
models:
  churn:
    owner: ml-team
    code: [src/churn/*.py]
    artifacts: [models/churn/*.pkl]
    class: ChurnClassifier
    consumers: [billing-api, some-free-text]
    description: Predicts churn.
  ranker:
    owner: [alice, bob]
    class: [LGBMRanker, Reranker]
  bare:
data:
  data/raw/*.csv:
    owner: data-team
    description: Raw exports
    version: "1.10"
    external: true
  data/features.parquet:
consumers:
  billing-api:
    paths: [services/billing/**]
    models: [churn]
"""


def test_manifest_models_data_consumers(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", MANIFEST)
    settings = load_settings(tmp_path)
    assert settings.models["churn"] == ModelDecl(
        name="churn",
        owner=["ml-team"],
        code=["src/churn/*.py"],
        artifacts=["models/churn/*.pkl"],
        classes=["ChurnClassifier"],
        consumers=["billing-api", "some-free-text"],
        description="Predicts churn.",
        line=2,
        file="debtlint.yaml",
    )
    ranker = settings.models["ranker"]
    assert ranker.owner == ["alice", "bob"]
    assert ranker.classes == ["LGBMRanker", "Reranker"]
    assert ranker.code == [] and ranker.description == "" and ranker.line == 9
    assert settings.models["bare"] == ModelDecl(name="bare", line=12, file="debtlint.yaml")
    assert settings.data["data/raw/*.csv"] == DataDecl(
        pattern="data/raw/*.csv",
        owner=["data-team"],
        description="Raw exports",
        version="1.10",
        external=True,
        line=14,
        file="debtlint.yaml",
    )
    assert settings.data["data/features.parquet"] == DataDecl(
        pattern="data/features.parquet", line=19, file="debtlint.yaml"
    )
    assert settings.consumers == {
        "billing-api": ConsumerDecl(
            name="billing-api",
            paths=["services/billing/**"],
            models=["churn"],
            line=21,
            file="debtlint.yaml",
        )
    }
    # Dotted lookups work even though the data pattern itself contains dots.
    assert settings.line_of("data.data/raw/*.csv.version") == ("debtlint.yaml", 17)
    assert settings.line_of("models.churn.consumers.1") == ("debtlint.yaml", 7)


def test_data_list_form(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "data:\n  - data/a.csv\n  - data/b/*.parquet\n")
    settings = load_settings(tmp_path)
    assert list(settings.data) == ["data/a.csv", "data/b/*.parquet"]
    assert settings.data["data/b/*.parquet"] == DataDecl(
        pattern="data/b/*.parquet", line=3, file="debtlint.yaml"
    )


def test_manifest_in_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.debtlint.models.churn]
        owner = "ml-team"
        code = ["src/churn.py"]

        [tool.debtlint.data."data/raw.csv"]
        external = true
        """,
    )
    settings = load_settings(tmp_path)
    churn = settings.models["churn"]
    assert (churn.owner, churn.code, churn.line, churn.file) == (
        ["ml-team"],
        ["src/churn.py"],
        1,
        "pyproject.toml",
    )
    raw = settings.data["data/raw.csv"]
    assert raw.external is True and raw.line == 5


def test_unknown_key_in_model_entry_has_line(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "models:\n  churn:\n    owner: ml\n    artefacts: [m.pkl]\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (4, "models.churn.artefacts")
    assert error.message == "unknown key 'artefacts' (did you mean 'artifacts'?)"


def test_unknown_key_in_data_and_consumer_entries(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "data:\n  x.csv:\n    ownr: a\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (3, "data.x.csv.ownr")
    assert "did you mean 'owner'?" in error.message
    write(tmp_path / "debtlint.yaml", "consumers:\n  api:\n    path: [a/**]\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (3, "consumers.api.path")
    assert "did you mean 'paths'?" in error.message


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("models:\n  m:\n    owner: [1]\n", "models.m.owner[0]", "non-empty string"),
        ("models:\n  m:\n    owner: {a: 1}\n", "models.m.owner", "a string or a list"),
        ("models:\n  m:\n    code: src/m.py\n", "models.m.code", "expected a list of strings"),
        ("models:\n  m: src/m.py\n", "models.m", "expected a mapping"),
        ("models: [m]\n", "models", "expected a mapping"),
        ("data:\n  x.csv:\n    version: 1.10\n", "data.x.csv.version", "quote versions"),
        ("data:\n  x.csv:\n    external: yes please\n", "data.x.csv.external", "true or false"),
        ("data: x.csv\n", "data", "a list of paths/globs"),
        ("consumers:\n  api:\n    models: churn\n", "consumers.api.models", "list of strings"),
    ],
)
def test_invalid_manifest_values(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    write(tmp_path / "debtlint.yaml", text)
    error = load_error(tmp_path)
    assert error.key == key
    assert error.line == text.count("\n")  # every case puts the bad value on its last line
    assert fragment in error.message


# --- paths that must stay inside the root --------------------------------------------------------


def test_rule_pack_escaping_root_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write(root / "debtlint.yaml", "rule-packs:\n  - tools/rules\n  - ../shared/rules\n")
    error = load_error(root)
    assert (error.line, error.key) == (3, "rule-packs[1]")
    assert "'../shared/rules' is outside the project root" in error.message
    assert "command line" in error.message


def test_api_catalog_absolute_path_outside_root_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    outside = tmp_path / "catalog.yaml"
    write(root / "debtlint.yaml", f"api-catalogs: ['{outside}']\n")
    error = load_error(root)
    assert error.key == "api-catalogs[0]"
    assert "outside the project root" in error.message


def test_absolute_path_inside_root_is_made_relative(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", f"rule-packs: ['{tmp_path / 'tools' / 'rules'}']\n")
    assert load_settings(tmp_path).rule_packs == ["tools/rules"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_rule_pack_symlink_leaving_root_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (tmp_path / "elsewhere").mkdir()
    root.mkdir()
    (root / "rules").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    write(root / "debtlint.yaml", "rule-packs: [rules]\n")
    assert "outside the project root" in load_error(root).message


# --- find_project_root ---------------------------------------------------------------------------


def test_root_found_by_yaml_from_a_file(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "")
    source = write(tmp_path / "src" / "pkg" / "mod.py", "x = 1\n")
    assert find_project_root(source) == tmp_path
    assert find_project_root(source.parent) == tmp_path


def test_root_found_by_hidden_yaml(tmp_path: Path) -> None:
    write(tmp_path / ".debtlint.yaml", "")
    (tmp_path / "a").mkdir()
    assert find_project_root(tmp_path / "a") == tmp_path


def test_pyproject_counts_only_with_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.debtlint]\n")
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "sub"\n')
    (tmp_path / "sub" / "src").mkdir()
    assert find_project_root(tmp_path / "sub" / "src") == tmp_path


def test_broken_pyproject_with_our_header_still_marks_root(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.debtlint]\nselect = [\n")
    (tmp_path / "src").mkdir()
    assert find_project_root(tmp_path / "src") == tmp_path


def test_git_marks_root_and_nearest_wins(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    inner = tmp_path / "packages" / "inner"
    write(inner / "debtlint.yaml", "")
    (inner / "src").mkdir()
    (tmp_path / "other").mkdir()
    assert find_project_root(inner / "src") == inner
    assert find_project_root(tmp_path / "other") == tmp_path


def test_git_file_of_a_worktree_marks_root(tmp_path: Path) -> None:
    write(tmp_path / ".git", "gitdir: /somewhere/else\n")
    (tmp_path / "src").mkdir()
    assert find_project_root(tmp_path / "src") == tmp_path


def test_root_is_absolute_and_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a")
    assert find_project_root(Path("b/../b")) == tmp_path


def test_no_marker_returns_start_dir_or_file_parent(tmp_path: Path) -> None:
    # Markers above the temporary directory would legitimately win, so only test without them.
    if find_project_root(tmp_path) != tmp_path:
        pytest.skip("the temporary directory lies inside a project")
    start = tmp_path / "x" / "y"
    start.mkdir(parents=True)
    file = write(start / "f.py", "")
    assert find_project_root(start) == start
    assert find_project_root(file) == start


# --- per-file-ignores, per-rule-ignores, baseline (issue 8) ------------------------------------


def test_per_file_ignores_keep_file_order_and_negation(tmp_path: Path) -> None:
    write(
        tmp_path / "debtlint.yaml",
        """
        per-file-ignores:
          "tests/**": [DL201]
          "!src/**": [DL4, unowned-model]
        """,
    )
    settings = load_settings(tmp_path)
    assert settings.per_file_ignores == [
        ("tests/**", ["DL201"]),
        ("!src/**", ["DL4", "unowned-model"]),
    ]
    assert {"per-file-ignores", "per-rule-ignores", "baseline"} <= set(KNOWN_KEYS)


def test_per_file_ignores_from_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.debtlint.per-file-ignores]
        "notebooks/**" = ["DL201"]
        """,
    )
    assert load_settings(tmp_path).per_file_ignores == [("notebooks/**", ["DL201"])]


@pytest.mark.parametrize(
    "body, line, key, message",
    [
        ('per-file-ignores:\n  "!": [DL201]\n', 2, "per-file-ignores.!", "write one '!' then"),
        ('per-file-ignores:\n  "tests/**": DL201\n', 2, "per-file-ignores.tests/**", "a list"),
        ("per-file-ignores: [tests/]\n", 1, "per-file-ignores", "expected a mapping"),
        ("per-rule-ignores:\n  DL201: data/*\n", 2, "per-rule-ignores.DL201", "a list"),
        ("per-rule-ignores:\n  DL201: [data/*, 3]\n", 2, "per-rule-ignores.DL201[1]", "string"),
        ("baseline: 3\n", 1, "baseline", "expected a file path"),
        ("baseline: ../elsewhere.json\n", 1, "baseline", "outside the project root"),
    ],
)
def test_ignore_and_baseline_errors_name_file_line_and_key(
    tmp_path: Path, body: str, line: int, key: str, message: str
) -> None:
    write(tmp_path / "debtlint.yaml", body)
    error = load_error(tmp_path)
    assert (error.file, error.line, error.key) == ("debtlint.yaml", line, key)
    assert message in error.message


def test_per_rule_ignores_and_baseline(tmp_path: Path) -> None:
    write(
        tmp_path / "debtlint.yaml",
        """
        per-rule-ignores:
          DL201: ["data/scratch/*"]
        baseline: ./ci/debtlint-baseline.json
        """,
    )
    settings = load_settings(tmp_path)
    assert settings.per_rule_ignores == {"DL201": ["data/scratch/*"]}
    assert settings.baseline == "ci/debtlint-baseline.json"


# --- performance: jobs and cache-dir ------------------------------------------------------------


def test_jobs_and_cache_dir(tmp_path: Path) -> None:
    write(tmp_path / "debtlint.yaml", "jobs: 3\ncache-dir: build/lint-cache\n")
    settings = load_settings(tmp_path)
    assert settings.jobs == 3
    assert cache_dir_path(settings) == tmp_path / "build" / "lint-cache"
    assert settings.use_cache is False  # only the command line turns the cache on


def test_performance_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.jobs is None  # all cores
    assert cache_dir_path(settings) == tmp_path / ".debtlint_cache"
    write(tmp_path / "debtlint.yaml", "jobs:\ncache-dir:\n")
    settings = load_settings(tmp_path)
    assert settings.jobs is None and cache_dir_path(settings) == tmp_path / ".debtlint_cache"


def test_cache_dir_may_be_absolute_or_in_the_home_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(tmp_path / "project" / "debtlint.yaml", f"cache-dir: {elsewhere}\n")
    assert cache_dir_path(load_settings(tmp_path / "project")) == elsewhere
    write(tmp_path / "project" / "debtlint.yaml", "cache-dir: ~/.cache/debtlint\n")
    home = Path(os.path.expanduser("~"))
    assert cache_dir_path(load_settings(tmp_path / "project")) == home / ".cache" / "debtlint"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("jobs: 0\n", "from 1 to 1024"),
        ("jobs: 5000\n", "got 5000"),
        ("jobs: two\n", "got a string"),
        ("jobs: true\n", "got a boolean"),
        ("jobs: 1.5\n", "whole number"),
        ("cache-dir: 3\n", "expected a folder path"),
        ("cache-dir: ''\n", "expected a folder path"),
        ("cache-dir: .\n", "project root or a folder above it"),
        ("cache-dir: ..\n", "project root or a folder above it"),
        ("cache-dir: sub/../..\n", "project root or a folder above it"),
    ],
)
def test_invalid_performance_settings(tmp_path: Path, text: str, fragment: str) -> None:
    write(tmp_path / "debtlint.yaml", "# settings\n" + text)
    error = load_error(tmp_path)
    assert (error.file, error.line, error.key) == ("debtlint.yaml", 2, text.split(":")[0])
    assert fragment in error.message


def test_performance_settings_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.debtlint]\njobs = 2\ncache-dir = ".cache/dl"\n')
    settings = load_settings(tmp_path)
    assert settings.jobs == 2 and cache_dir_path(settings) == tmp_path / ".cache" / "dl"
