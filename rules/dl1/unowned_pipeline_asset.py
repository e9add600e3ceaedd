from debtlint.api import Location, ProjectExample, ProjectGraph, ProjectRule, Severity


class UnownedPipelineAsset(ProjectRule):
    """A pipeline stage or declared dataset with no owner, where the project assigns owners.

    ## What it does
    Looks at the assets a project declares: `dvc.yaml` stages and `debtlint.yaml` `data:`
    entries. A stage is owned when `CODEOWNERS` covers a Python script its `cmd` runs
    (`python src/train.py`, `python -m src.train`); a data entry is owned when it has an `owner`
    or when `CODEOWNERS` covers its path. The rule reports the unowned ones only when the project
    owns some of them already: ownership is then clearly the team's practice, and the gaps are
    oversights. A stage whose command runs no Python file of the project (a shell script, `dvc
    import`) is neither counted nor reported.

    Known false positives: ownership recorded outside the repository; a catch-all `*` rule in
    `CODEOWNERS` counts as an owner, so a project with one covers everything.

    ## Why is this bad?
    Sculley et al. (2015, §3) argue that data dependencies cost more than code dependencies;
    a stage or dataset that nobody owns changes without review and breaks downstream models
    without anyone to ask. Configuration and pipelines deserve the same review as code (§6).

    ## Example
    ```text
    # CODEOWNERS
    /src/prepare.py  @acme/data-eng
    # dvc.yaml: stage `train` runs `python scripts/train.py`, which nobody owns
    ```

    ## Use instead
    Cover the stage's script in `CODEOWNERS`, or give the dataset an `owner:` in `debtlint.yaml`.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3, §6.
    - Breck et al., "The ML Test Score", 2017, Infra 1.
    """

    code = "DL105"
    name = "unowned-pipeline-asset"
    severity = Severity.WARNING
    remediation_minutes = 10

    VALID = [
        ProjectExample(
            {
                "src/prepare.py": "print('prepare')\n",
                "src/train.py": "print('train')\n",
                "dvc.yaml": """
                stages:
                  prepare:
                    cmd: python src/prepare.py
                  train:
                    cmd: python -m src.train
                """,
                "CODEOWNERS": "/src/ @acme/ml\n",
            },
            "every stage's script is covered",
        ),
        ProjectExample(
            {
                "src/prepare.py": "print('prepare')\n",
                "dvc.yaml": """
                stages:
                  prepare:
                    cmd: python src/prepare.py
                """,
            },
            "a project that assigns no owners at all is left to DL101",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "src/prepare.py": "print('prepare')\n",
                "scripts/train.py": "print('train')\n",
                "dvc.yaml": """
                stages:
                  prepare:
                    cmd: python src/prepare.py
                  train:  # expect: DL105
                    cmd: python scripts/train.py --epochs 3
                  fetch:
                    cmd: bash fetch.sh
                """,
                "CODEOWNERS": "/src/ @acme/ml\n",
                "debtlint.yaml": """
                data:
                  raw-events:  # expect: DL105
                    path: data/raw/events.csv
                  customers:
                    path: data/raw/customers.csv
                    owner: "@acme/crm"
                """,
            },
            "an unowned stage and an unowned dataset among owned ones",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        manifest = graph.manifest
        codeowners = manifest.codeowners
        flow = graph.flow()

        def covered(path: str) -> bool:
            return codeowners is not None and codeowners.owners_of(path) is not None

        assets: list[tuple[str, str, Location, bool]] = []  # kind, name, where, owned
        if manifest.dvc is not None:
            for stage in manifest.dvc.stages:
                scripts = flow.stage_scripts(stage.cmd)
                if scripts:
                    owned = any(covered(s) for s in scripts)
                    assets.append(("stage", stage.name, Location(stage.file, stage.line), owned))
        for pattern, decl in sorted(manifest.data.items()):
            owned = bool(decl.owner) or (not _is_glob(pattern) and covered(pattern))
            name = decl.pattern or pattern
            assets.append(("dataset", name, Location(decl.file, decl.line), owned))
        if not any(owned for *_, owned in assets):
            return
        for kind, name, location, owned in assets:
            if owned:
                continue
            how = (
                "CODEOWNERS does not cover the script it runs"
                if kind == "stage"
                else "it has no owner and CODEOWNERS does not cover it"
            )
            self.report(
                location,
                f"{kind} {name} has no owner ({how}), while other pipeline assets have owners",
                entity=f"{kind}:{name}",
                help=(
                    "Cover the stage's script in CODEOWNERS"
                    if kind == "stage"
                    else f"Add an owner to {name} in debtlint.yaml (data:) or cover it in CODEOWNERS"
                ),
                properties={"kind": kind, "name": name},
            )


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")
