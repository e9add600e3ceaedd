"""Tests for reading CODEOWNERS, DVC and Kedro metadata (debtlint.metadata)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from debtlint.metadata.codeowners import CodeOwners
from debtlint.metadata.dvc import ALL_PARAMS, DvcParam, DvcPath, load_dvc
from debtlint.metadata.kedro import CatalogEntry, load_kedro_catalog


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def owners(codeowners: CodeOwners, path: str) -> tuple[str, ...] | None:
    match = codeowners.owners_of(path)
    return None if match is None else match.owners


# --- CODEOWNERS -------------------------------------------------------------------------------


def test_last_matching_pattern_wins() -> None:
    co = CodeOwners.parse("* @org/all\n*.py @py-dev\n/src/legacy/ @legacy\n", "CODEOWNERS")
    assert owners(co, "README.md") == ("@org/all",)
    assert owners(co, "src/a.py") == ("@py-dev",)
    match = co.owners_of("src/legacy/old.py")
    assert match is not None
    assert (match.owners, match.pattern, match.file, match.line) == (
        ("@legacy",),
        "/src/legacy/",
        "CODEOWNERS",
        3,
    )


def test_pattern_without_owners_unowns() -> None:
    co = CodeOwners.parse("* @everyone\n/src/generated/\n", "CODEOWNERS")
    assert co.owners_of("src/generated/pb.py") is None
    assert owners(co, "src/handwritten.py") == ("@everyone",)


def test_anchored_and_unanchored_patterns() -> None:
    co = CodeOwners.parse("/build/ @root-build\nlogs/ @logs\napps/github @gh\n", "C")
    assert owners(co, "build/out.txt") == ("@root-build",)
    assert co.owners_of("tools/build/out.txt") is None
    # A trailing slash matches the directory at any depth, and everything inside it.
    assert owners(co, "logs/a.log") == ("@logs",)
    assert owners(co, "deep/er/logs/x/a.log") == ("@logs",)
    # A slash in the middle anchors the pattern to the root.
    assert owners(co, "apps/github/x.py") == ("@gh",)
    assert co.owners_of("other/apps/github/x.py") is None


def test_directory_star_owns_direct_children_only() -> None:
    co = CodeOwners.parse("* @all\ndocs/* docs@example.com\nsrc/**/* @src\n", "C")
    assert owners(co, "docs/index.md") == ("docs@example.com",)
    assert owners(co, "docs/build-app/troubleshooting.md") == ("@all",)
    assert owners(co, "src/a/b/c.py") == ("@src",)


def test_double_star_and_question_mark() -> None:
    text = "**/tests/*.py @qa\nsrc/**/model.py @ml\nv?.txt @v\n"
    co = CodeOwners.parse(text, "C")
    assert owners(co, "tests/test_a.py") == ("@qa",)
    assert owners(co, "pkg/sub/tests/test_b.py") == ("@qa",)
    assert owners(co, "src/model.py") == ("@ml",)
    assert owners(co, "src/a/b/model.py") == ("@ml",)
    assert co.owners_of("lib/src/model.py") is None
    assert owners(co, "x/v1.txt") == ("@v",)
    assert co.owners_of("v10.txt") is None


def test_comments_escapes_and_problems() -> None:
    text = """\
        # a comment
        *.js @js-owner # an inline comment
        \\#notes.txt @hash
        !*.md @nope
        *.[ch] @c-team
        *.go golang-team
        *.rs @rust user@example.com
        """
    co = CodeOwners.parse(textwrap.dedent(text), "CODEOWNERS")
    assert owners(co, "web/app.js") == ("@js-owner",)
    assert owners(co, "#notes.txt") == ("@hash",)
    assert owners(co, "lib/a.rs") == ("@rust", "user@example.com")
    # Lines GitHub cannot parse are reported and skipped as a whole.
    assert [line for line, _ in co.problems] == [4, 5, 6]
    assert "negation" in co.problems[0][1]
    assert "character ranges" in co.problems[1][1]
    assert "'golang-team'" in co.problems[2][1]
    assert co.owners_of("main.go") is None
    assert co.owners_of("x.c") is None
    assert [rule.line for rule in co.rules] == [2, 3, 7]


def test_github_search_order(tmp_path: Path) -> None:
    assert CodeOwners.load(tmp_path) is None
    write(tmp_path, "docs/CODEOWNERS", "* @docs\n")
    write(tmp_path, "CODEOWNERS", "* @root\n")
    write(tmp_path, ".github/CODEOWNERS", "* @github\n")
    for expected_file, owner in [
        (".github/CODEOWNERS", "@github"),
        ("CODEOWNERS", "@root"),
        ("docs/CODEOWNERS", "@docs"),
    ]:
        co = CodeOwners.load(tmp_path)
        assert co is not None
        assert co.file == expected_file
        assert owners(co, "a.py") == (owner,)
        (tmp_path / expected_file).unlink()
    assert CodeOwners.load(tmp_path) is None


def test_codeowners_with_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "CODEOWNERS").write_bytes("\ufeff* @bom\n".encode())
    co = CodeOwners.load(tmp_path)
    assert co is not None
    assert owners(co, "a.py") == ("@bom",)
    assert co.problems == []


def test_many_rules_match_like_a_full_scan() -> None:
    # Lines are bucketed by their literal top directory; the answer must not change.
    lines = ["* @all"] + [f"/team{i}/ @t{i}" for i in range(50)] + ["*.md @writers", "team7/x/"]
    co = CodeOwners.parse("\n".join(lines), "C")
    assert owners(co, "team3/a.py") == ("@t3",)
    assert owners(co, "team3/README.md") == ("@writers",)
    assert owners(co, "nobody/a.py") == ("@all",)
    assert co.owners_of("team7/x/y.py") is None
    assert owners(co, "./team9/z.py") == ("@t9",)


# --- DVC --------------------------------------------------------------------------------------


def test_dvc_paths_are_relative_to_the_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        "sub/dvc.yaml",
        """
        stages:
          prep:
            cmd: python prep.py
            deps:
              - data/raw.csv
              - ../shared/lookup.csv
            params:
              - prep.seed
            outs:
              - data/prepared/
          top:
            wdir: ..
            cmd: [python top.py, echo done]
            deps:
              - sub/data/prepared
            params:
              - top.k
        """,
    )
    project = load_dvc(tmp_path)
    assert project.problems == []
    prep, top = project.stages
    assert (prep.name, prep.file, prep.line) == ("prep", "sub/dvc.yaml", 2)
    assert [d.path for d in prep.deps] == ["sub/data/raw.csv", "shared/lookup.csv"]
    assert prep.deps[0] == DvcPath("sub/data/raw.csv", "sub/dvc.yaml", 5)
    assert [o.path for o in prep.outs] == ["sub/data/prepared"]
    assert prep.params == [DvcParam("prep.seed", "sub/params.yaml", 8)]
    # wdir moves every path of the stage, including its default params file.
    assert top.cmd == ["python top.py", "echo done"]
    assert [d.path for d in top.deps] == ["sub/data/prepared"]
    assert top.params == [DvcParam("top.k", "params.yaml", 17)]


def test_dvc_long_form_outs_metrics_and_plots(tmp_path: Path) -> None:
    write(
        tmp_path,
        "dvc.yaml",
        """
        stages:
          train:
            cmd: python train.py
            outs:
              - model.pkl:
                  cache: false
              - features/
              - s3://bucket/export.parquet
            metrics:
              - metrics.json:
                  cache: false
            plots:
              - plots/roc.csv:
                  x: fpr
                  y: tpr
        """,
    )
    stage = load_dvc(tmp_path).stages[0]
    assert [(o.path, o.cache, o.line) for o in stage.outs] == [
        ("model.pkl", False, 5),
        ("features", True, 7),
        ("s3://bucket/export.parquet", True, 8),
    ]
    assert [(m.path, m.cache) for m in stage.metrics] == [("metrics.json", False)]
    assert [p.path for p in stage.plots] == ["plots/roc.csv"]


def test_dvc_params_forms_and_params_files(tmp_path: Path) -> None:
    write(tmp_path, "params.yaml", "train:\n  lr: 0.1\n")
    write(tmp_path, "conf/custom.yaml", "model:\n  depth: 3\n")
    write(
        tmp_path,
        "dvc.yaml",
        """
        stages:
          train:
            cmd: python train.py
            params:
              - train.lr
              - conf/custom.yaml:
                  - model.depth
              - other.json:
        """,
    )
    project = load_dvc(tmp_path)
    assert project.stages[0].params == [
        DvcParam("train.lr", "params.yaml", 5),
        DvcParam("model.depth", "conf/custom.yaml", 7),
        DvcParam(ALL_PARAMS, "other.json", 8),
    ]
    assert project.params == {
        "params.yaml": {"train": {"lr": 0.1}},
        "conf/custom.yaml": {"model": {"depth": 3}},
    }


def test_dvc_foreach_matrix_and_vars_are_kept_literally(tmp_path: Path) -> None:
    write(
        tmp_path,
        "dvc.yaml",
        """
        vars:
          - models: [a, b]
        stages:
          fit:
            foreach: ${models}
            do:
              cmd: python fit.py ${item}
              outs:
                - models/${item}.pkl
          grid:
            matrix:
              lr: [0.1, 0.01]
            cmd: python grid.py --lr ${item.lr}
            outs:
              - grid/${item.lr}/
        """,
    )
    project = load_dvc(tmp_path)
    assert project.problems == []
    fit, grid = project.stages
    assert fit.cmd == ["python fit.py ${item}"]
    assert fit.outs == [DvcPath("models/${item}.pkl", "dvc.yaml", 9)]
    assert [o.path for o in grid.outs] == ["grid/${item.lr}"]


def test_dvc_tracked_files(tmp_path: Path) -> None:
    write(tmp_path, "data/raw.dvc", "outs:\n- md5: abc\n  path: raw\n  cache: false\n")
    write(tmp_path, "images.dvc", "outs:\n- path: images\n")
    project = load_dvc(tmp_path)
    assert project.tracked == [
        DvcPath("data/raw", "data/raw.dvc", 3, cache=False),
        DvcPath("images", "images.dvc", 2),
    ]


def test_dvc_malformed_files_become_problems(tmp_path: Path) -> None:
    write(tmp_path, "a/dvc.yaml", "stages:\n  broken: [unclosed\n")
    write(tmp_path, "b/dvc.yaml", "stages:\n  - not a mapping\n")
    write(tmp_path, "c/dvc.yaml", "vars: []\n")  # no stages at all is fine
    write(
        tmp_path,
        "d/dvc.yaml",
        """
        stages:
          s:
            deps: data.csv
            outs:
              - 42
              - out.bin:
                  cache: maybe
            params:
              - 7
          t: just a string
        """,
    )
    write(tmp_path, "e.dvc", "outs: nope\n")
    project = load_dvc(tmp_path)
    problems = {(file, line): message for file, line, message in project.problems}
    assert "invalid YAML" in problems[("a/dvc.yaml", 3)]
    assert "'stages' must be a mapping" in problems[("b/dvc.yaml", 1)]
    assert not any(file.startswith("c/") for file, _ in problems)
    assert "has no 'cmd'" in problems[("d/dvc.yaml", 2)]
    assert "'deps' must be a list" in problems[("d/dvc.yaml", 3)]
    assert "must be a path" in problems[("d/dvc.yaml", 5)]
    assert "'cache'" in problems[("d/dvc.yaml", 6)]
    assert "'params'" in problems[("d/dvc.yaml", 9)]
    assert "must be a mapping" in problems[("d/dvc.yaml", 10)]
    assert "'outs' must be a list" in problems[("e.dvc", 1)]
    # What could be read is still there.
    stage = next(s for s in project.stages if s.file == "d/dvc.yaml")
    assert [o.path for o in stage.outs] == ["d/out.bin"]


def test_dvc_search_skips_excluded_dirs_and_honours_files(tmp_path: Path) -> None:
    stage = "stages:\n  s:\n    cmd: run\n"
    write(tmp_path, "dvc.yaml", stage)
    write(tmp_path, "node_modules/pkg/dvc.yaml", stage)
    write(tmp_path, ".venv/dvc.yaml", stage)
    write(tmp_path, "other/dvc.yaml", stage)
    assert [s.file for s in load_dvc(tmp_path).stages] == ["dvc.yaml", "other/dvc.yaml"]
    chosen = load_dvc(tmp_path, files=["other/dvc.yaml", "src/a.py"])
    assert [s.file for s in chosen.stages] == ["other/dvc.yaml"]


# --- Kedro ------------------------------------------------------------------------------------


def test_kedro_catalog(tmp_path: Path) -> None:
    write(
        tmp_path,
        "conf/base/catalog.yml",
        """
        _csv: &csv
          type: pandas.CSVDataset
        companies:
          <<: *csv
          filepath: ./data/01_raw/../01_raw/companies.csv
        model:
          type: pickle.PickleDataset
          filepath: data/06_models/model.pkl
          versioned: true
        remote:
          type: pandas.ParquetDataset
          filepath: s3://bucket/remote.parquet
        parts:
          type: partitions.PartitionedDataset
          path: data/02_intermediate/parts/
          dataset: pandas.CSVDataset
        """,
    )
    write(tmp_path, "conf/base/catalog/sub/extra.yaml", "extra:\n  type: MemoryDataset\n")
    write(tmp_path, "conf/base/pipelines/ds/catalog_ds.yml", "ds:\n  type: MemoryDataset\n")
    write(tmp_path, "conf/base/parameters.yml", "not_a_dataset:\n  type: nope\n")
    entries, problems = load_kedro_catalog(tmp_path)
    assert problems == []
    by_name = {entry.name: entry for entry in entries}
    assert set(by_name) == {"companies", "model", "remote", "parts", "extra", "ds"}
    assert by_name["companies"] == CatalogEntry(
        "companies",
        "pandas.CSVDataset",
        "data/01_raw/companies.csv",
        "conf/base/catalog.yml",
        3,
        False,
    )
    assert by_name["model"].versioned is True
    assert by_name["remote"].filepath == "s3://bucket/remote.parquet"
    assert by_name["parts"].filepath == "data/02_intermediate/parts"
    assert by_name["extra"].file == "conf/base/catalog/sub/extra.yaml"
    assert by_name["extra"].filepath is None


def test_kedro_problems_and_missing_conf(tmp_path: Path) -> None:
    assert load_kedro_catalog(tmp_path) == ([], [])
    write(tmp_path, "conf/base/catalog.yml", "a:\n  filepath: x.csv\nb: 3\nc:\n  type: [oops\n")
    write(tmp_path, "conf/local/catalog.yml", "- a list\n")
    write(tmp_path, "conf/prod/catalog.yml", "ok:\n  type: T\n  versioned: sometimes\n")
    entries, problems = load_kedro_catalog(tmp_path)
    assert entries == [CatalogEntry("ok", "T", None, "conf/prod/catalog.yml", 1, False)]
    assert ("conf/local/catalog.yml", 1, "a catalog must be a mapping of dataset names") in problems
    assert any(f == "conf/base/catalog.yml" and "invalid YAML" in m for f, _, m in problems)
    assert any(f == "conf/prod/catalog.yml" and "'versioned'" in m for f, _, m in problems)


@pytest.mark.parametrize("name", ["catalog.yaml", "catalog_2.yml"])
def test_kedro_catalog_file_names(tmp_path: Path, name: str) -> None:
    write(tmp_path, f"conf/base/{name}", "d:\n  type: MemoryDataset\n")
    entries, _ = load_kedro_catalog(tmp_path)
    assert [(e.name, e.file) for e in entries] == [("d", f"conf/base/{name}")]
