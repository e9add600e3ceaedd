import posixpath

from debtlint.api import Location, ProjectExample, ProjectGraph, ProjectRule, Severity


class UnpinnedDependencies(ProjectRule):
    """A requirements file lists packages without exact versions, and no lock file pins them.

    ## What it does
    Reads `requirements*.txt`, `requirements/*.txt` and `constraints*.txt` at the project root.
    A requirement is pinned when it has `==`/`===` with one version (not a wildcard, not a
    range) or is a direct reference (`name @ https://…`), or when a constraints file it names
    with `-c` pins it. One finding per file with unpinned requirements, on the first of them,
    naming them all. Nothing is reported when a lock file (`poetry.lock`, `uv.lock`, `pdm.lock`,
    `Pipfile.lock`, `conda-lock.yml`, `pixi.lock`, `requirements.lock`) is present, or when
    there is no requirements file (a library declaring ranges in `pyproject.toml` is fine).

    Known false positives: a requirements file for a library's development tools where ranges
    are deliberate; ignore the rule for it.

    ## Why is this bad?
    An unpinned dependency installs whatever is newest: the same code trains a different model,
    or stops running, after an upstream release. mllint reports the same
    (`dependency-management`), and Breck et al. (2017) ask for reproducible training (Infra 1).

    ## Example
    ```text
    scikit-learn
    pandas>=1.5
    ```

    ## Use instead
    ```text
    scikit-learn==1.5.2
    pandas==2.2.3
    ```
    or keep ranges and commit a lock file (`uv lock`, `poetry lock`, `pip-compile`).

    ## Options
    None.

    ## References
    - van Oort et al., "mllint", 2021-2022: `dependency-management/use`, `/single`.
    - Breck et al., "The ML Test Score", 2017, Infra 1.
    """

    code = "DL804"
    name = "unpinned-dependencies"
    severity = Severity.WARNING
    remediation_minutes = 30

    VALID = [
        ProjectExample(
            {
                "requirements.txt": """
                # pinned
                numpy==2.1.3
                scikit-learn===1.5.2
                mypkg @ https://example.org/mypkg-1.0.tar.gz
                -e .
                --index-url https://pypi.org/simple
                """,
            },
            "every requirement pinned; options and editable installs are skipped",
        ),
        ProjectExample(
            {"requirements.txt": "pandas>=2\ntorch\n", "uv.lock": "version = 1\n"},
            "a lock file pins the versions",
        ),
        ProjectExample(
            {
                "requirements.txt": "-c constraints.txt\npandas\n",
                "constraints.txt": "pandas==2.2.3\n",
            },
            "pinned through a constraints file",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "requirements.txt": """
                numpy==2.1.3
                pandas>=1.5  # expect: DL804
                torch
                scikit-learn==1.*
                """,
                "requirements-dev.txt": "pytest  # expect: DL804\n",
            },
            "ranges, bare names and wildcards; one finding per file",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        found = graph.manifest.requirements
        if found is None or found.lock_files:
            return
        for req_file in found.files:
            folder = posixpath.dirname(req_file.path)
            constraints = [
                posixpath.normpath(posixpath.join(folder, c)) for c in req_file.constraints
            ]
            pinned_elsewhere = found.pinned_names(constraints)
            loose = [
                r for r in req_file.requirements if not r.pinned and r.name not in pinned_elsewhere
            ]
            if not loose:
                continue
            names = ", ".join(r.name for r in loose[:8]) + (", …" if len(loose) > 8 else "")
            self.report(
                Location(req_file.path, loose[0].line, 1),
                f"{len(loose)} of {len(req_file.requirements)} requirements are not pinned to a "
                f"version and there is no lock file: {names}",
                entity=req_file.path,
                help="Pin exact versions (name==x.y.z) or commit a lock file.",
                properties={"unpinned": [r.name for r in loose]},
            )
